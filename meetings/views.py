"""Views of `meetings`: get the object for the user → check → one service call → response."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from bookings import selectors as booking_selectors
from bookings.ical import booking_event
from foundation import generations
from foundation.numbers import whole_number, whole_numbers
from foundation.panels import render_panels
from foundation.replica import primary_reads, reads_from_replica
from meetings import permissions, selectors, services
from meetings.documents import calendar_of
from meetings.forms import (
    ActionFilterForm,
    ActionForm,
    ActionStatusForm,
    InviteForm,
    ItemMinutesForm,
    MeetingForm,
    MergeForm,
    MinutesSummaryForm,
    ProposalForm,
    RsvpForm,
    WorkingGroupForm,
    YearForm,
    YearPlanFormSet,
)
from meetings.models import (
    AgendaDocument,
    AgendaItem,
    MailKind,
    Meeting,
    MinutesDocument,
)
from teams.access import quartiers_visible_to, roles_of

PAGE_SIZE = 20


def _posted(request):
    """The submitted data on POST (even empty: an empty form is still a submission), None otherwise."""
    return request.POST if request.method == "POST" else None


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _managed(request, pk: int) -> Meeting:
    meeting = selectors.meeting_for(request.user, pk)
    if not permissions.can_manage(request.user, meeting):
        raise Http404
    return meeting


# Lists and calendars -------------------------------------------------------------------------


@reads_from_replica
def index(request):
    """Réunions: what comes next for me, then the past meetings I can read."""
    roles = roles_of(request.user)
    upcoming = selectors.upcoming_meetings(request.user, limit=50)
    page = Paginator(selectors.past_meetings(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "upcoming": upcoming,
        "page": page,
        "quartiers": list(quartiers_visible_to(request.user).order_by("name")),
        "managed_quartiers": list(permissions.quartiers_managed_by(request.user).order_by("name")),
        "can_create": permissions.can_create_meetings(request.user),
        "roles": roles,
    }
    if request.htmx:
        return render(request, "meetings/index.html#past", context)
    return render(request, "meetings/index.html", context)


def _year(request) -> int:
    try:
        year = int(request.GET.get("annee", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


def _by_month(meetings: list[Meeting]) -> list[tuple[datetime.date, list[Meeting]]]:
    months: dict[datetime.date, list[Meeting]] = {}
    for meeting in meetings:
        local = timezone.localtime(meeting.start)
        months.setdefault(local.date().replace(day=1), []).append(meeting)
    return list(months.items())


@reads_from_replica
def quartier_calendar(request, slug):
    quartier = permissions.quartier_calendar_for(request.user, slug)
    year = _year(request)
    meetings = selectors.meetings_of_year(request.user, year=year, quartier=quartier)
    context = {
        "quartier": quartier,
        "year": year,
        "months": _by_month(meetings),
        "can_plan": permissions.can_plan(request.user, quartier),
        "today": timezone.localdate(),
    }
    return render(request, "meetings/calendar.html", context)


@reads_from_replica
def my_agenda(request):
    year = _year(request)
    meetings = selectors.meetings_of_year(request.user, year=year, invited_only=True)
    token = selectors.feed_token_of(request.user)
    feed_url = (
        request.build_absolute_uri(reverse("meetings:feed", args=[token.token])) if token else None
    )
    context = {
        "year": year,
        "months": _by_month(meetings),
        "token": token,
        "feed_url": feed_url,
        "mine": True,
        "today": timezone.localdate(),
    }
    return render(request, "meetings/calendar.html", context)


@require_POST
def feed_renew(request):
    services.feed_token_renew(agent=request.user)
    messages.success(
        request, _("Votre nouvelle adresse d'agenda est prête. L'ancienne ne fonctionne plus.")
    )
    return redirect(reverse("meetings:my_agenda") + "#abonnement")


@require_POST
def feed_revoke(request):
    services.feed_token_revoke(agent=request.user)
    messages.success(
        request, _("Votre adresse d'agenda est révoquée : plus aucun logiciel ne peut la lire.")
    )
    return redirect(reverse("meetings:my_agenda") + "#abonnement")


@reads_from_replica
@login_not_required
@never_cache
def feed(request, token):
    """The personal iCalendar feed: secret, revocable; an expired or revoked token answers 404."""
    with primary_reads():  # a revoked token stops at once, whatever the replica's delay
        feed_token = selectors.feed_token(token)
    services.feed_token_touch(feed_token)
    agent = feed_token.agent

    def build() -> bytes:
        since = timezone.now() - datetime.timedelta(days=365)
        meetings = selectors.feed_meetings(agent, since=since)
        # Bookings: the person's own, except a meeting's room (the meeting itself is in the feed).
        bookings = booking_selectors.feed_bookings(agent, since=since).filter(meeting__isnull=True)
        return calendar_of(
            meetings,
            name=_("Réunions de quartier — %(name)s") % {"name": agent},
            extra_events=[booking_event(booking) for booking in bookings],
        )

    # Calendar programs poll the feed: it is built again only after a change of the person's
    # meetings, invitations or bookings (foundation.generations), or the next day.
    body = generations.cached(
        f"feed:{feed_token.pk}:{timezone.localdate():%Y%m%d}", [f"agent:{agent.pk}"], build
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="reunions.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response


# Planning ------------------------------------------------------------------------------------


def plan_year(request, slug):
    """Propose the year's équipes and ETT on sensible dates; the chef adjusts them, then confirms."""
    quartier = permissions.quartier_calendar_for(request.user, slug)
    if not permissions.can_plan(request.user, quartier):
        raise Http404
    default_year = timezone.localdate().year + (timezone.localdate().month >= 10)
    year_form = YearForm(request.GET or {"year": default_year})
    year = year_form.cleaned_data["year"] if year_form.is_valid() else default_year
    proposals = selectors.year_proposals(quartier=quartier, year=year)
    if request.method == "POST":
        formset = YearPlanFormSet(request.POST, prefix="plan")
        if formset.is_valid():
            try:
                created = services.year_plan_confirm(
                    quartier=quartier, organiser=request.user, rows=formset.planned_rows()
                )
            except ValidationError as exc:
                if not formset.add_plan_errors(exc):
                    messages.error(request, _errors(exc))
            else:
                messages.success(
                    request,
                    _("%(n)s réunions planifiées : l'équipe y est invitée.") % {"n": len(created)},
                )
                return redirect(
                    reverse("meetings:quartier_calendar", args=[quartier.slug]) + f"?annee={year}"
                )
    else:
        initial = YearPlanFormSet.initial_from(proposals, place=quartier.meeting_place or "")
        formset = YearPlanFormSet(initial=initial, prefix="plan")
    context = {
        "quartier": quartier,
        "year": year,
        "year_form": year_form,
        "formset": formset,
        "rows": formset.rows(),
        "skipped": [p for p in proposals if p.date is None],
        "notes": {p.label: p.note for p in proposals if p.date is not None and p.note},
        "has_row_errors": bool(formset.row_errors),
    }
    return render(request, "meetings/plan_year.html", context)


