"""Demo: one partner key (a fictitious citizen-report app) with a known value, and one extra field.

The key is public on purpose (README, « Open311 »): a demo only. Never load the demo in
production.
"""

from __future__ import annotations

from observations.models import Category
from open311 import services
from open311.models import ApiKey, ServiceAttribute, hash_key
from teams.models import Quartier

DEMO_KEY = "o311_demo-arras-signalements"
DEMO_PARTNER = "Signalements Arras (application citoyenne, démo)"


def load(stdout=None) -> None:
    if not ApiKey.objects.filter(key_hash=hash_key(DEMO_KEY)).exists():
        services.api_key_create(
            partner=DEMO_PARTNER, quartiers=Quartier.objects.all(), key=DEMO_KEY
        )
    voirie = Category.objects.filter(slug="voirie-eclairage").first()
    if voirie is not None:
        ServiceAttribute.objects.get_or_create(
            category=voirie,
            code="objet",
            defaults={
                "description": "Qu'est-ce qui est abîmé ?",
                "datatype": ServiceAttribute.Datatype.SINGLE,
                "order": 1,
                "values": [
                    {"key": "lampadaire", "name": "Lampadaire"},
                    {"key": "chaussee", "name": "Chaussée ou trottoir"},
                    {"key": "mobilier", "name": "Mobilier urbain"},
                ],
            },
        )
    if stdout is not None:
        stdout.write(f"Open311 : clé de démonstration {DEMO_KEY}")
