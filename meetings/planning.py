"""'Planifier l'année': sensible dates for the quarterly équipes and the semestrial ETT.

Pure date logic plus one query for the invitees' busy slots: working days only, no French
public holiday, no clash with another meeting of an invitee, never in the past.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from bookings.selectors import room_bookings
from meetings.models import Meeting

PARIS = ZoneInfo(settings.TIME_ZONE)

# (kind, first month of the period, months in the period, weekday wanted, start, end)
EQUIPE_SLOT = (datetime.time(9, 30), datetime.time(11, 30))
ETT_SLOT = (datetime.time(14, 0), datetime.time(16, 0))
TUESDAY, THURSDAY = 1, 3

#: (kind, label, first day of the period, last day, target day, (start time, end time))
Period = tuple[
    str, str, datetime.date, datetime.date, datetime.date, tuple[datetime.time, datetime.time]
]


@dataclass
class Proposal:
    kind: str
    label: str
    period_start: datetime.date
    period_end: datetime.date
    date: datetime.date | None = None
    start_time: datetime.time | None = None
    end_time: datetime.time | None = None
    note: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def start(self) -> datetime.datetime | None:
        return aware(self.date, self.start_time) if self.date and self.start_time else None

    @property
    def end(self) -> datetime.datetime | None:
        return aware(self.date, self.end_time) if self.date and self.end_time else None


def aware(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return datetime.datetime.combine(day, time, tzinfo=PARIS)


def french_holidays(*years: int) -> holidays.HolidayBase:
    return holidays.country_holidays("FR", years=sorted(set(years)))


def periods(year: int) -> list[Period]:
    """The six meetings of a year: four équipes (one per quarter), two ETT (one per semester)."""
    rows: list[Period] = []
    for quarter in range(1, 5):
        first = datetime.date(year, 3 * quarter - 2, 1)
        last = _month_end(year, 3 * quarter)
        target = _first_weekday_from(datetime.date(year, 3 * quarter - 1, 10), TUESDAY)
        rows.append(
            (
                Meeting.Kind.EQUIPE,
                _("Équipe pluridisciplinaire — trimestre %(n)s") % {"n": quarter},
                first,
                last,
                target,
                EQUIPE_SLOT,
            )
        )
    for semester, month in ((1, 3), (2, 10)):
        first = datetime.date(year, 1 if semester == 1 else 7, 1)
        last = _month_end(year, 6 if semester == 1 else 12)
        target = _first_weekday_from(datetime.date(year, month, 10), THURSDAY)
        rows.append(
            (
                Meeting.Kind.ETT,
                _("Équipe technique territoriale — semestre %(n)s") % {"n": semester},
                first,
                last,
                target,
                ETT_SLOT,
            )
        )
    rows.sort(key=lambda row: row[4])
    return rows


def _month_end(year: int, month: int) -> datetime.date:
    following = datetime.date(year + (month == 12), month % 12 + 1, 1)
    return following - datetime.timedelta(days=1)


def _first_weekday_from(day: datetime.date, weekday: int) -> datetime.date:
    return day + datetime.timedelta(days=(weekday - day.weekday()) % 7)


@dataclass
class BusySlots:
    """Meetings of the invitees (and of the quartier), to avoid clashes."""

    slots: list[tuple[datetime.datetime, datetime.datetime, str]] = field(default_factory=list)

    def add(self, start: datetime.datetime, end: datetime.datetime, label: str) -> None:
        self.slots.append((start, end, label))

    def clash(self, start: datetime.datetime, end: datetime.datetime) -> str | None:
        for busy_start, busy_end, label in self.slots:
            if busy_start < end and busy_end > start:
                return label
        return None


def busy_slots(
    *, year: int, agent_ids, quartier_id: int | None, exclude_pk: int | None = None
) -> BusySlots:
    """One query: every active meeting of the year with one of the invitees, or of the quartier."""
    from django.db.models import Exists, OuterRef, Q

    from meetings.models import Invitation

    start = aware(datetime.date(year, 1, 1), datetime.time.min)
    end = aware(datetime.date(year + 1, 1, 1), datetime.time.min)
    with_invitee = Exists(
        Invitation.objects.filter(meeting_id=OuterRef("pk"), agent_id__in=list(agent_ids))
    )
    meetings = (
        Meeting.objects.active()
        .filter(start__lt=end, end__gt=start)
        .filter(with_invitee | Q(quartier_id=quartier_id))
        .select_related("quartier", "working_group")
    )
    if exclude_pk:
        meetings = meetings.exclude(pk=exclude_pk)
    busy = BusySlots()
    for meeting in meetings:
        busy.add(meeting.start, meeting.end, str(meeting))
    return busy


def room_busy_slots(*, room, year: int) -> BusySlots:
    """The bookings of the room where the quartier meets (its MSP's), over the year: one query."""
    busy = BusySlots()
    if room is None:
        return busy
    start = aware(datetime.date(year, 1, 1), datetime.time.min)
    end = aware(datetime.date(year + 1, 1, 1), datetime.time.min)
    for booking in room_bookings(room, start, end):
        busy.add(
            booking.start,
            booking.end,
            _("%(room)s, réservée par %(who)s%(purpose)s")
            % {
                "room": room.name,
                "who": booking.booker.get_full_name(),
                "purpose": f" ({booking.purpose})" if booking.purpose else "",
            },
        )
    return busy


def slot_problems(
    start: datetime.datetime,
    end: datetime.datetime,
    busy: BusySlots,
    *,
    now: datetime.datetime | None = None,
    holiday_calendar: holidays.HolidayBase | None = None,
    room: BusySlots | None = None,
) -> list[str]:
    """Why a slot is not sensible, in French; empty when it is."""
    now = now or timezone.now()
    problems = []
    local_start = timezone.localtime(start, PARIS)
    day = local_start.date()
    if end <= start:
        problems.append(_("L'heure de fin doit être après l'heure de début."))
    if start < now:
        problems.append(_("Cette date est déjà passée : choisissez une date à venir."))
    if day.weekday() >= 5:
        problems.append(
            _("Le %(day)s n'est pas un jour ouvré.") % {"day": date_format(day, "l j F Y")}
        )
    calendar = holiday_calendar if holiday_calendar is not None else french_holidays(day.year)
    if day in calendar:
        problems.append(
            _("Le %(day)s est férié (%(name)s).")
            % {"day": date_format(day, "l j F Y"), "name": calendar.get(day)}
        )
    clash = busy.clash(start, end) if end > start else None
    if clash:
        problems.append(
            _("Des invités ont déjà une réunion à ce moment : %(meeting)s.") % {"meeting": clash}
        )
    taken = room.clash(start, end) if room is not None and end > start else None
    if taken:
        problems.append(
            _("La salle est déjà réservée à ce moment : %(booking)s.") % {"booking": taken}
        )
    return problems


def propose_year(
    *,
    year: int,
    busy: BusySlots,
    existing: list[Meeting],
    now: datetime.datetime | None = None,
    room: BusySlots | None = None,
) -> list[Proposal]:
    """The year's six meetings on sensible dates; a period already planned or past is explained, not proposed."""
    now = now or timezone.now()
    calendar = french_holidays(year)
    proposals = []
    for kind, label, first, last, target, (start_time, end_time) in periods(year):
        proposal = Proposal(kind=kind, label=label, period_start=first, period_end=last)
        proposals.append(proposal)
        planned = [
            m
            for m in existing
            if m.kind == kind and first <= timezone.localtime(m.start, PARIS).date() <= last
        ]
        if planned:
            proposal.note = _("Déjà planifiée le %(day)s.") % {
                "day": date_format(timezone.localtime(planned[0].start, PARIS).date(), "j F Y")
            }
            continue
        if aware(last, end_time) <= now:
            proposal.note = _("Période écoulée : rien à planifier.")
            continue
        # Look forward from the target day to the end of the period, then backward from it.
        forward = [target + datetime.timedelta(days=n) for n in range((last - target).days + 1)]
        backward = [
            target - datetime.timedelta(days=n) for n in range(1, (target - first).days + 1)
        ]
        for day in forward + backward:
            start, end = aware(day, start_time), aware(day, end_time)
            if not slot_problems(start, end, busy, now=now, holiday_calendar=calendar, room=room):
                proposal.date, proposal.start_time, proposal.end_time = day, start_time, end_time
                busy.add(start, end, label)
                if day != target:
                    proposal.note = _("Décalée du %(target)s, qui ne convenait pas.") % {
                        "target": date_format(target, "j F")
                    }
                break
        else:
            proposal.note = _("Aucune date libre dans la période : choisissez-en une.")
    return proposals
