"""Every role × every observations page: allowed answers 200 (or a redirect), the rest 404, never 403.

And the rule that matters most: nobody outside the confidential circle reads a confidential
observation, through any page, search, export, or photo URL.
"""

import pytest
from django.urls import reverse

from tests.observations.factories import SECRET_PLACE, SECRET_TITLE
from tests.teams.factories import ROLES, join, make_agent

OK, HIDDEN, REDIRECT = 200, 404, 302

EVERYONE = dict.fromkeys(ROLES, OK)
MEMBERS = {r: (OK if r in ("agent", "chef", "outsider", "admin") else HIDDEN) for r in ROLES}

MATRIX = {
    "list": {**EVERYONE, "elu": REDIRECT, "maire": REDIRECT},
    "search": {**EVERYONE, "elu": REDIRECT, "maire": REDIRECT},
    "export": {**EVERYONE, "elu": HIDDEN, "maire": HIDDEN},
    "create": MEMBERS,
    "detail_pub_ouest": {
        "agent": OK, "chef": OK, "responsable": OK, "direction": OK,
        "elu": HIDDEN, "maire": HIDDEN, "outsider": HIDDEN, "admin": OK,
    },
    "detail_secret_ouest": {
        "agent": HIDDEN, "chef": OK, "responsable": OK, "direction": HIDDEN,
        "elu": HIDDEN, "maire": HIDDEN, "outsider": HIDDEN, "admin": OK,
    },
    "detail_pub_sud": {**dict.fromkeys(ROLES, HIDDEN), "outsider": OK, "admin": OK},
    "edit_pub_ouest": {**dict.fromkeys(ROLES, HIDDEN), "chef": OK, "admin": OK},  # sent: no longer the author's
    "queue": {**dict.fromkeys(ROLES, HIDDEN), "responsable": OK, "admin": OK},
    "escalations": {**EVERYONE, "elu": HIDDEN, "maire": HIDDEN},
    "emerging": {**EVERYONE, "responsable": HIDDEN},
    "emerging_ouest": {**EVERYONE, "responsable": HIDDEN, "outsider": HIDDEN},
    "orientation_log": MEMBERS,
    "orientations": EVERYONE,
}  # fmt: skip
for photo_page in ("photo", "thumbnail"):
    for name in ("pub_ouest", "secret_ouest", "pub_sud"):
        MATRIX[f"{photo_page}_{name}"] = MATRIX[f"detail_{name}"]


def url_for(page: str, world) -> str:
    if page.startswith(("photo_", "thumbnail_")):
        kind, name = page.split("_", 1)
        photo = world["photos"][name]
        view = "observations:photo" if kind == "photo" else "observations:photo_thumbnail"
        return reverse(view, args=[photo.observation_id, photo.pk])
    if page.startswith(("detail_", "edit_")):
        kind, name = page.split("_", 1)
        return reverse(f"observations:{kind}", args=[world[name].pk])
    return {
        "list": reverse("observations:index"),
        "search": reverse("observations:index") + "?q=Zorglub",
        "export": reverse("observations:export"),
        "create": reverse("observations:create"),
        "queue": reverse("observations:queue"),
        "escalations": reverse("observations:escalations"),
        "emerging": reverse("observations:emerging"),
        "emerging_ouest": reverse("observations:emerging") + "?quartier=ouest",
        "orientation_log": reverse("observations:orientation_log"),
        "orientations": reverse("observations:orientations"),
    }[page]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", sorted(MATRIX))
def test_access_matrix(page, role, as_role, world):
    response = as_role(role).get(url_for(page, world))
    assert response.status_code == MATRIX[page][role], (page, role)


def _body(response) -> str:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


OUTSIDE_THE_CIRCLE = ["agent", "outsider", "direction", "elu", "maire"]


