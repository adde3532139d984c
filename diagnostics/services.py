"""Writes for `diagnostics`: each one atomic, checked by `diagnostics.permissions` before it is called.

Workflow of the working copy: brouillon → en relecture → validé → publié. Publishing freezes the
sections and the figures into a new `DiagnosticVersion` (never changed afterwards), asks for its
PDF and, once committed, emails the élus, the maire and the comité de direction. A correction
takes a published diagnostic back to brouillon; publishing it again makes version n + 1 and
keeps version n readable.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from diagnostics import indicators, selectors
from diagnostics.models import (
    Contribution,
    Diagnostic,
    DiagnosticDocument,
    DiagnosticVersion,
    Section,
)
from foundation import jobs, mail, outbox
from foundation.models import DocumentJob, MailDelivery
from teams.models import Agent, Membership, Quartier

S = Diagnostic.Status

#: action -> (states it may start from, state it leads to)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "review": ((S.DRAFT,), S.REVIEW),
    "draft": ((S.REVIEW,), S.DRAFT),
    "validate": ((S.REVIEW,), S.VALIDATED),
    "reopen": ((S.VALIDATED,), S.REVIEW),
    "publish": ((S.VALIDATED,), S.PUBLISHED),
    "correct": ((S.PUBLISHED,), S.DRAFT),
}

FIXED_SECTIONS = [
    (Section.Kind.SYNTHESE, 0),
    (Section.Kind.ATOUTS, 200),
    (Section.Kind.FRAGILITES, 210),
    (Section.Kind.POTENTIELS, 220),
    (Section.Kind.MENACES, 230),
    (Section.Kind.PRECONISATIONS, 300),
]


@transaction.atomic
def diagnostic_create(*, quartier: Quartier, year: int, by: Agent) -> Diagnostic:
    if Diagnostic.objects.filter(quartier=quartier, year=year).exists():
        raise ValidationError(
            _("Le diagnostic %(year)s de ce quartier existe déjà.") % {"year": year}
        )
    diagnostic = Diagnostic.objects.create(quartier=quartier, year=year, created_by=by)
    sections = [
        Section(diagnostic=diagnostic, kind=kind, title=str(kind.label), position=position)
        for kind, position in FIXED_SECTIONS
    ]
    for index, priority in enumerate(
        quartier.priorities.filter(is_active=True).order_by("position", "title")
    ):
        sections.append(
            Section(
                diagnostic=diagnostic,
                kind=Section.Kind.CONSTAT,
                priority=priority,
                title=priority.title,
                position=100 + index,
            )
        )
    Section.objects.bulk_create(sections)
    return diagnostic


def _locked(diagnostic_id: int) -> Diagnostic:
    """The diagnostic's current state, locked until commit: a write never races a transition."""
    return Diagnostic.objects.select_for_update().get(pk=diagnostic_id)


def _check_editable(diagnostic: Diagnostic) -> None:
    diagnostic = _locked(diagnostic.pk)
    if not diagnostic.is_editable:
        raise ValidationError(
            _("Le diagnostic est %(status)s : rouvrez-le pour le modifier.")
            % {"status": diagnostic.get_status_display()}
        )


@transaction.atomic
def section_update(*, section: Section, body: str, by: Agent) -> Section:
    _check_editable(section.diagnostic)
    section.body = body.strip()
    section.updated_by = by
    section.updated_at = timezone.now()
    section.save(update_fields=["body", "updated_by", "updated_at"])
    return section


@transaction.atomic
def contribution_submit(*, section: Section, author: Agent, body: str) -> Contribution:
    if _locked(section.diagnostic_id).status != S.REVIEW:
        raise ValidationError(_("Les contributions sont ouvertes pendant la relecture seulement."))
    if not body.strip():
        raise ValidationError(_("La contribution est vide."))
    return Contribution.objects.create(
        diagnostic_id=section.diagnostic_id, section=section, author=author, body=body.strip()
    )


