"""The PDF: figures equal the database, an empty year is short and honest, metadata and tags."""

import datetime
import io
import re
import subprocess

import pytest
from django.utils import timezone
from pypdf import PdfReader

from diagnostics import indicators, services
from diagnostics.models import DiagnosticDocument
from observations.models import Observation
from tests.diagnostics.factories import YEAR, at
from tests.foundation.pdfua import assert_pdfua
from tests.observations.factories import ObservationFactory

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def published_pdf(
    make_diagnostic, quartier, capture, year=YEAR
) -> tuple[bytes, DiagnosticDocument]:
    with capture(execute=True):
        diagnostic = make_diagnostic(quartier, year=year, status="published")
    document = DiagnosticDocument.objects.get(diagnostic=diagnostic, version__number=1)
    assert document.status == "ready", document.error
    with document.file.open("rb") as handle:
        return handle.read(), document


def test_the_pdf_figures_equal_the_database(
    make_diagnostic, ouest, year_data, django_capture_on_commit_callbacks
):
    content, document = published_pdf(make_diagnostic, ouest, django_capture_on_commit_callbacks)
    text = pdf_text(content)
    start, end = indicators.year_bounds(YEAR)
    of_year = Observation.objects.filter(
        quartier=ouest, observed_at__gte=start, observed_at__lt=end
    )
    total = of_year.count()
    confidential = of_year.filter(confidentiality="confidentiel").count()
    assert (total, confidential) == (6, 1)  # the fixture, seen from the database
    assert f"{total} observations en {YEAR} (1 en {YEAR - 1})" in text
    assert f"dont {confidential} confidentielle(s)" in text
    voirie = of_year.filter(category=year_data["voirie"]).count()
    assert f"Voirie test {voirie} 1 +{voirie - 1}" in text
    assert "Lien social test 2 0 +2" in text
    # Meetings: 1 held (the cancelled one is not), 2 present out of 3 recorded, 1 accepted item.
    assert "1 réunion(s) tenue(s)" in text
    assert "Taux de présence : 67 % (2 présences sur 3" in text
    assert "1 point(s) de l'ordre du jour traité(s)" in text
    # Actions: 2 decided, 1 done, 1 late (its due date is past).
    assert re.search(r"Décidées 2 Réalisées 1 En cours ou à faire 1 dont en retard 1", text)
    # Orientations of Ouest only; one escalation answered; time to treatment 4 days.
    assert "2 habitant(s) orienté(s)" in text
    assert "1 remontée(s), 1 avec une réponse" in text
    assert "Services techniques 1 4.0" in text or "Services techniques 1 4,0" in text
    # Confidential observations are counted, never named; other quartiers never appear.
    assert "Situation familiale secrète" not in text
    assert "Rodéos de motos le soir" in text  # emerging phenomenon, and in the annex
    assert "Annexe A" in text and "Annexe B" in text
    # Months in local time (an observation at 00:30 on 1 March, Paris time, is March's).
    months = [0] * 12
    for observed_at in of_year.values_list("observed_at", flat=True):
        months[timezone.localtime(observed_at).month - 1] += 1
    assert document.snapshot["indicators"]["observations"]["by_month"] == months
    assert (
        "févr. mars avr. mai juin juil. août sept. oct. nov. déc. " + " ".join(map(str, months[:1]))
        in text
    )
    # The stored document says what it was made from.
    assert document.snapshot["indicators"]["observations"]["total"] == total
    assert len(document.checksum) == 64 and len(document.data_checksum) == 64


def test_an_empty_year_gives_a_short_honest_diagnostic(
    make_diagnostic, sud, django_capture_on_commit_callbacks
):
    content, _document = published_pdf(
        make_diagnostic, sud, django_capture_on_commit_callbacks, year=2019
    )
    text = pdf_text(content)
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) <= 4
    assert "Aucune donnée n'a été enregistrée" in text
    assert "Annexe A" not in text


def test_cover_contents_and_running_footer(
    make_diagnostic, ouest, year_data, django_capture_on_commit_callbacks
):
    content, _document = published_pdf(make_diagnostic, ouest, django_capture_on_commit_callbacks)
    reader = PdfReader(io.BytesIO(content))
    cover = reader.pages[0].extract_text().lower()
    assert (
        "ville d’arras" in cover
        and "ouest" in cover
        and str(YEAR) in cover
        and "version 1" in cover
    )
    contents = re.sub(r"\s+", " ", reader.pages[1].extract_text())
    assert re.search(r"Synthèse\W*\d+", contents)  # page numbers from target-counter
    last = reader.pages[-1].extract_text()
    assert f"page {len(reader.pages)} / {len(reader.pages)}" in last


def test_metadata_language_and_tags(make_diagnostic, ouest, django_capture_on_commit_callbacks):
    content, _document = published_pdf(make_diagnostic, ouest, django_capture_on_commit_callbacks)
    reader = PdfReader(io.BytesIO(content))
    root = reader.trailer["/Root"]
    assert reader.metadata.title == f"Diagnostic {YEAR} du quartier Ouest"
    assert root["/Lang"] == "fr"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert "/Metadata" in root  # XMP, where the PDF/UA identification lives
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert "pdfuaid" in xmp


def test_a_draft_proof_is_marked_as_such(
    make_diagnostic, ouest, personas, django_capture_on_commit_callbacks
):
    diagnostic = make_diagnostic(ouest)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.document_request(diagnostic=diagnostic, by=personas["chef"])
    job.refresh_from_db()
    with job.file.open("rb") as handle:
        text = pdf_text(handle.read())
    assert "Épreuve de travail" in text and "non publiée" in text


