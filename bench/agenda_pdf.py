"""Render one meeting's agenda PDF in this process, for bench/run.py to time and weigh.

    python bench/agenda_pdf.py MEETING_ID [--output FILE]

Goes through the app's own document builder (`meetings.documents.agenda_pdf`), the code the
Celery task runs, without saving anything. Prints a JSON line: seconds and bytes.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("meeting_id", type=int)
    parser.add_argument("--output")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arras_quartiers.settings")
    import django

    django.setup()
    from meetings.documents import agenda_pdf
    from meetings.models import AgendaDocument, Meeting

    meeting = Meeting.objects.get(pk=args.meeting_id)
    started = time.perf_counter()
    content, filename = agenda_pdf(AgendaDocument(meeting=meeting, version=1))
    seconds = time.perf_counter() - started
    if args.output:
        Path(args.output).write_bytes(content)
    print(json.dumps({"seconds": round(seconds, 2), "bytes": len(content), "filename": filename}))


if __name__ == "__main__":
    main()
