"""`reverse` for the addresses a list writes once per row (`/observations/<id>/`).

Django's `reverse` checks the address it builds against the pattern's regular expression at
each call: about 25 µs, a millisecond and more on a page of rows that each link to themselves
and to a download. `reverse_ids` reverses a name once per process with stand-in ids, then puts
the real ids in their places; a pattern that refuses the stand-ins (a converter narrower than
digits) is reversed as usual. Tests compare it with `reverse` (tests/foundation/test_urls.py).
"""

from __future__ import annotations

from functools import cache

from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

# Digits that no id of this size ever prints inside another (each appears once in an address).
_STAND_INS = ("7310002581", "7310002582", "7310002583")


@cache
def _shape(viewname: str, count: int, prefix: str, urlconf: str | None) -> str | None:
    try:
        url = reverse(viewname, args=_STAND_INS[:count], urlconf=urlconf)
    except NoReverseMatch:
        return None
    if any(url.count(stand_in) != 1 for stand_in in _STAND_INS[:count]):
        return None
    shape = url.replace("{", "{{").replace("}", "}}")
    for index, stand_in in enumerate(_STAND_INS[:count]):
        shape = shape.replace(stand_in, f"{{{index}}}")
    return shape


def reverse_ids(viewname: str, *ids: int) -> str:
    """`reverse(viewname, args=ids)` for whole-number ids."""
    shape = _shape(viewname, len(ids), get_script_prefix(), get_urlconf())
    if shape is None or len(ids) > len(_STAND_INS):
        return reverse(viewname, args=ids)
    return shape.format(*(int(pk) for pk in ids))
