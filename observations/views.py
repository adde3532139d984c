"""Thin views: get the object for the user (404 if out of reach) → check → one service call → response."""

from __future__ import annotations

import csv
import datetime
import hashlib
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from foundation import generations
from foundation.chunks import in_chunks
from foundation.forms import choices_scope, valid_filters
from foundation.numbers import whole_number
from foundation.replica import reads_from_replica
from observations import geocoding, maps, offline, permissions, selectors, services
from observations.forms import (
    AnswerForm,
    CommentForm,
    EscalationFilterForm,
    EscalationForm,
    MergeForm,
    ObservationEditForm,
    ObservationFilterForm,
    ObservationForm,
    OrientationForm,
    PeriodForm,
    PhotoAddForm,
    StatusForm,
    TriageForm,
)
from observations.models import Category, EscalationDigest, NeedType, Observation, Photo
from observations.permissions import escalations_visible_to, observations_visible_to
from observations.ratelimit import rate_limit
from teams.access import quartiers_offered_key, quartiers_offered_to, roles_of
from teams.fields import quartier_switch
from teams.models import Quartier, Service


def _querystring(request, *drop: str) -> str:
    query = request.GET.copy()
    for name in ("apres", "avant", *drop):
        query.pop(name, None)
    return query.urlencode()


# List, search, export ------------------------------------------------------------------------


def _filtered(request):
    form = ObservationFilterForm(
        request.GET or None, quartiers=quartiers_offered_to(request.user).order_by("name")
    )
    filters = valid_filters(form)
    queryset = selectors.filter_observations(
        selectors.observations_for(request.user), request.user, filters
    )
    return form, queryset


def _has_filters(request) -> bool:
    """A filter beyond the search words: the phone shows the filters unfolded."""
    return any(v for k, v in request.GET.items() if k not in ("q", "apres", "avant"))


def _filter_bar(request, form, *, action: str, htmx: bool, has_filters: bool) -> str:
    """The filter bar, drawn once for a set of choices (categories, services, the quartiers the
    person may pick) and of filters, then served from the shared cache until one of those
    changes (`generations.cached`, which draws it from the primary). Its options and their
    rendering were a quarter of the list page."""
    chosen = sorted(
        (name, value) for name in form.fields for value in request.GET.getlist(name) if value
    )
    vary = "|".join([action, str(htmx), str(has_filters), quartiers_offered_key(request.user)])
    digest = hashlib.sha1(  # noqa: S324 - a cache key, not a secret
        f"{vary}|{urlencode(chosen)}".encode()
    ).hexdigest()
    context = {
        "form": form,
        "filters_action": action,
        "filters_htmx": htmx,
        "has_filters": has_filters,
    }
    return generations.cached(
        f"observation-filters:{digest}",
        [choices_scope(Category), choices_scope(Service), choices_scope(Quartier)],
        lambda: render_to_string("observations/_filters.html", context),
    )


@reads_from_replica
def observation_list(request):
    if not permissions.sees_observation_lists(request.user):
        # Élus and the maire read counts, never observation details.
        return redirect("observations:emerging")
    form, queryset = _filtered(request)
    with selectors.search_room(bool(valid_filters(form).get("q"))):
        page = selectors.keyset_page(
            queryset,
            after=whole_number(request.GET.get("apres")),
            before=whole_number(request.GET.get("avant")),
        )
    context = {
        "form": form,
        "page": page,
        "querystring": _querystring(request),
        "can_log": permissions.logs_somewhere(request.user),
        "filter_bar": _filter_bar(
            request, form, action="observations:index", htmx=True, has_filters=_has_filters(request)
        ),
    }
    if request.htmx:
        return render(request, "observations/list.html#results", context)
    return render(request, "observations/list.html", context)


def _map_outlines(request, form) -> list[dict]:
    """The outlines drawn under the points: the filtered quartier, or the person's quartiers
    (at most 50: beyond, the points alone say where)."""
    quartiers = quartiers_offered_to(request.user).exclude(outline__isnull=True)
    chosen = valid_filters(form).get("quartier")
    if chosen:
        quartiers = quartiers.filter(pk=chosen.pk)
    return [
        {"name": name, "outline": outline}
        for name, outline in quartiers.order_by("name").values_list("name", "outline")[:50]
    ]


