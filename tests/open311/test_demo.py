"""The demo's partner key works as documented in the README (idempotent load)."""

from __future__ import annotations

from open311 import demo
from open311.models import ApiKey

BASE = "/open311/v2"


def test_demo_key_reads_and_load_is_idempotent(client, ouest, sud):
    demo.load()
    demo.load()
    assert ApiKey.objects.count() == 1
    response = client.get(f"{BASE}/requests.json", {"api_key": demo.DEMO_KEY})
    assert response.status_code == 200
    definition = client.get(f"{BASE}/services/voirie-eclairage.json").json()
    assert definition["attributes"][0]["code"] == "objet"
