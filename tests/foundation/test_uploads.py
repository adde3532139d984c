"""A request larger than the bound is refused before its body is read, with a French page."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.urls import reverse

from observations.models import Observation


class UnreadBody(io.BytesIO):
    """A request body that records whether anything read it."""

    read_at_all = False

    def read(self, *args):
        UnreadBody.read_at_all = True
        return super().read(*args)

    def readline(self, *args):
        UnreadBody.read_at_all = True
        return super().readline(*args)


@pytest.mark.django_db
def test_an_oversized_request_is_refused_unread(as_role):
    client = as_role("agent")
    UnreadBody.read_at_all = False
    announced = settings.MAX_REQUEST_BYTES + 1
    response = client.generic(
        "POST",
        reverse("observations:create"),
        data=b"",
        content_type="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(announced),
        **{"wsgi.input": UnreadBody(b"--xyz--")},
    )
    assert response.status_code == 413
    page = response.content.decode()
    assert "Envoi trop volumineux" in page and "55 Mo" in page
    assert not UnreadBody.read_at_all
    assert not Observation.objects.exists()


@pytest.mark.django_db
def test_a_request_within_the_bound_reaches_the_form(as_role):
    response = as_role("agent").post(reverse("observations:create"), {"title": ""})
    assert response.status_code == 200  # the form again, with its errors
