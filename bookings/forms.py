"""Forms of `bookings`: validation and French messages only, no side effects."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from bookings.models import Place, Resource
from foundation.forms import choice_field
from teams.models import Quartier, Service

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time", "step": 900}, format="%H:%M")


def combine(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, time))


class BookingForm(forms.Form):
    date = forms.DateField(label=_("Jour"), widget=DATE)
    start_time = forms.TimeField(label=_("Heure de début"), widget=TIME)
    end_time = forms.TimeField(label=_("Heure de fin"), widget=TIME)
    end_date = forms.DateField(
        label=_("Jusqu'au (si la réservation dure plusieurs jours)"), widget=DATE, required=False
    )
    purpose = forms.CharField(
        label=_("Objet"),
        max_length=200,
        required=False,
        help_text=_("Facultatif : une visite à domicile, une permanence…"),
    )

    def clean(self):
        super().clean()
        data = self.cleaned_data
        day, start, end = data.get("date"), data.get("start_time"), data.get("end_time")
        if day and start and end:
            last = data.get("end_date") or day
            data["start"], data["end"] = combine(day, start), combine(last, end)
            if data["end"] <= data["start"]:
                self.add_error("end_time", _("La fin doit être après le début."))
        return data


class ResourceForm(forms.ModelForm):
    class Meta:
        model = Resource
        fields = [
            "kind",
            "name",
            "capacity",
            "notes",
            "out_of_service",
            "out_of_service_reason",
            "max_duration_minutes",
            "max_days_ahead",
            "audience",
            "audience_service",
            "is_active",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choice_field(self, "audience_service").queryset = Service.objects.order_by("name")
        self.fields["max_duration_minutes"].widget.attrs["min"] = 15


class PlaceForm(forms.ModelForm):
    quartiers = forms.ModelMultipleChoiceField(
        label=_("Quartiers"),
        queryset=Quartier.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leurs chefs de projet gèrent le lieu et ses équipements."),
        error_messages={"required": _("Cochez au moins un quartier.")},
    )

    class Meta:
        model = Place
        fields = ["name", "address", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        error_messages = {"name": {"unique": _("Un lieu porte déjà ce nom.")}}

    def __init__(self, *args, quartiers=None, **kwargs):
        super().__init__(*args, **kwargs)
        choice_field(self, "quartiers").queryset = (
            quartiers if quartiers is not None else Quartier.objects.none()
        )
        if self.instance.pk:
            self.initial.setdefault("quartiers", list(self.instance.quartiers.all()))

    def place_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in ("name", "address", "description")}
        data["slug"] = slugify(data["name"])[:200]
        return data
