"""Factories of `teams` objects: agents, quartiers and memberships.

Call sites read best with the small helpers (`make_agent`, `join`); the factory_boy classes
behind them give unique emails and slugs when a test does not care about them.
"""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone
from django.utils.text import slugify

from teams.models import Agent, Membership, Quartier, Service

PASSWORD = "correct horse battery staple"

# The personas of `tests/conftest.py`, one per role of DESIGN.md's access table.
ROLES = ["agent", "chef", "responsable", "direction", "elu", "maire", "outsider", "admin"]


class AgentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agent

    email = factory.Sequence(lambda n: f"agent{n}@test.example")
    first_name = factory.LazyAttribute(lambda agent: agent.email.split("@")[0].capitalize())
    last_name = "Test"
    password = PASSWORD

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # Through the manager, as the app does: the email is normalised, the password hashed.
        return cls._get_manager(model_class).create_user(*args, **kwargs)


class QuartierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quartier

    name = factory.Sequence(lambda n: f"Quartier {n}")
    slug = factory.LazyAttribute(lambda quartier: slugify(quartier.name))


class MembershipFactory(factory.django.DjangoModelFactory):
    """A membership that started a year ago, so it counts today whatever the test's date."""

    class Meta:
        model = Membership

    agent = factory.SubFactory(AgentFactory)
    quartier = factory.SubFactory(QuartierFactory)
    role = Membership.Role.MEMBRE
    start_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=365))


def make_agent(email: str, *, service: Service | None = None, **fields) -> Agent:
    return AgentFactory(email=email, service=service, **fields)


def join(agent: Agent, quartier: Quartier, role: str = Membership.Role.MEMBRE) -> Membership:
    return MembershipFactory(agent=agent, quartier=quartier, role=role)


def login(client, agent: Agent):
    """The test client, signed in as `agent`."""
    client.force_login(agent)
    return client
