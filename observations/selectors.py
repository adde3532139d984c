"""Reads for `observations`: scoped by `observations.permissions`, joins prefetched, aggregates in SQL."""

from __future__ import annotations

import datetime
import math
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.postgres.search import SearchQuery
from django.core.paginator import Page, Paginator
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from observations.models import (
    SEARCH_CONFIG,
    Category,
    Comment,
    Escalation,
    Notification,
    Observation,
    StatusChange,
)
from observations.permissions import (
    escalations_visible_to,
    observations_visible_to,
    orientations_visible_to,
)
from teams.access import roles_of
from teams.models import Agent, Quartier

PAGE_SIZE = 25
DUPLICATE_DAYS = 30
DUPLICATE_RADIUS_M = 150
EMERGING_DAYS = 90
RISE_MIN_COUNT = 3
RISE_RATIO = 1.5


# Lists ---------------------------------------------------------------------------------------


def observations_for(user) -> QuerySet[Observation]:
    """The lists' rows: joined, without the search vector (only PostgreSQL reads it) nor the
    quartier's outline (a polygon of several kilobytes, decoded from JSON for each row)."""
    return (
        observations_visible_to(user)
        .select_related("quartier", "category", "service", "author")
        .defer("search_document", "quartier__outline")
    )


def search(queryset: QuerySet[Observation], text: str) -> QuerySet[Observation]:
    """French full-text search on PostgreSQL (the stored `search_document`, GIN index
    `obs_search_fr_document`), icontains elsewhere."""
    return full_text_search(queryset, text, ("title", "description", "place"))


def full_text_search[QS: QuerySet](queryset: QS, text: str, fields: tuple[str, ...]) -> QS:
    """Rows whose stored `search_document` (french_unaccent, kept by a trigger) matches `text`
    as a web search on PostgreSQL; elsewhere, rows with every word in one of `fields`."""
    text = text.strip()
    if not text:
        return queryset
    if connection.vendor == "postgresql":
        query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
        return queryset.filter(search_document=query)
    for word in text.split()[:8]:
        any_field = Q()
        for name in fields:
            any_field |= Q(**{f"{name}__icontains": word})
        queryset = queryset.filter(any_field)
    return queryset


#: Memory for the bitmap of one search: a phrase found in 100,000 observations needs about 5 MB;
#: with PostgreSQL's default 4 MB the bitmap turns to whole pages, whose every row is rechecked
#: (2 to 3 times the page's SQL, measured over 2,000,000 observations).
SEARCH_WORK_MEM = "32MB"


@contextmanager
def search_room(active: bool) -> Iterator[None]:
    """Within it, PostgreSQL gives the queries of a search `SEARCH_WORK_MEM` (`set_config(...,
    true)`: for this transaction only, so the setting never outlives it, PgBouncer or not)."""
    if not active or connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('work_mem', %s, true)", [SEARCH_WORK_MEM])
        yield


def filter_observations(
    queryset: QuerySet[Observation], user, filters: dict
) -> QuerySet[Observation]:
    """Apply the list's filters (cleaned data of `ObservationFilterForm`)."""
    if filters.get("quartier"):
        queryset = queryset.filter(quartier=filters["quartier"])
    if filters.get("category"):
        queryset = queryset.filter(category=filters["category"])
    if filters.get("status"):
        queryset = queryset.filter(status=filters["status"])
    if filters.get("service"):
        queryset = queryset.filter(service=filters["service"])
    if filters.get("urgency"):
        queryset = queryset.filter(urgency=filters["urgency"])
    if filters.get("date_from"):
        queryset = queryset.filter(observed_at__gte=start_of(filters["date_from"]))
    if filters.get("date_to"):
        queryset = queryset.filter(
            observed_at__lt=start_of(filters["date_to"] + datetime.timedelta(days=1))
        )
    if filters.get("emerging"):
        queryset = queryset.filter(is_emerging=True)
    if filters.get("mine"):
        queryset = queryset.filter(author=user)
    if filters.get("escalated"):
        queryset = queryset.filter(Exists(Escalation.objects.filter(observation_id=OuterRef("pk"))))
    return search(queryset, filters.get("q") or "")


def start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@dataclass
class KeysetPage:
    """A page of a list ordered by descending id: stays fast at any depth (no OFFSET, no COUNT)."""

    rows: list
    next_cursor: int | None
    previous_cursor: int | None
    is_first: bool


