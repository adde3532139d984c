"""Open data for the contrat de ville and the analyse des besoins sociaux: the indicators of each
published diagnostic version, as tables a spreadsheet reads (CSV) and as JSON, listed in a
DCAT-style catalogue at /donnees/.

The figures are the version's frozen indicators, the very ones its PDF prints; only the
aggregated counts go out (observations by quartier, category and month; orientations of
inhabitants by need and by service), never an observation. `categorie` holds the category,
the need or the service, as the indicator says. Small
counts are suppressed (statistical secrecy): a count from 1 to `SMALL - 1` is published empty,
with `secret` set, so that no confidential situation can be singled out; and where a table's
total is published, a second cell is suppressed whenever only one would be, so that it cannot
be recovered by subtraction. Zero is published (it discloses nobody).
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass

from diagnostics.models import DiagnosticVersion

#: Counts below this are suppressed (1 to 4): the usual threshold of French public statistics
#: for data about people.
SMALL = 5

MONTHS = [f"{n:02d}" for n in range(1, 13)]

FIELDS = ["quartier", "annee", "version", "indicateur", "categorie", "mois", "valeur", "secret"]


@dataclass
class Row:
    quartier: str
    annee: int
    version: int
    indicateur: str
    categorie: str
    mois: str
    valeur: int | None
    secret: bool


def _suppressed(values: list[int], *, total_published: bool) -> list[bool]:
    """Which cells of a table go out empty: the small ones, and one more (the smallest other
    non-zero) when a single one would be recoverable from the published total."""
    hidden = [0 < value < SMALL for value in values]
    if total_published and sum(hidden) == 1:
        others = [(value, i) for i, value in enumerate(values) if not hidden[i] and value > 0]
        if others:
            hidden[min(others)[1]] = True
    return hidden


def rows(version: DiagnosticVersion) -> list[Row]:
    """The version's open-data table, in the order the PDF prints its figures."""
    diagnostic = version.diagnostic
    data = version.indicators or {}
    observations = data.get("observations") or {}
    out: list[Row] = []

    def add(indicator: str, value: int, hidden: bool, category: str = "", month: str = ""):
        out.append(
            Row(
                quartier=diagnostic.quartier.name,
                annee=diagnostic.year,
                version=version.number,
                indicateur=indicator,
                categorie=category,
                mois=month,
                valeur=None if hidden else value,
                secret=hidden,
            )
        )

    if observations.get("available"):
        total = observations["total"]
        total_hidden = 0 < total < SMALL
        add("observations", total, total_hidden)
        # Traitées + classées + ouvertes = total: one table, suppressed as one.
        statuses = [key for key in ("done", "closed", "open") if observations.get(key) is not None]
        values = [observations[key] for key in statuses]
        hidden = _suppressed(values, total_published=not total_hidden and len(statuses) == 3)
        for key, value, secret in zip(statuses, values, hidden, strict=True):
            add(f"observations_{_NAMES[key]}", value, secret)
        confidential = observations.get("confidential")
        if confidential is not None:
            add("observations_confidentielles", confidential, 0 < confidential < SMALL)
        categories = observations.get("by_category", [])
        hidden = _suppressed([row["count"] for row in categories], total_published=not total_hidden)
        for row, secret in zip(categories, hidden, strict=True):
            add("observations_par_categorie", row["count"], secret, category=row["name"])
        months = observations.get("by_month", [])
        hidden = _suppressed(months, total_published=not total_hidden)
        for month, value, secret in zip(MONTHS, months, hidden, strict=True):
            add("observations_par_mois", value, secret, month=f"{diagnostic.year}-{month}")
    # Orientations of inhabitants (anonymous records), by need and by service: the analyse des
    # besoins sociaux reads these.
    orientations = data.get("orientations") or {}
    if orientations.get("available"):
        total = orientations["total"]
        total_hidden = 0 < total < SMALL
        add("orientations", total, total_hidden)
        for key, indicator in (
            ("by_need", "orientations_par_besoin"),
            ("by_service", "orientations_par_service"),
        ):
            table = orientations.get(key, [])
            hidden = _suppressed([row["count"] for row in table], total_published=not total_hidden)
            for row, secret in zip(table, hidden, strict=True):
                add(indicator, row["count"], secret, category=row["name"])
    return out


_NAMES = {
    "done": "traitees",
    "closed": "classees",
    "open": "ouvertes",
    "confidential": "confidentielles",
}


def as_csv(version: DiagnosticVersion) -> str:
    """CSV as French spreadsheets open it: `;` separated, UTF-8 with a byte order mark."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS, delimiter=";", lineterminator="\r\n")
    writer.writeheader()
    for row in rows(version):
        record = asdict(row)
        record["valeur"] = "" if row.valeur is None else row.valeur
        record["secret"] = "oui" if row.secret else "non"
        writer.writerow(record)
    return "\ufeff" + buffer.getvalue()


def as_json(version: DiagnosticVersion) -> dict:
    diagnostic = version.diagnostic
    return {
        "quartier": diagnostic.quartier.name,
        "annee": diagnostic.year,
        "version": version.number,
        "publie_le": version.published_at.isoformat(),
        "seuil_secret_statistique": SMALL,
        "champs": FIELDS,
        "lignes": [asdict(row) for row in rows(version)],
    }
