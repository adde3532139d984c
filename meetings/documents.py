"""The documents of a meeting: agenda and minutes PDFs, iCalendar events, and the emails that carry them.

Anything here leaves the team (a PDF, an email to partners): observations are cited only
through `public_title` / `public_summary`, which never show a confidential one's details.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.message import MIMEPart
from email.utils import parseaddr
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

from foundation.ical import vtimezone
from foundation.pdf import render_pdf
from meetings import deliveries, selectors
from meetings.models import AgendaDocument, MailKind, Meeting, MeetingDocument, MinutesDocument

logger = logging.getLogger(__name__)
PARIS = ZoneInfo(settings.TIME_ZONE)
PRODID = "-//Ville d'Arras//Equipes de quartier//FR"


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def cited(observation) -> dict:
    """An observation as it may appear in a document: its number and public title/summary only."""
    return {
        "number": observation.pk,
        "title": observation.public_title,
        "summary": observation.public_summary,
    }


def _common_context(meeting: Meeting) -> dict:
    invitations = selectors.invitations_of(meeting)
    return {
        "meeting": meeting,
        "start": timezone.localtime(meeting.start, PARIS),
        "end": timezone.localtime(meeting.end, PARIS),
        "invitations": invitations,
        "present": [i for i in invitations if i.attended is True],
        "excused": [i for i in invitations if i.attended is False],
        "CITY_NAME": settings.CITY_NAME,
    }


def _rows(schedule: selectors.Schedule) -> list[dict]:
    return [
        {
            "number": row.number,
            "item": row.item,
            "start": timezone.localtime(row.start, PARIS),
            "end": timezone.localtime(row.end, PARIS),
            "citations": [cited(o) for o in row.item.observations.all()],
            "actions": [
                {"action": a, "observation": cited(a.observation) if a.observation_id else None}
                for a in row.actions
            ],
        }
        for row in schedule.rows
    ]


def agenda_pdf(document: AgendaDocument) -> tuple[bytes, str]:
    meeting = Meeting.objects.select_related("quartier", "working_group", "organiser").get(
        pk=document.meeting_id
    )
    schedule = selectors.published_schedule(document)
    context = {
        **_common_context(meeting),
        "version": document.version,
        "rows": _rows(schedule),
        "schedule": schedule,
        "review_actions": schedule.review_actions,
        "today": timezone.localdate(),
    }
    content = render_pdf("meetings/pdf/agenda.html", context)
    day = timezone.localtime(meeting.start, PARIS).date()
    return (
        content,
        f"ordre-du-jour-{slugify(meeting.display_title)}-{day:%Y-%m-%d}-v{document.version}.pdf",
    )


def minutes_pdf(document: MinutesDocument) -> tuple[bytes, str]:
    meeting = Meeting.objects.select_related("quartier", "working_group", "organiser").get(
        pk=document.meeting_id
    )
    schedule = selectors.published_schedule(document)
    # The summary as published, not as edited since (this instance is not saved).
    meeting.minutes_summary = schedule.summary
    loose = [
        {"action": a, "observation": cited(a.observation) if a.observation_id else None}
        for a in schedule.loose_actions
    ]
    context = {
        **_common_context(meeting),
        "version": document.version,
        "rows": _rows(schedule),
        "loose_actions": loose,
        "review_actions": schedule.review_actions,
    }
    content = render_pdf("meetings/pdf/minutes.html", context)
    day = timezone.localtime(meeting.start, PARIS).date()
    return (
        content,
        f"compte-rendu-{slugify(meeting.display_title)}-{day:%Y-%m-%d}-v{document.version}.pdf",
    )


# iCalendar -----------------------------------------------------------------------------------


def meeting_uid(meeting: Meeting) -> str:
    host = settings.SITE_URL.split("://", 1)[-1].split("/")[0].split(":")[0] or "localhost"
    return f"reunion-{meeting.pk}@{host}"


def organiser_address(meeting: Meeting) -> str:
    """Who the meeting is from in calendar programs: its organiser's address, else the city's
    configured reply address (CALENDAR_ORGANIZER_EMAIL), else the sender's address."""
    organiser = meeting.organiser if meeting.organiser_id else None
    if organiser is not None and organiser.email:
        return organiser.email
    return settings.CALENDAR_ORGANIZER_EMAIL or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def meeting_event(meeting: Meeting, *, attendee_email: str | None = None) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", meeting_uid(meeting))
    event.add("dtstamp", timezone.now())
    event.add("dtstart", timezone.localtime(meeting.start, PARIS))
    event.add("dtend", timezone.localtime(meeting.end, PARIS))
    event.add("summary", meeting.display_title)
    event.add("location", meeting.place)
    url = absolute(meeting.get_absolute_url())
    event.add("url", url)
    event.add("description", _("Page de la réunion : %(url)s") % {"url": url})
    event.add("sequence", meeting.sequence)
    event.add("status", "CANCELLED" if meeting.is_cancelled else "CONFIRMED")
    organiser = icalendar.vCalAddress(f"mailto:{organiser_address(meeting)}")
    if meeting.organiser_id:
        organiser.params["cn"] = icalendar.vText(str(meeting.organiser))
    event.add("organizer", organiser)
    if attendee_email:
        attendee = icalendar.vCalAddress(f"mailto:{attendee_email}")
        attendee.params["role"] = icalendar.vText("REQ-PARTICIPANT")
        attendee.params["rsvp"] = icalendar.vText("FALSE")
        event.add("attendee", attendee)
    return event


