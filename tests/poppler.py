"""Reading generated PDFs with poppler, a tool other than the one that wrote them."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

PDFTOTEXT = shutil.which("pdftotext") or "pdftotext"


def pdf_text(pdf: bytes | str | Path) -> str:
    """The text of a PDF (its bytes or its path), as poppler's `pdftotext` extracts it."""
    if isinstance(pdf, bytes):
        with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
            handle.write(pdf)
            handle.flush()
            return pdf_text(handle.name)
    result = subprocess.run(  # noqa: S603 - a fixed binary on a file the test wrote
        [PDFTOTEXT, "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True, text=True
    )
    return result.stdout
