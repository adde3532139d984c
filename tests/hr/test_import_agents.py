"""The HR directory import (arras_quartiers.hr, manage.py import_agents, the admin page)."""

from __future__ import annotations

import datetime
import io
import os
import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from arras_quartiers import hr
from arras_quartiers.models import HRRecord
from meetings.models import Action, CalendarFeedToken
from teams.models import Agent, Membership
from tests.commands import manage
from tests.meetings.factories import make_meeting
from tests.teams.factories import join, login, make_agent

TODAY = timezone.localdate()
HEADER = "matricule;nom;prénom;email;service;fonction;responsable;quartiers;date d'arrivée;date de départ"


def _csv(*lines: str, header: str = HEADER, bom: bool = False) -> bytes:
    text = "\n".join([header, *lines]) + "\n"
    return (("\ufeff" if bom else "") + text).encode("utf-8")


def _run(content: bytes, *, name: str = "export.csv", apply: bool = False, full: bool = False):
    result = hr.plan(hr.parse(content, name), full=full)
    return hr.apply(result) if apply else result


@pytest.fixture
def export(personas, ouest):
    """An export with the chef (an update), a newcomer arriving today, and the agent leaving."""
    return _csv(
        "C001;Chef;Claire;CHEF@test.example;CCAS;Cheffe de projet Ouest;;ouest;01/01/2020;",
        f"N002;Nouvelle;Nina;nina.nouvelle@test.example;jeunesse;Animatrice;C001;Ouest;{TODAY:%d/%m/%Y};",
        f"A003;Agent;Alain;agent@test.example;Jeunesse;Animateur jeunesse;chef@test.example;ouest;;{TODAY:%d/%m/%Y}",
        bom=True,
    )


def test_dry_run_lists_the_diff_and_changes_nothing(export, personas):
    before = list(Agent.objects.values_list("pk", "email", "first_name", "is_active", "job_title"))
    result = _run(export)
    text = "\n".join(result.lines())
    assert [c.row.values["email"] for c in result.creations] == ["nina.nouvelle@test.example"]
    chef_update = next(u for u in result.updates if u.agent == personas["chef"])
    assert ("prénom", "Chef", "Claire") in chef_update.changes
    assert ("fonction", "Cheffe de projet", "Cheffe de projet Ouest") in chef_update.changes
    assert [d.agent for d in result.departures] == [personas["agent"]]
    assert "À créer : 1" in text and "À désactiver : 1" in text
    assert (
        list(Agent.objects.values_list("pk", "email", "first_name", "is_active", "job_title"))
        == before
    )
    assert not HRRecord.objects.exists()


def test_apply_creates_updates_and_welcomes_todays_arrival(export, personas, ouest, client):
    _run(export, apply=True)
    nina = Agent.objects.get(email="nina.nouvelle@test.example")
    assert nina.arrival_date == TODAY and nina.service.slug == "jeunesse"
    assert nina.manager == personas["chef"] and not nina.has_usable_password()
    assert nina.hr_record.matricule == "N002"
    assert Membership.objects.active().filter(agent=nina, quartier=ouest).exists()
    personas["chef"].refresh_from_db()
    assert personas["chef"].first_name == "Claire"
    # The quartier's page and the welcome page see the arrival the same day.
    login(client, personas["chef"])
    response = client.get(reverse("teams:quartier_detail", args=["ouest"]))
    newcomers = [m.agent for m in response.context["overview"].newcomers]
    assert nina in newcomers
    directory = client.get(reverse("teams:annuaire"), {"q": "Nouvelle"}).content.decode()
    assert "Nina Nouvelle" in directory
    login(client, nina)
    assert "découvrez votre équipe" in client.get(reverse("home")).content.decode()
    welcome = client.get(reverse("teams:welcome")).content.decode()
    assert "Vous venez d&#x27;arriver" in welcome or "Vous venez d'arriver" in welcome


def test_reimport_is_idempotent(export, personas):
    _run(export, apply=True)
    again = _run(export)
    assert again.empty, again.lines()


