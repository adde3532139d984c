"""`logs_somewhere` answers from the person's roles what `quartiers_for_logging(...).exists()`
asked the database: for every role, a finished membership and an administrator of no city."""

import datetime

import pytest
from django.utils import timezone

from observations.permissions import logs_somewhere, quartiers_for_logging
from teams.access import forget_roles
from teams.models import Membership, Quartier


@pytest.mark.parametrize(
    "role", ["agent", "chef", "responsable", "direction", "elu", "maire", "outsider", "admin"]
)
def test_same_answer_as_the_quartiers_for_logging(role, personas, django_assert_num_queries):
    person = personas[role]
    expected = quartiers_for_logging(person).exists()
    assert expected == (role in ("agent", "chef", "outsider", "admin"))
    with django_assert_num_queries(1 if role == "admin" else 0):
        assert logs_somewhere(person) is expected


def test_a_finished_membership_logs_nowhere(personas):
    agent = personas["agent"]
    Membership.objects.filter(agent=agent).update(
        end_date=timezone.localdate() - datetime.timedelta(days=1)
    )
    forget_roles(agent)
    assert not quartiers_for_logging(agent).exists()
    assert logs_somewhere(agent) is False


def test_an_administrator_of_a_city_with_no_quartier_logs_nowhere(personas):
    Membership.objects.all().delete()
    Quartier.objects.all().delete()
    admin = personas["admin"]
    forget_roles(admin)
    assert logs_somewhere(admin) is quartiers_for_logging(admin).exists() is False
