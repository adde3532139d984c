"""Every iCalendar file the app emits, read by two independent parsers — Python's `icalendar`
and ical.js, the parser of Thunderbird, run with node — for meetings in every month of two
years and on both days the clocks change: the same UTC instant in both, equal to the database.

Meetings between April and October once showed an hour late in Thunderbird: the VTIMEZONE was a
list of past changes that ical.js misread, while `icalendar`, the only reader the tests used,
read it right.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.conf import settings
from django.urls import reverse

from meetings import services
from meetings.documents import ics_part
from tests.meetings.factories import make_meeting

PARIS = ZoneInfo("Europe/Paris")
READER = Path(__file__).resolve().parent.parent / "tools" / "ical_instants.cjs"
NODE_MODULES = Path(settings.BASE_DIR) / "node_modules"

# In CI the second reader must run: there, a missing node or ical.js fails instead of skipping.
pytestmark = pytest.mark.skipif(
    not (shutil.which("node") and (NODE_MODULES / "ical.js").exists()) and not os.environ.get("CI"),
    reason="node and ical.js (npm ci) are needed to read calendars as Thunderbird does",
)


def thunderbird_reads(content: bytes, tmp_path: Path) -> dict[str, tuple[datetime.datetime, ...]]:
    path = tmp_path / "calendar.ics"
    path.write_bytes(content)
    out = subprocess.run(
        ["node", str(READER), str(path)],
        capture_output=True,
        check=True,
        env={"NODE_MODULES": str(NODE_MODULES), "PATH": "/usr/bin:/bin:/usr/local/bin"},
        timeout=60,
    ).stdout
    return {
        event["uid"]: tuple(
            datetime.datetime.fromisoformat(event[key].replace("Z", "+00:00"))
            for key in ("start", "end")
        )
        for event in json.loads(out)
    }


def icalendar_reads(content: bytes) -> dict[str, tuple[datetime.datetime, ...]]:
    calendar = icalendar.Calendar.from_ical(content)
    return {
        str(event["UID"]): (event.decoded("DTSTART"), event.decoded("DTEND"))
        for event in calendar.walk("VEVENT")
    }


def meetings_over_two_years(quartier, organiser):
    days = [datetime.date(year, month, 15) for year in (2026, 2027) for month in range(1, 13)]
    days += [datetime.date(2026, 3, 29), datetime.date(2026, 10, 25)]  # the changes of time
    return [
        make_meeting(
            quartier,
            organiser,
            start=datetime.datetime.combine(day, datetime.time(9, 30), PARIS),
            end=datetime.datetime.combine(day, datetime.time(11, 0), PARIS),
            allow_past=True,
        )
        for day in days
    ]


def every_calendar_output(client, personas, meetings):
    """(name, .ics bytes) for each kind of calendar file the app emits."""
    first = meetings[0]
    for method, name in (("REQUEST", "invitation"), ("CANCEL", "annulation")):
        part = ics_part(first, method=method, email=personas["agent"].email)
        yield name, part.get_payload(decode=True)
    first.sequence += 1  # an updated invitation: same event, later sequence
    yield (
        "mise à jour",
        ics_part(first, method="REQUEST", email="x@arras.example").get_payload(decode=True),
    )
    token = services.feed_token_renew(agent=personas["chef"])
    yield "flux personnel", client.get(reverse("meetings:feed", args=[token.token])).content
    client.force_login(personas["chef"])
    for meeting in meetings:
        response = client.get(reverse("meetings:calendar_file", args=[meeting.pk]))
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        yield f"fichier de la réunion du {meeting.start:%Y-%m-%d}", response.content


@pytest.mark.django_db
def test_every_calendar_file_gives_the_same_instants_in_thunderbird_and_icalendar(
    client, personas, ouest, tmp_path
):
    meetings = meetings_over_two_years(ouest, personas["chef"])
    by_uid = {f"reunion-{m.pk}@": m for m in meetings}
    seen = set()
    for name, content in every_calendar_output(client, personas, meetings):
        python, thunderbird = icalendar_reads(content), thunderbird_reads(content, tmp_path)
        assert python.keys() == thunderbird.keys() and python, name
        for uid, (start, end) in thunderbird.items():
            meeting = next(m for prefix, m in by_uid.items() if uid.startswith(prefix))
            assert (start, end) == (meeting.start, meeting.end), (name, uid)
            assert python[uid] == (meeting.start, meeting.end), (name, uid)
            seen.add(meeting.pk)
    assert seen == {m.pk for m in meetings}  # every month of both years was read


@pytest.mark.django_db
def test_organiser_is_the_organisers_address(client, personas, ouest, settings):
    meeting = make_meeting(ouest, personas["chef"])
    content = ics_part(meeting, method="REQUEST", email="x@arras.example").get_payload(decode=True)
    event = icalendar.Calendar.from_ical(content).walk("VEVENT")[0]
    assert str(event["ORGANIZER"]) == f"mailto:{personas['chef'].email}"
    assert b"localhost" not in content


def test_vtimezone_uses_yearly_rules_with_the_right_hours():
    from foundation.ical import vtimezone

    text = vtimezone("Europe/Paris", reference_year=2026).to_ical().decode()
    assert "RDATE" not in text
    assert "DTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3" in text
    assert "DTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10" in text