# A meeting -----------------------------------------------------------------------------------


def meeting_create(request):
    if not permissions.can_create_meetings(request.user):
        raise Http404
    quartiers = permissions.quartiers_managed_by(request.user).order_by("name")
    initial = {"kind": request.GET.get("type", Meeting.Kind.EQUIPE)}
    chosen = selectors.quartier_or_first(quartiers, slug=request.GET.get("quartier"))
    if chosen:
        initial.update(quartier=chosen, place=chosen.meeting_place)
    groups = selectors.convenable_working_groups(request.user)
    group_pk = whole_number(request.GET.get("groupe"))
    if group_pk is not None:
        initial["working_group"] = groups.filter(pk=group_pk).first()
    rooms = _rooms(request.user)
    if rooms is not None and chosen:
        initial["room"] = booking_selectors.default_room(chosen)
    form = MeetingForm(
        _posted(request), quartiers=quartiers, working_groups=groups, initial=initial, rooms=rooms
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_create(
                kind=data["kind"],
                title=data["title"],
                quartier=data["quartier"],
                working_group=data["working_group"],
                organiser=request.user,
                place=data["place"],
                start=data["start"],
                end=data["end"],
                proposals_deadline=data.get("proposals_deadline_at"),
                room=data.get("room"),
            )
        except ValidationError as exc:
            _attach(form, exc)
        else:
            messages.success(request, _("Réunion planifiée ; les invitations sont prêtes."))
            clash = selectors.invitee_clash(meeting)
            if clash:
                messages.warning(
                    request,
                    _("Attention : des invités ont déjà une réunion à ce moment (%(m)s).")
                    % {"m": clash},
                )
            return redirect(meeting)
    return render(request, "meetings/meeting_form.html", {"form": form})


def _rooms(user, meeting: Meeting | None = None):
    """Rooms (bookings) offered in the meeting form, the one booked included; None: no field."""
    booking = meeting.room_booking if meeting is not None else None
    booked = booking.resource_id if booking is not None and not booking.is_cancelled else None
    rooms = booking_selectors.rooms_for_meetings(user, also=booked)
    return rooms if rooms.exists() else None


def _attach(form, exc: ValidationError) -> None:
    mapping = {"start": "date", "end": "end_time", "proposals_deadline": "proposals_deadline"}
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            target = mapping.get(field, field)
            form.add_error(target if target in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def meeting_edit(request, pk):
    meeting = _managed(request, pk)
    form = MeetingForm(
        _posted(request),
        editing=True,
        initial=MeetingForm.initial_for(meeting),
        rooms=_rooms(request.user, meeting),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changes = {
            "title": data["title"],
            "place": data["place"],
            "start": data["start"],
            "end": data["end"],
        }
        if data.get("proposals_deadline_at"):
            changes["proposals_deadline"] = data["proposals_deadline_at"]
        if "room" in form.fields:
            changes["room"] = data.get("room")
        try:
            services.meeting_update(meeting=meeting, data=changes)
        except ValidationError as exc:
            _attach(form, exc)
        else:
            if meeting.agenda_changed:
                messages.warning(
                    request,
                    _(
                        "La réunion est modifiée. Son ordre du jour était publié : publiez la version %(v)s pour prévenir les invités."
                    )
                    % {"v": meeting.agenda_version + 1},
                )
            else:
                messages.success(request, _("La réunion est modifiée."))
            return redirect(meeting)
    return render(request, "meetings/meeting_form.html", {"form": form, "meeting": meeting})


@require_POST
def meeting_cancel(request, pk):
    meeting = _managed(request, pk)
    try:
        services.meeting_cancel(meeting=meeting)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(
            request,
            _(
                "La réunion est annulée : chaque invité en est prévenu par courriel, "
                "avec l'annulation à appliquer à son agenda."
            ),
        )
    return redirect(meeting)


def meeting_detail(request, pk):
    meeting = selectors.meeting_for(request.user, pk)
    can_manage = permissions.can_manage(request.user, meeting)
    invitation = permissions.invitation_of(request.user, meeting)
    invitations = selectors.invitations_of(meeting)
    agenda_job, minutes_job = selectors.latest_agenda(meeting), selectors.latest_minutes(meeting)
    schedule: selectors.Schedule | None
    minutes: selectors.Schedule | None
    if can_manage:  # the drafts, marked as such
        schedule = minutes = selectors.agenda_schedule(meeting)
        minutes_summary = meeting.minutes_summary
    else:  # the versions published, never what was edited since
        schedule = selectors.readers_agenda(meeting, agenda_job, invited=invitation is not None)
        minutes = selectors.readers_schedule(minutes_job)
        minutes_summary = minutes.summary if minutes else ""
    room, room_readable = booking_selectors.meeting_room(request.user, meeting)
    context = {
        "meeting": meeting,
        "room": room,
        "room_readable": room_readable,
        "can_manage": can_manage,
        "invitation": invitation,
        "invitations": invitations,
        "counts": selectors.response_counts(invitations),
        "schedule": schedule,
        "minutes": minutes,
        "minutes_summary": minutes_summary,
        "can_propose": permissions.can_propose(request.user, meeting),
        "can_rsvp": permissions.can_rsvp(request.user, meeting),
        "rsvp_form": RsvpForm(initial={"response": invitation.response if invitation else None}),
        "can_read_minutes": permissions.can_read_minutes(request.user, meeting),
        "agenda_job": agenda_job,
        "minutes_job": minutes_job,
        "my_proposals": [] if can_manage else selectors.proposals(request.user, meeting),
        "unserved": selectors.unserved_counts(meeting) if can_manage else {},
        "now": timezone.now(),
        "panels": render_panels("meeting", request, meeting),
    }
    return render(request, "meetings/meeting_detail.html", context)


def meeting_calendar_file(request, pk):
    """The meeting as an .ics file, to add to one's calendar program from its page."""
    meeting = selectors.meeting_for(request.user, pk)
    day = timezone.localtime(meeting.start).date()
    response = HttpResponse(
        calendar_of([meeting], name=meeting.display_title),
        content_type="text/calendar; charset=utf-8",
    )
    filename = f"reunion-{slugify(meeting.display_title)}-{day:%Y-%m-%d}.ics"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_POST
def rsvp(request, pk):
    meeting = selectors.meeting_for(request.user, pk)
    if not permissions.can_rsvp(request.user, meeting):
        raise Http404
    form = RsvpForm(request.POST)
    if form.is_valid():
        invitation = permissions.invitation_of(request.user, meeting)
        if invitation is None:  # (can_rsvp found it above)
            raise Http404
        services.invitation_respond(invitation=invitation, response=form.cleaned_data["response"])
        messages.success(
            request,
            _("Votre réponse est enregistrée : %(r)s.") % {"r": invitation.get_response_display()},
        )
    else:
        messages.error(request, _("Choisissez présent, absent ou peut-être."))
    return redirect(meeting)


def invitations(request, pk):
    """Invite more people; after the meeting, record who attended."""
    meeting = _managed(request, pk)
    form = InviteForm(_posted(request), meeting=meeting)
    if request.method == "POST" and form.is_valid():
        externals = list(form.cleaned_data["externals"])
        if form.cleaned_data["partner"]:
            externals += list(form.cleaned_data["partner"].participants.all())
        added = services.invitations_add(
            meeting=meeting, agents=form.cleaned_data["agents"], externals=externals
        )
        messages.success(request, _("%(n)s personne(s) invitée(s).") % {"n": added})
        return redirect("meetings:invitations", pk=meeting.pk)
    context = {
        "meeting": meeting,
        "form": form,
        "invitations": selectors.invitations_of(meeting),
        "attendance_open": meeting.start <= timezone.now() and not meeting.is_cancelled,
    }
    return render(request, "meetings/invitations.html", context)


@require_POST
def invitation_remove(request, pk, invitation_pk):
    meeting = _managed(request, pk)
    invitation = selectors.meeting_invitation(meeting, invitation_pk)
    try:
        services.invitation_remove(invitation=invitation)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("Invitation retirée."))
    return redirect("meetings:invitations", pk=meeting.pk)


@require_POST
def attendance(request, pk):
    meeting = _managed(request, pk)
    present = whole_numbers(request.POST.getlist("present"))
    try:
        count = services.attendance_record(meeting=meeting, present_ids=present)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("Présences enregistrées : %(n)s présent(s).") % {"n": count})
    return redirect("meetings:invitations", pk=meeting.pk)


# Agenda --------------------------------------------------------------------------------------


def agenda(request, pk):
    """The agenda builder (who manages) and the proposal form (invitees)."""
    meeting = selectors.meeting_for(request.user, pk)
    can_manage = permissions.can_manage(request.user, meeting)
    can_propose = permissions.can_propose(request.user, meeting)
    if not (can_manage or can_propose or permissions.invitation_of(request.user, meeting)):
        raise Http404
    observations = selectors.citable_observations_for(request.user, meeting)
    form = ProposalForm(_posted(request), observations=observations)
    if request.method == "POST":
        if not (can_manage or can_propose):
            messages.error(
                request,
                _("La date limite des propositions est passée : adressez-vous au chef de projet."),
            )
            return redirect("meetings:agenda", pk=meeting.pk)
        if form.is_valid():
            try:
                services.item_propose(
                    meeting=meeting,
                    proposed_by=request.user,
                    accept=can_manage,
                    **form.cleaned_data,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                if can_manage:
                    messages.success(request, _("Point ajouté à l'ordre du jour."))
                else:
                    messages.success(
                        request, _("Votre proposition est transmise au chef de projet.")
                    )
                return redirect(reverse("meetings:agenda", args=[meeting.pk]) + "#ordre-du-jour")
    context = _builder_context(request, meeting, can_manage=can_manage)
    context.update(form=form, can_propose=can_propose or can_manage)
    if request.htmx and request.method == "GET":
        return render(request, "meetings/agenda.html#builder", context)
    return render(request, "meetings/agenda.html", context)


def _builder_context(request, meeting: Meeting, *, can_manage: bool) -> dict:
    """Who manages builds the draft; invitees read the agenda as published (None before)."""
    schedule = (
        selectors.agenda_schedule(meeting)
        if can_manage
        else selectors.readers_agenda(meeting, selectors.latest_agenda(meeting), invited=True)
    )
    return {
        "meeting": meeting,
        "can_manage": can_manage,
        "schedule": schedule,
        "proposals": selectors.proposals(request.user, meeting),
    }


def _item(request, pk, item_pk) -> AgendaItem:
    meeting = _managed(request, pk)
    return selectors.meeting_item(meeting, item_pk)


ITEM_ACTIONS = {"accept", "withdraw", "defer", "up", "down"}


@require_POST
def item_decide(request, pk, item_pk):
    item = _item(request, pk, item_pk)
    decision = request.POST.get("decision")
    if decision not in ITEM_ACTIONS or (
        item.is_action_review and decision in {"defer", "withdraw"}
    ):
        messages.error(request, _("Action inconnue sur ce point."))
        return redirect("meetings:agenda", pk=pk)
    if decision == "accept":
        services.item_accept(item=item)
        messages.success(request, _("« %(t)s » est retenu à l'ordre du jour.") % {"t": item.title})
    elif decision == "withdraw":
        services.item_withdraw(item=item)
        messages.success(
            request,
            _("« %(t)s » est retiré de l'ordre du jour (il reste dans les propositions).")
            % {"t": item.title},
        )
    elif decision == "defer":
        target = services.item_defer(item=item)
        if target:
            messages.success(
                request,
                _("« %(t)s » est reporté à la réunion du %(d)s.")
                % {"t": item.title, "d": timezone.localtime(target.start).strftime("%d/%m/%Y")},
            )
        else:
            messages.success(
                request,
                _(
                    "« %(t)s » est reporté ; il sera proposé dès que la prochaine réunion sera planifiée."
                )
                % {"t": item.title},
            )
    else:
        services.item_move(item=item, offset=-1 if decision == "up" else 1)
    if request.htmx:
        meeting = selectors.meeting_for(request.user, pk)  # fresh: versions and order changed
        context = _builder_context(request, meeting, can_manage=True)
        context["flash"] = [
            str(message) for message in messages.get_messages(request)
        ]  # shown in the partial
        return render(request, "meetings/agenda.html#builder", context)
    _warn_if_published(request, item.meeting)
    return redirect(reverse("meetings:agenda", args=[pk]) + "#ordre-du-jour")


def _warn_if_published(request, meeting: Meeting) -> None:
    meeting.refresh_from_db(fields=["agenda_changed", "agenda_version"])
    if meeting.agenda_changed:
        messages.warning(
            request,
            _(
                "L'ordre du jour publié (version %(v)s) a changé : publiez la version %(n)s pour l'envoyer aux invités."
            )
            % {"v": meeting.agenda_version, "n": meeting.agenda_version + 1},
        )


def item_edit(request, pk, item_pk):
    item = _item(request, pk, item_pk)
    meeting = item.meeting
    observations = (
        selectors.citable_observations_for(request.user, meeting) | item.observations.all()
    )
    form = ProposalForm(_posted(request), instance=item, observations=observations.distinct())
    merge_form = MergeForm(item=item)
    if request.method == "POST" and form.is_valid():
        try:
            services.item_update(item=item, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Le point est modifié."))
            _warn_if_published(request, meeting)
            return redirect(reverse("meetings:agenda", args=[pk]) + "#ordre-du-jour")
    return render(
        request,
        "meetings/item_form.html",
        {"meeting": meeting, "item": item, "form": form, "merge_form": merge_form},
    )


@require_POST
def item_merge(request, pk, item_pk):
    item = _item(request, pk, item_pk)
    form = MergeForm(request.POST, item=item)
    if form.is_valid():
        try:
            into = services.item_merge(item=item, into=form.cleaned_data["into"])
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(
                request,
                _("« %(a)s » est fusionné dans « %(b)s ».") % {"a": item.title, "b": into.title},
            )
            _warn_if_published(request, item.meeting)
    else:
        messages.error(request, _("Choisissez le point dans lequel fusionner."))
    return redirect(reverse("meetings:agenda", args=[pk]) + "#ordre-du-jour")


@require_POST
def agenda_publish(request, pk):
    meeting = _managed(request, pk)
    try:
        document, created = services.agenda_publish(meeting=meeting, requested_by=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect(reverse("meetings:agenda", args=[pk]) + "#ordre-du-jour")
    if created:
        messages.success(
            request,
            _(
                "Ordre du jour publié (version %(v)s) : le PDF est en préparation, puis il sera envoyé à chaque invité."
            )
            % {"v": document.version},
        )
    elif document.status == document.Status.PENDING:
        messages.info(
            request,
            _(
                "Le document est en préparation : il sera envoyé dès qu'il est prêt, une seule fois."
            ),
        )
    else:
        messages.info(
            request,
            _(
                "Cet ordre du jour (version %(v)s) est déjà publié et n'a pas changé : rien n'est envoyé une seconde fois."
            )
            % {"v": document.version},
        )
    return redirect(reverse("meetings:detail", args=[pk]) + "#documents")


def _document(request, pk, model, document_pk):
    meeting = selectors.meeting_for(request.user, pk)
    if model is MinutesDocument and not permissions.can_read_minutes(request.user, meeting):
        raise Http404
    return meeting, selectors.meeting_document(meeting, model, document_pk)


DOCUMENTS = {"ordre-du-jour": AgendaDocument, "compte-rendu": MinutesDocument}


def document_status(request, pk, kind, document_pk):
    model = DOCUMENTS[kind]
    meeting, document = _document(request, pk, model, document_pk)
    return render(
        request,
        "meetings/_job_state.html",
        {
            "meeting": meeting,
            "job": document,
            "kind": kind,
            "can_manage": permissions.can_manage(request.user, meeting),
        },
    )


@require_POST
def document_retry(request, pk, kind, document_pk):
    model = DOCUMENTS[kind]
    meeting, document = _document(request, pk, model, document_pk)
    if not permissions.can_manage(request.user, meeting):
        raise Http404
    if services.document_retry(document=document):
        messages.success(request, _("Nouvelle tentative lancée."))
    else:
        messages.info(request, _("Ce document n'est pas en échec : rien à relancer."))
    if request.htmx:
        document.refresh_from_db()
        return document_status(request, pk, kind, document_pk)
    return redirect(reverse("meetings:detail", args=[pk]) + "#documents")


@require_POST
def resend_unserved(request, pk, kind):
    """« Renvoyer aux invités non servis »: the invitees whose email never left, or may not have."""
    meeting = selectors.meeting_for(request.user, pk)
    if not permissions.can_manage(request.user, meeting) or kind not in MailKind.values:
        raise Http404
    count = services.deliveries_resend(meeting=meeting, kind=kind)
    if count:
        messages.success(
            request,
            ngettext(
                "Le courriel repart vers %(n)s invité.",
                "Le courriel repart vers %(n)s invités.",
                count,
            )
            % {"n": count},
        )
    else:
        messages.info(request, _("Tous les invités ont été servis : rien à renvoyer."))
    return redirect(reverse("meetings:detail", args=[pk]) + "#documents")


def document_download(request, pk, kind, document_pk):
    model = DOCUMENTS[kind]
    _meeting, document = _document(request, pk, model, document_pk)
    if document.status != model.Status.READY or not document.file:
        raise Http404
    response = FileResponse(
        document.file.open("rb"),
        content_type="application/pdf",
        filename=document.file.name.rsplit("/", 1)[-1],
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# Minutes and actions -------------------------------------------------------------------------


def minutes(request, pk):
    """The chef writes the compte rendu item by item, with decisions and actions."""
    meeting = _managed(request, pk)
    schedule = selectors.agenda_schedule(meeting, with_actions=True)
    editable = meeting.start <= timezone.now() and not meeting.is_cancelled
    post = request.POST if request.method == "POST" and "save_minutes" in request.POST else None
    summary_form = MinutesSummaryForm(post, initial={"summary": meeting.minutes_summary})
    item_forms = [
        (
            row,
            ItemMinutesForm(
                post,
                prefix=f"item-{row.item.pk}",
                initial={"notes": row.item.notes, "decisions": row.item.decisions},
            ),
        )
        for row in schedule.rows
    ]
    if post is not None and summary_form.is_valid() and all(f.is_valid() for _r, f in item_forms):
        try:
            services.minutes_update(
                meeting=meeting,
                summary=summary_form.cleaned_data["summary"],
                items={
                    row.item.pk: (f.cleaned_data["notes"], f.cleaned_data["decisions"])
                    for row, f in item_forms
                },
            )
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("Compte rendu enregistré."))
            return redirect(reverse("meetings:minutes", args=[pk]))
    owners = selectors.action_owners(meeting)
    observations = selectors.citable_observations_for(request.user, meeting)
    action_post = (
        request.POST if request.method == "POST" and "add_action" in request.POST else None
    )
    action_form = ActionForm(
        action_post, meeting=meeting, owners=owners, observations=observations, prefix="action"
    )
    if action_post is not None and action_form.is_valid():
        data = action_form.cleaned_data
        try:
            services.action_create(meeting=meeting, **data)
        except ValidationError as exc:
            _attach(action_form, exc)
        else:
            messages.success(request, _("Action ajoutée : %(t)s.") % {"t": data["title"]})
            return redirect(reverse("meetings:minutes", args=[pk]) + "#actions")
    context = {
        "meeting": meeting,
        "schedule": schedule,
        "summary_form": summary_form,
        "item_forms": item_forms,
        "action_form": action_form,
        "loose_actions": selectors.loose_actions(meeting),
        "editable": editable,
        "minutes_job": selectors.latest_minutes(meeting),
    }
    return render(request, "meetings/minutes.html", context)


@require_POST
def minutes_publish(request, pk):
    meeting = _managed(request, pk)
    try:
        document, created = services.minutes_publish(meeting=meeting, requested_by=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect("meetings:minutes", pk=pk)
    if created:
        messages.success(
            request,
            _(
                "Compte rendu publié (version %(v)s) : le PDF est en préparation, puis les invités sont prévenus."
            )
            % {"v": document.version},
        )
    else:
        messages.info(
            request,
            _(
                "Ce compte rendu est déjà publié et n'a pas changé : rien n'est envoyé une seconde fois."
            ),
        )
    return redirect(reverse("meetings:detail", args=[pk]) + "#documents")


@require_POST
def action_delete(request, pk, action_pk):
    meeting = _managed(request, pk)
    action = selectors.meeting_action(meeting, action_pk)
    services.action_delete(action=action)
    messages.success(request, _("Action supprimée."))
    return redirect(reverse("meetings:minutes", args=[pk]) + "#actions")


def _actions_page(request, actions_qs, context, template):
    form = ActionFilterForm(request.GET or None)
    status = (form.cleaned_data.get("status") or "open") if form.is_valid() else "open"
    page = Paginator(actions_qs(status), PAGE_SIZE).get_page(request.GET.get("page"))
    for action in page.object_list:
        action.can_update = permissions.can_update_action(request.user, action)
    query = request.GET.copy()
    query.pop("page", None)
    context.update(
        {
            "page": page,
            "filter_form": form,
            "status": status,
            "querystring": query.urlencode(),
            "today": timezone.localdate(),
            "status_form": ActionStatusForm(),
        }
    )
    if request.htmx:
        return render(request, f"{template}#results", context)
    return render(request, template, context)


@reads_from_replica
def my_actions(request):
    return _actions_page(
        request,
        lambda status: selectors.my_actions(request.user, status=status),
        {"mine": True, "counts": selectors.action_counts(request.user)},
        "meetings/actions.html",
    )


@reads_from_replica
def actions_board(request, slug):
    quartier = permissions.quartier_calendar_for(request.user, slug)
    return _actions_page(
        request,
        lambda status: selectors.actions_board(request.user, quartier=quartier, status=status),
        {"quartier": quartier, "counts": selectors.action_counts(request.user, quartier=quartier)},
        "meetings/actions.html",
    )


@require_POST
def action_status(request, action_pk):
    action = selectors.action_for(request.user, action_pk)
    if not permissions.can_update_action(request.user, action):
        raise Http404
    form = ActionStatusForm(request.POST)
    if form.is_valid():
        services.action_set_status(action=action, status=form.cleaned_data["status"])
        messages.success(
            request, _("« %(t)s » : %(s)s.") % {"t": action.title, "s": action.get_status_display()}
        )
    else:
        messages.error(request, _("État inconnu."))
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return redirect(next_url)
    return redirect("meetings:my_actions")


# Groupes de travail --------------------------------------------------------------------------


def working_groups(request):
    """The groupes de travail the user sees; who may manage one finds its link here."""
    groups = list(selectors.working_groups_for(request.user))
    for group in groups:
        group.manageable = permissions.can_manage_working_group(request.user, group)
    context = {
        "groups": groups,
        "can_create": permissions.can_create_working_group(request.user),
    }
    return render(request, "meetings/working_groups.html", context)


def working_group_create(request):
    if not permissions.can_create_working_group(request.user):
        raise Http404
    initial = {"quartiers": list(permissions.quartiers_managed_by(request.user)[:1])}
    if roles_of(request.user).admin:
        initial = {}
    form = WorkingGroupForm(_posted(request), user=request.user, initial=initial)
    return _working_group_save(request, form, None)


def working_group_edit(request, pk):
    group = selectors.working_group_for(request.user, pk)
    form = WorkingGroupForm(_posted(request), user=request.user, instance=group)
    return _working_group_save(request, form, group)


def _working_group_save(request, form: WorkingGroupForm, group):
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.working_group_save(
                group=group,
                name=data["name"],
                description=data["description"],
                quartiers=data["quartiers"],
                members=data["members"],
                external_members=data["external_members"],
                is_active=data["is_active"],
            )
        except ValidationError as exc:
            _attach(form, exc)
        else:
            if group is None:
                messages.success(
                    request,
                    _("Le groupe de travail « %(name)s » est créé.") % {"name": saved.name},
                )
            else:
                messages.success(request, _("Le groupe de travail est modifié."))
            return redirect("meetings:working_groups")
    return render(request, "meetings/working_group_form.html", {"form": form, "group": group})