def structure_roles(reader: PdfReader) -> dict[str, list]:
    """Roles of the tag tree, with the alternative texts of the figures."""
    roles: dict[str, list] = {}

    def walk(node):
        node = node.get_object()
        if not isinstance(node, dict):
            return
        if "/S" in node:
            roles.setdefault(str(node["/S"]), []).append(node.get("/Alt"))
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
            walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return roles


@pytest.mark.parametrize(
    ("variant", "identification"),
    [("pdf/ua-1", 'pdfuaid:part="1"'), ("pdf/a-2a", 'pdfaid:conformance="A"')],
)
def test_accessible_and_archivable_variants_are_tagged(
    settings,
    make_diagnostic,
    ouest,
    year_data,
    personas,
    django_capture_on_commit_callbacks,
    variant,
    identification,
):
    """The project's variant (PDF_VARIANT, PDF/UA-1 by default) and PDF/A-2a both carry a full tag tree."""
    settings.PDF_VARIANT = variant
    diagnostic = make_diagnostic(ouest)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.document_request(diagnostic=diagnostic, by=personas["chef"])
    job.refresh_from_db()
    with job.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    root = reader.trailer["/Root"]
    assert identification in root["/Metadata"].get_object().get_data().decode()
    assert root["/Lang"] == "fr" and bool(root["/MarkInfo"]["/Marked"])
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    roles = structure_roles(reader)
    for role in ("/H1", "/H2", "/Table", "/TH", "/Caption", "/L", "/Link"):
        assert role in roles, role
    assert roles["/Figure"] and all(roles["/Figure"]), "every chart has an alternative text"


def test_figures_link_to_the_lists_they_count(as_role, make_diagnostic, ouest, year_data):
    diagnostic = make_diagnostic(ouest, status="review")
    page = as_role("chef").get(f"/diagnostics/{diagnostic.pk}/").content.decode()
    base = f"/observations/?quartier={ouest.pk}&amp;date_from={YEAR}-01-01&amp;date_to={YEAR}-12-31"
    assert f'href="{base}"' in page
    assert f'href="{base}&amp;category={year_data["voirie"].pk}"' in page
    assert f'href="{base}&amp;escalated=on"' in page
    assert f'href="/reunions/quartiers/ouest/?annee={YEAR}"' in page
    # The élue reads the published figures; observation lists are not hers to open.
    published = make_diagnostic(ouest, year=YEAR - 1, status="published")
    page = as_role("elu").get(f"/diagnostics/{published.pk}/versions/1/").content.decode()
    assert "/observations/?" not in page


def test_pdf_structure_for_screen_readers(
    make_diagnostic, ouest, year_data, django_capture_on_commit_callbacks
):
    """PDF/UA: running headers and footers are artifacts, nothing hangs outside the tree, the
    annex broken across pages is one table, contents links are described by their titles."""
    voirie = year_data["voirie"]
    for day in range(90):
        ObservationFactory(
            quartier=ouest,
            category=voirie,
            observed_at=at(YEAR, 5, 1) + datetime.timedelta(days=day),
            title=f"Nid de poule n° {day}",
        )
    content, _document = published_pdf(make_diagnostic, ouest, django_capture_on_commit_callbacks)
    walk = assert_pdfua(content)
    annex = [t for t in walk.tables if t["caption"].startswith("Observations non confidentielles")]
    assert len(annex) == 1 and annex[0]["rows"] == 1 + 5 + 90, walk.tables
    descriptions = {description for _visible, description, _target in walk.links}
    assert {"Synthèse", "Annexe A — Observations de l'année"} <= descriptions, walk.links
    assert walk.tags["/Figure"] >= 2


def page_texts(content: bytes) -> list[str]:
    """The text of each page as poppler lays it out (another reader than the one in pdf_text)."""
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()
    return text.split("\f")


def test_treated_closed_and_open_observations_add_up(
    make_diagnostic, ouest, year_data, django_capture_on_commit_callbacks
):
    ObservationFactory(
        quartier=ouest, category=year_data["voirie"], observed_at=at(YEAR, 6, 1), status="classee"
    )
    content, _document = published_pdf(make_diagnostic, ouest, django_capture_on_commit_callbacks)
    of_year = Observation.objects.filter(quartier=ouest, observed_at__year=YEAR)
    done, closed = (
        of_year.filter(status="traitee").count(),
        of_year.filter(status="classee").count(),
    )
    still_open = of_year.filter(status__in=Observation.OPEN_STATUSES).count()
    assert (done, closed, still_open) == (1, 1, 5) and done + closed + still_open == of_year.count()
    assert "1 traitée, 1 classée, 5 encore ouvertes." in pdf_text(content)


def test_guillemets_never_leave_their_word(
    make_diagnostic, ouest, year_data, django_capture_on_commit_callbacks
):
    content, _document = published_pdf(make_diagnostic, ouest, django_capture_on_commit_callbacks)
    # pypdf keeps the no-break spaces (poppler gives them as ordinary ones).
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "«\u00a0tenue\u00a0»" in text and "«\u00a0traitée\u00a0»" in text
    assert "« " not in text and " »" not in text


def test_annex_a_follows_the_recommendations_without_an_empty_page(
    make_diagnostic, ouest, year_data, django_capture_on_commit_callbacks
):
    """Short recommendations: Annexe A starts below them rather than on a page of its own."""
    content, _document = published_pdf(make_diagnostic, ouest, django_capture_on_commit_callbacks)
    pages = page_texts(content)
    heading = "Annexe A — Observations de l'année"
    annex = max(number for number, text in enumerate(pages) if heading in text)
    assert "Préconisations" in pages[annex], pages[annex - 1]
