"""Every role × every page of `walks`: readers (the quartier's team, its élue, those who read
every quartier) answer 200; managing is the chef de projet's and the administrator's; noting
is the team's (and invited agents'); everyone else 404 (never 403)."""

import pytest
from django.urls import reverse

from tests.teams.factories import ROLES
from tests.walks.factories import make_walk
from walks import services

OK, HIDDEN = 200, 404
READERS = {
    "agent": OK, "chef": OK, "responsable": HIDDEN, "direction": OK, "elu": OK, "maire": OK,
    "outsider": HIDDEN, "admin": OK,
}  # fmt: skip
MANAGERS = {**dict.fromkeys(ROLES, HIDDEN), "chef": OK, "admin": OK}
NOTERS = {**MANAGERS, "agent": OK}
ALL = dict.fromkeys(ROLES, OK)

MATRIX = {
    "index": ALL,
    "create": MANAGERS,
    "detail": READERS,
    "edit": MANAGERS,
    "stop_add": MANAGERS,
    "stop_edit": MANAGERS,
    "live": NOTERS,
    "live_stop": NOTERS,
    "report_status": READERS,
    "report_download": READERS,
}
POSTS = {
    "stop_move": MANAGERS,
    "report_request": MANAGERS,
    "report_retry": MANAGERS,
    "cancel": MANAGERS,
}


@pytest.fixture
def world(personas, ouest, django_capture_on_commit_callbacks):
    walk = make_walk(ouest, personas["chef"], invited=[personas["agent"]])
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_request(walk=walk, requested_by=personas["chef"])
    report.refresh_from_db()
    assert report.status == "ready", report.error
    return {"walk": walk, "stop": walk.stops.first(), "report": report}


def url_for(page, world):
    w, s, r = world["walk"], world["stop"], world["report"]
    return {
        "index": reverse("walks:index"),
        "create": reverse("walks:create"),
        "detail": reverse("walks:detail", args=[w.pk]),
        "edit": reverse("walks:edit", args=[w.pk]),
        "stop_add": reverse("walks:stop_add", args=[w.pk]),
        "stop_edit": reverse("walks:stop_edit", args=[w.pk, s.pk]),
        "stop_move": reverse("walks:stop_move", args=[w.pk, s.pk]),
        "live": reverse("walks:live", args=[w.pk]),
        "live_stop": reverse("walks:live_stop", args=[w.pk, s.pk]),
        "report_request": reverse("walks:report_request", args=[w.pk]),
        "report_status": reverse("walks:report_status", args=[w.pk, r.pk]),
        "report_download": reverse("walks:report_download", args=[w.pk, r.pk]),
        "report_retry": reverse("walks:report_retry", args=[w.pk, r.pk]),
        "cancel": reverse("walks:cancel", args=[w.pk]),
    }[page]


@pytest.mark.parametrize("role", ROLES)
def test_pages(client, as_role, world, role):
    as_role(role)
    for page, expected in MATRIX.items():
        response = client.get(url_for(page, world))
        assert response.status_code == expected[role], (page, role, response.status_code)


@pytest.mark.parametrize("role", ROLES)
def test_writes(client, as_role, world, role):
    as_role(role)
    # Cancelling last: a done walk refuses it (redirect), which still proves the gate.
    for page, expected in POSTS.items():
        response = client.post(url_for(page, world), {"direction": "down"})
        status = response.status_code
        assert (status == HIDDEN) == (expected[role] == HIDDEN), (page, role, status)


def test_anonymous_is_sent_to_sign_in(client, world):
    response = client.get(url_for("detail", world))
    assert response.status_code == 302 and "login" in response["Location"]


def test_an_invited_agent_of_another_quartier_reads_and_notes(client, as_role, personas, ouest):
    walk = make_walk(ouest, personas["chef"], invited=[personas["outsider"]])
    as_role("outsider")
    assert client.get(reverse("walks:detail", args=[walk.pk])).status_code == OK
    assert client.get(reverse("walks:live", args=[walk.pk])).status_code == OK
    assert client.get(reverse("walks:edit", args=[walk.pk])).status_code == HIDDEN
