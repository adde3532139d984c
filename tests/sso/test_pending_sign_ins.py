"""The administrators are told when the city's provider signs in someone no agent matches.

The whole path (a real provider, the app in its own process) is walked in
tests/e2e/test_sso_oidc.py; here the refusal the adapter makes is run in-process to read the
letter itself.
"""

from __future__ import annotations

import re
from html import unescape

import pytest
from allauth.core.exceptions import ImmediateHttpResponse
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse

from arras_quartiers.models import PendingSignIn
from arras_quartiers.sso import SocialAccountAdapter
from foundation.models import MailDelivery
from teams.models import Agent
from tests.teams.factories import make_agent

CLAIMS = {
    "sub": "abc-123",
    "email": "Personne.Inconnue@arras.test",
    "email_verified": True,
    "name": "Personne Inconnue",
}


def _refuse(claims: dict) -> None:
    request = RequestFactory().get("/comptes/oidc/ville/login/callback/")
    request.session = SessionStore()
    request.user = AnonymousUser()
    with pytest.raises(ImmediateHttpResponse) as answer:
        SocialAccountAdapter()._refuse(request, claims)
    assert answer.value.response["Location"] == reverse("sso_not_attached")


def test_the_administrators_are_emailed_once_per_person(
    personas, django_capture_on_commit_callbacks
):
    make_agent("ancien.admin@test.example", is_superuser=True, is_staff=True, is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        _refuse(CLAIMS)
    (letter,) = mail.outbox
    assert letter.to == ["admin@test.example"]  # active superusers only
    assert "personne.inconnue@arras.test" in letter.subject
    assert "Personne Inconnue" in letter.body
    assert reverse("admin:arras_quartiers_pendingsignin_changelist") in letter.body
    assert "ne garantit pas" not in letter.body
    assert MailDelivery.objects.get().state == MailDelivery.State.SENT
    # The same person trying again: counted, not mailed again.
    with django_capture_on_commit_callbacks(execute=True):
        _refuse(CLAIMS)
    assert len(mail.outbox) == 1
    assert PendingSignIn.objects.get().attempts == 2


def test_an_unverified_address_is_flagged_in_the_letter(
    personas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _refuse({**CLAIMS, "email_verified": False})
    (letter,) = mail.outbox
    assert "ne garantit pas cette adresse" in letter.body


def test_an_entry_dealt_with_before_the_letter_leaves_sends_nothing(
    personas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as pending:
        _refuse(CLAIMS)
    PendingSignIn.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        for callback in pending:
            callback()
    assert mail.outbox == []
    assert not MailDelivery.objects.exists()


def test_the_entry_leads_to_the_agent_to_create_or_correct(as_role):
    PendingSignIn.objects.create(
        subject="abc-123", email="personne.inconnue@arras.test", name="Paule Inconnue"
    )
    client = as_role("admin")
    listing = client.get(reverse("admin:arras_quartiers_pendingsignin_changelist"))
    links = dict(
        (unescape(text), unescape(href))
        for href, text in re.findall(r'<a href="([^"]+)">([^<]+)</a>', listing.content.decode())
    )
    add = client.get(links["Créer l'agent"]).content.decode()
    assert 'value="personne.inconnue@arras.test"' in add
    assert 'value="Paule"' in add and 'value="Inconnue"' in add
    make_agent("paule.inconnue@ville.test", first_name="Paule", last_name="Inconnue")
    found = client.get(links["Chercher un agent de ce nom"]).content.decode()
    assert "paule.inconnue@ville.test" in found


def test_an_agent_is_created_without_a_password_to_sign_in_through_the_provider(as_role):
    client = as_role("admin")
    url = reverse("admin:teams_agent_add")
    assert 'name="usable_password"' in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "email": "paule.inconnue@arras.test",
            "first_name": "Paule",
            "last_name": "Inconnue",
            "usable_password": "false",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    agent = Agent.objects.get(email="paule.inconnue@arras.test")
    assert not agent.has_usable_password()
