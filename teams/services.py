"""Writes for `teams`: each one atomic, each checked by `teams.access` before it is called."""

from __future__ import annotations

import datetime

from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from foundation.chunks import in_chunks
from foundation.images import sanitize_image
from teams.models import Agent, Membership, Quartier


@transaction.atomic
def membership_add(
    *, quartier: Quartier, agent: Agent, role: str, start_date: datetime.date
) -> Membership:
    if (
        Membership.objects.active(start_date)
        .filter(quartier=quartier, agent=agent, role=role)
        .exists()
    ):
        raise ValidationError(_("Cet agent fait déjà partie de l'équipe avec ce rôle."))
    return Membership.objects.create(
        quartier=quartier, agent=agent, role=role, start_date=start_date
    )


@transaction.atomic
def membership_end(*, membership: Membership, end_date: datetime.date | None = None) -> Membership:
    end_date = end_date or timezone.localdate()
    if end_date < membership.start_date:
        raise ValidationError(
            _("La date de fin ne peut pas précéder la date d'arrivée dans l'équipe.")
        )
    membership.end_date = end_date
    membership.save(update_fields=["end_date"])
    return membership


@transaction.atomic
def profile_update(*, agent: Agent, data: dict, photo=None, remove_photo: bool = False) -> Agent:
    for name, value in data.items():
        setattr(agent, name, value)
    if photo is not None:
        clean = sanitize_image(photo)
        if agent.photo:
            agent.photo.delete(save=False)
        agent.photo.save(f"agent-{agent.pk}.jpg", ContentFile(clean.thumbnail), save=False)
    elif remove_photo and agent.photo:
        agent.photo.delete(save=False)
    agent.full_clean()
    agent.save()
    return agent


@transaction.atomic
def agent_update(*, agent: Agent) -> Agent:
    """Save an account changed as a whole (the administration), rights included.

    Rights are read at each request, but an open session keeps its person signed in: a
    deactivated account loses its sessions in the same transaction.
    """
    was_active = Agent.objects.filter(pk=agent.pk).values_list("is_active", flat=True).first()
    agent.save()
    if was_active and not agent.is_active:
        agent_sessions_end(agent=agent)
    return agent


def agent_sessions_end(*, agent: Agent) -> int:
    """Delete every open session of an account (database sessions). Returns how many."""
    ended = 0
    pk = str(agent.pk)
    sessions = Session.objects.filter(expire_date__gt=timezone.now())
    for session in in_chunks(sessions):
        if session.get_decoded().get("_auth_user_id") == pk:
            session.delete()
            ended += 1
    return ended
