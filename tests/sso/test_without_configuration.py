"""Without OIDC_* in the environment (the default), nothing of the single sign-on shows.

The configured behaviour is proven in tests/e2e/test_sso_oidc.py, on an app started with the
settings in its environment and a real provider.
"""

from __future__ import annotations

from html.parser import HTMLParser

from django.urls import reverse

from arras_quartiers.models import PendingSignIn
from tests.teams.factories import PASSWORD


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[str] = []
        self.inputs: list[tuple[str, str]] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(attrs.get("action", ""))
        elif tag == "input":
            self.inputs.append((attrs.get("type", ""), attrs.get("name", "")))
        elif tag == "a":
            self.links.append(attrs.get("href", ""))


def test_login_page_is_the_password_form_only(client, db):
    response = client.get(reverse("account_login"))
    assert response.status_code == 200
    page = _Forms()
    page.feed(response.content.decode())
    assert page.forms == [reverse("account_login")]
    assert ("password", "password") in page.inputs
    assert ("email", "login") in page.inputs
    assert not any("oidc" in link or "secours" in link for link in page.links)
    assert "compte de la ville" not in response.content.decode()


def test_password_sign_in_works_as_before(client, personas):
    response = client.post(
        reverse("account_login"),
        {"login": "agent@test.example", "password": PASSWORD},
    )
    assert response.status_code == 302, response.content.decode()[:500]


def test_the_provider_urls_answer_404(client, db):
    url = reverse("openid_connect_login", kwargs={"provider_id": "ville"})
    assert client.post(url).status_code == 404


def test_pending_sign_ins_are_listed_for_the_administrators(as_role):
    PendingSignIn.objects.create(
        subject="abc", email="personne.inconnue@arras.test", name="Personne Inconnue"
    )
    client = as_role("admin")
    page = client.get(reverse("admin:arras_quartiers_pendingsignin_changelist"))
    assert page.status_code == 200
    assert "personne.inconnue@arras.test" in page.content.decode()
    client = as_role("chef")
    page = client.get(reverse("admin:arras_quartiers_pendingsignin_changelist"))
    assert page.status_code == 302
