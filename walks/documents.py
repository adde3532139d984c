"""The documents of a walk: its invitation and cancellation emails (.ics attached, the way
meetings send theirs), and its report PDF with a route map drawn as inline SVG (no tiles: the
PDF needs no network).

The report leaves the team: a confidential observation appears only in the counts, never at
its stop (a stop is a precise place) nor with its words or photos.
Inhabitants appear only as a count.
"""

from __future__ import annotations

import base64
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import MIMEPart
from email.utils import parseaddr
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

from foundation.ical import vtimezone
from foundation.pdf import render_pdf
from walks.models import Stop, StopObservation, Walk, WalkReport

PARIS = ZoneInfo(settings.TIME_ZONE)
PRODID = "-//Ville d'Arras//Equipes de quartier//FR"


def absolute(path: str) -> str:
    return settings.SITE_URL + path


# Calendar and emails -------------------------------------------------------------------------


def walk_uid(walk: Walk) -> str:
    host = settings.SITE_URL.split("://", 1)[-1].split("/")[0].split(":")[0] or "localhost"
    return f"marche-{walk.pk}@{host}"


def walk_calendar(walk: Walk, *, method: str, attendee_email: str | None = None) -> bytes:
    event = icalendar.Event()
    event.add("uid", walk_uid(walk))
    event.add("dtstamp", timezone.now())
    event.add("dtstart", timezone.localtime(walk.start, PARIS))
    event.add("dtend", timezone.localtime(walk.end, PARIS))
    event.add("summary", _("Diagnostic en marchant : %(title)s") % {"title": walk.title})
    event.add("location", walk.meeting_point)
    event.add("sequence", walk.sequence)
    event.add("status", "CANCELLED" if walk.is_cancelled else "CONFIRMED")
    organiser_email = (walk.organiser.email if walk.organiser_id and walk.organiser else "") or (
        settings.CALENDAR_ORGANIZER_EMAIL or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    )
    event.add("organizer", icalendar.vCalAddress(f"mailto:{organiser_email}"))
    if attendee_email:
        attendee = icalendar.vCalAddress(f"mailto:{attendee_email}")
        attendee.params["role"] = icalendar.vText("REQ-PARTICIPANT")
        event.add("attendee", attendee)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    calendar.add_component(vtimezone(settings.TIME_ZONE))
    calendar.add_component(event)
    return calendar.to_ical()


def _when(walk: Walk) -> str:
    start, end = timezone.localtime(walk.start, PARIS), timezone.localtime(walk.end, PARIS)
    return _("le %(day)s de %(start)s à %(end)s") % {
        "day": date_format(start.date(), "l j F Y"),
        "start": start.strftime("%H h %M"),
        "end": end.strftime("%H h %M"),
    }


def compose_letter(walk: Walk, kind: str, email: str) -> EmailMessage | None:
    """The invitation (or cancellation) to one address; None if it is no longer invited."""
    if not any(
        i.email.lower() == email for i in walk.invitations.select_related("agent", "external")
    ):
        return None
    cancel = kind == "cancel"
    values = {"title": walk.title, "when": _when(walk), "place": walk.meeting_point}
    if cancel:
        subject = _("Diagnostic en marchant annulé : %(title)s, %(when)s") % values
        body = [
            _("Le diagnostic en marchant « %(title)s », prévu %(when)s, est annulé.") % values,
            _("L'annulation jointe (.ics) le retire de votre agenda."),
        ]
    else:
        subject = _("Invitation : diagnostic en marchant %(title)s, %(when)s") % values
        body = [
            _(
                "Vous êtes invité(e) au diagnostic en marchant « %(title)s » du quartier %(quartier)s, %(when)s."
            )
            % {**values, "quartier": walk.quartier.name},
            _("Rendez-vous : %(place)s.") % values,
            _("Nous nous arrêterons en chemin pour noter ce que nous voyons."),
            _("L'invitation jointe (.ics) l'ajoute à votre agenda."),
        ]
    signature = str(walk.organiser) if walk.organiser_id else settings.CITY_LABEL
    message = EmailMessage(
        subject=subject, body="\n".join([_("Bonjour,"), "", *body, "", signature]), to=[email]
    )
    method = "CANCEL" if cancel else "REQUEST"
    part = MIMEPart()
    part.set_content(
        walk_calendar(walk, method=method, attendee_email=email),
        maintype="text",
        subtype="calendar",
        disposition="attachment",
        filename="annulation.ics" if cancel else "invitation.ics",
    )
    part.replace_header("Content-Type", f"text/calendar; method={method}; charset=utf-8")
    message.attach(part)
    return message


# Route map -----------------------------------------------------------------------------------


@dataclass
class RouteMap:
    width: int
    height: int
    outline: list[str]  # SVG polygon "points" attributes
    route: str  # polyline points through the stops that have one
    markers: list[dict]  # number, pk (the stop's), x, y


