"""An administrator without a second factor turns one on before any page opens, then signs in
with it."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator

from arras_quartiers import audit
from arras_quartiers.models import AuditEvent
from tests.e2e.browser import check_accessibility, login, step, totp_code, visit
from tests.teams.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_administrator_activates_totp_then_signs_in_with_it(page, personas):
    admin = personas["admin"]
    Authenticator.objects.filter(user=admin).delete()  # removed, or never activated
    login(page, admin)
    step(page, "no page with data opens without MFA")
    assert "/2fa/" in page.url or "reauthenticate" in page.url, page.url
    page.goto("/observations/")
    assert "/2fa/" in page.url or "reauthenticate" in page.url, page.url
    check_accessibility(page)
    if "reauthenticate" in page.url:
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Confirmer").click()
        page.wait_for_load_state()
    assert "/2fa/totp/activate/" in page.url, page.url
    check_accessibility(page)
    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label("Code de l'authentificateur").fill(totp_code(secret))
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
    # The logout is sent once the phone's offline queue is cleared (static/observations/offline.js):
    # wait for its navigation, or the next one would abort it.
    with page.expect_navigation():
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
    page.get_by_label("Code").fill(totp_code(secret, shift=2))
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_load_state()
    # A code of another period is refused; the current one lets the administrator in.
    assert "/2fa/authenticate/" in page.url
    check_accessibility(page)
    page.get_by_label("Code").fill(totp_code(secret))
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_load_state()
    assert page.url.endswith("/admin/"), page.url
    assert AuditEvent.objects.filter(event=audit.MFA_ADDED, actor=admin).exists()
    assert AuditEvent.objects.filter(event=audit.MFA_FAILED).exists()
