"""What observations do when a quartier's outline changes: the points it may have moved in or
out of every outline are flagged again, in the background (a city may have millions).

A signal, as for the generation counters (foundation.generations): `outside_outlines` is a
stored derivation of the outlines, and an outline is saved in `teams` (its admin), which may not
import observations. The receiver writes nothing itself: it asks for the task with the change.
"""

from __future__ import annotations

from foundation import outbox
from teams import geo
from teams.models import Quartier


def remember_outline(sender, instance: Quartier, update_fields=None, **kwargs) -> None:
    if instance.pk is None or (update_fields is not None and "outline" not in update_fields):
        return
    instance._outline_before = (  # type: ignore[attr-defined]
        Quartier.objects.filter(pk=instance.pk).values_list("outline", flat=True).first()
    )


def outline_saved(sender, instance: Quartier, created: bool, **kwargs) -> None:
    if created:
        before = None
    elif "_outline_before" in instance.__dict__:
        before = instance.__dict__.pop("_outline_before")
    else:
        return  # saved without its outline (update_fields)
    if before == instance.outline:
        return
    extents = [list(e) for e in (geo.extent([before]), geo.extent([instance.outline])) if e]
    outbox.enqueue("observations.tasks.refresh_outside_flags", instance.pk, extents)
