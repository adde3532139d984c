"""Import of the HR directory (SIRH): agents, their service, job title, manager, quartiers,
arrival and departure, from a CSV (`;` or `,`, UTF-8 with or without BOM) or XLSX export.

`plan(rows)` compares the file with the database and returns a `Plan` (to create, to update
field by field, to deactivate) without writing; `apply(plan)` writes it in one transaction.
A bad row makes `parse`/`plan` raise `ImportRejected` with every line-numbered error, and
nothing is applied.

A departure (the departure date is reached, or, with `full=True`, an agent the HR directory
knew is absent from the export) deactivates the account (teams.services.agent_update ends its
sessions), revokes its calendar feed addresses (meetings), ends its memberships and hands its
open actions (meetings.Action) to the chef de projet of the action's quartier. Triage is a
role, not a per-agent assignment (observations are routed to services, triaged by the
quartier's chef): ending a chef's membership hands the triage to the other chefs of the
quartier, and a service's "responsable" is removed from the service. Nothing is handed to
someone leaving in the same import. The dry run lists these handovers as the apply will make
them (`_handovers` gives both the lines and the writes). History (authors, status changes,
minutes) stays attributed to the person.

This orchestration lives in the shell because teams may not import meetings.
"""

from __future__ import annotations

import csv
import datetime
import io
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from arras_quartiers.models import HRRecord
from meetings.models import Action, CalendarFeedToken
from teams import services as team_services
from teams.models import Agent, Membership, Quartier, Service

#: The documented columns (README "Import depuis le SIRH"), by their normalised header.
COLUMNS = {
    "matricule": "matricule",
    "nom": "last_name",
    "prenom": "first_name",
    "email": "email",
    "service": "service",
    "fonction": "job_title",
    "responsable": "manager",
    "quartiers": "quartiers",
    "date d'arrivee": "arrival_date",
    "date de depart": "departure_date",
}
REQUIRED = ("matricule", "last_name", "first_name", "email")
#: What the import page tells an administrator of each column (the README says the same).
COLUMN_HELP = [
    ("matricule", _("obligatoire, unique : la clé de l'agent d'un import à l'autre")),
    ("nom, prénom", _("obligatoires")),
    ("email", _("obligatoire, unique ; retrouve un agent créé à la main (premier import)")),
    ("service", _("nom ou identifiant d'un service existant")),
    ("fonction", _("intitulé du poste (vide : la fonction saisie dans l'application est gardée)")),
    ("responsable", _("matricule ou adresse du responsable hiérarchique")),
    (
        "quartiers",
        _("identifiants ou noms de quartiers séparés par « | » : l'agent y entre comme membre"),
    ),
    (
        "date d'arrivée, date de départ",
        _(
            "JJ/MM/AAAA ou AAAA-MM-JJ (ou dates Excel) ; une date d'arrivée vide garde celle de l'application"
        ),
    ),
]
FIELD_LABELS = {
    "first_name": "prénom",
    "last_name": "nom",
    "email": "email",
    "job_title": "fonction",
    "service": "service",
    "manager": "responsable",
    "arrival_date": "date d'arrivée",
    "departure_date": "date de départ",
    "quartiers": "quartiers",
}


class ImportRejected(Exception):
    """The file cannot be imported; `errors` are (line, French message) pairs."""

    def __init__(self, errors: list[tuple[int, str]]):
        self.errors = errors
        super().__init__("; ".join(f"ligne {line} : {msg}" for line, msg in errors))

    def lines(self) -> list[str]:
        return [f"Ligne {line} : {message}" if line else message for line, message in self.errors]


@dataclass
class Row:
    line: int
    values: dict[str, Any]


@dataclass
class Creation:
    row: Row
    label: str


@dataclass
class Update:
    agent: Agent
    changes: list[tuple[str, str, str]]  # field label, old, new
    line: int = 0


@dataclass
class Departure:
    agent: Agent
    reason: str
    handovers: list[str] = field(default_factory=list)


