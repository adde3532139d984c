"""Session and administration safeguards, in one middleware placed after authentication.

- Absolute session lifetime: a session is ended `SESSION_ABSOLUTE_AGE` seconds after the
  login, however active it is (the idle timeout, SESSION_COOKIE_AGE, is renewed at each
  request and would otherwise let a session live for ever).
- Administrators must use two-factor authentication: a staff member without an
  authenticator app (TOTP) is sent to its activation page before reaching /admin/.
- Security journal: explicit refusals (403) and rate limits reached (429) are recorded, and
  the request being served is made available to `arras_quartiers.audit.record`.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from arras_quartiers import audit

LOGIN_TIME_KEY = "aq_login_at"


def _absolute_age() -> int:
    return getattr(settings, "SESSION_ABSOLUTE_AGE", 12 * 3600)


@receiver(user_logged_in, dispatch_uid="security_login_time")
def _remember_login_time(sender, request, user, **kwargs):
    if hasattr(request, "session"):
        request.session[LOGIN_TIME_KEY] = int(time.time())


def admin_requires_mfa(user) -> bool:
    """True when this staff member has no authenticator app yet."""
    from allauth.mfa.models import Authenticator

    return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class SecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = audit.current_request.set(request)
        try:
            response = self._check(request) or self.get_response(request)
            match = getattr(request, "resolver_match", None)
            if match and match.view_name in audit.EXPORT_VIEWS and response.status_code == 200:
                audit.record(audit.EXPORT, request=request, view=match.view_name, **match.kwargs)
            elif response.status_code == 403:
                audit.record(audit.PERMISSION_DENIED, request=request, method=request.method)
            elif response.status_code == 429:
                audit.record(audit.RATE_LIMITED, request=request, method=request.method)
            return response
        finally:
            audit.current_request.reset(token)

    def _check(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        now = int(time.time())
        started = request.session.get(LOGIN_TIME_KEY)
        if started is None:
            request.session[LOGIN_TIME_KEY] = now  # a session opened before this safeguard
        elif now - int(started) > _absolute_age():
            audit.record(audit.SESSION_EXPIRED, user=user, request=request, login_at=started)
            logout(request)
            messages.info(request, _("Votre session a expiré : reconnectez-vous."))
            query = urlencode({"next": request.get_full_path()})
            login_url = f"{reverse(settings.LOGIN_URL)}?{query}"
            if request.headers.get("HX-Request"):  # a fragment would land inside the page
                response = HttpResponse(status=204)
                response["HX-Redirect"] = login_url
                return response
            return redirect(login_url)
        if (
            user.is_staff
            and request.path.startswith(reverse("admin:index"))
            and admin_requires_mfa(user)
        ):
            audit.record(audit.MFA_REQUIRED, user=user, request=request)
            messages.warning(
                request,
                _(
                    "L'administration exige la double authentification : activez une "
                    "application d'authentification pour continuer."
                ),
            )
            return redirect("mfa_activate_totp")
        return None
