"""Arras demo for `meetings`: last year's and this year's meetings of Ouest, with agendas, minutes,
actions (some overdue), invitations and answers; the groupe de travail "accueil des familles
allophones"; petits déjeuners de la proximité.

Idempotent: a meeting is found by (kind, quartier or groupe, start), an item by (meeting, title),
an action by (meeting, title). Past meetings get their PDFs rendered here, without any email.
Every person is the fictitious staff of `teams.demo`.
"""

from __future__ import annotations

import datetime
import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bookings import selectors as booking_selectors
from foundation.models import DocumentJob
from meetings import documents, planning, services
from meetings.models import (
    Action,
    AgendaDocument,
    AgendaItem,
    Invitation,
    Meeting,
    MinutesDocument,
    WorkingGroup,
)
from teams.models import Agent, ExternalParticipant, Priority, Quartier, Service

DOMAIN = "arras.example"


def _person(local: str) -> Agent:
    return Agent.objects.get(email=f"{local}@{DOMAIN}")


def _stable(text: str, modulo: int) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest(), 16) % modulo


# (proposer, title, description, minutes, observation keyword or None)
TOPICS = [
    (
        "samia.haddad",
        "Propreté aux abords de la résidence des Tilleuls",
        "Dépôts d'encombrants récurrents près des conteneurs ; proposition d'une opération avec le bailleur.",
        20,
        "dépôt",
    ),
    (
        "julien.lefebvre",
        "Renouvellement urbain : phasage des travaux rue Baudimont",
        "Calendrier des fermetures de voirie et information des habitants.",
        30,
        "travaux",
    ),
    (
        "elodie.lemaire",
        "Familles allophones à l'école maternelle",
        "Retour du groupe de travail : interprétariat lors des inscriptions.",
        20,
        None,
    ),
    (
        "camille.roussel",
        "Fête de quartier : répartition des rôles",
        "Stands des services, sécurité, communication auprès des habitants.",
        25,
        None,
    ),
    (
        "melanie.hennebert",
        "Rodéos motorisés le soir près du city-stade",
        "Signalements en hausse depuis le printemps ; coordination avec la police municipale.",
        15,
        "rodéo",
    ),
    (
        "isabelle.carpentier",
        "Présentation du nouveau multi-accueil",
        "Places disponibles, modalités d'inscription, visite proposée aux partenaires.",
        15,
        None,
    ),
    (
        "sophie.marchand",
        "Non-recours aux aides vacances familles",
        "Peu de demandes cette année : comment mieux informer ?",
        20,
        None,
    ),
    (
        "yassine.bouzid",
        "Animations sportives de l'été",
        "Bilan de la fréquentation du city-stade et programme des vacances.",
        15,
        None,
    ),
    (
        "vincent.lecomte",
        "Locaux commerciaux vacants de la place du marché",
        "Deux cellules vides depuis six mois ; pistes d'occupation temporaire.",
        15,
        None,
    ),
    (
        "david.wattebled",
        "Éclairage public du chemin piéton des écoles",
        "Plusieurs lampadaires hors service ; calendrier de remplacement.",
        10,
        "éclairage",
    ),
]

# (owner, title, services, due in days from the meeting, done?)
ACTIONS = [
    (
        "olivier.bouchez",
        "Organiser une opération de ramassage des encombrants avec le bailleur",
        ["services-techniques"],
        30,
    ),
    (
        "julien.lefebvre",
        "Diffuser le calendrier des travaux dans les halls d'immeubles",
        ["cohesion-territoriale"],
        21,
    ),
    ("elodie.lemaire", "Recenser les besoins d'interprétariat des écoles", ["education"], 45),
    ("camille.roussel", "Réserver le matériel de la fête de quartier", ["culture"], 40),
    (
        "stephane.bernardin",
        "Programmer des passages de la police municipale en soirée",
        ["tranquillite-publique"],
        14,
    ),
    ("sophie.marchand", "Préparer une affiche sur les aides vacances pour la MSP", ["ccas"], 30),
    (
        "david.wattebled",
        "Remplacer les lampadaires du chemin des écoles",
        ["services-techniques"],
        60,
    ),
]


