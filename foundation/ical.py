"""Time zone definitions for iCalendar files, written the way calendar programs expect.

icalendar's `add_missing_timezones()` lists every past change of offset as RDATEs; some readers
(Thunderbird's ical.js among them) misread such a list and show summer events an hour late.
`vtimezone(name)` writes the usual definition instead: one STANDARD and one DAYLIGHT observance,
each with a yearly RRULE ("last Sunday of March at 02:00"), derived from the zone's own rules in
`zoneinfo` for a reference year, so it is right for any zone that changes on a weekday rule.
"""

from __future__ import annotations

import datetime
import functools
from zoneinfo import ZoneInfo

import icalendar

UTC = datetime.UTC
# The observances start in 1970, the customary epoch of such definitions: every event of the
# project is later, and readers expand the RRULE from there.
EPOCH_YEAR = 1970
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


@functools.lru_cache(maxsize=32)
def _transitions(name: str, year: int) -> tuple[datetime.datetime, ...]:
    """The UTC instants of `year` at which zone `name` changes its offset (to the hour).

    Day by day, then hour by hour within a day that changes: computed once per zone and year
    (every calendar file and feed asks for it)."""
    zone = ZoneInfo(name)
    found = []
    day = datetime.datetime(year, 1, 1, tzinfo=UTC)
    end = datetime.datetime(year + 1, 1, 1, tzinfo=UTC)
    while day < end:
        following_day = day + datetime.timedelta(days=1)
        if following_day.astimezone(zone).utcoffset() != day.astimezone(zone).utcoffset():
            instant = day
            while instant < following_day:
                following = instant + datetime.timedelta(hours=1)
                if following.astimezone(zone).utcoffset() != instant.astimezone(zone).utcoffset():
                    found.append(following)
                instant = following
        day = following_day
    return tuple(found)


def _weekday_rule(day: datetime.date) -> str:
    """BYDAY for `day` within its month: "-1SU" for the last Sunday, "2SU" for the second."""
    weekday = WEEKDAYS[day.weekday()]
    if (day + datetime.timedelta(days=7)).month != day.month:
        return f"-1{weekday}"
    return f"{(day.day - 1) // 7 + 1}{weekday}"


def _first_match(year: int, month: int, byday: str) -> datetime.date:
    """The day of `month` in `year` that `BYDAY=byday` names."""
    weekday = WEEKDAYS.index(byday[-2:])
    position = int(byday[:-2])
    if position > 0:
        first = datetime.date(year, month, 1)
        return first + datetime.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (position - 1))
    last = (datetime.date(year + month // 12, month % 12 + 1, 1)) - datetime.timedelta(days=1)
    return last - datetime.timedelta(days=(last.weekday() - weekday) % 7)


def vtimezone(name: str, *, reference_year: int | None = None) -> icalendar.Timezone:
    """The VTIMEZONE of zone `name` with yearly rules (or one fixed STANDARD offset)."""
    zone = ZoneInfo(name)
    year = reference_year or datetime.datetime.now(UTC).year
    timezone = icalendar.Timezone()
    timezone.add("tzid", name)
    timezone.add("x-lic-location", name)
    transitions = _transitions(name, year)
    if not transitions:
        offset = datetime.datetime(year, 1, 1, tzinfo=UTC).astimezone(zone)
        standard = icalendar.TimezoneStandard()
        standard.add("tzname", offset.tzname())
        standard.add("tzoffsetfrom", offset.utcoffset())
        standard.add("tzoffsetto", offset.utcoffset())
        # A VTIMEZONE observance starts at a floating local time (RFC 5545, 3.6.5).
        standard.add("dtstart", datetime.datetime(EPOCH_YEAR, 1, 1))  # noqa: DTZ001
        timezone.add_component(standard)
        return timezone
    for instant in transitions:
        before = (instant - datetime.timedelta(seconds=1)).astimezone(zone)
        after = instant.astimezone(zone)
        offset_from, offset_to = before.utcoffset(), after.utcoffset()
        assert offset_from is not None and offset_to is not None
        # The change happens at this wall-clock time of the offset in force before it.
        wall = (instant + offset_from).replace(tzinfo=None)
        byday = _weekday_rule(wall.date())
        observance = icalendar.TimezoneDaylight() if after.dst() else icalendar.TimezoneStandard()
        observance.add("tzname", after.tzname())
        observance.add("tzoffsetfrom", offset_from)
        observance.add("tzoffsetto", offset_to)
        first = _first_match(EPOCH_YEAR, wall.month, byday)
        observance.add("dtstart", datetime.datetime.combine(first, wall.time()))
        observance.add("rrule", {"freq": "yearly", "bymonth": wall.month, "byday": byday})
        timezone.add_component(observance)
    return timezone
