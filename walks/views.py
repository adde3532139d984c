"""Pages of `walks`. Every object is fetched through `walks.permissions`: out of reach is 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from foundation import jobs
from foundation.replica import reads_from_replica
from observations import geocoding, maps, offline
from observations import permissions as permissions_obs
from observations.permissions import observations_visible_to
from walks import permissions, services
from walks.documents import route_map
from walks.forms import NoteForm, StopForm, WalkForm, default_times
from walks.models import Stop, StopObservation, Walk, WalkReport


def _walk(request, pk) -> Walk:
    return get_object_or_404(
        permissions.walks_visible_to(request.user).select_related("quartier", "organiser"), pk=pk
    )


def _managed(request, pk) -> Walk:
    walk = _walk(request, pk)
    if not permissions.can_manage(request.user, walk):
        raise Http404
    return walk


def _form_error(form, exc: ValidationError) -> None:
    for message in exc.messages:
        form.add_error(None, message)


@reads_from_replica
def index(request):
    walks = list(
        permissions.walks_visible_to(request.user)
        .select_related("quartier")
        .annotate(stop_count=Count("stops", distinct=True))
        .order_by("-start")[:100]
    )
    now = timezone.now()
    return render(
        request,
        "walks/index.html",
        {
            "upcoming": [w for w in walks if w.end >= now and not w.is_done][::-1],
            "past": [w for w in walks if w.end < now or w.is_done],
            "can_plan": permissions.can_plan(request.user),
        },
    )


def create(request):
    if not permissions.can_plan(request.user):
        raise Http404
    quartiers = permissions.quartiers_managed_by(request.user).order_by("name")
    start, end = default_times()
    form = WalkForm(
        request.POST or None,
        quartiers=quartiers,
        initial={"start": start, "end": end, "quartier": quartiers.first()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            walk = services.walk_create(
                quartier=data["quartier"], organiser=request.user, title=data["title"],
                start=data["start"], end=data["end"], meeting_point=data["meeting_point"],
                agents=data["agents"], externals=data["externals"],
            )  # fmt: skip
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("La marche est prévue : ajoutez ses arrêts."))
            return redirect("walks:detail", walk.pk)
    return render(request, "walks/walk_form.html", {"form": form, "walk": None})


def edit(request, pk):
    walk = _managed(request, pk)
    if walk.is_cancelled:
        raise Http404
    invitations = list(walk.invitations.all())
    form = WalkForm(
        request.POST or None,
        quartiers=permissions.quartiers_managed_by(request.user),
        walk=walk,
        initial={
            "title": walk.title,
            "start": timezone.localtime(walk.start),
            "end": timezone.localtime(walk.end),
            "meeting_point": walk.meeting_point,
            "agents": [i.agent_id for i in invitations if i.agent_id],
            "externals": [i.external_id for i in invitations if i.external_id],
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.walk_update(walk=walk, by=request.user, data=data)
            services.invitations_set(walk=walk, agents=data["agents"], externals=data["externals"])
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request,
                _(
                    "La marche est modifiée ; les invités sont prévenus d'un changement d'horaire ou de lieu."
                ),
            )
            return redirect("walks:detail", walk.pk)
    return render(request, "walks/walk_form.html", {"form": form, "walk": walk})


def _notes_by_stop(request, walk: Walk) -> dict[int, list]:
    readable = set(
        observations_visible_to(request.user)
        .filter(walk_stop__stop__walk=walk)
        .values_list("pk", flat=True)
    )
    notes: dict[int, list] = {}
    for note in (
        StopObservation.objects.filter(stop__walk=walk)
        .select_related("observation__category", "observation__quartier")
        .order_by("pk")
    ):
        note.readable = note.observation_id in readable  # type: ignore[attr-defined]
        notes.setdefault(note.stop_id, []).append(note)
    return notes


def detail(request, pk):
    walk = _walk(request, pk)
    stops = list(walk.stops.select_related("priority"))
    notes = _notes_by_stop(request, walk)
    # A confidential observation the person may not read is counted, never shown at its stop
    # (a stop is a precise place).
    hidden = 0
    for stop in stops:
        shown = [
            n for n in notes.get(stop.pk, []) if n.readable or not n.observation.is_confidential
        ]
        hidden += len(notes.get(stop.pk, [])) - len(shown)
        stop.walk_notes = shown  # type: ignore[attr-defined]
    can_manage = permissions.can_manage(request.user, walk)
    return render(
        request,
        "walks/detail.html",
        {
            "walk": walk,
            "stops": stops,
            "map": route_map(walk, stops),
            "hidden_confidential": hidden,
            "invitations": list(
                walk.invitations.select_related("agent__service", "external__organisation")
            ),
            "can_manage": can_manage,
            "can_note": permissions.can_note(request.user, walk),
            "report": walk.reports.first() if walk.is_done else None,
            "started": walk.start <= timezone.now(),
        },
    )


@require_POST
def cancel(request, pk):
    walk = _managed(request, pk)
    try:
        services.walk_cancel(walk=walk, by=request.user)
        messages.success(
            request, _("La marche est annulée ; les invités en sont prévenus par courriel.")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("walks:detail", walk.pk)


@require_POST
def mark_done(request, pk):
    walk = _managed(request, pk)
    try:
        services.walk_mark_done(walk=walk, by=request.user)
        messages.success(
            request, _("La marche est notée réalisée : son compte rendu peut être préparé.")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("walks:detail", walk.pk)


# Stops ---------------------------------------------------------------------------------------


def _managed_stop(request, pk, stop_pk) -> tuple[Walk, Stop]:
    walk = _managed(request, pk)
    if walk.is_cancelled:
        raise Http404
    return walk, get_object_or_404(walk.stops.select_related("priority"), pk=stop_pk)


def stop_form(request, pk, stop_pk=None):
    walk = _managed(request, pk)
    if walk.is_cancelled:
        raise Http404
    stop = get_object_or_404(walk.stops, pk=stop_pk) if stop_pk else None
    form = StopForm(request.POST or None, instance=stop, walk=walk)
    if request.method == "POST" and form.is_valid():
        try:
            if stop:
                services.stop_update(stop=stop, data=form.service_data())
            else:
                services.stop_add(walk=walk, data=form.service_data())
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("L'arrêt est enregistré."))
            return redirect(f"{walk.get_absolute_url()}#arrets")
    other_stops = [s for s in walk.stops.all() if s.has_point and s != stop]
    return render(
        request,
        "walks/stop_form.html",
        {
            "walk": walk,
            "stop": stop,
            "form": form,
            "other_stops": other_stops,
            # A place typed, its point found by address: no map needed (observations' search).
            "address_search": geocoding.enabled()
            and permissions_obs.quartiers_for_logging(request.user)
            .filter(pk=walk.quartier_id)
            .exists(),
            "position_messages": maps.position_messages(),
        },
    )


@require_POST
def stop_move(request, pk, stop_pk):
    walk, stop = _managed_stop(request, pk, stop_pk)
    services.stop_move(stop=stop, offset=-1 if request.POST.get("direction") == "up" else 1)
    return redirect(f"{walk.get_absolute_url()}#arret-{stop.pk}")


@require_POST
def stop_delete(request, pk, stop_pk):
    walk, stop = _managed_stop(request, pk, stop_pk)
    try:
        services.stop_delete(stop=stop)
        messages.success(request, _("L'arrêt est retiré du parcours."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(f"{walk.get_absolute_url()}#arrets")


# During the walk -----------------------------------------------------------------------------


def live(request, pk, stop_pk=None):
    """The walk "en cours", on a phone: the stops in order, the current one, and its note form."""
    walk = _walk(request, pk)
    if not permissions.can_note(request.user, walk):
        raise Http404
    # Explicit order: Meta.ordering does not apply to a query with GROUP BY.
    stops = list(
        walk.stops.select_related("priority")
        .annotate(note_count=Count("notes"))
        .order_by("position", "pk")
    )
    if not stops:
        messages.info(request, _("Cette marche n'a pas encore d'arrêt."))
        return redirect("walks:detail", walk.pk)
    current = next((s for s in stops if s.pk == stop_pk), None) if stop_pk else stops[0]
    if current is None:
        raise Http404
    index = stops.index(current)
    if request.method == "POST":  # perhaps from the phone's queue (observations/offline.py)
        refusal = offline.refuse_other_owner(request)
        if refusal is not None:
            return refusal
    form = NoteForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            noted = services.note_observation(
                stop=current, author=request.user, category=data["category"],
                title=data["title"], description=data["description"],
                latitude=data["latitude"], longitude=data["longitude"],
                confidentiality=data["confidentiality"], for_inhabitant=data["for_inhabitant"],
                photos=data["photos"], idempotency_key=data["idempotency_key"],
            )  # fmt: skip
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            if offline.wants_json(request):
                return offline.saved_json(noted.observation, created=True)
            messages.success(
                request, _("Observation notée à l'arrêt « %(stop)s ».") % {"stop": current.name}
            )
            return redirect("walks:live_stop", walk.pk, current.pk)
    if request.method == "POST" and offline.wants_json(request):
        return offline.refused_json(form)
    return render(
        request,
        "walks/live.html",
        {
            "walk": walk,
            "stops": stops,
            "current": current,
            "map": route_map(walk, stops),
            "number": index + 1,
            "previous": stops[index - 1] if index > 0 else None,
            "next": stops[index + 1] if index + 1 < len(stops) else None,
            "form": form,
        },
    )


# Report --------------------------------------------------------------------------------------


@require_POST
def report_request(request, pk):
    walk = _managed(request, pk)
    try:
        services.report_request(walk=walk, requested_by=request.user)
        messages.success(request, _("Le compte rendu est en préparation."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(f"{walk.get_absolute_url()}#compte-rendu")


def _report(request, pk, report_pk) -> WalkReport:
    walk = _walk(request, pk)
    return get_object_or_404(WalkReport.objects.select_related("walk"), pk=report_pk, walk=walk)


def report_status(request, pk, report_pk):
    return render(request, "walks/_report_state.html", {"job": _report(request, pk, report_pk)})


def report_download(request, pk, report_pk):
    report = _report(request, pk, report_pk)
    if report.status != WalkReport.Status.READY or not report.file:
        raise Http404
    return FileResponse(
        report.file.open("rb"), content_type="application/pdf", as_attachment=True,
        filename=(report.file.name or "").rsplit("/", 1)[-1],
    )  # fmt: skip


@require_POST
def report_retry(request, pk, report_pk):
    report = _report(request, pk, report_pk)
    if not permissions.can_manage(request.user, report.walk):
        raise Http404
    jobs.retry(report)
    return redirect(f"{report.walk.get_absolute_url()}#compte-rendu")