def calendar_of(
    meetings,
    *,
    name: str,
    method: str | None = None,
    attendee_email: str | None = None,
    extra_events: Sequence[icalendar.Event] = (),
) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    if method:
        calendar.add("method", method)
    # Yearly rules, not icalendar's list of past changes (misread by Thunderbird): foundation.ical
    calendar.add_component(vtimezone(settings.TIME_ZONE))
    for meeting in meetings:
        calendar.add_component(meeting_event(meeting, attendee_email=attendee_email))
    for event in extra_events:  # the person's bookings, in the personal feed
        calendar.add_component(event)
    return calendar.to_ical()


# Emails --------------------------------------------------------------------------------------


def _when(meeting: Meeting) -> str:
    start, end = timezone.localtime(meeting.start, PARIS), timezone.localtime(meeting.end, PARIS)
    return _("le %(day)s de %(start)s à %(end)s") % {
        "day": date_format(start.date(), "l j F Y"),
        "start": start.strftime("%H h %M"),
        "end": end.strftime("%H h %M"),
    }


def ics_part(meeting: Meeting, *, method: str, email: str) -> MIMEPart:
    """The .ics attachment, typed the way calendar clients expect: text/calendar; method=..."""
    part = MIMEPart()
    part.set_content(
        calendar_of([meeting], name=meeting.display_title, method=method, attendee_email=email),
        maintype="text",
        subtype="calendar",
        disposition="attachment",
        filename="invitation.ics" if method == "REQUEST" else "annulation.ics",
    )
    part.replace_header("Content-Type", f"text/calendar; method={method}; charset=utf-8")
    return part


def _document_pdf(document: MeetingDocument) -> tuple[str, bytes]:
    document.file.open("rb")
    try:
        return (document.file.name or "").rsplit("/", 1)[-1], document.file.read()
    finally:
        document.file.close()


@dataclass
class Letter:
    """What one kind of meeting email says; its attachments may depend on the address."""

    subject: str
    body: Sequence[str | None]
    attachments_for: Callable[[str], list]


def send_letter(meeting: Meeting, *, kind: str, version: int, letter: Letter) -> int:
    """Email the invitees this (kind, version) is planned for and not yet sent to (each claimed,
    sent, confirmed: `meetings.deliveries`). A mail server failing after N messages raises (the
    task retries later): the retry sends only to the others, so nobody receives it twice.
    """

    def compose(email: str, name: str) -> EmailMessage:
        lines = [_("Bonjour %(name)s,") % {"name": name or email}, "", *letter.body]
        lines += [
            _("Page de la réunion (pour les agents de la ville) : %(url)s")
            % {"url": absolute(meeting.get_absolute_url())},
            "",
            str(meeting.organiser),
        ]
        message = EmailMessage(
            subject=letter.subject,
            body="\n".join(line for line in lines if line is not None),
            to=[email],
        )
        for attachment in letter.attachments_for(email):
            if isinstance(attachment, MIMEPart):
                message.attach(attachment)
            else:
                message.attach(*attachment)
        return message

    return deliveries.send(meeting, kind=kind, version=version, compose=compose)


