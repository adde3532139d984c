"""Dates as lists show them, without the `date` filter's cost.

`{{ value|date:"c" }}` and `{{ value|date:"j F Y" }}` build a formatter and parse the format at
each call: about 25 µs each, a third of a 25-row list's rendering when every row shows a date.
These write the same text (tests/foundation/test_moments.py compares them with `date`):

- `moment`: `<time datetime="2026-03-12T14:05:00+01:00">12 mars 2026, 14:05</time>`;
- `day`: `<time datetime="2026-03-12T14:05:00+01:00">12 mars 2026</time>`;
- `day_text`: `12 mars 2026`, for a sentence.

In local time, as the template engine shows aware datetimes; a date is shown as it is.
"""

from datetime import date, datetime

from django import template
from django.utils.dates import MONTHS
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.timezone import is_aware, localtime

register = template.Library()


def _local(value: date) -> date:
    return localtime(value) if isinstance(value, datetime) and is_aware(value) else value


def _day(local: date) -> str:
    return f"{local.day} {MONTHS[local.month]} {local.year}"


@register.filter
def day_text(value: date | None) -> str:
    return _day(_local(value)) if value else ""


@register.filter
def day(value: date | None) -> SafeString | str:
    if not value:
        return ""
    local = _local(value)
    return format_html('<time datetime="{}">{}</time>', local.isoformat(), _day(local))


@register.filter
def moment(value: datetime | None) -> SafeString | str:
    if not value:
        return ""
    local = localtime(value) if is_aware(value) else value
    return format_html(
        '<time datetime="{}">{}, {}</time>',
        local.isoformat(),
        _day(local),
        f"{local.hour:02d}:{local.minute:02d}",
    )
