"""Fetching a partner's `media_url`: only a picture, from a public host, of bounded size.

A media URL is chosen by a partner, so it may point anywhere: to the city's own network
included. The host must resolve to public addresses only (unless listed in
`OPEN311_MEDIA_PRIVATE_HOSTS`, for tests), the connection goes to the very address checked
(never to a second answer of the DNS), redirects are not followed (a public host could send us
inward), no proxy is used (it would resolve the name again), and what comes back is decoded and re-encoded like an agent's photo.
"""

from __future__ import annotations

import http.client
import io
import ipaddress
import socket
import ssl
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from foundation.images import MAX_UPLOAD_BYTES, CleanImage, sanitize_image


class MediaRefused(ValueError):
    """A media we will not take (its message is for the partner, in French)."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: PLR0913 - urllib's signature
        raise MediaRefused(_("Le média redirige ailleurs : donnez son adresse finale."))


def check_url(url: str) -> str:
    """The address to connect to for `url`: refused unless http(s) to a public host (checked on
    every address it resolves to; hosts of `OPEN311_MEDIA_PRIVATE_HOSTS` may be private)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise MediaRefused(_("media_url doit être une adresse http ou https."))
    host = parts.hostname
    try:
        infos = socket.getaddrinfo(host, parts.port or None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as error:
        raise MediaRefused(_("Hôte du média introuvable.")) from error
    addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    if host not in settings.OPEN311_MEDIA_PRIVATE_HOSTS and not all(
        address.is_global for address in addresses
    ):
        raise MediaRefused(_("Le média doit être sur un hôte public."))
    return str(addresses[0])


def _pinned(connection_class, address: str):
    """`connection_class` that connects to `address`, whatever the host name resolves to by then:
    a name that answered a public address to the check and an inward one a moment later (DNS
    rebinding) still reaches the address checked. The Host header, and for https the server
    name and its certificate, stay the host's."""

    def connect(host: str, **kwargs):
        connection = connection_class(host, **kwargs)

        def create_connection(host_port, timeout, source_address=None):
            return socket.create_connection((address, host_port[1]), timeout, source_address)

        connection._create_connection = create_connection
        return connection

    return connect


class _PinnedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, address: str):
        super().__init__()
        self.address = address

    def http_open(self, req):
        return self.do_open(_pinned(http.client.HTTPConnection, self.address), req)


class _PinnedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, address: str):
        self.ssl_context = ssl.create_default_context()
        super().__init__(context=self.ssl_context)
        self.address = address

    def https_open(self, req):
        return self.do_open(
            _pinned(http.client.HTTPSConnection, self.address), req, context=self.ssl_context
        )


def fetch(url: str) -> CleanImage:
    """The re-encoded picture at `url`; MediaRefused if it is not one; OSError if unreachable."""
    address = check_url(url)
    # No proxy from the environment: it would resolve the name again, out of our sight.
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({}),
        _NoRedirect,
        _PinnedHTTPHandler(address),
        _PinnedHTTPSHandler(address),
    )
    request = urllib.request.Request(url, headers={"Accept": "image/*"})  # noqa: S310 - scheme checked above
    try:
        with opener.open(request, timeout=settings.OPEN311_MEDIA_TIMEOUT) as response:
            kind = response.headers.get_content_type()
            if not kind.startswith("image/"):
                raise MediaRefused(_("Le média n'est pas une image (%(type)s).") % {"type": kind})
            data = response.read(MAX_UPLOAD_BYTES + 1)
    except urllib.error.HTTPError as error:
        if 400 <= error.code < 500:
            raise MediaRefused(
                _("Le média est introuvable (HTTP %(code)s).") % {"code": error.code}
            ) from error
        raise  # a server error: worth trying again
    if len(data) > MAX_UPLOAD_BYTES:
        raise MediaRefused(_("Le média dépasse 10 Mo."))
    upload = io.BytesIO(data)
    upload.size = len(data)  # type: ignore[attr-defined]
    try:
        return sanitize_image(upload)
    except ValidationError as error:
        raise MediaRefused(" ".join(error.messages)) from error
