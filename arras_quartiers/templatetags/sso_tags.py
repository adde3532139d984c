"""The login page's single sign-on button, read from the settings (no database query)."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.urls import reverse

from arras_quartiers import sso

register = template.Library()


@register.inclusion_tag("sso/login_button.html", takes_context=True)
def sso_login(context) -> dict:
    request = context.get("request")
    return {
        "enabled": sso.enabled(),
        "label": settings.OIDC_BUTTON_LABEL,
        "action": reverse("openid_connect_login", kwargs={"provider_id": sso.PROVIDER_ID})
        if sso.enabled()
        else "",
        "next": request.GET.get("next", "") if request else "",
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag
def local_passwords_shown(request) -> bool:
    """The password form is shown unless passwords are off (then only on ?secours=1)."""
    return bool(settings.LOCAL_PASSWORDS or (request and request.GET.get("secours")))
