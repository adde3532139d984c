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


@pytest.mark.parametrize("role", ["agent", "chef", "responsable", "direction", "elu", "outsider"])
def test_queue_page_is_a_shell_read_by_the_phone(role, as_role, django_assert_num_queries):
    """The page holds nothing of the server's: the queue lives in the browser. Every role may
    open it (each sees only their own items), with no query beyond the signed-in base."""
    from tests.observations.test_query_counts import BASE

    client = as_role(role)
    with django_assert_num_queries(BASE):
        response = client.get(reverse("observations:pending"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="pending-list"' in html and "data-offline-page" in html


def test_queue_page_asks_to_sign_in(client):
    response = client.get(reverse("observations:pending"))
    assert response.status_code == 302 and "/comptes/login/" in response.url


def test_the_form_carries_a_key_field_for_the_page_to_fill(as_role):
    html = as_role("agent").get(reverse("observations:create")).content.decode()
    assert 'data-offline-form="observation"' in html
    assert 'name="idempotency_key"' in html
    assert "vendor/idb/umd.js" in html and "observations/offline.js" in html


@pytest.mark.parametrize("role", ["agent", "chef", "responsable", "direction", "elu", "outsider"])
def test_the_page_shown_with_no_network_is_a_shell_kept_with_the_queue(
    role, as_role, django_assert_num_queries
):
    """« Pas de réseau »: what the worker shows in place of a page it did not keep. Every role
    may open it, with no query beyond the signed-in base; every page tells the phone to keep it
    (body data-offline-url, read by offline.js), and the worker shows it from that cache."""
    from tests.observations.test_query_counts import BASE

    client = as_role(role)
    url = reverse("observations:offline")
    with django_assert_num_queries(BASE):
        response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Pas de réseau" in html and "data-offline-page" in html
    assert reverse("observations:pending") in html
    from observations.permissions import quartiers_for_logging

    logs = quartiers_for_logging(response.wsgi_request.user).exists()
    assert (reverse("observations:create") in html.split("<main", 1)[1]) == logs
    assert f'data-offline-url="{url}"' in client.get(reverse("home")).content.decode()
    if views.SERVICE_WORKER.exists():
        worker = views.SERVICE_WORKER.read_text()
        assert f'match("{url}"' in worker and "handlerDidError" in worker
