"""The one PDF rendering path: metadata, tags, and a fetcher that reads only static files."""

import io

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from foundation.pdf import StaticOnlyFetcher, render_pdf


@pytest.fixture
def sample_template(tmp_path, settings):
    (tmp_path / "sample.html").write_text(
        '{% extends "pdf/base.html" %}{% block title %}Ordre du jour — essai{% endblock %}'
        "{% block content %}<h1>Essai</h1><p>{{ text }}</p>"
        '<img src="file:///etc/passwd" alt=""><img src="http://127.0.0.1:9/x.png" alt="">'
        "{% endblock %}"
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]},
    ]
    return "sample.html"


def test_pdf_has_title_language_and_tags(sample_template):
    pdf = PdfReader(io.BytesIO(render_pdf(sample_template, {"text": "<script>x</script>"})))
    assert pdf.metadata.title == "Ordre du jour — essai"
    root = pdf.trailer["/Root"]
    assert root["/Lang"] == "fr"
    assert root["/MarkInfo"]["/Marked"]
    assert "/StructTreeRoot" in root
    text = pdf.pages[0].extract_text()
    assert "<script>x</script>" in text  # autoescaped: shown as text, never interpreted
    assert "{#" not in text and "{%" not in text  # nothing of the template leaks into the page
    assert "Ville d’Arras" in text  # the running footer names the city, with the elision


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:9/x.png",
        "https://document.invalid/static/../../settings.py",
        "https://document.invalid/media/agents/secret.jpg",
    ],
)
def test_fetcher_refuses_everything_but_static_files(url):
    with pytest.raises(ValueError, match="not allowed"):
        StaticOnlyFetcher().fetch(url)


def test_fetcher_reads_the_print_stylesheet():
    response = StaticOnlyFetcher().fetch("https://document.invalid/static/css/print.css")
    assert b"@page" in response.read()


def test_production_hashed_static_names_are_found(settings, tmp_path):
    """With the manifest storage, {% static %} gives hashed names: documents keep their styles."""
    settings.STATIC_ROOT = tmp_path / "collected"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    settings.STATICFILES_DIRS = [
        settings.BASE_DIR / "static"
    ]  # the project's own files suffice here
    call_command("collectstatic", "--noinput", verbosity=0)
    from django.contrib.staticfiles.storage import staticfiles_storage

    hashed = staticfiles_storage.url("css/print.css")
    assert hashed != "/static/css/print.css"
    response = StaticOnlyFetcher().fetch("https://document.invalid" + hashed)
    assert b"@page" in response.read()


def test_guillemets_filter_binds_them_to_their_words():
    from django.template import Context, Template
    from django.utils.safestring import mark_safe

    from foundation.templatetags.typography import guillemets

    assert guillemets("une réunion « tenue »,\n« en\tretard »") == (
        "une réunion «\u00a0tenue\u00a0»,\n«\u00a0en\tretard\u00a0»"
    )
    template = Template("{% load typography %}{{ html|guillemets }} {{ text|guillemets }}")
    html = mark_safe("<em>« a »</em>")  # noqa: S308 (a constant)
    rendered = template.render(Context({"html": html, "text": "<b>« b »</b>"}))
    assert rendered == "<em>«\u00a0a\u00a0»</em> &lt;b&gt;«\u00a0b\u00a0»&lt;/b&gt;"


def test_the_fast_artifact_rewrite_equals_the_parsed_one(tmp_path, settings, monkeypatch):
    """Running headers and repeated table headers become artifacts the same way whether the
    marks are found in the bytes (the fast path) or by parsing the content streams."""
    from foundation import pdf as pdf_module
    from foundation import pdf_tags
    from tests.foundation.pdfua import assert_pdfua

    rows = "".join(f"<tr><td>Ligne {n}</td><td>{n}</td></tr>" for n in range(120))
    (tmp_path / "long.html").write_text(
        '{% extends "pdf/base.html" %}{% block title %}Essai{% endblock %}{% block content %}'
        '<h1 id="haut">Essai</h1><p><a href="#haut">Retour en haut</a></p>'
        "<table><caption>Un tableau long</caption>"
        '<thead><tr><th scope="col">Ligne</th><th scope="col">N°</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>{{% endblock %}}"
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]},
    ]
    raw: list[tuple[bytes, str]] = []
    monkeypatch.setattr(
        pdf_module, "repair_tags", lambda content, html: raw.append((content, html)) or content
    )
    render_pdf("long.html", {})
    content, html = raw[0]
    parsed_pages = []
    parse = pdf_tags._Repair._rewrite_instructions

    def counted(self, page, mcids):
        parsed_pages.append(page)
        return parse(self, page, mcids)

    monkeypatch.setattr(pdf_tags._Repair, "_rewrite_instructions", counted)
    fast = pdf_tags.repair_tags(content, html)
    assert parsed_pages == []  # WeasyPrint's streams read the expected way
    monkeypatch.setattr(pdf_tags._Repair, "_rewrite_marks", lambda self, page, mcids: False)
    parsed = pdf_tags.repair_tags(content, html)
    assert len(PdfReader(io.BytesIO(fast)).pages) >= 3
    fast_walk, parsed_walk = assert_pdfua(fast), assert_pdfua(parsed)
    assert fast_walk == parsed_walk
    assert [t["rows"] for t in fast_walk.tables] == [121]
