"""Canary: a confidential observation's words reach nobody who may not read it, in any output.

One confidential observation of Ouest carries a unique word in each of its free-text fields,
its comment, its triage note, its escalation's reason and the comité's answer. The scenario
then does what the team does with it, through the app's services: it is triaged, commented,
escalated and answered, cited on an agenda, discussed in minutes, linked to an action,
counted in the diagnostic and in the comité's monthly digest.

Every output then is searched for those words, for every person who may not read the
observation (`observations/permissions.py`):

- every named URL pattern of the project (`test_url_scoping.all_patterns`, with the objects
  of `test_url_scoping.object_urls`), as a page, with a search for the marker, and as an htmx
  partial; PDFs served by a URL are read with poppler;
- every kind of document, by iterating the `DocumentJob` subclasses: a new kind without a
  builder in `DOCUMENTS` fails `test_every_kind_of_document_has_a_builder`;
- every email sent during the scenario, each MIME part (PDF and iCalendar attachments too),
  the scenario ending with one run of every periodic job (`beat_schedule`);
- every notification row; every person's calendar feed.

A new URL pattern joins by construction (test_url_scoping makes it map its parameters); a
pattern that test exempts must be handled here (`EXEMPT_HERE`), or the coverage test fails.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from email.message import Message

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from arras_quartiers.celery import app as celery_app
from bookings import services as booking_services
from bookings.models import Place, Resource
from diagnostics import services as diagnostics_services
from diagnostics.models import Diagnostic, DiagnosticDocument
from documents import services as services_of_documents
from foundation.models import DocumentJob, document_job_models
from meetings import services as meetings_services
from meetings.models import AgendaDocument, Meeting, MinutesDocument, WorkingGroup
from observations import selectors as obs_selectors
from observations import services as obs_services
from observations.models import EscalationDigest, Notification, Observation
from teams.models import Agent
from tests.diagnostics.factories import diagnostic_in_state
from tests.documents.factories import make_document
from tests.meetings.factories import make_meeting
from tests.observations.factories import add_photo, make_observation
from tests.poppler import pdf_text
from tests.security.test_url_scoping import EXEMPT, all_patterns, object_urls
from tests.teams.factories import join, make_agent
from walks import services as walks_services
from walks.models import StopObservation, WalkReport

# One word per free text, unique enough never to appear by chance. Pages are searched for them
# as written; PDFs and emails whatever their case (a print stylesheet may capitalise).
MARKERS = {
    "title": "Kanarititre",
    "description": "Kanaridescription",
    "place": "Kanarilieu",
    "comment": "Kanaricommentaire",
    "triage": "Kanaritriage",
    "reason": "Kanarimotif",
    "answer": "Kanarireponse",
}

# What the search boxes are given: the title's marker in capitals, so that a page repeating the
# query ("résultats pour …") is not taken for a leak, while a search that found the observation
# would show its title as written (searches ignore case).
SEARCHED = MARKERS["title"].upper()

# Who may not read the observation (a CCAS one of Ouest, by a CCAS agent of Ouest's team).
NON_READERS = [
    "agent",  # Ouest's team, another service
    "responsable",  # responsable of another service
    "direction",  # the comité: only through the escalation, anonymously
    "elu",  # Ouest's élue: counts only
    "maire",  # counts only
    "outsider",  # a CCAS agent, but of Sud's team
    "anonymous",
]

# The comité reads and answers the escalation itself (the chef writes the reason for it):
# on these pages, and only there, it reads those two texts.
COMITE_READS = {"observations:escalations", "observations:escalation_answer"}
ESCALATION_TEXTS = {"reason", "answer"}

# Patterns that test_url_scoping exempts, and what the canary does with them.
EXEMPT_HERE: dict[str, Callable[[dict], dict] | str] = {
    "teams:service_detail": lambda w: {"slug": w["service"].slug},
    "teams:choice_box": lambda w: {"kind": "agent"},
    "meetings:feed": "read by test_no_calendar_feed_carries_the_marker, with each person's token",
    "account_confirm_email": "allauth's one-time link, no observation data",
    "account_reset_password_from_key": "allauth's one-time link, no observation data",
    # Single sign-on redirects (to and from the provider): no observation data; without
    # OIDC_ISSUER_URL they answer 404.
    "openid_connect_login": lambda w: {"provider_id": "ville"},
    "openid_connect_callback": lambda w: {"provider_id": "ville"},
    "sso_oidc_callback": lambda w: {"provider_id": "ville"},
    # Public open data of the published diagnostic: read like every page, by every role.
    "opendata:csv": lambda w: _opendata_args(w),
    "opendata:json": lambda w: _opendata_args(w),
    # Open311, read by signed-in persons without a key (403 where a key is needed); with a
    # key of every quartier, tests/open311/test_access.py searches every answer for the words.
    "open311:discovery": lambda w: {"fmt": "json"},
    "open311:services": lambda w: {"fmt": "xml"},
    "open311:service": lambda w: {"code": w["observation"].category.slug, "fmt": "json"},
    "open311:requests": lambda w: {"fmt": "json"},
    "open311:request": lambda w: {"pk": w["observation"].pk, "fmt": "xml"},
    "open311:token": "tokens name submissions of a key, searched in tests/open311/test_access.py",
}


def _opendata_args(w: dict) -> dict:
    version = w["version"]
    return {
        "slug": version.diagnostic.quartier.slug,
        "year": version.diagnostic.year,
        "number": version.number,
    }


# Views that read a form posted while typing (not a write): posted with the marker.
POSTED_READS = {"observations:check"}
NOT_VISITED = {"account_logout"}  # would end the session of the loop


# Documents: one builder per DocumentJob subclass, run in this order by the scenario ----------


def _digest(w: dict) -> DocumentJob:
    month = obs_selectors.month_start(timezone.localdate())
    return obs_services.escalation_digest_request(month=month, requested_by=w["direction"])


def _agenda(w: dict) -> DocumentJob:
    return meetings_services.agenda_publish(meeting=w["meeting"], requested_by=w["chef"])[0]


def _minutes(w: dict) -> DocumentJob:
    # The meeting takes place (the agenda is published before it, the minutes after).
    start = timezone.now() - datetime.timedelta(days=2)
    Meeting.objects.filter(pk=w["meeting"].pk).update(
        start=start, end=start + datetime.timedelta(hours=2)
    )
    meeting = w["meeting"] = Meeting.objects.get(pk=w["meeting"].pk)
    meetings_services.minutes_update(
        meeting=meeting, summary="Réunion tenue.", items={w["item"].pk: ("Échanges.", "Suivi.")}
    )
    w["action"] = meetings_services.action_create(
        meeting=meeting, title="Orienter vers le CCAS", owner=w["action_owner"],
        due_date=timezone.localdate() - datetime.timedelta(days=1), agenda_item=w["item"],
        observation=w["observation"],  # overdue: the weekly reminder mails its owner
    )  # fmt: skip
    return meetings_services.minutes_publish(meeting=meeting, requested_by=w["chef"])[0]


def _diagnostic(w: dict) -> DocumentJob:
    diagnostic = diagnostics_services.diagnostic_transition(
        diagnostic=w["diagnostic"], action="validate", by=w["chef"]
    )
    diagnostics_services.diagnostic_transition(
        diagnostic=diagnostic, action="publish", by=w["chef"]
    )
    return DiagnosticDocument.objects.get(diagnostic=diagnostic, version__isnull=False)


def _walk_report(w: dict) -> DocumentJob:
    # The confidential observation was noted at a stop of a diagnostic en marchant, now done.
    start = timezone.now() - datetime.timedelta(days=1)
    walk = walks_services.walk_create(
        quartier=w["quartier"], organiser=w["chef"], title="Marche de l'automne", start=start,
        end=start + datetime.timedelta(hours=2), meeting_point="MSP", agents=[w["agent"]],
        allow_past=True,
    )  # fmt: skip
    stop = walks_services.stop_add(walk=walk, data={"name": "Square", "theme": "Cadre de vie"})
    StopObservation.objects.create(stop=stop, observation=w["observation"], for_inhabitant=True)
    walks_services.walk_mark_done(walk=walk, by=w["chef"])
    w.update(walk=walk, walk_stop=stop)
    return walks_services.report_request(walk=walk, requested_by=w["chef"])


# Each kind: its key in the world of `object_urls`, and how the scenario publishes it.
DOCUMENTS: dict[type[DocumentJob], tuple[str, Callable[[dict], DocumentJob]]] = {
    EscalationDigest: ("digest", _digest),
    AgendaDocument: ("agenda_doc", _agenda),
    MinutesDocument: ("minutes_doc", _minutes),
    DiagnosticDocument: ("diagnostic_doc", _diagnostic),
    WalkReport: ("walk_report", _walk_report),
}


# The scenario --------------------------------------------------------------------------------


@pytest.fixture
def canary(personas, ouest, services, django_capture_on_commit_callbacks) -> dict:
    """The world of `test_url_scoping.object_urls`, in Ouest, around one confidential observation."""
    ccas = services["ccas"]
    chef, direction = personas["chef"], personas["direction"]
    author = make_agent("auteur.canari@test.example", service=ccas)
    membership = join(author, ouest)
    # Mailed a daily summary of notifications rather than each one.
    ccas.responsables.add(
        make_agent(
            "responsable.ccas@test.example", notification_frequency=Agent.Notifications.DAILY
        )
    )
    w: dict = {"quartier": ouest, "service": ccas, "chef": chef, "direction": direction,
               "action_owner": personas["agent"]}  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        observation = make_observation(
            ouest, author, category="social-precarite",
            title=f"Famille {MARKERS['title']} en difficulté",
            description=f"Situation {MARKERS['description']} sous secret professionnel",
            place=f"Résidence {MARKERS['place']}",
            confidentiality=Observation.Confidentiality.CONFIDENTIAL,
        )  # fmt: skip
        obs_services.observation_triage(
            observation=observation, by=chef, service=ccas,
            urgency=Observation.Urgency.NORMAL, comment=f"Note {MARKERS['triage']}",
        )  # fmt: skip
        obs_services.comment_add(
            observation=observation, author=chef, body=f"Suivi {MARKERS['comment']}"
        )
        escalation = obs_services.escalation_create(
            observation=observation, by=chef, reason=f"Arbitrage {MARKERS['reason']}"
        )
        obs_services.escalation_answer(
            escalation=escalation, by=direction, answer=f"Accord {MARKERS['answer']}"
        )
        photo = add_photo(observation, author)

        meeting = make_meeting(ouest, chef)
        item = meetings_services.item_propose(
            meeting=meeting, proposed_by=chef, title="Situations sociales du trimestre",
            observations=[observation], accept=True,
        )  # fmt: skip
        group = WorkingGroup.objects.create(name="Accueil des familles (Ouest)")
        group.quartiers.add(ouest)
        group.members.add(personas["agent"])
        # Bookings: the MSP of Ouest, its vehicle, booked soon (its reminder goes out below).
        place = Place.objects.create(name="MSP Ouest", slug="msp-ouest")
        place.quartiers.add(ouest)
        vehicle = Resource.objects.create(place=place, name="Véhicule", kind="vehicle")
        soon = timezone.now() + datetime.timedelta(hours=3)
        booking = booking_services.booking_create(
            resource=vehicle, booker=personas["agent"], start=soon,
            end=soon + datetime.timedelta(hours=1), purpose="Tournée",
        )  # fmt: skip
        w.update(place=place, resource=vehicle, booking=booking)
        # Documents: Ouest's space, with a document the whole team reads.
        doc = make_document(services_of_documents.space_of_quartier(ouest), chef, title="Plan")
        w.update(doc_space=doc.space, doc=doc, doc_version=doc.current_version)

        diagnostic = diagnostic_in_state(
            ouest, by=chef, year=timezone.localdate().year, status=Diagnostic.Status.REVIEW
        )
        section = diagnostic.sections.order_by("position").first()
        contribution = diagnostics_services.contribution_submit(
            section=section, author=personas["agent"], body="Beaucoup de passage à la MSP."
        )
        w.update(
            observation=observation, escalation=escalation, photo=photo, agent=author,
            membership=membership, meeting=meeting, item=item,
            invitation=meeting.invitations.first(), working_group=group,
            diagnostic=diagnostic, section=section, contribution=contribution,
        )  # fmt: skip
        w["documents"] = {}
        for kind, (key, build) in DOCUMENTS.items():
            w["documents"][kind] = w[key] = build(w)
    # Then every periodic job runs once (reminders, summaries, sweepers), mailing what it
    # mails: a new one joins by being scheduled.
    with django_capture_on_commit_callbacks(execute=True):
        for entry in celery_app.conf.beat_schedule.values():
            celery_app.tasks[entry["task"]].apply().get()
    w["version"] = diagnostic.versions.get()
    for job in w["documents"].values():
        job.refresh_from_db()
    return w


# Reading outputs -----------------------------------------------------------------------------


def leaked(text: str, *, allowed: Iterable[str] = (), any_case: bool = True) -> list[str]:
    """The markers found in `text`, except the `allowed` ones."""
    if any_case:
        text = text.lower()
    return [
        name
        for name, marker in MARKERS.items()
        if name not in allowed and (marker.lower() if any_case else marker) in text
    ]


def response_text(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type", "").startswith("application/pdf"):
        return pdf_text(content)
    return content.decode("utf-8", errors="replace")


def message_text(message) -> str:
    """Every part of an email as a reader gets it: headers, bodies, PDFs, calendar entries."""
    texts = []
    part: Message
    for part in message.message().walk():
        texts.append(str(part.get("Subject", "")))
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True) or b""
        if part.get_content_type() == "application/pdf":
            texts.append(pdf_text(payload))
        else:
            texts.append(payload.decode(part.get_content_charset() or "utf-8", errors="replace"))
    return "\n".join(texts)


def urls_to_visit(w: dict) -> list[tuple[str, str]]:
    """(name, url) of every named pattern, its parameters filled with the canary's objects."""
    mapped = object_urls(w)
    urls = []
    for name, has_params in all_patterns():
        if name in NOT_VISITED:
            continue
        if not has_params:
            urls.append((name, reverse(name)))
        elif name in mapped:
            urls.append((name, reverse(name, kwargs=mapped[name])))
        elif callable(EXEMPT_HERE.get(name)):
            urls.append((name, reverse(name, kwargs=EXEMPT_HERE[name](w))))  # type: ignore[operator]
    return urls