def _open_action(quartier, owner, *, meeting=None) -> Action:
    """An open action of a meeting of `quartier`, owned by `owner`, due next week."""
    return Action.objects.create(
        meeting=meeting or make_meeting(quartier, owner),
        quartier=quartier,
        title="Relancer le bailleur",
        owner=owner,
        due_date=TODAY + datetime.timedelta(days=7),
    )


def test_departure_effects(export, personas, ouest, client):
    leaving = personas["agent"]
    meeting = make_meeting(ouest, personas["chef"])
    open_action = _open_action(ouest, leaving, meeting=meeting)
    done_action = Action.objects.create(
        meeting=meeting,
        quartier=ouest,
        title="Déjà faite",
        owner=leaving,
        due_date=TODAY,
        status=Action.Status.DONE,
    )
    token = CalendarFeedToken.objects.create(agent=leaving)
    feed_url = reverse("meetings:feed", args=[token.token])
    assert client.get(feed_url).status_code == 200
    signed_in = type(client)()
    signed_in.force_login(leaving)
    assert signed_in.get(reverse("teams:annuaire")).status_code == 200

    result = _run(export, apply=True)

    leaving.refresh_from_db()
    assert not leaving.is_active
    assert client.get(feed_url).status_code == 404
    response = signed_in.get(reverse("teams:annuaire"))
    assert response.status_code == 302 and "/comptes/login/" in response["Location"]
    open_action.refresh_from_db()
    done_action.refresh_from_db()
    assert open_action.owner == personas["chef"]
    assert done_action.owner == leaving  # history stays attributed
    assert not Membership.objects.active().filter(agent=leaving).exists()
    handovers = result.departures[0].handovers
    assert any("Relancer le bailleur" in line and "Chef" in line for line in handovers)
    assert any("révoquée" in line for line in handovers)


def test_dry_run_lists_the_handovers_and_hands_nothing_over(export, personas, ouest, as_role):
    leaving = personas["agent"]
    action = _open_action(ouest, leaving, meeting=make_meeting(ouest, personas["chef"]))
    token = CalendarFeedToken.objects.create(agent=leaving)
    result = _run(export)
    (departure,) = result.departures
    assert departure.handovers == [
        "adresse d'agenda personnelle révoquée (1)",
        f"action « Relancer le bailleur » confiée à {personas['chef']} (Ouest)",
    ]
    assert "      action « Relancer le bailleur » confiée à" in "\n".join(result.lines())
    action.refresh_from_db()
    token.refresh_from_db()
    assert action.owner == leaving and token.revoked_at is None
    # The administrator sees them before pressing "Appliquer".
    upload = io.BytesIO(export)
    upload.name = "export.csv"
    url = reverse("admin:arras_quartiers_hrrecord_import")
    page = as_role("admin").post(url, {"file": upload}).content.decode()
    assert "action « Relancer le bailleur » confiée à" in unescape(page)
    action.refresh_from_db()
    assert action.owner == leaving


def test_nothing_is_handed_to_someone_leaving_in_the_same_import(personas, ouest):
    """The chef leaves with the agent: the agent's action goes to the chef who stays, as the
    dry run said."""
    second_chef = make_agent("second.chef@test.example", first_name="Sacha", last_name="Second")
    membership = join(second_chef, ouest, Membership.Role.CHEF_DE_PROJET)
    membership.start_date = TODAY - datetime.timedelta(days=30)  # after the first chef's
    membership.save()
    action = _open_action(ouest, personas["agent"], meeting=make_meeting(ouest, personas["chef"]))
    gone = f"{TODAY:%d/%m/%Y}"
    planned = _run(
        _csv(
            f"A003;Agent;Alain;agent@test.example;;;;;;{gone}",
            f"C001;Chef;Claire;chef@test.example;;;;;;{gone}",
        )
    )
    expected = [
        [f"action « Relancer le bailleur » confiée à {second_chef} (Ouest)"],
        [f"tri des observations de Ouest : repris par {second_chef}"],
    ]
    assert [d.handovers for d in planned.departures] == expected
    applied = hr.apply(planned)
    assert [d.handovers for d in applied.departures] == expected
    action.refresh_from_db()
    assert action.owner == second_chef


