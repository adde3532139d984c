"""Forms of `walks`: validation only. The note form keeps stable field names (it may join the
offline queue of the observation form later: a plain multipart POST, nothing computed in JS)."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from foundation.forms import choice_field
from observations.forms import PHOTO_HELP, DateTimeLocalInput, MultiplePhotoField
from observations.models import Category, Observation
from observations.offline import QueueFields
from observations.privacy import find_personal_data
from teams.models import Agent, ExternalParticipant, Membership, Priority, Quartier
from walks.models import Stop, Walk

INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"]


class AgentChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Agent) -> str:
        service = f" ({obj.service.name})" if obj.service_id and obj.service else ""
        return f"{obj.get_full_name()}{service}"


class ExternalChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: ExternalParticipant) -> str:
        organisation = obj.organisation.name if obj.organisation_id and obj.organisation else ""
        kind = _("conseil citoyen") if obj.is_conseil_citoyen else organisation or _("habitant")
        return f"{obj.first_name} {obj.last_name} ({kind})"


class WalkForm(forms.Form):
    quartier = forms.ModelChoiceField(
        label=_("Quartier"), queryset=Quartier.objects.none(), empty_label=None
    )
    title = forms.CharField(label=_("Titre"), max_length=200)
    start = forms.DateTimeField(
        label=_("Début"), widget=DateTimeLocalInput(), input_formats=INPUT_FORMATS
    )
    end = forms.DateTimeField(
        label=_("Fin"), widget=DateTimeLocalInput(), input_formats=INPUT_FORMATS
    )
    meeting_point = forms.CharField(
        label=_("Point de rendez-vous"),
        max_length=255,
        help_text=_("Par exemple : devant la maison de services et de proximité."),
    )
    agents = AgentChoices(
        label=_("Agents invités"), queryset=Agent.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    externals = ExternalChoices(
        label=_("Partenaires et habitants invités"), queryset=ExternalParticipant.objects.none(),
        required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Ils reçoivent l'invitation par courriel, avec le fichier agenda (.ics)."),
    )  # fmt: skip

    def __init__(self, *args, quartiers, walk: Walk | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        choice_field(self, "quartier").queryset = quartiers
        ids = [walk.quartier_id] if walk else list(quartiers.values_list("pk", flat=True))
        if walk:
            del self.fields["quartier"]
        choice_field(self, "agents").queryset = (
            Agent.objects.filter(
                is_active=True,
                pk__in=Membership.objects.active()
                .filter(quartier_id__in=ids)
                .exclude(role=Membership.Role.ELU)
                .values("agent_id"),
            )
            .select_related("service")
            .order_by("last_name", "first_name")
        )
        choice_field(self, "externals").queryset = (
            ExternalParticipant.objects.filter(quartiers__in=ids)
            .distinct()
            .select_related("organisation")
            .order_by("last_name", "first_name")
        )

    def clean(self):
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end <= start:
            self.add_error("end", _("La fin de la marche doit suivre son début."))
        return cleaned


class StopForm(forms.ModelForm):
    class Meta:
        model = Stop
        fields = ["name", "theme", "priority", "latitude", "longitude"]
        labels = {"name": _("Lieu de l'arrêt"), "theme": _("Thème (texte libre)")}
        help_texts = {
            "latitude": _("Placez le point sur la carte, ou tapez-le (facultatif)."),
        }

    def __init__(self, *args, walk: Walk, **kwargs):
        super().__init__(*args, **kwargs)
        choice_field(self, "priority").queryset = Priority.objects.filter(
            quartier_id=walk.quartier_id, is_active=True
        )
        choice_field(self, "priority").empty_label = _("Aucun")
        for name in ("latitude", "longitude"):
            self.fields[name].widget.attrs.update({"step": "0.000001", "inputmode": "decimal"})

    def clean(self):
        cleaned = super().clean() or {}
        if (cleaned.get("latitude") is None) != (cleaned.get("longitude") is None):
            raise ValidationError(_("Indiquez la latitude et la longitude, ou aucune des deux."))
        latitude = cleaned.get("latitude")
        if latitude is not None and not -90 <= latitude <= 90:
            self.add_error("latitude", _("Une latitude est comprise entre -90 et 90."))
        return cleaned

    def service_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}


class NoteForm(QueueFields):
    """An observation at the current stop. Personal data typed in the text is refused outright
    (no confirmation box here: during a walk, an inhabitant may stand next to the agent)."""

    category = forms.ModelChoiceField(
        label=_("Catégorie"),
        queryset=Category.objects.filter(is_active=True),
        empty_label=_("Choisir…"),
    )
    title = forms.CharField(label=_("Ce que vous voyez, en quelques mots"), max_length=140)
    description = forms.CharField(
        label=_("Précisions (facultatif)"), required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Le lieu et le phénomène, sans nommer ni décrire d'habitant."),
    )  # fmt: skip
    confidentiality = forms.ChoiceField(
        label=_("Qui peut la lire ?"),
        choices=[
            (Observation.Confidentiality.TEAM, _("L'équipe du quartier")),
            (Observation.Confidentiality.CONFIDENTIAL, _("Confidentiel (situation sociale)")),
        ],
        initial=Observation.Confidentiality.TEAM,
        widget=forms.RadioSelect,
    )
    for_inhabitant = forms.BooleanField(
        label=_("Noté pour un habitant (sans compte)"), required=False,
        help_text=_("Cochez seulement : ne notez ni son nom ni ses coordonnées."),
    )  # fmt: skip
    photos = MultiplePhotoField(label=_("Photos (facultatif)"), help_text=PHOTO_HELP)
    latitude = forms.DecimalField(
        required=False, max_digits=9, decimal_places=6, min_value=-90, max_value=90,
        widget=forms.HiddenInput,
    )  # fmt: skip
    longitude = forms.DecimalField(
        required=False, max_digits=9, decimal_places=6, min_value=-180, max_value=180,
        widget=forms.HiddenInput,
    )  # fmt: skip

    def clean(self):
        cleaned = super().clean() or {}
        found = find_personal_data(cleaned.get("title", ""), cleaned.get("description", ""))
        if found:
            raise ValidationError(
                _(
                    "Le texte semble contenir des données personnelles : %(found)s. Une observation "
                    "porte sur un lieu ou un phénomène, pas sur un habitant : retirez-les."
                )
                % {"found": ", ".join(f"{f.label} ({f.text})" for f in found)}
            )
        return cleaned


def default_times() -> tuple[datetime.datetime, datetime.datetime]:
    start = (timezone.localtime() + datetime.timedelta(days=14)).replace(
        hour=14, minute=0, second=0, microsecond=0
    )
    return start, start + datetime.timedelta(hours=2)
