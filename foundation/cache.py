"""A Redis cache that degrades instead of failing when Redis is down or frozen.

The cache holds nothing the project cannot do without: rate-limit counters (allauth's and
`observations.ratelimit`) and short-lived values. With Django's own Redis backend, a Redis that
is down makes every cache call raise, and nobody can sign in (allauth counts failed logins in
the cache). This backend answers as an empty cache instead — a read misses, a write is dropped,
an `add` succeeds — and logs a warning: while Redis is away, rate limits are not counted (they
fail open) rather than locking everyone out. Socket timeouts (settings) bound a frozen Redis.
The health endpoint still reports the cache as failing: its round trip never comes back.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


class ResilientRedisCache(RedisCache):
    def _unavailable(self, operation: str, error: Exception) -> None:
        logger.warning("Cache unavailable (%s): %s", operation, error)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        try:
            return super().add(key, value, timeout, version)
        except RedisError as error:
            self._unavailable("add", error)
            return True

    def get(self, key, default=None, version=None) -> Any:
        try:
            return super().get(key, default, version)
        except RedisError as error:
            self._unavailable("get", error)
            return default

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> None:
        try:
            super().set(key, value, timeout, version)
        except RedisError as error:
            self._unavailable("set", error)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        try:
            return super().touch(key, timeout, version)
        except RedisError as error:
            self._unavailable("touch", error)
            return False

    def delete(self, key, version=None) -> bool:
        try:
            return super().delete(key, version)
        except RedisError as error:
            self._unavailable("delete", error)
            return False

    def get_many(self, keys, version=None) -> dict[str, Any]:
        try:
            return super().get_many(keys, version)
        except RedisError as error:
            self._unavailable("get_many", error)
            return {}

    def has_key(self, key, version=None) -> bool:
        try:
            return super().has_key(key, version)
        except RedisError as error:
            self._unavailable("has_key", error)
            return False

    def incr(self, key, delta=1, version=None) -> int:
        try:
            return super().incr(key, delta, version)
        except RedisError as error:
            self._unavailable("incr", error)
            return delta

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None) -> list:
        try:
            return super().set_many(data, timeout, version)
        except RedisError as error:
            self._unavailable("set_many", error)
            return []

    def delete_many(self, keys, version=None) -> None:
        try:
            super().delete_many(keys, version)
        except RedisError as error:
            self._unavailable("delete_many", error)
