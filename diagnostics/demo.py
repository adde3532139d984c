"""Arras demo: Ouest's diagnostic of last year published, this year's en relecture with contributions.

Idempotent: a diagnostic found by (quartier, year) is left as it is. Everything goes through the
app's services, as the chef de projet and the team would do it in the browser.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from diagnostics import services
from diagnostics.models import Contribution, Diagnostic, DiagnosticVersion, Section
from teams.models import Agent, Quartier

CHEF = "claire.vasseur@arras.example"

LAST_YEAR_TEXT = {
    "synthese": (
        "L'année a été marquée par la **montée en charge de l'équipe pluridisciplinaire** : quatre "
        "réunions trimestrielles, deux petits déjeuners de la proximité avec Mme l'adjointe et une "
        "équipe technique territoriale avec les partenaires.\n\n"
        "Les observations de terrain portent d'abord sur le **cadre de vie** (dépôts sauvages, "
        "éclairage, stationnement), mais les signalements liés à la **tranquillité** du square "
        "Baudimont ont nettement progressé au printemps. L'accueil de la MSP a orienté de "
        "nombreux habitants, surtout vers le CCAS et l'éducation.\n\n"
        "L'équipe retient trois priorités pour l'année à venir : la gestion urbaine de proximité "
        "pendant les travaux, l'accueil des familles allophones et la place des jeunes dans "
        "l'espace public."
    ),
    "atouts": (
        "- Un tissu associatif dense et mobilisé (centre social, associations de locataires)\n"
        "- La maison de services et de proximité, repérée par les habitants\n"
        "- Des agents de onze services qui se connaissent désormais"
    ),
    "fragilites": (
        "- Des dépôts sauvages récurrents aux abords des immeubles en démolition\n"
        "- Un éclairage public défaillant sur plusieurs cheminements piétons\n"
        "- Des familles allophones qui renoncent à certaines démarches"
    ),
    "potentiels": (
        "- Le programme de renouvellement urbain, pour repenser les usages des espaces publics\n"
        "- L'ouverture du city-stade rénové et les animations sportives de proximité"
    ),
    "menaces": (
        "- L'usure des habitants face à la durée des travaux\n"
        "- Des rassemblements nocturnes qui dégradent le sentiment de tranquillité"
    ),
    "preconisations": (
        "1. Organiser une **marche exploratoire** par trimestre avec le conseil citoyen.\n"
        "2. Mettre en place un **référent unique** pour les familles allophones à la MSP.\n"
        "3. Étendre les horaires de l'accueil jeunes le vendredi soir, avec la médiation.\n"
        "4. Faire un point mensuel avec le bailleur sur les dépôts sauvages."
    ),
}

CONSTATS = [
    "Les signalements de dépôts sauvages se concentrent autour des bâtiments en cours de "
    "démolition ; l'enlèvement est rapide, mais les dépôts reviennent.",
    "Le Programme de réussite éducative accompagne davantage de familles ; les équipes "
    "constatent des absences répétées au collège chez quelques élèves.",
    "Les familles nouvellement arrivées sollicitent la MSP pour l'inscription scolaire et "
    "l'accès aux droits ; l'interprétariat manque.",
    "Les habitants demandent une information régulière sur le calendrier des travaux et sur "
    "les cheminements provisoires.",
]

THIS_YEAR_TEXT = {
    "synthese": (
        "Première version soumise à l'équipe : l'année confirme les tendances de l'an passé sur "
        "le cadre de vie. **À compléter** avec les retours de chacun."
    ),
    "fragilites": "- Des cheminements piétons encore mal éclairés le long des chantiers",
}

CONTRIBUTIONS = [
    (
        "samia.haddad@arras.example",
        "atouts",
        "La fête de quartier de juin a réuni plus de 300 habitants, avec un stand de chaque service.",
    ),
    (
        "ines.belkacem@arras.example",
        "preconisations",
        "Proposer des permanences d'écrivain public à la MSP le mercredi matin.",
    ),
    (
        "samia.haddad@arras.example",
        "synthese",
        "Mentionner la baisse des signalements d'éclairage après le remplacement des lampadaires rue "
        "Baudimont.",
    ),
]


def _write(diagnostic: Diagnostic, texts: dict[str, str], chef: Agent, constats: list[str]) -> None:
    for section in diagnostic.sections.order_by("position"):
        if section.kind == Section.Kind.CONSTAT:
            index = section.position - 100
            body = constats[index] if index < len(constats) else ""
        else:
            body = texts.get(section.kind, "")
        if body:
            services.section_update(section=section, body=body, by=chef)


@transaction.atomic
def load(stdout=None) -> None:
    quartier = Quartier.objects.filter(slug="ouest").first()
    chef = Agent.objects.filter(email=CHEF).first()
    if quartier is None or chef is None:
        return
    year = timezone.localdate().year

    if not Diagnostic.objects.filter(quartier=quartier, year=year - 1).exists():
        last = services.diagnostic_create(quartier=quartier, year=year - 1, by=chef)
        _write(last, LAST_YEAR_TEXT, chef, CONSTATS)
        for action in ("review", "validate", "publish"):
            last = services.diagnostic_transition(diagnostic=last, action=action, by=chef)
        # Demo data announces nothing: mark the publication as already notified.
        DiagnosticVersion.objects.filter(diagnostic=last).update(notified_at=timezone.now())

    if not Diagnostic.objects.filter(quartier=quartier, year=year).exists():
        current = services.diagnostic_create(quartier=quartier, year=year, by=chef)
        _write(current, THIS_YEAR_TEXT, chef, CONSTATS[:1])
        current = services.diagnostic_transition(diagnostic=current, action="review", by=chef)
        Diagnostic.objects.filter(pk=current.pk).update(
            review_notified_at=timezone.now()
        )  # no demo emails
        for index, (email, kind, body) in enumerate(CONTRIBUTIONS):
            author = Agent.objects.filter(email=email).first()
            if author is None:
                continue
            section = current.sections.get(kind=kind)
            contribution = services.contribution_submit(section=section, author=author, body=body)
            if index == 0:
                services.contribution_integrate(contribution=contribution, by=chef)

    if stdout is not None:
        count = Contribution.objects.filter(diagnostic__quartier=quartier).count()
        stdout.write(
            f"Diagnostics : Ouest {year - 1} publié, {year} en relecture ({count} contributions)."
        )
