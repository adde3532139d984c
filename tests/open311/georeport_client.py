"""A small GeoReport v2 client written from the specification alone
(http://wiki.open311.org/GeoReport_v2): the standard library only, nothing of the app.

    client = GeoReportClient("https://city.example/open311/v2/", api_key="...")
    client.services()  # -> list of dicts
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from xml.etree import ElementTree as ET


class GeoReportError(Exception):
    def __init__(self, status: int, errors: list[dict]):
        super().__init__(f"{status}: {errors}")
        self.status = status
        self.errors = errors


class GeoReportClient:
    def __init__(self, endpoint: str, api_key: str = "", fmt: str = "json"):
        self.endpoint = endpoint.rstrip("/") + "/"
        self.api_key = api_key
        self.fmt = fmt

    # Transport ---------------------------------------------------------------------------

    def _call(self, method: str, resource: str, params: dict | None = None):
        params = {k: v for k, v in (params or {}).items() if v not in (None, "")}
        url = f"{self.endpoint}{resource}.{self.fmt}"
        data = None
        if method == "GET" and params:
            url += "?" + urllib.parse.urlencode(params)
        elif method == "POST":
            data = urllib.parse.urlencode(params).encode()
        request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 - a test's own server
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - a test's own server
                return self._parse(response.read())
        except urllib.error.HTTPError as error:
            raise GeoReportError(error.code, self._parse(error.read())) from error

    def _parse(self, body: bytes):
        if self.fmt == "json":
            return json.loads(body)
        return _from_xml(ET.fromstring(body))  # noqa: S314 - a test's own server

    # The spec's methods ------------------------------------------------------------------

    def discovery(self) -> dict:
        return self._call("GET", "discovery")

    def services(self) -> list[dict]:
        return self._call("GET", "services")

    def service_definition(self, service_code: str) -> dict:
        return self._call("GET", f"services/{service_code}")

    def post_request(self, service_code: str, **fields) -> list[dict]:
        attributes = fields.pop("attributes", {})
        params = {"api_key": self.api_key, "service_code": service_code, **fields}
        params.update({f"attribute[{code}]": value for code, value in attributes.items()})
        return self._call("POST", "requests", params)

    def token(self, token: str) -> list[dict]:
        return self._call("GET", f"tokens/{token}", {"api_key": self.api_key})

    def requests(self, **filters) -> list[dict]:
        return self._call("GET", "requests", {"api_key": self.api_key, **filters})

    def request(self, service_request_id: str) -> list[dict]:
        return self._call("GET", f"requests/{service_request_id}", {"api_key": self.api_key})


#: XML elements whose children form a list (the spec's plural containers).
_LISTS = {"services", "service_requests", "errors", "attributes", "values", "endpoints", "formats"}


def _from_xml(element: ET.Element):
    """The same shapes as the JSON answers: lists for the containers, dicts, strings."""
    if element.tag in _LISTS:
        return [_from_xml(child) for child in element]
    if len(element) == 0:
        return element.text or ""
    return {child.tag: _from_xml(child) for child in element}
