"""From a snapshot (sections + figures) to what the HTML view and the PDF template display.

Both read the same context, so the page and the document always show the same figures.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from diagnostics import charts
from foundation.pdf import render_pdf

MONTHS = [
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
]
STATUS_LABELS = {
    "nouvelle": "nouvelle",
    "transmise": "transmise",
    "en_cours": "en cours",
    "traitee": "traitée",
    "classee": "classée",
}
SWOT = ["atouts", "fragilites", "potentiels", "menaces"]


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def document_context(snapshot: dict) -> dict:
    figures = snapshot["indicators"]
    sections = snapshot["sections"]
    by_kind = {s["kind"]: s for s in sections if s["kind"] != "constat"}
    observations = figures.get("observations", {})
    year = snapshot["year"]
    context = {
        "snapshot": snapshot,
        "figures": figures,
        "year": year,
        "previous_year": year - 1,
        "quartier_name": snapshot["quartier"],
        "version": snapshot.get("version"),
        "synthese": by_kind.get("synthese"),
        "constats": [s for s in sections if s["kind"] == "constat"],
        "swot": [by_kind[kind] for kind in SWOT if kind in by_kind],
        "preconisations": by_kind.get("preconisations"),
        "is_empty": figures.get("is_empty", False),
        "has_text": any(s["body"].strip() for s in sections),
        "as_of": _date(figures.get("as_of")),
        "months": MONTHS,
        "status_labels": STATUS_LABELS,
        "CITY_NAME": settings.CITY_NAME,
        "CITY_LABEL": settings.CITY_LABEL,
    }
    if observations.get("available") and observations.get("total"):
        context["category_chart"] = charts.compared_bars(
            [(row["name"], row["count"], row["previous"]) for row in observations["by_category"]],
            label=_("Observations par catégorie, %(year)s et %(previous)s")
            % {"year": year, "previous": year - 1},
            current=str(year),
            previous=str(year - 1),
        )
        context["month_chart"] = charts.monthly_columns(
            observations["by_month"],
            MONTHS,
            label=_("Observations par mois en %(year)s") % {"year": year},
        )
        context["month_rows"] = list(zip(MONTHS, observations["by_month"], strict=True))
    orientations = figures.get("orientations", {})
    if orientations.get("available") and orientations.get("total"):
        context["orientation_chart"] = charts.compared_bars(
            [(row["name"], row["count"], None) for row in orientations["by_need"]],
            label=_("Orientations par besoin en %(year)s") % {"year": year},
            current=str(year),
            previous=None,
        )
    return context


def render_diagnostic_pdf(
    snapshot: dict, *, requested_at: datetime.datetime | None = None
) -> bytes:
    context = document_context(snapshot)
    context["generated_on"] = (
        timezone.localdate(requested_at) if requested_at else timezone.localdate()
    )
    return render_pdf("diagnostics/pdf/diagnostic.html", context)