def _slot(
    day: datetime.date, start: datetime.time, minutes: int
) -> tuple[datetime.datetime, datetime.datetime]:
    begin = planning.aware(day, start)
    return begin, begin + datetime.timedelta(minutes=minutes)


def _working_day(day: datetime.date) -> datetime.date:
    calendar = planning.french_holidays(day.year, day.year + 1)
    while day.weekday() >= 5 or day in calendar:
        day += datetime.timedelta(days=1)
    return day


def _meeting(
    *, kind, organiser, place, start, end, quartier=None, group=None, title="", room=None
) -> tuple[Meeting, bool]:
    existing = Meeting.objects.filter(
        kind=kind, quartier=quartier, working_group=group, start=start
    ).first()
    if existing:
        return existing, False
    fields = {
        "kind": kind,
        "organiser": organiser,
        "quartier": quartier,
        "working_group": group,
        "place": place,
        "start": start,
        "end": end,
        "title": title,
        "allow_past": True,
    }
    try:
        meeting = services.meeting_create(**fields, room=room)
    except ValidationError as exc:
        # The room is taken then (a booking of the bookings' demo, whose days follow the day
        # the demo is loaded): the meeting is held without booking it.
        if room is None or "room" not in exc.message_dict:
            raise
        meeting = services.meeting_create(**fields)
    return meeting, True


def _answers(meeting: Meeting, *, past: bool) -> None:
    for invitation in meeting.invitations.select_related("agent", "external"):
        roll = _stable(f"{meeting.pk}-{invitation.pk}", 10)
        response = (
            Invitation.Response.YES
            if roll < 6
            else Invitation.Response.NO
            if roll < 8
            else Invitation.Response.MAYBE
            if roll < 9
            else Invitation.Response.PENDING
        )
        if not past and roll == 9:
            response = Invitation.Response.PENDING
        invitation.response = response
        invitation.responded_at = (
            None
            if response == Invitation.Response.PENDING
            else min(timezone.now(), meeting.start - datetime.timedelta(days=5))
        )
        if past:
            invitation.attended = (
                response in (Invitation.Response.YES, Invitation.Response.MAYBE) and roll != 5
            )
        invitation.save(update_fields=["response", "responded_at", "attended"])


def _items(meeting: Meeting, topics, observations) -> list[AgendaItem]:
    items = []
    for position, (who, title, description, minutes, keyword) in enumerate(topics, start=1):
        item, created = AgendaItem.objects.get_or_create(
            meeting=meeting,
            title=title,
            defaults={
                "description": description,
                "duration_minutes": minutes,
                "proposed_by": _person(who),
                "status": AgendaItem.Status.ACCEPTED,
                "position": position,
            },
        )
        if created and keyword:
            cited = [
                o for o in observations if keyword.lower() in (o.title + o.description).lower()
            ][:2]
            item.observations.set(cited)
        items.append(item)
    return items


def _render(model, meeting: Meeting, build) -> None:
    """Render a past meeting's document in-process, as if it had been sent at the time."""
    version = 1
    document, _created = model.objects.get_or_create(
        meeting=meeting, version=version, defaults={"requested_by": meeting.organiser}
    )
    if document.status == DocumentJob.Status.READY:
        return
    content, filename = build(document)
    document.store(content, filename)
    document.status = DocumentJob.Status.READY
    document.requested_at = document.finished_at = min(timezone.now(), meeting.end)
    document.emails_sent_at = document.finished_at
    document.attempts = 1
    document.save()


