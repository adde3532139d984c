"""Server-side SVG charts (vector in the PDF, no JavaScript in the page).

Every chart is decorative for assistive technologies beyond its label: the figures are always
given in a data table beside it (see the templates). Colours keep a 3:1 contrast with white;
the two series also differ by pattern-free position and a legend in words.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

CURRENT = "#1d3f72"
PREVIOUS = "#8a9bb8"
TEXT = "#1b1b1b"
GRID = "#d5dbe3"


def _svg(width: int, height: int, label: str, body: list[str]) -> SafeString:
    return mark_safe(  # noqa: S308 - every text below goes through escape()
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(label)}">'
        f"<title>{escape(label)}</title>" + "".join(body) + "</svg>"
    )


def _truncate(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def compared_bars(
    rows: list[tuple[str, int, int | None]], *, label: str, current: str, previous: str | None
) -> SafeString:
    """Horizontal bars, one group per row: (name, this year, previous year or None)."""
    width, left, right = 640, 190, 50
    bar, gap, group_gap = 11, 2, 10
    has_previous = previous is not None and any(p is not None for _n, _c, p in rows)
    group = bar * (2 if has_previous else 1) + (gap if has_previous else 0)
    top = 26
    height = top + max(1, len(rows)) * (group + group_gap) + 6
    peak = max([1] + [c for _n, c, _p in rows] + [p or 0 for _n, _c, p in rows])
    scale = (width - left - right) / peak
    body = [
        f'<rect x="{left}" y="6" width="10" height="10" fill="{CURRENT}"/>',
        f'<text x="{left + 14}" y="15" font-size="10" fill="{TEXT}">{escape(current)}</text>',
    ]
    if has_previous:
        body += [
            f'<rect x="{left + 120}" y="6" width="10" height="10" fill="{PREVIOUS}"/>',
            f'<text x="{left + 134}" y="15" font-size="10" fill="{TEXT}">{escape(previous)}</text>',
        ]
    y = top
    for name, value, before in rows:
        body.append(
            f'<text x="{left - 6}" y="{y + group / 2 + 3.5:.1f}" font-size="10" text-anchor="end" '
            f'fill="{TEXT}">{escape(_truncate(name, 32))}</text>'
        )
        body.append(
            f'<rect x="{left}" y="{y}" width="{max(value * scale, 1):.1f}" height="{bar}" fill="{CURRENT}"/>'
        )
        body.append(
            f'<text x="{left + value * scale + 4:.1f}" y="{y + bar - 2}" font-size="9" fill="{TEXT}">{value}</text>'
        )
        if has_previous:
            yp = y + bar + gap
            before = before or 0
            body.append(
                f'<rect x="{left}" y="{yp}" width="{max(before * scale, 1):.1f}" height="{bar}" fill="{PREVIOUS}"/>'
            )
            body.append(
                f'<text x="{left + before * scale + 4:.1f}" y="{yp + bar - 2}" font-size="9" fill="{TEXT}">{before}</text>'
            )
        y += group + group_gap
    body.append(f'<line x1="{left}" y1="{top - 4}" x2="{left}" y2="{y}" stroke="{GRID}"/>')
    return _svg(width, height, label, body)


def monthly_columns(values: list[int], month_names: list[str], *, label: str) -> SafeString:
    """Twelve columns, one per month: the year's trend."""
    width, height, left, bottom, top = 640, 190, 30, 24, 14
    peak = max([1, *values])
    plot_h = height - top - bottom
    step = (width - left - 10) / 12
    body = []
    for fraction in (0.5, 1):
        gy = top + plot_h * (1 - fraction)
        body.append(
            f'<line x1="{left}" y1="{gy:.1f}" x2="{width - 10}" y2="{gy:.1f}" stroke="{GRID}"/>'
        )
        body.append(
            f'<text x="{left - 4}" y="{gy + 3:.1f}" font-size="9" text-anchor="end" fill="{TEXT}">'
            f"{round(peak * fraction)}</text>"
        )
    for index, value in enumerate(values):
        h = plot_h * value / peak
        x = left + index * step + step * 0.15
        body.append(
            f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{step * 0.7:.1f}" height="{max(h, 0.5):.1f}" '
            f'fill="{CURRENT}"/>'
        )
        body.append(
            f'<text x="{x + step * 0.35:.1f}" y="{height - 8}" font-size="9" text-anchor="middle" '
            f'fill="{TEXT}">{escape(month_names[index])}</text>'
        )
    body.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 10}" y2="{top + plot_h}" stroke="{TEXT}"/>'
    )
    return _svg(width, height, label, body)
