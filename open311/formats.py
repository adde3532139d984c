"""GeoReport v2 answers in JSON or XML, from the same plain data (dicts, lists, scalars)."""

from __future__ import annotations

import datetime
import json
from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpResponse
from django.utils import timezone

FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}

#: The element of each item of a list, in XML (the spec's names).
ITEM_NAMES = {
    "endpoints": "endpoint",
    "formats": "format",
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "service_requests": "request",
    "errors": "error",
}


def iso(moment: datetime.datetime | None) -> str | None:
    """ISO 8601 with the offset of the city's time zone, to the second."""
    if moment is None:
        return None
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _xml_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child)
    elif isinstance(value, list):
        item = ITEM_NAMES.get(element.tag, "item")
        for child in value:
            _fill(ET.SubElement(element, item), child)
    else:
        element.text = _xml_text(value)


def to_xml(root: str, data: Any) -> bytes:
    element = ET.Element(root)
    _fill(element, data)
    return ET.tostring(element, encoding="utf-8", xml_declaration=True)


def respond(data: Any, fmt: str, *, root: str, status: int = 200) -> HttpResponse:
    """`data` as JSON, or as XML under the element `root` (list items named by `ITEM_NAMES`)."""
    if fmt == "xml":
        body = to_xml(root, data)
    else:
        body = json.dumps(data, ensure_ascii=False).encode()
    return HttpResponse(body, status=status, content_type=FORMATS.get(fmt, FORMATS["json"]))


def error(status: int, description: str, fmt: str) -> HttpResponse:
    """The spec's error answer: a list of {code, description}."""
    return respond(
        [{"code": status, "description": str(description)}], fmt, root="errors", status=status
    )
