"""Access matrix of the API: who (no key, a revoked key, a key of Ouest) reaches what, and a
canary: a confidential observation's words never leave through any endpoint or format, even
for a key of its quartier, nor through a webhook."""

from __future__ import annotations

import pytest
from django.utils import timezone

from observations import services as observation_services
from observations.models import Observation
from open311 import services
from open311.models import Submission, WebhookDelivery
from tests.open311.conftest import IN_OUEST

BASE = "/open311/v2"
CANARY = "Kanariopen"

# endpoint -> (needs a key, what a key of Ouest gets for an object of Sud)
MATRIX = {
    "discovery": (False, None),
    "services": (False, None),
    "services/proprete": (False, None),
    "requests": (True, None),
    "requests/{sud}": (True, 404),
    "requests/{secret}": (True, 404),
    "tokens/{sud_token}": (True, 404),
}


@pytest.fixture
def world(partner, personas, ouest, sud):
    from tests.observations.factories import make_observation

    secret = make_observation(
        ouest, personas["chef"], title=f"{CANARY} titre", place=f"{CANARY} lieu",
        description=f"{CANARY} description", category="social-precarite",
        confidentiality=Observation.Confidentiality.CONFIDENTIAL,
    )  # fmt: skip
    public_sud = make_observation(sud, personas["outsider"], title="Tags")
    other_key, _ = services.api_key_create(partner="Sud seulement", quartiers=[sud])
    sud_submission = Submission.objects.create(api_key=other_key, payload={})
    return {"secret": secret, "sud": public_sud, "sud_token": sud_submission.token}


def _url(endpoint: str, world: dict, fmt: str) -> str:
    ids = {name: getattr(value, "pk", value) for name, value in world.items()}
    return f"{BASE}/{endpoint.format(**ids)}.{fmt}"


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("endpoint", list(MATRIX))
def test_matrix(client, partner, world, endpoint, fmt):
    needs_key, sud_status = MATRIX[endpoint]
    api_key, clear = partner
    url = _url(endpoint, world, fmt)
    assert client.get(url).status_code == (403 if needs_key else 200)
    assert client.get(url, {"api_key": "inconnue"}).status_code == 403
    assert client.get(url, {"api_key": clear}).status_code == (sud_status or 200)
    api_key.revoked_at = timezone.now()
    api_key.save()
    assert client.get(url, {"api_key": clear}).status_code == 403


def test_a_signed_in_person_without_key_reads_no_request(as_role, world):
    for role in ("admin", "chef", "agent"):
        client = as_role(role)
        assert client.get(f"{BASE}/requests.json").status_code == 403
        assert client.get(f"{BASE}/requests/{world['sud'].pk}.json").status_code == 403


def test_canary_never_leaves(client, partner, world, personas, django_capture_on_commit_callbacks):
    api_key, clear = partner
    secret = world["secret"]
    # Even if a partner had submitted it and it became confidential: no webhook.
    Submission.objects.create(api_key=api_key, payload={}, observation=secret, state="done")
    api_key.webhook_url = "http://127.0.0.1:9/hook"
    api_key.save()
    answers = []
    for fmt in ("json", "xml"):
        answers.extend(
            client.get(f"{BASE}/{endpoint}.{fmt}", {"api_key": clear})
            for endpoint in ("discovery", "services", "services/social-precarite", "requests")
        )
        answers.append(
            client.get(
                f"{BASE}/requests.{fmt}", {"api_key": clear, "service_request_id": secret.pk}
            )
        )
        answers.append(client.get(f"{BASE}/requests/{secret.pk}.{fmt}", {"api_key": clear}))
        answers.append(
            client.get(
                f"{BASE}/requests.{fmt}", {"api_key": clear, "service_code": "social-precarite"}
            )
        )
    assert answers[5].status_code == answers[12].status_code == 404  # its detail
    for response in answers:
        assert response.status_code in (200, 404)
        assert CANARY.encode() not in response.content
    with django_capture_on_commit_callbacks(execute=False):
        observation_services.observation_set_status(
            observation=secret, by=personas["chef"], status=Observation.Status.CLOSED,
            closing_reason=Observation.ClosingReason.NO_FOLLOW_UP,
        )  # fmt: skip
    for delivery in WebhookDelivery.objects.all():
        assert CANARY not in str(delivery.payload)


def test_posting_in_another_quartier_is_refused(client, key, world):
    # The key is Ouest's: a point of Sud is a 400, not an observation of Sud.
    response = client.post(
        f"{BASE}/requests.json",
        {"api_key": key, "service_code": "proprete", "lat": "50.29", "long": "2.77"},
    )
    assert response.status_code == 400
    lat, long = IN_OUEST
    assert (
        client.post(
            f"{BASE}/requests.json",
            {"api_key": key, "service_code": "proprete", "lat": lat, "long": long},
        ).status_code
        == 200
    )
