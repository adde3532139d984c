"""Arras demo for `documents`: Ouest's space (folders by axis, a free one, the diagnostic's
annexes) and the space of the working group « Accueil des familles allophones », with small
generated PDF, ODT and CSV files of fictitious content, one of them in two versions.

Idempotent: a folder by (space, name), a document by (space, title). Every person is the
fictitious staff of `teams.demo`.
"""

from __future__ import annotations

from django.core.files.base import ContentFile

from documents import samples, services
from documents.models import Document, Folder, Space
from meetings.models import AgendaDocument, MinutesDocument, WorkingGroup
from teams.models import Agent, Quartier

DOMAIN = "arras.example"
GROUP = "Accueil des familles allophones"

CSV_EQUIPMENTS = (
    "équipement;adresse;public;ouverture\n"
    "Médiathèque de quartier;rue des Tilleuls (fictive);tout public;mardi au samedi\n"
    "Gymnase Baudimont;avenue des Sports (fictive);clubs et écoles;tous les jours\n"
    "Maison de services et de proximité;place du Marché (fictive);tout public;lundi au vendredi\n"
)


def _person(local: str) -> Agent:
    return Agent.objects.get(email=f"{local}@{DOMAIN}")


def _folder(space: Space, name: str, kind: str, priority=None) -> Folder:
    folder = Folder.objects.filter(space=space, name=name).first()
    return folder or services.folder_create(space=space, name=name, kind=kind, priority=priority)


def _document(space, title, *, by, content, filename, description="", folder=None, tags=()):
    existing = Document.objects.filter(space=space, title=title).first()
    if existing is not None:
        return existing, False
    document = services.document_create(
        space=space, by=by, title=title, description=description, folder=folder, tags=tags,
        upload=ContentFile(content, name=filename),
    )  # fmt: skip
    return document, True


def load(stdout=None) -> None:
    ouest = Quartier.objects.get(slug="ouest")
    space = services.space_of_quartier(ouest)
    claire, samia = _person("claire.vasseur"), _person("samia.haddad")
    axes = list(ouest.priorities.filter(is_active=True).order_by("position")[:2])
    axis_folders = [_folder(space, axis.title[:190], Folder.Kind.AXIS, axis) for axis in axes]
    partners = _folder(space, "Partenaires et conseil citoyen", Folder.Kind.FREE)
    annexes = _folder(space, "Annexes du diagnostic", Folder.Kind.ANNEX)
    created = 0

    minutes, new = _document(
        space, "Compte rendu du conseil citoyen — octobre", by=samia, folder=partners,
        description="Les habitants demandent un meilleur éclairage du square et des bancs.",
        content=samples.pdf("Conseil citoyen d'Arras Ouest — octobre", [
            "Présents : huit membres du conseil citoyen, la cheffe de projet.",
            "Les habitants signalent des lampadaires éteints près du square.",
            "Ils proposent l'installation de bancs le long du cheminement piéton.",
        ]),
        filename="conseil-citoyen-octobre.pdf",
    )  # fmt: skip
    created += new
    if new:  # a second version, corrected by the cheffe de projet
        services.version_upload(
            document=minutes, by=claire,
            upload=ContentFile(samples.pdf("Conseil citoyen d'Arras Ouest — octobre", [
                "Présents : neuf membres du conseil citoyen, la cheffe de projet.",
                "Les habitants signalent des lampadaires éteints près du square.",
                "Ils proposent l'installation de bancs le long du cheminement piéton.",
                "Prochaine réunion : jeudi, à la maison de services et de proximité.",
            ]), name="conseil-citoyen-octobre-v2.pdf"),
        )  # fmt: skip
    if axis_folders:
        _plan, new = _document(
            space, "Plan d'actions de l'axe", by=claire, folder=axis_folders[0], tags=axes[:1],
            description="Les actions de l'année pour cet axe du projet de quartier.",
            content=samples.odt("Plan d'actions", [
                "Action 1 : marche exploratoire avec les habitantes, au printemps.",
                "Action 2 : chantier jeunes de remise en peinture du préau.",
                "Action 3 : permanence mensuelle du bailleur à la MSP.",
            ]),
            filename="plan-actions.odt",
        )  # fmt: skip
        created += new
    _inventory, new = _document(
        space, "Inventaire des équipements de proximité", by=samia, folder=annexes,
        description="Tableau des équipements du quartier, pour les annexes du diagnostic.",
        content=CSV_EQUIPMENTS.encode(), filename="equipements.csv",
    )  # fmt: skip
    created += new

    group = WorkingGroup.objects.filter(name=GROUP).first()
    if group is not None:
        group_space = services.space_of_working_group(group)
        _booklet, new = _document(
            group_space, "Livret d'accueil des familles", by=claire,
            description="Les services et leurs horaires, en français facile.",
            content=samples.odt("Livret d'accueil", [
                "Bienvenue à Arras. Ce livret présente les services qui vous accueillent.",
                "Ateliers sociolinguistiques : le mardi et le jeudi, à la médiathèque.",
                "Interprétariat : sur rendez-vous auprès du CCAS.",
            ]),
            filename="livret-accueil.odt",
        )  # fmt: skip
        created += new
        _calendar, new = _document(
            group_space, "Calendrier des ateliers sociolinguistiques", by=samia,
            content=samples.pdf("Ateliers sociolinguistiques", [
                "Mardi 14 h : atelier conversation à la médiathèque.",
                "Jeudi 9 h 30 : atelier démarches administratives à la MSP.",
            ]),
            filename="ateliers.pdf",
        )  # fmt: skip
        created += new
    # The demo's meetings had their PDFs rendered without the job runner: filed here, as the
    # runner's hook files them in use (idempotent: the same PDF is not filed twice).
    for model in (AgendaDocument, MinutesDocument):
        for job in model.objects.filter(status=model.Status.READY).select_related(
            "meeting__quartier", "meeting__working_group", "requested_by"
        ):
            if job.file:
                services.file_meeting_pdf(job)
    if stdout is not None:
        stdout.write(f"Documents partagés : {created} documents ajoutés.")