@reads_from_replica
def observation_map(request):
    """The list as a map: the same filters, the same people, the points in view."""
    if not permissions.sees_observation_lists(request.user):
        return redirect("observations:emerging")
    form, _queryset = _filtered(request)
    querystring = _querystring(request)
    context = {
        "form": form,
        "querystring": querystring,
        "map_config": maps.map_config(querystring, _map_outlines(request, form)),
        "filter_bar": _filter_bar(
            request, form, action="observations:map", htmx=False, has_filters=_has_filters(request)
        ),
    }
    return render(request, "observations/map.html", context)


@reads_from_replica
def observation_points(request):
    """GeoJSON of the list's observations with a point, in the visible area (`bbox`)."""
    if not permissions.sees_observation_lists(request.user):
        raise Http404
    _form, queryset = _filtered(request)
    try:
        bbox = selectors.parse_bbox(request.GET.get("bbox", ""))
    except ValueError:
        return JsonResponse(
            {"error": _("Zone demandée invalide : ouest,sud,est,nord en degrés.")}, status=400
        )
    features, truncated = selectors.map_points(queryset, bbox)
    return JsonResponse({"type": "FeatureCollection", "features": features, "truncated": truncated})


CSV_HEADER = [
    "numero", "observee_le", "quartier", "categorie", "titre", "lieu", "description", "etat", "motif_classement",
    "urgence", "service", "phenomene_emergent", "confidentielle", "creee_le",
]  # fmt: skip


class _Echo:
    def write(self, value):
        return value


def _cell(value) -> str:
    """Neutralise spreadsheet formulas typed into free text (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv_rows(queryset):
    yield CSV_HEADER
    for obs in in_chunks(queryset, descending=True):
        confidential = obs.is_confidential
        yield [
            _cell(v)
            for v in (
                obs.pk,
                timezone.localtime(obs.observed_at).strftime("%Y-%m-%d %H:%M"),
                obs.quartier.name,
                obs.category.name,
                obs.public_title,
                "" if confidential else obs.place,
                "" if confidential else obs.description,
                obs.get_status_display(),
                obs.get_closing_reason_display(),
                obs.get_urgency_display(),
                obs.service.name if obs.service_id else "",
                "oui" if obs.is_emerging else "non",
                "oui" if confidential else "non",
                timezone.localtime(obs.created_at).strftime("%Y-%m-%d %H:%M"),
            )
        ]


def observation_export(request):
    """The filtered list as CSV: what the person may read, and never a confidential observation's details."""
    if not permissions.sees_observation_lists(request.user):
        raise Http404
    _form, queryset = _filtered(request)
    writer = csv.writer(_Echo(), delimiter=";")
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in _csv_rows(queryset)),
        content_type="text/csv; charset=utf-8",
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="observations-{stamp}.csv"'
    return response


# Logging -------------------------------------------------------------------------------------


def _saved(request, observation: Observation, *, created: bool):
    if offline.wants_json(request):
        return offline.saved_json(observation, created=created)
    if created:
        messages.success(request, _("Observation enregistrée. Merci !"))
    return redirect(reverse("observations:detail", args=[observation.pk]) + "?enregistree=1")


