"""Who may read and book what in `bookings`: the one place a reviewer reads to know the rules.

Reads:
- a place (its resources and their bookings, with who booked) is read by the teams of its
  quartiers (members, chef de projet, élu(e)), by the agents who may book one of its resources
  (a resource open to every agent, or to their service), and by those who read every quartier
  (maire, comité de direction, administrators); anyone else is answered 404.
Writes:
- booking a resource: its audience (the team of one of the place's quartiers, the agents of one
  service, or every agent), the place's managers always; a resource out of service or withdrawn
  is booked by nobody;
- cancelling a booking: its booker, or a manager of the place;
- managing a place and its resources (name, rules, out of service): the chef de projet of one of
  the place's quartiers, or an administrator; creating a place: an administrator, or a chef de
  projet for its own quartiers.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from bookings.models import Booking, Place, Resource
from teams.access import roles_of
from teams.models import Quartier


def _may_book_condition(user, prefix: str = "") -> Q:
    """Resources (rows named through `prefix`) whose audience includes the user."""
    roles = roles_of(user)
    services = set(roles.manages_services)
    if roles.service_id:
        services.add(roles.service_id)
    return (
        Q(**{f"{prefix}audience": Resource.Audience.EVERYONE})
        | Q(
            **{
                f"{prefix}audience": Resource.Audience.SERVICE,
                f"{prefix}audience_service_id__in": services,
            }
        )
        | Q(
            **{
                f"{prefix}audience": Resource.Audience.TEAM,
                f"{prefix}place__quartiers__in": roles.member_of,
            }
        )
    )


def places_visible_to(user) -> QuerySet[Place]:
    roles = roles_of(user)
    if not roles.authenticated:
        return Place.objects.none()
    if roles.sees_all_quartiers:
        return Place.objects.all()
    in_team = Exists(
        Place.quartiers.through.objects.filter(
            place_id=OuterRef("pk"), quartier_id__in=roles.quartier_ids
        )
    )
    bookable = Exists(
        Resource.objects.filter(_may_book_condition(user), place_id=OuterRef("pk"), is_active=True)
    )
    return Place.objects.filter(in_team | bookable)


def resources_visible_to(user) -> QuerySet[Resource]:
    return Resource.objects.filter(place__in=places_visible_to(user).values("pk"))


def bookings_visible_to(user) -> QuerySet[Booking]:
    return Booking.objects.filter(resource__place__in=places_visible_to(user).values("pk"))


def place_quartier_ids(place: Place) -> set[int]:
    """The place's quartiers (cached on the instance: the views ask several times)."""
    cached = getattr(place, "_quartier_ids", None)
    if cached is None:
        cached = {q.pk for q in place.quartiers.all()}  # the prefetch when there is one
        place._quartier_ids = cached  # type: ignore[attr-defined]
    return cached


def can_manage_place(user, place: Place) -> bool:
    roles = roles_of(user)
    return roles.admin or bool(place_quartier_ids(place) & roles.chef_of)


def places_managed_by(user) -> QuerySet[Place]:
    roles = roles_of(user)
    if roles.admin:
        return Place.objects.all()
    return Place.objects.filter(
        Exists(
            Place.quartiers.through.objects.filter(
                place_id=OuterRef("pk"), quartier_id__in=roles.chef_of
            )
        )
    )


def can_create_place(user) -> bool:
    roles = roles_of(user)
    return roles.admin or bool(roles.chef_of)


def quartiers_for_new_place(user) -> QuerySet[Quartier]:
    roles = roles_of(user)
    if roles.admin:
        return Quartier.objects.all()
    return Quartier.objects.filter(pk__in=roles.chef_of)


def in_audience(user, resource: Resource) -> bool:
    """Whether the resource's rule lets the user book it (out of service or not)."""
    roles = roles_of(user)
    if not roles.authenticated:
        return False
    if can_manage_place(user, resource.place):
        return True
    if resource.audience == Resource.Audience.EVERYONE:
        return True
    if resource.audience == Resource.Audience.SERVICE:
        return resource.audience_service_id is not None and (
            resource.audience_service_id == roles.service_id
            or resource.audience_service_id in roles.manages_services
        )
    return bool(place_quartier_ids(resource.place) & roles.member_of)


def can_book(user, resource: Resource) -> bool:
    return resource.is_active and not resource.out_of_service and in_audience(user, resource)


def can_cancel(user, booking: Booking) -> bool:
    if booking.is_cancelled:
        return False
    return booking.booker_id == user.pk or can_manage_place(user, booking.resource.place)
