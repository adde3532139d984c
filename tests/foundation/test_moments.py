"""The `moments` filters write what the `date` filter writes, in local time."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.template import engines
from django.utils import translation

PAIRS = {
    "moment": """<time datetime="{{ v|date:'c' }}">{{ v|date:"j F Y, H:i" }}</time>""",
    "day": """<time datetime="{{ v|date:'c' }}">{{ v|date:"j F Y" }}</time>""",
    "day_text": """{{ v|date:"j F Y" }}""",
}


def render(source: str, value) -> str:
    return engines["django"].from_string(source).render({"v": value})


MOMENTS = [
    datetime(2025, 1, 1, 0, 0, tzinfo=UTC) + timedelta(hours=7 * n, minutes=13 * n)
    for n in range(0, 24 * 365 // 7)
] + [
    datetime(2026, 3, 29, 0, 59, tzinfo=UTC),  # 01:59 in Paris, then summer time
    datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
    datetime(2026, 10, 25, 0, 59, tzinfo=UTC),  # 02:59 summer time, then winter
    datetime(2026, 10, 25, 1, 0, tzinfo=UTC),
    datetime(2026, 12, 31, 23, 0, 5, 123456, tzinfo=UTC),  # new year's day in Paris
    datetime(2026, 7, 14, 9, 5),  # naive: shown as it is
]


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_same_text_as_the_date_filter_over_a_year_and_the_clock_changes(name):
    ours = "{% load moments %}{{ v|" + name + " }}"
    with translation.override("fr"):
        for value in MOMENTS:
            assert render(ours, value) == render(PAIRS[name], value), value
        assert "1 janvier 2027" in render(ours, MOMENTS[-2])


@pytest.mark.parametrize("name", ["day", "day_text"])
def test_a_date_is_shown_as_it_is(name):
    with translation.override("fr"):
        value = date(2026, 2, 1)
        ours = "{% load moments %}{{ v|" + name + " }}"
        assert render(ours, value) == render(PAIRS[name], value)
        assert "1 février 2026" in render(ours, value)


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_nothing_for_no_date(name):
    assert render("{% load moments %}{{ v|" + name + " }}", None) == ""
