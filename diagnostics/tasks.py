"""Celery tasks of `diagnostics`: ids in, a service call inside."""

from celery import shared_task
from django.db import OperationalError

from diagnostics import services


@shared_task(
    bind=True,
    name="diagnostics.tasks.render_diagnostic_document",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
    ignore_result=True,
)
def render_diagnostic_document(self, job_pk: int) -> None:
    services.document_render(job_pk)


@shared_task(
    bind=True,
    name="diagnostics.tasks.notify_publication",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
    ignore_result=True,
)
def notify_publication(self, version_pk: int) -> None:
    services.publication_notify(version_pk)


@shared_task(
    bind=True,
    name="diagnostics.tasks.notify_review",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
    ignore_result=True,
)
def notify_review(self, diagnostic_pk: int) -> None:
    services.review_notify(diagnostic_pk)
