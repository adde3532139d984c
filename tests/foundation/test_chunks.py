"""Keyset chunks (foundation/chunks.py): every row once, in order, one bounded query per chunk."""

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session

from foundation.chunks import in_chunks

pytestmark = pytest.mark.django_db


def _sessions(count: int) -> list[str]:
    keys = []
    for _ in range(count):
        store = SessionStore()
        store.create()
        keys.append(store.session_key)
    return sorted(keys)


def test_every_row_once_in_key_order_a_query_per_chunk(django_assert_num_queries):
    keys = _sessions(7)

    with django_assert_num_queries(3):  # 3 + 3 + 1
        read = [session.pk for session in in_chunks(Session.objects.all(), size=3)]

    assert read == keys


def test_descending_and_an_exact_multiple_ends_with_an_empty_chunk(django_assert_num_queries):
    keys = _sessions(6)

    with django_assert_num_queries(3):  # 3 + 3 + 0: the last full chunk may not be the end
        read = [session.pk for session in in_chunks(Session.objects.all(), size=3, descending=True)]

    assert read == keys[::-1]


def test_rows_deleted_while_reading_shift_nothing():
    """Deleting what was read (the end of an account's sessions) skips no row of the next chunk,
    which an OFFSET-based pagination would."""
    keys = _sessions(7)

    read = []
    for session in in_chunks(Session.objects.all(), size=2):
        read.append(session.pk)
        session.delete()

    assert read == keys
    assert not Session.objects.exists()


def test_the_queryset_filter_is_kept():
    keys = _sessions(5)

    read = [s.pk for s in in_chunks(Session.objects.exclude(pk=keys[2]), size=2)]

    assert read == keys[:2] + keys[3:]
