"""Forms of `meetings`: validation and French messages only, no side effects."""

from __future__ import annotations

import datetime
from typing import cast
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from bookings.models import Resource
from foundation.forms import choice_field
from meetings import permissions
from meetings.models import Action, AgendaItem, Invitation, Meeting, WorkingGroup
from meetings.planning import Proposal, aware
from meetings.services import PlannedRow
from observations.models import Observation
from teams.access import roles_of
from teams.fields import QuartierField
from teams.models import (
    Agent,
    ExternalParticipant,
    Membership,
    Partner,
    Priority,
    Quartier,
    Service,
)
from teams.pickers import (
    AgentsField,
    AgentsPicker,
    ExternalsField,
    ExternalsPicker,
    QuartiersField,
    QuartiersPicker,
)

PARIS = ZoneInfo(settings.TIME_ZONE)
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M")


def combine(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return datetime.datetime.combine(day, time, tzinfo=PARIS)


class ObservationChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Observation) -> str:
        return f"n° {obj.pk} — {obj.title} ({obj.category})"


class ActionObservationField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Observation) -> str:
        return f"n° {obj.pk} — {obj.title}"


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type de réunion"), choices=Meeting.Kind.choices)
    title = forms.CharField(
        label=_("Intitulé"),
        required=False,
        max_length=200,
        help_text=_("Facultatif : par défaut, le type de réunion et le quartier."),
    )
    quartier = QuartierField(label=_("Quartier"), queryset=Quartier.objects.none(), required=False)
    working_group = forms.ModelChoiceField(
        label=_("Groupe de travail"),
        queryset=WorkingGroup.objects.none(),
        required=False,
        error_messages={
            "invalid_choice": _(
                "Choisissez un groupe de travail que vous gérez : seuls ses gestionnaires peuvent le réunir."
            )
        },
        help_text=_("Pour une réunion de groupe de travail : ses membres sont invités."),
    )
    place = forms.CharField(label=_("Lieu"), max_length=255)
    # Bookings: the room of a shared place (the MSP), booked for the meeting's time.
    room = forms.ModelChoiceField(
        label=_("Salle à réserver"),
        queryset=Resource.objects.none(),
        required=False,
        empty_label=_("Aucune réservation de salle"),
        help_text=_(
            "Réservée pour l'horaire de la réunion, déplacée avec elle, libérée si elle est annulée."
        ),
    )
    date = forms.DateField(label=_("Date"), widget=DATE)
    start_time = forms.TimeField(label=_("Heure de début"), widget=TIME)
    end_time = forms.TimeField(label=_("Heure de fin"), widget=TIME)
    proposals_deadline = forms.DateField(
        label=_("Propositions de points jusqu'au"),
        required=False,
        widget=DATE,
        help_text=_("Par défaut, une semaine avant la réunion."),
    )

    def __init__(
        self,
        *args,
        quartiers=None,
        working_groups=None,
        editing: bool = False,
        rooms=None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.editing = editing
        if rooms is None:
            del self.fields["room"]
        else:
            choice_field(self, "room").queryset = rooms
        if editing:
            for name in ("kind", "quartier", "working_group"):
                del self.fields[name]
            return
        choice_field(self, "quartier").queryset = (
            quartiers if quartiers is not None else Quartier.objects.none()
        )
        # Only the groups the organiser manages: convening invites their members in the city's name.
        choice_field(self, "working_group").queryset = (
            working_groups if working_groups is not None else WorkingGroup.objects.none()
        )

    @classmethod
    def initial_for(cls, meeting: Meeting) -> dict:
        start, end = (
            timezone.localtime(meeting.start, PARIS),
            timezone.localtime(meeting.end, PARIS),
        )
        deadline = (
            timezone.localtime(meeting.proposals_deadline, PARIS).date()
            if meeting.proposals_deadline
            else None
        )
        booking = meeting.room_booking
        return {
            "title": meeting.title,
            "place": meeting.place,
            "room": booking.resource_id if booking and not booking.is_cancelled else None,
            "date": start.date(),
            "start_time": start.time(),
            "end_time": end.time(),
            "proposals_deadline": deadline,
        }

    def clean(self):
        super().clean()
        data = self.cleaned_data
        day, start, end = data.get("date"), data.get("start_time"), data.get("end_time")
        if day and start and end:
            if end <= start:
                self.add_error("end_time", _("L'heure de fin doit être après l'heure de début."))
            data["start"], data["end"] = combine(day, start), combine(day, end)
            deadline = data.get("proposals_deadline")
            if deadline:
                if deadline > day:
                    self.add_error(
                        "proposals_deadline",
                        _("La date limite des propositions doit précéder la réunion."),
                    )
                data["proposals_deadline_at"] = combine(deadline, datetime.time(23, 59))
        if not self.editing:
            kind = data.get("kind")
            if kind == Meeting.Kind.GROUPE and not data.get("working_group"):
                self.add_error("working_group", _("Choisissez le groupe de travail qui se réunit."))
            if kind != Meeting.Kind.GROUPE and not data.get("quartier"):
                self.add_error("quartier", _("Choisissez le quartier de la réunion."))
        return data


class YearPlanRowForm(forms.Form):
    include = forms.BooleanField(label=_("Planifier"), required=False, initial=True)
    kind = forms.ChoiceField(choices=Meeting.Kind.choices, widget=forms.HiddenInput)
    label = forms.CharField(widget=forms.HiddenInput, required=False)
    date = forms.DateField(label=_("Date"), widget=DATE, required=False)
    start_time = forms.TimeField(label=_("Début"), widget=TIME, required=False)
    end_time = forms.TimeField(label=_("Fin"), widget=TIME, required=False)
    place = forms.CharField(label=_("Lieu"), max_length=255, required=False)

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if not data.get("include"):
            return data
        for name, message in (
            ("date", _("Indiquez une date.")),
            ("start_time", _("Indiquez l'heure de début.")),
            ("end_time", _("Indiquez l'heure de fin.")),
            ("place", _("Indiquez le lieu.")),
        ):
            if not data.get(name):
                self.add_error(name, message)
        if (
            data.get("start_time")
            and data.get("end_time")
            and data["end_time"] <= data["start_time"]
        ):
            self.add_error("end_time", _("L'heure de fin doit être après l'heure de début."))
        return data

    def day_label(self) -> str:
        """'mardi 16 février 2027' for the row's date, whatever the browser shows in its field."""
        value = self["date"].value()
        if isinstance(value, str):
            try:
                value = datetime.date.fromisoformat(value)
            except ValueError:
                return ""
        return date_format(value, "l j F Y") if isinstance(value, datetime.date) else ""


class BaseYearPlanFormSet(forms.BaseFormSet):
    """The year's proposals as rows to adjust; the ticked rows as the meetings to plan."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        #: Errors of the planning service, by row of the formset.
        self.row_errors: dict[int, list[str]] = {}
        self._planned_indexes: list[int] = []

    @staticmethod
    def initial_from(proposals: list[Proposal], *, place: str) -> list[dict]:
        """A row for each proposed date, and for each proposal without a date but a note."""
        return [
            {
                "include": p.date is not None,
                "kind": p.kind,
                "label": p.label,
                "date": p.date,
                "start_time": p.start_time,
                "end_time": p.end_time,
                "place": place,
            }
            for p in proposals
            if not p.note or p.date is not None
        ]

    def planned_rows(self) -> list[PlannedRow]:
        """The ticked rows, as the planning service takes them (once the formset is valid)."""
        planned, self._planned_indexes = [], []
        for index, form in enumerate(self.forms):
            data = form.cleaned_data
            if data.get("include"):
                planned.append(
                    PlannedRow(
                        kind=data["kind"],
                        start=aware(data["date"], data["start_time"]),
                        end=aware(data["date"], data["end_time"]),
                        place=data["place"],
                    )
                )
                self._planned_indexes.append(index)
        return planned

    def add_plan_errors(self, exc: ValidationError) -> bool:
        """Put the service's errors, keyed by planned row, on their rows; False if not by row."""
        if not hasattr(exc, "error_dict"):
            return False
        for key, errors in exc.message_dict.items():
            self.row_errors[self._planned_indexes[int(key)]] = errors
        return True

    def rows(self) -> list[tuple[YearPlanRowForm, list[str], list, str]]:
        """(form, its errors, its date and time fields, its day in words) for each row."""
        return [
            (
                form,
                self.row_errors.get(index, []),
                [form["date"], form["start_time"], form["end_time"]],
                form.day_label(),
            )
            for index, form in enumerate(cast(list[YearPlanRowForm], self.forms))
        ]


YearPlanFormSet = cast(
    type[BaseYearPlanFormSet],
    forms.formset_factory(
        YearPlanRowForm, formset=BaseYearPlanFormSet, extra=0, max_num=12, absolute_max=12
    ),
)


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("Année"), min_value=2000, max_value=2100)


