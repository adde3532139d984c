"""What a partner system reaches: the one place to read to know the rules.

| caller | reads | writes |
|---|---|---|
| no key | discovery, services and their definitions (the categories: nothing confidential) | nothing |
| active key | the non-confidential observations of the key's quartiers, whoever wrote them | new requests located in the key's quartiers |
| revoked or unknown key | as no key: 403 on everything that needs one | nothing |

Confidential observations never leave through this API, not even as a count. What is out of a
key's reach answers 404, as if it did not exist.
"""

from __future__ import annotations

from django.db.models import QuerySet

from observations.models import Observation
from open311.models import ApiKey, hash_key
from teams.models import Quartier


def key_from(raw: str | None) -> ApiKey | None:
    """The active key matching `raw`, or None."""
    if not raw:
        return None
    return ApiKey.objects.active().filter(key_hash=hash_key(raw)).first()


def quartiers_of(key: ApiKey) -> QuerySet[Quartier]:
    return Quartier.objects.filter(
        pk__in=ApiKey.quartiers.through.objects.filter(apikey_id=key.pk).values("quartier_id")
    )


def requests_visible_to(key: ApiKey) -> QuerySet[Observation]:
    """The observations `key` may read: non-confidential, in its quartiers."""
    return Observation.objects.citable().filter(
        quartier_id__in=ApiKey.quartiers.through.objects.filter(apikey_id=key.pk).values(
            "quartier_id"
        )
    )
