"""Helpers of the deployment tests: the ``make airflow`` launcher as an importable module."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def load_launcher():
    """``scripts/airflow_local.py`` as the module ``airflow_local`` (scripts/ is not a package)."""
    if "airflow_local" not in sys.modules:
        spec = importlib.util.spec_from_file_location("airflow_local", ROOT / "scripts" / "airflow_local.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["airflow_local"] = module
        spec.loader.exec_module(module)
    return sys.modules["airflow_local"]


#: Seconds a test deployment's components get to end on SIGTERM before SIGKILL. Nothing of a test's is left to
#: save by then, and on two loaded cores a graceful stop of every component took 9 to 13 s a deployment.
STOP_GRACE = 2.0


@contextmanager
def running(af: Any, timeout: float = 150) -> Iterator[Any]:
    """Start ``af`` (a ``LocalAirflow``), print its component logs if it cannot start, stop it at the end
    (:data:`STOP_GRACE`)."""
    try:
        af.start(timeout=timeout)
    except BaseException:
        print(af.logs_tails())  # shown with the setup error
        raise
    try:
        yield af
    finally:
        af.stop(grace=STOP_GRACE)


#: The test deployments share two cores with the rest of the suite, where a component can be starved for tens of
#: seconds. Airflow 3.3's watchdog of the trigger runner (``[triggerer] runner_health_check_threshold``, 30 s) takes
#: a runner silent that long for deadlocked and lets its triggers go to another triggerer, which reads their orders
#: once more (a SIGKILLed triggerer is still found by its missed heartbeat, ``triggerer_health_check_threshold``, as
#: the HA and reliability tests need); a task's supervisor gives up on an Execution API call after
#: ``[workers] execution_api_timeout`` (a browser test's first task failed so), which Airflow's docs say to raise
#: under high load. No test deployment's DAG files change while it runs: its DAG processor parses them once at start
#: (and a file again for each DAG callback), not every 30 s as by Airflow's default, which costs CPU the rest of the
#: suite needs.
LOADED_MACHINE_ENV = {
    "AIRFLOW__TRIGGERER__RUNNER_HEALTH_CHECK_THRESHOLD": "300",
    "AIRFLOW__WORKERS__EXECUTION_API_TIMEOUT": "60",
    "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "600",
}


def held_orders_airflow(home: Path, db_template: Path, **extra_env: str) -> Any:
    """A ``LocalAirflow`` on SQLite (LocalExecutor, parallelism 2, its database a copy of ``db_template``) whose
    sandbox orders stay open until a test completes them, with task retries after 1 s and ``extra_env`` on top."""
    return load_launcher().LocalAirflow(
        home,
        db_template=db_template,
        port=0,
        sandbox_port=0,
        parallelism=2,
        order_seconds=3600,
        extra_env={"AIRFLOW__CORE__DEFAULT_TASK_RETRY_DELAY": "1", **LOADED_MACHINE_ENV, **extra_env},
    )
