"""
The units of real components on the xdist workers (``tests/conftest.py``): a module that starts Airflow's
components is in one of them, so that no more than two Airflows share the machine's cores; a module that starts none
is a unit of its own, so that it runs beside them.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import _COMPONENT_UNITS, ROOT, _scope_of

#: What a test module (or its folder's conftest) does when it starts components: a local Airflow through
#: ``tests/deployment/helpers.running``, or Airflow's DAG processor as a command.
STARTS_COMPONENTS = ("running(", '"dag-processor"')
#: The bench's quick run (``tests/bench/quick.py``) starts a local Airflow unless it skips the pipeline phase.
QUICK_BENCH_WITH_PIPELINE = re.compile(r"run_quick_bench\((?![^)]*\"pipeline\")[^)]*\)")
#: The HA test runs alone (``make test-ha``), never beside the units.
HA_MODULE = re.compile(r"^pytestmark = .*pytest\.mark\.ha\b", re.MULTILINE)


def _starts_components(module: Path) -> bool:
    folders = [p for p in module.parents if p.is_relative_to(ROOT / "tests")]
    texts = [module.read_text()] + [(f / "conftest.py").read_text() for f in folders if (f / "conftest.py").exists()]
    return any(marker in text for text in texts for marker in STARTS_COMPONENTS) or bool(
        QUICK_BENCH_WITH_PIPELINE.search(texts[0])
    )


def _modules() -> list[Path]:
    own = Path(__file__).resolve()  # this file names the markers it looks for
    return [p for p in (ROOT / "tests").rglob("test_*.py") if p != own and not HA_MODULE.search(p.read_text())]


def test_every_module_that_starts_components_is_in_a_unit_of_real_components():
    units = set(_COMPONENT_UNITS.values())
    starters = [p.relative_to(ROOT).as_posix() for p in _modules() if _starts_components(p)]
    # the markers still find what they look for
    assert {"tests/deployment/test_integration.py", "tests/bench/test_bench_smoke.py"} <= set(starters)
    assert [m for m in starters if _scope_of(m) not in units] == []


def test_a_deployment_module_that_starts_nothing_runs_beside_the_units():
    units = set(_COMPONENT_UNITS.values())
    idle = [p.relative_to(ROOT).as_posix() for p in _modules() if not _starts_components(p)]
    assert {"tests/deployment/test_compose.py", "tests/bench/test_bench_offline.py"} <= set(idle)
    assert "tests/deployment/test_ha.py" not in [p.relative_to(ROOT).as_posix() for p in _modules()]
    assert [m for m in idle if m.startswith("tests/deployment/") and _scope_of(m) in units] == []
