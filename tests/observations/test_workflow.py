"""Status workflow, triage, merge, comments, escalations: who may do what, and the history kept."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from observations import services as obs_services
from observations.models import Category, Escalation, Observation, StatusChange
from tests.observations.factories import make_observation
from tests.observations.test_photos import form_data

S = Observation.Status


@pytest.fixture
def fresh(personas, ouest):
    return obs_services.observation_create(
        author=personas["agent"], quartier=ouest, category=Category.objects.get(slug="proprete"),
        title="Encombrants", place="rue Verlaine",
    )  # fmt: skip


def test_create_view_records_the_first_step(as_role, ouest, personas):
    response = as_role("agent").post(reverse("observations:create"), form_data(ouest))
    observation = Observation.objects.get()
    assert response.url == reverse("observations:detail", args=[observation.pk]) + "?enregistree=1"
    assert observation.author == personas["agent"]
    step = StatusChange.objects.get(observation=observation)
    assert (step.from_status, step.to_status, step.changed_by) == ("", S.NEW, personas["agent"])


def test_full_workflow_with_history(as_role, fresh, services, personas):
    chef = as_role("chef")
    response = chef.post(
        reverse("observations:triage", args=[fresh.pk]),
        {"service": services["technique"].pk, "urgency": "urgente", "comment": "À voir vite"},
    )
    assert response.status_code == 302
    fresh.refresh_from_db()
    assert (fresh.status, fresh.service, fresh.urgency) == (
        S.SENT,
        services["technique"],
        "urgente",
    )

    responsable = as_role("responsable")
    for status in (S.IN_PROGRESS, S.DONE):
        response = responsable.post(
            reverse("observations:status", args=[fresh.pk]), {"status": status, "comment": "ok"}
        )
        assert response.status_code == 302, response.content.decode()[:500]
    fresh.refresh_from_db()
    assert fresh.status == S.DONE
    steps = list(
        fresh.status_changes.order_by("changed_at", "id").values_list(
            "from_status", "to_status", "changed_by"
        )
    )
    assert steps == [
        ("", S.NEW, personas["agent"].pk),
        (S.NEW, S.SENT, personas["chef"].pk),
        (S.SENT, S.IN_PROGRESS, personas["responsable"].pk),
        (S.IN_PROGRESS, S.DONE, personas["responsable"].pk),
    ]
    page = as_role("agent").get(fresh.get_absolute_url()).content.decode()
    assert "Historique" in page and "À voir vite" in page and "Services techniques" in page


def test_closing_needs_a_reason_and_invalid_transitions_refused(fresh, personas):
    chef = personas["chef"]
    with pytest.raises(ValidationError):
        obs_services.observation_set_status(observation=fresh, by=chef, status=S.CLOSED)
    with pytest.raises(ValidationError):
        obs_services.observation_set_status(
            observation=fresh, by=chef, status=S.SENT
        )  # no service yet
    obs_services.observation_set_status(
        observation=fresh, by=chef, status=S.CLOSED, closing_reason="sans_suite"
    )
    fresh.refresh_from_db()
    assert (fresh.status, fresh.closing_reason) == (S.CLOSED, "sans_suite")
    with pytest.raises(ValidationError):
        obs_services.observation_set_status(observation=fresh, by=chef, status=S.DONE)
    obs_services.observation_set_status(
        observation=fresh, by=chef, status=S.NEW, comment="Rouverte"
    )
    fresh.refresh_from_db()
    assert (fresh.status, fresh.closing_reason) == (S.NEW, "")


def test_closing_from_the_page_without_reason_keeps_the_form(as_role, fresh):
    response = as_role("chef").post(
        reverse("observations:status", args=[fresh.pk]), {"status": S.CLOSED}
    )
    assert response.status_code == 400
    assert "motif de classement" in response.content.decode()
    fresh.refresh_from_db()
    assert fresh.status == S.NEW


@pytest.mark.parametrize("role", ["agent", "responsable", "direction", "elu", "outsider"])
def test_only_the_chef_triages_merges_and_escalates(as_role, fresh, role, services):
    client = as_role(role)
    assert (
        client.post(
            reverse("observations:triage", args=[fresh.pk]),
            {"service": services["ccas"].pk, "urgency": "normale"},
        ).status_code
        == 404
    )
    assert (
        client.post(reverse("observations:escalate", args=[fresh.pk]), {"reason": "x"}).status_code
        == 404
    )
    assert (
        client.post(reverse("observations:merge", args=[fresh.pk]), {"into": fresh.pk}).status_code
        == 404
    )
    fresh.refresh_from_db()
    assert fresh.service is None and not fresh.escalations.exists()


def test_responsable_updates_only_what_is_sent_to_its_service(as_role, fresh, services, personas):
    client = as_role("responsable")
    assert (
        client.post(
            reverse("observations:status", args=[fresh.pk]), {"status": S.IN_PROGRESS}
        ).status_code
        == 404
    )
    obs_services.observation_triage(
        observation=fresh, by=personas["chef"], service=services["ccas"], urgency="normale"
    )
    assert (
        client.post(
            reverse("observations:status", args=[fresh.pk]), {"status": S.IN_PROGRESS}
        ).status_code
        == 404
    )
    obs_services.observation_triage(
        observation=fresh, by=personas["chef"], service=services["technique"], urgency="normale"
    )
    assert (
        client.post(
            reverse("observations:status", args=[fresh.pk]), {"status": S.IN_PROGRESS}
        ).status_code
        == 302
    )
    assert (
        as_role("agent")
        .post(reverse("observations:status", args=[fresh.pk]), {"status": S.DONE})
        .status_code
        == 404
    )


def test_triage_defaults_the_service_from_the_category(as_role, fresh, services):
    fresh.category.default_service = services["technique"]
    fresh.category.save()
    page = as_role("chef").get(fresh.get_absolute_url()).content.decode()
    assert f'<option value="{services["technique"].pk}" selected>' in page


def test_merge_duplicates(as_role, fresh, personas, ouest, sud):
    original = make_observation(ouest, personas["chef"], title="Encombrants (premier signalement)")
    response = as_role("chef").post(
        reverse("observations:merge", args=[fresh.pk]), {"into": original.pk}
    )
    assert response.status_code == 302
    fresh.refresh_from_db()
    assert (fresh.status, fresh.closing_reason, fresh.duplicate_of) == (
        S.CLOSED,
        "doublon",
        original,
    )
    assert list(original.duplicates.all()) == [fresh]
    other = make_observation(sud, personas["outsider"])
    response = as_role("chef").post(
        reverse("observations:merge", args=[original.pk]), {"into": other.pk}
    )
    assert response.status_code == 400  # not readable by the chef of Ouest
    with pytest.raises(ValidationError):
        obs_services.observation_merge(observation=original, into=original, by=personas["chef"])


def test_comments_by_anyone_who_reads(as_role, fresh, personas):
    response = as_role("agent").post(
        reverse("observations:comment", args=[fresh.pk]), {"body": "Toujours là ce matin"}
    )
    assert response.status_code == 302
    assert fresh.comments.get().author == personas["agent"]
    assert (
        as_role("elu")
        .post(reverse("observations:comment", args=[fresh.pk]), {"body": "x"})
        .status_code
        == 404
    )
    assert (
        as_role("agent")
        .post(reverse("observations:comment", args=[fresh.pk]), {"body": " "})
        .status_code
        == 400
    )


def test_escalation_and_answer_shown_to_the_team(as_role, fresh, personas):
    assert (
        as_role("chef")
        .post(reverse("observations:escalate", args=[fresh.pk]), {"reason": "Récurrent"})
        .status_code
        == 302
    )
    escalation = Escalation.objects.get()
    # Waiting for an answer: a second escalation is refused.
    assert (
        as_role("chef")
        .post(reverse("observations:escalate", args=[fresh.pk]), {"reason": "Encore"})
        .status_code
        == 400
    )
    assert (
        as_role("agent")
        .post(reverse("observations:escalation_answer", args=[escalation.pk]), {"answer": "x"})
        .status_code
        == 404
    )
    response = as_role("direction").post(
        reverse("observations:escalation_answer", args=[escalation.pk]),
        {"answer": "Renfort validé"},
    )
    assert response.status_code == 302
    escalation.refresh_from_db()
    assert escalation.answered_by == personas["direction"]
    assert "Renfort validé" in as_role("agent").get(fresh.get_absolute_url()).content.decode()


def test_author_edits_until_triaged(as_role, fresh, services, personas):
    client = as_role("agent")
    url = reverse("observations:edit", args=[fresh.pk])
    data = {
        "category": fresh.category_id, "title": "Encombrants et gravats", "place": "rue Verlaine",
        "description": "", "observed_at": "2026-01-05T10:00", "urgency": "normale", "confidentiality": "equipe",
    }  # fmt: skip
    assert client.post(url, data).status_code == 302
    fresh.refresh_from_db()
    assert fresh.title == "Encombrants et gravats"
    obs_services.observation_triage(
        observation=fresh, by=personas["chef"], service=services["technique"], urgency="normale"
    )
    assert client.get(url).status_code == 404
