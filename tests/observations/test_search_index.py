"""The reading rule compares quartier, author and service ids as bigint on PostgreSQL, so that
each of its branches is a key of the full-text index (migration 0012, btree_gin matches
same-type comparisons only): a person's search then reads the matches of their own quartiers,
authorship and services, not the whole city's (measured by `make bench`, whose check reads the
plan of the search page over 2,000,000 observations)."""

import re

import pytest
from django.db import connection

from observations import selectors

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's types")


@pytest.mark.parametrize(
    "role, columns",
    [
        ("agent", {"author_id", "quartier_id"}),
        ("chef", {"author_id", "quartier_id"}),
        ("responsable", {"author_id", "service_id"}),
    ],
)
def test_each_branch_of_the_rule_compares_bigint_ids(role, columns, personas, ouest):
    searched = selectors.search(selectors.observations_for(personas[role]), "dépôt sauvage")
    sql = str(searched.query)
    compared = set(re.findall(r'"observations_observation"\."(\w+_id)" = \(\S+\)::bigint', sql))
    assert columns <= compared, sql
    untyped = re.findall(r'"observations_observation"\."(?:quartier|author)_id" IN \(', sql)
    assert untyped == []


def test_the_index_holds_the_ids_and_the_text(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'obs_search_fr_people'")
        (definition,) = cursor.fetchone()
    assert "gin (quartier_id, author_id, service_id, search_document)" in definition
