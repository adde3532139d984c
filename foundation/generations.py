"""Cached fragments that a write invalidates: generation counters in the shared cache.

A page part that costs more than its queries (the quartier home's panels, a place's week of
bookings, a calendar feed) is cached under a key that holds the *generation* of each scope it
reads ("quartier:12", "place:3", "calendar"). A write to that scope bumps its generation once
the transaction commits, so the next reader misses and rebuilds; nothing is ever deleted or
expired by hand, and a stale entry is simply never asked for again.

- Bumped at once and again when the transaction commits: a reader between the write and the
  commit may cache the old rows under the first new generation, and the second one retires it.
- A missing counter (first use, evicted, Redis restarted) starts at a random value, so it never
  meets an entry written under an earlier life of the same counter.
- Entries also expire after `GENERATION_CACHE_SECONDS`, a bound on what a write made outside
  the ORM's signals (a raw `UPDATE`) can leave visible.
- Built from the primary, never from a read replica, whose rows may lag behind the write that
  bumped the generation.
- Only with a cache the web nodes share: a per-process memory cache behind several processes
  would let one process serve what another has invalidated. Tests and the development server
  (one process) use it too, so what they prove is what production runs.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Model

from foundation.replica import primary_reads

PREFIX = "gen:"


def enabled() -> bool:
    backend = str(settings.CACHES["default"]["BACKEND"])
    shared = not backend.endswith(("LocMemCache", "DummyCache"))
    return shared or settings.DEBUG or getattr(settings, "TESTING", False)


def _keys(scopes: Iterable[str]) -> list[str]:
    return [PREFIX + scope for scope in scopes]


def current(scopes: Iterable[str]) -> str:
    """The generations of these scopes, as one short string for a cache key."""
    keys = _keys(sorted(set(scopes)))
    found = cache.get_many(keys)
    missing = {key: secrets.randbelow(2**62) for key in keys if key not in found}
    if missing:
        cache.set_many(missing, timeout=None)
        found.update(missing)
    return hashlib.sha1(  # noqa: S324 - a cache key, not a secret
        "|".join(f"{key}={found[key]}" for key in keys).encode()
    ).hexdigest()[:16]


def bump(*scopes: str) -> None:
    """Invalidate everything cached under these scopes: now, and once more at commit."""

    def _bump() -> None:
        for key in _keys(scopes):
            try:
                cache.incr(key)
            except ValueError:  # not there: whoever reads next starts a new random value
                pass

    _bump()
    transaction.on_commit(_bump)


def cached[T](name: str, scopes: Iterable[str], build: Callable[[], T]) -> T:
    """`build()`, or what it returned last time for this name under the same generations."""
    if not enabled():
        return build()
    scopes = list(scopes)
    key = f"frag:{name}:{current(scopes)}"
    value = cache.get(key)
    if value is None:
        # From the primary: a replica's rows may lag behind the write that bumped the
        # generation, and would then stay cached under it.
        with primary_reads():
            value = build()
        cache.set(key, value, timeout=settings.GENERATION_CACHE_SECONDS)
    return value


def bump_on_change[M: Model](model: type[M], scopes_of: Callable[[M], Iterable[str]]) -> None:
    """Bump the scopes an instance of `model` belongs to whenever one is saved or deleted
    (connected once, in the owning app's `ready()`)."""
    from django.db.models.signals import post_delete, post_save

    def receiver(sender, instance, **kwargs) -> None:
        if kwargs.get("raw"):  # fixtures being loaded
            return
        scopes = [scope for scope in scopes_of(instance) if scope]
        if scopes:
            bump(*scopes)

    uid = f"generations:{model._meta.label}"
    post_save.connect(receiver, sender=model, weak=False, dispatch_uid=uid + ":save")
    post_delete.connect(receiver, sender=model, weak=False, dispatch_uid=uid + ":delete")
