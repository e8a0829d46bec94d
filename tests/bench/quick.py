"""The bench's quick run as the bench tests start it: ``python -m bench.run --quick`` with some phases skipped."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.conftest import ROOT


def run_quick_bench(out: Path, *skips: str) -> tuple[dict[str, Any], str]:
    """Run ``bench.run --quick --skip-parse`` with ``skips`` (``"triggerer"`` for ``--skip-triggerer``...), writing
    into ``out``; check it succeeded and that its JSON on stdout is its ``last.json``; return that and its stderr."""
    flags = [f"--skip-{name}" for name in ("parse", *skips)]
    done = subprocess.run(
        [sys.executable, "-m", "bench.run", "--quick", *flags, "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    figures = json.loads(done.stdout)
    assert figures == json.loads((out / "last.json").read_text())
    return figures, done.stderr
