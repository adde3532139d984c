"""Writes of the API: keys, submitted requests (through `observations.services`), webhooks.

A request becomes an observation through `observation_create`, the form's own service: routed,
notified and recorded like any other. With a `media_url` it waits (a token answers) until a
worker has fetched and re-encoded the picture (`open311.media`), then is created with it, or
refused if the media is not a picture we can take.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from foundation import outbox
from foundation.images import CleanImage
from observations import geocoding
from observations.models import Category, Observation, StatusChange
from observations.services import atomic_with_files, observation_create
from open311 import permissions, selectors
from open311.models import ApiKey, Submission, WebhookDelivery, hash_key, new_key
from teams import geo
from teams.models import Quartier

MAX_DESCRIPTION = 4000
TITLE_LENGTH = 140
SIGNATURE_HEADER = "X-Open311-Signature"


class Refused(ValueError):
    """A request the spec's 400 answers; the message is for the partner (French)."""


# Keys ---------------------------------------------------------------------------------------


def api_key_issue(api_key: ApiKey, key: str | None = None) -> str:
    """Give an unsaved key its secrets; returns the clear key, shown once and never stored."""
    clear = key or new_key()
    api_key.key_hash = hash_key(clear)
    api_key.key_hint = clear[:10]
    api_key.webhook_secret = secrets.token_hex(32)
    return clear


@transaction.atomic
def api_key_create(
    *, partner: str, quartiers, webhook_url: str = "", key: str | None = None
) -> tuple[ApiKey, str]:
    """A new key for `partner` in `quartiers`, with its clear key (see `api_key_issue`)."""
    api_key = ApiKey(partner=partner, webhook_url=webhook_url)
    clear = api_key_issue(api_key, key)
    api_key.save()
    api_key.quartiers.set(quartiers)
    return api_key, clear


def api_key_revoke(*, api_key: ApiKey) -> None:
    ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def api_key_touch(*, api_key: ApiKey, now: datetime.datetime) -> None:
    ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)


# Submissions --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Location:
    quartier: Quartier
    latitude: Decimal | None
    longitude: Decimal | None
    place: str


def _coordinate(raw: str, name: str, bound: int) -> Decimal:
    try:
        value = Decimal(raw.strip())
    except InvalidOperation as error:
        raise Refused(_("%(name)s doit être un nombre décimal.") % {"name": name}) from error
    if not value.is_finite() or not -bound <= value <= bound:
        raise Refused(_("%(name)s est hors limites.") % {"name": name})
    return value


def locate(*, api_key: ApiKey, lat: str, long: str, address: str) -> Location:
    """The quartier of the key where the request lies (from lat/long, or the geocoded address)."""
    quartiers = list(permissions.quartiers_of(api_key).only("pk", "name", "outline"))
    address = " ".join(address.split())[:255]
    if lat or long:
        if not (lat and long):
            raise Refused(_("lat et long vont ensemble."))
        latitude = _coordinate(lat, "lat", 90)
        longitude = _coordinate(long, "long", 180)
    elif address:
        try:
            found = geocoding.search(address)
        except geocoding.GeocoderUnavailable:
            found = []
        if not found:
            if len(quartiers) == 1:  # one quartier in reach: it is there, without a point
                return Location(quartiers[0], None, None, address)
            raise Refused(
                _("Adresse introuvable : précisez lat et long (WGS 84) de l'emplacement.")
            )
        latitude, longitude = found[0].latitude, found[0].longitude
    else:
        raise Refused(_("Indiquez l'emplacement : lat et long, ou address_string."))
    for quartier in quartiers:
        if geo.contains(quartier.outline, longitude, latitude):
            place = (
                address or f"{geo.round_coordinate(latitude)}, {geo.round_coordinate(longitude)}"
            )
            return Location(quartier, latitude, longitude, place)
    raise Refused(_("L'emplacement n'est dans aucun des quartiers ouverts à cette clé."))


def _describe(description: str, answers: list[tuple[str, str]], partner: str) -> str:
    lines = [description.strip()] if description.strip() else []
    lines += [f"{question} : {answer}" for question, answer in answers]
    lines.append(_("Transmise par %(partner)s (Open311).") % {"partner": partner})
    return "\n\n".join(lines)


def check_attributes(category: Category, given: dict[str, str]) -> list[tuple[str, str]]:
    """The answers to the category's extra fields, as (question, answer); required ones checked."""
    answers = []
    for attribute in selectors.attributes_of(category):
        value = given.get(attribute.code, "").strip()
        if not value:
            if attribute.required:
                raise Refused(
                    _("Champ obligatoire manquant : attribute[%(code)s].")
                    % {"code": attribute.code}
                )
            continue
        if attribute.values:
            keys = {str(v.get("key")): str(v.get("name")) for v in attribute.values}
            chosen = value.split(",") if attribute.datatype == "multivaluelist" else [value]
            if not set(chosen) <= set(keys):
                raise Refused(
                    _("Valeur inconnue pour attribute[%(code)s].") % {"code": attribute.code}
                )
            value = ", ".join(keys[c] for c in chosen)
        answers.append((attribute.description, value[:500]))
    return answers


