"""What the phone's offline queue (static/observations/offline.js) and the forms it replays share:
JSON answers when asked for them, the owner check, and the key that makes a resent form harmless.
Used by the observation form and by the walk note form (walks), which joins the same queue."""

from __future__ import annotations

import uuid

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


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


def client_messages() -> dict[str, str | list[str]]:
    """What the queue's script says to the person, translated here like every other text of the
    app and handed to the script in the page (json_script: the CSP allows no inline script).
    A count's text comes in both forms, singular then plural, with « %(n)s » for the number; the
    script picks the plural above one (French). Written as ngettext calls so that makemessages
    finds them."""
    return {
        "refused": _("Refusée par le serveur."),
        "refused_here": _(
            "Refusée : vous ne pouvez plus signaler d'observation ici. Supprimez-la ou modifiez "
            "le quartier."
        ),
        "photos_kept": [
            ngettext(
                "%(n)s photo gardée : en choisir d'autres la remplace.",
                "%(n)s photos gardées : en choisir d'autres les remplace.",
                n,
            )
            for n in (1, 2)
        ],
        "storage_full": _(
            "Impossible de garder l'observation sur ce téléphone (mémoire pleine ?)."
        ),
        "untitled": _("(sans titre)"),
        "kept_on": _("gardée le %(when)s"),
        "photos": [ngettext("%(n)s photo", "%(n)s photos", n) for n in (1, 2)],
        "no_photo": _("sans photo"),
        "refused_because": _("Refusée par le serveur : %(reason)s"),
        "walk": _("Diagnostic en marchant"),
        "edit": _("Modifier « %(title)s »"),
        "delete": _("Supprimer « %(title)s »"),
        "untitled_label": _("sans titre"),
        "confirm_delete": _(
            "Supprimer cette observation de ce téléphone ? Elle ne sera pas envoyée."
        ),
        "deleted": _("Observation supprimée de ce téléphone."),
        "sent": [
            ngettext("%(n)s observation envoyée", "%(n)s observations envoyées", n) for n in (1, 2)
        ],
        "refused_count": [
            ngettext("%(n)s refusée : voir le motif", "%(n)s refusées : voir les motifs", n)
            for n in (1, 2)
        ],
        "no_answer": _("le serveur ne répond pas : nouvel essai au retour du réseau"),
        "confirm_logout": [
            ngettext(
                "%(n)s observation n'est pas encore envoyée : elle sera effacée de ce téléphone. "
                "Se déconnecter quand même ?",
                "%(n)s observations ne sont pas encore envoyées : elles seront effacées de ce "
                "téléphone. Se déconnecter quand même ?",
                n,
            )
            for n in (1, 2)
        ],
    }
