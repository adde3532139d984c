"""The diagnostic's life: brouillon → en relecture → validé → publié, contributions, notifications."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from diagnostics import services
from diagnostics.models import Contribution, Diagnostic, DiagnosticVersion, Section
from tests.diagnostics.factories import YEAR
from tests.teams.factories import join, login, make_agent

pytestmark = pytest.mark.django_db


def test_create_makes_every_editorial_section(ouest_draft, ouest):
    kinds = list(ouest_draft.sections.values_list("kind", flat=True))
    assert kinds.count("constat") == ouest.priorities.filter(is_active=True).count() == 1
    for kind in ("synthese", "atouts", "fragilites", "potentiels", "menaces", "preconisations"):
        assert kind in kinds
    assert ouest_draft.status == Diagnostic.Status.DRAFT


def test_one_diagnostic_per_quartier_and_year(ouest_draft, ouest, personas):
    with pytest.raises(ValidationError):
        services.diagnostic_create(quartier=ouest, year=YEAR, by=personas["chef"])


def test_the_chef_moves_the_workflow_through_the_pages(as_role, ouest_draft):
    client = as_role("chef")
    url = reverse("diagnostics:transition", args=[ouest_draft.pk])
    for action, expected in [
        ("review", "review"),
        ("validate", "validated"),
        ("publish", "published"),
    ]:
        assert client.post(url, {"action": action}).status_code == 302
        ouest_draft.refresh_from_db()
        assert ouest_draft.status == expected
    assert ouest_draft.published_version == 1
    assert ouest_draft.versions.get().number == 1


@pytest.mark.parametrize(
    ("status", "action"),
    [("draft", "validate"), ("draft", "publish"), ("review", "publish"), ("published", "validate")],
)
def test_impossible_transitions_are_refused(make_diagnostic, ouest, personas, status, action):
    diagnostic = make_diagnostic(ouest, status=status)
    with pytest.raises(ValidationError):
        services.diagnostic_transition(diagnostic=diagnostic, action=action, by=personas["chef"])
    diagnostic.refresh_from_db()
    assert diagnostic.status == status


def test_a_member_contributes_during_review_and_the_chef_integrates(
    as_role, make_diagnostic, ouest, personas
):
    diagnostic = make_diagnostic(ouest, status="review")
    section = diagnostic.sections.get(kind=Section.Kind.ATOUTS)
    client = as_role("agent")
    response = client.post(
        reverse("diagnostics:contribute", args=[diagnostic.pk, section.pk]),
        {"body": "Un tissu associatif très présent."},
    )
    assert response.status_code == 302
    contribution = Contribution.objects.get()
    assert contribution.author == personas["agent"]
    assert contribution.status == Contribution.Status.SUBMITTED

    client = as_role("chef")
    client.post(
        reverse("diagnostics:contribution_decide", args=[diagnostic.pk, contribution.pk]),
        {"decision": "integrate"},
    )
    contribution.refresh_from_db()
    section.refresh_from_db()
    assert contribution.status == Contribution.Status.INTEGRATED
    assert "Un tissu associatif très présent." in section.body
    # Deciding twice changes nothing.
    with pytest.raises(ValidationError):
        services.contribution_integrate(contribution=contribution, by=personas["chef"])
    section.refresh_from_db()
    assert section.body.count("tissu associatif") == 1


def test_the_chef_declines_with_an_answer(make_diagnostic, ouest, personas):
    diagnostic = make_diagnostic(ouest, status="review")
    section = diagnostic.sections.get(kind=Section.Kind.MENACES)
    contribution = services.contribution_submit(
        section=section, author=personas["agent"], body="Hors sujet"
    )
    services.contribution_decline(
        contribution=contribution, by=personas["chef"], note="Déjà traité en synthèse."
    )
    contribution.refresh_from_db()
    section.refresh_from_db()
    assert contribution.status == Contribution.Status.DECLINED
    assert contribution.decision_note == "Déjà traité en synthèse."
    assert "Hors sujet" not in section.body


def test_contributions_only_during_review(ouest_draft, personas):
    section = ouest_draft.sections.first()
    with pytest.raises(ValidationError):
        services.contribution_submit(section=section, author=personas["agent"], body="Trop tôt")


def test_an_elu_cannot_contribute(as_role, make_diagnostic, ouest):
    diagnostic = make_diagnostic(ouest, status="review")
    section = diagnostic.sections.first()
    response = as_role("elu").post(
        reverse("diagnostics:contribute", args=[diagnostic.pk, section.pk]), {"body": "Avis"}
    )
    assert response.status_code == 404
    assert not Contribution.objects.exists()


def test_publication_emails_elus_maire_and_direction_once(
    make_diagnostic, ouest, personas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        diagnostic = make_diagnostic(ouest, status="validated")
        services.diagnostic_transition(diagnostic=diagnostic, action="publish", by=personas["chef"])
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted(
        [personas["elu"].email, personas["maire"].email, personas["direction"].email]
    )
    assert "Ouest" in mail.outbox[0].subject
    version = DiagnosticVersion.objects.get()
    assert version.get_absolute_url() in mail.outbox[0].body
    # A redelivered task sends nothing twice.
    assert services.publication_notify(version.pk) == 0
    assert len(mail.outbox) == 3


def test_a_correction_publishes_a_new_version_and_keeps_the_old(make_diagnostic, ouest, personas):
    chef = personas["chef"]
    diagnostic = make_diagnostic(ouest, status="published")
    synthese = diagnostic.sections.get(kind="synthese")
    v1 = diagnostic.versions.get()
    services.diagnostic_transition(diagnostic=diagnostic, action="correct", by=chef)
    services.section_update(section=synthese, body="Texte corrigé.", by=chef)
    for action in ("review", "validate"):
        services.diagnostic_transition(diagnostic=diagnostic, action=action, by=chef)
    with pytest.raises(ValidationError):  # a correction says what it corrects
        services.diagnostic_transition(diagnostic=diagnostic, action="publish", by=chef)
    services.diagnostic_transition(
        diagnostic=diagnostic, action="publish", by=chef, note="Coquille."
    )
    diagnostic.refresh_from_db()
    assert diagnostic.published_version == 2
    assert list(diagnostic.versions.order_by("number").values_list("number", flat=True)) == [1, 2]
    v1.refresh_from_db()
    assert [s["body"] for s in v1.sections if s["kind"] == "synthese"] == [""]
    v2 = diagnostic.versions.get(number=2)
    assert [s["body"] for s in v2.sections if s["kind"] == "synthese"] == ["Texte corrigé."]
    assert v2.correction_note == "Coquille."


def test_sud_chef_is_not_ouest_chef(as_role, ouest_draft, sud):
    sud_chef = make_agent("chef-sud@test.example")
    join(sud_chef, sud, "chef")
    client = as_role("agent")
    login(client, sud_chef)
    response = client.post(
        reverse("diagnostics:transition", args=[ouest_draft.pk]), {"action": "review"}
    )
    assert response.status_code == 404


def test_asking_for_review_emails_the_team_once(
    ouest_draft, personas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.diagnostic_transition(diagnostic=ouest_draft, action="review", by=personas["chef"])
    assert [message.to for message in mail.outbox] == [[personas["agent"].email]]
    assert ouest_draft.get_absolute_url() in mail.outbox[0].body
    assert services.review_notify(ouest_draft.pk) == 0  # a redelivered task sends nothing
    # Back to draft and to review again: the team is asked again.
    with django_capture_on_commit_callbacks(execute=True):
        services.diagnostic_transition(diagnostic=ouest_draft, action="draft", by=personas["chef"])
        services.diagnostic_transition(diagnostic=ouest_draft, action="review", by=personas["chef"])
    assert len(mail.outbox) == 2