def _decide(contribution: Contribution, status: str, by: Agent, note: str) -> Contribution:
    _check_editable(contribution.diagnostic)
    updated = Contribution.objects.filter(
        pk=contribution.pk, status=Contribution.Status.SUBMITTED
    ).update(
        status=status, decided_by=by, decided_at=timezone.now(), decision_note=note.strip()[:500]
    )
    if not updated:
        raise ValidationError(_("Cette contribution a déjà été traitée."))
    contribution.refresh_from_db()
    return contribution


@transaction.atomic
def contribution_integrate(
    *, contribution: Contribution, by: Agent, note: str = ""
) -> Contribution:
    """Append the contribution to its section (the chef then rewrites it as needed)."""
    contribution = _decide(contribution, Contribution.Status.INTEGRATED, by, note)
    section = Section.objects.select_for_update().get(pk=contribution.section_id)
    section.body = f"{section.body}\n\n{contribution.body}".strip()
    section.updated_by = by
    section.updated_at = timezone.now()
    section.save(update_fields=["body", "updated_by", "updated_at"])
    return contribution


@transaction.atomic
def contribution_decline(*, contribution: Contribution, by: Agent, note: str = "") -> Contribution:
    return _decide(contribution, Contribution.Status.DECLINED, by, note)


@transaction.atomic
def diagnostic_transition(
    *, diagnostic: Diagnostic, action: str, by: Agent, note: str = ""
) -> Diagnostic:
    if action not in TRANSITIONS:
        raise ValidationError(_("Action inconnue."))
    sources, target = TRANSITIONS[action]
    diagnostic = _locked(diagnostic.pk)
    if diagnostic.status not in sources:
        raise ValidationError(
            _("Impossible depuis l'état « %(status)s ».")
            % {"status": diagnostic.get_status_display()}
        )
    now = timezone.now()
    fields = ["status", "status_changed_at"]
    if action == "review":
        diagnostic.review_requested_at = now
        fields.append("review_requested_at")
        mail.plan(
            review_letter(diagnostic),
            (agent.email for agent in _review_recipients(diagnostic)),
            REVIEW_TASK,
            diagnostic.pk,
        )
        outbox.enqueue(REVIEW_TASK, diagnostic.pk)
    if action == "validate":
        diagnostic.validated_by, diagnostic.validated_at = by, now
        fields += ["validated_by", "validated_at"]
    if action == "publish":
        if diagnostic.published_version and not note.strip():
            raise ValidationError(
                _("Indiquez l'objet de la correction : il figure dans la nouvelle version.")
            )
        version = _publish(diagnostic, by=by, note=note.strip(), now=now)
        diagnostic.published_version = version.number
        fields.append("published_version")
    diagnostic.status, diagnostic.status_changed_at = target, now
    diagnostic.save(update_fields=fields)
    return diagnostic


def _publish(diagnostic: Diagnostic, *, by: Agent, note: str, now) -> DiagnosticVersion:
    sections = selectors.section_snapshot(diagnostic)
    figures = indicators.compute(diagnostic.quartier, diagnostic.year)
    version = DiagnosticVersion.objects.create(
        diagnostic=diagnostic,
        number=diagnostic.published_version + 1,
        published_at=now,
        published_by=by,
        correction_note=note,
        sections=sections,
        indicators=figures,
        data_checksum=checksum({"sections": sections, "indicators": figures}),
    )
    # Any running proof is superseded: the published version's PDF comes first.
    DiagnosticDocument.objects.filter(
        diagnostic=diagnostic, status=DocumentJob.Status.PENDING, version__isnull=True
    ).update(
        status=DocumentJob.Status.FAILED, finished_at=now, error="Remplacé par la version publiée."
    )
    document_request(diagnostic=diagnostic, by=by, version=version)
    mail.plan(
        publication_letter(version.pk),
        (agent.email for agent in selectors.publication_recipients(diagnostic.quartier_id)),
        PUBLICATION_TASK,
        version.pk,
    )
    outbox.enqueue(PUBLICATION_TASK, version.pk)
    return version


# Snapshots and documents ---------------------------------------------------------------------


def checksum(data) -> str:
    encoded = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode()
    return hashlib.sha256(encoded).hexdigest()


