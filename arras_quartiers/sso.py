"""Single sign-on through the city's OpenID Connect provider (django-allauth's openid_connect).

- Configured from the environment only (settings: OIDC_*); without OIDC_ISSUER_URL nothing
  changes: no button, passwords as before.
- Matching: a person coming back from the provider is matched to an existing, active agent by
  the address the provider vouches for (`email_verified` true), case-insensitively. Nobody is
  ever created: an unknown or unverified person gets the "not attached" page and an entry in
  the administration (`PendingSignIn`), with no account and no rights. The administrators
  (active superusers) are emailed once per entry; the entry goes when the person, attached
  since, signs in. A deactivated agent (gone, e.g. by the HR import) is told its account is
  inactive, and makes no entry.
- Roles: OIDC_ROLES_CLAIM / OIDC_ROLES_MAP set the two global flags that map cleanly
  (comité de direction, maire) at each sign-in; memberships of quartiers stay managed in the
  app (a group name in the directory does not say which quartier nor from when).
- Two-factor authentication: a provider sign-in does not replace the app's TOTP. allauth runs
  its MFA stage after a social login as after a password, and arras_quartiers.security still
  sends staff without an authenticator app to activate one.
- Local passwords: LOCAL_PASSWORDS=off keeps them for the BREAK_GLASS_ACCOUNTS only: the form
  is hidden from the login page and refused by the server for anybody else.
- Logout also ends the provider's session (RP-initiated logout) when the provider announces
  an `end_session_endpoint`: id_token_hint, post_logout_redirect_uri and client_id.
"""

from __future__ import annotations

from typing import Any

from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.mail import EmailMessage
from django.db.models import F
from django.http import Http404, HttpRequest
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from arras_quartiers import audit
from arras_quartiers.models import PendingSignIn
from foundation import mail, outbox
from teams.adapters import AccountAdapter as TeamsAccountAdapter
from teams.models import Agent

PROVIDER_ID = "ville"
ID_TOKEN_KEY = "aq_oidc_id_token"  # noqa: S105 - a session key
END_SESSION_KEY = "aq_oidc_end_session"
PENDING_TASK = "arras_quartiers.tasks.notify_pending_sign_in"
#: The agent flags a roles claim may set (OIDC_ROLES_MAP "value:flag").
ROLE_FLAGS = {"comite_direction": "is_comite_direction", "maire": "is_maire"}


def enabled() -> bool:
    return bool(settings.OIDC_ISSUER_URL)


def password_allowed(email: str | None) -> bool:
    """Whether this address may sign in with a local password."""
    if settings.LOCAL_PASSWORDS:
        return True
    return (email or "").strip().lower() in settings.BREAK_GLASS_ACCOUNTS


def roles_map() -> dict[str, str]:
    """OIDC_ROLES_MAP as {claim value: agent field}; unknown flags are ignored."""
    mapping = {}
    for pair in settings.OIDC_ROLES_MAP:
        value, _sep, flag = pair.rpartition(":")
        if value and flag in ROLE_FLAGS:
            mapping[value] = ROLE_FLAGS[flag]
    return mapping


def _claims(sociallogin) -> dict[str, Any]:
    data = sociallogin.account.extra_data or {}
    merged = dict(data.get("id_token") or {})
    merged.update(data.get("userinfo") or {})
    return merged


def _verified(claims: dict[str, Any]) -> bool:
    value = claims.get("email_verified")
    return value is True or str(value).lower() == "true"


def apply_roles(agent: Agent, claims: dict[str, Any]) -> list[str]:
    """Set the mapped flags from the roles claim; returns the fields changed."""
    if not settings.OIDC_ROLES_CLAIM or not settings.OIDC_ROLES_MAP:
        return []
    values = claims.get(settings.OIDC_ROLES_CLAIM) or []
    if isinstance(values, str):
        values = values.split()
    mapping = roles_map()
    wanted = {field: False for field in mapping.values()}
    for value in values:
        if value in mapping:
            wanted[mapping[value]] = True
    changed = [field for field, on in wanted.items() if getattr(agent, field) != on]
    for field in changed:
        setattr(agent, field, wanted[field])
    if changed:
        agent.save(update_fields=changed)
        audit.record(
            audit.RIGHTS_CHANGED,
            target=agent,
            source="oidc",
            **{field: wanted[field] for field in changed},
        )
    return changed


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Matches the provider's person to an existing agent, never creates one."""

    def is_open_for_signup(self, request, sociallogin) -> bool:
        return False

    def is_auto_signup_allowed(self, request, sociallogin) -> bool:
        return False

    def pre_social_login(self, request, sociallogin) -> None:
        if sociallogin.state.get("process", "login") != "login":
            # No self-service "connect another account": an identity is attached by matching.
            raise ImmediateHttpResponse(redirect("account_login"))
        claims = _claims(sociallogin)
        if sociallogin.is_existing:
            agent = sociallogin.user
        else:
            email = (claims.get("email") or "").strip()
            agent = None
            if email and _verified(claims):
                agent = Agent.objects.filter(email__iexact=email, is_active=True).first()
                if agent is None and Agent.objects.filter(email__iexact=email).exists():
                    # A departed agent (deactivated): nobody for the administrators to attach.
                    audit.record(
                        audit.SSO_NOT_ATTACHED, request=request, email=email.lower(), inactive=True
                    )
                    raise ImmediateHttpResponse(redirect("account_inactive"))
            if agent is None:
                self._refuse(request, claims)
            sociallogin.connect(request, agent)
        if agent.is_active:
            apply_roles(agent, claims)
            # Attached since a refusal: the administrators' entry for this person is dealt with.
            subject = str(claims.get("sub", ""))[:255]
            if subject:
                PendingSignIn.objects.filter(subject=subject).delete()

    def send_notification_mail(self, *args, **kwargs) -> None:
        """No "a third-party account was connected" mail: matching is the normal path."""

    def _refuse(self, request, claims: dict[str, Any]) -> None:
        email = (claims.get("email") or "").strip().lower()
        name = (
            claims.get("name")
            or " ".join(filter(None, [claims.get("given_name"), claims.get("family_name")]))
        )[:200]
        subject = str(claims.get("sub", ""))[:255]
        verified = _verified(claims)
        updated = PendingSignIn.objects.filter(subject=subject, email=email).update(
            name=name,
            email_verified=verified,
            last_seen_at=timezone.now(),
            attempts=F("attempts") + 1,
        )
        if not updated:
            pending = PendingSignIn.objects.create(
                subject=subject, email=email, name=name, email_verified=verified
            )
            administrators = _administrators()
            mail.plan(
                pending_letter(pending.pk),
                (agent.email for agent in administrators),
                PENDING_TASK,
                pending.pk,
            )
            outbox.enqueue(PENDING_TASK, pending.pk)
        audit.record(audit.SSO_NOT_ATTACHED, request=request, email=email, verified=verified)
        request.session.pop(ID_TOKEN_KEY, None)
        raise ImmediateHttpResponse(redirect("sso_not_attached"))