def test_full_export_deactivates_the_absent(export, personas):
    _run(export, apply=True)
    only_chef = _csv(
        "C001;Chef;Claire;chef@test.example;CCAS;Cheffe de projet Ouest;;ouest;01/01/2020;"
    )
    result = _run(only_chef, full=True)
    # Nina was known to the HR directory and is absent; agents it never listed are left alone.
    assert [d.agent.email for d in result.departures] == ["nina.nouvelle@test.example"]
    assert "absent de l'export complet" in "\n".join(result.lines())
    assert not _run(only_chef).departures  # without --full, absence means nothing


def test_bad_rows_are_line_numbered_and_nothing_is_applied(personas):
    content = _csv(
        "X1;Ok;Olivier;olivier@test.example;CCAS;;;ouest;;",
        "X2;Sans;Service;sans@test.example;Urbanisme;;;;;",
        "X3;Date;Mauvaise;date@test.example;;;;sud|nulle-part;31/02/2025;",
        "X1;Doublon;Dora;pas-une-adresse;;;Z999;;;",
        header=HEADER.replace(";", ","),
    )
    content = content.replace(b";", b",")
    with pytest.raises(hr.ImportRejected) as error:
        _run(content, apply=True)
    lines = error.value.lines()
    assert "Ligne 3 : service inconnu « Urbanisme »." in lines
    assert "Ligne 4 : quartier inconnu « nulle-part »." in lines
    assert any(
        line.startswith("Ligne 4 : date d'arrivée « 31/02/2025 » illisible") for line in lines
    )
    assert "Ligne 5 : matricule X1 déjà présent ligne 2." in lines
    assert "Ligne 5 : adresse électronique « pas-une-adresse » invalide." in lines
    assert any(line.startswith("Ligne 5 : responsable « Z999 » introuvable") for line in lines)
    assert not Agent.objects.filter(email="olivier@test.example").exists()


def test_apply_is_atomic(export, personas, monkeypatch):
    """A failure while writing the departures rolls back the rows written before it."""
    result = _run(export)

    def boom(*args, **kwargs):
        raise RuntimeError("panne")

    monkeypatch.setattr(hr, "depart", boom)
    with pytest.raises(RuntimeError):
        hr.apply(result)
    assert not Agent.objects.filter(email="nina.nouvelle@test.example").exists()
    assert not HRRecord.objects.exists()
    personas["agent"].refresh_from_db()
    assert personas["agent"].is_active


def test_xlsx_export(personas, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        [
            "Matricule",
            "Nom",
            "Prénom",
            "Email",
            "Service",
            "Fonction",
            "Responsable",
            "Quartiers",
            "Date d'arrivée",
            "Date de départ",
        ]
    )
    sheet.append(
        [
            "N010",
            "Tableur",
            "Théo",
            "theo@test.example",
            "CCAS",
            "Travailleur social",
            "chef@test.example",
            "Ouest|Sud",
            datetime.datetime.combine(TODAY, datetime.time()),
            None,
        ]
    )
    path = tmp_path / "sirh.xlsx"
    workbook.save(path)
    assert load_workbook(path).active["C2"].value == "Théo"  # the file is what we mean it to be
    result = _run(path.read_bytes(), name="sirh.xlsx", apply=True)
    assert [c.row.values["email"] for c in result.creations] == ["theo@test.example"]
    theo = Agent.objects.get(email="theo@test.example")
    assert theo.arrival_date == TODAY
    assert set(
        Membership.objects.active().filter(agent=theo).values_list("quartier__slug", flat=True)
    ) == {"ouest", "sud"}


def test_command_dry_run_then_apply(export, personas, tmp_path, settings, django_db_blocker):
    """The command in its own process: against its own SQLite file, not the test database."""
    path = tmp_path / "export.csv"
    path.write_bytes(_csv("Z1;Zed;Zoé;zoe@test.example;;;;;;"))
    env = {**os.environ, "VAR_DIR": str(tmp_path / "var"), "TESTING": "1"}
    env.pop("DATABASE_URL", None)
    manage(env, "migrate", "--noinput", "-v0")
    dry = manage(env, "import_agents", str(path))
    assert "À créer : 1" in dry and "Essai à blanc" in dry
    applied = manage(env, "import_agents", str(path), "--apply")
    assert "Import appliqué." in applied
    again = manage(env, "import_agents", str(path))
    assert re.search(r"À créer : 0\nÀ mettre à jour : 0\nÀ désactiver : 0", again)


