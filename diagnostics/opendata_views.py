"""/donnees/: the open-data catalogue of published diagnostics (public, see `opendata`)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db.models import OuterRef, Subquery
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from diagnostics import opendata
from diagnostics.models import DiagnosticVersion
from foundation.replica import reads_from_replica


def _latest_versions():
    latest = (
        DiagnosticVersion.objects.filter(diagnostic=OuterRef("diagnostic"))
        .order_by("-number")
        .values("number")[:1]
    )
    return (
        DiagnosticVersion.objects.filter(number=Subquery(latest))
        .select_related("diagnostic__quartier")
        .defer("diagnostic__quartier__outline")
        .order_by("diagnostic__quartier__name", "-diagnostic__year")
    )


def _version(slug: str, year: int, number: int) -> DiagnosticVersion:
    return get_object_or_404(
        DiagnosticVersion.objects.select_related("diagnostic__quartier"),
        diagnostic__quartier__slug=slug,
        diagnostic__year=year,
        number=number,
    )


def _distribution_urls(request, version: DiagnosticVersion) -> dict[str, str]:
    args = [version.diagnostic.quartier.slug, version.diagnostic.year, version.number]
    return {
        "csv": request.build_absolute_uri(reverse("opendata:csv", args=args)),
        "json": request.build_absolute_uri(reverse("opendata:json", args=args)),
    }


@reads_from_replica
@login_not_required
@require_GET
def catalogue(request):
    datasets = [
        {"version": version, "urls": _distribution_urls(request, version)}
        for version in _latest_versions()
    ]
    return render(
        request,
        "diagnostics/opendata/catalogue.html",
        {"datasets": datasets, "small": opendata.SMALL},
    )


@reads_from_replica
@login_not_required
@require_GET
def catalogue_dcat(request):
    """The catalogue in DCAT (JSON-LD), as data.gouv.fr and other portals harvest it."""
    datasets = []
    for version in _latest_versions():
        diagnostic = version.diagnostic
        urls = _distribution_urls(request, version)
        datasets.append(
            {
                "@type": "dcat:Dataset",
                "dct:identifier": f"diagnostic-{diagnostic.quartier.slug}-{diagnostic.year}",
                "dct:title": f"Indicateurs du diagnostic de quartier — {diagnostic.quartier.name}"
                f" — {diagnostic.year}",
                "dct:description": (
                    "Observations de terrain de l'équipe pluridisciplinaire de quartier, "
                    "par catégorie et par mois, et orientations d'habitants, par besoin et "
                    "par service (secret statistique : effectifs de 1 à "
                    f"{opendata.SMALL - 1} non diffusés)."
                ),
                "dct:issued": version.published_at.date().isoformat(),
                "dct:temporal": str(diagnostic.year),
                "dct:spatial": diagnostic.quartier.name,
                "dcat:keyword": ["politique de la ville", "contrat de ville", "quartier"],
                "dcat:distribution": [
                    {
                        "@type": "dcat:Distribution",
                        "dcat:downloadURL": urls["csv"],
                        "dcat:mediaType": "text/csv",
                    },
                    {
                        "@type": "dcat:Distribution",
                        "dcat:downloadURL": urls["json"],
                        "dcat:mediaType": "application/json",
                    },
                ],
            }
        )
    return JsonResponse(
        {
            "@context": {
                "dcat": "http://www.w3.org/ns/dcat#",
                "dct": "http://purl.org/dc/terms/",
            },
            "@type": "dcat:Catalog",
            "dct:title": "Diagnostics des équipes de quartier — données ouvertes",
            "dct:language": "fr",
            "dcat:dataset": datasets,
        },
        json_dumps_params={"ensure_ascii": False},
        content_type="application/ld+json; charset=utf-8",
    )


@login_not_required
@require_GET
def dataset_csv(request, slug: str, year: int, number: int):
    version = _version(slug, year, number)
    response = HttpResponse(opendata.as_csv(version), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="diagnostic-{slug}-{year}-v{number}.csv"'
    )
    return response


@login_not_required
@require_GET
def dataset_json(request, slug: str, year: int, number: int):
    return JsonResponse(
        opendata.as_json(_version(slug, year, number)), json_dumps_params={"ensure_ascii": False}
    )
