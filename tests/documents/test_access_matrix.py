"""Every role × every page of `documents`: allowed pages answer 200, others 404 (never 403).

Ouest's space is read by Ouest's team (agent, chef de projet) and administrators; the working
group « Jeunesse et sport » spans Ouest and counts the responsable de service among its members,
so its space is read by them and by Ouest's team. The élue, the maire, the comité de direction
and the agent of Sud read nothing of either: documents in progress are the team's.
"""

import pytest
from django.urls import reverse

from documents import services
from documents.models import Document
from tests.documents.factories import make_document, pdf_upload
from tests.teams.factories import ROLES

OK, HIDDEN = 200, 404
NOBODY = dict.fromkeys(ROLES, HIDDEN)
ALL = dict.fromkeys(ROLES, OK)
TEAM = {**NOBODY, "agent": OK, "chef": OK, "admin": OK}
GROUP = {**TEAM, "responsable": OK}
MANAGERS = {**NOBODY, "chef": OK, "admin": OK}

MATRIX = {
    "index": ALL,
    "space": TEAM,
    "create": TEAM,
    "folder_create": MANAGERS,
    "bin": TEAM,
    "detail": TEAM,
    "edit": TEAM,
    "download": TEAM,
    "group_space": GROUP,
    "group_create": GROUP,
    "group_folder_create": MANAGERS,
    "group_detail": GROUP,
    "group_download": GROUP,
}


@pytest.fixture
def world(personas, ouest_space, group_space):
    document = make_document(ouest_space, personas["chef"], title="Plan de circulation")
    shared = make_document(group_space, personas["responsable"], title="Tournoi de foot")
    return {"space": ouest_space, "group": group_space, "doc": document, "shared": shared}


def url_for(page, world):
    space, group, doc, shared = world["space"], world["group"], world["doc"], world["shared"]
    return {
        "index": reverse("documents:index"),
        "space": reverse("documents:space", args=[space.pk]),
        "create": reverse("documents:create", args=[space.pk]),
        "folder_create": reverse("documents:folder_create", args=[space.pk]),
        "bin": reverse("documents:bin", args=[space.pk]),
        "detail": reverse("documents:detail", args=[doc.pk]),
        "edit": reverse("documents:edit", args=[doc.pk]),
        "download": doc.current_version.get_download_url(),
        "group_space": reverse("documents:space", args=[group.pk]),
        "group_create": reverse("documents:create", args=[group.pk]),
        "group_folder_create": reverse("documents:folder_create", args=[group.pk]),
        "group_detail": reverse("documents:detail", args=[shared.pk]),
        "group_download": shared.current_version.get_download_url(),
    }[page]


@pytest.mark.parametrize("role", ROLES)
def test_matrix(role, as_role, world):
    client = as_role(role)
    for page in sorted(MATRIX):
        response = client.get(url_for(page, world))
        assert response.status_code == MATRIX[page][role], f"{role} on {page}"


def test_anonymous_is_sent_to_login(client, world):
    for page in sorted(MATRIX):
        assert client.get(url_for(page, world)).status_code == 302, page


@pytest.mark.parametrize("role", ROLES)
def test_the_index_lists_only_readable_spaces(role, as_role, world):
    body = as_role(role).get(reverse("documents:index")).content.decode()
    assert ("Équipe Ouest" in body) == (TEAM[role] == OK)
    assert ("Jeunesse et sport" in body) == (GROUP[role] == OK)


@pytest.mark.parametrize("role", ROLES)
def test_search_never_returns_what_the_person_does_not_read(role, as_role, world):
    body = as_role(role).get(reverse("documents:index"), {"q": "circulation"}).content.decode()
    assert ("Plan de circulation" in body) == (TEAM[role] == OK)


UPLOADERS = {**NOBODY, "agent": 302, "chef": 302, "admin": 302}


@pytest.mark.parametrize("role", ROLES)
def test_who_uploads_a_version(role, as_role, world):
    doc = world["doc"]
    response = as_role(role).post(
        reverse("documents:version_upload", args=[doc.pk]), {"file": pdf_upload("v2")}
    )
    assert response.status_code == UPLOADERS[role]
    assert doc.versions.count() == (2 if UPLOADERS[role] == 302 else 1)


@pytest.mark.parametrize("role", ROLES)
def test_who_puts_in_the_bin(role, as_role, personas, world):
    """The chef de projet (who manages, and deposited it) and administrators; not the agent."""
    doc = world["doc"]
    expected = {**NOBODY, "chef": 302, "admin": 302}[role]
    response = as_role(role).post(reverse("documents:delete", args=[doc.pk]))
    assert response.status_code == expected
    doc.refresh_from_db()
    assert (doc.deleted_at is not None) == (expected == 302)


def test_the_depositor_may_bin_its_own_document_and_find_it_in_the_bin(as_role, personas, world):
    own = make_document(world["space"], personas["agent"], title="Mon relevé")
    client = as_role("agent")
    client.post(reverse("documents:delete", args=[own.pk]))
    assert client.get(own.get_absolute_url()).status_code == 404
    assert "Mon relevé" in client.get(reverse("documents:bin", args=[world["space"].pk])).text
    # The chef's document put in the bin by the chef is not in the agent's bin.
    services.document_delete(document=world["doc"], by=personas["chef"])
    assert (
        "Plan de circulation"
        not in client.get(reverse("documents:bin", args=[world["space"].pk])).text
    )
    assert client.post(reverse("documents:restore", args=[world["doc"].pk])).status_code == 404
    assert client.post(reverse("documents:restore", args=[own.pk])).status_code == 302
    assert Document.objects.alive().filter(pk=own.pk).exists()


def test_a_document_of_another_space_is_404_even_with_a_valid_version_id(as_role, world):
    """A version id of a readable document, under the id of an unreadable one: 404."""
    client = as_role("outsider")
    doc = world["doc"]
    url = reverse("documents:download", args=[doc.pk, doc.current_version_id])
    assert client.get(url).status_code == 404