def _rings(geometry: dict | None) -> list[list[tuple[float, float]]]:
    if not geometry:
        return []
    if geometry.get("type") == "Feature":
        geometry = geometry.get("geometry")
    kind, coordinates = (geometry or {}).get("type"), (geometry or {}).get("coordinates") or []
    polygons = [coordinates] if kind == "Polygon" else coordinates if kind == "MultiPolygon" else []
    return [
        [(float(x), float(y)) for x, y, *_rest in ring] for polygon in polygons for ring in polygon
    ]


def route_map(
    walk: Walk, stops: Sequence[Stop], *, width: int = 480, height: int = 320
) -> RouteMap | None:
    """Lon/lat projected linearly to the box, longitudes shrunk by cos(mean latitude) so that the
    quartier keeps its shape; the whole outline and every stop fit with a margin."""
    rings = _rings(walk.quartier.outline)
    numbered = [
        (n, s.pk, float(s.longitude), float(s.latitude))
        for n, s in enumerate(stops, start=1)
        if s.longitude is not None and s.latitude is not None
    ]
    points = [p for ring in rings for p in ring] + [(lon, lat) for _n, _pk, lon, lat in numbered]
    if not points:
        return None
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    factor = math.cos(math.radians((min(lats) + max(lats)) / 2))
    span_x = max((max(lons) - min(lons)) * factor, 1e-6)
    span_y = max(max(lats) - min(lats), 1e-6)
    margin = 20
    scale = min((width - 2 * margin) / span_x, (height - 2 * margin) / span_y)
    offset_x = (width - span_x * scale) / 2
    offset_y = (height - span_y * scale) / 2

    def project(lon: float, lat: float) -> tuple[float, float]:
        return (
            round(offset_x + (lon - min(lons)) * factor * scale, 1),
            round(offset_y + (max(lats) - lat) * scale, 1),
        )

    outline = [" ".join(f"{x},{y}" for x, y in (project(*p) for p in ring)) for ring in rings]
    markers = []
    for number, pk, lon, lat in numbered:
        x, y = project(lon, lat)
        # Strings: a template would print floats with the locale's decimal comma.
        markers.append({"number": number, "pk": pk, "x": f"{x}", "y": f"{y}"})
    route = " ".join(f"{m['x']},{m['y']}" for m in markers)
    return RouteMap(width, height, outline, route, markers)


# Report --------------------------------------------------------------------------------------


def _thumbnail(photo) -> str | None:
    try:
        with photo.thumbnail.open("rb") as handle:
            data = handle.read()
    except (OSError, ValueError):
        return None
    return "data:image/jpeg;base64," + base64.b64encode(data).decode("ascii")


def report_context(walk: Walk) -> dict:
    stops = list(walk.stops.select_related("priority"))
    notes = (
        StopObservation.objects.filter(stop__walk=walk)
        .select_related("observation__category", "observation__quartier")
        .prefetch_related("observation__photos")
        .order_by("observation__observed_at", "pk")
    )
    by_stop: dict[int, list[dict]] = {s.pk: [] for s in stops}
    categories: Counter[str] = Counter()
    confidential = 0
    for note in notes:
        observation = note.observation
        categories[observation.category.name] += 1
        if observation.is_confidential:
            # Professional secrecy: counted, never placed at its stop, described or shown.
            confidential += 1
            continue
        entry = {
            "number": observation.pk,
            "category": observation.category.name,
            "title": observation.title,
            "description": observation.description,
            "for_inhabitant": note.for_inhabitant,
            "photos": [t for t in (_thumbnail(p) for p in observation.photos.all()) if t],
        }
        by_stop[note.stop_id].append(entry)
    invitations = list(walk.invitations.select_related("agent__service", "external__organisation"))
    agents = sorted(
        (i.agent for i in invitations if i.agent is not None),
        key=lambda a: (a.last_name, a.first_name),
    )
    externals = [i.external for i in invitations if i.external is not None]
    # Inhabitants (conseil citoyen, people without an organisation) only as a count; partners by
    # their organisation's name, never a person's.
    residents = [e for e in externals if e.is_conseil_citoyen or not e.organisation_id]
    partners = sorted(
        {e.organisation.name for e in externals if e not in residents and e.organisation}
    )
    inhabitants = len(residents)
    return {
        "walk": walk,
        "stops": [
            {"stop": s, "number": n, "notes": by_stop[s.pk]} for n, s in enumerate(stops, start=1)
        ],
        "map": route_map(walk, stops),
        "agents": agents,
        "partners": partners,
        "inhabitants": inhabitants,
        "for_inhabitant": sum(1 for n in notes if n.for_inhabitant),
        "categories": sorted(categories.items(), key=lambda item: (-item[1], item[0])),
        "total": sum(categories.values()),
        "confidential": confidential,
        "generated_at": timezone.localtime(),
    }


def report_pdf(report: WalkReport) -> tuple[bytes, str]:
    walk = Walk.objects.select_related("quartier", "organiser").get(pk=report.walk_id)
    content = render_pdf("walks/pdf/report.html", report_context(walk))
    day = timezone.localtime(walk.start, PARIS).date()
    return content, f"diagnostic-en-marchant-{slugify(walk.quartier.name)}-{day:%Y-%m-%d}.pdf"
