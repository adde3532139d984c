"""Views of `bookings`: get the object for the user → check → one service call → response."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bookings import permissions, selectors, services
from bookings.forms import BookingForm, PlaceForm, ResourceForm
from bookings.models import Resource
from foundation import generations
from foundation.forms import attach_errors
from foundation.replica import reads_from_replica


def _posted(request):
    return request.POST if request.method == "POST" else None


def _first_day(request, *, week: bool) -> datetime.date:
    try:
        day = datetime.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        day = timezone.localdate()
    return selectors.week_start(day) if week else day


def _period(request) -> tuple[bool, datetime.date, int]:
    week = request.GET.get("vue") != "jour"
    first = _first_day(request, week=week)
    return week, first, 7 if week else 1


def _navigation(week: bool, first: datetime.date) -> dict:
    step = datetime.timedelta(days=7 if week else 1)
    return {
        "week": week,
        "first": first,
        "last": first + datetime.timedelta(days=6 if week else 0),
        "previous": first - step,
        "next": first + step,
        "today": timezone.localdate(),
    }


@reads_from_replica
def index(request):
    """Réservations: my bookings to come, and the places I read with their equipment."""
    context = {
        "places": selectors.places_for(request.user),
        "mine": selectors.upcoming_bookings_of(request.user),
        "can_create_place": permissions.can_create_place(request.user),
    }
    return render(request, "bookings/index.html", context)


def place(request, slug):
    """A place's week (or day): every booking of its equipment, as one list per day."""
    place = selectors.place_for(request.user, slug)
    week, first, count = _period(request)
    resources = selectors.place_resources(place)
    for item in resources:
        item.place = place  # one instance: its quartiers are read once
        item.bookable = permissions.can_book(request.user, item)
    context = {
        "place": place,
        "resources": resources,
        "can_manage": permissions.can_manage_place(request.user, place),
        **_navigation(week, first),
    }
    # A week of a busy place is hundreds of rows: rendered again only after a change of its
    # bookings or equipment (foundation.generations). No form in it, so no CSRF token to go stale.
    context["days_html"] = generations.cached(
        f"place-days:{place.pk}:{first}:{count}:{request.user.pk}:{timezone.localdate()}",
        [f"place:{place.pk}"],
        lambda: render_to_string(
            "bookings/_days.html",
            {**context, "days": selectors.place_days(place, first, count), "show_resource": True},
            request=request,
        ),
    )
    return render(request, "bookings/place.html", context)


def resource(request, pk):
    """A resource's week (or day), with the booking form for who may book it."""
    resource = selectors.resource_for(request.user, pk)
    week, first, count = _period(request)
    context = {
        "resource": resource,
        "place": resource.place,
        "days": selectors.resource_days(resource, first, count),
        "can_manage": permissions.can_manage_place(request.user, resource.place),
        "can_book": permissions.can_book(request.user, resource),
        "in_audience": permissions.in_audience(request.user, resource),
        **_navigation(week, first),
    }
    return render(request, "bookings/resource.html", context)


def book(request, pk):
    resource = selectors.resource_for(request.user, pk)
    if not permissions.in_audience(request.user, resource):
        raise Http404
    initial = {"date": _first_day(request, week=False) if request.GET.get("date") else None}
    form = BookingForm(_posted(request), initial=initial)
    proposals: list[services.Slot] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            booking = services.booking_create(
                resource=resource,
                booker=request.user,
                start=data["start"],
                end=data["end"],
                purpose=data["purpose"],
            )
        except services.BookingConflict as exc:
            proposals = exc.proposals
            form.add_error(None, exc)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(
                request,
                _("C'est réservé : « %(r)s », %(slot)s.")
                % {"r": resource.name, "slot": services.slot_text(booking.start, booking.end)},
            )
            day = timezone.localtime(booking.start).date()
            return redirect(f"{resource.get_absolute_url()}?date={day:%Y-%m-%d}")
    context = {
        "resource": resource,
        "place": resource.place,
        "form": form,
        "proposals": proposals,
        "purpose": form.data.get("purpose", "") if form.is_bound else "",
    }
    return render(request, "bookings/book.html", context)


@require_POST
def cancel(request, pk):
    booking = selectors.booking_for(request.user, pk)
    if not permissions.can_cancel(request.user, booking):
        raise Http404
    day = timezone.localtime(booking.start).date()
    back = f"{booking.resource.get_absolute_url()}?date={day:%Y-%m-%d}"
    if booking.meeting_held is not None:
        messages.error(
            request,
            _(
                "« %(r)s » est réservée pour la réunion « %(m)s » : elle se libère quand la "
                "réunion est déplacée, change de salle ou est annulée."
            )
            % {"r": booking.resource.name, "m": booking.meeting_held.display_title},
        )
        return redirect(back)
    services.booking_cancel(booking=booking, by=request.user)
    messages.success(
        request,
        _("Réservation annulée : « %(r)s », %(slot)s est libre.")
        % {
            "r": booking.resource.name,
            "slot": services.slot_text(booking.start, booking.end),
        },
    )
    return redirect(back)


# Managing places and equipment ---------------------------------------------------------------


def place_create(request):
    if not permissions.can_create_place(request.user):
        raise Http404
    form = PlaceForm(_posted(request), quartiers=permissions.quartiers_for_new_place(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            place = services.place_save(
                data=form.place_data(), quartiers=form.cleaned_data["quartiers"]
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Le lieu « %(p)s » est créé.") % {"p": place.name})
            return redirect(place)
    return render(request, "bookings/place_form.html", {"form": form})


def place_edit(request, slug):
    place = selectors.place_for(request.user, slug)
    if not permissions.can_manage_place(request.user, place):
        raise Http404
    quartiers = permissions.quartiers_for_new_place(request.user) | place.quartiers.all()
    form = PlaceForm(_posted(request), instance=place, quartiers=quartiers.distinct())
    if request.method == "POST" and form.is_valid():
        data = form.place_data()
        data["slug"] = place.slug  # the address of its pages does not change
        try:
            services.place_save(place=place, data=data, quartiers=form.cleaned_data["quartiers"])
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Le lieu est modifié."))
            return redirect(place)
    return render(request, "bookings/place_form.html", {"form": form, "place": place})


def resource_create(request, slug):
    place = selectors.place_for(request.user, slug)
    if not permissions.can_manage_place(request.user, place):
        raise Http404
    form = ResourceForm(_posted(request), initial={"kind": request.GET.get("type")})
    return _resource_save(request, form, place, None)


def resource_edit(request, pk):
    resource = selectors.resource_for(request.user, pk)
    if not permissions.can_manage_place(request.user, resource.place):
        raise Http404
    form = ResourceForm(_posted(request), instance=resource)
    return _resource_save(request, form, resource.place, resource)


def _resource_save(request, form: ResourceForm, place, resource: Resource | None):
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            saved = services.resource_save(place=place, resource=resource, data=data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(
                request,
                (_("« %(r)s » est ajouté.") if resource is None else _("« %(r)s » est modifié."))
                % {"r": saved.name},
            )
            return redirect(saved)
    context = {"form": form, "place": place, "resource": resource}
    return render(request, "bookings/resource_form.html", context)
