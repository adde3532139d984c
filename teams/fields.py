"""A quartier chooser that stays small whatever the size of the city.

A person in one or two teams picks from a select. Those who read across quartiers (the comité de
direction, the maire, service responsables, administrators) may face 1,500 of them on a national
instance: a select of every quartier would be most of the page. For them the same field renders a
search box whose suggestions come from `teams:quartier_suggestions` as they type (htmx), and which
still works without JavaScript: the name typed, a slug or an id is resolved on the server, within
the field's own queryset.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Case, Q, QuerySet, When
from django.forms.models import ModelChoiceIterator
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from foundation.numbers import whole_number
from foundation.widgets import SearchSelect
from teams.models import Quartier

#: Up to this many quartiers the field is a select; beyond, a search box.
SELECT_LIMIT = 40
#: How many suggestions the search box offers at a time.
SUGGESTION_LIMIT = 15


class QuartierPicker(SearchSelect):
    search_template_name = "teams/widgets/quartier_search.html"

    def __init__(self, attrs=None):
        super().__init__({"class": "form-select", **(attrs or {})})

    def limit(self) -> int:
        return SELECT_LIMIT

    def display(self, value) -> str:
        return cast(QuartierField, cast(ModelChoiceIterator, self.choices).field).display_value(
            value
        )


class QuartierField(forms.ModelChoiceField):
    """A quartier among `queryset`, chosen by id (select), slug (links) or name (search box)."""

    widget = QuartierPicker
    default_error_messages = {
        "invalid_choice": _(
            "Quartier inconnu ou hors de votre périmètre : choisissez un nom parmi les suggestions."
        ),
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Quartier):
            value = value.pk
        text = str(value).strip()
        match = resolve_quartier(cast(QuerySet, self.queryset), text)
        if match is None:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": text},
            )
        return match

    def display_value(self, value) -> str:
        """What the search box shows: the quartier's name, or what was typed if it is unknown."""
        if value in self.empty_values:
            return ""
        if isinstance(value, Quartier):
            return value.name
        try:
            return self.to_python(value).name
        except ValidationError:
            return str(value)


def resolve_quartier(queryset: QuerySet, text: str) -> Quartier | None:
    """A quartier of `queryset` by id, slug or name (case-insensitive)."""
    text = str(text).strip()
    lookup = Q(slug=text) | Q(name__iexact=text)
    if (pk := whole_number(text)) is not None:
        lookup |= Q(pk=pk)
    return queryset.filter(lookup).order_by("pk").first()


def suggestions(queryset, text: str) -> list[Quartier]:
    """Quartiers of `queryset` whose name holds `text`, those starting with it first."""
    text = text.strip()[:100]
    if not text:
        return []
    return list(
        queryset.filter(name__icontains=text)
        .order_by(Case(When(name__istartswith=text, then=0), default=1), "name")
        .only("pk", "name", "slug")[:SUGGESTION_LIMIT]
    )


#: Up to this many quartiers a page shows them as tabs; beyond, the search box.
TAB_LIMIT = 8


class QuartierSwitchForm(forms.Form):
    quartier = QuartierField(
        label=_("Quartier"), queryset=Quartier.objects.none(), empty_label=None
    )

    def __init__(self, *args, quartiers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quartier"].queryset = quartiers  # type: ignore[attr-defined]


@dataclass
class QuartierSwitch:
    """The quartier a page is about, and how the page offers the others (`_quartier_switch.html`):
    tabs for a few, a search box for many. `form` carries the error of a name not found."""

    quartier: Quartier
    tabs: list[Quartier] | None
    form: QuartierSwitchForm


def quartier_switch(request, quartiers, own_ids=frozenset()) -> QuartierSwitch | None:
    """Choose among `quartiers` from `?quartier=` (slug, id or name); by default the first of
    the person's own (`own_ids`), else the first by name. None when there is none to choose."""
    quartiers = quartiers.order_by("name")
    first = list(quartiers[: TAB_LIMIT + 1])
    if not first:
        return None
    form = QuartierSwitchForm(
        request.GET if request.GET.get("quartier") else None, quartiers=quartiers
    )
    chosen = form.cleaned_data["quartier"] if form.is_bound and form.is_valid() else None
    if (
        form.is_bound
        and chosen is None
        and resolve_quartier(Quartier.objects.all(), request.GET["quartier"])
    ):
        # A quartier of the city, out of the person's reach: like any such object, a 404.
        # (A name that matches none stays on the page with the form's message.)
        raise Http404
    if chosen is None:
        chosen = (
            next((q for q in first if q.pk in own_ids), None)
            or (quartiers.filter(pk__in=own_ids).first() if own_ids else None)
            or first[0]
        )
    if not form.is_bound:
        form.initial["quartier"] = chosen
    return QuartierSwitch(chosen, first if len(first) <= TAB_LIMIT else None, form)
