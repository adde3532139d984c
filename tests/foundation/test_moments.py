"""The `observed` filter writes what `date:"c"` and `date:"j F Y, H:i"` write, in local time."""

from datetime import UTC, datetime, timedelta

from django.template import engines
from django.utils import translation

DJANGO = engines["django"].from_string(
    """<time datetime="{{ v|date:'c' }}">{{ v|date:"j F Y, H:i" }}</time>"""
)
OURS = engines["django"].from_string("{% load moments %}{{ v|observed }}")


def test_every_month_both_sides_of_the_clock_changes_and_midnight():
    start = datetime(2025, 1, 1, 0, 0, tzinfo=UTC)
    moments = [start + timedelta(hours=7 * n, minutes=13 * n) for n in range(0, 24 * 365 // 7)]
    moments += [
        datetime(2026, 3, 29, 0, 59, tzinfo=UTC),  # 01:59 in Paris, then summer time
        datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
        datetime(2026, 10, 25, 0, 59, tzinfo=UTC),  # 02:59 summer time, then winter
        datetime(2026, 10, 25, 1, 0, tzinfo=UTC),
        datetime(2026, 12, 31, 23, 0, 5, 123456, tzinfo=UTC),  # new year's day in Paris
    ]
    with translation.override("fr"):
        for moment in moments:
            assert OURS.render({"v": moment}) == DJANGO.render({"v": moment}), moment
        assert ">1 janvier 2027, 00:00<" in OURS.render({"v": moments[-1]})


def test_nothing_for_no_date():
    assert OURS.render({"v": None}) == ""
