from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from diagnostics import indicators, links, permissions, selectors, services
from diagnostics.forms import (
    ContributionForm,
    DecisionForm,
    DiagnosticCreateForm,
    SectionForm,
    TransitionForm,
)
from diagnostics.models import Contribution, Section
from diagnostics.presentation import document_context
from documents import selectors as document_selectors
from foundation.models import DocumentJob
from foundation.replica import reads_from_replica

PAGE_SIZE = 30
#: Working copies are the person's team's: a handful. Administrators see the latest ones.
WORKING_LIMIT = 50
SWOT_KINDS = (
    Section.Kind.ATOUTS,
    Section.Kind.FRAGILITES,
    Section.Kind.POTENTIELS,
    Section.Kind.MENACES,
)


@reads_from_replica
def index(request):
    """Published diagnostics the person may read, and the working copies of their team(s)."""
    quartiers = list(permissions.quartiers_where_can_create(request.user))
    published = selectors.published_for(request.user)
    query = request.GET.get("q", "").strip()[:100]
    if query:
        published = published.filter(diagnostic__quartier__name__icontains=query)
    context = {
        "page": Paginator(published, PAGE_SIZE).get_page(request.GET.get("page")),
        "query": query,
        "querystring": urlencode({"q": query}) if query else "",
        "working": list(selectors.working_copies_for(request.user)[:WORKING_LIMIT]),
        "create_form": DiagnosticCreateForm(quartiers=quartiers) if quartiers else None,
    }
    return render(request, "diagnostics/index.html", context)


