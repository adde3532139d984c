"""`reverse_ids` gives what `reverse` gives, for every named address that takes whole numbers."""

import pytest
from django.test import override_settings
from django.urls import (
    NoReverseMatch,
    URLPattern,
    URLResolver,
    get_resolver,
    reverse,
    set_script_prefix,
)

from foundation.urls import reverse_ids


def converters_of(entry) -> list | None:
    """The converters of a route, or None for a regular expression (not whole numbers)."""
    converters = getattr(entry.pattern, "converters", None)
    return None if converters is None else list(converters.values())


def named_patterns(resolver=None, namespace="", outer=()):
    for entry in (resolver or get_resolver()).url_patterns:
        converters = converters_of(entry)
        if converters is None:
            continue
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from named_patterns(entry, inner, (*outer, *converters))
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", [*outer, *converters]


def taking_ids():
    names = []
    for name, converters in named_patterns():
        if converters and all(type(c).__name__ == "IntConverter" for c in converters):
            names.append((name, len(converters)))
    return sorted(set(names))


IDS = [(1, 2, 3), (42, 7, 1), (2_000_000, 1, 3), (7310002582, 7310002581, 9)]


def test_every_address_of_whole_numbers_is_the_same():
    checked = taking_ids()
    assert ("observations:detail", 1) in checked and ("documents:download", 2) in checked
    for name, count in checked:
        for ids in IDS:
            assert reverse_ids(name, *ids[:count]) == reverse(name, args=ids[:count]), name


def test_under_a_script_prefix_as_behind_a_reverse_proxy():
    try:
        set_script_prefix("/quartiers/")
        assert reverse_ids("observations:detail", 12) == "/quartiers/observations/12/"
        assert reverse_ids("observations:detail", 12) == reverse("observations:detail", args=[12])
    finally:
        set_script_prefix("/")
    assert reverse_ids("observations:detail", 12) == "/observations/12/"


@override_settings(ROOT_URLCONF="tests.foundation.urls_narrow")
def test_a_pattern_that_refuses_the_stand_ins_is_reversed_as_usual():
    assert reverse_ids("year", 2026) == "/annee/2026/"
    with pytest.raises(NoReverseMatch):
        reverse_ids("year", 20260)
