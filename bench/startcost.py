"""
Task start cost: the time from a task process's start to its ``execute()``.

**Emulated** (the target's figure), for a batch DAG's task against a DAG file of one ``EmptyOperator``. On Linux,
Airflow 3.3's LocalExecutor runs each task in a process ``os.fork()``-ed by its worker (itself forked from the
scheduler, so it holds Airflow's core, the executor and the supervisor). Up to ``execute()`` that process imports
the task runner (``_subprocess_main``), parses the task's DAG file with Airflow's parsing context of its dag id and
task id (``task_runner.parse``: the bundle, then a ``BundleDagBag`` of the one file; for a batch file only that
batch's DAG is built), finds the task and prepares it (``prepare_for_execution``). This module does the same: a
parent interpreter imports what the worker holds and freezes its heap (``gc.freeze()``, as the executor does
before it forks), then forks one child per repetition; the child runs ``task_runner.parse`` itself, on a
``StartupDetails`` message like the supervisor's, and times fork → task ready (median of the repetitions). What
it leaves out costs every task the same whatever its DAG file: the supervisor's ``ti.start`` call and startup
message, and the API calls of ``_prepare`` (rendered fields; the XComs a templated argument pulls).

**From the real runs** (a cross-check, no target): for each task instance of a benchmark run, its ``start_date``
(the supervisor stamps it right after the fork) to the ``::endgroup::`` line the task runner logs just before it
calls ``execute()``, read from the task's log file (first attempts only; a resumed wait counts its first start).

``python -m bench.startcost`` prints the emulated figures as JSON.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import PYTHON, ROOT, clean_env, in_fork, median, ms, parse_time

#: The batch DAG's task whose start is timed (the first of the chain; every task parses the same file), in the DAG of
#: the last batch file (:func:`bench.parse.last_batch_dag_id`).
BATCH_TASK = ("validate_request", "import_batches.py")
MANUAL_TASK = ("hosted_messaging_import", "validate_request", "hosted_messaging_import.py")
BASELINE_TASK = ("bench_baseline", "noop", "bench_baseline.py")
#: A batch task's start cost at most this much above the baseline's (ratio).
TARGET_RATIO = 1.2
BATCH_FILES = 50
#: What a LocalExecutor worker holds when it forks a task process (it is forked from the scheduler).
WORKER_IMPORTS = (
    "airflow.jobs.scheduler_job_runner",
    "airflow.executors.local_executor",
    "airflow.sdk.execution_time.supervisor",
)


def _child(dag_id: str, task_id: str, rel_path: str, forked_at: float) -> dict[str, Any]:
    """In the forked task process: what the task runner does before ``execute()``; seconds since the fork."""
    import uuid
    from datetime import UTC, datetime

    import structlog
    from airflow.sdk.execution_time import task_runner  # what _subprocess_main imports first

    imported = time.perf_counter()
    from airflow.sdk.api.datamodels._generated import BundleInfo, TaskInstance, TIRunContext
    from airflow.sdk.execution_time.comms import StartupDetails

    msg = StartupDetails.model_construct(
        ti=TaskInstance.model_construct(
            id=uuid.uuid4(),
            dag_id=dag_id,
            task_id=task_id,
            run_id="bench",
            try_number=1,
            map_index=-1,
            dag_version_id=uuid.uuid4(),
        ),
        dag_rel_path=rel_path,
        bundle_info=BundleInfo(name="dags-folder", version=None),
        ti_context=TIRunContext.model_construct(max_tries=0),
        start_date=datetime.now(UTC),
        sentry_integration="",
    )
    with task_runner._airflow_parsing_context_manager(dag_id=dag_id, task_id=task_id):
        ti = task_runner.parse(msg, structlog.get_logger("bench.startcost"))
    task = ti.task.prepare_for_execution()
    done = time.perf_counter()
    return {
        "seconds": done - forked_at,
        "import_task_runner_seconds": imported - forked_at,
        "operator": type(task).__name__,
    }


def _worker(dag_id: str, task_id: str, rel_path: str, reps: int) -> dict[str, Any]:
    """In a fresh interpreter: be the executor's worker, fork a task process per repetition."""
    import gc
    import importlib
    import logging

    import structlog

    logging.disable(logging.WARNING)
    structlog.configure(logger_factory=structlog.ReturnLoggerFactory())  # the task's log lines: not measured
    for name in WORKER_IMPORTS:
        importlib.import_module(name)
    gc.freeze()
    runs = []
    for _ in range(reps):
        forked_at = time.perf_counter()  # CLOCK_MONOTONIC: the same clock in the child
        runs.append(in_fork(lambda at=forked_at: _child(dag_id, task_id, rel_path, at)))
    errors = [r["error"] for r in runs if "error" in r]
    if errors:
        raise RuntimeError(errors[0])
    return {
        "seconds": [r["seconds"] for r in runs],
        "import_task_runner_seconds": [r["import_task_runner_seconds"] for r in runs],
        "operator": runs[0]["operator"],
    }


