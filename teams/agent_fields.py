"""Agent choosers that stay small whatever the size of the administration.

A city has a few hundred agents; a national instance 50,000. Up to `AGENT_SELECT_LIMIT` the fields
render as before (a select, a list of boxes). Beyond, one agent is chosen in a search box whose
suggestions come as one types (`teams:agent_suggestions`, htmx into a `<datalist>`), and several
agents as boxes for those already chosen and the likely ones (`shortlist`: the quartier's team, the
group's members) plus a search box whose "Ajouter" button adds a ticked box
(`teams:agent_checkbox`). Without JavaScript the typed text is still read: "Prénom Nom <adresse>",
an address or an id, resolved on the server within the field's own queryset.
"""

from __future__ import annotations

import copy
import re
from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.forms.widgets import ChoiceWidget
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from arras_quartiers.widgets import Select, fetched_choices
from teams.models import Agent

#: Up to this many agents on offer the fields keep their select or boxes; beyond, a search box.
AGENT_SELECT_LIMIT = 300
SUGGESTION_LIMIT = 15
_ADDRESS = re.compile(r"<\s*([^<>\s]+@[^<>\s]+)\s*>\s*$")


def agent_label(agent: Agent) -> str:
    """What a search box shows and reads back: unique thanks to the address."""
    return f"{agent.get_full_name()} <{agent.email}>"


def resolve_agent(queryset: QuerySet, text: str) -> Agent | None:
    text = str(text).strip()
    if not text:
        return None
    if text.isdigit():
        return queryset.filter(pk=int(text)).first()
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


def _few(choices) -> list[Agent] | None:
    """The agents on offer when they are few (one query of at most the limit + 1 rows)."""
    agents = list(cast(ModelChoiceIterator, choices).queryset[: AGENT_SELECT_LIMIT + 1])
    return agents if len(agents) <= AGENT_SELECT_LIMIT else None


class AgentPicker(Select):
    search_template_name = "teams/widgets/agent_search.html"

    def render(self, name, value, attrs=None, renderer=None):
        iterator = cast(ModelChoiceIterator, self.choices)
        agents = _few(iterator)
        if agents is not None:
            select = copy.copy(self)
            select.choices = fetched_choices(iterator.field, agents)
            return super(AgentPicker, select).render(name, value, attrs, renderer)
        attrs = self.build_attrs(self.attrs, attrs)
        attrs["class"] = "form-control"
        agent = resolve_agent(iterator.queryset, value) if value else None
        return render_to_string(
            self.search_template_name,
            {
                "name": name,
                "id": attrs.get("id", name),
                "attrs": flatatt(attrs),
                "display": agent_label(agent) if agent else (value or ""),
            },
        )


class AgentField(forms.ModelChoiceField):
    """One agent among `queryset`: a select for a few hundred, a search box beyond."""

    widget = AgentPicker
    default_error_messages = {
        "invalid_choice": _("Agent introuvable : choisissez un nom parmi les suggestions."),
    }

    def label_from_instance(self, obj: Agent) -> str:
        return f"{obj} — {obj.service or obj.job_title}"

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Agent):
            return value
        agent = resolve_agent(cast(QuerySet, self.queryset), value)
        if agent is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return agent


class AgentsPicker(forms.SelectMultiple):
    """Boxes (or `few_widget`) for a few hundred agents; chosen, likely and searched ones beyond."""

    search_template_name = "teams/widgets/agents_search.html"
    boxes_template_name = "teams/widgets/agents_boxes.html"

    def __init__(self, attrs=None, few_widget: ChoiceWidget | None = None):
        super().__init__(attrs)
        self.few_widget = few_widget

    def __deepcopy__(self, memo):
        copied = super().__deepcopy__(memo)
        copied.few_widget = copy.deepcopy(self.few_widget, memo)
        return copied

    def value_from_datadict(self, data, files, name):
        values = list(super().value_from_datadict(data, files, name) or [])
        typed = data.get(f"{name}_ajout", "").strip()
        return [*values, typed] if typed else values

    def render(self, name, value, attrs=None, renderer=None):
        iterator = cast(ModelChoiceIterator, self.choices)
        field = cast("AgentsField", iterator.field)
        few = _few(iterator)
        if few is not None and self.few_widget is not None:
            widget = copy.copy(self.few_widget)
            widget.choices = fetched_choices(field, few)
            return widget.render(name, value, attrs, renderer)
        attrs = self.build_attrs(self.attrs, attrs)
        chosen = {str(v) for v in (value or []) if str(v).isdigit()}
        if few is not None:  # every agent, as boxes
            agents, template = few, self.boxes_template_name
        else:  # the chosen and likely ones, and a search box for the others
            queryset = iterator.queryset
            shortlist = field.shortlist if field.shortlist is not None else queryset.none()
            agents = list(
                queryset.filter(
                    Q(pk__in=[int(pk) for pk in chosen]) | Q(pk__in=shortlist.values("pk"))
                )
                .select_related("service")
                .order_by("last_name", "first_name")[:AGENT_SELECT_LIMIT]
            )
            template = self.search_template_name
        return render_to_string(
            template,
            {
                "name": name,
                "id": attrs.get("id", name),
                "label": field.label,
                "boxes": [
                    (agent, field.label_from_instance(agent), str(agent.pk) in chosen)
                    for agent in agents
                ],
            },
        )


class AgentsField(forms.ModelMultipleChoiceField):
    """Several agents among `queryset`; `shortlist` (a queryset) are offered first when many."""

    widget = AgentsPicker
    shortlist: QuerySet | None = None

    def label_from_instance(self, obj: Agent) -> str:
        return f"{obj} — {obj.service or obj.job_title}"

    def clean(self, value):
        pks = []
        for item in value or []:
            if str(item).isdigit():
                pks.append(str(item))
                continue
            agent = resolve_agent(cast(QuerySet, self.queryset), item)
            if agent is None:
                raise ValidationError(
                    _("Agent introuvable : « %(text)s ». Choisissez un nom parmi les suggestions."),
                    code="invalid_choice",
                    params={"text": item},
                )
            pks.append(str(agent.pk))
        return super().clean(pks)
