"""Forms of `diagnostics` (crispy, no side effects)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from foundation.forms import choice_field
from teams.fields import QuartierField
from teams.models import Quartier

MARKDOWN_HELP = _(
    "Texte simple : une ligne vide entre deux paragraphes, « - » en début de ligne pour une liste, "
    "**gras**, *italique*. Pas de nom d'habitant."
)


class DiagnosticCreateForm(forms.Form):
    quartier = QuartierField(label=_("Quartier"), queryset=Quartier.objects.none())
    year = forms.IntegerField(label=_("Année"), min_value=2000, max_value=2100)

    def __init__(self, *args, quartiers=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The quartiers where the person is chef de projet: a list, already fetched by the view.
        pks = [quartier.pk for quartier in quartiers or []]
        choice_field(self, "quartier").queryset = Quartier.objects.filter(pk__in=pks).order_by(
            "name"
        )
        if len(pks) == 1:
            self.fields["quartier"].initial = pks[0]
        self.fields["year"].initial = timezone.localdate().year


class SectionForm(forms.Form):
    body = forms.CharField(
        label=_("Texte"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=MARKDOWN_HELP,
    )


class ContributionForm(forms.Form):
    body = forms.CharField(
        label=_("Votre contribution"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text=MARKDOWN_HELP,
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("integrate", _("Intégrer")), ("decline", _("Ne pas retenir"))]
    )
    note = forms.CharField(
        label=_("Réponse à l'auteur (facultatif)"), required=False, max_length=500
    )


class TransitionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            (name, name) for name in ("review", "draft", "validate", "reopen", "publish", "correct")
        ]
    )
    note = forms.CharField(
        label=_("Objet de la correction"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Obligatoire pour publier une nouvelle version : ce qui a changé depuis la précédente."
        ),
    )