def keyset_page(
    queryset: QuerySet,
    *,
    after: int | None = None,
    before: int | None = None,
    size: int = PAGE_SIZE,
) -> KeysetPage:
    if before is not None:
        rows = _page_rows(queryset.filter(pk__gt=before), "id", size + 1)
        has_more_before = len(rows) > size
        rows = list(reversed(rows[:size]))
        return KeysetPage(
            rows=rows,
            next_cursor=rows[-1].pk if rows else None,
            previous_cursor=rows[0].pk if rows and has_more_before else None,
            is_first=not has_more_before,
        )
    if after is not None:
        queryset = queryset.filter(pk__lt=after)
    rows = _page_rows(queryset, "-id", size + 1)
    has_more = len(rows) > size
    rows = rows[:size]
    return KeysetPage(
        rows=rows,
        next_cursor=rows[-1].pk if rows and has_more else None,
        previous_cursor=rows[0].pk if rows and after is not None else None,
        is_first=after is None,
    )


def _page_rows(queryset: QuerySet, order: str, count: int) -> list:
    """The first `count` rows of `queryset` in `order`, in one statement and two steps: the keys
    through the filters alone (an index walk or a bitmap, no joins), then the joined rows of
    those keys only. A search matching a thousand rows no longer joins them all before the sort."""
    keys = queryset.order_by(order).values("pk")[:count]
    rows = queryset.model._base_manager.filter(pk__in=keys).order_by(order)
    rows.query.select_related = queryset.query.select_related
    rows.query.deferred_loading = queryset.query.deferred_loading
    return list(rows)


def deferred_page(queryset: QuerySet, number, *, per_page: int) -> Page:
    """A numbered page whose OFFSET runs over primary keys only (a "deferred join"): the joined
    rows are read for the page's rows alone, so a deep page costs little more than the first.
    Same queries as `Paginator.get_page` (a count, then the page)."""
    page = Paginator(queryset, per_page).get_page(number)
    start = (page.number - 1) * per_page
    ids = queryset.values("pk")[start : start + per_page]
    page.object_list = queryset.filter(pk__in=ids)
    return page


def with_photo_counts(queryset: QuerySet[Observation]) -> QuerySet[Observation]:
    return queryset.annotate(photo_count=Count("photos", distinct=True))


# One observation -----------------------------------------------------------------------------


def observation_sent_with(author: Agent | None, key) -> Observation | None:
    """The observation this person already sent with this idempotency key, if any (their own
    submission: no other scoping needed). A partner system's request (no author) has none."""
    if key is None or author is None:
        return None
    return Observation.objects.filter(author=author, idempotency_key=key).first()


def observation_detail(user, pk: int) -> Observation:
    """The observation page, its timeline, photos, comments and escalations: a fixed number of queries."""
    queryset = (
        observations_for(user)
        .select_related("priority", "duplicate_of")
        .prefetch_related(
            "photos",
            Prefetch(
                "status_changes",
                queryset=StatusChange.objects.select_related("changed_by", "service").order_by(
                    "changed_at", "id"
                ),
            ),
            Prefetch(
                "comments",
                queryset=Comment.objects.select_related("author").order_by("created_at", "id"),
            ),
            Prefetch(
                "escalations",
                queryset=Escalation.objects.select_related("escalated_by", "answered_by").order_by(
                    "created_at"
                ),
            ),
            Prefetch("duplicates", queryset=Observation.objects.order_by("-id")),
        )
    )
    return get_object_or_404(queryset, pk=pk)


# Duplicates ----------------------------------------------------------------------------------

STOP_WORDS = {
    "a",
    "au",
    "aux",
    "de",
    "des",
    "du",
    "d",
    "la",
    "le",
    "les",
    "l",
    "en",
    "et",
    "pres",
    "sur",
    "sous",
    "dans",
    "devant",
    "derriere",
    "entre",
    "face",
    "cote",
    "rue",
    "avenue",
    "place",
    "bd",
    "boulevard",
    "chemin",
    "allee",
    "impasse",
    "un",
    "une",
    "niveau",
    "angle",
    "coin",
    "n",
    "no",
    "bis",
}


def place_words(place: str) -> set[str]:
    text = unicodedata.normalize("NFKD", place.lower()).encode("ascii", "ignore").decode()
    return {
        word for word in re.findall(r"[a-z0-9]+", text) if word not in STOP_WORDS and len(word) > 1
    }


