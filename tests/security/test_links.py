"""A role is never shown a link it cannot open.

Each persona signs in and walks the site as a person does, from the home page, following every
internal link of every page it reaches (one page per view, so the walk stays bounded): every
link shown must open. A link that answers 404 or 403 is a dead end the page should not offer to
that role (the responsable de service was once sent from his pages to the « phénomènes
émergents » of quartiers he does not read).
"""

from __future__ import annotations

from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from django.urls import Resolver404, resolve

from tests.security.test_url_scoping import sud_world  # noqa: F401 - the Sud world fixture
from tests.teams.factories import ROLES

#: Links that change state or end the walk, not pages to read.
NOT_FOLLOWED = {"account_logout", "meetings:feed_revoke", "meetings:feed_renew"}
#: Pages of one view walked at most (filters and pages of a list are the same view).
PER_VIEW = 2


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def internal_links(html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    links = []
    for href in parser.hrefs:
        url = urldefrag(href).url
        parts = urlsplit(url)
        if not url or parts.scheme or parts.netloc or not url.startswith("/"):
            continue  # mailto:, tel:, other sites, anchors in the page
        links.append(url)
    return links


def view_name(url: str) -> str | None:
    try:
        return resolve(urlsplit(url).path).view_name
    except Resolver404:
        return None


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_every_link_a_role_is_shown_opens(client, personas, sud_world, ouest, role):  # noqa: F811
    client.force_login(personas[role])
    client.raise_request_exception = False
    seen_per_view: dict[str, int] = {}
    visited: set[str] = set()
    queue = deque([("/", "(start)")])
    dead_ends = []
    while queue:
        url, found_on = queue.popleft()
        if url in visited:
            continue
        visited.add(url)
        name = view_name(url)
        if name in NOT_FOLLOWED or (name or "").startswith("admin:"):
            continue
        if seen_per_view.get(name or url, 0) >= PER_VIEW:
            continue
        seen_per_view[name or url] = seen_per_view.get(name or url, 0) + 1
        response = client.get(url)
        if response.status_code in (301, 302, 303):
            continue  # a redirect to a page of its own (checked when linked)
        if response.status_code != 200:
            dead_ends.append(f"{url} ({name}) -> {response.status_code}, linked from {found_on}")
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        for link in internal_links(response.content.decode()):
            queue.append((link, url))
    assert len(visited) > 10  # the walk went somewhere
    assert not dead_ends, f"{role} is shown links it cannot open:\n" + "\n".join(dead_ends)
