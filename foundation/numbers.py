"""Whole numbers read from a request (an address's parameters, a form's hidden fields)."""

from __future__ import annotations

import re

_WHOLE = re.compile(r"[0-9]{1,18}")  # ASCII digits only; 18 of them fit PostgreSQL's bigint


def whole_number(raw: object) -> int | None:
    """`raw` as a whole number (0 or more), or None when it is not one: never an exception.

    Not `str.isdigit()` then `int()`: "²" and "①" are digits to the first and refused by the
    second, and "٣" is read as 3 by `int()`.
    """
    if raw is None:
        return None
    text = str(raw).strip()
    return int(text) if _WHOLE.fullmatch(text) else None


def whole_numbers(values) -> set[int]:
    """The whole numbers among `values` (a form's list, a comma-separated text split), the rest
    left out."""
    return {number for value in values if (number := whole_number(value)) is not None}
