"""Status changes of a partner's requests POSTed to its webhook, signed, retried, resendable."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from django.urls import reverse

from observations import services as observation_services
from observations.models import Observation
from open311 import services
from open311.models import WebhookDelivery
from tests.open311 import spec
from tests.open311.conftest import IN_OUEST
from tests.tools.local_http import local_server

BASE = "/open311/v2"


@pytest.fixture
def submitted(client, partner, personas):
    api_key, clear = partner
    lat, long = IN_OUEST
    response = client.post(
        f"{BASE}/requests.json",
        {"api_key": clear, "service_code": "proprete", "lat": lat, "long": long},
    )
    return Observation.objects.get(pk=int(response.json()[0]["service_request_id"]))


def _close(observation, by):
    observation_services.observation_set_status(
        observation=observation, by=by, status=Observation.Status.CLOSED,
        closing_reason=Observation.ClosingReason.NO_FOLLOW_UP,
    )  # fmt: skip


def test_status_change_is_posted_signed(
    partner, submitted, personas, django_capture_on_commit_callbacks
):
    api_key, _ = partner
    with local_server() as server:
        api_key.webhook_url = f"{server.url}/hook"
        api_key.save()
        with django_capture_on_commit_callbacks(execute=True):
            _close(submitted, personas["chef"])
    (received,) = server.requests
    assert received.method == "POST"
    assert received.path == "/hook"
    expected = hmac.new(api_key.webhook_secret.encode(), received.body, hashlib.sha256).hexdigest()
    assert received.headers["X-Open311-Signature"] == f"sha256={expected}"
    body = json.loads(received.body)
    delivery = WebhookDelivery.objects.get()
    assert body.pop("delivery_id") == delivery.pk
    assert body.pop("token") == str(submitted.open311_submission.token)
    spec.check_json(spec.REQUEST, body)
    assert body["status"] == "closed"
    assert body["service_request_id"] == str(submitted.pk)
    assert delivery.state == WebhookDelivery.State.DELIVERED


def test_no_webhook_for_other_observations_or_without_url(
    partner, submitted, personas, ouest, django_capture_on_commit_callbacks
):
    from tests.observations.factories import make_observation

    other = make_observation(ouest, personas["agent"])
    with django_capture_on_commit_callbacks(execute=True):
        _close(other, personas["chef"])
        _close(submitted, personas["chef"])  # its key has no webhook URL
    assert not WebhookDelivery.objects.exists()


def test_failing_webhook_is_retried_then_failed_visibly_and_resent(
    partner, submitted, personas, as_role, django_capture_on_commit_callbacks
):
    api_key, _ = partner
    with local_server() as server:
        server.status = 500
        api_key.webhook_url = f"{server.url}/hook"
        api_key.save()
        with django_capture_on_commit_callbacks(execute=True):
            _close(submitted, personas["chef"])
        delivery = WebhookDelivery.objects.get()
        assert delivery.state == WebhookDelivery.State.FAILED
        assert delivery.attempts == len(server.requests) == 6  # first try and 5 retries
        assert delivery.last_error == "HTTP 500"
        client = as_role("admin")
        page = client.get(reverse("admin:open311_webhookdelivery_changelist"), {"state": "failed"})
        assert b"HTTP 500" in page.content
        server.status = 200
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                reverse("admin:open311_webhookdelivery_changelist"),
                {"action": "resend", "_selected_action": [delivery.pk]},
            )
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.DELIVERED
    assert len(server.requests) == 7


def test_signature_helper_matches_the_documented_header(partner):
    api_key, _ = partner
    assert services.sign("s3cret", b"{}") == (
        "sha256=" + hmac.new(b"s3cret", b"{}", hashlib.sha256).hexdigest()
    )
