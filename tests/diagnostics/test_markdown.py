import pytest
from django.urls import reverse

from diagnostics import services
from diagnostics.text import render_markdown

pytestmark = pytest.mark.django_db


def test_scripts_handlers_and_styles_are_removed():
    html = render_markdown(
        "**Fort** <script>alert('x')</script> <img src=x onerror=alert(1)> "
        '<a href="javascript:alert(1)">lien</a> <span style="color:red">rouge</span>'
    )
    assert "<strong>Fort</strong>" in html
    for forbidden in ("<script", "alert('x')", "onerror", "javascript:", "style=", "<img"):
        assert forbidden not in html


def test_headings_never_outrank_the_page():
    assert render_markdown("# Titre\n\n## Sous-titre") == "<h3>Titre</h3>\n<h3>Sous-titre</h3>"


def test_the_page_shows_sanitized_text(as_role, ouest_draft, personas):
    section = ouest_draft.sections.get(kind="synthese")
    services.section_update(
        section=section, body="Bilan <script>alert(1)</script> **positif**", by=personas["chef"]
    )
    response = as_role("chef").get(reverse("diagnostics:detail", args=[ouest_draft.pk]))
    assert b"<strong>positif</strong>" in response.content
    assert b"<script>alert(1)</script>" not in response.content
