"""Fetching a partner's `media_url`: only a picture, from a public host, of bounded size.

A media URL is chosen by a partner, so it may point anywhere: to the city's own network
included. The host must resolve to public addresses only (unless listed in
`OPEN311_MEDIA_PRIVATE_HOSTS`, for tests), redirects are not followed (a public host could
send us inward), and what comes back is decoded and re-encoded like an agent's photo.
"""

from __future__ import annotations

import io
import ipaddress
import socket
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


def check_url(url: str) -> None:
    """Refuse what is not http(s) to a public host (checked on the addresses it resolves to)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise MediaRefused(_("media_url doit être une adresse http ou https."))
    host = parts.hostname
    if host in settings.OPEN311_MEDIA_PRIVATE_HOSTS:
        return
    try:
        infos = socket.getaddrinfo(host, parts.port or None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as error:
        raise MediaRefused(_("Hôte du média introuvable.")) from error
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise MediaRefused(_("Le média doit être sur un hôte public."))


def fetch(url: str) -> CleanImage:
    """The re-encoded picture at `url`; MediaRefused if it is not one; OSError if unreachable."""
    check_url(url)
    opener = urllib.request.build_opener(_NoRedirect)
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
