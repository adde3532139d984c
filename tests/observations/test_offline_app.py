"""The installable app: the manifest and the service worker, served with their content types
to anyone (the browser fetches the manifest without cookies), under the site's own CSP."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse
from PIL import Image

from arras_quartiers import views


def test_manifest_in_french_with_icons_that_exist(client):
    response = client.get(reverse("manifest"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert data["name"] == "Équipes de quartier"
    assert data["lang"] == "fr"
    assert data["display"] == "standalone"
    assert data["start_url"] == "/"
    for icon in data["icons"]:
        path = finders.find(icon["src"].removeprefix(settings.STATIC_URL))
        with Image.open(path) as image:
            assert f"{image.width}x{image.height}" == icon["sizes"]
            assert image.format == "PNG"


def test_the_base_page_links_the_manifest(as_role):
    html = as_role("agent").get(reverse("home")).content.decode()
    assert f'<link rel="manifest" href="{reverse("manifest")}">' in html


def test_service_worker_served_at_the_root_uncached(client):
    if not views.SERVICE_WORKER.exists():
        pytest.skip("service worker not built (make assets)")
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    assert response["Service-Worker-Allowed"] == "/"
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert b"aq-pages" in body and b"aq-static" in body
    # Everything inlined: the worker never loads Workbox from a CDN.
    assert b"importScripts" not in body and b"googleapis" not in body
    assert "script-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.skipif(shutil.which("node") is None, reason="node is needed to parse the worker")
def test_service_worker_is_valid_javascript(tmp_path):
    if not views.SERVICE_WORKER.exists():
        pytest.skip("service worker not built (make assets)")
    subprocess.run(["node", "--check", str(views.SERVICE_WORKER)], check=True)


def test_no_service_worker_built_is_a_404(client, monkeypatch, tmp_path):
    monkeypatch.setattr(views, "SERVICE_WORKER", tmp_path / "missing.js")
    assert client.get("/sw.js").status_code == 404
