"""Choosers of agents, quartiers and external participants that stay small at any size.

A city has a few hundred agents and a few quartiers; a national instance 50,000 agents and 1,500
quartiers. Up to a limit the fields render as before (a select, a list of boxes). Beyond, one
agent is chosen in a search box whose suggestions come as one types (`teams:agent_suggestions`,
htmx into a `<datalist>`), and several of a kind as boxes for those already chosen and the likely
ones (`shortlist`: the quartier's team, the manager's quartiers) plus a search box whose "Ajouter"
button adds a ticked box (`teams:choice_box`). Without JavaScript the typed text is still read
("Prénom Nom <adresse>", an address, a quartier's name or an id), resolved on the server within
the field's own queryset.
"""

from __future__ import annotations

import copy
import re
from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.forms.models import ModelChoiceIterator
from django.forms.widgets import ChoiceWidget
from django.template.loader import render_to_string
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from foundation.numbers import whole_number
from foundation.widgets import SearchSelect, fetched_choices, few_or_none
from teams import fields as quartier_fields
from teams.fields import resolve_quartier
from teams.models import Agent

StrOrPromise = str | Promise

#: Up to this many agents on offer the fields keep their select or boxes; beyond, a search box.
AGENT_SELECT_LIMIT = 300
SUGGESTION_LIMIT = 15
_ADDRESS = re.compile(r"<\s*([^<>\s]+@[^<>\s]+)\s*>\s*$")


def agent_label(agent: Agent) -> str:
    """What a search box shows and reads back: unique thanks to the address."""
    return f"{agent.get_full_name()} <{agent.email}>"


def agent_choice(agent: Agent) -> str:
    """An agent as a choice: the name and what the person does (the service, else the title)."""
    return f"{agent} — {agent.service or agent.job_title}"


def resolve_agent(queryset: QuerySet, text: str):
    """An agent (or an external participant) by id, address or "Prénom Nom <adresse>"."""
    text = str(text).strip()
    if not text:
        return None
    if (pk := whole_number(text)) is not None:
        return queryset.filter(pk=pk).first()
    found = _ADDRESS.search(text)
    return queryset.filter(email__iexact=found.group(1) if found else text).first()


def agent_suggestions(queryset: QuerySet, text: str) -> list[Agent]:
    """Agents of `queryset` whose name or address holds every word of `text`."""
    words = str(text).replace("<", " ").replace(">", " ").split()[:4]
    if not words or len("".join(words)) < 2:
        return []
    for word in words:
        queryset = queryset.filter(
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word)
        )
    return list(
        queryset.select_related("service").order_by("last_name", "first_name")[:SUGGESTION_LIMIT]
    )


class AgentPicker(SearchSelect):
    search_template_name = "teams/widgets/agent_search.html"

    def limit(self) -> int:
        return AGENT_SELECT_LIMIT  # read at each call: tests lower it

    def display(self, value) -> str:
        queryset = cast(ModelChoiceIterator, self.choices).queryset
        agent = resolve_agent(queryset, value) if value else None
        return agent_label(agent) if agent else (value or "")


class AgentField(forms.ModelChoiceField):
    """One agent among `queryset`: a select for a few hundred, a search box beyond."""

    widget = AgentPicker
    default_error_messages = {
        "invalid_choice": _("Agent introuvable : choisissez un nom parmi les suggestions."),
    }

    def label_from_instance(self, obj: Agent) -> str:
        return agent_choice(obj)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Agent):
            return value
        agent = resolve_agent(cast(QuerySet, self.queryset), value)
        if agent is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return agent


