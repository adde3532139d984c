"""Login protections: MFA for administrators, rate limits, session lifetimes, deactivation."""

from __future__ import annotations

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from arras_quartiers import audit
from arras_quartiers.models import AuditEvent
from arras_quartiers.security import LOGIN_TIME_KEY
from teams import services as teams_services
from tests.teams.factories import PASSWORD

LOGIN = "/comptes/login/"


def post_login(client, email, password=PASSWORD):
    return client.post(LOGIN, {"login": email, "password": password})


def current_code(secret: str) -> str:
    while 30 - time.time() % 30 < 3:  # never a code about to expire (no tolerance)
        time.sleep(0.5)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def activate_totp(user) -> str:
    from allauth.mfa.totp.internal.auth import generate_totp_secret

    secret = generate_totp_secret()
    Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).delete()
    TOTP.activate(user, secret)
    return secret


# Administration: through allauth, with MFA ----------------------------------------------------


@pytest.mark.django_db
def test_admin_login_form_is_allauths(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    # Django's own admin form is never served, so it cannot be used to bypass rate limits.
    response = client.post("/admin/login/", {"username": "x", "password": "y"})
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_staff_without_mfa_reaches_no_page_with_data_until_activation(client, personas):
    """An administrator whose authenticator was removed signs in with the password alone:
    nothing with data (home, confidential observations, CSV export, administration) opens
    until a second factor is activated."""
    admin = personas["admin"]
    Authenticator.objects.filter(user=admin).delete()
    post_login(client, admin.email)
    activation = reverse("mfa_activate_totp")
    for url in (
        "/admin/",
        reverse("home"),
        reverse("observations:index"),
        reverse("observations:export"),
    ):
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, activation), url
    htmx = client.get(reverse("observations:index"), headers={"HX-Request": "true"})
    assert htmx["HX-Redirect"] == activation
    assert client.get(reverse("accessibility")).status_code == 200  # no data there
    # Activating asks for the password again (allauth's reauthentication), then shows the key.
    response = client.get(activation)
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    response = client.post(response["Location"], {"password": PASSWORD})
    assert response.status_code == 302
    page = client.get(activation)
    assert page.status_code == 200
    secret = page.context["form"].secret
    response = client.post(activation, {"code": current_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=admin, type="totp").exists()
    assert client.get("/admin/").status_code == 200
    assert client.get(reverse("home")).status_code == 200


def test_a_new_sign_in_is_checked_again(client, personas):
    """The check is remembered for a session, never across sign-ins (even in the same session)."""
    admin = personas["admin"]
    client.force_login(admin)
    assert client.get(reverse("home")).status_code == 200
    Authenticator.objects.filter(user=admin).delete()
    client.force_login(admin)  # signing in again keeps the session, not the check
    assert client.get(reverse("home"))["Location"] == reverse("mfa_activate_totp")


def test_roles_that_must_use_mfa_are_configurable(as_role, personas, settings):
    settings.MFA_REQUIRED_ROLES = ["admin", "chef", "direction"]
    for role in ("chef", "direction"):
        response = as_role(role).get(reverse("home"))
        assert response["Location"] == reverse("mfa_activate_totp"), role
    for role in ("agent", "elu", "responsable"):
        assert as_role(role).get(reverse("home")).status_code == 200, role
    activate_totp(personas["chef"])
    assert as_role("chef").get(reverse("home")).status_code == 200


def test_unknown_mfa_role_is_refused_at_start_up():
    from tests.teams.test_foundation import run_settings

    result = run_settings(
        {"DEBUG": "1", "MFA_REQUIRED_ROLES": "admin,chefs"},
        "from django.conf import settings; print(settings.MFA_REQUIRED_ROLES)",
    )
    assert result.returncode != 0 and "chefs" in result.stderr
    result = run_settings(
        {"DEBUG": "1", "MFA_REQUIRED_ROLES": "admin, chef"},
        "from django.conf import settings; print(settings.MFA_REQUIRED_ROLES)",
    )
    assert result.stdout.strip() == "['admin', 'chef']"


def test_staff_with_totp_signs_in_with_a_code_and_reaches_the_admin(client, personas):
    admin = personas["admin"]
    secret = activate_totp(admin)
    response = post_login(client, admin.email)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get("/admin/").status_code == 302  # not signed in yet: code pending
    response = client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_mfa_is_available_to_every_agent(client, personas):
    post_login(client, personas["agent"].email)
    assert client.get(reverse("mfa_index")).status_code == 200
    assert client.get(reverse("mfa_activate_totp")).status_code == 302  # password again first
    # ...without being required of an agent (MFA_REQUIRED_ROLES: administrators by default).
    assert client.get(reverse("teams:annuaire")).status_code == 200


def test_a_signed_in_non_staff_agent_is_refused_the_admin_and_it_is_journaled(
    client, personas, django_capture_on_commit_callbacks
):
    post_login(client, personas["agent"].email)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get("/admin/login/")
    assert response.status_code == 403
    event = AuditEvent.objects.get(event=audit.PERMISSION_DENIED)
    assert event.actor == personas["agent"]
    assert event.path == "/admin/login/"


# Rate limits -----------------------------------------------------------------------------------


def test_failed_logins_are_rate_limited_and_journaled(
    client, personas, django_capture_on_commit_callbacks
):
    email = personas["agent"].email
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            response = post_login(client, email, "mauvais mot de passe")
            assert response.status_code == 200  # the form again, with its error
    failed = AuditEvent.objects.filter(event=audit.LOGIN_FAILED)
    assert failed.count() == 5
    assert {e.actor_label for e in failed} == {email}
    assert "mauvais" not in str(list(failed.values_list("details", flat=True)))
    # The account's limit holds: even the right password is refused for a while.
    response = post_login(client, email)
    assert "_auth_user_id" not in client.session
    assert "Trop de tentatives" in response.content.decode()


def test_failed_logins_elsewhere_never_lock_the_owner_out(
    client, personas, django_capture_on_commit_callbacks
):
    """Five wrong passwords from one client lock that client out of the account, not its owner
    signing in from another place."""
    email = personas["agent"].email
    attacker = {"REMOTE_ADDR": "203.0.113.7"}
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            client.post(LOGIN, {"login": email, "password": "mauvais mot de passe"}, **attacker)
        refused = client.post(LOGIN, {"login": email, "password": PASSWORD}, **attacker)
        assert "Trop de tentatives" in refused.content.decode()
        assert "_auth_user_id" not in client.session
        owner = client.post(
            LOGIN, {"login": email, "password": PASSWORD}, REMOTE_ADDR="198.51.100.2"
        )
    assert owner.status_code == 302
    assert client.session["_auth_user_id"] == str(personas["agent"].pk)


def test_logins_from_one_address_are_rate_limited(
    client, personas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [
            post_login(client, f"inconnu{i}@test.example", "x").status_code for i in range(31)
        ]
    assert statuses[-1] == 429
    assert AuditEvent.objects.filter(event=audit.RATE_LIMITED, path=LOGIN).exists()


def test_rate_limits_use_the_shared_cache_in_production():
    """Rate limits count in the cache: Redis when REDIS_URL is set (every web node shares it)."""
    from tests.teams.test_foundation import run_settings

    result = run_settings(
        {"DEBUG": "0", "SECRET_KEY": "x" * 60, "REDIS_URL": "redis://127.0.0.1:6379/9"},
        "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "foundation.cache.ResilientRedisCache"
    assert "login_failed" in settings.ACCOUNT_RATE_LIMITS


# Sessions ---------------------------------------------------------------------------------------


def test_session_idle_timeout_and_absolute_lifetime_are_set():
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert 0 < settings.SESSION_COOKIE_AGE <= 8 * 3600
    assert settings.SESSION_COOKIE_AGE <= settings.SESSION_ABSOLUTE_AGE <= 12 * 3600
    assert settings.SESSION_COOKIE_HTTPONLY


def test_a_session_ends_after_its_absolute_lifetime_however_active(
    client, personas, django_capture_on_commit_callbacks
):
    post_login(client, personas["agent"].email)
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    assert abs(session[LOGIN_TIME_KEY] - time.time()) < 60
    session[LOGIN_TIME_KEY] = int(time.time()) - settings.SESSION_ABSOLUTE_AGE + 30
    session.save()
    assert client.get(reverse("home")).status_code == 200  # 30 s left
    session = client.session
    session[LOGIN_TIME_KEY] = int(time.time()) - settings.SESSION_ABSOLUTE_AGE - 1
    session.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("teams:annuaire"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(event=audit.SESSION_EXPIRED, actor=personas["agent"]).exists()


def test_an_expired_session_sends_htmx_requests_to_the_login_page(client, personas):
    post_login(client, personas["agent"].email)
    session = client.session
    session[LOGIN_TIME_KEY] = int(time.time()) - settings.SESSION_ABSOLUTE_AGE - 1
    session.save()
    response = client.get(reverse("teams:annuaire"), headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(LOGIN)


def test_deactivating_an_account_ends_its_sessions(
    client, personas, django_capture_on_commit_callbacks
):
    agent = personas["agent"]
    post_login(client, agent.email)
    other = type(client)()
    post_login(other, personas["chef"].email)
    assert client.get(reverse("home")).status_code == 200
    assert Session.objects.count() == 2
    agent.is_active = False
    with django_capture_on_commit_callbacks(execute=True):
        teams_services.agent_update(agent=agent)
    assert Session.objects.count() == 1  # the chef's session is untouched
    assert client.get(reverse("home")).status_code == 302
    assert other.get(reverse("home")).status_code == 200
    assert AuditEvent.objects.filter(
        event=audit.ACCOUNT_DEACTIVATED, target_id=str(agent.pk)
    ).exists()


def sessions_of(agent) -> int:
    return sum(
        session.get_decoded().get("_auth_user_id") == str(agent.pk)
        for session in Session.objects.all()
    )


def _admin_change_data(response) -> dict:
    """What the admin's change form posts back as it stands (the account and its inlines)."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms.append(inline.formset.management_form)
        forms.extend(inline.formset.forms)
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if not value and value != 0:  # unchecked, empty, no file
                continue
            key = form.add_prefix(name)
            if isinstance(value, list | tuple):
                data[key] = [str(v) for v in value]
            else:
                data[key] = value
            if name in {"last_login", "date_joined"} and value:
                local = timezone.localtime(value)
                data[f"{key}_0"], data[f"{key}_1"] = f"{local:%Y-%m-%d}", f"{local:%H:%M:%S}"
    return data


def test_deactivating_an_account_in_the_admin_ends_its_sessions(client, personas):
    agent = personas["agent"]
    member = type(client)()
    post_login(member, agent.email)
    assert sessions_of(agent) == 1
    admin = personas["admin"]
    activate_totp(admin)
    client.force_login(admin)
    url = reverse("admin:teams_agent_change", args=[agent.pk])
    data = _admin_change_data(client.get(url))
    data.pop("is_active")
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    agent.refresh_from_db()
    assert not agent.is_active
    assert sessions_of(agent) == 0
    assert member.get(reverse("home")).status_code == 302  # signed out
    assert client.get(reverse("home")).status_code == 200  # the administrator's session stays


def test_editing_an_active_account_in_the_admin_keeps_its_sessions(client, personas):
    agent = personas["agent"]
    member = type(client)()
    post_login(member, agent.email)
    admin = personas["admin"]
    activate_totp(admin)
    client.force_login(admin)
    url = reverse("admin:teams_agent_change", args=[agent.pk])
    data = _admin_change_data(client.get(url))
    data["job_title"] = "Médiatrice"
    assert client.post(url, data).status_code == 302
    agent.refresh_from_db()
    assert agent.job_title == "Médiatrice" and agent.is_active
    assert sessions_of(agent) == 1
    assert member.get(reverse("home")).status_code == 200


def test_saving_an_active_account_keeps_its_sessions(client, personas):
    agent = personas["agent"]
    post_login(client, agent.email)
    agent.first_name = "Renommé"
    agent.save()
    assert client.get(reverse("home")).status_code == 200


def test_recovery_codes_let_an_administrator_in_once_each(client, personas):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    admin = personas["admin"]
    activate_totp(admin)
    codes = RecoveryCodes.activate(admin).generate_codes()
    assert len(codes) == settings.MFA_RECOVERY_CODE_COUNT
    post_login(client, admin.email)
    client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert client.get("/admin/").status_code == 200
    client.post(reverse("account_logout"))
    post_login(client, admin.email)
    client.post(reverse("mfa_authenticate"), {"code": codes[0]})  # already used
    assert client.get("/admin/").status_code == 302
    assert Authenticator.objects.filter(user=admin).count() == 2
