"""What the phone's offline queue (static/observations/offline.js) and the forms it replays share:
JSON answers when asked for them, the owner check, and the key that makes a resent form harmless.
Used by the observation form and by the walk note form (walks), which joins the same queue."""

from __future__ import annotations

import uuid

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.utils.translation import gettext as _


class QueueFields(forms.Form):
    """The hidden fields of a form the queue can replay: one key per submission (written by the
    page's script) and, for an item sent from the queue, the account that queued it."""

    idempotency_key = forms.UUIDField(required=False, widget=forms.HiddenInput)
    queued_for = forms.IntegerField(required=False, widget=forms.HiddenInput)


def wants_json(request) -> bool:
    """The queue sends with « Accept: application/json » and reads JSON back."""
    return "application/json" in request.headers.get("Accept", "")


def sent_key(request) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(request.POST.get("idempotency_key")))
    except ValueError:
        return None


def refuse_other_owner(request) -> JsonResponse | None:
    """An item queued on a shared phone under another account is never sent as this person:
    the refusal to answer (JSON for the queue), or None when the item is this person's."""
    queued_for = request.POST.get("queued_for", "")
    if not queued_for or queued_for == str(request.user.pk):
        return None
    message = _("Cette observation a été saisie sous un autre compte : elle n'est pas envoyée.")
    if wants_json(request):
        return JsonResponse({"message": message}, status=403)
    raise PermissionDenied(message)


def saved_json(observation, *, created: bool) -> JsonResponse:
    return JsonResponse(
        {"id": observation.pk, "url": observation.get_absolute_url(), "created": created},
        status=201 if created else 200,
    )


def refused_json(form) -> JsonResponse:
    """The form's errors in one sentence, for the queue to show beside the item it keeps."""
    parts = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = f"{field.label} : " if field is not None and field.label else ""
        parts.append(label + " ".join(errors))
    return JsonResponse(
        {"message": " ".join(parts), "errors": form.errors.get_json_data()}, status=400
    )