@require_POST
def create(request):
    quartiers = permissions.quartiers_where_can_create(request.user)
    form = DiagnosticCreateForm(request.POST, quartiers=quartiers)
    if form.is_valid():
        try:
            diagnostic = services.diagnostic_create(
                quartier=form.cleaned_data["quartier"],
                year=form.cleaned_data["year"],
                by=request.user,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Le diagnostic est créé en brouillon."))
            return redirect(diagnostic)
    else:
        messages.error(request, _("Choisissez un quartier et une année valides."))
    return redirect("diagnostics:index")


def _job_urls(job) -> dict:
    if job is None:
        return {}
    return {
        "status_url": reverse("diagnostics:document_status", args=[job.pk]),
        "retry_url": reverse("diagnostics:document_retry", args=[job.pk]),
        "download_url": reverse("diagnostics:document_download", args=[job.pk]),
    }


def detail(request, pk):
    """The working copy: the chef's builder, the team's reading and contribution page."""
    diagnostic = selectors.diagnostic_for(request.user, pk)
    figures = indicators.compute(diagnostic.quartier, diagnostic.year)
    sections = selectors.sections_of(diagnostic)
    snapshot = {
        "quartier": diagnostic.quartier.name,
        "year": diagnostic.year,
        "version": None,
        "indicators": figures,
        "sections": [{"kind": s.kind, "title": s.title, "body": s.body} for s in sections],
    }
    job = selectors.latest_document(diagnostic)
    context = {
        **document_context(snapshot),
        "diagnostic": diagnostic,
        "sections": sections,
        "builder_synthese": [x for x in sections if x.kind == Section.Kind.SYNTHESE],
        "builder_constats": [x for x in sections if x.kind == Section.Kind.CONSTAT],
        "builder_swot": [x for x in sections if x.kind in SWOT_KINDS],
        "builder_preconisations": [x for x in sections if x.kind == Section.Kind.PRECONISATIONS],
        "can_manage": permissions.can_manage(request.user, diagnostic),
        "can_contribute": permissions.can_contribute(request.user, diagnostic),
        "contribution_form": ContributionForm(),
        "transition_form": TransitionForm(),
        "versions": selectors.versions_of(diagnostic.pk),
        "job": job,
        **_job_urls(job),
        "links": links.trace_links(diagnostic.quartier, diagnostic.year, request.user),
        "annexes": document_selectors.diagnostic_annexes(request.user, diagnostic.quartier),
    }
    return render(request, "diagnostics/detail.html", context)


def section_edit(request, pk, section_pk):
    diagnostic = selectors.diagnostic_for(request.user, pk)
    if not permissions.can_manage(request.user, diagnostic):
        raise Http404
    section = get_object_or_404(diagnostic.sections.select_related("diagnostic"), pk=section_pk)
    form = SectionForm(request.POST or None, initial={"body": section.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.section_update(
                section=section, body=form.cleaned_data["body"], by=request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("La section « %(title)s » est enregistrée.") % {"title": section.title}
            )
            return redirect(f"{diagnostic.get_absolute_url()}#section-{section.pk}")
    pending = section.contributions.filter(status=Contribution.Status.SUBMITTED).select_related(
        "author"
    )
    return render(
        request,
        "diagnostics/section_form.html",
        {"diagnostic": diagnostic, "section": section, "form": form, "pending": list(pending)},
    )


@require_POST
def contribute(request, pk, section_pk):
    diagnostic = selectors.diagnostic_for(request.user, pk)
    if not permissions.can_contribute(request.user, diagnostic):
        raise Http404
    section = get_object_or_404(diagnostic.sections.select_related("diagnostic"), pk=section_pk)
    form = ContributionForm(request.POST)
    if form.is_valid():
        try:
            services.contribution_submit(
                section=section, author=request.user, body=form.cleaned_data["body"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("Merci : votre contribution est transmise au chef de projet.")
            )
    else:
        messages.error(
            request, _("La contribution est vide ou trop longue (5 000 caractères au plus).")
        )
    return redirect(f"{diagnostic.get_absolute_url()}#section-{section.pk}")


@require_POST
def contribution_decide(request, pk, contribution_pk):
    diagnostic = selectors.diagnostic_for(request.user, pk)
    if not permissions.can_manage(request.user, diagnostic):
        raise Http404
    contribution = get_object_or_404(
        diagnostic.contributions.select_related("diagnostic", "section"), pk=contribution_pk
    )
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choisissez d'intégrer la contribution ou de ne pas la retenir."))
    else:
        decide = (
            services.contribution_integrate
            if form.cleaned_data["decision"] == "integrate"
            else services.contribution_decline
        )
        try:
            decide(contribution=contribution, by=request.user, note=form.cleaned_data["note"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Contribution traitée."))
    return redirect(f"{diagnostic.get_absolute_url()}#section-{contribution.section_id}")


TRANSITION_MESSAGES = {
    "review": _("Le diagnostic est en relecture : l'équipe peut le lire et contribuer."),
    "draft": _("Le diagnostic est revenu en brouillon."),
    "validate": _("Le diagnostic est validé."),
    "reopen": _("Le diagnostic est de nouveau en relecture."),
    "publish": _("Le diagnostic est publié : les élus et le comité de direction sont prévenus."),
    "correct": _("Une correction est ouverte en brouillon ; la version publiée reste en ligne."),
}


@require_POST
def transition(request, pk):
    diagnostic = selectors.diagnostic_for(request.user, pk)
    if not permissions.can_manage(request.user, diagnostic):
        raise Http404
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Action inconnue."))
        return redirect(diagnostic)
    action = form.cleaned_data["action"]
    try:
        services.diagnostic_transition(
            diagnostic=diagnostic, action=action, by=request.user, note=form.cleaned_data["note"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, str(TRANSITION_MESSAGES[action]))
    return redirect(diagnostic)


@require_POST
def document_request(request, pk):
    diagnostic = selectors.diagnostic_for(request.user, pk)
    if not permissions.can_manage(request.user, diagnostic):
        raise Http404
    job = services.document_request(diagnostic=diagnostic, by=request.user)
    if request.htmx:
        return render(request, "diagnostics/detail.html#document", {"job": job, **_job_urls(job)})
    messages.info(request, _("La préparation du PDF est demandée."))
    return redirect(f"{diagnostic.get_absolute_url()}#document")


def document_status(request, job_pk):
    job = selectors.document_for(request.user, job_pk)
    return render(request, "includes/job_state.html", {"job": job, **_job_urls(job)})


@require_POST
def document_retry(request, job_pk):
    job = selectors.document_for(request.user, job_pk)
    if (
        not permissions.can_manage(request.user, job.diagnostic)
        or job.status != DocumentJob.Status.FAILED
    ):
        raise Http404
    services.document_retry(job=job)
    if request.htmx:
        job.refresh_from_db()
        return render(request, "includes/job_state.html", {"job": job, **_job_urls(job)})
    return redirect(job.diagnostic)


def _pdf_response(job):
    if job is None or job.status != DocumentJob.Status.READY or not job.file:
        raise Http404
    response = FileResponse(
        job.file.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=services.document_filename(job.snapshot),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def document_download(request, job_pk):
    return _pdf_response(selectors.document_for(request.user, job_pk))


def version_detail(request, pk, number):
    """A published version, as the élus read it (HTML), with its PDF."""
    version = selectors.version_for(request.user, pk, number)
    diagnostic = version.diagnostic
    snapshot = {
        "quartier": diagnostic.quartier.name,
        "year": diagnostic.year,
        "version": version.number,
        "indicators": version.indicators,
        "sections": version.sections,
    }
    job = selectors.latest_document(diagnostic, version)
    versions = selectors.versions_of(diagnostic.pk)  # newest first: it is the latest
    context = {
        **document_context(snapshot),
        "diagnostic": diagnostic,
        "version_obj": version,
        "versions": versions,
        "latest": versions[0],
        "is_latest": version.number == versions[0].number,
        "job": job,
        **_job_urls(job),
        "links": links.trace_links(diagnostic.quartier, diagnostic.year, request.user),
    }
    return render(request, "diagnostics/version.html", context)


def version_pdf(request, pk, number):
    version = selectors.version_for(request.user, pk, number)
    return _pdf_response(selectors.latest_ready_document(version))
