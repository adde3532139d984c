"""Generated versions: one job at a time per diagnostic, idempotent, stored with what they came from."""

import pytest
from django.urls import reverse

from diagnostics import services
from diagnostics.models import DiagnosticDocument
from foundation import jobs

pytestmark = pytest.mark.django_db


def test_one_job_at_a_time_per_diagnostic(ouest_draft, personas):
    first = services.document_request(diagnostic=ouest_draft, by=personas["chef"])
    second = services.document_request(diagnostic=ouest_draft, by=personas["chef"])
    assert first.pk == second.pk
    assert DiagnosticDocument.objects.count() == 1
    assert first.status == "pending"
    assert first.requested_by == personas["chef"]


def test_the_same_data_gives_back_the_same_document(
    ouest_draft, personas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.document_request(diagnostic=ouest_draft, by=personas["chef"])
    first.refresh_from_db()
    assert first.status == "ready"
    again = services.document_request(diagnostic=ouest_draft, by=personas["chef"])
    assert again.pk == first.pk
    # Changed data makes a new document; the old one stays.
    services.section_update(
        section=ouest_draft.sections.get(kind="synthese"), body="Nouveau", by=personas["chef"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        changed = services.document_request(diagnostic=ouest_draft, by=personas["chef"])
    changed.refresh_from_db()
    assert changed.pk != first.pk
    assert changed.data_checksum != first.data_checksum
    assert changed.status == "ready" and changed.checksum


def test_a_redelivered_task_renders_nothing_twice(
    ouest_draft, personas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.document_request(diagnostic=ouest_draft, by=personas["chef"])
    job.refresh_from_db()
    checksum, finished = job.checksum, job.finished_at
    assert services.document_render(job.pk) is None
    job.refresh_from_db()
    assert (job.checksum, job.finished_at) == (checksum, finished)


def test_a_failed_job_can_be_retried_by_the_chef(as_role, ouest_draft, personas):
    job = services.document_request(diagnostic=ouest_draft, by=personas["chef"])
    DiagnosticDocument.objects.filter(pk=job.pk).update(status="failed", error="boom")
    response = as_role("agent").post(reverse("diagnostics:document_retry", args=[job.pk]))
    assert response.status_code == 404
    response = as_role("chef").post(reverse("diagnostics:document_retry", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == "pending"


def test_the_status_partial_polls_until_ready(as_role, ouest_draft, personas):
    job = services.document_request(diagnostic=ouest_draft, by=personas["chef"])
    response = as_role("chef").get(reverse("diagnostics:document_status", args=[job.pk]))
    assert b"hx-get" in response.content
    assert jobs.claim(DiagnosticDocument, job.pk)
    response = as_role("chef").get(reverse("diagnostics:document_status", args=[job.pk]))
    assert "En cours" in response.content.decode()


def test_publication_renders_the_version_and_the_page_offers_it(
    as_role, make_diagnostic, ouest, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        diagnostic = make_diagnostic(ouest, status="published")
    document = DiagnosticDocument.objects.get(version__diagnostic=diagnostic)
    assert document.status == "ready"
    response = as_role("elu").get(reverse("diagnostics:version_pdf", args=[diagnostic.pk, 1]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert 'filename="diagnostic-ouest-2025-v1.pdf"' in response["Content-Disposition"]


def test_a_proof_running_at_publication_does_not_starve_the_version(
    make_diagnostic, ouest, personas, django_capture_on_commit_callbacks
):
    diagnostic = make_diagnostic(ouest, status="validated")
    proof = services.document_request(diagnostic=diagnostic, by=personas["chef"])
    jobs.claim(DiagnosticDocument, proof.pk)  # a worker is rendering the proof
    services.diagnostic_transition(diagnostic=diagnostic, action="publish", by=personas["chef"])
    assert not DiagnosticDocument.objects.filter(version__isnull=False).exists()
    DiagnosticDocument.objects.filter(pk=proof.pk).update(status="pending")  # let it run now
    with django_capture_on_commit_callbacks(execute=True):
        services.document_render(proof.pk)
    version_document = DiagnosticDocument.objects.get(version__isnull=False)
    assert version_document.version.number == 1


def test_the_pdf_button_answers_htmx_with_the_job_state(as_role, ouest_draft):
    response = as_role("chef").post(
        reverse("diagnostics:document_request", args=[ouest_draft.pk]),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "Épreuve de travail" in content and 'role="status"' in content
    assert "<html" not in content