# Tests ---------------------------------------------------------------------------------------


def test_every_kind_of_document_has_a_builder():
    assert set(document_job_models()) == set(DOCUMENTS), (
        "a DocumentJob without a builder in DOCUMENTS (or a builder without its model)"
    )


def test_every_exempted_pattern_is_handled_here():
    assert set(EXEMPT) <= set(EXEMPT_HERE), sorted(set(EXEMPT) - set(EXEMPT_HERE))


def test_the_canary_is_real_its_readers_read_every_marker(client, canary):
    """Controls: the markers are where the pages show them to those who may read them."""
    client.force_login(canary["chef"])
    page = response_text(
        client.get(reverse("observations:detail", args=[canary["observation"].pk]))
    )
    assert sorted(leaked(page)) == sorted(MARKERS)
    found = response_text(client.get(reverse("observations:index"), {"q": SEARCHED}))
    assert "title" in leaked(found, any_case=False)  # the search the others run finds it
    client.force_login(canary["direction"])
    page = response_text(client.get(reverse("observations:escalations")))
    assert sorted(leaked(page)) == sorted(ESCALATION_TEXTS)


def test_no_page_shows_the_marker_to_those_who_may_not_read_it(client, personas, canary):
    client.raise_request_exception = False
    search = {"q": SEARCHED, "quartier": canary["quartier"].pk}
    posted = {"title": SEARCHED, "place": MARKERS["place"].upper(),
              "quartier": canary["quartier"].pk, "category": canary["observation"].category_id}  # fmt: skip
    leaks = []
    urls = urls_to_visit(canary)
    for role in NON_READERS:
        client.logout()
        if role != "anonymous":
            client.force_login(personas[role])
        for name, url in urls:
            allowed = ESCALATION_TEXTS if role == "direction" and name in COMITE_READS else ()
            responses = [
                client.get(url),
                client.get(url, search),
                client.get(url, search, headers={"HX-Request": "true"}),
            ]
            if name in POSTED_READS:
                responses.append(client.post(url, posted, headers={"HX-Request": "true"}))
            for response in responses:
                pdf = response.get("Content-Type", "").startswith("application/pdf")
                if found := leaked(response_text(response), allowed=allowed, any_case=pdf):
                    leaks.append(f"{role} {response.request['PATH_INFO']} ({name}): {found}")
    assert not leaks, "\n".join(sorted(set(leaks)))