@pytest.mark.parametrize(
    "role", ["agent", "chef", "responsable", "direction", "elu", "maire", "outsider"]
)
def test_admin_import_page_is_for_administrators_only(as_role, role):
    client = as_role(role)
    response = client.get(reverse("admin:arras_quartiers_hrrecord_import"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_admin_import_dry_run_then_apply(as_role, export):
    client = as_role("admin")
    url = reverse("admin:arras_quartiers_hrrecord_import")
    assert client.get(url).status_code == 200
    upload = io.BytesIO(export)
    upload.name = "export.csv"
    page = client.post(url, {"file": upload}).content.decode()
    assert "Essai à blanc" in page and "nina.nouvelle@test.example" in page and "Appliquer" in page
    assert not Agent.objects.filter(email="nina.nouvelle@test.example").exists()
    page = client.post(url, {"apply": "1"}).content.decode()
    assert "Import appliqué" in page
    assert Agent.objects.filter(email="nina.nouvelle@test.example").exists()


def test_admin_import_page_documents_the_columns_the_import_reads(as_role):
    """The administrator learns the file's columns on the page itself, not from the README."""
    page = as_role("admin").get(reverse("admin:arras_quartiers_hrrecord_import"))
    table = re.search(r'<table id="hr-columns".*?</table>', page.content.decode(), re.S)
    assert table, "no table of columns on the import page"
    names = re.findall(r'<th scope="row"><code>(.*?)</code></th>', table.group(0))
    documented = {hr._norm(unescape(part)) for name in names for part in name.split(", ")}
    assert documented == set(hr.COLUMNS)
    assert "JJ/MM/AAAA" in table.group(0)


def test_admin_applies_only_the_diff_it_showed(as_role, export, personas, ouest):
    client = as_role("admin")
    url = reverse("admin:arras_quartiers_hrrecord_import")
    upload = io.BytesIO(export)
    upload.name = "export.csv"
    client.post(url, {"file": upload})
    # Between the dry run and "Appliquer", the leaving agent takes an action.
    _open_action(ouest, personas["agent"], meeting=make_meeting(ouest, personas["chef"]))
    page = unescape(client.post(url, {"apply": "1"}).content.decode())
    assert "Les données ont changé depuis l'essai à blanc" in page
    assert "action « Relancer le bailleur » confiée à" in page and "Appliquer" in page
    assert not Agent.objects.filter(email="nina.nouvelle@test.example").exists()
    # Applied once read.
    page = unescape(client.post(url, {"apply": "1"}).content.decode())
    assert "Import appliqué" in page
    assert Agent.objects.filter(email="nina.nouvelle@test.example").exists()


def test_admin_import_shows_errors(as_role, personas):
    client = as_role("admin")
    upload = io.BytesIO(_csv("X2;Sans;Service;sans@test.example;Urbanisme;;;;;"))
    upload.name = "export.csv"
    page = client.post(reverse("admin:arras_quartiers_hrrecord_import"), {"file": upload})
    assert "Ligne 2 : service inconnu « Urbanisme »." in page.content.decode()
    assert (
        "rien n&#x27;a été appliqué" in page.content.decode()
        or "rien n'a été appliqué" in page.content.decode()
    )


def test_empty_cells_keep_what_the_app_knows(personas):
    chef = personas["chef"]
    chef.arrival_date = datetime.date(2021, 6, 14)
    chef.save()
    result = _run(_csv("C001;Test;Chef;chef@test.example;CCAS;;;;;"), apply=True)
    assert [label for label, _old, _new in result.updates[0].changes] == ["matricule"]
    chef.refresh_from_db()
    assert chef.arrival_date == datetime.date(2021, 6, 14)
    assert chef.job_title == "Cheffe de projet"


def test_a_manager_further_down_the_file(db):
    _run(
        _csv(
            "R2;Report;Rémi;remi@test.example;;;R1;;;",
            "R1;Cheffe;Rose;rose@test.example;;;;;;",
        ),
        apply=True,
    )
    assert Agent.objects.get(email="remi@test.example").manager.email == "rose@test.example"