def distance_m(lat1, lon1, lat2, lon2) -> float:
    lat1, lon1, lat2, lon2 = (math.radians(float(v)) for v in (lat1, lon1, lat2, lon2))
    x = (lon2 - lon1) * math.cos((lat1 + lat2) / 2)
    y = lat2 - lat1
    return math.hypot(x, y) * 6_371_000


def possible_duplicates(
    user,
    *,
    quartier: Quartier | None,
    category: Category | None,
    place: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    exclude_pk: int | None = None,
    limit: int = 5,
) -> list[Observation]:
    """Observations the person can read, same quartier and category, last 30 days, near the same place."""
    if quartier is None or category is None:
        return []
    words = place_words(place)
    has_point = latitude is not None and longitude is not None
    if not words and not has_point:
        return []
    since = timezone.now() - datetime.timedelta(days=DUPLICATE_DAYS)
    candidates = (
        observations_visible_to(user)
        .filter(
            quartier=quartier, category=category, observed_at__gte=since, duplicate_of__isnull=True
        )
        .select_related("quartier", "category")
        .order_by("-id")
    )
    if exclude_pk:
        candidates = candidates.exclude(pk=exclude_pk)
    found = []
    for candidate in candidates[:200]:
        near = (
            has_point
            and candidate.has_coordinates
            and distance_m(latitude, longitude, candidate.latitude, candidate.longitude)
            <= DUPLICATE_RADIUS_M
        )
        other = place_words(candidate.place)
        shared = len(words & other)
        similar = bool(words and other) and (shared / min(len(words), len(other)) >= 0.5)
        if near or similar:
            found.append(candidate)
            if len(found) >= limit:
                break
    return found


# Queues and counts ---------------------------------------------------------------------------


def service_queue(user, *, service=None, status: str = "") -> QuerySet[Observation]:
    """Observations sent to the services the person manages, in every quartier: open ones first."""
    roles = roles_of(user)
    service_ids = roles.manages_services if not roles.admin else None
    queryset = observations_for(user).exclude(service__isnull=True)
    if service_ids is not None:
        queryset = queryset.filter(service_id__in=service_ids)
    if service is not None:
        queryset = queryset.filter(service=service)
    if status:
        queryset = queryset.filter(status=status)
    else:
        queryset = queryset.filter(status__in=Observation.OPEN_STATUSES)
    return queryset


def triage_count(user) -> int:
    roles = roles_of(user)
    if not roles.chef_of:
        return 0
    return Observation.objects.filter(
        quartier_id__in=roles.chef_of, status=Observation.Status.NEW
    ).count()


def _escalation_joins(queryset: QuerySet[Escalation]) -> QuerySet[Escalation]:
    """What a list of escalations shows of each: its observation, quartier (not the outline),
    category and people."""
    return queryset.select_related(
        "observation",
        "observation__quartier",
        "observation__category",
        "escalated_by",
        "answered_by",
    ).defer("observation__quartier__outline")


def escalations_for(user, *, answered: bool | None = None, quartier: Quartier | None = None):
    queryset = _escalation_joins(escalations_visible_to(user))
    if answered is True:
        queryset = queryset.filter(answered_at__isnull=False)
    elif answered is False:
        queryset = queryset.filter(answered_at__isnull=True)
    if quartier is not None:
        queryset = queryset.filter(observation__quartier=quartier)
    return queryset.order_by("-created_at", "-id")


