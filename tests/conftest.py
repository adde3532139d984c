"""Personas shared by every test: one per role of DESIGN.md's access table.

Ouest is the quartier under test; Sud is "another quartier". Each persona is an Agent with
the memberships and flags its role needs; `as_role("chef")` is a client signed in as one.
Fixtures only: helpers that build objects are in each app's `tests/<app>/factories.py`.
"""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.cache import cache
from django.db.models.signals import post_migrate

from teams.models import Agent, Membership, Partner, Priority, Quartier, Service
from tests.teams.factories import join, login, make_agent

# Tests that share state outside their own test database (the Redis databases of tests/jobs,
# real worker processes): with pytest-xdist (`--dist loadgroup`), they run on one worker.
SERIAL = (
    "tests/jobs/",
    "tests/meetings/test_real_worker.py",
    "tests/meetings/test_worker_killed.py",
)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    # tryfirst: pytest-xdist's worker sends a group's tests together by a suffix it adds to their
    # node ids in this same hook, from the marks present then (tests/jobs/test_serial_group.py).
    for item in items:
        if item.nodeid.startswith(SERIAL) or item.get_closest_marker("serial"):
            item.add_marker(pytest.mark.xdist_group("serial"))


def _reseed_reference_data(sender, using, apps=None, **kwargs) -> None:
    """The rows data migrations seed (observation categories, needs), back after every flush.

    A transactional test ends with a flush of the test database: content types and permissions
    come back through `post_migrate`, which the flush sends, but the data migrations' rows do not.
    The tests after it on the same pytest-xdist worker (whatever the order groups give) expect
    them, as a migrated database has them.
    """
    if sender.label != "observations":
        return
    if apps is None:  # the flush's signal names no app registry: the project's own
        from django.apps import apps
    category = apps.get_model("observations", "Category")
    if not category.objects.using(using).exists():
        from importlib import import_module

        import_module("observations.migrations.0002_search_index_and_categories").seed(apps, None)


post_migrate.connect(_reseed_reference_data, dispatch_uid="tests-reseed-reference-data")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Files of a test in its own folder, through the storage the app runs with (only its
    location changes: the tests prove the real backend, not a stand-in)."""
    default = settings.STORAGES["default"]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            **default,
            "OPTIONS": {**default.get("OPTIONS", {}), "location": str(tmp_path / "media")},
        },
    }
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: the test databases reuse primary keys, and a page
    part cached by an earlier test (foundation.generations) must not answer for this one's."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def services(db) -> dict[str, Service]:
    return {
        "technique": Service.objects.create(
            name="Services techniques",
            slug="services-techniques",
            offer="Propreté, voirie",
            keywords="dépôt sauvage",
        ),
        "ccas": Service.objects.create(
            name="CCAS",
            slug="ccas",
            offer="Accompagnement social",
            keywords="aide sociale, logement",
        ),
        "jeunesse": Service.objects.create(
            name="Jeunesse", slug="jeunesse", offer="Accueil des jeunes"
        ),
    }


@pytest.fixture
def ouest(db) -> Quartier:
    quartier = Quartier.objects.create(name="Ouest", slug="ouest", meeting_place="MSP")
    Priority.objects.create(quartier=quartier, title="Tranquillité et cadre de vie", position=1)
    Partner.objects.create(name="Centre social", kind=Partner.Kind.CENTRE_SOCIAL).quartiers.add(
        quartier
    )
    return quartier


@pytest.fixture
def sud(db) -> Quartier:
    return Quartier.objects.create(name="Sud", slug="sud")


@pytest.fixture
def personas(db, ouest, sud, services) -> dict[str, Agent]:
    """One person per role. The responsable manages the technical service and is in no team."""
    people = {
        "agent": make_agent(
            "agent@test.example", service=services["jeunesse"], job_title="Animateur jeunesse"
        ),
        "chef": make_agent(
            "chef@test.example", service=services["ccas"], job_title="Cheffe de projet"
        ),
        "responsable": make_agent("responsable@test.example", service=services["technique"]),
        "direction": make_agent("direction@test.example", is_comite_direction=True),
        "elu": make_agent("elu@test.example", job_title="Adjointe au maire"),
        "maire": make_agent("maire@test.example", is_maire=True),
        "outsider": make_agent("outsider@test.example", service=services["ccas"]),
        "admin": make_agent("admin@test.example", is_staff=True, is_superuser=True),
    }
    join(people["agent"], ouest)
    join(people["chef"], ouest, Membership.Role.CHEF_DE_PROJET)
    join(people["elu"], ouest, Membership.Role.ELU)
    join(people["outsider"], sud)
    services["technique"].responsables.add(people["responsable"])
    # Administrators must have a second factor before any page with data: the persona has one,
    # as a real administrator would after the first sign-in (tests/security/test_accounts.py).
    TOTP.activate(people["admin"], generate_totp_secret())
    return people


@pytest.fixture
def as_role(client, personas):
    """as_role("chef") -> a client signed in as that persona."""

    def _as(role: str):
        client.logout()
        return login(client, personas[role])

    return _as


@pytest.fixture(autouse=True)
def _valid_wsgi_headers(monkeypatch):
    """Django's test client accepts any header; a WSGI server refuses hop-by-hop ones (runserver,
    as `make run` serves, answers 500). Every response of every test is held to the server's
    rule, so a header the server would refuse fails here first."""
    from wsgiref.util import is_hop_by_hop

    from django.test.client import ClientHandler

    real_call = ClientHandler.__call__

    def call(self, environ):
        response = real_call(self, environ)
        hop_by_hop = [name for name in response.headers if is_hop_by_hop(name)]
        assert not hop_by_hop, f"hop-by-hop headers in the response: {hop_by_hop}"
        return response

    monkeypatch.setattr(ClientHandler, "__call__", call)
