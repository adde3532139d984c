"""A per-person rate limit on the cache (Redis in production, shared by every web node).

A fixed window: each person has a counter per `period` seconds; past `limit`, the view answers
429 with a French message and a `Retry-After`. A cache that is down lets requests through (the
limit protects the service, it must not take it down). Limits can be tuned per name with the
setting `OBSERVATIONS_RATE_LIMITS = {"check": (30, 60), ...}` (requests, seconds).
"""

from __future__ import annotations

import functools
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


def hit(name: str, subject_id: int, limit: int, period: int) -> int | None:
    """Count one request of `subject_id` (a person, an API key) under `name`.

    The seconds to wait when over the limit, else None. Views of signed-in people use
    `rate_limit` below; callers that identify their client otherwise (Open311's API keys) call this.
    """
    now = time.time()
    window = int(now // period)
    key = f"observations:ratelimit:{name}:{subject_id}:{window}"
    try:
        if cache.add(key, 1, timeout=period + 1):
            count = 1
        else:
            count = cache.incr(key)
    except ValueError:  # the key expired between add and incr
        cache.set(key, 1, timeout=period + 1)
        count = 1
    except Exception:  # noqa: BLE001 - a cache outage must not block the field
        logger.warning("Rate limit cache unavailable; request let through")
        return None
    if count <= limit:
        return None
    return max(1, int((window + 1) * period - now) + 1)


def rate_limit(name: str, *, limit: int, period: int = 60):
    """At most `limit` requests per `period` seconds per signed-in person for the decorated view."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                allowed, seconds = getattr(settings, "OBSERVATIONS_RATE_LIMITS", {}).get(
                    name, (limit, period)
                )
                wait = hit(name, user.pk, allowed, seconds)
                if wait is not None:
                    response = HttpResponse(
                        _(
                            "Trop de demandes en peu de temps. Patientez %(seconds)s secondes "
                            "avant de réessayer."
                        )
                        % {"seconds": wait},
                        status=429,
                        content_type="text/plain; charset=utf-8",
                    )
                    response["Retry-After"] = str(wait)
                    return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
