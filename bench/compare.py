"""Does a quick run tell the same as a full one? Each page's median p95 ratio, side by side.

    python bench/run.py --output bench/results/full.json
    python bench/run.py --quick --output bench/results/quick.json
    python bench/compare.py bench/results/quick.json bench/results/full.json

Both runs on the same machine and database. The ratios of a page (its p95 over the minimal
view's, median of the alternating rounds) must agree within ±20 % (`--tolerance`); the exit
status is 1 when one does not, so that a change of the measure that makes `--quick` mislead
is seen.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

TOLERANCE = 0.20


def ratios(results: dict) -> dict[str, float]:
    return {
        page["name"]: page["paired"]["p95_ratio"] for page in results["pages"] if page.get("paired")
    }


def compare(quick: dict, full: dict, tolerance: float = TOLERANCE) -> list[dict]:
    """One row per page measured in both: the two ratios, their relative gap, within tolerance."""
    a, b = ratios(quick), ratios(full)
    rows = []
    for name in b:
        if name not in a:
            continue
        gap = a[name] / b[name] - 1
        rows.append(
            {"page": name, "quick": a[name], "full": b[name], "gap": round(gap, 3),
             "agrees": abs(gap) <= tolerance}
        )  # fmt: skip
    return rows


def markdown(rows: list[dict], tolerance: float = TOLERANCE) -> str:
    lines = [
        "| page | rapport, --quick | rapport, mesure complète | écart |",
        "|---|---:|---:|---:|",
    ]
    for row in rows:
        mark = "" if row["agrees"] else " ❌"
        quick, full = (f"{row[key]:.2f}".replace(".", ",") for key in ("quick", "full"))
        lines.append(f"| {row['page']} | {quick} | {full} | {row['gap'] * 100:+.0f} %{mark} |")
    agreeing = sum(row["agrees"] for row in rows)
    lines.append("")
    lines.append(
        f"{agreeing} page(s) sur {len(rows)} à ±{tolerance * 100:.0f} % de la mesure complète."
    )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("quick", type=Path)
    parser.add_argument("full", type=Path)
    parser.add_argument("--tolerance", type=float, default=TOLERANCE)
    args = parser.parse_args()
    rows = compare(
        json.loads(args.quick.read_text()), json.loads(args.full.read_text()), args.tolerance
    )
    print(markdown(rows, args.tolerance))
    return 0 if rows and all(row["agrees"] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
