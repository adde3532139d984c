"""Single sign-on through a real OpenID Connect provider (npm oidc-provider, on localhost).

The app is started in its own process with the OIDC settings in its environment (as a city
deploys it): nothing is patched in this process. The provider is tests/tools/oidc_provider.mjs.
The app's database (SQLite, a temporary directory) is read back with the sqlite3 module.
"""

from __future__ import annotations

import contextlib
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import unquote

import pytest

from tests.e2e.browser import DESKTOP, PHONE, check_accessibility

ROOT = Path(__file__).resolve().parents[2]
# The README's screenshots are refreshed with UPDATE_SCREENSHOTS=1; otherwise into artifacts/.
SCREENSHOTS = ROOT / ("docs/screenshots" if os.environ.get("UPDATE_SCREENSHOTS") else "artifacts")
LABEL = "Se connecter avec le compte de la ville"


def _free_ports(count: int) -> list[int]:
    """`count` distinct ports free now (each socket stays bound until all are picked)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _wait_for(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(
                f"{process.args} exited: {process.stdout.read() if process.stdout else ''}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - localhost
                return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer")


def _manage(env: dict[str, str], *args: str) -> None:
    """A management command of the app under test, in its environment."""
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )


@pytest.fixture(scope="module")
def sso_env(tmp_path_factory) -> dict[str, str]:
    """The app's environment (as a city sets it), its database migrated, four agents. No broker:
    with no worker beside this app, its mail to the administrators is sent in-process when the
    sign-in commits, as on a site run without Redis (CI's PostgreSQL pass sets REDIS_URL)."""
    var = tmp_path_factory.mktemp("sso-var")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            ("DJANGO_", "OIDC_", "PYTEST", "TESTING", "DATABASE_URL", "REDIS_URL", "CELERY_")
        )
    }
    env.update(
        DEBUG="1",
        VAR_DIR=str(var),
        MEDIA_ROOT=str(var / "media"),
        NO_PROXY="127.0.0.1,localhost",
        no_proxy="127.0.0.1,localhost",
        OIDC_ISSUER_URL="http://127.0.0.1",  # the settings ask for one; the app gets the real one
        OIDC_CLIENT_ID="equipes-quartier",
        OIDC_CLIENT_SECRET="secret-de-test",  # noqa: S106 - the test provider's client
        OIDC_ROLES_CLAIM="groups",
        OIDC_ROLES_MAP="codir:comite_direction",
        LOCAL_PASSWORDS="off",
        BREAK_GLASS_ACCOUNTS="secours@arras.test",
    )
    _manage(env, "migrate", "--noinput", "-v0")
    _manage(
        env,
        "shell",
        "-c",
        "from teams.models import Agent\n"
        "Agent.objects.create_user('claire.vasseur@arras.test', 'x-unused-1234', "
        "first_name='Claire', last_name='Vasseur')\n"
        "Agent.objects.create_user('anne.nonverif@arras.test', 'x-unused-1234', "
        "first_name='Anne', last_name='Nonverif')\n"
        "Agent.objects.create_user('admin@arras.test', 'x-unused-1234', "
        "first_name='Ada', last_name='Admin', is_staff=True)\n"
        "Agent.objects.create_user('secours@arras.test', 'secours-mot-de-passe-1', "
        "first_name='Sam', last_name='Secours', is_staff=True, is_superuser=True)\n",
    )
    return env


