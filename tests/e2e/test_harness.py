"""The harness itself can fail: axe-core finds a real violation, and a CSP violation is caught."""

from __future__ import annotations

import pytest

from tests.e2e.browser import BLOCKING_IMPACTS, check_accessibility, run_axe

pytestmark = pytest.mark.django_db(transaction=True)


def test_axe_reports_a_serious_violation(page):
    page.goto("/accessibilite/")
    page.evaluate(
        "() => { const i = document.createElement('img'); i.src = '/static/favicon.svg';"
        " document.querySelector('main').appendChild(i);"
        " const b = document.createElement('button'); document.querySelector('main').appendChild(b); }"
    )
    found = {v["id"] for v in run_axe(page) if v["impact"] in BLOCKING_IMPACTS}
    assert {"image-alt", "button-name"} <= found
    with pytest.raises(pytest.fail.Exception, match="image-alt"):
        check_accessibility(page)


def test_inline_script_is_refused_by_the_csp_and_reported(page):
    page.goto("/accessibilite/")
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.pwned = 1';"
        " document.body.appendChild(s); }"
    )
    assert page.evaluate("() => window.pwned") is None
    page.wait_for_timeout(100)
    with pytest.raises(pytest.fail.Exception, match="Content Security Policy"):
        check_accessibility(page)
