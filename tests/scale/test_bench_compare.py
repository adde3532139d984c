"""bench/compare.py: a quick run's ratios read against a full run's, as a person runs it."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(tmp_path, quick: dict[str, float], full: dict[str, float]):
    files = []
    for name, ratios in (("quick", quick), ("full", full)):
        pages = [{"name": "vue minimale (référence)"}] + [
            {"name": page, "paired": {"p95_ratio": ratio}} for page, ratio in ratios.items()
        ]
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps({"pages": pages}))
        files.append(str(path))
    return subprocess.run(
        [sys.executable, str(ROOT / "bench" / "compare.py"), *files],
        capture_output=True,
        text=True,
        check=False,
    )


def test_ratios_within_twenty_percent_agree(tmp_path):
    result = _run(tmp_path, {"accueil": 1.9, "liste": 1.5}, {"accueil": 1.7, "liste": 1.6})

    assert result.returncode == 0, result.stdout
    assert "| accueil | 1,90 | 1,70 | +12 % |" in result.stdout
    assert "2 page(s) sur 2" in result.stdout


def test_a_page_beyond_twenty_percent_fails_and_is_marked(tmp_path):
    result = _run(tmp_path, {"accueil": 2.4, "liste": 1.5}, {"accueil": 1.7, "liste": 1.6})

    assert result.returncode == 1
    assert "| accueil | 2,40 | 1,70 | +41 % ❌ |" in result.stdout
    assert "1 page(s) sur 2" in result.stdout
