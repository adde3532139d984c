"""Documents tagged with the axes of the projet de quartier, and the space's list by axis."""

from django.urls import reverse

from documents.models import Document
from teams.models import Priority
from tests.documents.factories import make_document, pdf_upload


def test_a_document_is_tagged_with_its_quartiers_axes_and_found_by_axis(
    as_role, ouest, sud, ouest_space
):
    cadre = ouest.priorities.get()
    education = Priority.objects.create(quartier=ouest, title="Réussite éducative", position=2)
    foreign = Priority.objects.create(quartier=sud, title="Axe de Sud", position=1)
    client = as_role("agent")
    create = reverse("documents:create", args=[ouest_space.pk])
    page = client.get(create).content.decode()
    assert "Réussite éducative" in page and "Axe de Sud" not in page

    # An axis of another quartier: refused, nothing saved, what was typed kept.
    response = client.post(
        create,
        {
            "title": "Bilan des ateliers",
            "description": "Les ateliers du mercredi.",
            "tags": [cadre.pk, foreign.pk],
            "file": pdf_upload("Bilan"),
        },
    )
    body = response.content.decode()
    assert response.status_code == 200 and not Document.objects.exists()
    assert 'value="Bilan des ateliers"' in body and "Les ateliers du mercredi." in body

    response = client.post(
        create,
        {
            "title": "Bilan des ateliers",
            "description": "Les ateliers du mercredi.",
            "tags": [cadre.pk, education.pk],
            "file": pdf_upload("Bilan"),
        },
    )
    assert response.status_code == 302
    tagged = Document.objects.get()
    assert set(tagged.tags.all()) == {cadre, education}
    detail = client.get(tagged.get_absolute_url()).content.decode()
    assert "Réussite éducative" in detail and "Tranquillité et cadre de vie" in detail

    other = make_document(ouest_space, tagged.created_by, title="Plan vélo")
    other.tags.set([cadre])
    make_document(ouest_space, tagged.created_by, title="Sans axe")
    space_url = reverse("documents:space", args=[ouest_space.pk])
    space = client.get(space_url).content.decode()
    assert f'href="{space_url}?axe={education.pk}"' in space
    listed = client.get(space_url, {"axe": education.pk})
    assert [d.title for d in listed.context["page"].rows] == ["Bilan des ateliers"]
    listed = client.get(space_url, {"axe": cadre.pk})
    assert [d.title for d in listed.context["page"].rows] == ["Plan vélo", "Bilan des ateliers"]
    # A search within an axis keeps to it.
    listed = client.get(space_url, {"axe": cadre.pk, "q": "vélo"})
    assert [d.title for d in listed.context["page"].rows] == ["Plan vélo"]
    # Another quartier's axis, or an axis that tags nothing here: 404, like an unknown folder.
    assert client.get(space_url, {"axe": foreign.pk}).status_code == 404


def test_a_working_groups_space_has_no_axes(as_role, personas, group):
    from documents import services

    space = services.space_of_working_group(group)
    client = as_role("responsable")
    create = client.get(reverse("documents:create", args=[space.pk])).content.decode()
    assert 'name="tags"' not in create
    page = client.get(reverse("documents:space", args=[space.pk])).content.decode()
    assert "Axes du projet de quartier" not in page


def test_the_chef_files_by_axis_or_in_free_folders(as_role, ouest, ouest_space):
    from documents.models import Folder

    cadre = ouest.priorities.get()
    client = as_role("chef")
    url = reverse("documents:folder_create", args=[ouest_space.pk])
    form = client.get(url).content.decode()
    # Meetings' folders are made by their meetings, not by hand.
    assert 'value="axis"' in form and 'value="free"' in form and 'value="meeting"' not in form

    response = client.post(url, {"name": "Cadre de vie", "kind": "axis"})
    body = response.content.decode()
    assert response.status_code == 200 and "Choisissez l&#x27;axe de ce dossier." in body
    assert 'value="Cadre de vie"' in body and not Folder.objects.exists()

    response = client.post(url, {"name": "Cadre de vie", "kind": "axis", "priority": cadre.pk})
    folder = Folder.objects.get()
    assert (folder.kind, folder.priority) == (Folder.Kind.AXIS, cadre)
    assert response["Location"].endswith(f"?dossier={folder.pk}")
    response = client.post(url, {"name": "cadre de vie", "kind": "free"})
    assert "Un dossier de cet espace porte déjà ce nom." in response.content.decode()
    client.post(url, {"name": "Partenaires", "kind": "free", "priority": cadre.pk})
    assert Folder.objects.get(name="Partenaires").priority is None

    # Depositing from the folder's page files the document there.
    deposit = client.get(reverse("documents:create", args=[ouest_space.pk]), {"dossier": folder.pk})
    assert f'<option value="{folder.pk}" selected>' in deposit.content.decode()
