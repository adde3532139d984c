"""The GeoReport v2 fields and types, written from the specification
(http://wiki.open311.org/GeoReport_v2), and checks of answers in JSON and in XML against them.

Types: "string", "boolean", "integer", "number", "datetime" (ISO 8601 with an offset), a set of
allowed values, or a nested table for lists ("list:<item element>").
"""

from __future__ import annotations

import datetime
import json
from xml.etree import ElementTree as ET

#: GET discovery
ENDPOINT = {
    "specification": "string",
    "url": "string",
    "changeset": "datetime",
    "type": {"production", "test"},
    "formats": ("list:format", "string"),
}
DISCOVERY = {
    "changeset": "datetime",
    "contact": "string",
    "key_service": "string",
    "endpoints": ("list:endpoint", ENDPOINT),
}
#: GET services
SERVICE = {
    "service_code": "string",
    "service_name": "string",
    "description": "string",
    "metadata": "boolean",
    "type": {"realtime", "batch", "blackbox"},
    "keywords": "string",
    "group": "string",
}
#: GET services/{service_code}
VALUE = {"key": "string", "name": "string"}
ATTRIBUTE = {
    "variable": "boolean",
    "code": "string",
    "datatype": {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"},
    "required": "boolean",
    "datatype_description": "string",
    "order": "integer",
    "description": "string",
    "values": ("list:value", VALUE),
}
SERVICE_DEFINITION = {"service_code": "string", "attributes": ("list:attribute", ATTRIBUTE)}
#: GET requests, GET requests/{id}
REQUEST = {
    "service_request_id": "string",
    "status": {"open", "closed"},
    "status_notes": "string?",
    "service_name": "string",
    "service_code": "string",
    "description": "string?",
    "agency_responsible": "string?",
    "service_notice": "string?",
    "requested_datetime": "datetime",
    "updated_datetime": "datetime?",
    "expected_datetime": "datetime?",
    "address": "string?",
    "address_id": "string?",
    "zipcode": "string?",
    "lat": "number?",
    "long": "number?",
    "media_url": "string?",
}
#: POST requests (service_request_id or token, at least one)
POSTED = {
    "service_request_id": "string?",
    "token": "string?",
    "service_notice": "string?",
    "account_id": "string?",
}
#: GET tokens/{token}
TOKEN = {"service_request_id": "string?", "token": "string"}
#: Errors
ERROR = {"code": "integer", "description": "string"}

#: The root element and the item element of each answer in XML.
ROOTS = {
    "discovery": ("discovery", None),
    "services": ("services", "service"),
    "service_definition": ("service_definition", None),
    "requests": ("service_requests", "request"),
    "errors": ("errors", "error"),
}


def _is_datetime(text: str) -> bool:
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        return False
    return moment.tzinfo is not None


def _check_json_value(kind, value, where: str) -> None:
    if isinstance(kind, tuple):
        assert isinstance(value, list), where
        for item in value:
            if isinstance(kind[1], dict):
                check_json(kind[1], item, where)
            else:
                _check_json_value(kind[1], item, where)
        return
    if isinstance(kind, set):
        assert value in kind, f"{where}: {value!r} not in {kind}"
        return
    optional = kind.endswith("?")
    kind = kind.rstrip("?")
    if value is None:
        assert optional, f"{where} must not be null"
        return
    if kind == "string":
        assert isinstance(value, str), where
    elif kind == "boolean":
        assert isinstance(value, bool), where
    elif kind == "integer":
        assert isinstance(value, int) and not isinstance(value, bool), where
    elif kind == "number":
        assert isinstance(value, int | float) and not isinstance(value, bool), where
    elif kind == "datetime":
        assert isinstance(value, str) and _is_datetime(value), f"{where}: {value!r}"


def check_json(table: dict, item: dict, where: str = "") -> None:
    """Every field of `table` present with its type, and no other field."""
    assert isinstance(item, dict), where
    assert set(item) <= set(table), f"{where}: unknown fields {set(item) - set(table)}"
    for name, kind in table.items():
        optional = isinstance(kind, str) and kind.endswith("?")
        if name not in item:
            assert optional, f"{where}{name} missing"
            continue
        _check_json_value(kind, item[name], f"{where}{name}")


def _check_xml_text(kind, text: str, where: str) -> None:
    if isinstance(kind, set):
        assert text in kind, f"{where}: {text!r}"
        return
    optional = kind.endswith("?")
    kind = kind.rstrip("?")
    if not text:
        assert optional or kind == "string", f"{where} empty"
        return
    if kind == "boolean":
        assert text in ("true", "false"), where
    elif kind == "integer":
        int(text)
    elif kind == "number":
        float(text)
    elif kind == "datetime":
        assert _is_datetime(text), f"{where}: {text!r}"


def check_xml_element(table: dict, element: ET.Element, where: str = "") -> None:
    names = [child.tag for child in element]
    assert set(names) <= set(table), f"{where}: unknown elements {set(names) - set(table)}"
    assert len(names) == len(set(names)), f"{where}: repeated elements"
    for name, kind in table.items():
        child = element.find(name)
        optional = isinstance(kind, str) and kind.endswith("?")
        if child is None:
            assert optional, f"{where}{name} missing"
            continue
        if isinstance(kind, tuple):
            item_name = kind[0].split(":")[1]
            for item in child:
                assert item.tag == item_name, f"{where}{name}: {item.tag}"
                if isinstance(kind[1], dict):
                    check_xml_element(kind[1], item, f"{where}{name}.")
                else:
                    _check_xml_text(kind[1], item.text or "", f"{where}{name}")
        else:
            assert len(child) == 0, f"{where}{name} has children"
            _check_xml_text(kind, child.text or "", f"{where}{name}")


def parse_json(response) -> object:
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    return json.loads(response.content)


def parse_xml(response, answer: str) -> list[ET.Element] | ET.Element:
    """The items (a list) or the single element of an XML answer, its root checked."""
    assert response["Content-Type"].startswith("text/xml"), response["Content-Type"]
    root = ET.fromstring(response.content)  # noqa: S314 - our own server's answer, in a test
    root_name, item_name = ROOTS[answer]
    assert root.tag == root_name, root.tag
    if item_name is None:
        return root
    assert all(child.tag == item_name for child in root), [c.tag for c in root]
    return list(root)


def check_list(response, answer: str, table: dict, fmt: str) -> list:
    """Parse a list answer in `fmt`, check each item; the items (dicts or elements)."""
    if fmt == "json":
        items = parse_json(response)
        assert isinstance(items, list)
        for item in items:
            check_json(table, item)
        return items
    elements = parse_xml(response, answer)
    assert isinstance(elements, list)
    for element in elements:
        check_xml_element(table, element)
    return elements


def field(item, name: str):
    """A field of a JSON item or the text of an XML item's element."""
    if isinstance(item, dict):
        return item.get(name)
    child = item.find(name)
    return None if child is None else (child.text or "")
