"""Reads of the API: the services and the requests, as GeoReport v2 plain data."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from foundation.numbers import whole_number
from observations.models import Category, Observation
from open311.formats import iso
from open311.models import ServiceAttribute

#: The spec's defaults: without dates, the last 90 days; never more than 90 days, 1000 requests.
DEFAULT_WINDOW = datetime.timedelta(days=90)
MAX_RESULTS = 1000
MAX_PAGE = 100_000
SERVICE_TYPE = "batch"  # a chef de projet triages each request: no real-time answer

CLOSED_STATUSES = (Observation.Status.DONE, Observation.Status.CLOSED)


def services() -> list[dict]:
    categories = Category.objects.filter(is_active=True).select_related("default_service")
    with_attributes = set(
        ServiceAttribute.objects.filter(category__is_active=True).values_list(
            "category_id", flat=True
        )
    )
    return [
        {
            "service_code": category.slug,
            "service_name": category.name,
            "description": category.description,
            "metadata": category.pk in with_attributes,
            "type": SERVICE_TYPE,
            "keywords": "",
            "group": category.default_service.name if category.default_service else "",
        }
        for category in categories
    ]


def active_category(code: str) -> Category | None:
    return Category.objects.filter(slug=code, is_active=True).first()


def attributes_of(category: Category) -> list[ServiceAttribute]:
    return list(ServiceAttribute.objects.filter(category=category))


def service_definition(category: Category) -> dict:
    return {
        "service_code": category.slug,
        "attributes": [
            {
                "variable": True,
                "code": attribute.code,
                "datatype": attribute.datatype,
                "required": attribute.required,
                "datatype_description": attribute.datatype_description,
                "order": attribute.order,
                "description": attribute.description,
                "values": [
                    {"key": str(value.get("key", "")), "name": str(value.get("name", ""))}
                    for value in attribute.values or []
                ],
            }
            for attribute in attributes_of(category)
        ],
    }


def with_details(queryset: QuerySet[Observation]) -> QuerySet[Observation]:
    return queryset.select_related("category", "service").only(
        "pk", "status", "closing_reason", "confidentiality", "title", "description", "place", "latitude",
        "longitude", "observed_at", "updated_at", "category__slug", "category__name",
        "service__name",
    )  # fmt: skip


def request_data(observation: Observation) -> dict:
    """One service request; reads `category` and `service` (see `with_details`)."""
    closed = observation.status in CLOSED_STATUSES
    notes = observation.get_closing_reason_display() if observation.closing_reason else ""
    if not notes:
        notes = observation.get_status_display()
    return {
        "service_request_id": str(observation.pk),
        "status": "closed" if closed else "open",
        "status_notes": str(notes),
        "service_name": observation.category.name,
        "service_code": observation.category.slug,
        "description": observation.description or observation.title,
        "agency_responsible": observation.service.name if observation.service else "",
        "service_notice": "",
        "requested_datetime": iso(observation.observed_at),
        "updated_datetime": iso(observation.updated_at),
        "expected_datetime": None,
        "address": observation.place,
        "address_id": "",
        "zipcode": "",
        "lat": float(observation.latitude) if observation.latitude is not None else None,
        "long": float(observation.longitude) if observation.longitude is not None else None,
        "media_url": "",
    }


class BadQuery(ValueError):
    """A filter the spec does not allow; its message is for the partner (French)."""


def filter_requests(
    queryset: QuerySet[Observation],
    *,
    ids: list[str] | None = None,
    service_code: str = "",
    status: str = "",
    start: datetime.datetime | None = None,
    end: datetime.datetime | None = None,
    now: datetime.datetime,
    page: int = 1,
    page_size: int = MAX_RESULTS,
) -> QuerySet[Observation]:
    """The spec's filters on `queryset` (already scoped to the key); ids override the others.

    `page` and `page_size` are the pagination extension most GeoReport v2 servers implement
    (Chicago, Boston, Toronto…): pages of `page_size` requests, newest first, within the window.
    """
    if ids is not None:
        numbers = []
        for raw in ids:
            number = whole_number(raw)
            if number is None:
                raise BadQuery(_("Identifiant de demande invalide : %(id)s") % {"id": raw})
            numbers.append(number)
        return queryset.filter(pk__in=numbers[:MAX_RESULTS]).order_by("-observed_at", "-id")
    if start is None and end is None:
        end = now
    if start is None:
        assert end is not None  # noqa: S101 - both None handled just above
        start = end - DEFAULT_WINDOW
    if end is None:
        end = start + DEFAULT_WINDOW
    if end < start:
        raise BadQuery(_("end_date précède start_date."))
    if end - start > DEFAULT_WINDOW:
        raise BadQuery(_("La période demandée ne peut pas dépasser 90 jours."))
    queryset = queryset.filter(observed_at__gte=start, observed_at__lte=end)
    if service_code:
        queryset = queryset.filter(category__slug__in=service_code.split(","))
    if status:
        wanted = set(status.split(","))
        if not wanted <= {"open", "closed"}:
            raise BadQuery(_("status vaut open ou closed."))
        if wanted == {"open"}:
            queryset = queryset.exclude(status__in=CLOSED_STATUSES)
        elif wanted == {"closed"}:
            queryset = queryset.filter(status__in=CLOSED_STATUSES)
    if not 1 <= page_size <= MAX_RESULTS:
        raise BadQuery(_("page_size vaut de 1 à %(max)s.") % {"max": MAX_RESULTS})
    if not 1 <= page <= MAX_PAGE:
        raise BadQuery(_("page vaut de 1 à %(max)s.") % {"max": MAX_PAGE})
    first = (page - 1) * page_size
    return queryset.order_by("-observed_at", "-id")[first : first + page_size]
