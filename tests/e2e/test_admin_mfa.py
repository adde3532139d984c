"""An administrator turns on two-factor authentication before reaching the administration."""

from __future__ import annotations

import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from arras_quartiers import audit
from arras_quartiers.models import AuditEvent
from tests.e2e.browser import check_accessibility, login, step, visit
from tests.teams.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def code_for(secret: str, shift: int = 0) -> str:
    """The TOTP code, never in the last 3 s of its 30 s period (no tolerance: it would expire)."""
    while 30 - time.time() % 30 < 3:
        time.sleep(0.5)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + shift))


def test_administrator_activates_totp_then_signs_in_with_it(page, personas):
    admin = personas["admin"]
    login(page, admin)
    step(page, "open the administration without MFA")
    page.goto("/admin/")
    assert "/2fa/" in page.url or "reauthenticate" in page.url, page.url
    check_accessibility(page)
    if "reauthenticate" in page.url:
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Confirmer").click()
        page.wait_for_load_state()
    assert "/2fa/totp/activate/" in page.url, page.url
    check_accessibility(page)
    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label("Code de l'authentificateur").fill(code_for(secret))
    page.get_by_role("button", name="Activer").click()
    page.wait_for_load_state()
    check_accessibility(page)
    step(page, "recovery codes")
    visit(page, "/comptes/2fa/recovery-codes/")
    visit(page, "/comptes/2fa/")
    visit(page, "/admin/")
    visit(page, "/admin/arras_quartiers/auditevent/")
    assert page.get_by_text("UTC").first.is_visible()

    step(page, "sign in again: the code is asked")
    page.goto("/")
    page.get_by_role("button", name=admin.get_full_name()).click()
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_load_state()
    login_page_then_code = page
    login_page_then_code.goto("/admin/")
    assert "/comptes/login/" in page.url
    page.get_by_label("Courriel").fill(admin.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()
    assert "/2fa/authenticate/" in page.url, page.url
    check_accessibility(page)
    page.get_by_label("Code").fill(code_for(secret, shift=2))
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_load_state()
    # A code of another period is refused; the current one lets the administrator in.
    assert "/2fa/authenticate/" in page.url
    check_accessibility(page)
    page.get_by_label("Code").fill(code_for(secret))
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_load_state()
    assert page.url.endswith("/admin/"), page.url
    assert AuditEvent.objects.filter(event=audit.MFA_ADDED, actor=admin).exists()
    assert AuditEvent.objects.filter(event=audit.MFA_FAILED).exists()
