"""The map's and the form position's scripts say what the server translated: no French text is
written in the scripts, every text they ask for exists, and the pages carry them as JSON data
(the CSP forbids inline scripts)."""

import json
import re
from pathlib import Path

import pytest
from django.urls import reverse

from observations.maps import map_messages, position_messages

STATIC = Path(__file__).resolve().parents[2] / "static" / "observations"
SCRIPTS = {
    "map.js": map_messages,
    "observation-form.js": position_messages,
    "address-search.js": position_messages,
}
FRENCH = re.compile(r"""["'][^"'\n]*[a-zà-ÿ]+ [^"'\n]*[éèêàùçôî«»][^"'\n]*["']""")


def _asked(source: str) -> tuple[set[str], set[str]]:
    calls = re.findall(r"\bT\.(text|plural)\(([^;]*?)\)(?:[;,}\s]|$)", source)
    texts = {key for kind, args in calls if kind == "text" for key in re.findall(r'"(\w+)"', args)}
    plurals = {
        key for kind, args in calls if kind == "plural" for key in re.findall(r'"(\w+)"', args)
    }
    return texts, plurals


@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_the_script_writes_no_french_and_asks_for_texts_that_exist(script):
    source = "\n".join(
        line
        for line in (STATIC / script).read_text().splitlines()
        if not line.strip().startswith("//")
    )
    assert not FRENCH.findall(source), "a text written in the script: translate it server-side"
    texts, plurals = _asked(source)
    messages = SCRIPTS[script]()
    assert texts | plurals and (texts | plurals) - set(messages) == set()
    assert all(isinstance(messages[key], str) for key in texts)
    for key in plurals:
        singular, plural = messages[key]
        assert "%(n)s" in plural and singular != plural


def _json(page: str, name: str) -> dict:
    found = re.search(rf'<script id="{name}" type="application/json">(.*?)</script>', page)
    assert found is not None, name
    return json.loads(found.group(1))


@pytest.mark.django_db
def test_the_pages_carry_the_texts(as_role, ouest):
    client = as_role("chef")
    form = client.get(reverse("observations:create")).content.decode()
    assert _json(form, "position-messages")["removed"] == "Position retirée."
    listing = client.get(reverse("observations:map")).content.decode()
    count = _json(listing, "map-config")["messages"]["count"]
    assert count == [
        "%(n)s observation avec un point dans la zone affichée.",
        "%(n)s observations avec un point dans la zone affichée.",
    ]
    quartier = client.get(reverse("teams:quartier_detail", args=[ouest.slug])).content.decode()
    assert _json(quartier, "quartier-map-config")["messages"]["failed"]
