"""Health endpoint for the load balancer: database, cache and broker.

Served by a middleware placed first, so that it answers before host validation and the
HTTPS redirect: a load balancer probes the container by its internal address, over HTTP.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse

HEALTH_PATH = "/sante/"


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _check_cache() -> str:
    cache.set("health-probe", "ok", 5)
    return "ok" if cache.get("health-probe") == "ok" else "error: no round trip"


def _check_broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER or not settings.CELERY_BROKER_URL:
        return "ok (en processus)"
    from arras_quartiers.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "ok"


CHECKS = {"database": _check_database, "cache": _check_cache, "broker": _check_broker}


def health_report() -> tuple[bool, dict[str, str]]:
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception as exc:  # noqa: BLE001 - every failure is reported, none raised
            results[name] = f"error: {type(exc).__name__}"
    return all(value.startswith("ok") for value in results.values()), results


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == HEALTH_PATH and request.method in ("GET", "HEAD"):
            healthy, results = health_report()
            response = JsonResponse(
                {"status": "ok" if healthy else "error", **results}, status=200 if healthy else 503
            )
            response["Cache-Control"] = "no-store"
            return response
        return self.get_response(request)
