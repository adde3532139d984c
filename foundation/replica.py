"""Read replica: the selectors' reads go to it, everything else to the primary.

Three pieces, each a few lines:
- `reads_from_replica` decorates the views that only read for display (lists, dashboards,
  indicators, feeds, the map). While such a view runs, a context variable lets the router send
  its reads to the `replica` alias (DATABASE_REPLICA_URL). Writes always go to the primary, and so
  do the reads of every other view, of middlewares and of background jobs.
- `ReadYourWritesMiddleware`: after a request that may write (POST, PUT, PATCH, DELETE), the
  browser carries a signed cookie for DATABASE_REPLICA_STICKY_SECONDS; while it is valid, that
  person reads from the primary, so they always see their own change. A cookie, not the session:
  any web node checks it without a shared store, and it also covers the sign-in itself.
- `replica_usable()`: the replica is used only when it answers and lags less than
  DATABASE_REPLICA_MAX_LAG seconds, checked at most every DATABASE_REPLICA_CHECK_SECONDS per
  process. Otherwise reads go to the primary, with a log line. A connection error during a
  replica read marks it down and runs the view again on the primary: never an error page.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import logging
import threading
import time
from collections.abc import Callable, Iterator

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections

logger = logging.getLogger(__name__)

REPLICA = "replica"
STICKY_COOKIE = "aq_primaire"
_STICKY_SALT = "foundation.replica.sticky"
_UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class _SelectorRead:
    """Set while a selector view runs; remembers whether the router sent a read to the replica."""

    used_replica = False


_selector: contextvars.ContextVar[_SelectorRead | None] = contextvars.ContextVar(
    "replica_selector", default=None
)
# True while the request comes from a person who has just written.
_primary_only: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "replica_primary_only", default=False
)


def configured() -> bool:
    """A replica alias that is a database of its own. Under tests it mirrors the primary's test
    database (TEST MIRROR, in every thread): one database, read through the primary's alias."""
    if REPLICA not in connections.settings:
        return False
    primary = connections[DEFAULT_DB_ALIAS].settings_dict
    replica = connections[REPLICA].settings_dict
    if replica.get("TEST", {}).get("MIRROR"):
        return False
    return any(primary.get(key) != replica.get(key) for key in ("HOST", "PORT", "NAME"))


class _Health:
    """The replica's state as last checked by this process: (usable, checked at)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.usable = False
        self.checked_at = float("-inf")

    def set(self, usable: bool) -> None:
        self.usable, self.checked_at = usable, time.monotonic()

    def forget(self) -> None:
        self.checked_at = float("-inf")


_health = _Health()

# The replica's delay behind the primary, in seconds: 0 when it has replayed all it received
# (an idle primary sends nothing, and the last replayed transaction's age would grow forever).
_LAG_SQL = """
    SELECT pg_is_in_recovery(),
           CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
                ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)
           END
"""


def _check() -> bool:
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(_LAG_SQL)
            in_recovery, lag = cursor.fetchone()
    except (OperationalError, InterfaceError) as exc:
        connections[REPLICA].close()
        logger.warning("Read replica unreachable, reading from the primary: %s", exc)
        return False
    if in_recovery and float(lag) > settings.DATABASE_REPLICA_MAX_LAG:
        logger.warning(
            "Read replica %.1f s behind (more than %s s), reading from the primary",
            lag,
            settings.DATABASE_REPLICA_MAX_LAG,
        )
        return False
    return True


def replica_usable() -> bool:
    """Whether the replica answers and is recent enough, checked at most every few seconds."""
    if not configured():
        return False
    due = time.monotonic() - _health.checked_at >= settings.DATABASE_REPLICA_CHECK_SECONDS
    # One thread checks; the others go on with the last answer meanwhile.
    if due and _health.lock.acquire(blocking=False):
        try:
            usable = _check()
            if usable and not _health.usable:
                logger.info("Read replica in use")
            _health.set(usable)
        finally:
            _health.lock.release()
    return _health.usable


def mark_down(exc: Exception) -> None:
    logger.warning("Read replica failed during a read, reading from the primary: %s", exc)
    connections[REPLICA].close()
    _health.set(False)


def forget_health() -> None:
    """Check the replica again at the next selector read (tests; after maintenance)."""
    _health.forget()


class ReplicaRouter:
    """Reads of selector views go to the replica when it is usable; the rest to the primary."""

    def db_for_read(self, model, **hints) -> str | None:
        selector = _selector.get()
        if (
            selector is not None
            and not _primary_only.get()
            # Inside a transaction on the primary, its own uncommitted rows are only there.
            and not connections[DEFAULT_DB_ALIAS].in_atomic_block
            and replica_usable()
        ):
            selector.used_replica = True
            return REPLICA
        return None

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # the same rows on both

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS  # the replica receives the primary's schema


@contextlib.contextmanager
def primary_reads() -> Iterator[None]:
    """Inside a selector view, reads that must see the latest state (a credential check)."""
    token = _selector.set(None)
    try:
        yield
    finally:
        _selector.reset(token)


def reads_from_replica(view: Callable) -> Callable:
    """Let a read-only view read from the replica; on a connection error there, run it again on
    the primary. Only for views that write nothing the person would expect to read back."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not configured():
            return view(request, *args, **kwargs)
        selector = _SelectorRead()
        token = _selector.set(selector)
        try:
            return view(request, *args, **kwargs)
        except (OperationalError, InterfaceError) as exc:
            if not selector.used_replica:
                raise
            mark_down(exc)
        finally:
            _selector.reset(token)
        return view(request, *args, **kwargs)

    return wrapped


class ReadYourWritesMiddleware:
    """After a request that may write, its author reads from the primary for a few seconds."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        wrote_recently = request.get_signed_cookie(
            STICKY_COOKIE,
            default=None,
            salt=_STICKY_SALT,
            max_age=settings.DATABASE_REPLICA_STICKY_SECONDS,
        )
        writes = request.method in _UNSAFE_METHODS
        token = _primary_only.set(writes or wrote_recently is not None)
        try:
            response = self.get_response(request)
        finally:
            _primary_only.reset(token)
        if writes and configured():
            response.set_signed_cookie(
                STICKY_COOKIE,
                "1",
                salt=_STICKY_SALT,
                max_age=settings.DATABASE_REPLICA_STICKY_SECONDS,
                httponly=True,
                secure=settings.SESSION_COOKIE_SECURE,
                samesite="Lax",
            )
        return response
