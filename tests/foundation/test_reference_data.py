"""Transactional tests end with a flush; the rows data migrations seed must survive it, or every
test after one of them on the same pytest-xdist worker finds no observation category."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from observations.models import Category, NeedType


@pytest.mark.django_db(transaction=True)
def test_a_flush_as_transactional_tests_end_leaves_the_seeded_categories_and_needs():
    seeded = set(Category.objects.values_list("slug", flat=True))
    assert "proprete" in seeded
    call_command("flush", interactive=False, verbosity=0)  # what the test's teardown runs
    assert set(Category.objects.values_list("slug", flat=True)) == seeded
    assert NeedType.objects.exists()