def _held(
    meeting: Meeting, items: list[AgendaItem], action_specs, services_by_slug, priorities
) -> None:
    """A past meeting: answers, attendance, minutes item by item, actions, both PDFs."""
    _answers(meeting, past=True)
    for item in items:
        if not item.notes:
            item.notes = (
                f"Échanges entre les services sur « {item.title.lower()} ». "
                "Chacun a présenté ce qu'il observe sur le terrain ; des pistes communes ont été retenues."
            )
            item.decisions = "Poursuivre le travail en lien avec les partenaires\nFaire un point à la prochaine réunion"
            item.save(update_fields=["notes", "decisions"])
    meeting.minutes_summary = meeting.minutes_summary or (
        "Réunion riche et bien suivie : les agents de onze services ont partagé leurs observations "
        "et se sont répartis les suites à donner."
    )
    for index, (owner, title, slugs, due_in) in enumerate(action_specs):
        action_item = items[index % len(items)] if items else None
        action, created = Action.objects.get_or_create(
            meeting=meeting,
            title=title,
            defaults={
                "agenda_item": action_item,
                "quartier": meeting.quartier,
                "owner": _person(owner),
                "due_date": timezone.localtime(meeting.start).date()
                + datetime.timedelta(days=due_in),
                "priority": priorities[index % len(priorities)] if priorities else None,
            },
        )
        if created:
            action.services.set([services_by_slug[s] for s in slugs])
            age = (timezone.localdate() - action.due_date).days
            # Older actions are done; a few recent ones stay open past their due date (the board shows them).
            if age > 0 and (age > 120 or _stable(title + str(meeting.pk), 3) != 0):
                action.status, action.done_at = (
                    Action.Status.DONE,
                    meeting.end + datetime.timedelta(days=due_in),
                )
            elif age > -20:
                action.status = Action.Status.IN_PROGRESS
            action.save()
    meeting.status = Meeting.Status.MINUTES_PUBLISHED
    meeting.agenda_version = max(meeting.agenda_version, 1)
    meeting.minutes_version = max(meeting.minutes_version, 1)
    meeting.agenda_changed = meeting.minutes_changed = False
    meeting.save()
    _render(AgendaDocument, meeting, documents.agenda_pdf)
    _render(MinutesDocument, meeting, documents.minutes_pdf)


