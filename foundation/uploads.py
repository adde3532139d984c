"""A bound on what a request may send, checked before a byte of its body is read.

Photos are checked one by one (10 MB each, `foundation.images`), but only once Django has
received the whole request: without a bound, a client could make the server read any amount
first. `RequestSizeLimitMiddleware` answers 413 to a request that announces more than
`MAX_REQUEST_BYTES` (five photos and the form around them by default), before the session,
CSRF or form code reads it. The reverse proxy should refuse the same size earlier still
(`client_max_body_size` in nginx, `LimitRequestBody` in Apache: see the README).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string


class RequestSizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            announced = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            announced = 0
        if announced > settings.MAX_REQUEST_BYTES:
            limit_mb = settings.MAX_REQUEST_BYTES // (1024 * 1024)
            body = render_to_string("413.html", {"limit_mb": limit_mb}, request=request)
            # No "Connection: close" here: a hop-by-hop header is the server's, not the app's
            # (PEP 3333; Django's runserver answers 500 to it). The WSGI server closes the
            # connection itself when the body is left unread.
            return HttpResponse(body, status=413)
        return self.get_response(request)
