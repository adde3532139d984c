"""Panels that apps further along the data flow add to shared pages.

`teams` owns the quartier home page but must not read observations, meetings or
diagnostics (data flows one way). Those apps register panel functions in their
AppConfig.ready(); the page renders what each returns. Places:

- "home": the tableau de bord, called as func(request)
- "quartier": the quartier home page, called as func(request, quartier)
- "meeting": a meeting's page, called as func(request, meeting)

A panel function returns (template_name, context) or None, and runs a bounded number of queries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

PanelFunction = Callable[..., tuple[str, dict[str, Any]] | None]
PLACES = {"home", "quartier", "meeting"}
_PANELS: dict[str, list[tuple[int, PanelFunction]]] = defaultdict(list)


def register_panel(place: str, func: PanelFunction, *, order: int = 50) -> PanelFunction:
    if place not in PLACES:
        raise ValueError(f"Unknown panel place {place!r}")
    panels = _PANELS[place]
    if all(existing is not func for _order, existing in panels):
        panels.append((order, func))
        panels.sort(key=lambda item: item[0])
    return func


def render_panels(place: str, request, *args) -> list[SafeString]:
    rendered = []
    for _order, func in _PANELS[place]:
        result = func(request, *args)
        if result is not None:
            template_name, context = result
            rendered.append(mark_safe(render_to_string(template_name, context, request=request)))  # noqa: S308
    return rendered
