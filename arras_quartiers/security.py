"""Session and administration safeguards, in one middleware placed after authentication.

- Absolute session lifetime: a session is ended `SESSION_ABSOLUTE_AGE` seconds after the
  login, however active it is (the idle timeout, SESSION_COOKIE_AGE, is renewed at each
  request and would otherwise let a session live for ever).
- Two-factor authentication before any page with data: a person of a role that must use it
  (`MFA_REQUIRED_ROLES`: administrators by default; a city may add chefs de projet, the comité
  de direction...) and has no authenticator app (TOTP) reaches nothing but the account pages
  until one is activated.
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
from teams.access import roles_of

LOGIN_TIME_KEY = "aq_login_at"


def _absolute_age() -> int:
    return getattr(settings, "SESSION_ABSOLUTE_AGE", 12 * 3600)


@receiver(user_logged_in, dispatch_uid="security_login_time")
def _remember_login_time(sender, request, user, **kwargs):
    if hasattr(request, "session"):
        request.session[LOGIN_TIME_KEY] = int(time.time())
        request.session.pop(MFA_CHECKED_KEY, None)  # a new sign-in is checked anew


#: The roles that `MFA_REQUIRED_ROLES` may name, and how each is recognised.
MFA_ROLES = {
    "admin": lambda user, roles: user.is_staff or user.is_superuser,
    "chef": lambda user, roles: bool(roles.chef_of),
    "direction": lambda user, roles: roles.comite_direction,
    "maire": lambda user, roles: roles.maire,
    "responsable": lambda user, roles: bool(roles.manages_services),
    "elu": lambda user, roles: bool(roles.elu_of),
    "agent": lambda user, roles: True,
}
#: Set in the session once the person's second factor is known to be there: checked once.
MFA_CHECKED_KEY = "aq_mfa_checked"


def must_use_mfa(user) -> bool:
    """Whether this person's role requires two-factor authentication (MFA_REQUIRED_ROLES)."""
    required = settings.MFA_REQUIRED_ROLES
    if "admin" in required and (user.is_staff or user.is_superuser):
        return True
    if not set(required) - {"admin"}:
        return False  # no need to compute the roles
    roles = roles_of(user)
    return any(MFA_ROLES[name](user, roles) for name in required)


def lacks_mfa(user) -> bool:
    """True when this person has no authenticator app yet."""
    from allauth.mfa.models import Authenticator

    return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def _reachable_without_mfa(request) -> bool:
    """The account pages (activating the app, signing out), the accessibility statement and
    static files: nothing that shows the project's data."""
    path = request.path
    accounts = reverse("account_login").rsplit("/", 2)[0] + "/"
    return path.startswith((accounts, settings.STATIC_URL)) or path == reverse("accessibility")


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
        if request.session.get(MFA_CHECKED_KEY) == user.pk or _reachable_without_mfa(request):
            return None
        if must_use_mfa(user) and lacks_mfa(user):
            audit.record(audit.MFA_REQUIRED, user=user, request=request)
            messages.warning(
                request,
                _(
                    "Votre rôle exige la double authentification : activez une application "
                    "d'authentification pour continuer."
                ),
            )
            activate = reverse("mfa_activate_totp")
            if request.headers.get("HX-Request"):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = activate
                return response
            return redirect(activate)
        request.session[MFA_CHECKED_KEY] = user.pk
        return None