@transaction.atomic
def document_request(
    *, diagnostic: Diagnostic, by: Agent | None, version: DiagnosticVersion | None = None
) -> DiagnosticDocument:
    """Ask for a PDF. One job at a time per diagnostic: while one is pending or running, that one
    is returned. Idempotent: if a ready document was made from the same data, it is returned."""
    Diagnostic.objects.select_for_update().filter(pk=diagnostic.pk).first()
    active = DiagnosticDocument.objects.filter(
        diagnostic=diagnostic, status__in=[DocumentJob.Status.PENDING, DocumentJob.Status.RUNNING]
    ).first()
    if active is not None:
        return active
    snapshot = selectors.document_snapshot(diagnostic, version)
    data_checksum = checksum({k: v for k, v in snapshot.items() if k != "published_at"})
    same = DiagnosticDocument.objects.filter(
        diagnostic=diagnostic,
        version=version,
        data_checksum=data_checksum,
        status=DocumentJob.Status.READY,
    ).first()
    if same is not None:
        return same
    try:
        with transaction.atomic():
            job = DiagnosticDocument.objects.create(
                diagnostic=diagnostic,
                version=version,
                requested_by=by,
                snapshot=snapshot,
                data_checksum=data_checksum,
            )
    except IntegrityError:  # another request won the race for the one active job
        return DiagnosticDocument.objects.get(
            diagnostic=diagnostic,
            status__in=[DocumentJob.Status.PENDING, DocumentJob.Status.RUNNING],
        )
    jobs.enqueue(job)
    return job


def document_build(job: DiagnosticDocument) -> tuple[bytes, str]:
    from diagnostics.presentation import render_diagnostic_pdf

    content = render_diagnostic_pdf(job.snapshot, requested_at=job.requested_at)
    return content, document_filename(job.snapshot)


def document_filename(snapshot: dict) -> str:
    """diagnostic-ouest-2025-v2.pdf, diagnostic-ouest-2026-epreuve.pdf"""
    from django.utils.text import slugify

    label = f"v{snapshot['version']}" if snapshot.get("version") else "epreuve"
    return (
        f"diagnostic-{slugify(snapshot['quartier']) or 'quartier'}-{snapshot['year']}-{label}.pdf"
    )


def document_render(job_pk: int) -> DiagnosticDocument | None:
    """The task's body: render the job (if this call claims it), then make sure the latest
    published version has its PDF (a proof may have been running at publication)."""
    job = jobs.run_job(DiagnosticDocument, job_pk, document_build)
    diagnostic_id = (
        DiagnosticDocument.objects.filter(pk=job_pk).values_list("diagnostic_id", flat=True).first()
    )
    if diagnostic_id is not None:
        ensure_version_document(diagnostic_id)
    return job


def ensure_version_document(diagnostic_id: int) -> None:
    version = (
        DiagnosticVersion.objects.filter(diagnostic_id=diagnostic_id).order_by("-number").first()
    )
    if version is None:
        return
    done_or_active = DiagnosticDocument.objects.filter(version=version).exclude(
        status=DocumentJob.Status.FAILED
    )
    if not done_or_active.exists():
        document_request(diagnostic=version.diagnostic, by=version.published_by, version=version)


def document_retry(*, job: DiagnosticDocument) -> bool:
    if DiagnosticDocument.objects.filter(
        diagnostic_id=job.diagnostic_id,
        status__in=[DocumentJob.Status.PENDING, DocumentJob.Status.RUNNING],
    ).exists():
        return False
    return jobs.retry(job)


# Notifications -------------------------------------------------------------------------------


REVIEW_TASK = "diagnostics.tasks.notify_review"
PUBLICATION_TASK = "diagnostics.tasks.notify_publication"


def review_letter(diagnostic: Diagnostic) -> str:
    """One letter per request for review (back to draft and to review again: a new one)."""
    requested = diagnostic.review_requested_at
    return f"diagnostics.review:{diagnostic.pk}:{requested.isoformat() if requested else ''}"