def status_counts(quartier_ids) -> dict[str, int]:
    """Counts by status (confidential ones included: numbers only)."""
    rows = (
        Observation.objects.filter(quartier_id__in=quartier_ids)
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = {status: 0 for status in Observation.Status.values}
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


# Phénomènes émergents ------------------------------------------------------------------------


@dataclass
class CategoryTrend:
    category: Category
    current: int
    previous: int
    last_year: int
    flagged: int

    @property
    def is_rise(self) -> bool:
        """A rise that stands out: enough cases, well above the 90 days before and last year."""
        return (
            self.current >= RISE_MIN_COUNT
            and self.current >= RISE_RATIO * max(self.previous, 1)
            and self.current >= RISE_RATIO * max(self.last_year, 1)
        )

    @property
    def change_vs_previous(self) -> int | None:
        if not self.previous:
            return None
        return round(100 * (self.current - self.previous) / self.previous)


@dataclass
class EmergingReport:
    quartier: Quartier
    current_start: datetime.date
    today: datetime.date
    previous_start: datetime.date
    last_year_start: datetime.date
    last_year_end: datetime.date
    trends: list[CategoryTrend] = field(default_factory=list)

    @property
    def rises(self) -> list[CategoryTrend]:
        return [trend for trend in self.trends if trend.is_rise]

    @property
    def max_count(self) -> int:
        return max([1] + [max(t.current, t.previous, t.last_year) for t in self.trends])


def emerging_report(quartier: Quartier, today: datetime.date | None = None) -> EmergingReport:
    """Counts per category: last 90 days, the 90 days before, the same 90 days a year ago. One query."""
    today = today or timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    current_start = tomorrow - datetime.timedelta(days=EMERGING_DAYS)
    previous_start = current_start - datetime.timedelta(days=EMERGING_DAYS)
    last_year_start = current_start - datetime.timedelta(days=365)
    last_year_end = tomorrow - datetime.timedelta(days=365)
    current = Q(observed_at__gte=start_of(current_start), observed_at__lt=start_of(tomorrow))
    previous = Q(observed_at__gte=start_of(previous_start), observed_at__lt=start_of(current_start))
    last_year = Q(
        observed_at__gte=start_of(last_year_start), observed_at__lt=start_of(last_year_end)
    )
    rows = (
        Observation.objects.filter(quartier=quartier)
        .filter(current | previous | last_year)
        .exclude(
            status=Observation.Status.CLOSED, closing_reason=Observation.ClosingReason.DUPLICATE
        )
        .values("category")
        .annotate(
            current=Count("id", filter=current),
            previous=Count("id", filter=previous),
            last_year=Count("id", filter=last_year),
            flagged=Count("id", filter=current & Q(is_emerging=True)),
        )
        .order_by()
    )
    by_category = {row["category"]: row for row in rows}
    categories = Category.objects.filter(pk__in=by_category)
    trends = [
        CategoryTrend(
            category=category,
            current=by_category[category.pk]["current"],
            previous=by_category[category.pk]["previous"],
            last_year=by_category[category.pk]["last_year"],
            flagged=by_category[category.pk]["flagged"],
        )
        for category in categories
    ]
    trends.sort(key=lambda t: (not t.is_rise, -t.current, t.category.name))
    return EmergingReport(
        quartier=quartier,
        current_start=current_start,
        today=today,
        previous_start=previous_start,
        last_year_start=last_year_start,
        last_year_end=last_year_end - datetime.timedelta(days=1),
        trends=trends,
    )


@dataclass
class Bar:
    x: float
    y: float
    width: float
    value: int
    css: str

    @property
    def value_x(self) -> float:
        return round(self.x + self.width + 4, 1)

    @property
    def value_y(self) -> float:
        return self.y + 9


@dataclass
class ChartRow:
    label: str
    label_y: float
    is_rise: bool
    bars: list[Bar]


@dataclass
class Chart:
    width: int
    height: int
    label_width: int
    rows: list[ChartRow]

    @property
    def label_x(self) -> int:
        return self.label_width - 8

    ticks: list[tuple[float, int]]


def emerging_chart(report: EmergingReport, *, width: int = 760) -> Chart:
    """Grouped horizontal bars, computed here so the template only draws (no inline style)."""
    label_width, bar_height, gap, top = 230, 11, 14, 24
    plot_width = width - label_width - 40
    scale = plot_width / report.max_count
    rows = []
    y = top
    for trend in report.trends:
        bars = []
        for index, (value, css) in enumerate(
            (
                (trend.current, "bar-current"),
                (trend.previous, "bar-previous"),
                (trend.last_year, "bar-last-year"),
            )
        ):
            bars.append(
                Bar(
                    x=label_width,
                    y=y + index * bar_height,
                    width=round(value * scale, 1),
                    value=value,
                    css=css,
                )
            )
        rows.append(
            ChartRow(
                label=trend.category.name,
                label_y=y + 1.5 * bar_height + 4,
                is_rise=trend.is_rise,
                bars=bars,
            )
        )
        y += 3 * bar_height + gap
    step = max(1, math.ceil(report.max_count / 5))
    ticks = [(label_width + value * scale, value) for value in range(0, report.max_count + 1, step)]
    return Chart(
        width=width, height=max(y + 10, 60), label_width=label_width, rows=rows, ticks=ticks
    )


# Orientations --------------------------------------------------------------------------------


@dataclass
class OrientationTable:
    needs: list[tuple[str, int, list[tuple[str, int]]]]
    services: list[tuple[str, int]]
    total: int


def orientation_counts(
    user, *, quartier: Quartier | None, start: datetime.date, end: datetime.date
) -> OrientationTable:
    queryset = orientations_visible_to(user).filter(oriented_on__gte=start, oriented_on__lte=end)
    if quartier is not None:
        queryset = queryset.filter(quartier=quartier)
    rows = list(
        queryset.values("need__name", "service__name")
        .annotate(n=Count("id"))
        .order_by("need__name", "service__name")
    )
    needs: dict[str, list[tuple[str, int]]] = {}
    services: dict[str, int] = {}
    for row in rows:
        needs.setdefault(row["need__name"], []).append((row["service__name"], row["n"]))
        services[row["service__name"]] = services.get(row["service__name"], 0) + row["n"]
    need_rows = sorted(
        ((name, sum(n for _s, n in items), items) for name, items in needs.items()),
        key=lambda r: (-r[1], r[0]),
    )
    return OrientationTable(
        needs=need_rows,
        services=sorted(services.items(), key=lambda r: (-r[1], r[0])),
        total=sum(services.values()),
    )


# Stale notifications, the comité de direction's monthly digest -------------------------------


#: A notification claimed longer ago than this lost its worker (the mail server's timeout is far
#: shorter): it may be mailed again. At least once rather than at most once: a notification
#: mailed twice after a kill is a nuisance; never mailed, it is a case nobody triages.
NOTIFICATION_LEASE = datetime.timedelta(minutes=10)


def unclaimed_notifications(now: datetime.datetime | None = None) -> Q:
    """Unsent notifications no live worker holds."""
    now = now or timezone.now()
    return Q(sent_at__isnull=True) & (
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - NOTIFICATION_LEASE)
    )