def _run_worker(case: tuple[str, str, str], folder: Path, reps: int, env: dict[str, str]) -> dict[str, Any]:
    dag_id, task_id, rel_path = case
    code = (
        "import json; from bench.startcost import _worker; "
        f"print(json.dumps(_worker({dag_id!r}, {task_id!r}, {rel_path!r}, {reps})))"
    )
    env = env | {"AIRFLOW__CORE__DAGS_FOLDER": str(folder)}
    proc = subprocess.run([PYTHON, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"start-cost worker for {rel_path} failed:\n{proc.stderr[-4000:]}")
    raw = json.loads(proc.stdout.strip().splitlines()[-1])
    return {
        "dag_id": dag_id,
        "task_id": task_id,
        "file": rel_path,
        "operator": raw["operator"],
        "start_ms": ms(median(raw["seconds"])),
        "min_ms": ms(min(raw["seconds"])),
        "max_ms": ms(max(raw["seconds"])),
        "import_task_runner_ms": ms(median(raw["import_task_runner_seconds"])),
    }


def measure(reps: int = 7, workdir: Path | None = None, batch_files: int = BATCH_FILES) -> dict[str, Any]:
    """The start cost of a batch DAG task, of the manual import DAG's, and of the baseline's (one EmptyOperator)."""
    from bench.parse import BASELINE_DAG, SHAPE_DAG_ID, SHAPE_FILE, last_batch_dag_id, write_batches, write_shape_file

    workdir = Path(workdir or tempfile.mkdtemp(prefix="bench-startcost-"))
    baseline = workdir / "baseline"
    baseline.mkdir(parents=True, exist_ok=True)
    (baseline / BASELINE_TASK[2]).write_text(BASELINE_DAG)
    shape = write_shape_file(workdir / "shape").parent
    batches = write_batches(workdir / "batches", batch_files)
    env = clean_env(
        AIRFLOW_HOME=str(workdir / "home"),
        AIRFLOW__CORE__PLUGINS_FOLDER=str(ROOT / "plugins"),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__CORE__UNIT_TEST_MODE="False",
        BANDWIDTH_BATCH_FOLDER=str(batches),
    )
    started = time.monotonic()
    base = _run_worker(BASELINE_TASK, baseline, reps, env)
    batch = _run_worker((last_batch_dag_id(batch_files), *BATCH_TASK), ROOT / "dags", reps, env)
    manual = _run_worker(MANUAL_TASK, ROOT / "dags", reps, env)
    # Airflow's floor: a task of a file of as many DAGs of the batch DAG's shape, of Airflow's own parts
    floor = _run_worker(
        (SHAPE_DAG_ID, "validate_request", SHAPE_FILE), shape, reps, env | {"BENCH_SHAPE_DAGS": str(batch_files)}
    )
    ratio = round(batch["start_ms"] / base["start_ms"], 2) if base["start_ms"] else None
    return {
        "method": "fork from a parent holding the LocalExecutor worker's imports; task_runner.parse() "
        "with the task's parsing context, then prepare_for_execution()",
        "reps": reps,
        "batch_files": batch_files,
        "baseline": base,
        "batch_task": batch,
        "manual_task": manual,
        "shape_floor_task": floor,
        "batch_above_shape_floor_ms": round(batch["start_ms"] - floor["start_ms"], 1),
        "shape_floor_over_baseline_ratio": round(floor["start_ms"] / base["start_ms"], 2) if base["start_ms"] else None,
        "batch_over_baseline_ratio": ratio,
        "batch_above_baseline_ms": round(batch["start_ms"] - base["start_ms"], 1),
        "target_ratio": TARGET_RATIO,
        "pass": ratio is not None and ratio <= TARGET_RATIO,
        "seconds": round(time.monotonic() - started, 1),
    }


# ------------------------------------------------------------------------------------ from the real runs


def _first_endgroup(log_file: Path) -> float | None:
    """Epoch seconds of the first ``::endgroup::`` line (the task runner's last line before ``execute()``)."""
    try:
        with log_file.open() as handle:
            for line in handle:
                if '"::endgroup::"' not in line:
                    continue
                try:
                    return parse_time(json.loads(line).get("timestamp"))
                except ValueError:
                    continue
    except OSError:
        return None
    return None


def from_task_logs(home: Path, dag_id: str, run_id: str, tis: list[dict[str, Any]]) -> dict[str, Any]:
    """Start → ``execute()`` of each first-attempt task instance of a run, from its ``start_date`` and task log."""
    folder = Path(home) / "logs" / f"dag_id={dag_id}" / f"run_id={run_id}"
    per_task: dict[str, list[float]] = {}
    for ti in tis:
        start = parse_time(ti.get("start_date"))
        if start is None or ti.get("try_number", 1) != 1:
            continue
        index = ti.get("map_index", -1)
        log_file = folder / f"task_id={ti['task_id']}"
        log_file = (log_file / f"map_index={index}" if index >= 0 else log_file) / "attempt=1.log"
        ended = _first_endgroup(log_file)
        if ended is not None:
            per_task.setdefault(ti["task_id"], []).append(ended - start)
    every = [s for values in per_task.values() for s in values]
    return {
        "task_instances": len(every),
        "median_ms": ms(median(every)) if every else None,
        "max_ms": ms(max(every)) if every else None,
        "by_task_median_ms": {task: ms(median(values)) for task, values in sorted(per_task.items())},
    }


if __name__ == "__main__":
    print(json.dumps(measure(), indent=2))