@transaction.atomic
def load(stdout=None) -> None:
    now = timezone.now()
    today = timezone.localdate()
    ouest = Quartier.objects.get(slug="ouest")
    sud = Quartier.objects.get(slug="sud")
    chef = _person("claire.vasseur")
    services_by_slug = {s.slug: s for s in Service.objects.all()}
    priorities = list(Priority.objects.filter(quartier=ouest, is_active=True).order_by("position"))
    try:
        from observations.models import Observation

        observations = list(
            Observation.objects.filter(quartier=ouest)
            .select_related("category")
            .order_by("-pk")[:200]
        )
    except Exception:  # noqa: BLE001 - the demo of observations may not be loaded
        observations = []
    place = ouest.meeting_place or "Maison de services et de proximité (MSP)"
    # The room of Ouest's MSP (bookings' demo, loaded before): the team's meetings held there
    # book it, as the meeting form does.
    room = booking_selectors.default_room(ouest)

    created_count = 0
    upcoming: list[Meeting] = []
    for year in (today.year - 1, today.year):
        for index, (kind, _label, _first, _last, target, (start_time, end_time)) in enumerate(
            planning.periods(year)
        ):
            day = _working_day(target)
            minutes = int(
                (
                    datetime.datetime.combine(day, end_time)
                    - datetime.datetime.combine(day, start_time)
                ).total_seconds()
                // 60
            )
            start, end = _slot(day, start_time, minutes)
            meeting, created = _meeting(
                kind=kind,
                organiser=chef,
                quartier=ouest,
                place=place,
                start=start,
                end=end,
                room=room,
            )
            created_count += created
            if kind == Meeting.Kind.ETT and created:
                services.invitations_add(
                    meeting=meeting, externals=ExternalParticipant.objects.filter(quartiers=ouest)
                )
            topics = [TOPICS[(index * 3 + n) % len(TOPICS)] for n in range(4)]
            if end < now:
                items = _items(meeting, topics, observations)
                specs = [ACTIONS[(index * 2 + n + year) % len(ACTIONS)] for n in range(3)]
                _held(meeting, items, specs, services_by_slug, priorities)
            else:
                upcoming.append(meeting)

    # The next équipe (or one five weeks ahead): proposals are being collected.
    if not upcoming:
        day = _working_day(today + datetime.timedelta(days=21))
        start, end = _slot(day, datetime.time(9, 30), 120)
        meeting, created = _meeting(
            kind=Meeting.Kind.EQUIPE,
            organiser=chef,
            quartier=ouest,
            place=place,
            start=start,
            end=end,
            room=room,
        )
        created_count += created
        upcoming.append(meeting)
    next_meeting = upcoming[0]
    _answers(next_meeting, past=False)
    proposals = [TOPICS[0], TOPICS[4], TOPICS[9]]
    accepted = _items(next_meeting, proposals, observations)
    for who, title, description, minutes, _kw in (TOPICS[6], TOPICS[7]):
        AgendaItem.objects.get_or_create(
            meeting=next_meeting,
            title=title,
            defaults={
                "description": description,
                "duration_minutes": minutes,
                "proposed_by": _person(who),
            },
        )
    if next_meeting.proposals_deadline and next_meeting.proposals_deadline < now:
        next_meeting.proposals_deadline = min(next_meeting.start, now + datetime.timedelta(days=6))
        next_meeting.save(update_fields=["proposals_deadline"])
    del accepted

    # Petits déjeuners de la proximité: one held this year, one coming.
    for day, past in (
        (
            _working_day(
                datetime.date(today.year, 6, 12)
                if today.month > 6
                else datetime.date(today.year - 1, 12, 5)
            ),
            True,
        ),
        (_working_day(today + datetime.timedelta(days=20)), False),
    ):
        start, end = _slot(day, datetime.time(8, 0), 90)
        meeting, created = _meeting(
            kind=Meeting.Kind.PETIT_DEJEUNER,
            organiser=chef,
            quartier=ouest,
            place=place,
            start=start,
            end=end,
            title="Petit déjeuner de la proximité avec M. le maire",
            room=room,
        )
        created_count += created
        if past:
            items = _items(meeting, [TOPICS[1], TOPICS[4]], observations)
            _held(meeting, items, [ACTIONS[4]], services_by_slug, priorities)
        else:
            _answers(meeting, past=False)
            _items(meeting, [TOPICS[3]], observations)

    # The groupe de travail "accueil des familles allophones" (Ouest and Sud).
    group, _ = WorkingGroup.objects.update_or_create(
        name="Accueil des familles allophones",
        defaults={
            "description": "Faciliter l'accès aux droits et aux services des familles qui ne parlent pas encore français : "
            "interprétariat, ateliers sociolinguistiques, accueil à l'école et en crèche.",
        },
    )
    group.quartiers.set([ouest, sud])
    group.members.set(
        [
            _person(local)
            for local in (
                "claire.vasseur",
                "elodie.lemaire",
                "ines.belkacem",
                "sophie.marchand",
                "hugo.fontaine",
                "isabelle.carpentier",
                "fatou.diarra",
                "emilie.dhainaut",
                "mehdi.saidi",
            )
        ]
    )
    group.external_members.set(
        ExternalParticipant.objects.filter(email="karima.zeroual@arc-en-ciel.example")
    )
    for day, past in (
        (_working_day(today - datetime.timedelta(days=50)), True),
        (_working_day(today + datetime.timedelta(days=16)), False),
    ):
        start, end = _slot(day, datetime.time(14, 0), 90)
        meeting, created = _meeting(
            kind=Meeting.Kind.GROUPE,
            organiser=chef,
            quartier=None,
            group=group,
            place="Médiathèque de quartier, salle d'animation",
            start=start,
            end=end,
        )
        created_count += created
        topics = [
            (
                "elodie.lemaire",
                "Interprétariat lors des inscriptions scolaires",
                "Recenser les langues parlées et les bénévoles disponibles.",
                30,
                None,
            ),
            (
                "hugo.fontaine",
                "Ateliers sociolinguistiques à la médiathèque",
                "Créneaux, public visé, partenariat avec le centre social.",
                25,
                None,
            ),
        ]
        items = _items(meeting, topics, [])
        if past:
            _held(
                meeting,
                items,
                [
                    (
                        "ines.belkacem",
                        "Traduire la fiche d'accueil de la MSP en cinq langues",
                        ["cohesion-territoriale"],
                        20,
                    )
                ],
                services_by_slug,
                [],
            )
        else:
            _answers(meeting, past=False)

    if stdout:
        stdout.write(
            f"  meetings: {Meeting.objects.count()} réunions ({created_count} créées), "
            f"{Action.objects.count()} actions, {Invitation.objects.count()} invitations"
        )
