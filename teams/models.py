"""Who and where: agents, services, quartiers, the équipes pluridisciplinaires and their partners."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from teams.geo import validate_outline


class AgentManager(BaseUserManager["Agent"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields) -> Agent:
        if not email:
            raise ValueError("An agent needs an email address.")
        agent = self.model(email=self.normalize_email(email).lower(), **fields)
        agent.set_password(password)
        agent.save(using=self._db)
        return agent

    def create_user(self, email: str, password: str | None = None, **fields) -> Agent:
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields) -> Agent:
        fields.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **fields)

    def get_by_natural_key(self, username: str | None) -> Agent:
        return self.get(email__iexact=username)


class Agent(AbstractBaseUser, PermissionsMixin):
    """A person with an account: a municipal agent, an élu, a member of the comité de direction."""

    class Notifications(models.TextChoices):
        IMMEDIATE = "immediate", _("immédiatement")
        DAILY = "daily", _("un résumé quotidien")

    email = models.EmailField(_("adresse électronique"), unique=True)
    first_name = models.CharField(_("prénom"), max_length=80)
    last_name = models.CharField(_("nom"), max_length=80)
    job_title = models.CharField(
        _("fonction"),
        max_length=160,
        blank=True,
        help_text=_("Par exemple : médiatrice d'équipement culturel."),
    )
    phone = models.CharField(_("téléphone professionnel"), max_length=30, blank=True)
    service = models.ForeignKey(
        "Service",
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agents",
    )
    manager = models.ForeignKey(
        "self",
        verbose_name=_("responsable hiérarchique"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
    )
    photo = models.ImageField(_("photo"), upload_to="agents/", blank=True)
    arrival_date = models.DateField(_("date d'arrivée"), null=True, blank=True)
    is_comite_direction = models.BooleanField(
        _("membre du comité de direction"),
        default=False,
        help_text=_("Lit les remontées de tous les quartiers et y répond."),
    )
    is_maire = models.BooleanField(
        _("maire"), default=False, help_text=_("Lit les documents publiés de tous les quartiers.")
    )
    notification_frequency = models.CharField(
        _("recevoir les notifications"),
        max_length=10,
        choices=Notifications.choices,
        default=Notifications.IMMEDIATE,
    )
    is_active = models.BooleanField(_("actif"), default=True)
    is_staff = models.BooleanField(_("accès à l'administration"), default=False)
    date_joined = models.DateTimeField(_("compte créé le"), default=timezone.now)

    objects = AgentManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    class Meta:
        verbose_name = _("agent")
        verbose_name_plural = _("agents")
        ordering = ["last_name", "first_name"]
        indexes = [models.Index(fields=["last_name", "first_name"])]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name

    @property
    def initials(self) -> str:
        return (self.first_name[:1] + self.last_name[:1]).upper()

    def get_absolute_url(self) -> str:
        return reverse("teams:agent_detail", args=[self.pk])

    def is_newcomer(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.arrival_date is not None and (today - self.arrival_date).days <= 90


class Service(models.Model):
    """A municipal service, under a direction, that agents belong to and inhabitants are oriented to."""

    name = models.CharField(_("nom"), max_length=160, unique=True)
    slug = models.SlugField(_("identifiant"), max_length=160, unique=True)
    direction = models.CharField(_("direction"), max_length=160, blank=True)
    offer = models.TextField(
        _("ce que le service propose aux habitants"),
        blank=True,
        help_text=_("Sert à orienter un habitant : démarches, accueil, équipements."),
    )
    keywords = models.CharField(
        _("mots-clés d'orientation"),
        max_length=400,
        blank=True,
        help_text=_("Besoins des habitants auxquels le service répond, séparés par des virgules."),
    )
    contact_email = models.EmailField(_("adresse électronique de contact"), blank=True)
    contact_phone = models.CharField(_("téléphone de contact"), max_length=30, blank=True)
    address = models.CharField(_("adresse d'accueil"), max_length=255, blank=True)
    opening_hours = models.CharField(_("horaires d'accueil"), max_length=255, blank=True)
    responsables = models.ManyToManyField(
        Agent,
        verbose_name=_("responsables du service"),
        blank=True,
        related_name="managed_services",
        help_text=_("Traitent les observations adressées au service, dans tous les quartiers."),
    )

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("teams:service_detail", args=[self.slug])


class QuartierManager(models.Manager["Quartier"]):
    """Quartiers without their outline: a polygon of kilobytes, decoded from JSON for each row,
    that pages listing quartiers (filter bars, panels, menus) never show. A map reads it where
    it draws one (`.values_list("outline")`, `.only(..., "outline")`, `.defer(None)`, or one
    query on first access); a foreign key followed or joined reads the whole row."""

    def get_queryset(self) -> models.QuerySet[Quartier]:
        return super().get_queryset().defer("outline")


class Quartier(models.Model):
    name = models.CharField(_("nom"), max_length=120, unique=True)
    slug = models.SlugField(_("identifiant"), max_length=120, unique=True)
    description = models.TextField(_("présentation"), blank=True)
    territories = models.TextField(
        _("territoires de la politique de la ville"),
        blank=True,
        help_text=_("Un territoire par ligne (quartiers prioritaires, quartiers de veille)."),
    )
    meeting_place = models.CharField(
        _("lieu de rencontre"),
        max_length=255,
        blank=True,
        help_text=_("Par exemple la maison de services et de proximité (MSP)."),
    )
    outline = models.JSONField(
        _("contour"),
        null=True,
        blank=True,
        validators=[validate_outline],
        help_text=_(
            "Géométrie GeoJSON (Polygon ou MultiPolygon, longitude puis latitude, WGS 84) "
            "du périmètre du quartier."
        ),
    )

    objects = QuartierManager()

    class Meta:
        verbose_name = _("quartier")
        verbose_name_plural = _("quartiers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("teams:quartier_detail", args=[self.slug])

    @property
    def territory_list(self) -> list[str]:
        return [line.strip() for line in self.territories.splitlines() if line.strip()]


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self, on: datetime.date | None = None) -> MembershipQuerySet:
        on = on or timezone.localdate()
        return self.filter(Q(start_date__lte=on), Q(end_date__isnull=True) | Q(end_date__gte=on))


class Membership(models.Model):
    """An agent's place in a quartier's équipe pluridisciplinaire, over a period."""

    class Role(models.TextChoices):
        CHEF_DE_PROJET = "chef", _("chef de projet de quartier")
        MEMBRE = "membre", _("membre de l'équipe")
        ELU = "elu", _("élu(e) référent(e)")
        DIRECTION = "direction", _("direction")

    agent = models.ForeignKey(
        Agent, verbose_name=_("agent"), on_delete=models.CASCADE, related_name="memberships"
    )
    quartier = models.ForeignKey(
        Quartier, verbose_name=_("quartier"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("rôle"), max_length=12, choices=Role.choices, default=Role.MEMBRE)
    start_date = models.DateField(_("depuis le"), default=datetime.date.today)
    end_date = models.DateField(_("jusqu'au"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membre d'équipe")
        verbose_name_plural = _("membres d'équipe")
        ordering = ["quartier", "role", "agent"]
        constraints = [
            models.UniqueConstraint(
                fields=["agent", "quartier", "role", "start_date"], name="membership_unique"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="membership_end_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["quartier", "role"]),
            models.Index(fields=["agent", "end_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.agent} — {self.quartier} ({self.get_role_display()})"


class Partner(models.Model):
    """A partner organisation (association, institution, bailleur, conseil citoyen): no account."""

    class Kind(models.TextChoices):
        ASSOCIATION = "association", _("association")
        INSTITUTION = "institution", _("institution")
        BAILLEUR = "bailleur", _("bailleur social")
        CENTRE_SOCIAL = "centre_social", _("centre social")
        CONSEIL_CITOYEN = "conseil_citoyen", _("conseil citoyen")

    name = models.CharField(_("nom"), max_length=200, unique=True)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    description = models.TextField(_("description"), blank=True)
    email = models.EmailField(_("adresse électronique"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    quartiers = models.ManyToManyField(
        Quartier, verbose_name=_("quartiers"), related_name="partners", blank=True
    )

    class Meta:
        verbose_name = _("partenaire")
        verbose_name_plural = _("partenaires")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ExternalParticipant(models.Model):
    """A person without an account (partner staff, conseil citoyen member) invited to meetings."""

    first_name = models.CharField(_("prénom"), max_length=80)
    last_name = models.CharField(_("nom"), max_length=80)
    email = models.EmailField(_("adresse électronique"))
    organisation = models.ForeignKey(
        Partner,
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="participants",
    )
    role = models.CharField(_("qualité"), max_length=160, blank=True)
    is_conseil_citoyen = models.BooleanField(_("membre du conseil citoyen"), default=False)
    quartiers = models.ManyToManyField(
        Quartier, verbose_name=_("quartiers"), related_name="external_participants", blank=True
    )

    class Meta:
        verbose_name = _("participant extérieur")
        verbose_name_plural = _("participants extérieurs")
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(fields=["email"], name="external_participant_email_unique")
        ]

    def __str__(self) -> str:
        org = f" ({self.organisation})" if self.organisation_id else ""
        return f"{self.first_name} {self.last_name}{org}"


class Priority(models.Model):
    """An axe prioritaire of the projet de quartier, cited by observations, actions and the diagnostic."""

    quartier = models.ForeignKey(
        Quartier, verbose_name=_("quartier"), on_delete=models.CASCADE, related_name="priorities"
    )
    title = models.CharField(_("intitulé"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    is_active = models.BooleanField(_("en vigueur"), default=True)

    class Meta:
        verbose_name = _("axe prioritaire")
        verbose_name_plural = _("axes prioritaires")
        ordering = ["quartier", "position", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["quartier", "title"], name="priority_unique_per_quartier"
            )
        ]

    def __str__(self) -> str:
        return self.title
