"""No page opens a server-side cursor, whether or not PgBouncer sits in front of PostgreSQL.

Django reads a form's model choices with `QuerySet.iterator()`, which on PostgreSQL declares a
server-side cursor `WITH HOLD` outside a transaction: three round trips and a materialised result
for the dozen categories of a filter bar, on every list page. Behind PgBouncer in transaction
mode they are off (a cursor would outlive its transaction); they are off on a direct connection
too, so both deployments run the same reads, and large reads go by keyset chunks
(`foundation/chunks.py`).
"""

import pytest
from django.db import connection
from django.urls import reverse

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="server-side cursors are PostgreSQL's"
)

PAGES = [
    ("agent", "observations:index", "?status=traitee"),
    ("agent", "observations:create", ""),
    ("chef", "observations:orientations", ""),
]


@pytest.fixture
def server_cursors(monkeypatch):
    import psycopg

    opened: list[str] = []
    execute = psycopg.ServerCursor.execute

    def spy(self, query, *args, **kwargs):
        opened.append(str(query)[:200])
        return execute(self, query, *args, **kwargs)

    monkeypatch.setattr(psycopg.ServerCursor, "execute", spy)
    return opened


@pytest.mark.parametrize("role, name, query", PAGES)
def test_pages_with_model_choices_open_no_server_cursor(role, name, query, as_role, server_cursors):
    response = as_role(role).get(reverse(name) + query)
    assert response.status_code == 200
    assert server_cursors == []