@dataclass
class Plan:
    rows: list[Row]
    today: datetime.date
    full: bool
    creations: list[Creation] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)
    departures: list[Departure] = field(default_factory=list)
    applied: bool = False

    @property
    def empty(self) -> bool:
        return not (self.creations or self.updates or self.departures)

    def lines(self) -> list[str]:
        out = [f"À créer : {len(self.creations)}"]
        out += [f"  + {c.label}" for c in self.creations]
        out.append(f"À mettre à jour : {len(self.updates)}")
        for update in self.updates:
            out.append(f"  ~ {update.agent} <{update.agent.email}>")
            out += [f"      {label} : « {old} » → « {new} »" for label, old, new in update.changes]
        out.append(f"À désactiver : {len(self.departures)}")
        for departure in self.departures:
            out.append(f"  - {departure.agent} <{departure.agent.email}> ({departure.reason})")
            out += [f"      {handover}" for handover in departure.handovers]
        return out


# ---------------------------------------------------------------------------------------------
# Reading the file


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode()
    return " ".join(text.replace("’", "'").replace("_", " ").strip().lower().split())


def _read_xlsx(content: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the same error
        raise ImportRejected([(0, "Le fichier XLSX est illisible.")]) from exc
    sheet = workbook.worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _read_csv(content: bytes) -> list[list[Any]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRejected(
            [(0, "Le fichier n'est pas en UTF-8 : enregistrez-le en « CSV UTF-8 ».")]
        ) from exc
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _date(value: Any, line: int, label: str, errors: list) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            return datetime.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a date
        except ValueError:
            continue
    errors.append((line, f"{label} « {text} » illisible (attendu JJ/MM/AAAA)."))
    return None


def parse(content: bytes, filename: str = "") -> list[Row]:
    """The rows of the file, header checked; line numbers as in a spreadsheet (header = 1)."""
    is_xlsx = filename.lower().endswith(".xlsx") or content[:2] == b"PK"
    table = _read_xlsx(content) if is_xlsx else _read_csv(content)
    if not table:
        raise ImportRejected([(0, "Le fichier est vide.")])
    header = [_norm(cell) for cell in table[0]]
    unknown = [table[0][i] for i, name in enumerate(header) if name and name not in COLUMNS]
    missing = [name for name, key in COLUMNS.items() if key in REQUIRED and name not in header]
    errors: list[tuple[int, str]] = []
    if unknown:
        errors.append((1, f"colonnes inconnues : {', '.join(map(str, unknown))}."))
    if missing:
        errors.append((1, f"colonnes obligatoires absentes : {', '.join(missing)}."))
    if errors:
        raise ImportRejected(errors)
    rows = []
    for index, cells in enumerate(table[1:], start=2):
        if not any(str(c).strip() for c in cells if c is not None):
            continue
        values: dict[str, Any] = {}
        for position, name in enumerate(header):
            if name:
                cell = cells[position] if position < len(cells) else None
                values[COLUMNS[name]] = cell.strip() if isinstance(cell, str) else cell
        rows.append(Row(index, values))
    return rows


# ---------------------------------------------------------------------------------------------
# Comparing with the database


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _validate(rows: list[Row]) -> tuple[dict[int, dict[str, Any]], list[tuple[int, str]]]:
    """Resolve every row (service, quartiers, dates); returns clean values by line, errors."""
    errors: list[tuple[int, str]] = []
    services = {_norm(s.name): s for s in Service.objects.all()}
    services.update({_norm(s.slug): s for s in services.values()})
    quartiers = {_norm(q.name): q for q in Quartier.objects.all()}
    quartiers.update({_norm(q.slug): q for q in quartiers.values()})
    seen_matricules: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    clean: dict[int, dict[str, Any]] = {}
    for row in rows:
        v, line = row.values, row.line
        out: dict[str, Any] = {}
        errors.extend(
            (line, f"{FIELD_LABELS.get(key, key)} manquant.")
            for key in REQUIRED
            if not _text(v.get(key))
        )
        matricule = _text(v.get("matricule"))
        email = _text(v.get("email")).lower()
        if matricule:
            if matricule in seen_matricules:
                errors.append(
                    (
                        line,
                        f"matricule {matricule} déjà présent ligne {seen_matricules[matricule]}.",
                    )
                )
            seen_matricules.setdefault(matricule, line)
        if email:
            try:
                validate_email(email)
            except ValidationError:
                errors.append((line, f"adresse électronique « {email} » invalide."))
            if email in seen_emails:
                errors.append((line, f"adresse {email} déjà présente ligne {seen_emails[email]}."))
            seen_emails.setdefault(email, line)
        out.update(
            matricule=matricule,
            email=email,
            first_name=_text(v.get("first_name")),
            last_name=_text(v.get("last_name")),
            job_title=_text(v.get("job_title")),
        )
        service_name = _text(v.get("service"))
        out["service"] = None
        if service_name:
            out["service"] = services.get(_norm(service_name))
            if out["service"] is None:
                errors.append((line, f"service inconnu « {service_name} »."))
        out["quartiers"] = []
        for name in filter(None, (part.strip() for part in _text(v.get("quartiers")).split("|"))):
            quartier = quartiers.get(_norm(name))
            if quartier is None:
                errors.append((line, f"quartier inconnu « {name} »."))
            else:
                out["quartiers"].append(quartier)
        out["arrival_date"] = _date(v.get("arrival_date"), line, "date d'arrivée", errors)
        out["departure_date"] = _date(v.get("departure_date"), line, "date de départ", errors)
        if (
            out["arrival_date"]
            and out["departure_date"]
            and out["departure_date"] < out["arrival_date"]
        ):
            errors.append((line, "la date de départ précède la date d'arrivée."))
        out["manager_ref"] = _text(v.get("manager"))
        clean[line] = out
    # Managers: a matricule or an address, in the file or already known.
    directory = _Directory()
    for row in rows:
        ref = clean[row.line]["manager_ref"]
        if not ref:
            continue
        if ref in seen_matricules or ref.lower() in seen_emails or directory.knows(ref):
            continue
        errors.append((row.line, f"responsable « {ref} » introuvable (matricule ou adresse)."))
    return clean, errors


class _Directory:
    """The agents, their HR records and active quartiers, read once (a few queries per file)."""

    def __init__(self) -> None:
        agents = Agent.objects.select_related("service", "manager")
        self.by_email = {agent.email.lower(): agent for agent in agents}
        by_pk = {agent.pk: agent for agent in self.by_email.values()}
        self.records = {record.matricule: record for record in HRRecord.objects.all()}
        self.record_of = {record.agent_id: record for record in self.records.values()}
        self.quartiers: dict[int, set[str]] = {}
        for agent_id, name in Membership.objects.active().values_list("agent_id", "quartier__name"):
            self.quartiers.setdefault(agent_id, set()).add(name)
        self.by_pk = by_pk

    def knows(self, ref: str) -> bool:
        return ref in self.records or ref.lower() in self.by_email

    def existing(self, values: dict[str, Any]) -> Agent | None:
        record = self.records.get(values["matricule"])
        if record:
            return self.by_pk.get(record.agent_id)
        return self.by_email.get(values["email"])

    def manager_of(self, ref: str, clean: dict[int, dict[str, Any]]) -> Agent | None:
        if not ref:
            return None
        record = self.records.get(ref)
        if record:
            return self.by_pk.get(record.agent_id)
        for values in clean.values():
            if values["matricule"] == ref:
                ref = values["email"]
                break
        return self.by_email.get(ref.lower())

    def add(self, agent: Agent, record: HRRecord) -> None:
        self.by_email[agent.email.lower()] = agent
        self.by_pk[agent.pk] = agent
        self.records[record.matricule] = record
        self.record_of[agent.pk] = record


def plan(rows: list[Row], *, full: bool = False, today: datetime.date | None = None) -> Plan:
    today = today or timezone.localdate()
    clean, errors = _validate(rows)
    if errors:
        raise ImportRejected(sorted(errors))
    directory = _Directory()
    result = Plan(rows=rows, today=today, full=full)
    seen_agents: set[int] = set()
    for row in rows:
        values = clean[row.line]
        agent = directory.existing(values)
        gone = values["departure_date"] is not None and values["departure_date"] <= today
        if agent is None:
            if not gone:
                result.creations.append(
                    Creation(
                        row,
                        f"{values['first_name']} {values['last_name']} <{values['email']}> "
                        f"(matricule {values['matricule']})",
                    )
                )
            continue
        seen_agents.add(agent.pk)
        other = directory.by_email.get(values["email"])
        if other is not None and other.pk != agent.pk:
            raise ImportRejected(
                [(row.line, f"l'adresse {values['email']} appartient déjà à un autre agent.")]
            )
        changes = _changes(agent, values, clean, directory, gone=gone)
        if changes:
            result.updates.append(Update(agent, changes, row.line))
        if gone and agent.is_active:
            result.departures.append(
                Departure(agent, f"départ le {values['departure_date']:%d/%m/%Y}")
            )
    if full:
        absent = (
            Agent.objects.filter(is_active=True, hr_record__isnull=False)
            .exclude(pk__in=seen_agents)
            .order_by("last_name", "first_name")
        )
        result.departures += [Departure(agent, "absent de l'export complet") for agent in absent]
    # What each departure will hand over, shown before anything is applied.
    leaving = {departure.agent.pk for departure in result.departures}
    for departure in result.departures:
        departure.handovers = handovers_planned(departure.agent, on=today, leaving=leaving)
    return result


def _changes(
    agent: Agent, values: dict[str, Any], clean, directory: _Directory, *, gone: bool
) -> list[tuple[str, str, str]]:
    changes = []
    for name in ("first_name", "last_name", "email", "job_title", "arrival_date"):
        old, new = getattr(agent, name), values[name]
        if name in ("job_title", "arrival_date") and not new:
            continue  # an empty cell keeps what the app knows (typed there, or the demo's)
        if (old or None) != (new or None):
            changes.append((FIELD_LABELS[name], _text(old), _text(new)))
    if values["service"] is not None and agent.service_id != values["service"].pk:
        changes.append(("service", _text(agent.service), _text(values["service"])))
    manager = directory.manager_of(values["manager_ref"], clean)
    if values["manager_ref"] and (manager is None or agent.manager_id != manager.pk):
        changes.append(
            ("responsable", _text(agent.manager), _text(manager or values["manager_ref"]))
        )
    record = directory.record_of.get(agent.pk)
    if record is None or record.matricule != values["matricule"]:
        changes.append(("matricule", record.matricule if record else "", values["matricule"]))
    old_departure = record.departure_date if record else None
    if old_departure != values["departure_date"]:
        changes.append(("date de départ", _text(old_departure), _text(values["departure_date"])))
    active = directory.quartiers.get(agent.pk, set())
    missing = [] if gone else [q.name for q in values["quartiers"] if q.name not in active]
    if missing:
        changes.append(
            ("quartiers", ", ".join(sorted(active)), ", ".join(sorted(active | set(missing))))
        )
    return changes


# ---------------------------------------------------------------------------------------------
# Writing


@transaction.atomic
def apply(result: Plan) -> Plan:
    """Write the plan: the rows created or changed (managers last: a manager may be created
    further down the file), then the departures."""
    clean, errors = _validate(result.rows)
    if errors:
        raise ImportRejected(sorted(errors))
    directory = _Directory()
    now = timezone.now()
    to_write = {c.row.line for c in result.creations} | {u.line for u in result.updates}
    written: list[tuple[Agent, dict[str, Any]]] = []
    for row in result.rows:
        if row.line not in to_write:
            continue
        values = clean[row.line]
        gone = values["departure_date"] is not None and values["departure_date"] <= result.today
        agent = directory.existing(values)
        if agent is None:
            agent = Agent.objects.create_user(
                values["email"],
                None,
                first_name=values["first_name"],
                last_name=values["last_name"],
            )
        _write_agent(agent, values, result.today, memberships=not gone)
        record, _created = HRRecord.objects.update_or_create(
            agent=agent,
            defaults={
                "matricule": values["matricule"],
                "departure_date": values["departure_date"],
                "imported_at": now,
            },
        )
        directory.add(agent, record)
        written.append((agent, values))
    for agent, values in written:
        manager = directory.manager_of(values["manager_ref"], clean)
        if manager is not None and agent.manager_id != manager.pk:
            agent.manager = manager
            agent.save(update_fields=["manager"])
    leaving = {departure.agent.pk for departure in result.departures}
    for departure in result.departures:
        departure.handovers = depart(departure.agent, on=result.today, leaving=leaving)
    result.applied = True
    return result


def _write_agent(agent: Agent, values, today: datetime.date, *, memberships: bool) -> None:
    for name in ("first_name", "last_name", "email"):
        setattr(agent, name, values[name])
    if values["arrival_date"]:
        agent.arrival_date = values["arrival_date"]
    if values["job_title"]:
        agent.job_title = values["job_title"]
    if values["service"] is not None:
        agent.service = values["service"]
    agent.save()
    start = max(values["arrival_date"] or today, today)
    for quartier in values["quartiers"] if memberships else []:
        if not Membership.objects.active(start).filter(agent=agent, quartier=quartier).exists():
            team_services.membership_add(
                quartier=quartier, agent=agent, role=Membership.Role.MEMBRE, start_date=start
            )


def _chef_of(quartier: Quartier | None, leaving: set[int]) -> Agent | None:
    """The quartier's chef de projet who takes over: active, and not leaving in this import."""
    if quartier is None:
        return None
    membership = (
        Membership.objects.active()
        .filter(quartier=quartier, role=Membership.Role.CHEF_DE_PROJET, agent__is_active=True)
        .exclude(agent__in=leaving)
        .select_related("agent")
        .order_by("start_date", "pk")
        .first()
    )
    return membership.agent if membership else None


def _handovers(
    agent: Agent, on: datetime.date, leaving: set[int]
) -> list[tuple[str | None, Callable[[], object]]]:
    """What a departure hands over: (line of the report or None, the write), in order.

    The dry run shows the lines; `depart` runs the writes. `leaving`: the agents leaving in
    the same import (nobody hands over to one of them)."""
    leaving = leaving | {agent.pk}
    now = timezone.now()
    steps: list[tuple[str | None, Callable[[], object]]] = []
    tokens = CalendarFeedToken.objects.filter(agent=agent, revoked_at__isnull=True)
    if count := tokens.count():
        steps.append(
            (
                f"adresse d'agenda personnelle révoquée ({count})",
                partial(tokens.update, revoked_at=now),
            )
        )
    actions = Action.objects.filter(owner=agent, status__in=Action.OPEN_STATUSES).select_related(
        "quartier", "meeting__quartier"
    )
    for action in actions:
        quartier = action.quartier or action.meeting.quartier
        chef = _chef_of(quartier, leaving)
        if chef is None:
            steps.append(
                (
                    f"action « {action.title} » : aucun chef de projet actif pour la reprendre",
                    lambda: None,
                )
            )
            continue
        steps.append(
            (
                f"action « {action.title} » confiée à {chef} ({quartier})",
                partial(_set_owner, action, chef),
            )
        )
    last_day = on - datetime.timedelta(days=1)  # gone on the departure date
    for membership in Membership.objects.filter(agent=agent).filter(
        Q(end_date__isnull=True) | Q(end_date__gt=last_day)
    ):
        if membership.start_date > last_day:
            # Not begun before the departure: no history to keep.
            steps.append((None, membership.delete))
            continue
        line = None
        if membership.role == Membership.Role.CHEF_DE_PROJET:
            chef = _chef_of(membership.quartier, leaving)
            line = f"tri des observations de {membership.quartier} : " + (
                f"repris par {chef}" if chef else "aucun autre chef de projet, à désigner"
            )
        steps.append(
            (line, partial(team_services.membership_end, membership=membership, end_date=last_day))
        )
    steps.extend(
        (
            f"n'est plus responsable du service {service}",
            partial(service.responsables.remove, agent),
        )
        for service in agent.managed_services.all()
    )
    return steps


def _set_owner(action: Action, owner: Agent) -> None:
    action.owner = owner
    action.save(update_fields=["owner"])


def handovers_planned(
    agent: Agent, *, on: datetime.date, leaving: set[int] | None = None
) -> list[str]:
    """The report's lines of a departure, written nowhere (the dry run)."""
    return [line for line, _write in _handovers(agent, on, leaving or set()) if line]


def depart(
    agent: Agent, *, on: datetime.date | None = None, leaving: set[int] | None = None
) -> list[str]:
    """Deactivate a departed agent and hand over what it held; returns the handovers."""
    on = on or timezone.localdate()
    agent = Agent.objects.get(pk=agent.pk)  # as just written by the import, not as planned
    agent.is_active = False
    team_services.agent_update(agent=agent)  # ends its sessions
    handovers = []
    for line, write in _handovers(agent, on, leaving or set()):
        write()
        if line:
            handovers.append(line)
    HRRecord.objects.filter(agent=agent).update(departed_at=timezone.now())
    return handovers
