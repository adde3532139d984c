"""French typography for printed text: « and » keep their word on the same line."""

import re

from django import template

register = template.Library()

_AFTER_OPENING = re.compile(r"«[ \t\n]+")
_BEFORE_CLOSING = re.compile(r"[ \t\n]+»")


@register.filter(is_safe=True)
def guillemets(value: str) -> str:
    """Non-breaking spaces inside « »: a line never starts with » nor ends with «."""
    return _BEFORE_CLOSING.sub("\u00a0»", _AFTER_OPENING.sub("«\u00a0", str(value)))