class ManyPicker(forms.SelectMultiple):
    """Boxes (or `few_widget`) for a few; chosen, likely and searched ones beyond `limit()`."""

    search_template_name = "teams/widgets/many_search.html"
    boxes_template_name = "teams/widgets/many_boxes.html"
    kind = ""  # of teams:choice_box
    suggestions_url = ""
    suggestions_query = ""
    add_label: StrOrPromise = ""
    placeholder: StrOrPromise = ""

    def __init__(self, attrs=None, few_widget: ChoiceWidget | None = None):
        super().__init__(attrs)
        self.few_widget = few_widget

    def __deepcopy__(self, memo):
        copied = super().__deepcopy__(memo)
        copied.few_widget = copy.deepcopy(self.few_widget, memo)
        return copied

    def limit(self) -> int:
        return AGENT_SELECT_LIMIT  # read at each call: tests lower it

    def value_from_datadict(self, data, files, name):
        values = list(super().value_from_datadict(data, files, name) or [])
        typed = data.get(f"{name}_ajout", "").strip()
        return [*values, typed] if typed else values

    def render(self, name, value, attrs=None, renderer=None):
        iterator = cast(ModelChoiceIterator, self.choices)
        field = cast("ManyField", iterator.field)
        few = few_or_none(iterator.queryset, self.limit())
        if few is not None and self.few_widget is not None:
            widget = copy.copy(self.few_widget)
            widget.choices = fetched_choices(field, few)
            return widget.render(name, value, attrs, renderer)
        attrs = self.build_attrs(self.attrs, attrs)
        chosen = {str(v) for v in (value or []) if str(v).isdigit()}
        if few is not None:  # every one, as boxes
            objects, template = few, self.boxes_template_name
        else:  # the chosen and likely ones, and a search box for the others
            queryset = iterator.queryset
            shortlist = field.shortlist if field.shortlist is not None else queryset.none()
            objects = list(
                queryset.filter(
                    Q(pk__in=[int(pk) for pk in chosen]) | Q(pk__in=shortlist.values("pk"))
                )[: self.limit()]
            )
            template = self.search_template_name
        return render_to_string(
            template,
            {
                "name": name,
                "id": attrs.get("id", name),
                "label": field.label,
                "kind": self.kind,
                "searching": template == self.search_template_name,
                "suggestions_url": self.suggestions_url,
                "suggestions_query": self.suggestions_query,
                "add_label": self.add_label,
                "placeholder": self.placeholder,
                "boxes": [
                    (obj, field.label_from_instance(obj), str(obj.pk) in chosen) for obj in objects
                ],
            },
        )


class ManyField(forms.ModelMultipleChoiceField):
    """Several among `queryset`; `shortlist` (a queryset) is offered first when they are many."""

    widget = ManyPicker
    shortlist: QuerySet | None = None
    not_found = _("Introuvable : « %(text)s ». Choisissez parmi les suggestions.")

    def resolve(self, text: str):
        raise NotImplementedError

    def clean(self, value):
        pks = []
        for item in value or []:
            if (pk := whole_number(item)) is not None:
                pks.append(str(pk))
                continue
            found = self.resolve(item)
            if found is None:
                raise ValidationError(self.not_found, code="invalid_choice", params={"text": item})
            pks.append(str(found.pk))
        return super().clean(pks)


class AgentsPicker(ManyPicker):
    kind = "agent"
    suggestions_url = "teams:agent_suggestions"
    add_label = _("Ajouter un agent")
    placeholder = _("Nom, prénom ou adresse")


class AgentsField(ManyField):
    """Several agents: the boxes of the chosen and likely agents and a search box when many."""

    widget = AgentsPicker
    not_found = _("Agent introuvable : « %(text)s ». Choisissez un nom parmi les suggestions.")

    def label_from_instance(self, obj: Agent) -> str:
        return agent_choice(obj)

    def resolve(self, text: str):
        return resolve_agent(cast(QuerySet, self.queryset), text)


class QuartiersPicker(ManyPicker):
    kind = "quartier"
    suggestions_url = "teams:quartier_suggestions"
    suggestions_query = "&tous=1"
    add_label = _("Ajouter un quartier")
    placeholder = _("Nom du quartier")

    def limit(self) -> int:
        return quartier_fields.SELECT_LIMIT


class QuartiersField(ManyField):
    """Several quartiers: boxes for a few; the chosen ones, one's own and a search box beyond."""

    widget = QuartiersPicker
    not_found = _("Quartier introuvable : « %(text)s ». Choisissez un nom parmi les suggestions.")

    def resolve(self, text: str):
        return resolve_quartier(cast(QuerySet, self.queryset), text)


class ExternalsPicker(ManyPicker):
    kind = "externe"
    suggestions_url = "teams:external_suggestions"
    add_label = _("Ajouter un participant extérieur")
    placeholder = _("Nom, prénom ou adresse")


class ExternalsField(ManyField):
    widget = ExternalsPicker
    not_found = _(
        "Participant extérieur introuvable : « %(text)s ». Choisissez un nom parmi les suggestions."
    )

    def resolve(self, text: str):
        return resolve_agent(cast(QuerySet, self.queryset), text)
