"""Monthly escalation digest (PDF job), emerging phenomena, orientations, export and search."""

import csv
import datetime
import io
import re
import subprocess

import pytest
from django.contrib.postgres.search import SearchQuery
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from observations import selectors, tasks
from observations import services as obs_services
from observations.models import (
    Category,
    Escalation,
    EscalationDigest,
    NeedType,
    Observation,
    Orientation,
)
from tests.foundation.pdfua import assert_pdfua
from tests.observations.factories import SECRET_TITLE, make_observation
from tests.poppler import pdf_text


def test_monthly_digest_rendered_and_emailed_once(
    world, personas, django_capture_on_commit_callbacks
):
    month = selectors.month_start(timezone.localdate())
    Escalation.objects.filter(observation=world["pub_ouest"]).update(
        answer="Renfort validé", answered_by=personas["direction"], answered_at=timezone.now()
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = obs_services.escalation_digest_request(
            month=month, requested_by=personas["direction"]
        )
    job.refresh_from_db()
    assert job.status == EscalationDigest.Status.READY, job.error
    with job.file.open("rb") as handle:
        pdf = PdfReader(io.BytesIO(handle.read()))
    text = "".join(page.extract_text() for page in pdf.pages)
    with job.file.open("rb") as handle:
        assert_pdfua(handle.read())
    assert "Remontées au comité de direction" in (pdf.metadata.title or "")
    assert "Lampadaire éteint" in text and "Renfort validé" in text
    assert SECRET_TITLE not in text and "confidentielle" in text
    assert [m.to for m in mail.outbox] == [[personas["direction"].email]]
    assert mail.outbox[0].attachments[0][2] == "application/pdf"
    # The same month again, a redelivered task: no second email.
    obs_services.escalation_digest_request(month=month)
    tasks.render_escalation_digest.apply(args=[job.pk])
    assert len(mail.outbox) == 1


def test_beat_task_asks_for_the_previous_month(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        pk = tasks.request_monthly_escalation_digest.apply().get()
    assert EscalationDigest.objects.get(pk=pk).month == selectors.previous_month()


def test_digest_page_only_for_the_comite(as_role, world):
    assert as_role("chef").post(reverse("observations:digest_request")).status_code == 404
    assert as_role("direction").post(reverse("observations:digest_request")).status_code == 302
    job = EscalationDigest.objects.get()
    assert (
        as_role("chef").get(reverse("observations:digest_download", args=[job.pk])).status_code
        == 404
    )


def _at(days_ago: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days_ago)


def test_emerging_report_counts_windows_and_flags_rises(personas, ouest):
    agent = personas["agent"]
    for days in (1, 5, 10, 20, 40):  # 5 in the last 90 days
        make_observation(
            ouest, agent, category="tranquillite-publique", observed_at=_at(days), is_emerging=True
        )
    make_observation(
        ouest, agent, category="tranquillite-publique", observed_at=_at(120)
    )  # previous window
    make_observation(
        ouest, agent, category="tranquillite-publique", observed_at=_at(380)
    )  # last year
    for days in (2, 100, 120, 370):  # steady: no rise
        make_observation(ouest, agent, category="proprete", observed_at=_at(days))
    make_observation(
        ouest,
        agent,
        category="proprete",
        observed_at=_at(3),
        status="classee",
        closing_reason="doublon",
    )
    report = selectors.emerging_report(ouest)
    trends = {t.category.slug: t for t in report.trends}
    calm = trends["tranquillite-publique"]
    assert (calm.current, calm.previous, calm.last_year, calm.flagged) == (5, 1, 1, 5)
    assert calm.is_rise
    clean = trends["proprete"]
    assert (clean.current, clean.previous, clean.last_year) == (
        1,
        2,
        1,
    )  # the duplicate is not counted
    assert not clean.is_rise
    assert [t.category.slug for t in report.rises] == ["tranquillite-publique"]
    chart = selectors.emerging_chart(report)
    assert len(chart.rows) == 2 and chart.rows[0].is_rise
    assert (
        max(bar.width for row in chart.rows for bar in row.bars) <= chart.width - chart.label_width
    )


def test_emerging_page_has_an_accessible_chart_and_table(as_role, personas, ouest):
    make_observation(ouest, personas["agent"], category="proprete", observed_at=_at(3))
    body = as_role("elu").get(reverse("observations:emerging")).content.decode()
    assert 'role="img"' in body and '<title id="chart-title">' in body and "<desc" in body
    assert "<caption>" in body and 'scope="col"' in body and 'scope="row"' in body
    assert "style=" not in body  # Content Security Policy: no inline style
    assert "Dépôt sauvage rue Verlaine" not in body  # élus read counts, never observations


def test_emerging_counts_confidential_as_numbers(as_role, world):
    body = (
        as_role("agent").get(reverse("observations:emerging") + "?quartier=ouest").content.decode()
    )
    assert "Social et précarité" in body  # the confidential one is counted
    assert SECRET_TITLE not in body


def test_orientation_in_two_clicks(as_role, personas, ouest, services):
    need = NeedType.objects.get(slug="aide-sociale")
    need.default_service = services["ccas"]
    need.save()
    client = as_role("agent")
    step = client.get(reverse("observations:orientation_log"))
    assert f"besoin={need.slug}" in step.content.decode()  # click 1: the need
    step = client.get(
        reverse("observations:orientation_log") + f"?quartier=ouest&besoin={need.slug}"
    )
    body = step.content.decode()
    assert body.index(services["ccas"].name) < body.index(
        services["jeunesse"].name
    )  # usual service first
    response = client.post(  # click 2: the service
        reverse("observations:orientation_log"),
        {"quartier": ouest.pk, "need": need.pk, "service": services["ccas"].pk},
    )
    assert response.status_code == 302
    orientation = Orientation.objects.get()
    assert (orientation.quartier, orientation.need, orientation.service) == (
        ouest,
        need,
        services["ccas"],
    )
    assert orientation.oriented_on == timezone.localdate()
    # Not in the team of Sud: cannot log there.
    other = client.post(
        reverse("observations:orientation_log"),
        {
            "quartier": personas["outsider"].memberships.get().quartier_id,
            "need": need.pk,
            "service": services["ccas"].pk,
        },
    )
    assert other.status_code == 200 and Orientation.objects.count() == 1


def test_orientation_counts_by_need_and_service(as_role, personas, ouest, sud, services):
    need = NeedType.objects.get(slug="logement")
    for quartier, service, days in (
        (ouest, "ccas", 1),
        (ouest, "ccas", 2),
        (ouest, "jeunesse", 3),
        (sud, "ccas", 1),
        (ouest, "ccas", 200),
    ):
        Orientation.objects.create(quartier=quartier, need=need, service=services[service],
                                   oriented_on=timezone.localdate() - datetime.timedelta(days=days))  # fmt: skip
    table = selectors.orientation_counts(
        personas["chef"],
        quartier=None,
        start=timezone.localdate() - datetime.timedelta(days=89),
        end=timezone.localdate(),
    )
    assert table.total == 3  # Sud is out of the chef's reach, the old one out of the period
    assert table.needs == [
        (need.name, 3, [(services["ccas"].name, 2), (services["jeunesse"].name, 1)])
    ]
    assert (
        "3 orientations"
        in as_role("elu").get(reverse("observations:orientations")).content.decode()
    )


def _csv(response):
    return list(
        csv.reader(io.StringIO(b"".join(response.streaming_content).decode()), delimiter=";")
    )


def test_export_respects_access_and_hides_confidential_details(as_role, world):
    rows = _csv(as_role("chef").get(reverse("observations:export")))
    header, data = rows[0], {int(r[0]): dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert "description" in header
    assert set(data) == {world["pub_ouest"].pk, world["secret_ouest"].pk}
    secret = data[world["secret_ouest"].pk]
    assert (
        secret["titre"] == world["secret_ouest"].public_title and secret["confidentielle"] == "oui"
    )
    assert secret["lieu"] == "" and secret["description"] == ""
    assert all("Zorglub" not in cell for row in rows for cell in row)
    assert data[world["pub_ouest"].pk]["titre"] == "Lampadaire éteint square Baudimont"


def test_export_neutralises_spreadsheet_formulas(as_role, personas, ouest):
    make_observation(ouest, personas["agent"], title='=HYPERLINK("http://x")', place="+cmd")
    rows = _csv(as_role("agent").get(reverse("observations:export")))
    assert rows[1][4].startswith("'=") and rows[1][5].startswith("'+")


def test_search_finds_words_and_respects_scope(as_role, personas, ouest, sud, world):
    make_observation(
        ouest,
        personas["agent"],
        title="Éclairage en panne",
        description="Les lampadaires clignotent",
    )
    make_observation(sud, personas["outsider"], title="Lampadaires en panne au Val")
    body = as_role("agent").get(reverse("observations:index") + "?q=panne").content.decode()
    assert "Éclairage en panne" in body
    assert "au Val" not in body
    body = as_role("agent").get(reverse("observations:index") + "?q=Baudimont").content.decode()
    assert "Lampadaire éteint square Baudimont" in body


def test_list_filters_and_keyset_pagination(as_role, personas, ouest):
    for index in range(30):
        make_observation(
            ouest,
            personas["agent"],
            title=f"Obs numéro {index:02d}",
            urgency="urgente" if index % 2 else "normale",
        )
    client = as_role("agent")
    first = client.get(reverse("observations:index")).content.decode()
    assert "Obs numéro 29" in first and "Obs numéro 04" not in first
    oldest_on_page = Observation.objects.order_by("-id")[24].pk
    second = client.get(reverse("observations:index") + f"?apres={oldest_on_page}").content.decode()
    assert "Obs numéro 04" in second and "Obs numéro 29" not in second
    back = client.get(
        reverse("observations:index") + f"?avant={Observation.objects.order_by('-id')[25].pk}"
    )
    assert "Obs numéro 29" in back.content.decode()
    urgent = client.get(reverse("observations:index") + "?urgency=urgente").content.decode()
    assert "Obs numéro 29" in urgent and "Obs numéro 28" not in urgent
    partial = client.get(
        reverse("observations:index") + "?urgency=urgente", headers={"HX-Request": "true"}
    )
    assert "<html" not in partial.content.decode() and "Obs numéro 29" in partial.content.decode()


def test_citable_and_public_title_for_documents(world):
    secret = world["secret_ouest"]
    assert SECRET_TITLE not in secret.public_title and secret.public_summary == ""
    assert world["pub_ouest"].public_title == world["pub_ouest"].title
    assert set(Observation.objects.citable()) == {world["pub_ouest"], world["pub_sud"]}
    assert Category.objects.filter(is_active=True).count() == 14


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="French full-text search is PostgreSQL's"
)
def test_postgresql_search_is_french_and_accent_insensitive(as_role, personas, ouest):
    make_observation(
        ouest, personas["agent"], title="Dépôts sauvages près des jeux", place="square"
    )
    client = as_role("agent")
    for query in ("depot", "dépôt sauvage", "DEPOTS"):
        assert (
            "Dépôts sauvages près des jeux"
            in client.get(reverse("observations:index") + f"?q={query}").content.decode()
        ), query
    assert (
        "Dépôts sauvages"
        not in client.get(reverse("observations:index") + "?q=lampadaire").content.decode()
    )


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="The stored search document is PostgreSQL's"
)
def test_postgresql_search_document_follows_every_write(as_role, personas, ouest):
    """The trigger keeps the stored document on create, on save() and on update(); a status
    change (which does not write the text) keeps it."""
    observation = make_observation(ouest, personas["agent"], title="Tags sur le préau")

    def found(query: str) -> bool:
        return Observation.objects.filter(
            pk=observation.pk, search_document=SearchQuery(query, config="french_unaccent")
        ).exists()

    assert found("prEAU")
    observation.title = "Graffitis sur le mur"
    observation.save()
    assert found("graffiti") and not found("préau")
    Observation.objects.filter(pk=observation.pk).update(place="rue des Rosati")
    assert found("rosati")
    Observation.objects.filter(pk=observation.pk).update(status="traitee")
    assert found("graffiti")
    listed = as_role("agent").get(reverse("observations:index") + "?q=rosati").content.decode()
    assert "Graffitis sur le mur" in listed


@pytest.mark.skipif(connection.vendor != "postgresql", reason="work_mem is PostgreSQL's")
def test_postgresql_search_gets_room_for_its_transaction(as_role, personas, ouest):
    """A common phrase's bitmap must stay exact: the search widens work_mem, with
    set_config(..., is_local => true), in a transaction of its own."""
    make_observation(ouest, personas["agent"], title="Dépôt sauvage rue Baudimont")
    client = as_role("agent")
    with CaptureQueriesContext(connection) as queries:
        body = client.get(reverse("observations:index") + "?q=dépôt").content.decode()
    assert "Dépôt sauvage rue Baudimont" in body
    sql = [q["sql"] for q in queries.captured_queries]
    room = next(i for i, q in enumerate(sql) if "set_config('work_mem'" in q)
    assert "'32MB', true)" in sql[room]
    assert any("search_document" in q for q in sql[room + 1 :])  # the search ran after it


def test_digest_header_date_on_one_line(world, personas, django_capture_on_commit_callbacks):
    month = selectors.month_start(timezone.localdate())
    with django_capture_on_commit_callbacks(execute=True):
        job = obs_services.escalation_digest_request(
            month=month, requested_by=personas["direction"]
        )
    job.refresh_from_db()
    with job.file.open("rb") as handle:
        content = handle.read()
    layout = subprocess.run(
        ["pdftotext", "-layout", "-l", "1", "-", "-"],
        input=content,
        capture_output=True,
        check=True,
    ).stdout.decode()
    header = next(line for line in layout.splitlines() if line.strip())
    assert re.search(r"Remontées au comité de direction — .+ {2,}\d{1,2} \w+ \d{4}$", header), (
        header
    )


def test_digest_shows_confidential_escalations_by_category_and_quartier_only(
    world, personas, django_capture_on_commit_callbacks
):
    """Its own text promises it: no reason, no answer, no name of who escalated or answered."""
    Escalation.objects.filter(observation=world["pub_ouest"]).delete()
    Escalation.objects.filter(observation=world["secret_ouest"]).update(
        reason="Motif Xylophage sous secret",
        answer="Réponse Wombat du comité",
        answered_by=personas["direction"],
        answered_at=timezone.now(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = obs_services.escalation_digest_request(
            month=selectors.month_start(timezone.localdate()), requested_by=personas["direction"]
        )
    job.refresh_from_db()
    assert job.status == EscalationDigest.Status.READY, job.error
    text = " ".join(pdf_text(job.file.path).split())
    for secret in ("Xylophage", "Wombat", str(personas["chef"]), str(personas["direction"])):
        assert secret not in text
    assert SECRET_TITLE not in text
    assert "Social" in text and "Ouest" in text  # its category and quartier
    assert "1 remontée ce mois-ci, dont 1 avec réponse" in text
    assert "Observation confidentielle : motif et réponse non reproduits" in text
