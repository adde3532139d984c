"""Every role × every diagnostics page: allowed pages answer 200, others 404 (never 403).

Working copies: the chef at every state; the team from "en relecture" on; nobody else.
Published versions: the team, the élus of the quartier, the maire, the comité de direction.
Open data (/donnees/): the published versions' aggregates, for everybody, signed in or not;
nothing of a diagnostic not published.
"""

import pytest
from django.urls import reverse

from diagnostics.models import Section
from diagnostics.permissions import diagnostics_visible_to, versions_visible_to
from tests.teams.factories import ROLES, join, login, make_agent

OK, HIDDEN = 200, 404
ALL_OK = dict.fromkeys(ROLES, OK)


def only(*roles):
    return {role: OK if role in roles else HIDDEN for role in ROLES}


MATRIX = {
    "index": ALL_OK,
    "ouest_draft": only("chef", "admin"),
    "ouest_review": only("agent", "chef", "admin"),
    "ouest_review_section_edit": only("chef", "admin"),
    "ouest_published_working_copy": only("agent", "chef", "admin"),
    "ouest_version": only("agent", "chef", "direction", "elu", "maire", "admin"),
    "ouest_version_pdf": only("agent", "chef", "direction", "elu", "maire", "admin"),
    "sud_review": only("outsider", "admin"),
    "sud_draft": only("admin"),
    "opendata_catalogue": ALL_OK,
    "opendata_csv": ALL_OK,
    "opendata_json": ALL_OK,
    "opendata_csv_of_review": only(),
    "opendata_json_of_sud_draft": only(),
}
#: Pages anybody reads without signing in, and what an anonymous visitor gets.
PUBLIC = {
    "opendata_catalogue": OK,
    "opendata_csv": OK,
    "opendata_json": OK,
    "opendata_csv_of_review": HIDDEN,
    "opendata_json_of_sud_draft": HIDDEN,
}


@pytest.fixture
def pages(make_diagnostic, ouest, sud, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        published = make_diagnostic(ouest, year=2024, status="published")
    review = make_diagnostic(ouest, year=2025, status="review")
    draft = make_diagnostic(ouest, year=2026)
    sud_review = make_diagnostic(sud, year=2025, status="review")
    sud_draft = make_diagnostic(sud, year=2026)
    section = review.sections.get(kind=Section.Kind.SYNTHESE)
    return {
        "index": reverse("diagnostics:index"),
        "ouest_draft": reverse("diagnostics:detail", args=[draft.pk]),
        "ouest_review": reverse("diagnostics:detail", args=[review.pk]),
        "ouest_review_section_edit": reverse(
            "diagnostics:section_edit", args=[review.pk, section.pk]
        ),
        "ouest_published_working_copy": reverse("diagnostics:detail", args=[published.pk]),
        "ouest_version": reverse("diagnostics:version", args=[published.pk, 1]),
        "ouest_version_pdf": reverse("diagnostics:version_pdf", args=[published.pk, 1]),
        "sud_review": reverse("diagnostics:detail", args=[sud_review.pk]),
        "sud_draft": reverse("diagnostics:detail", args=[sud_draft.pk]),
        "opendata_catalogue": reverse("opendata:catalogue"),
        "opendata_csv": reverse("opendata:csv", args=["ouest", 2024, 1]),
        "opendata_json": reverse("opendata:json", args=["ouest", 2024, 1]),
        "opendata_csv_of_review": reverse("opendata:csv", args=["ouest", 2025, 1]),
        "opendata_json_of_sud_draft": reverse("opendata:json", args=["sud", 2026, 1]),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_matrix(role, as_role, pages):
    client = as_role(role)
    for page, expected in MATRIX.items():
        response = client.get(pages[page])
        assert response.status_code == expected[role], f"{role} on {page}"


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client, pages):
    for page, url in pages.items():
        response = client.get(url)
        if page in PUBLIC:
            assert response.status_code == PUBLIC[page], page
            continue
        assert response.status_code == 302
        assert "/comptes/" in response["Location"]


@pytest.mark.django_db
def test_an_elu_of_sud_reads_neither_ouest_draft_nor_ouest_publication(
    client, make_diagnostic, ouest, sud
):
    elu_sud = make_agent("elu-sud@test.example")
    join(elu_sud, sud, "elu")
    review = make_diagnostic(ouest, year=2025, status="review")
    published = make_diagnostic(ouest, year=2024, status="published")
    sud_published = make_diagnostic(sud, year=2024, status="published")
    login(client, elu_sud)
    assert client.get(reverse("diagnostics:detail", args=[review.pk])).status_code == 404
    assert client.get(reverse("diagnostics:version", args=[published.pk, 1])).status_code == 404
    assert client.get(reverse("diagnostics:version", args=[sud_published.pk, 1])).status_code == 200
    listing = client.get(reverse("diagnostics:index")).content.decode()
    assert "Quartier Sud — 2024" in listing
    assert "Quartier Ouest" not in listing


@pytest.mark.django_db
def test_writes_are_the_chefs(as_role, make_diagnostic, ouest):
    review = make_diagnostic(ouest, status="review")
    for role in ("agent", "elu", "maire", "direction", "responsable", "outsider"):
        client = as_role(role)
        assert (
            client.post(
                reverse("diagnostics:transition", args=[review.pk]), {"action": "validate"}
            ).status_code
            == 404
        )
        assert (
            client.post(reverse("diagnostics:document_request", args=[review.pk])).status_code
            == 404
        )
    review.refresh_from_db()
    assert review.status == "review"
    assert not review.documents.exists()


@pytest.mark.django_db
def test_only_chefs_create_and_only_in_their_quartier(as_role, ouest, sud):
    response = as_role("agent").post(
        reverse("diagnostics:create"), {"quartier": ouest.pk, "year": 2025}
    )
    assert not ouest.diagnostics.exists()
    client = as_role("chef")
    client.post(reverse("diagnostics:create"), {"quartier": sud.pk, "year": 2025})
    assert not sud.diagnostics.exists()
    response = client.post(reverse("diagnostics:create"), {"quartier": ouest.pk, "year": 2025})
    assert response.status_code == 302
    assert ouest.diagnostics.get().year == 2025


@pytest.mark.django_db
def test_proof_documents_follow_the_working_copy(
    as_role, make_diagnostic, ouest, personas, django_capture_on_commit_callbacks
):
    from diagnostics import services

    draft = make_diagnostic(ouest)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.document_request(diagnostic=draft, by=personas["chef"])
    url = reverse("diagnostics:document_download", args=[job.pk])
    assert as_role("chef").get(url).status_code == 200
    for role in ("agent", "elu", "maire", "direction", "outsider"):
        assert as_role(role).get(url).status_code == 404, role


@pytest.mark.django_db
def test_visible_to_querysets(personas, make_diagnostic, ouest, sud):

    draft = make_diagnostic(ouest, year=2026)
    review = make_diagnostic(ouest, year=2025, status="review")
    published = make_diagnostic(ouest, year=2024, status="published")
    sud_review = make_diagnostic(sud, year=2025, status="review")
    expected = {
        "agent": {review, published},
        "chef": {draft, review, published},
        "elu": {published},
        "maire": {published},
        "direction": {published},
        "responsable": set(),
        "outsider": {sud_review},
        "admin": {draft, review, published, sud_review},
    }
    for role, diagnostics in expected.items():
        assert set(diagnostics_visible_to(personas[role])) == diagnostics, role
        versions = set(versions_visible_to(personas[role]).values_list("diagnostic", flat=True))
        assert versions == ({published.pk} if published in diagnostics else set()), role