@pytest.mark.parametrize("kind", document_job_models(), ids=lambda kind: kind.__name__)
def test_no_document_prints_the_marker(canary, kind):
    job = canary["documents"][kind]
    assert job.status == DocumentJob.Status.READY, job.error
    with job.file.open("rb") as handle:
        text = pdf_text(handle.read())
    assert "Ouest" in text  # the document is about the canary's quartier
    assert not leaked(text)


def test_no_email_carries_the_marker(canary):
    sent = list(mail.outbox)
    assert any(m.attachments for m in sent)  # the documents went out, attached
    leaks = [f"{m.to} « {m.subject} »: {found}" for m in sent if (found := leaked(message_text(m)))]
    assert not leaks, "\n".join(leaks)


def test_no_notification_carries_the_marker(canary):
    messages = list(Notification.objects.values_list("message", flat=True))
    assert messages  # assigned, commented, escalated, answered
    assert not [m for m in messages if leaked(m)]


def test_no_calendar_feed_carries_the_marker(client, personas, canary):
    leaks = []
    for role in personas:
        token = meetings_services.feed_token_renew(agent=personas[role])
        feed = response_text(client.get(reverse("meetings:feed", args=[token.token])))
        if found := leaked(feed):
            leaks.append(f"{role}: {found}")
    assert not leaks
