"""What the team discusses and decides: meetings, invitations, agenda items, minutes, actions."""

from __future__ import annotations

import datetime
import secrets
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from foundation.models import DocumentJob


class WorkingGroup(models.Model):
    """A thematic, cross-service groupe de travail with its own members (it may span quartiers)."""

    name = models.CharField(_("nom"), max_length=200, unique=True)
    description = models.TextField(_("objet"), blank=True)
    quartiers = models.ManyToManyField(
        "teams.Quartier", verbose_name=_("quartiers"), related_name="working_groups", blank=True
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("membres"),
        related_name="working_groups",
        blank=True,
    )
    external_members = models.ManyToManyField(
        "teams.ExternalParticipant",
        verbose_name=_("membres extérieurs"),
        related_name="working_groups",
        blank=True,
    )
    is_active = models.BooleanField(_("actif"), default=True)

    # Set on instances by the list of groups (not a column).
    manageable: bool

    class Meta:
        verbose_name = _("groupe de travail")
        verbose_name_plural = _("groupes de travail")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MeetingQuerySet(models.QuerySet["Meeting"]):
    def active(self) -> MeetingQuerySet:
        return self.exclude(status=Meeting.Status.CANCELLED)

    def overlapping(self, start: datetime.datetime, end: datetime.datetime) -> MeetingQuerySet:
        return self.filter(start__lt=end, end__gt=start)