@pytest.mark.parametrize("role", OUTSIDE_THE_CIRCLE)
def test_confidential_details_never_leak(role, as_role, world):
    """Lists, search, export, escalations, emerging page, panels: no title, place or description."""
    client = as_role(role)
    secret = world["secret_ouest"]
    pages = [
        reverse("observations:index"),
        reverse("observations:index") + "?q=Zorglub",
        reverse("observations:index") + "?q=Quetzalcoatl",
        reverse("observations:index") + f"?quartier={secret.quartier_id}&status=transmise",
        reverse("observations:export"),
        reverse("observations:export") + "?q=Zorglub",
        reverse("observations:escalations"),
        reverse("observations:emerging") + "?quartier=ouest",
        reverse("home"),
        reverse("teams:quartier_detail", args=["ouest"]),
    ]
    for url in pages:
        response = client.get(url, follow=True)
        if response.status_code == 404:
            continue
        body = _body(response)
        assert SECRET_TITLE not in body, url
        assert SECRET_PLACE not in body, url
        assert "Zorglub détails" not in body, url  # the description (the query itself is echoed)


def test_sud_agent_never_reaches_ouest_confidential(as_role, world):
    """The headline rule, spelled out for the Sud agent (a CCAS agent, like the chef of Ouest)."""
    client = as_role("outsider")
    secret = world["secret_ouest"]
    photo = world["photos"]["secret_ouest"]
    for url in (
        reverse("observations:detail", args=[secret.pk]),
        reverse("observations:edit", args=[secret.pk]),
        reverse("observations:photo", args=[secret.pk, photo.pk]),
        reverse("observations:photo_thumbnail", args=[secret.pk, photo.pk]),
        # A photo of Ouest addressed through an observation the agent can read: still refused.
        reverse("observations:photo", args=[world["pub_sud"].pk, photo.pk]),
    ):
        assert client.get(url).status_code == 404, url
    for url in ("comment", "triage", "status", "merge", "escalate", "photos"):
        assert (
            client.post(reverse(f"observations:{url}", args=[secret.pk]), {"body": "x"}).status_code
            == 404
        )
    listed = _body(client.get(reverse("observations:export")))
    assert str(world["pub_sud"].pk) in listed
    assert f"\n{secret.pk};" not in listed


def test_comite_reads_escalation_of_a_confidential_observation_only_anonymously(as_role, world):
    body = as_role("direction").get(reverse("observations:escalations")).content.decode()
    assert "Besoin d&#x27;arbitrage" in body  # the chef's reason, written for the comité
    assert world["secret_ouest"].public_title.replace("'", "&#x27;") in body
    assert SECRET_TITLE not in body
    assert reverse("observations:detail", args=[world["secret_ouest"].pk]) not in body
    assert reverse("observations:detail", args=[world["pub_ouest"].pk]) in body


def test_chef_and_responsable_read_confidential_assigned_to_them(as_role, world):
    for role in ("chef", "responsable"):
        body = as_role(role).get(reverse("observations:index")).content.decode()
        assert SECRET_TITLE in body, role


def test_agent_sees_its_own_confidential_observation(as_role, world, colleague, client):
    client.force_login(colleague)
    assert (
        client.get(reverse("observations:detail", args=[world["secret_ouest"].pk])).status_code
        == 200
    )


def test_agent_of_the_assigned_service_in_the_team_reads_confidential(
    world, services, ouest, client
):
    """Agents of the assigned service read a confidential observation of their own quartier only."""
    technician = make_agent("technician@test.example", service=services["technique"])
    client.force_login(technician)
    url = reverse("observations:detail", args=[world["secret_ouest"].pk])
    assert client.get(url).status_code == 404  # not in Ouest's team
    join(technician, ouest)
    client.force_login(technician)
    assert client.get(url).status_code == 200


def test_elu_sees_counts_not_details(as_role, world):
    body = as_role("elu").get(reverse("teams:quartier_detail", args=["ouest"])).content.decode()
    assert "Observations du quartier par état" in body
    assert world["pub_ouest"].title not in body