@pytest.fixture(scope="module")
def sso_app(sso_env):
    """The provider and the app, each in its own process; yields (app_url, issuer, db path)."""
    env, var = sso_env, Path(sso_env["VAR_DIR"])
    # A port free when picked may be taken before the process binds it (other tests, the other
    # pytest-xdist worker): then both start again on new ports (the provider knows the app's).
    for attempt in range(3):
        app_port, idp_port = _free_ports(2)
        app_url, issuer = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{idp_port}"
        idp = subprocess.Popen(
            ["node", "tests/tools/oidc_provider.mjs", str(idp_port), app_url],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        app = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{app_port}"],
            cwd=ROOT,
            env={**env, "OIDC_ISSUER_URL": issuer},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            _wait_for(f"{issuer}/.well-known/openid-configuration", idp)
            _wait_for(f"{app_url}/comptes/login/", app)
        except AssertionError as exc:
            _stop(app, idp)
            if "already in use" in str(exc) or "EADDRINUSE" in str(exc):
                if attempt < 2:
                    continue
            raise
        break
    try:
        yield app_url, issuer, var / "db.sqlite3"
    finally:
        _stop(app, idp)


def _stop(*processes: subprocess.Popen) -> None:
    for process in processes:
        process.terminate()
        process.wait(timeout=10)


def _db(path: Path, sql: str, *args) -> list[tuple]:
    with sqlite3.connect(path) as connection:
        return connection.execute(sql, args).fetchall()


def _sign_in_at_provider(page, issuer: str, login: str) -> None:
    page.get_by_role("button", name=LABEL).click()
    try:
        page.wait_for_url(f"{issuer}/**")
    except Exception:
        print(page.url, page.content()[:3000])
        raise
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", "peu-importe")
    page.locator("button[type=submit]").first.click()


@pytest.fixture
def sso_page(browser, axe_source):
    """A desktop page on the app under test; what check_accessibility needs in `page.e2e`."""
    context = browser.new_context(viewport=DESKTOP, locale="fr-FR", timezone_id="Europe/Paris")
    context.set_default_timeout(15_000)
    session = SimpleNamespace(axe_source=axe_source, checked_urls=set(), csp_violations=[])

    def on_console(message):
        if message.type == "error" and "Content Security Policy" in message.text:
            session.csp_violations.append(message.text)

    page = context.new_page()
    page.on("console", on_console)
    page.e2e = session
    yield page
    context.close()


def test_matched_agent_signs_in_and_out_through_the_provider(sso_app, sso_page):
    app_url, issuer, db = sso_app
    page = sso_page
    page.goto(f"{app_url}/comptes/login/")
    # Local passwords are off: no password field, only the city's button.
    assert page.locator("input[type=password]").count() == 0
    check_accessibility(page, "login page with the single sign-on button")
    _sign_in_at_provider(page, issuer, "claire")
    page.wait_for_url(f"{app_url}/**")
    assert "/comptes/login/" not in page.url
    assert "Claire" in page.content()
    ((claire_id, comite),) = _db(
        db,
        "select id, is_comite_direction from teams_agent where email=?",
        "claire.vasseur@arras.test",
    )
    assert comite == 1  # groups: codir → comité de direction (OIDC_ROLES_MAP)
    assert _db(db, "select user_id, provider from socialaccount_socialaccount") == [
        (claire_id, "ville")
    ]
    assert _db(db, "select count(*) from teams_agent") == [(4,)]  # nobody created

    # Logout ends the provider's session too (RP-initiated logout).
    page.goto(f"{app_url}/comptes/logout/")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"{issuer}/session/end**")
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(f"{app_url}/comptes/login/**")
    page.goto(f"{app_url}/")
    assert "/comptes/login/" in page.url  # signed out of the app
    page.get_by_role("button", name=LABEL).click()
    page.wait_for_url(f"{issuer}/**")
    # The provider asks again who this is: its session is over.
    assert page.locator("input[name=login]").count() == 1


@pytest.mark.parametrize("login", ["inconnu", "nonverif"])
def test_unknown_or_unverified_person_gets_no_account(sso_app, sso_page, login):
    app_url, issuer, db = sso_app
    page = sso_page
    page.goto(f"{app_url}/comptes/login/")
    _sign_in_at_provider(page, issuer, login)
    page.wait_for_url(f"{app_url}/comptes/sso/non-rattache/")
    assert page.locator("h1").inner_text() == "Votre compte n'est pas encore rattaché à une équipe"
    check_accessibility(page, "not attached page")
    pending = _db(
        db, "select email, email_verified from arras_quartiers_pendingsignin where subject=?", login
    )
    expected = {
        "inconnu": ("personne.inconnue@arras.test", 1),
        "nonverif": ("anne.nonverif@arras.test", 0),
    }
    assert pending == [expected[login]]
    assert _db(db, "select count(*) from teams_agent where email like 'personne%'") == [(0,)]
    assert _db(
        db,
        "select count(*) from socialaccount_socialaccount s join teams_agent a on a.id=s.user_id "
        "where a.email='anne.nonverif@arras.test'",
    ) == [(0,)]
    page.goto(f"{app_url}/")
    assert "/comptes/login/" in page.url  # not signed in


def _sign_in_afresh(browser, app_url: str, issuer: str, login: str) -> tuple[str, str]:
    """A new browser (no session anywhere) signs `login` in; returns where it lands, the page."""
    context = browser.new_context(viewport=DESKTOP, locale="fr-FR")
    try:
        page = context.new_page()
        page.goto(f"{app_url}/comptes/login/")
        _sign_in_at_provider(page, issuer, login)
        page.wait_for_url(f"{app_url}/**")
        page.wait_for_load_state()
        return page.url, page.content()
    finally:
        context.close()


