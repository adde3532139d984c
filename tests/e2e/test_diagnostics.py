"""The annual diagnostic in a real browser: written, validated and published by the chef de
projet, then read and downloaded as a PDF by the élue of the quartier."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import NoReverseMatch, reverse

from tests.e2e.browser import check_accessibility, login, step, submit, visit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _diagnostics_app():
    try:
        reverse("diagnostics:version", kwargs={"pk": 1, "number": 1})
    except NoReverseMatch:
        pytest.skip("diagnostics app not there yet")


def test_chef_publishes_the_diagnostic_and_the_elue_opens_it(new_page, personas, ouest):
    from diagnostics.models import Diagnostic, DiagnosticDocument

    chef = new_page()
    login(chef, personas["chef"])
    visit(chef, reverse("diagnostics:index"))
    step(chef, "create the draft")
    chef.get_by_label("Quartier").select_option(label="Ouest")
    submit(chef, chef.get_by_role("button", name="Créer le brouillon").click)
    check_accessibility(chef)
    diagnostic = Diagnostic.objects.get(quartier=ouest)
    for label in ("Envoyer en relecture à l'équipe", "Valider le diagnostic"):
        step(chef, label)
        submit(chef, chef.get_by_role("button", name=label).click)
        check_accessibility(chef)
    mail.outbox.clear()
    step(chef, "publish")
    submit(chef, chef.get_by_role("button", name="Publier", exact=True).click)
    check_accessibility(chef)
    diagnostic.refresh_from_db()
    assert diagnostic.status == Diagnostic.Status.PUBLISHED
    document = DiagnosticDocument.objects.get(diagnostic=diagnostic, version__isnull=False)
    assert document.status == DiagnosticDocument.Status.READY, document.error
    notified = {address for message in mail.outbox for address in message.to}
    assert personas["elu"].email in notified

    elue = new_page()
    login(elue, personas["elu"])
    visit(elue, reverse("diagnostics:index"))
    step(elue, "open the published version")
    version_url = reverse("diagnostics:version", args=[diagnostic.pk, 1])
    elue.locator(f"a[href='{version_url}']").first.click()
    elue.wait_for_load_state()
    assert elue.url.endswith(version_url)
    check_accessibility(elue)
    pdf_url = reverse("diagnostics:version_pdf", args=[diagnostic.pk, 1])
    assert elue.locator(f"a[href='{pdf_url}']").count() >= 1
    response = elue.request.get(pdf_url)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body()[:5] == b"%PDF-"
    # The working copy stays the team's: the élue reads the published version only.
    visit(elue, reverse("diagnostics:detail", args=[diagnostic.pk]), expect_status=404)
