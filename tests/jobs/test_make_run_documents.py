"""Every kind of document, requested over HTTP from the app as `make run` runs it.

No broker, default settings, the Arras demo loaded by `manage.py loaddemo`, the development
server in its own process: nothing of the app is imported by this test to make it work (the
monthly digest once answered 500 there, because nothing had imported its task). Each document
is requested as its user does, through the page's form, then downloaded from the link the page
shows, and read by poppler.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.commands import manage
from tests.poppler import pdf_text

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "quartiers-demo"  # the demo's documented password (README)
CHEF = "claire.vasseur@arras.example"
COMITE = "anne.verhaeghe@arras.example"

pytestmark = pytest.mark.skipif(
    not shutil.which("pdftotext") and not os.environ.get("CI"), reason="needs poppler-utils"
)


def make_run_env(var: Path) -> dict[str, str]:
    """The environment of `make run` on a laptop: DEBUG=1 and nothing else of the project's."""
    drop = {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "TESTING", "MEDIA_ROOT", "CI"}
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("DJANGO_")}
    env.update(DEBUG="1", VAR_DIR=str(var))
    return env


class Browser:
    """Cookies, CSRF and redirects, as a browser handles them."""

    def __init__(self, base: str):
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def csrf(self) -> str:
        return next(c.value for c in self.cookies if c.name == "csrftoken")

    def get(self, path: str) -> tuple[int, str, bytes]:
        try:
            with self.opener.open(self.base + path, timeout=120) as response:
                return response.status, response.headers.get("Content-Type", ""), response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Content-Type", ""), error.read()

    def post(self, path: str, data: dict | None = None) -> tuple[int, str, bytes]:
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": self.csrf(), **(data or {})})
        request = urllib.request.Request(  # noqa: S310 - the test server on loopback
            self.base + path, data=body.encode(), headers={"Referer": self.base + path}
        )
        try:
            with self.opener.open(request, timeout=300) as response:
                return response.status, response.headers.get("Content-Type", ""), response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Content-Type", ""), error.read()

    def sign_in(self, email: str) -> None:
        self.get("/comptes/login/")
        status, _type, _page = self.post("/comptes/login/", {"login": email, "password": PASSWORD})
        assert status == 200, email
        assert any(c.name == "sessionid" for c in self.cookies), f"{email} is not signed in"


def pdf_links(page: bytes, pattern: str) -> list[str]:
    return sorted(set(re.findall(pattern, page.decode())))


@pytest.fixture(scope="module")
def make_run(tmp_path_factory):
    var = tmp_path_factory.mktemp("var")
    env = make_run_env(var)
    manage(env, "migrate", "--noinput")
    manage(env, "loaddemo")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/sante/", timeout=2)  # noqa: S310 - loopback only
            break
        except urllib.error.HTTPError:
            break  # it answers (503 without a broker is expected on a laptop)
        except OSError:
            time.sleep(0.3)
    ids = json.loads(
        manage(
            env,
            "shell",
            "-v0",
            "-c",
            "import json; from django.utils import timezone; "
            "from meetings.models import Meeting; from diagnostics.models import Diagnostic; "
            "chef = '" + CHEF + "'; "
            "mine = Meeting.objects.filter(organiser__email=chef).exclude(status='cancelled'); "
            "print(json.dumps({"
            "'future': mine.filter(start__gt=timezone.now()).order_by('start').first().pk, "
            "'past': mine.filter(end__lt=timezone.now()).order_by('-start').first().pk, "
            "'diagnostic': Diagnostic.objects.filter(quartier__memberships__agent__email=chef, "
            "quartier__memberships__role='chef').order_by('-year').first().pk}))",
        )
        .strip()
        .splitlines()[-1]
    )
    yield base, ids
    server.terminate()
    server.wait(timeout=30)


def read_pdf(browser: Browser, link: str, tmp_path: Path) -> str:
    status, content_type, body = browser.get(link)
    assert status == 200 and content_type == "application/pdf", (link, status, content_type)
    assert body.startswith(b"%PDF-")
    path = tmp_path / "document.pdf"
    path.write_bytes(body)
    return pdf_text(path)


def test_agenda_and_minutes_published_then_downloaded(make_run, tmp_path):
    base, ids = make_run
    chef = Browser(base)
    chef.sign_in(CHEF)
    status, _type, _page = chef.post(f"/reunions/{ids['future']}/ordre-du-jour/publier/")
    assert status == 200
    _status, _type, page = chef.get(f"/reunions/{ids['future']}/")
    links = pdf_links(page, rf"/reunions/{ids['future']}/ordre-du-jour/\d+/pdf/")
    assert links, "no agenda PDF on the meeting page"
    assert "Ordre du jour" in read_pdf(chef, links[-1], tmp_path)

    status, _type, _page = chef.post(f"/reunions/{ids['past']}/compte-rendu/publier/")
    assert status == 200
    _status, _type, page = chef.get(f"/reunions/{ids['past']}/")
    links = pdf_links(page, rf"/reunions/{ids['past']}/compte-rendu/\d+/pdf/")
    assert links, "no minutes PDF on the meeting page"
    assert "Compte rendu" in read_pdf(chef, links[-1], tmp_path)


def test_monthly_digest_requested_by_the_comite_then_downloaded(make_run, tmp_path):
    base, _ids = make_run
    comite = Browser(base)
    comite.sign_in(COMITE)
    status, _type, page = comite.post("/observations/remontees/syntheses/")
    assert status == 200, page[:500]
    links = pdf_links(page, r"/observations/remontees/syntheses/\d+/pdf/")
    assert links, "no digest PDF on the escalations page"
    assert "Remontées au comité de direction" in read_pdf(comite, links[-1], tmp_path)


def test_diagnostic_pdf_requested_then_downloaded(make_run, tmp_path):
    base, ids = make_run
    chef = Browser(base)
    chef.sign_in(CHEF)
    status, _type, page = chef.post(f"/diagnostics/{ids['diagnostic']}/pdf/")
    assert status == 200, page[:500]
    links = pdf_links(page, r"/diagnostics/documents/\d+/telecharger/")
    assert links, "no diagnostic PDF on the diagnostic page"
    assert "Diagnostic" in read_pdf(chef, links[-1], tmp_path)
