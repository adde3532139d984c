"""Two people booking the last free slot at the same instant: one booking, one French refusal.

Two threads, each with its own database connection, meet at a barrier and book the same slot.
On PostgreSQL, a second test holds the first transaction open after its insert, so that the
second one passes the overlap query (it cannot see the uncommitted row) and is stopped by the
exclusion constraint alone: its violation becomes the same refusal.
On SQLite (the test database in memory shares one cache between threads: a concurrent writer is
answered "database table is locked" at once instead of waiting), the serialization is proven on a
database file, as the app runs: two processes of `manage.py shell` started at the same instant.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection, connections, transaction

from bookings import services
from bookings.models import Booking
from tests.bookings.factories import slot

ROOT = Path(__file__).resolve().parents[2]
on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the exclusion constraint is PostgreSQL's"
)


def _book_in_thread(
    results: list, barrier: threading.Barrier, resource, agent, start, end, hold=None
):
    try:
        barrier.wait(timeout=10)
        with transaction.atomic():
            booking = services.booking_create(resource=resource, booker=agent, start=start, end=end)
            if hold is not None:
                hold()
        results.append(("booked", booking.pk))
    except services.BookingConflict as exc:
        results.append(("refused", exc.messages[0]))
    except Exception as exc:  # noqa: BLE001 - reported by the assertion below
        results.append(("error", repr(exc)))
    finally:
        connections.close_all()


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_two_bookings_of_the_last_slot_at_the_same_instant(personas, bike):
    start, end = slot(hour=10)
    results: list = []
    barrier = threading.Barrier(2)
    threads = [
        threading.Thread(
            target=_book_in_thread, args=(results, barrier, bike, personas[role], start, end)
        )
        for role in ("agent", "chef")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(kind for kind, _ in results) == ["booked", "refused"], results
    refusal = next(text for kind, text in results if kind == "refused")
    assert "est déjà réservé sur ce créneau" in refusal
    assert Booking.objects.filter(resource=bike).count() == 1


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_the_exclusion_constraint_alone_refuses_the_second(personas, bike):
    """The second transaction's overlap query runs while the first's insert is uncommitted: only
    the constraint can stop it, and its violation is the same French refusal."""
    start, end = slot(hour=10)
    # One list per thread: once the first commits, the second's refusal may be recorded before
    # the first's success.
    first_results: list = []
    results: list = []
    first_inserted, second_waits = threading.Event(), threading.Event()

    def hold():
        first_inserted.set()
        second_waits.wait(timeout=10)  # commit only once the second is blocked on our row

    def second():
        first_inserted.wait(timeout=10)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        watcher = threading.Thread(target=_signal_when_blocked, args=(pid, second_waits))
        watcher.start()
        _book_in_thread(results, threading.Barrier(1), bike, personas["chef"], start, end)
        watcher.join(timeout=10)

    first = threading.Thread(
        target=_book_in_thread,
        args=(first_results, threading.Barrier(1), bike, personas["agent"], start, end, hold),
    )
    other = threading.Thread(target=second)
    first.start()
    other.start()
    first.join(timeout=30)
    other.join(timeout=30)
    assert [kind for kind, _ in first_results + results] == ["booked", "refused"], (
        first_results,
        results,
    )
    assert "est déjà réservé sur ce créneau" in results[0][1]
    assert Booking.objects.filter(resource=bike).count() == 1


def _signal_when_blocked(pid: int, event: threading.Event) -> None:
    """Set `event` once the backend `pid` waits on a lock (or after 5 s)."""
    deadline = time.monotonic() + 5
    try:
        while time.monotonic() < deadline:
            with connection.cursor() as cursor:
                cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
                row = cursor.fetchone()
            if row and row[0] == "Lock":
                break
            time.sleep(0.05)
    finally:
        event.set()
        connections.close_all()


RACER = """
import sys, time, datetime
from django.utils import timezone
from bookings import services
from bookings.models import Resource
from teams.models import Agent
resource = Resource.objects.get(pk={resource})
agent = Agent.objects.get(pk={agent})
start = datetime.datetime.fromisoformat("{start}")
end = datetime.datetime.fromisoformat("{end}")
while time.time() < {go}:
    time.sleep(0.001)
try:
    services.booking_create(resource=resource, booker=agent, start=start, end=end)
    print("booked")
except services.BookingConflict as exc:
    print("refused:", exc.messages[0])
"""


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite path (serialized writes)")
@pytest.mark.django_db
def test_on_sqlite_two_processes_booking_the_same_slot_get_one_booking(tmp_path):
    """Two processes on a database file, as `make run` has it (WAL, immediate transactions)."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "TESTING"}}
    env.update(VAR_DIR=str(tmp_path), DEBUG="1")

    def manage(*args, **kw):
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            **kw,
        )

    assert manage("migrate", "--noinput", "-v0").returncode == 0
    setup = manage(
        "shell",
        "-c",
        "from teams.models import Agent, Quartier; from bookings.models import Place, Resource;"
        "q = Quartier.objects.create(name='Ouest', slug='ouest');"
        "p = Place.objects.create(name='MSP', slug='msp'); p.quartiers.add(q);"
        "r = Resource.objects.create(place=p, name='Vélo', kind='bike', audience='everyone');"
        "a = Agent.objects.create_user('a@test.example'); b = Agent.objects.create_user('b@test.example');"
        "print(r.pk, a.pk, b.pk)",
    )
    resource, first, second = setup.stdout.split()[-3:]
    start, end = slot(hour=10)
    go = time.time() + 4  # both processes are started and set up by then
    racers = [
        subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "shell",
                "-c",
                RACER.format(
                    resource=resource,
                    agent=agent,
                    start=start.isoformat(),
                    end=end.isoformat(),
                    go=go,
                ),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for agent in (first, second)
    ]
    outputs = [racer.communicate(timeout=120) for racer in racers]
    answers = sorted(out.strip().splitlines()[-1].split(":")[0] for out, _err in outputs)
    assert answers == ["booked", "refused"], outputs
    count = manage(
        "shell",
        "-c",
        f"from bookings.models import Booking; print(Booking.objects.filter(resource_id={resource}).count())",
    )
    assert count.stdout.strip().splitlines()[-1] == "1"


def test_the_refusal_is_the_same_for_the_query_and_the_constraint():
    """`is_overlap_violation` recognises the constraint by its name (psycopg's diagnostics)."""
    from django.db import IntegrityError

    from bookings.db import OVERLAP_CONSTRAINT, is_overlap_violation

    class Diag:
        constraint_name = OVERLAP_CONSTRAINT

    class Cause(Exception):
        diag = Diag()

    error = IntegrityError("conflicting key value violates exclusion constraint")
    error.__cause__ = Cause()
    assert is_overlap_violation(error)
    assert not is_overlap_violation(
        IntegrityError("duplicate key value violates unique constraint")
    )
