"""Forms: validation only (images are decoded and re-encoded here, nothing is written)."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from foundation.forms import cached_choices, choice_field
from foundation.images import sanitize_image
from foundation.numbers import whole_numbers
from foundation.widgets import Select
from observations.models import Category, NeedType, Observation
from observations.offline import QueueFields
from observations.privacy import find_personal_data
from observations.services import MAX_PHOTOS, TRANSITIONS
from teams.access import roles_of
from teams.fields import QuartierField
from teams.models import Priority, Quartier, Service


def style_widgets(form: forms.Form) -> None:
    """Bootstrap classes for forms rendered field by field (filters), not through crispy."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs["class"] = css


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Up to five photos, each decoded and re-encoded: cleaned value is a list of CleanImage."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget",
            MultipleFileInput(
                attrs={
                    "accept": "image/jpeg,image/png,image/webp,image/heic,image/heif,.heic,.heif"
                }
            ),
        )
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, (list, tuple)) else [data]) if f]
        if len(files) > MAX_PHOTOS:
            raise ValidationError(_("Cinq photos au plus par observation."), code="too_many")
        cleaned = []
        errors: list[str] = []
        for upload in files:
            super().clean(upload, initial)
            try:
                cleaned.append(sanitize_image(upload))
            except ValidationError as exc:
                name = getattr(upload, "name", "")
                errors.extend(f"{name} : {message}" for message in exc.messages)
        if errors:
            raise ValidationError(errors)
        return cleaned


class PriorityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Priority) -> str:
        return f"{obj.quartier.name} — {obj.title}"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


PHOTO_HELP = _(
    "Cinq photos au plus, 10 Mo chacune (JPEG, PNG, WebP, HEIC). Les métadonnées, dont la position, "
    "sont retirées. Ne photographiez pas de visages ni de plaques d'immatriculation."
)


