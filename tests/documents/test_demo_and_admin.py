"""The demo's documents (loaded the way `loaddemo` loads them) and the admin."""

import pytest
from django.urls import reverse

from documents import demo
from documents.models import Document
from meetings.models import WorkingGroup
from teams import demo as teams_demo
from teams.models import Agent, Quartier
from tests.poppler import pdf_text


@pytest.fixture
def demo_loaded(db, django_capture_on_commit_callbacks):
    teams_demo.load()
    group = WorkingGroup.objects.create(name=demo.GROUP)
    group.quartiers.add(Quartier.objects.get(slug="ouest"))
    group.members.add(Agent.objects.get(email="claire.vasseur@arras.example"))
    with django_capture_on_commit_callbacks(execute=True):
        demo.load()
    return group


def test_demo_documents_in_ouest_and_in_the_working_group(demo_loaded, client):
    count = Document.objects.count()
    demo.load()
    assert Document.objects.count() == count  # idempotent
    ouest = Document.objects.filter(space__quartier__slug="ouest")
    assert ouest.count() >= 3 and ouest.filter(versions__number=2).exists()
    assert Document.objects.filter(space__working_group=demo_loaded).count() == 2
    kinds = set(Document.objects.values_list("current_version__extension", flat=True))
    assert {"pdf", "odt", "csv"} <= kinds
    minutes = ouest.get(title__startswith="Compte rendu du conseil citoyen")
    with minutes.current_version.file.open("rb") as handle:
        assert "lampadaires éteints" in pdf_text(handle.read())
    # Found by a word inside its file, by the cheffe de projet of Ouest.
    client.force_login(Agent.objects.get(email="claire.vasseur@arras.example"))
    page = client.get(reverse("documents:index"), {"q": "lampadaires"})
    assert [d.title for d in page.context["page"].rows] == [minutes.title]


def test_loaddemo_runs_the_documents_demo_after_meetings():
    from arras_quartiers.management.commands.loaddemo import DEMO_MODULES

    assert DEMO_MODULES.index("meetings.demo") < DEMO_MODULES.index("documents.demo")


@pytest.mark.parametrize("name", ["space", "folder", "document", "documentversion"])
def test_admin_changelists(name, as_role, personas, ouest_space):
    from tests.documents.factories import make_document

    make_document(ouest_space, personas["chef"])
    response = as_role("admin").get(reverse(f"admin:documents_{name}_changelist"))
    assert response.status_code == 200