def observation_create(request):
    if not permissions.logs_somewhere(request.user):
        raise Http404
    if request.method == "POST":
        refusal = offline.refuse_other_owner(request)
        if refusal is not None:
            return refusal
        sent = selectors.observation_sent_with(request.user, offline.sent_key(request))
        if sent is not None:  # sent already (a retry, a double tap): the same observation
            return _saved(request, sent, created=False)
    form = ObservationForm(request.POST or None, request.FILES or None, user=request.user)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        if not offline.wants_json(request):
            duplicates = selectors.possible_duplicates(
                request.user,
                quartier=data["quartier"],
                category=data["category"],
                place=data["place"],
                latitude=data["latitude"],
                longitude=data["longitude"],
            )
        unseen = [d for d in duplicates if d.pk not in form.seen_duplicate_ids]
        if not unseen:
            try:
                observation = services.observation_create(author=request.user, **data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return _saved(request, observation, created=True)
        else:
            # Shown before saving: the agent adds to one of them, or confirms (the ids are now "seen").
            resubmitted = request.POST.copy()  # (the form is bound to request.POST)
            resubmitted["duplicates_seen"] = ",".join(str(d.pk) for d in duplicates)
            form.data = resubmitted
    if request.method == "POST" and offline.wants_json(request):
        return offline.refused_json(form)
    context = {
        "form": form,
        "duplicates": duplicates,
        "had_photos": bool(request.FILES),
        "address_search": geocoding.enabled(),
        "position_messages": maps.position_messages(),
        "point_picker": {
            "tiles": settings.MAP_TILE_URL,
            "attribution": settings.MAP_TILE_ATTRIBUTION,
            "outlines": {
                str(pk): outline
                for pk, outline in permissions.quartiers_for_logging(request.user)
                .exclude(outline__isnull=True)
                .values_list("pk", "outline")[:50]
            },
        },
    }
    return render(request, "observations/form.html", context)


def observation_pending(request):
    """« En attente d'envoi »: what this phone holds for this person, read from the browser's
    queue by static/observations/offline.js (the server knows nothing of it)."""
    return render(request, "observations/pending.html")


def offline_fallback(request):
    """Shown by the phone's service worker, with no network, in place of a page it did not keep
    (the installed app opening on the home page, a link followed): what works without network.
    Kept on the phone with the queue's page (static/observations/offline.js)."""
    return render(request, "observations/offline.html")


@rate_limit("address", limit=30, period=60)
def address_search(request):
    """Addresses matching what was typed in « Lieu » (called by the form's script): choosing one
    attaches its point, with no map. Those outside the chosen quartier are said so."""
    quartiers = permissions.quartiers_for_logging(request.user)
    if not quartiers.exists():
        raise Http404
    quartier = quartiers.filter(pk=whole_number(request.GET.get("quartier")) or 0).first()
    query = request.GET.get("q", "")
    unavailable = False
    try:
        addresses = geocoding.search(query, outline=quartier.outline if quartier else None)
    except geocoding.GeocoderUnavailable:
        addresses, unavailable = [], True
    return render(
        request,
        "observations/_address_search.html#addresses",
        {"addresses": addresses, "unavailable": unavailable, "query": query, "searched": True},
    )


@require_POST
@rate_limit("check", limit=30, period=60)
def observation_check(request):
    """Live checks while typing (called by the form's script): personal data and possible duplicates."""
    quartiers = permissions.quartiers_for_logging(request.user)
    if not quartiers.exists():
        raise Http404
    form = ObservationForm(request.POST, user=request.user)
    form.is_valid()  # only to read what parses; errors are not shown here
    data = getattr(form, "cleaned_data", {})
    from observations.privacy import find_personal_data

    findings = find_personal_data(
        request.POST.get("title", ""),
        request.POST.get("description", ""),
        request.POST.get("place", ""),
    )
    quartier = data.get("quartier") if data.get("quartier") in quartiers else None
    duplicates = selectors.possible_duplicates(
        request.user,
        quartier=quartier,
        category=data.get("category"),
        place=request.POST.get("place", ""),
        latitude=data.get("latitude"),
        longitude=data.get("longitude"),
        exclude_pk=whole_number(request.POST.get("exclude")),
    )
    return render(
        request,
        "observations/form.html#checks",
        {"findings": findings, "duplicates": duplicates, "live": True},
    )


# One observation -----------------------------------------------------------------------------


def _timeline(observation: Observation) -> list[tuple[datetime.datetime, str, object]]:
    events: list[tuple[datetime.datetime, str, object]] = [
        (c.changed_at, "status", c) for c in observation.status_changes.all()
    ]
    events += [(c.created_at, "comment", c) for c in observation.comments.all()]
    events += [(e.created_at, "escalation", e) for e in observation.escalations.all()]
    events += [(e.answered_at, "answer", e) for e in observation.escalations.all() if e.answered_at]
    return sorted(events, key=lambda event: event[0])


def _detail(request, observation: Observation, status=200, **forms):
    user = request.user
    can_triage = permissions.can_triage(user, observation)
    can_status = permissions.can_update_status(user, observation)
    context = {
        "observation": observation,
        "timeline": _timeline(observation),
        "photos": list(observation.photos.all()),
        "escalations": list(observation.escalations.all()),
        "duplicates": list(observation.duplicates.all()),
        "can_edit": permissions.can_edit(user, observation),
        "can_remove_photos": permissions.can_remove_photo(user, observation),
        "can_add_photos": permissions.can_add_photos(user, observation)
        and len(observation.photos.all()) < services.MAX_PHOTOS,
        "can_triage": can_triage,
        "can_status": can_status,
        "can_escalate": permissions.can_escalate(user, observation),
        "just_saved": request.GET.get("enregistree") == "1",
        "comment_form": forms.get("comment_form") or CommentForm(),
    }
    if can_triage:
        context["triage_form"] = forms.get("triage_form") or TriageForm(observation=observation)
        context["merge_form"] = forms.get("merge_form") or MergeForm()
        context["escalation_form"] = forms.get("escalation_form") or EscalationForm()
        if observation.is_open:
            context["suggested_duplicates"] = selectors.possible_duplicates(
                user,
                quartier=observation.quartier,
                category=observation.category,
                place=observation.place,
                latitude=observation.latitude,
                longitude=observation.longitude,
                exclude_pk=observation.pk,
            )
    if can_status:
        context["status_form"] = forms.get("status_form") or StatusForm(observation=observation)
    if context["can_add_photos"]:
        context["photo_form"] = forms.get("photo_form") or PhotoAddForm()
    return render(request, "observations/detail.html", context, status=status)


def observation_detail(request, pk):
    return _detail(request, selectors.observation_detail(request.user, pk))


def observation_edit(request, pk):
    observation = get_object_or_404(selectors.observations_for(request.user), pk=pk)
    if not permissions.can_edit(request.user, observation):
        raise Http404
    form = ObservationEditForm(request.POST or None, instance=observation)
    if request.method == "POST" and form.is_valid():
        try:
            services.observation_update(
                observation=observation, by=request.user, data=form.service_data()
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Observation modifiée."))
            return redirect(observation)
    return render(request, "observations/edit.html", {"form": form, "observation": observation})


@require_POST
def observation_comment(request, pk):
    observation = selectors.observation_detail(request.user, pk)
    if not permissions.can_comment(request.user, observation):
        raise Http404
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment_add(
                observation=observation, author=request.user, body=form.cleaned_data["body"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Commentaire ajouté."))
            return redirect(observation)
    return _detail(request, observation, status=400, comment_form=form)


@require_POST
def observation_triage(request, pk):
    observation = selectors.observation_detail(request.user, pk)
    if not permissions.can_triage(request.user, observation):
        raise Http404
    form = TriageForm(request.POST, observation=observation)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.observation_triage(
                observation=observation,
                by=request.user,
                service=data["service"],
                urgency=data["urgency"],
                comment=data["comment"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Tri enregistré."))
            return redirect(observation)
    return _detail(request, observation, status=400, triage_form=form)


@require_POST
def observation_status(request, pk):
    observation = selectors.observation_detail(request.user, pk)
    if not permissions.can_update_status(request.user, observation):
        raise Http404
    form = StatusForm(request.POST, observation=observation)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.observation_set_status(
                observation=observation,
                by=request.user,
                status=data["status"],
                closing_reason=data["closing_reason"],
                comment=data["comment"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("État mis à jour."))
            return redirect(observation)
    return _detail(request, observation, status=400, status_form=form)


@require_POST
def observation_merge(request, pk):
    observation = selectors.observation_detail(request.user, pk)
    if not permissions.can_triage(request.user, observation):
        raise Http404
    form = MergeForm(request.POST)
    if form.is_valid():
        number = form.cleaned_data["into"]
        into = observations_visible_to(request.user).filter(pk=number).first()
        try:
            if into is None:
                raise ValidationError(
                    _("Aucune observation n° %(n)s dans ce que vous pouvez lire.") % {"n": number}
                )
            services.observation_merge(
                observation=observation,
                into=into,
                by=request.user,
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Observation classée comme doublon."))
            return redirect(observation)
    return _detail(request, observation, status=400, merge_form=form)


@require_POST
def observation_escalate(request, pk):
    observation = selectors.observation_detail(request.user, pk)
    if not permissions.can_escalate(request.user, observation):
        raise Http404
    form = EscalationForm(request.POST)
    if form.is_valid():
        try:
            services.escalation_create(
                observation=observation, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Observation remontée au comité de direction."))
            return redirect(observation)
    return _detail(request, observation, status=400, escalation_form=form)


@require_POST
def observation_photos(request, pk):
    observation = selectors.observation_detail(request.user, pk)
    if not permissions.can_add_photos(request.user, observation):
        raise Http404
    form = PhotoAddForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.photos_add(
                observation=observation, photos=form.cleaned_data["photos"], by=request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Photos ajoutées."))
            return redirect(observation)
    return _detail(request, observation, status=400, photo_form=form)


@require_POST
def photo_remove(request, pk, photo_pk):
    """The detail page's button posts here; this asks to confirm (no script needed), then removes."""
    observation = selectors.observation_detail(request.user, pk)
    photos = list(observation.photos.all())
    photo = next((p for p in photos if p.pk == photo_pk), None)
    if photo is None or not permissions.can_remove_photo(request.user, observation):
        raise Http404
    if request.POST.get("confirmer") != "oui":
        position = photos.index(photo) + 1
        context = {"observation": observation, "photo": photo, "position": position}
        return render(request, "observations/photo_remove.html", context)
    try:
        services.photo_remove(photo=photo, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Photo retirée."))
    return redirect(observation)


def _photo_response(request, pk, photo_pk, field):
    observation = get_object_or_404(observations_visible_to(request.user), pk=pk)
    photo = get_object_or_404(Photo, pk=photo_pk, observation=observation)
    file = getattr(photo, field)
    if not file:
        raise Http404
    try:
        handle = file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = (
        f'inline; filename="observation-{observation.pk}-{photo.pk}.jpg"'
    )
    return response


# A detail page shows 5 thumbnails at most: 240 a minute is far beyond reading, short of scraping.
@rate_limit("photos", limit=240, period=60)
def photo(request, pk, photo_pk):
    return _photo_response(request, pk, photo_pk, "image")


@rate_limit("photos", limit=240, period=60)
def photo_thumbnail(request, pk, photo_pk):
    return _photo_response(request, pk, photo_pk, "thumbnail")


# Service queue -------------------------------------------------------------------------------


@reads_from_replica
def service_queue(request):
    roles = roles_of(request.user)
    if not (roles.manages_services or roles.admin):
        raise Http404
    services_managed = (
        Service.objects.order_by("name")
        if roles.admin
        else Service.objects.filter(pk__in=roles.manages_services)
    )
    service = (
        services_managed.filter(slug=request.GET.get("service")).first()
        if request.GET.get("service")
        else None
    )
    status = request.GET.get("etat", "")
    if status not in Observation.Status.values:
        status = ""
    queryset = selectors.service_queue(request.user, service=service, status=status)
    page = selectors.keyset_page(
        queryset,
        after=whole_number(request.GET.get("apres")),
        before=whole_number(request.GET.get("avant")),
    )
    context = {
        "page": page,
        "services_managed": list(services_managed),
        "service": service,
        "status": status,
        "statuses": Observation.Status.choices,
        "querystring": _querystring(request),
    }
    return render(request, "observations/queue.html", context)


# Escalations ---------------------------------------------------------------------------------


@reads_from_replica
def escalation_list(request):
    roles = roles_of(request.user)
    if not (roles.admin or roles.comite_direction or roles.member_of or roles.manages_services):
        raise Http404
    form = EscalationFilterForm(
        request.GET or None, quartiers=quartiers_offered_to(request.user).order_by("name")
    )
    filters = valid_filters(form)
    answered = {"oui": True, "non": False}.get(filters.get("repondues", ""))
    quartier = filters.get("quartier")
    escalations = selectors.escalations_for(request.user, answered=answered, quartier=quartier)
    page = selectors.deferred_page(escalations, request.GET.get("page"), per_page=20)
    observation_ids = [e.observation_id for e in page]
    readable = set(
        observations_visible_to(request.user)
        .filter(pk__in=observation_ids)
        .values_list("pk", flat=True)
    )
    can_answer = permissions.can_answer_escalation(request.user)
    context = {
        "page": page,
        "readable": readable,
        "can_answer": can_answer,
        "form": form,
        "querystring": _querystring(request, "page"),
        "answer_form": AnswerForm(),
        "digests": list(EscalationDigest.objects.order_by("-month")[:12]) if can_answer else [],
        "last_month": selectors.previous_month(),
    }
    return render(request, "observations/escalations.html", context)


@require_POST
def escalation_answer(request, pk):
    if not permissions.can_answer_escalation(request.user):
        raise Http404
    escalation = get_object_or_404(escalations_visible_to(request.user), pk=pk)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.escalation_answer(
                escalation=escalation, by=request.user, answer=form.cleaned_data["answer"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Réponse enregistrée : l'équipe du quartier la voit."))
    else:
        messages.error(request, _("La réponse est vide."))
    return redirect(reverse("observations:escalations") + f"#remontee-{escalation.pk}")


@require_POST
def digest_request(request):
    if not permissions.can_answer_escalation(request.user):
        raise Http404
    try:
        month = datetime.date.fromisoformat(request.POST.get("month", ""))
    except ValueError:
        month = selectors.previous_month()
    services.escalation_digest_request(month=month, requested_by=request.user)
    messages.success(
        request,
        _("La synthèse est en préparation : elle sera aussi envoyée par courriel au comité."),
    )
    return redirect(reverse("observations:escalations") + "#syntheses")


def digest_status(request, pk):
    if not permissions.can_answer_escalation(request.user):
        raise Http404
    job = get_object_or_404(EscalationDigest, pk=pk)
    return render(request, "observations/_digest_state.html", {"job": job})


def digest_download(request, pk):
    if not permissions.can_answer_escalation(request.user):
        raise Http404
    job = get_object_or_404(EscalationDigest, pk=pk, status=EscalationDigest.Status.READY)
    if not job.file:
        raise Http404
    return FileResponse(
        job.file.open("rb"), content_type="application/pdf", as_attachment=True,
        filename=f"remontees-{job.month:%Y-%m}.pdf",
    )  # fmt: skip


@require_POST
def digest_retry(request, pk):
    if not permissions.can_answer_escalation(request.user):
        raise Http404
    from foundation.jobs import retry

    retry(get_object_or_404(EscalationDigest, pk=pk))
    return redirect(reverse("observations:escalations") + "#syntheses")


# Phénomènes émergents ------------------------------------------------------------------------


@reads_from_replica
def emerging(request):
    switch = quartier_switch(
        request,
        permissions.quartiers_for_counts(request.user),
        own_ids=roles_of(request.user).quartier_ids,
    )
    if switch is None:
        raise Http404
    quartier = switch.quartier
    report = selectors.emerging_report(quartier)
    flagged = list(
        selectors.observations_for(request.user)
        .filter(
            quartier=quartier,
            is_emerging=True,
            observed_at__gte=selectors.start_of(report.current_start),
        )
        .order_by("-id")[:10]
    )
    context = {
        "switch": switch,
        "quartier": quartier,
        "report": report,
        "chart": selectors.emerging_chart(report),
        "flagged": flagged,
    }
    return render(request, "observations/emerging.html", context)


# Orientations --------------------------------------------------------------------------------


@reads_from_replica
def orientation_log(request):
    """Two clicks at the reception: the need, then the service. Anonymous by construction."""
    quartiers = permissions.quartiers_for_logging(request.user)
    switch = quartier_switch(request, quartiers, own_ids=roles_of(request.user).quartier_ids)
    if switch is None:
        raise Http404
    if request.method == "POST":
        form = OrientationForm(request.POST, quartiers=quartiers)
        if form.is_valid():
            data = form.cleaned_data
            services.orientation_log(
                quartier=data["quartier"],
                need=data["need"],
                service=data["service"],
                by=request.user,
            )
            messages.success(
                request,
                _("Orientation enregistrée : %(need)s → %(service)s.")
                % {"need": data["need"].name, "service": data["service"].name},
            )
            return redirect(
                reverse("observations:orientation_log") + f"?quartier={data['quartier'].slug}"
            )
        messages.error(request, _("Choisissez un besoin et un service."))
    quartier = switch.quartier
    needs = list(NeedType.objects.filter(is_active=True).select_related("default_service"))
    need = next((n for n in needs if n.slug == request.GET.get("besoin")), None)
    service_choices = []
    if need is not None:
        all_services = list(Service.objects.order_by("name"))
        service_choices = sorted(all_services, key=lambda s: s.pk != need.default_service_id)
    today_count = services.Orientation.objects.filter(
        quartier=quartier, oriented_on=timezone.localdate()
    ).count()
    context = {
        "switch": switch,
        "quartier": quartier,
        "needs": needs,
        "need": need,
        "service_choices": service_choices,
        "today_count": today_count,
    }
    return render(request, "observations/orientation_log.html", context)


@reads_from_replica
def orientation_counts(request):
    quartiers = permissions.quartiers_for_counts(request.user).order_by("name")
    roles = roles_of(request.user)
    if not (quartiers.exists() or roles.manages_services):
        raise Http404
    today = timezone.localdate()
    form = PeriodForm(request.GET or None, quartiers=quartiers)
    data = valid_filters(form)
    start = data.get("start") or today - datetime.timedelta(days=89)
    end = data.get("end") or today
    table = selectors.orientation_counts(
        request.user, quartier=data.get("quartier"), start=start, end=end
    )
    context = {
        "form": form,
        "table": table,
        "start": start,
        "end": end,
        "can_log": permissions.logs_somewhere(request.user),
    }
    return render(request, "observations/orientation_counts.html", context)