def _administrators() -> list[Agent]:
    """Who attaches people to agents: the active superusers."""
    return list(Agent.objects.filter(is_active=True, is_superuser=True).order_by("pk"))


def pending_letter(pending_pk: int) -> str:
    return f"sso.pending:{pending_pk}"


def pending_sign_in_notify(pending_pk: int) -> int:
    """Email the administrators that someone waits to be attached (once per entry: each
    address is claimed, sent and confirmed by `foundation.mail`)."""
    pending = PendingSignIn.objects.filter(pk=pending_pk).first()
    letter = pending_letter(pending_pk)
    if pending is None:  # dealt with before the letter left
        mail.drop(mail.rows_of(letter))
        return 0
    administrators = {agent.email.strip().lower(): agent for agent in _administrators()}
    url = settings.SITE_URL + reverse("admin:arras_quartiers_pendingsignin_changelist")
    subject = _("[Équipes de quartier] Connexion en attente de rattachement : %(email)s") % {
        "email": pending.email or pending.subject
    }

    def compose(email: str) -> EmailMessage | None:
        agent = administrators.get(email)
        if agent is None:  # no longer an administrator
            return None
        body = render_to_string(
            "sso/email/pending.txt", {"agent": agent, "pending": pending, "url": url}
        )
        return EmailMessage(subject, body, to=[agent.email])

    return mail.send(letter, compose)


class AccountAdapter(TeamsAccountAdapter):
    """The project's allauth adapter, plus the provider's logout."""

    def get_logout_redirect_url(self, request: HttpRequest) -> str:
        local = super().get_logout_redirect_url(request)
        end_session = request.session.get(END_SESSION_KEY)
        id_token = request.session.get(ID_TOKEN_KEY)
        if not (enabled() and end_session and id_token):
            return local
        params = {
            "id_token_hint": id_token,
            "post_logout_redirect_uri": request.build_absolute_uri(reverse("account_login")),
            "client_id": settings.OIDC_CLIENT_ID,
        }
        return f"{end_session}?{urlencode(params)}"


class LoginForm(AllauthLoginForm):
    """Refuses local passwords when they are switched off (LOCAL_PASSWORDS=off)."""

    def clean(self):
        email = self.cleaned_data.get("login")
        if not password_allowed(email):
            raise forms.ValidationError(
                _(
                    "La connexion par mot de passe est désactivée : utilisez le bouton « %(label)s »."
                )
                % {"label": settings.OIDC_BUTTON_LABEL}
            )
        return super().clean()


class _CallbackAdapter(OpenIDConnectOAuth2Adapter):
    """Keeps the ID token (for the provider's logout) and its logout endpoint in the session."""

    def complete_login(self, request, app, token, **kwargs):
        login = super().complete_login(request, app, token, **kwargs)
        id_token = kwargs["response"].get("id_token")
        if id_token:
            request.session[ID_TOKEN_KEY] = id_token
            end_session = self.openid_config.get("end_session_endpoint")
            if end_session:
                request.session[END_SESSION_KEY] = end_session
        return login


@login_not_required
def oidc_callback(request: HttpRequest, provider_id: str):
    """allauth's openid_connect callback, with the adapter above."""
    from allauth.socialaccount.models import SocialApp

    try:
        view = OAuth2CallbackView.adapter_view(_CallbackAdapter(request, provider_id))
        return view(request)
    except SocialApp.DoesNotExist:
        raise Http404 from None


@login_not_required
def not_attached(request: HttpRequest):
    return render(request, "sso/not_attached.html")