class ObservationForm(QueueFields):
    quartier = QuartierField(
        label=_("Quartier"), queryset=Quartier.objects.none(), empty_label=None
    )
    category = forms.ModelChoiceField(
        label=_("Catégorie"),
        queryset=Category.objects.filter(is_active=True),
        empty_label=_("Choisir…"),
    )
    title = forms.CharField(
        label=_("Ce que vous avez vu, en quelques mots"),
        max_length=140,
        widget=forms.TextInput(
            attrs={"placeholder": _("Dépôt sauvage au pied de l'immeuble"), "autocomplete": "off"}
        ),
    )
    place = forms.CharField(
        label=_("Lieu"),
        max_length=255,
        help_text=_("Une adresse ou un repère : « square Baudimont, près des jeux »."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    latitude = forms.DecimalField(
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=-90,
        max_value=90,
        widget=forms.HiddenInput,
    )
    longitude = forms.DecimalField(
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=-180,
        max_value=180,
        widget=forms.HiddenInput,
    )
    description = forms.CharField(
        label=_("Description (facultatif)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Décrivez le lieu et le phénomène, sans nommer d'habitant."),
    )
    observed_at = forms.DateTimeField(
        label=_("Observé le"),
        widget=DateTimeLocalInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"],
    )
    urgency = forms.ChoiceField(
        label=_("Urgence"),
        choices=Observation.Urgency.choices,
        initial=Observation.Urgency.NORMAL,
        widget=forms.RadioSelect,
    )
    is_emerging = forms.BooleanField(
        label=_("C'est un phénomène émergent (nouveau, qui semble se répéter)"), required=False
    )
    priority = PriorityChoiceField(
        label=_("Axe du projet de quartier (facultatif)"),
        queryset=Priority.objects.none(),
        required=False,
        empty_label=_("Aucun"),
    )
    confidentiality = forms.ChoiceField(
        label=_("Qui peut la lire ?"),
        choices=[
            (Observation.Confidentiality.TEAM, _("L'équipe du quartier")),
            (
                Observation.Confidentiality.CONFIDENTIAL,
                _(
                    "Confidentiel : moi, le chef de projet et le service destinataire (situation sociale)"
                ),
            ),
        ],
        initial=Observation.Confidentiality.TEAM,
        widget=forms.RadioSelect,
    )
    photos = MultiplePhotoField(label=_("Photos (facultatif)"), help_text=PHOTO_HELP)
    personal_data_confirmed = forms.BooleanField(
        label=_("Je confirme : ces éléments sont nécessaires et ne désignent pas un habitant"),
        required=False,
    )
    duplicates_seen = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from observations.permissions import quartiers_for_logging

        quartiers = quartiers_for_logging(user).order_by("name")
        choice_field(self, "quartier").queryset = quartiers
        choice_field(self, "priority").queryset = Priority.objects.filter(
            quartier__in=quartiers, is_active=True
        ).select_related("quartier")
        self.fields["observed_at"].initial = lambda: timezone.localtime().replace(
            second=0, microsecond=0
        )
        mine = sorted(roles_of(user).member_of)
        if mine:
            self.fields["quartier"].initial = mine[0]
        self.personal_data = []

    def clean_observed_at(self):
        observed_at = self.cleaned_data["observed_at"]
        if observed_at > timezone.now() + datetime.timedelta(minutes=10):
            raise ValidationError(_("La date de l'observation ne peut pas être dans le futur."))
        return observed_at

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        priority, quartier = cleaned.get("priority"), cleaned.get("quartier")
        if priority and quartier and priority.quartier_id != quartier.pk:
            self.add_error("priority", _("Cet axe appartient au projet d'un autre quartier."))
        self.personal_data = find_personal_data(
            cleaned.get("title", ""), cleaned.get("description", ""), cleaned.get("place", "")
        )
        if self.personal_data and not cleaned.get("personal_data_confirmed"):
            found = ", ".join(f"{f.label} ({f.text})" for f in self.personal_data)
            self.add_error(
                None,
                _(
                    "Le texte semble contenir des données personnelles : %(found)s. Une observation porte sur "
                    "un lieu ou un phénomène, pas sur un habitant : retirez-les, ou cochez la case de confirmation."
                )
                % {"found": found},
            )
        return cleaned

    @property
    def seen_duplicate_ids(self) -> set[int]:
        raw = (
            (self.cleaned_data.get("duplicates_seen") or "")
            if hasattr(self, "cleaned_data")
            else ""
        )
        return whole_numbers(raw.split(","))

    def service_data(self) -> dict:
        data = {
            name: self.cleaned_data[name]
            for name in (
                "quartier", "category", "title", "place", "description", "latitude", "longitude",
                "observed_at", "urgency", "is_emerging", "priority", "confidentiality",
            )
        }  # fmt: skip
        if data["latitude"] is None or data["longitude"] is None:
            data["latitude"] = data["longitude"] = None
        data["photos"] = self.cleaned_data.get("photos") or []
        data["idempotency_key"] = self.cleaned_data.get("idempotency_key")
        return data


class ObservationEditForm(forms.ModelForm):
    class Meta:
        model = Observation
        fields = ["category", "title", "place", "description", "observed_at", "urgency", "is_emerging",
                  "priority", "confidentiality"]  # fmt: skip
        widgets = {
            "observed_at": DateTimeLocalInput(),
            "description": forms.Textarea(attrs={"rows": 4}),
            "urgency": forms.RadioSelect,
            "confidentiality": forms.RadioSelect,
        }

    personal_data_confirmed = forms.BooleanField(
        label=_("Je confirme : ces éléments sont nécessaires et ne désignent pas un habitant"),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choice_field(self, "category").queryset = Category.objects.filter(
            is_active=True
        ) | Category.objects.filter(pk=self.instance.category_id)
        choice_field(self, "priority").queryset = Priority.objects.filter(
            quartier_id=self.instance.quartier_id
        )
        observed_at = self.fields["observed_at"]
        assert isinstance(observed_at, forms.DateTimeField)  # (the model's DateTimeField)
        observed_at.input_formats = ["%Y-%m-%dT%H:%M"]
        self.personal_data = []

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        self.personal_data = find_personal_data(
            cleaned.get("title", ""), cleaned.get("description", ""), cleaned.get("place", "")
        )
        if self.personal_data and not cleaned.get("personal_data_confirmed"):
            found = ", ".join(f"{f.label} ({f.text})" for f in self.personal_data)
            self.add_error(
                None,
                _(
                    "Le texte semble contenir des données personnelles : %(found)s. Retirez-les ou confirmez."
                )
                % {"found": found},
            )
        return cleaned

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class PhotoAddForm(forms.Form):
    photos = MultiplePhotoField(label=_("Ajouter des photos"), help_text=PHOTO_HELP)


class TriageForm(forms.Form):
    service = forms.ModelChoiceField(
        label=_("Service destinataire"), queryset=Service.objects.order_by("name"), required=False
    )
    urgency = forms.ChoiceField(label=_("Urgence"), choices=Observation.Urgency.choices)
    comment = forms.CharField(
        label=_("Message au service (facultatif)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, observation: Observation, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "service": observation.service_id or observation.category.default_service_id,
                "urgency": observation.urgency,
            },
        )
        super().__init__(*args, **kwargs)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Nouvel état"))
    closing_reason = forms.ChoiceField(
        label=_("Motif de classement"),
        choices=[("", "—"), *Observation.ClosingReason.choices],
        required=False,
    )
    comment = forms.CharField(
        label=_("Commentaire (ce qui a été fait, ce qui reste à faire)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, observation: Observation, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = TRANSITIONS[observation.status]
        if observation.service_id is None:
            allowed = allowed - {Observation.Status.SENT}
        status = self.fields["status"]
        assert isinstance(status, forms.ChoiceField)
        status.choices = [(v, label) for v, label in Observation.Status.choices if v in allowed]

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("status") == Observation.Status.CLOSED and not cleaned.get("closing_reason"):
            self.add_error("closing_reason", _("Indiquez le motif de classement."))
        return cleaned


class MergeForm(forms.Form):
    into = forms.IntegerField(
        label=_("Numéro de l'observation d'origine"),
        min_value=1,
        help_text=_("Cette observation sera classée comme doublon de celle-ci."),
    )
    comment = forms.CharField(label=_("Commentaire (facultatif)"), required=False)


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Votre commentaire"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class EscalationForm(forms.Form):
    reason = forms.CharField(
        label=_("Pourquoi remonter cette observation au comité de direction ?"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Lu par la direction de tous les services : ce qu'il faut savoir ou décider."),
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Réponse du comité de direction"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ObservationFilterForm(forms.Form):
    q = forms.CharField(label=_("Rechercher"), required=False, max_length=200)
    quartier = QuartierField(
        label=_("Quartier"),
        queryset=Quartier.objects.order_by("name"),
        required=False,
        empty_label=_("Tous"),
    )
    category = forms.ModelChoiceField(
        label=_("Catégorie"),
        queryset=Category.objects.all(),
        required=False,
        empty_label=_("Toutes"),
        widget=Select,
    )
    status = forms.ChoiceField(
        label=_("État"),
        choices=[("", _("Tous")), *Observation.Status.choices],
        required=False,
        widget=Select,
    )
    service = forms.ModelChoiceField(
        label=_("Service"),
        queryset=Service.objects.order_by("name"),
        required=False,
        empty_label=_("Tous"),
        widget=Select,
    )
    urgency = forms.ChoiceField(
        label=_("Urgence"),
        choices=[("", _("Toutes")), *Observation.Urgency.choices],
        required=False,
        widget=Select,
    )
    date_from = forms.DateField(
        label=_("Du"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Au"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    emerging = forms.BooleanField(label=_("Phénomènes émergents"), required=False)
    mine = forms.BooleanField(label=_("Mes observations"), required=False)
    escalated = forms.BooleanField(label=_("Remontées au comité"), required=False)

    def __init__(self, *args, quartiers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if quartiers is not None:
            choice_field(self, "quartier").queryset = quartiers
        cached_choices(self, "category", "service")
        style_widgets(self)


class EscalationFilterForm(forms.Form):
    repondues = forms.ChoiceField(
        label=_("Réponse"),
        choices=[("", _("Toutes")), ("non", _("En attente de réponse")), ("oui", _("Répondues"))],
        required=False,
        widget=Select,
    )
    quartier = QuartierField(
        label=_("Quartier"), queryset=Quartier.objects.none(), required=False, empty_label=_("Tous")
    )

    def __init__(self, *args, quartiers, **kwargs):
        super().__init__(*args, **kwargs)
        choice_field(self, "quartier").queryset = quartiers
        style_widgets(self)


class PeriodForm(forms.Form):
    quartier = QuartierField(
        label=_("Quartier"), queryset=Quartier.objects.none(), required=False, empty_label=_("Tous")
    )
    start = forms.DateField(
        label=_("Du"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("Au"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, quartiers, **kwargs):
        super().__init__(*args, **kwargs)
        choice_field(self, "quartier").queryset = quartiers
        style_widgets(self)


class OrientationForm(forms.Form):
    quartier = QuartierField(
        label=_("Quartier"), queryset=Quartier.objects.none(), empty_label=None
    )
    need = forms.ModelChoiceField(
        label=_("Besoin"), queryset=NeedType.objects.filter(is_active=True)
    )
    service = forms.ModelChoiceField(label=_("Service"), queryset=Service.objects.all())

    def __init__(self, *args, quartiers, **kwargs):
        super().__init__(*args, **kwargs)
        choice_field(self, "quartier").queryset = quartiers