class InviteForm(forms.Form):
    agents = AgentsField(
        label=_("Agents"),
        queryset=Agent.objects.none(),
        required=False,
        widget=AgentsPicker(few_widget=forms.SelectMultiple(attrs={"size": 8})),
    )
    externals = forms.ModelMultipleChoiceField(
        label=_("Participants extérieurs (partenaires, conseil citoyen)"),
        queryset=ExternalParticipant.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    partner = forms.ModelChoiceField(
        label=_("Ou inviter toutes les personnes d'un partenaire"),
        queryset=Partner.objects.none(),
        required=False,
    )

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        invited = meeting.invitations.values("agent_id")
        invited_ext = meeting.invitations.values("external_id")
        agents = choice_field(self, "agents")
        agents.queryset = (
            Agent.objects.filter(is_active=True)
            .exclude(pk__in=invited)
            .select_related("service")
            .order_by("last_name", "first_name")
        )
        # When the agents are too many to list, the likely ones are offered first: the
        # quartier's team, or the working group's members.
        cast(AgentsField, agents).shortlist = (
            Agent.objects.filter(
                memberships__in=Membership.objects.active().filter(quartier=meeting.quartier_id)
            )
            if meeting.quartier_id
            else Agent.objects.filter(working_groups=meeting.working_group_id)
        )
        externals = ExternalParticipant.objects.exclude(pk__in=invited_ext).select_related(
            "organisation"
        )
        partners = Partner.objects.all()
        if meeting.quartier_id:
            externals = externals.filter(quartiers=meeting.quartier_id)
            partners = partners.filter(quartiers=meeting.quartier_id)
        choice_field(self, "externals").queryset = externals.order_by("last_name", "first_name")
        choice_field(self, "partner").queryset = partners.order_by("name")

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if not (data.get("agents") or data.get("externals") or data.get("partner")):
            raise forms.ValidationError(_("Choisissez au moins une personne à inviter."))
        return data


class RsvpForm(forms.Form):
    response = forms.ChoiceField(
        label=_("Votre réponse"),
        choices=[c for c in Invitation.Response.choices if c[0] != Invitation.Response.PENDING],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )


class ProposalForm(forms.ModelForm):
    observations = ObservationChoiceField(
        label=_("Observations citées"),
        queryset=Observation.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_(
            "Facultatif. Dans les documents envoyés, une observation confidentielle n'apparaît que par son numéro."
        ),
    )

    class Meta:
        model = AgendaItem
        fields = ["title", "description", "duration_minutes", "observations"]
        labels = {
            "title": _("Intitulé du point"),
            "duration_minutes": _("Durée souhaitée (minutes)"),
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, observations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if observations is not None:
            choice_field(self, "observations").queryset = observations
        self.fields["duration_minutes"].widget.attrs.update({"min": 1, "max": 480, "step": 5})

    def clean_duration_minutes(self):
        value = self.cleaned_data["duration_minutes"]
        if not 1 <= value <= 480:
            raise forms.ValidationError(_("Indiquez une durée entre 1 et 480 minutes."))
        return value


class MergeForm(forms.Form):
    into = forms.ModelChoiceField(
        label=_("Fusionner dans le point"), queryset=AgendaItem.objects.none()
    )

    def __init__(self, *args, item: AgendaItem, **kwargs):
        super().__init__(*args, **kwargs)
        choice_field(self, "into").queryset = (
            item.meeting.items.exclude(pk=item.pk)
            .exclude(status=AgendaItem.Status.MERGED)
            .filter(is_action_review=False)
        )


class MinutesSummaryForm(forms.Form):
    summary = forms.CharField(
        label=_("Synthèse générale"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ItemMinutesForm(forms.Form):
    notes = forms.CharField(
        label=_("Échanges"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    decisions = forms.CharField(
        label=_("Décisions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Une décision par ligne."),
    )


class ActionForm(forms.ModelForm):
    class Meta:
        model = Action
        fields = [
            "title",
            "agenda_item",
            "owner",
            "services",
            "due_date",
            "priority",
            "observation",
            "description",
        ]
        widgets = {
            "due_date": DATE,
            "description": forms.Textarea(attrs={"rows": 2}),
            "services": forms.SelectMultiple(attrs={"size": 4}),
        }
        field_classes = {"observation": ActionObservationField}

    def __init__(self, *args, meeting: Meeting, owners, observations, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        choice_field(self, "agenda_item").queryset = meeting.items.filter(
            status=AgendaItem.Status.ACCEPTED
        )
        choice_field(self, "owner").queryset = owners
        choice_field(self, "services").queryset = Service.objects.order_by("name")
        # A groupe de travail without a quartier has no axes prioritaires to choose from.
        choice_field(self, "priority").queryset = (
            Priority.objects.filter(quartier_id=meeting.quartier_id, is_active=True)
            if meeting.quartier_id is not None
            else Priority.objects.none()
        )
        choice_field(self, "observation").queryset = observations

    def clean_due_date(self):
        due = self.cleaned_data["due_date"]
        if due < timezone.localtime(self.meeting.start).date():
            raise forms.ValidationError(_("L'échéance ne peut pas précéder la réunion."))
        return due


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("État"), choices=Action.Status.choices)


class ActionFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Afficher"),
        required=False,
        choices=[
            ("open", _("en cours et à faire")),
            ("overdue", _("en retard")),
            ("done", _("faites")),
            ("dropped", _("abandonnées")),
            ("all", _("toutes")),
        ],
    )


class WorkingGroupForm(forms.ModelForm):
    """A groupe de travail: its object, the quartiers it spans, its agents and external members."""

    class Meta:
        model = WorkingGroup
        fields = ["name", "description", "quartiers", "members", "external_members", "is_active"]
        field_classes = {
            "quartiers": QuartiersField,
            "members": AgentsField,
            "external_members": ExternalsField,
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "quartiers": QuartiersPicker,
            "members": AgentsPicker,
            "external_members": ExternalsPicker,
        }
        help_texts = {
            "members": _(
                "Agents de tous les services ; les membres actuels sont en tête de liste."
            ),
            "external_members": _("Partenaires, membres du conseil citoyen, associations."),
            "is_active": _("Un groupe inactif ne se propose plus pour de nouvelles réunions."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        quartiers = choice_field(self, "quartiers")
        quartiers.queryset = Quartier.objects.order_by("name")
        # When there are too many to list: the chosen ones, the person's own, and a search box.
        own = Quartier.objects.filter(pk__in=roles_of(user).chef_of)
        cast(QuartiersField, quartiers).shortlist = own
        group_pk = self.instance.pk or 0  # current members first, then everyone by name
        in_group = WorkingGroup.members.through.objects.filter(
            workinggroup_id=group_pk, agent_id=OuterRef("pk")
        )
        choice_field(self, "members").queryset = (
            Agent.objects.filter(is_active=True)
            .select_related("service")
            .alias(current=Exists(in_group))
            .order_by("-current", "last_name", "first_name")
        )
        external_in_group = WorkingGroup.external_members.through.objects.filter(
            workinggroup_id=group_pk, externalparticipant_id=OuterRef("pk")
        )
        externals = choice_field(self, "external_members")
        externals.queryset = (
            ExternalParticipant.objects.select_related("organisation")
            .alias(current=Exists(external_in_group))
            .order_by("-current", "last_name", "first_name")
        )
        cast(ExternalsField, externals).shortlist = ExternalParticipant.objects.filter(
            quartiers__in=own
        )
        self.fields["quartiers"].required = True

    def clean_quartiers(self):
        quartiers = self.cleaned_data["quartiers"]
        if not permissions.working_group_quartiers_allowed(self.user, {q.pk for q in quartiers}):
            raise ValidationError(
                _(
                    "Le groupe doit concerner au moins un des quartiers dont vous êtes chef de projet."
                )
            )
        return quartiers