def publication_letter(version_pk: int) -> str:
    return f"diagnostics.publication:{version_pk}"


def _review_recipients(diagnostic: Diagnostic) -> list[Agent]:
    team = Membership.objects.active().filter(
        quartier_id=diagnostic.quartier_id,
        role__in=[Membership.Role.MEMBRE, Membership.Role.DIRECTION],
    )
    return list(
        Agent.objects.filter(is_active=True, pk__in=team.values("agent_id")).order_by("last_name")
    )


def _send_to_agents(
    letter: str, agents: list[Agent], render: Callable[[Agent], EmailMessage]
) -> int:
    """Send the letter's rows not sent yet (`foundation.mail`); an address whose agent left the
    recipients since is dropped."""
    by_email = {agent.email.strip().lower(): agent for agent in agents if agent.email}
    return mail.send(letter, lambda email: render(by_email[email]) if email in by_email else None)


def review_notify(diagnostic_pk: int) -> int:
    """Ask the team to read and contribute, once per request for review: each member's email is
    claimed, sent and confirmed, so a redelivered task sends only to the members not served."""
    diagnostic = Diagnostic.objects.select_related("quartier").get(pk=diagnostic_pk)
    letter = review_letter(diagnostic)
    due = diagnostic.status == S.REVIEW and diagnostic.review_requested_at is not None
    # The requests for review that are over (or all of them) no longer call for their letter.
    over = MailDelivery.objects.filter(letter__startswith=f"diagnostics.review:{diagnostic_pk}:")
    mail.drop(over.exclude(letter=letter) if due else over)
    if not due:
        return 0
    recipients = _review_recipients(diagnostic)
    if not mail.rows_of(letter).exists() and diagnostic.review_notified_at is None:
        # Asked for before the letters were planned with the request (an older task).
        mail.plan(letter, (agent.email for agent in recipients), REVIEW_TASK, diagnostic.pk)
    url = settings.SITE_URL + diagnostic.get_absolute_url()
    subject = _("Diagnostic %(year)s du quartier %(quartier)s : à relire") % {
        "year": diagnostic.year,
        "quartier": diagnostic.quartier.name,
    }

    def render(agent: Agent) -> EmailMessage:
        body = render_to_string(
            "diagnostics/email/review.txt", {"agent": agent, "diagnostic": diagnostic, "url": url}
        )
        return EmailMessage(subject, body, to=[agent.email])

    sent = _send_to_agents(letter, recipients, render)
    if mail.all_served(letter):  # a record for the pages, not a claim
        Diagnostic.objects.filter(
            pk=diagnostic_pk, review_requested_at=diagnostic.review_requested_at
        ).update(review_notified_at=timezone.now())
    return sent


def publication_notify(version_pk: int) -> int:
    """Email the élus of the quartier, the maire and the comité de direction, once per version:
    each email is claimed, sent and confirmed, so a redelivered task sends nothing twice."""
    version = DiagnosticVersion.objects.select_related("diagnostic__quartier").get(pk=version_pk)
    diagnostic = version.diagnostic
    letter = publication_letter(version_pk)
    recipients = selectors.publication_recipients(diagnostic.quartier_id)
    if not mail.rows_of(letter).exists() and version.notified_at is None:
        mail.plan(letter, (agent.email for agent in recipients), PUBLICATION_TASK, version_pk)
    url = settings.SITE_URL + version.get_absolute_url()
    subject = _("Diagnostic %(year)s du quartier %(quartier)s publié") % {
        "year": diagnostic.year,
        "quartier": diagnostic.quartier.name,
    }

    def render(agent: Agent) -> EmailMessage:
        body = render_to_string(
            "diagnostics/email/published.txt",
            {"agent": agent, "version": version, "diagnostic": diagnostic, "url": url},
        )
        return EmailMessage(subject, body, to=[agent.email])

    sent = _send_to_agents(letter, recipients, render)
    if mail.all_served(letter):
        DiagnosticVersion.objects.filter(pk=version_pk, notified_at__isnull=True).update(
            notified_at=timezone.now()
        )
    return sent
