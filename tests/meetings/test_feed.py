"""The personal iCalendar feed: parses, Paris times, links back; revoked or expired → 404."""

import datetime
from zoneinfo import ZoneInfo

import icalendar
from django.urls import reverse
from django.utils import timezone

from meetings import services
from tests.meetings.factories import add_item, make_meeting, publish
from tests.meetings.mailers import calendar_part


def test_feed_parses_with_paris_times_and_links(client, personas, meeting, ouest, sud):
    other = make_meeting(
        sud, personas["outsider"], days=20
    )  # a Sud meeting the agent is not invited to
    token = services.feed_token_renew(agent=personas["agent"])
    response = client.get(reverse("meetings:feed", args=[token.token]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    assert any(c.name == "VTIMEZONE" and str(c["TZID"]) == "Europe/Paris" for c in calendar.walk())
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    event = events[0]
    start = event.decoded("DTSTART")
    assert start.tzinfo is not None and str(start.tzinfo) == "Europe/Paris"
    assert start == meeting.start and event.decoded("DTEND") == meeting.end
    assert start.astimezone(ZoneInfo("Europe/Paris")).strftime("%H:%M") == "09:30"
    assert str(event["URL"]).endswith(reverse("meetings:detail", args=[meeting.pk]))
    assert b"DTSTART;TZID=Europe/Paris:" in response.content
    assert other.display_title not in response.content.decode()


def test_revoked_expired_and_renewed_tokens(client, personas, meeting):
    token = services.feed_token_renew(agent=personas["agent"])
    url = reverse("meetings:feed", args=[token.token])
    assert client.get(url).status_code == 200
    newer = services.feed_token_renew(agent=personas["agent"])
    assert client.get(url).status_code == 404  # the old address stops at once
    assert client.get(reverse("meetings:feed", args=[newer.token])).status_code == 200
    services.feed_token_revoke(agent=personas["agent"])
    assert client.get(reverse("meetings:feed", args=[newer.token])).status_code == 404
    expired = services.feed_token_renew(agent=personas["agent"])
    expired.expires_at = timezone.now() - datetime.timedelta(seconds=1)
    expired.save()
    assert client.get(reverse("meetings:feed", args=[expired.token])).status_code == 404
    assert client.get(reverse("meetings:feed", args=["nimportequoi"])).status_code == 404


def test_outsider_feed_has_no_ouest_meeting(client, personas, meeting):
    token = services.feed_token_renew(agent=personas["outsider"])
    calendar = icalendar.Calendar.from_ical(
        client.get(reverse("meetings:feed", args=[token.token])).content
    )
    assert calendar.walk("VEVENT") == []


def test_agenda_page_explains_subscription(as_role):
    client = as_role("agent")
    client.post(reverse("meetings:feed_renew"))
    body = client.get(reverse("meetings:my_agenda")).content.decode()
    assert "Outlook" in body and "Thunderbird" in body and ".ics" in body and "Révoquer" in body


def test_email_invitation_ics_parses(
    meeting, personas, django_capture_on_commit_callbacks, mailoutbox
):
    add_item(meeting, personas["agent"], "Propreté", 20)
    publish(meeting, personas["chef"], django_capture_on_commit_callbacks)
    message = next(m for m in mailoutbox if m.to == [personas["agent"].email])
    part = calendar_part(message)
    assert part.get_filename() == "invitation.ics"
    calendar = icalendar.Calendar.from_ical(part.get_content())
    assert str(calendar["METHOD"]) == "REQUEST"
    event = calendar.walk("VEVENT")[0]
    assert event.decoded("DTSTART") == meeting.start