@contextlib.contextmanager
def _agent_for_inconnu(env: dict[str, str], last_name: str, *, active: bool):
    """The agent the administrator creates for the provider's "inconnu", deleted afterwards
    (the other tests count four agents and refuse this person)."""
    _manage(
        env,
        "shell",
        "-c",
        "from teams.models import Agent\n"
        "Agent.objects.create_user('personne.inconnue@arras.test', None, "
        f"first_name='Paule', last_name={last_name!r}, is_active={active})\n",
    )
    try:
        yield
    finally:
        _manage(
            env,
            "shell",
            "-c",
            "from teams.models import Agent\n"
            "Agent.objects.filter(email='personne.inconnue@arras.test').delete()\n",
        )


def test_administrators_are_told_and_the_entry_goes_once_attached(sso_app, sso_env, browser):
    app_url, issuer, db = sso_app
    url, _page = _sign_in_afresh(browser, app_url, issuer, "inconnu")
    assert url == f"{app_url}/comptes/sso/non-rattache/"
    ((pending_id,),) = _db(
        db, "select id from arras_quartiers_pendingsignin where subject=?", "inconnu"
    )
    # Mailed to the only active superuser, once (the other tests may have refused it before).
    assert _db(
        db,
        "select email, state from foundation_maildelivery where letter=?",
        f"sso.pending:{pending_id}",
    ) == [("secours@arras.test", "sent")]

    # The administrator creates the agent; the person signs in and the entry goes.
    with _agent_for_inconnu(sso_env, "Nouvelle", active=True):
        url, page = _sign_in_afresh(browser, app_url, issuer, "inconnu")
        assert "/comptes/login/" not in url and "non-rattache" not in url
        assert "Paule" in page
        assert _db(
            db, "select count(*) from arras_quartiers_pendingsignin where subject=?", "inconnu"
        ) == [(0,)]


def test_a_departed_agent_is_told_and_makes_no_entry(sso_app, sso_env, browser):
    """Deactivated (the HR import's departure): the account is inactive, nobody is mailed."""
    app_url, issuer, db = sso_app
    count = "select count(*), sum(attempts) from arras_quartiers_pendingsignin"
    mails = "select count(*) from foundation_maildelivery"
    with _agent_for_inconnu(sso_env, "Partie", active=False):
        before = _db(db, count), _db(db, mails)
        url, _page = _sign_in_afresh(browser, app_url, issuer, "inconnu")
        assert url == f"{app_url}/comptes/inactive/"
        assert (_db(db, count), _db(db, mails)) == before


def test_password_refused_server_side_except_break_glass(sso_app, sso_page):
    app_url, _issuer, _db_path = sso_app
    page = sso_page
    page.goto(f"{app_url}/comptes/login/?secours=1")
    page.fill("input[name=login]", "claire.vasseur@arras.test")
    page.fill("input[name=password]", "x-unused-1234")
    page.locator("main form button[type=submit]").last.click()
    assert "La connexion par mot de passe est désactivée" in page.content()
    page.goto(f"{app_url}/")
    assert "/comptes/login/" in page.url


def test_screenshots_at_phone_size(sso_app, browser):
    app_url, issuer, _db_path = sso_app
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport=PHONE, locale="fr-FR")
    page = context.new_page()
    page.goto(f"{app_url}/comptes/login/")
    page.screenshot(path=str(SCREENSHOTS / "sso-login-390.png"), full_page=True)
    _sign_in_at_provider(page, issuer, "inconnu")
    page.wait_for_url(f"{app_url}/comptes/sso/non-rattache/")
    page.screenshot(path=str(SCREENSHOTS / "sso-not-attached-390.png"), full_page=True)
    context.close()


def test_staff_still_complete_the_apps_second_factor(sso_app, sso_page):
    """A provider sign-in does not count as two factors: staff activate and use the app's TOTP."""
    app_url, issuer, _db_path = sso_app
    page = sso_page
    page.goto(f"{app_url}/comptes/login/")
    _sign_in_at_provider(page, issuer, "admin")
    page.wait_for_url(f"{app_url}/**")
    page.goto(f"{app_url}/admin/")
    # Held before any page with data: activating the app's TOTP (allauth first asks to confirm
    # the identity, as for a password sign-in).
    assert "/admin/" not in page.url
    assert "/comptes/2fa/totp/activate/" in unquote(page.url)


def test_break_glass_account_keeps_its_password(sso_app, sso_page):
    app_url, _issuer, _db_path = sso_app
    page = sso_page
    page.goto(f"{app_url}/comptes/login/?secours=1")
    page.fill("input[name=login]", "secours@arras.test")
    page.fill("input[name=password]", "secours-mot-de-passe-1")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()
    # Signed in; as an administrator without a second factor yet, sent to activate one.
    assert "/comptes/2fa/totp/activate/" in unquote(page.url)
