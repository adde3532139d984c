"""French full-text GIN index (PostgreSQL only) and the initial categories and needs."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

SEARCH_INDEX = "obs_search_fr"

CATEGORIES = [
    ("proprete", "Propreté", "Dépôts sauvages, déchets, encombrants, tags, déjections.", "services-techniques"),
    ("voirie-eclairage", "Voirie et éclairage", "Trottoirs, chaussée, nids-de-poule, éclairage public, mobilier urbain.", "services-techniques"),
    ("espaces-verts", "Espaces verts", "Parcs, squares, aires de jeux, arbres, pelouses.", "services-techniques"),
    ("tranquillite-publique", "Tranquillité publique", "Incivilités, bruit, rassemblements, rodéos, sentiment d'insécurité.", "tranquillite-publique"),
    ("stationnement-circulation", "Stationnement et circulation", "Stationnement gênant, vitesse, épaves, sécurité des piétons.", "tranquillite-publique"),
    ("habitat-bailleurs", "Habitat et bailleurs", "Parties communes, logements dégradés, relations avec les bailleurs sociaux.", "cohesion-territoriale"),
    ("social-precarite", "Social et précarité", "Situations de précarité, isolement, personnes en difficulté.", "ccas"),
    ("jeunesse", "Jeunesse", "Présence et besoins des jeunes, projets, décrochage.", "jeunesse"),
    ("education", "Éducation", "Écoles, abords des écoles, périscolaire, réussite éducative.", "education"),
    ("sante", "Santé", "Accès aux soins, santé mentale, prévention.", "ccas"),
    ("commerce-proximite", "Commerce de proximité", "Commerces, locaux vacants, marchés.", "developpement-commercial"),
    ("vie-associative", "Vie associative", "Associations, initiatives d'habitants, salles et équipements.", "cohesion-territoriale"),
    ("acces-droits-langue", "Accès aux droits et langue", "Démarches, numérique, familles non francophones.", "ccas"),
    ("autre", "Autre", "Ce qui n'entre dans aucune autre catégorie.", None),
]

NEEDS = [
    ("demarches-administratives", "Démarches administratives et papiers", "administration-generale"),
    ("aide-sociale", "Aide sociale, difficultés financières", "ccas"),
    ("logement", "Logement, relation avec le bailleur", "ccas"),
    ("inscription-scolaire", "Inscription scolaire, cantine, périscolaire", "education"),
    ("garde-enfant", "Garde d'enfant, petite enfance", "enfance-famille"),
    ("jeunes", "Jeunes : activités, information, emploi", "jeunesse"),
    ("sport-loisirs", "Sport et loisirs", "sport"),
    ("culture", "Culture, médiathèque", "culture"),
    ("cadre-de-vie", "Signalement sur le cadre de vie", "services-techniques"),
    ("tranquillite", "Voisinage, bruit, sécurité", "tranquillite-publique"),
    ("francais-langue", "Apprendre le français, accès aux droits", "ccas"),
    ("commerce", "Créer ou gérer un commerce", "developpement-commercial"),
]


def search_index():
    # Frozen here (not imported from the models): this is the index as it was first created.
    return GinIndex(SearchVector("title", "description", "place", config="french"), name=SEARCH_INDEX)


def add_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("observations", "Observation"), search_index())


def remove_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("observations", "Observation"), search_index())


def seed(apps, schema_editor):
    Category = apps.get_model("observations", "Category")
    NeedType = apps.get_model("observations", "NeedType")
    Service = apps.get_model("teams", "Service")
    services = {s.slug: s for s in Service.objects.all()}
    for position, (slug, name, description, service) in enumerate(CATEGORIES):
        Category.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "description": description,
                "position": position,
                "default_service": services.get(service),
            },
        )
    for position, (slug, name, service) in enumerate(NEEDS):
        NeedType.objects.get_or_create(
            slug=slug, defaults={"name": name, "position": position, "default_service": services.get(service)}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("observations", "0001_initial"),
        ("teams", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(add_search_index, remove_search_index),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
