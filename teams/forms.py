from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from foundation.images import sanitize_image
from foundation.widgets import Select
from teams.models import Agent, Membership, Service
from teams.pickers import AgentField


class AnnuaireFilterForm(forms.Form):
    q = forms.CharField(label=_("Nom ou fonction"), required=False, max_length=100)
    service = forms.ModelChoiceField(
        label=_("Service"),
        queryset=Service.objects.order_by("name"),
        required=False,
        empty_label=_("Tous"),
        widget=Select(attrs={"class": "form-select"}),
    )


class ServiceSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Un habitant a besoin de…"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"placeholder": _("inscription à la crèche, logement, sport…")}
        ),
    )


class ProfileForm(forms.ModelForm):
    photo_upload = forms.ImageField(
        label=_("Nouvelle photo"),
        required=False,
        help_text=_(
            "JPEG, PNG, WebP ou HEIC, 10 Mo au plus. Les métadonnées (dont la position) sont retirées."
        ),
    )
    remove_photo = forms.BooleanField(label=_("Retirer ma photo"), required=False)

    class Meta:
        model = Agent
        fields = ["job_title", "phone", "notification_frequency"]

    def clean_photo_upload(self):
        photo = self.cleaned_data.get("photo_upload")
        if photo:
            sanitize_image(photo)  # raise the French error here, with the form kept
        return photo


class MembershipForm(forms.Form):
    # ModelChoiceField copies the queryset for each form: the select_related is not shared state.
    agent = AgentField(
        label=_("Agent"), queryset=Agent.objects.filter(is_active=True).select_related("service")
    )
    role = forms.ChoiceField(
        label=_("Rôle"), choices=Membership.Role.choices, initial=Membership.Role.MEMBRE
    )
    start_date = forms.DateField(
        label=_("Depuis le"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class MembershipEndForm(forms.Form):
    end_date = forms.DateField(
        label=_("Fin le"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_end_date(self):
        value = self.cleaned_data["end_date"]
        if value is None:
            raise ValidationError(_("Indiquez une date de fin."))
        return value
