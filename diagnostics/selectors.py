"""Reads for `diagnostics`, scoped by `diagnostics.permissions`, with their joins prefetched."""

from __future__ import annotations

from django.db.models import Count, F, Prefetch, Q
from django.shortcuts import get_object_or_404

from diagnostics import indicators
from diagnostics.models import (
    Contribution,
    Diagnostic,
    DiagnosticDocument,
    DiagnosticVersion,
    Section,
)
from diagnostics.permissions import versions_visible_to, working_copies_visible_to
from foundation.models import DocumentJob
from teams.models import Agent, Membership


def published_for(user):
    """The latest published version of each diagnostic the person may read."""
    return (
        versions_visible_to(user)
        .filter(number=F("diagnostic__published_version"))
        .select_related("diagnostic__quartier")
        .defer("diagnostic__quartier__outline")
        .order_by("-diagnostic__year", "diagnostic__quartier__name")
    )


def working_copies_for(user):
    return (
        working_copies_visible_to(user)
        .select_related("quartier")
        .defer("quartier__outline")
        .annotate(
            submitted_contributions=Count(
                "contributions", filter=Q(contributions__status="submitted")
            )
        )
        .order_by("-year", "quartier__name")
    )


def diagnostic_for(user, pk: int) -> Diagnostic:
    return get_object_or_404(
        working_copies_visible_to(user).select_related("quartier", "validated_by"), pk=pk
    )


def sections_of(diagnostic: Diagnostic) -> list[Section]:
    contributions = Contribution.objects.select_related("author", "decided_by").order_by(
        "created_at", "pk"
    )
    return list(
        diagnostic.sections.select_related("updated_by")
        .prefetch_related(
            Prefetch("contributions", queryset=contributions, to_attr="contribution_list")
        )
        .order_by("position", "pk")
    )


def latest_document(
    diagnostic: Diagnostic, version: DiagnosticVersion | None = None
) -> DiagnosticDocument | None:
    documents = DiagnosticDocument.objects.filter(diagnostic=diagnostic).order_by(
        "-requested_at", "-pk"
    )
    if version is not None:
        documents = documents.filter(version=version)
    return documents.select_related("version", "requested_by").first()


def latest_ready_document(version: DiagnosticVersion) -> DiagnosticDocument | None:
    return (
        DiagnosticDocument.objects.filter(version=version, status=DocumentJob.Status.READY)
        .order_by("-finished_at", "-pk")
        .first()
    )


def version_for(user, diagnostic_pk: int, number: int) -> DiagnosticVersion:
    return get_object_or_404(
        versions_visible_to(user).select_related("diagnostic__quartier", "published_by"),
        diagnostic_id=diagnostic_pk,
        number=number,
    )


def versions_of(diagnostic_id: int) -> list[DiagnosticVersion]:
    return list(
        DiagnosticVersion.objects.filter(diagnostic_id=diagnostic_id)
        .select_related("published_by")
        .only("pk", "diagnostic_id", "number", "published_at", "published_by", "correction_note")
        .order_by("-number")
    )


def document_for(user, pk: int) -> DiagnosticDocument:
    """A generated document the person may download: a proof of a working copy they read, or the
    PDF of a published version they read."""
    proofs = Q(version__isnull=True, diagnostic__in=working_copies_visible_to(user).values("pk"))
    published = Q(version__in=versions_visible_to(user).values("pk"))
    return get_object_or_404(
        DiagnosticDocument.objects.filter(proofs | published).select_related(
            "diagnostic", "version"
        ),
        pk=pk,
    )


def comparison_for(quartier, limit: int = 4) -> list[DiagnosticVersion]:
    """The latest published version of each of the last years, for the quartier's comparison panel."""
    return list(
        DiagnosticVersion.objects.filter(
            diagnostic__quartier=quartier, number=F("diagnostic__published_version")
        )
        .select_related("diagnostic")
        .only(
            "pk",
            "number",
            "indicators",
            "diagnostic__year",
            "diagnostic__id",
            "diagnostic__quartier_id",
        )
        .order_by("-diagnostic__year")[:limit]
    )


# What a document is made from, who is told of a publication ----------------------------------


def section_snapshot(diagnostic: Diagnostic) -> list[dict]:
    return [
        {
            "kind": section.kind,
            "title": section.title,
            "priority_id": section.priority_id,
            "position": section.position,
            "body": section.body,
        }
        for section in diagnostic.sections.order_by("position", "pk")
    ]


def document_snapshot(diagnostic: Diagnostic, version: DiagnosticVersion | None) -> dict:
    """What a document is made from: a published version as frozen, or the working copy now."""
    base = {
        "diagnostic": diagnostic.pk,
        "quartier": diagnostic.quartier.name,
        "year": diagnostic.year,
    }
    if version is not None:
        return {
            **base,
            "version": version.number,
            "published_at": version.published_at.isoformat(),
            "correction_note": version.correction_note,
            "sections": version.sections,
            "indicators": version.indicators,
        }
    return {
        **base,
        "version": None,
        "status": diagnostic.get_status_display(),
        "sections": section_snapshot(diagnostic),
        "indicators": indicators.compute(diagnostic.quartier, diagnostic.year),
    }


def publication_recipients(quartier_id: int) -> list[Agent]:
    elus = (
        Membership.objects.active()
        .filter(quartier_id=quartier_id, role=Membership.Role.ELU)
        .values("agent_id")
    )
    return list(
        Agent.objects.filter(is_active=True)
        .filter(Q(pk__in=elus) | Q(is_maire=True) | Q(is_comite_direction=True))
        .order_by("last_name", "first_name")
    )