def agenda_letter(document: AgendaDocument) -> Letter:
    meeting = document.meeting
    filename, pdf = _document_pdf(document)
    if document.version > 1:
        subject = _("Ordre du jour modifié (version %(v)s) : %(title)s, %(when)s")
    else:
        subject = _("Ordre du jour : %(title)s, %(when)s")
    subject = subject % {
        "v": document.version,
        "title": meeting.display_title,
        "when": _when(meeting),
    }
    body = [
        _("Vous êtes invité(e) à la réunion « %(title)s », %(when)s, lieu : %(place)s.")
        % {"title": meeting.display_title, "when": _when(meeting), "place": meeting.place},
        _("Cette version %(v)s de l'ordre du jour remplace la précédente.")
        % {"v": document.version}
        if document.version > 1
        else None,
        _("L'ordre du jour est joint en PDF, avec une invitation à ajouter à votre agenda (.ics)."),
    ]
    return Letter(
        subject=subject,
        body=body,
        attachments_for=lambda email: [
            (filename, pdf, "application/pdf"),
            ics_part(meeting, method="REQUEST", email=email),
        ],
    )


def minutes_letter(document: MinutesDocument) -> Letter:
    meeting = document.meeting
    filename, pdf = _document_pdf(document)
    subject = _("Compte rendu : %(title)s du %(day)s") % {
        "title": meeting.display_title,
        "day": date_format(timezone.localtime(meeting.start, PARIS).date(), "j F Y"),
    }
    body = [
        _(
            "Le compte rendu de la réunion « %(title)s » est publié : vous le trouverez en pièce jointe."
        )
        % {"title": meeting.display_title}
    ]
    return Letter(
        subject=subject,
        body=body,
        attachments_for=lambda email: [(filename, pdf, "application/pdf")],
    )


def cancellation_letter(meeting: Meeting) -> Letter:
    subject = _("Réunion annulée : %(title)s, %(when)s") % {
        "title": meeting.display_title,
        "when": _when(meeting),
    }
    body = [
        _("La réunion « %(title)s », prévue %(when)s, lieu : %(place)s, est annulée.")
        % {"title": meeting.display_title, "when": _when(meeting), "place": meeting.place},
        _("L'annulation jointe (.ics) la retire de votre agenda."),
    ]
    return Letter(
        subject=subject,
        body=body,
        attachments_for=lambda email: [ics_part(meeting, method="CANCEL", email=email)],
    )


def document_pdf(document: MeetingDocument) -> tuple[bytes, str]:
    if isinstance(document, AgendaDocument):
        return agenda_pdf(document)
    if isinstance(document, MinutesDocument):
        return minutes_pdf(document)
    raise TypeError(f"No PDF for {type(document).__name__}")


def send_document_emails(document: MeetingDocument) -> int:
    if isinstance(document, AgendaDocument):
        letter = agenda_letter(document)
    elif isinstance(document, MinutesDocument):
        letter = minutes_letter(document)
    else:
        raise TypeError(f"No email for {type(document).__name__}")
    return send_letter(
        document.meeting, kind=document.mail_kind, version=document.version, letter=letter
    )


def send_cancellation_emails(meeting: Meeting) -> int:
    return send_letter(
        meeting, kind=MailKind.CANCELLATION, version=0, letter=cancellation_letter(meeting)
    )


def send_plain(*, to: list[str], subject: str, lines: list[str]) -> int:
    for email in to:
        EmailMessage(subject=subject, body="\n".join(lines), to=[email]).send()
    return len(to)


def meeting_url(meeting: Meeting) -> str:
    return absolute(reverse("meetings:detail", args=[meeting.pk]))
