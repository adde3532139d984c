"""Numbers typed in an address or a form are read with `foundation.numbers.whole_number`.

"²", "٣" or "①" are digits to `str.isdigit` yet `int()` refuses some of them: a page that checked
`isdigit()` then called `int()` answered 500 to a hand-edited address. Every place that reads a
number from a request is listed here with the parameter it reads; each gets the odd digits.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

ODD = ("²", "①", "12²", "-3", " 7 x", "9" * 40, "9" * 12)  # 12 nines: past an integer column


def _pages(ouest, space):
    """(role, url name or path, args, parameter): GET pages that read a number."""
    return [
        ("agent", "observations:index", [], "apres"),
        ("agent", "observations:index", [], "avant"),
        ("agent", "documents:index", [], "apres"),
        ("agent", "documents:space", [space.pk], "apres"),
        ("agent", "documents:space", [space.pk], "dossier"),
        ("agent", "documents:space", [space.pk], "axe"),
        ("chef", "meetings:create", [], "groupe"),
    ]


@pytest.mark.parametrize("odd", ODD)
def test_pages_answer_an_odd_number_without_an_error(as_role, ouest, odd):
    from documents.services import space_of_quartier

    space = space_of_quartier(ouest)
    for role, name, args, parameter in _pages(ouest, space):
        extra = {"q": "plan"} if name == "documents:index" else {}
        response = as_role(role).get(reverse(name, args=args), {parameter: odd, **extra})
        # 404: a number that names no folder; never 500.
        assert response.status_code in (200, 404), (name, parameter, odd, response.status_code)


@pytest.mark.parametrize("odd", ODD)
def test_the_attendance_form_ignores_an_odd_number(as_role, personas, ouest, odd):
    from tests.meetings.factories import make_meeting

    meeting = make_meeting(ouest, personas["chef"])
    response = as_role("chef").post(
        reverse("meetings:attendance", args=[meeting.pk]), {"present": [odd]}
    )
    assert response.status_code == 302
