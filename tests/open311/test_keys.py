"""API keys: created in the admin (shown once, stored hashed), revocable, rate limited, journaled."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.urls import reverse

from arras_quartiers.models import AuditEvent
from open311.models import ApiKey, ServiceAttribute, Submission, WebhookDelivery, hash_key
from open311.services import api_key_create

BASE = "/open311/v2"


def test_admin_creates_a_key_shown_once_and_stored_hashed(as_role, ouest, sud):
    client = as_role("admin")
    response = client.post(
        reverse("admin:open311_apikey_add"),
        {"partner": "GRC de la ville", "quartiers": [ouest.pk, sud.pk], "webhook_url": ""},
        follow=True,
    )
    assert response.status_code == 200
    api_key = ApiKey.objects.get(partner="GRC de la ville")
    shown = (
        " ".join(str(m) for m in get_messages(response.wsgi_request)) or response.content.decode()
    )
    clear = next(word for word in shown.split() if word.startswith("o311_"))
    assert api_key.key_hash == hash_key(clear)
    assert clear not in str(ApiKey.objects.filter(pk=api_key.pk).values().get())
    assert set(api_key.quartiers.all()) == {ouest, sud}
    # The key works, and is not shown again on its page.
    assert client.get(f"{BASE}/requests.json", {"api_key": clear}).status_code == 200
    page = client.get(reverse("admin:open311_apikey_change", args=[api_key.pk]))
    assert clear.encode() not in page.content


def test_admin_revokes_keys(as_role, partner):
    api_key, clear = partner
    client = as_role("admin")
    client.post(
        reverse("admin:open311_apikey_changelist"),
        {"action": "revoke", "_selected_action": [api_key.pk]},
    )
    api_key.refresh_from_db()
    assert api_key.revoked_at is not None
    assert client.get(f"{BASE}/requests.json", {"api_key": clear}).status_code == 403


@pytest.mark.parametrize(
    "model", [ApiKey, ServiceAttribute, Submission, WebhookDelivery], ids=lambda m: m.__name__
)
def test_admin_pages_render(model, as_role, partner):
    assert model in admin.site._registry
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    assert as_role("admin").get(url).status_code == 200


def test_last_use_is_recorded(client, partner):
    api_key, clear = partner
    assert api_key.last_used_at is None
    client.get(f"{BASE}/services.json", {"api_key": clear})
    api_key.refresh_from_db()
    assert api_key.last_used_at is not None


def test_rate_limit_per_key(client, partner, settings):
    settings.OPEN311_RATE_LIMIT = (3, 60)
    api_key, clear = partner
    statuses = [
        client.get(f"{BASE}/requests.json", {"api_key": clear}).status_code for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    response = client.get(f"{BASE}/requests.json", {"api_key": clear})
    assert int(response["Retry-After"]) >= 1
    assert response.json()[0]["code"] == 429
    # Another key is not slowed down by this one.
    _, other = api_key_create(partner="Autre", quartiers=[])
    assert client.get(f"{BASE}/requests.json", {"api_key": other}).status_code == 200


def test_every_call_is_in_the_audit_journal(client, partner, django_capture_on_commit_callbacks):
    api_key, clear = partner
    with django_capture_on_commit_callbacks(execute=True):
        client.get(f"{BASE}/services.json")
        client.get(f"{BASE}/requests.xml", {"api_key": clear})
        client.get(f"{BASE}/requests.json", {"api_key": "faux"})
    events = list(AuditEvent.objects.filter(event="open311_call").order_by("pk"))
    assert [(e.details["endpoint"], e.details["status"]) for e in events] == [
        ("service_list", 200),
        ("requests", 200),
        ("requests", 403),
    ]
    assert events[1].actor_label == "Appli citoyenne"
    assert events[1].target_id == str(api_key.pk)
    assert events[1].path == "/open311/v2/requests.xml?api_key=%2A%2A%2A"
    assert clear not in str(list(AuditEvent.objects.values()))
