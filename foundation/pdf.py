"""The one PDF rendering path shared by every document (agenda, minutes, digest, diagnostic).

A document is an HTML template extending `pdf/base.html` (print stylesheet, title, language),
rendered with autoescaping, and turned into a tagged PDF by WeasyPrint, whose structure tree
`foundation.pdf_tags` then repairs. The URL fetcher reads
the project's own static files and `data:` URIs only: a document never reaches the network or
the file system elsewhere, whatever text users typed into it.
"""

from __future__ import annotations

import gc
import mimetypes
import os
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template.loader import render_to_string
from weasyprint import HTML, URLFetcher
from weasyprint.urls import URLFetcherResponse

from foundation.pdf_tags import repair_tags

PDF_BASE_URL = "https://document.invalid/"


# Documents never reach the network, so the fetcher needs no certificates: without a context of
# its own, WeasyPrint's fetcher loads the system's CA bundle for every document (~20 ms).
_NO_NETWORK = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


class StaticOnlyFetcher(URLFetcher):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(ssl_context=_NO_NETWORK, **kwargs)

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        static_prefix = PDF_BASE_URL.rstrip("/") + settings.STATIC_URL
        if url.startswith(static_prefix):
            relative = url.removeprefix(static_prefix).split("?")[0]
            path = _static_file(relative) if ".." not in relative.split("/") else None
            if path:
                content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
                with open(path, "rb") as source:
                    return URLFetcherResponse(url, source.read(), {"Content-Type": content_type})
        raise ValueError(f"Resource not allowed in a document: {url}")


def _static_file(relative: str) -> str | None:
    """The file behind a static URL: in the source folders (development), or collected under
    STATIC_ROOT with its hashed name (production's manifest storage)."""
    found = finders.find(relative)
    if found:
        return found
    try:
        collected = staticfiles_storage.path(relative)
    except NotImplementedError:  # a remote storage: documents then use the source folders only
        return None
    return collected if os.path.isfile(collected) else None


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """The render without the cyclic garbage collector, which runs again afterwards.

    WeasyPrint allocates millions of short-lived objects (boxes, styles, text runs), so the
    collector kept starting full passes that also walked every object the process already held
    (Django, the loaded modules): about 15 % of the diagnostic's render. Nearly all of the
    render's objects are freed by reference counting; its few cycles are collected once the
    collector runs again. The peak memory of the benchmark's diagnostic is unchanged (measured
    with bench/diagnostic_pdf.py), and repeated renders do not grow the process.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def render_pdf(template_name: str, context: dict[str, Any], *, variant: str | None = None) -> bytes:
    """Render `template_name` with `context` to PDF bytes.

    The template sets <title> and <html lang>, which become the PDF's title and language.
    """
    base = {"CITY_NAME": settings.CITY_NAME, "CITY_LABEL": settings.CITY_LABEL}
    with _no_cycle_collection():
        html = render_to_string(template_name, {**base, **context})
        document = HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=StaticOnlyFetcher())
        pdf_variant = settings.PDF_VARIANT if variant is None else variant
        content = document.write_pdf(pdf_variant=pdf_variant or None, pdf_tags=True)
        return repair_tags(content, html)
