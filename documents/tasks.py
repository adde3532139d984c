"""Celery tasks of `documents`: ids in, a service call inside. Retried only on transient errors."""

from __future__ import annotations

from celery import shared_task
from django.apps import apps
from django.db import OperationalError

from documents import services


@shared_task(
    name="documents.tasks.extract_text",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
    ignore_result=True,
    time_limit=180,
    soft_time_limit=150,
)
def extract_text(version_id: int) -> bool:
    """The text of a new version, into its document's search vector (failures marked, not retried)."""
    return services.version_extract_text(version_id=version_id)


@shared_task(
    name="documents.tasks.file_meeting_pdf",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
    ignore_result=True,
)
def file_meeting_pdf(model_label: str, job_id: int) -> bool:
    """A meeting's agenda or minutes PDF, ready: filed in the meeting's folder."""
    model = apps.get_model(model_label)
    job = model.objects.select_related("meeting", "requested_by").filter(pk=job_id).first()
    return job is not None and services.file_meeting_pdf(job) is not None


@shared_task(
    name="documents.tasks.erase_expired",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    ignore_result=True,
)
def erase_expired() -> int:
    """Beat (daily): erase the documents in the bin for more than 30 days, files included."""
    return services.erase_expired()
