"""The offline queue's script says what the server translated: every text it asks for exists,
and the page of a signed-in person carries them (the CSP forbids inline scripts: JSON data)."""

import json
import re
from pathlib import Path

import pytest
from django.urls import reverse

from observations.offline import client_messages

SCRIPT = Path(__file__).resolve().parents[2] / "static" / "observations" / "offline.js"


def test_every_text_the_script_asks_for_is_translated_server_side():
    source = SCRIPT.read_text()
    asked = set(re.findall(r'\btext\("(\w+)"', source))
    asked |= set(re.findall(r'\bplural\([^,()]+(?:\.\w+)*, "(\w+)"\)', source))
    messages = client_messages()

    assert len(asked) > 10
    assert asked - set(messages) == set()
    for key in re.findall(r'\bplural\([^,()]+(?:\.\w+)*, "(\w+)"\)', source):
        singular, plural = messages[key]
        assert "%(n)s" in singular and "%(n)s" in plural and singular != plural


@pytest.mark.django_db
def test_the_page_of_a_signed_in_person_carries_the_texts(as_role, client):
    page = as_role("agent").get(reverse("observations:create")).content.decode()
    data = re.search(r'<script id="offline-messages" type="application/json">(.*?)</script>', page)

    assert data is not None
    assert json.loads(data.group(1))["sent"][1] == "%(n)s observations envoyées"


@pytest.mark.django_db
def test_no_texts_for_someone_signed_out(client):
    page = client.get(reverse("account_login")).content.decode()

    assert 'id="offline-messages"' not in page
