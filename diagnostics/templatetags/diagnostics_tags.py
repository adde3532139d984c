from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

from diagnostics.text import render_markdown

register = template.Library()


@register.filter
def markdown(text: str):
    return render_markdown(text)


@register.filter
def signed(value) -> str:
    """+3, −2, 0: a change against the previous year."""
    if value is None:
        return "—"
    if value > 0:
        return f"+{intcomma(value)}"
    if value < 0:
        return f"−{intcomma(abs(value))}"
    return "0"


@register.filter
def percent(value) -> str:
    if value is None:
        return "—"
    return f"{round(value * 100)} %"


@register.filter
def signed_change(value, previous) -> str:
    if value is None or previous is None:
        return "—"
    return signed(value - previous)


@register.filter
def isodate(value):
    """'2026-03-14' (as stored in a snapshot) → a date, for the |date filter."""
    import datetime

    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


@register.filter
def get_item(mapping, key):
    return mapping.get(key, key) if mapping else key
