"""Helpers of the browser journeys: open pages, check their accessibility, act as a person.

- `visit(page, url)` opens a page and runs axe-core on it: any "serious" or "critical"
  violation fails the test, printed with its rule, help text and the elements concerned.
  Content Security Policy violations reported by the browser fail the test too.
- `login(page, persona)` signs in through the real login form.
"""

from __future__ import annotations

import time

import pytest

from tests.teams.factories import PASSWORD

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = {"serious", "critical"}
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


# Accessibility --------------------------------------------------------------------------------


def format_violations(url: str, violations: list[dict]) -> str:
    lines = [f"axe-core: {len(violations)} serious/critical violation(s) on {url}"]
    for violation in violations:
        lines.append(
            f"- [{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})"
        )
        for node in violation["nodes"][:8]:
            target = " ".join(str(t) for t in node.get("target", []))
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    at {target}: {summary[:300]}")
            lines.append(f"       {node.get('html', '')[:200]}")
    return "\n".join(lines)


def run_axe(page) -> list[dict]:
    """Run axe-core in the page (evaluated through the debugger protocol, so the CSP stays on)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(page.e2e.axe_source)
    result = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                                resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                helpUrl: v.helpUrl, nodes: v.nodes.map(n => ({target: n.target, html: n.html,
                failureSummary: n.failureSummary}))}));
        }""",
        AXE_TAGS,
    )
    return result


def check_accessibility(page, label: str | None = None) -> None:
    violations = [v for v in run_axe(page) if v["impact"] in BLOCKING_IMPACTS]
    page.e2e.checked_urls.add(page.url)
    if violations:
        pytest.fail(format_violations(label or page.url, violations), pytrace=False)
    assert_no_csp_violation(page)


def assert_no_csp_violation(page) -> None:
    violations = page.e2e.csp_violations
    if violations:
        pytest.fail("Content Security Policy violations:\n" + "\n".join(violations), pytrace=False)


def visit(page, url: str, *, expect_status: int = 200, check: bool = True):
    """Open `url` (relative to the live server), assert its status, check its accessibility."""
    page.e2e.steps.append(f"visit {url}")
    response = page.goto(url)
    assert response is not None
    assert response.status == expect_status, f"{url}: HTTP {response.status}"
    if check:
        check_accessibility(page)
    return response


def step(page, description: str) -> None:
    page.e2e.steps.append(description)


def submit(page, action) -> None:
    """Run `action` (a click, a key press) and wait for the page it navigates to."""
    with page.expect_navigation():
        action()
    page.wait_for_load_state()


def login(page, persona, password: str | None = None) -> None:
    """Sign in through the real allauth login form, as a person would."""
    step(page, f"login {persona.email}")
    page.goto("/comptes/login/")
    check_accessibility(page)
    page.get_by_label("Courriel").fill(persona.email)
    page.get_by_label("Mot de passe").fill(password or PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()
    assert "/comptes/login/" not in page.url, f"login failed for {persona.email}: {page.url}"
    if "/2fa/authenticate/" in page.url:  # a persona with a second factor types its code
        page.get_by_label("Code").fill(totp_code(totp_secret_of(persona)))
        page.get_by_role("button", name="Connexion").click()
        page.wait_for_load_state()
        assert "/2fa/authenticate/" not in page.url, f"code refused for {persona.email}"


def totp_secret_of(persona) -> str:
    from allauth.mfa.adapter import get_adapter
    from allauth.mfa.models import Authenticator

    authenticator = Authenticator.objects.get(user=persona, type=Authenticator.Type.TOTP)
    return get_adapter().decrypt(authenticator.data["secret"])


def totp_code(secret: str, shift: int = 0) -> str:
    """The TOTP code, never in the last 3 s of its 30 s period (no tolerance: it would expire)."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    while 30 - time.time() % 30 < 3:
        time.sleep(0.5)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + shift))


def tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the focus is on `selector`: proves it is reachable by keyboard."""
    for _ in range(limit):
        if page.evaluate(
            "(s) => document.activeElement && document.activeElement.matches(s)", selector
        ):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} never received the focus with Tab")