@transaction.atomic
def submission_create(
    *,
    api_key: ApiKey,
    category: Category,
    location: Location,
    description: str,
    answers: list[tuple[str, str]],
    media_url: str = "",
) -> Submission:
    """Record the request; create its observation now, or once its media is fetched."""
    description = description.strip()[:MAX_DESCRIPTION]
    first_line = description.splitlines()[0] if description else ""
    title = (first_line or category.name)[:TITLE_LENGTH]
    payload = {
        "quartier": location.quartier.pk,
        "category": category.pk,
        "title": title,
        "place": location.place or location.quartier.name,
        "description": _describe(description, answers, api_key.partner),
        "latitude": str(location.latitude) if location.latitude is not None else None,
        "longitude": str(location.longitude) if location.longitude is not None else None,
    }
    submission = Submission.objects.create(api_key=api_key, payload=payload, media_url=media_url)
    if media_url:
        outbox.enqueue("open311.tasks.complete_submission", submission.pk)
    return submission


@atomic_with_files
def submission_complete(*, submission: Submission, photos: list[CleanImage]) -> Submission | None:
    """Create the observation of a pending submission (once: the row is locked and checked)."""
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if submission.state != Submission.State.PENDING:
        return None
    data = submission.payload
    observation = observation_create(
        author=None,
        quartier=Quartier.objects.get(pk=data["quartier"]),
        category=Category.objects.get(pk=data["category"]),
        title=data["title"],
        place=data["place"],
        description=data["description"],
        latitude=data["latitude"],
        longitude=data["longitude"],
        photos=photos,
    )
    submission.observation = observation
    submission.state = Submission.State.DONE
    submission.save(update_fields=["observation", "state"])
    return submission


def submission_refuse(*, submission: Submission, reason: str) -> None:
    Submission.objects.filter(pk=submission.pk, state=Submission.State.PENDING).update(
        state=Submission.State.REFUSED, error=reason[:500]
    )


def submit(
    *,
    api_key: ApiKey,
    category: Category,
    location: Location,
    description: str,
    answers: list[tuple[str, str]],
    media_url: str = "",
) -> Submission:
    """The POST: without media the observation exists when this returns; with media, later."""
    submission = submission_create(
        api_key=api_key, category=category, location=location, description=description,
        answers=answers, media_url=media_url,
    )  # fmt: skip
    if not media_url:
        try:
            completed = submission_complete(submission=submission, photos=[])
        except ValidationError as error:
            submission_refuse(submission=submission, reason=" ".join(error.messages))
            raise Refused(" ".join(error.messages)) from error
        assert completed is not None  # noqa: S101 - created just above, pending
        submission = completed
    return submission


# Webhooks -----------------------------------------------------------------------------------


def sign(secret: str, body: bytes) -> str:
    """The value of `SIGNATURE_HEADER`: "sha256=" and the hex HMAC-SHA256 of the body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_body(delivery: WebhookDelivery) -> bytes:
    """The request as GET requests/{id} shows it, its token, and the delivery's id (for replays)."""
    data = {**delivery.payload, "delivery_id": delivery.pk}
    return json.dumps(data, ensure_ascii=False, sort_keys=True).encode()


def status_changed(status_change: StatusChange) -> WebhookDelivery | None:
    """Queue the POST of a status change to the webhook of the key that submitted the observation.

    Called (post_save of `StatusChange`, see apps.py) in the transaction of the change: the
    delivery and its outbox row commit with it, or not at all.
    """
    if not status_change.from_status or status_change.from_status == status_change.to_status:
        return None  # the creation (the partner knows), or a note that changes nothing
    submission = (
        Submission.objects.filter(
            observation_id=status_change.observation_id, api_key__revoked_at__isnull=True
        )
        .exclude(api_key__webhook_url="")
        .select_related("api_key")
        .first()
    )
    if submission is None:
        return None
    observation = selectors.with_details(Observation.objects.all()).get(
        pk=status_change.observation_id
    )
    # The history row is written before the observation's new status: show the change's.
    observation.status = status_change.to_status
    observation.closing_reason = status_change.closing_reason
    observation.updated_at = status_change.changed_at
    payload = selectors.request_data(observation)
    if observation.is_confidential:
        # Made confidential since (a social situation): the partner hears of the status only.
        payload.update(description="", address="", agency_responsible="", lat=None, long=None)
    payload["token"] = str(submission.token)
    delivery = WebhookDelivery.objects.create(
        api_key=submission.api_key,
        observation_id=observation.pk,
        url=submission.api_key.webhook_url,
        payload=payload,
    )
    outbox.enqueue("open311.tasks.deliver_webhook", delivery.pk)
    return delivery


def webhook_resend(*, delivery: WebhookDelivery) -> bool:
    """Send a failed delivery again (the admin's action)."""
    with transaction.atomic():
        updated = WebhookDelivery.objects.filter(
            pk=delivery.pk, state=WebhookDelivery.State.FAILED
        ).update(state=WebhookDelivery.State.PENDING, attempts=0, last_error="")
        if updated:
            outbox.enqueue("open311.tasks.deliver_webhook", delivery.pk)
    return bool(updated)