def stale_immediate_notification_ids(
    older_than: datetime.timedelta = datetime.timedelta(minutes=5),
) -> list[int]:
    return list(
        Notification.objects.filter(
            unclaimed_notifications(),
            created_at__lt=timezone.now() - older_than,
            recipient__notification_frequency=Agent.Notifications.IMMEDIATE,
        ).values_list("pk", flat=True)[:500]
    )


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def previous_month(today: datetime.date | None = None) -> datetime.date:
    today = today or timezone.localdate()
    return month_start(month_start(today) - datetime.timedelta(days=1))


def escalations_of_month(month: datetime.date):
    start = month_start(month)
    end = month_start(start + datetime.timedelta(days=32))
    tz = timezone.get_current_timezone()
    return _escalation_joins(
        Escalation.objects.filter(
            created_at__gte=datetime.datetime.combine(start, datetime.time.min, tzinfo=tz),
            created_at__lt=datetime.datetime.combine(end, datetime.time.min, tzinfo=tz),
        )
    ).order_by("observation__quartier__name", "created_at")


# The map ----------------------------------------------------------------------------------------

#: Points served at once: beyond, the map asks to zoom in (clustering is on the client).
MAP_LIMIT = 2000


def parse_bbox(value: str) -> tuple[float, float, float, float] | None:
    """`west,south,east,north` in degrees; None if absent; ValueError if malformed."""
    if not value:
        return None
    west, south, east, north = (float(part) for part in value.split(","))
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        raise ValueError("bbox out of range")
    return west, south, east, north


def map_points(
    queryset: QuerySet[Observation], bbox: tuple[float, float, float, float] | None
) -> tuple[list[dict], bool]:
    """The points of these observations (already scoped and filtered like the list) in the
    visible area, newest first, as compact GeoJSON features; and whether the cap cut them."""
    located = queryset.filter(latitude__isnull=False, longitude__isnull=False)
    if bbox is not None:
        west, south, east, north = bbox
        located = located.filter(
            latitude__gte=south, latitude__lte=north, longitude__gte=west, longitude__lte=east
        )
    rows = list(
        located.order_by("-id").values_list(
            "pk", "longitude", "latitude", "title", "category__name", "status", "confidentiality"
        )[: MAP_LIMIT + 1]
    )
    statuses = dict(Observation.Status.choices)
    features = [
        {
            "type": "Feature",
            "id": pk,
            "geometry": {"type": "Point", "coordinates": [float(lon or 0), float(lat or 0)]},
            "properties": {
                "t": title,
                "c": category,
                "s": str(statuses.get(status, status)),
                "k": confidentiality == Observation.Confidentiality.CONFIDENTIAL,
            },
        }
        for pk, lon, lat, title, category, status, confidentiality in rows[:MAP_LIMIT]
    ]
    return features, len(rows) > MAP_LIMIT