class Meeting(models.Model):
    class Kind(models.TextChoices):
        EQUIPE = "equipe", _("équipe pluridisciplinaire")
        PETIT_DEJEUNER = "petit_dejeuner", _("petit déjeuner de la proximité")
        ETT = "ett", _("équipe technique territoriale")
        GROUPE = "groupe", _("groupe de travail")

    class Status(models.TextChoices):
        PLANNED = "planned", _("planifiée")
        AGENDA_PUBLISHED = "agenda", _("ordre du jour publié")
        HELD = "held", _("tenue")
        MINUTES_PUBLISHED = "minutes", _("compte rendu publié")
        CANCELLED = "cancelled", _("annulée")

    kind = models.CharField(_("type de réunion"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("intitulé"), max_length=200, blank=True)
    quartier = models.ForeignKey(
        "teams.Quartier",
        verbose_name=_("quartier"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
        help_text=_("Vide pour un groupe de travail commun à plusieurs quartiers."),
    )
    working_group = models.ForeignKey(
        WorkingGroup,
        verbose_name=_("groupe de travail"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
    )
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("organisé par"),
        on_delete=models.PROTECT,
        related_name="organised_meetings",
    )
    place = models.CharField(_("lieu"), max_length=255)
    start = models.DateTimeField(_("début"))
    end = models.DateTimeField(_("fin"))
    status = models.CharField(
        _("état"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    proposals_deadline = models.DateTimeField(
        _("date limite des propositions"),
        null=True,
        blank=True,
        help_text=_(
            "Les invités peuvent proposer des points à l'ordre du jour jusqu'à cette date."
        ),
    )
    agenda_version = models.PositiveSmallIntegerField(
        _("version de l'ordre du jour publiée"), default=0
    )
    agenda_changed = models.BooleanField(
        _("ordre du jour modifié depuis sa publication"), default=False
    )
    minutes_version = models.PositiveSmallIntegerField(
        _("version du compte rendu publiée"), default=0
    )
    minutes_changed = models.BooleanField(
        _("compte rendu modifié depuis sa publication"), default=False
    )
    minutes_summary = models.TextField(_("synthèse générale"), blank=True)
    proposals_reminder_sent_at = models.DateTimeField(
        _("rappel des propositions envoyé le"), null=True, blank=True
    )
    reminder_sent_at = models.DateTimeField(
        _("rappel de la réunion envoyé le"), null=True, blank=True
    )
    sequence = models.PositiveIntegerField(_("révision iCalendar"), default=0)
    # Bookings: the room booked for the meeting (set by `meetings.services`, freed on cancel).
    room_booking = models.OneToOneField(
        "bookings.Booking",
        verbose_name=_("réservation de la salle"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meeting",
    )
    cancellation_sent_at = models.DateTimeField(_("annulation envoyée le"), null=True, blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    objects = MeetingQuerySet.as_manager()

    # Set on instances by the reads that need them (not columns).
    my_response: str | None  # the user's answer, for the dashboard panel
    _group_quartier_ids: set[int]  # cached by permissions.can_manage

    class Meta:
        verbose_name = _("réunion")
        verbose_name_plural = _("réunions")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="meeting_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(quartier__isnull=False) | Q(working_group__isnull=False),
                name="meeting_has_quartier_or_group",
            ),
        ]
        indexes = [models.Index(fields=["quartier", "start"]), models.Index(fields=["start"])]

    def __str__(self) -> str:
        return f"{self.display_title} — {timezone.localtime(self.start):%d/%m/%Y}"

    def get_absolute_url(self) -> str:
        return reverse("meetings:detail", args=[self.pk])

    @property
    def display_title(self) -> str:
        if self.title:
            return self.title
        if self.working_group_id:
            return str(self.working_group)
        label = str(self.get_kind_display())
        label = label[:1].upper() + label[1:]
        return f"{label} — {self.quartier}" if self.quartier_id else label

    @property
    def duration_minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    @property
    def is_past(self) -> bool:
        return self.end <= timezone.now()

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def proposals_open(self) -> bool:
        if self.is_cancelled or self.is_past:
            return False
        return self.proposals_deadline is None or timezone.now() <= self.proposals_deadline


class Invitation(models.Model):
    """One invitee: an agent (with an account) or an external participant (by email only)."""

    class Response(models.TextChoices):
        PENDING = "pending", _("sans réponse")
        YES = "yes", _("présent")
        NO = "no", _("absent")
        MAYBE = "maybe", _("peut-être")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("réunion"), on_delete=models.CASCADE, related_name="invitations"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="meeting_invitations",
    )
    external = models.ForeignKey(
        "teams.ExternalParticipant",
        verbose_name=_("participant extérieur"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="meeting_invitations",
    )
    response = models.CharField(
        _("réponse"), max_length=10, choices=Response.choices, default=Response.PENDING
    )
    responded_at = models.DateTimeField(_("répondu le"), null=True, blank=True)
    attended = models.BooleanField(_("présent à la réunion"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "agent"], name="invitation_unique_agent"),
            models.UniqueConstraint(
                fields=["meeting", "external"], name="invitation_unique_external"
            ),
            models.CheckConstraint(
                condition=(Q(agent__isnull=False) & Q(external__isnull=True))
                | (Q(agent__isnull=True) & Q(external__isnull=False)),
                name="invitation_agent_xor_external",
            ),
        ]
        indexes = [models.Index(fields=["agent", "meeting"])]

    def __str__(self) -> str:
        return str(self.invitee)

    @property
    def invitee(self):
        return self.agent if self.agent_id else self.external

    @property
    def email(self) -> str:
        return self.invitee.email


class AgendaItem(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposé")
        ACCEPTED = "accepted", _("retenu")
        DEFERRED = "deferred", _("reporté")
        MERGED = "merged", _("fusionné")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("réunion"), on_delete=models.CASCADE, related_name="items"
    )
    title = models.CharField(_("intitulé"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    duration_minutes = models.PositiveSmallIntegerField(_("durée (minutes)"), default=15)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposé par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposed_agenda_items",
    )
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    is_action_review = models.BooleanField(_("suivi des actions"), default=False)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("fusionné dans"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    deferred_from = models.ForeignKey(
        Meeting,
        verbose_name=_("reporté de la réunion"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    observations = models.ManyToManyField(
        "observations.Observation",
        verbose_name=_("observations citées"),
        related_name="agenda_items",
        blank=True,
    )
    notes = models.TextField(_("compte rendu du point"), blank=True)
    decisions = models.TextField(_("décisions"), blank=True, help_text=_("Une décision par ligne."))
    created_at = models.DateTimeField(_("proposé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("point de l'ordre du jour")
        verbose_name_plural = _("points de l'ordre du jour")
        ordering = ["meeting", "position", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1) & Q(duration_minutes__lte=480),
                name="agenda_item_duration_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def decision_list(self) -> list[str]:
        return [line.strip(" -•\t") for line in self.decisions.splitlines() if line.strip(" -•\t")]


class Action(models.Model):
    """An action decided in a meeting, followed until it is done."""

    class Status(models.TextChoices):
        TODO = "todo", _("à faire")
        IN_PROGRESS = "in_progress", _("en cours")
        DONE = "done", _("faite")
        DROPPED = "dropped", _("abandonnée")

    OPEN_STATUSES = (Status.TODO, Status.IN_PROGRESS)

    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("décidée en réunion"),
        on_delete=models.CASCADE,
        related_name="actions",
    )
    agenda_item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("point de l'ordre du jour"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
    )
    quartier = models.ForeignKey(
        "teams.Quartier",
        verbose_name=_("quartier"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meeting_actions",
    )
    title = models.CharField(_("action"), max_length=255)
    description = models.TextField(_("précisions"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsable"),
        on_delete=models.PROTECT,
        related_name="meeting_actions",
    )
    services = models.ManyToManyField(
        "teams.Service",
        verbose_name=_("services concernés"),
        related_name="meeting_actions",
        blank=True,
    )
    due_date = models.DateField(_("échéance"))
    status = models.CharField(_("état"), max_length=12, choices=Status.choices, default=Status.TODO)
    priority = models.ForeignKey(
        "teams.Priority",
        verbose_name=_("axe du projet de quartier"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meeting_actions",
    )
    observation = models.ForeignKey(
        "observations.Observation",
        verbose_name=_("observation liée"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meeting_actions",
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("mise à jour le"), auto_now=True)
    done_at = models.DateTimeField(_("terminée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["due_date", "pk"]
        indexes = [
            models.Index(fields=["quartier", "status", "due_date"]),
            models.Index(fields=["owner", "status", "due_date"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return self.is_open and self.due_date < (today or timezone.localdate())


def _document_meeting(related_name: str) -> models.ForeignKey:
    return models.ForeignKey(
        Meeting, verbose_name=_("réunion"), on_delete=models.CASCADE, related_name=related_name
    )


def _unique_version(prefix: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(fields=["meeting", "version"], name=f"{prefix}_unique_version")


class MeetingDocument(DocumentJob):
    """One published version of a meeting's document: its PDF, then the emails to every invitee.

    A concrete subclass sets its Celery tasks (`task_name`, `mail_task_name`), the `Meeting` fields of its latest
    published version and of its "changed since" flag (`version_field`, `changed_field`), the
    `MailKind` of its emails (`mail_kind`), its `label`, and its `meeting` field (through
    `_document_meeting`, only to keep its own reverse name: `meeting.agenda_documents`...).
    """

    #: The Meeting field holding the latest published version of this kind of document.
    version_field: ClassVar[str] = ""
    #: The Meeting flag saying the content changed since that version was published.
    changed_field: ClassVar[str] = ""
    #: The `MailKind` of its emails.
    mail_kind: ClassVar[str] = ""
    label: ClassVar[str] = ""

    meeting: models.ForeignKey
    version = models.PositiveSmallIntegerField(_("version"))
    # What was published, frozen (selectors.agenda_content / minutes_content): readers and the
    # PDF see this, never the later edits. Empty for a version published before it was kept.
    content = models.JSONField(_("contenu publié"), default=dict, blank=True, editable=False)
    emails_sent_at = models.DateTimeField(_("courriels envoyés le"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["meeting", "-version"]

    def __str__(self) -> str:
        return f"{self.meeting} — {self.label} v{self.version}"

    @property
    def is_current(self) -> bool:
        """Still the meeting's latest published version (a newer one supersedes its emails)."""
        return self.version == getattr(self.meeting, self.version_field)


class AgendaDocument(MeetingDocument):
    """One published version of a meeting's agenda (ordre du jour)."""

    task_name = "meetings.tasks.render_agenda"
    mail_task_name = "meetings.tasks.send_agenda"
    version_field = "agenda_version"
    changed_field = "agenda_changed"
    mail_kind = "agenda"
    label = "ordre du jour"

    meeting = _document_meeting("agenda_documents")

    class Meta(MeetingDocument.Meta):
        verbose_name = _("ordre du jour publié")
        verbose_name_plural = _("ordres du jour publiés")
        constraints = [_unique_version("agenda_document")]


class MinutesDocument(MeetingDocument):
    """One published version of a meeting's compte rendu."""

    task_name = "meetings.tasks.render_minutes"
    mail_task_name = "meetings.tasks.send_minutes"
    version_field = "minutes_version"
    changed_field = "minutes_changed"
    mail_kind = "minutes"
    label = "compte rendu"

    meeting = _document_meeting("minutes_documents")

    class Meta(MeetingDocument.Meta):
        verbose_name = _("compte rendu publié")
        verbose_name_plural = _("comptes rendus publiés")
        constraints = [_unique_version("minutes_document")]


class MailKind(models.TextChoices):
    """The letters of a meeting, each sent per invitee on `foundation.mail`'s path (one letter
    per kind and version: `meetings.selectors.letter_of`)."""

    AGENDA = "agenda", _("ordre du jour")
    MINUTES = "minutes", _("compte rendu")
    CANCELLATION = "cancel", _("annulation")


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


def feed_token_expiry() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=365)


class CalendarFeedToken(models.Model):
    """The secret of one personal iCalendar address; revoking it (or its expiry) answers 404."""

    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.CASCADE,
        related_name="calendar_tokens",
    )
    token = models.CharField(_("jeton"), max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    expires_at = models.DateTimeField(_("expire le"), default=feed_token_expiry)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("dernière utilisation"), null=True, blank=True)

    class Meta:
        verbose_name = _("adresse d'agenda personnelle")
        verbose_name_plural = _("adresses d'agenda personnelles")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.agent} ({self.created_at:%d/%m/%Y})"

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
