"""Every observations model is in the admin, and its pages render."""

import pytest
from django.contrib import admin
from django.urls import reverse

from observations import models
from observations.models import NeedType, Orientation

MODELS = [
    models.Category, models.Observation, models.Photo, models.StatusChange, models.Comment,
    models.Escalation, models.EscalationDigest, models.Notification, models.NeedType, models.Orientation,
]  # fmt: skip


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_admin_pages_render(model, as_role, personas, world, services):
    assert model in admin.site._registry
    Orientation.objects.create(
        quartier=world["pub_ouest"].quartier,
        need=NeedType.objects.first(),
        service=services["ccas"],
    )
    client = as_role("admin")
    opts = model._meta
    assert (
        client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")).status_code
        == 200
    )
    instance = model.objects.first()
    if instance is not None:
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[instance.pk])
        assert client.get(url).status_code == 200
