"""
DAG parse time of each file in ``dags/``, as the DAG processor sees it, with 1 and with 50 batch files.

The DAG processor (Airflow 3.3) parses a file in a child forked from its manager, which has Airflow and
the Airflow modules the file names already imported (``_pre_import_airflow_modules``); the child runs
``_parse_file``: ``BundleDagBag(file)`` then the serialisation of every DAG. This module does exactly
that: a worker process imports the processor, pre-imports as the manager does, then forks one child per
repetition and times ``_parse_file`` in it (median of the repetitions). Everything the file brings (our
``bandwidth`` package, requests, aiohttp, ...) is imported in each child, as in the real processor.

"Above Airflow": the same for a baseline file (one DAG, one ``EmptyOperator``, ``from airflow.sdk``) is
subtracted: what is left is what the file itself costs the processor beyond ``import airflow.sdk`` and
Airflow's own per-file work. For comparison, a cold start in fresh interpreters: ``import airflow.sdk``
alone, and the time to execute the file (``runpy``) right after it (no serialisation).

Batch files: generated, valid, 1,000 numbers each (a CSV beside each YAML), the sample LOA.

``python -m bench.parse`` prints the figures as JSON.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import LOA_FILE, PYTHON, ROOT, SUBSCRIBER, clean_env, in_fork, median, ms, numbers

DAGS = ROOT / "dags"
BATCH_COUNTS = (1, 50)
#: What Airflow itself costs the processor for a file: one DAG, one task, nothing of ours.
BASELINE_DAG = """from airflow.sdk import DAG
from airflow.providers.standard.operators.empty import EmptyOperator

with DAG(dag_id="bench_baseline", schedule=None, description="the parse baseline", tags=["bench"]):
    EmptyOperator(task_id="noop")
"""
#: Airflow's floor for the batch DAG file: DAGs of the batch DAG's shape and features (the same nine tasks, the
#: mapped task group, a Human-in-the-loop approval, the order asset as an inlet, the Deadline Alert, a page text
#: of the same length), built of Airflow's own parts only; ``BENCH_SHAPE_DAGS`` of them, and in a task process
#: (Airflow's parsing context) only its own, as ``import_batches.py`` does. What ours costs above it is ours.
SHAPE_FILE = "bench_shape.py"
SHAPE_DAG_ID = "bench_shape_000"
SHAPE_DAG = """import asyncio
import os
from datetime import timedelta

from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.providers.standard.operators.hitl import ApprovalOperator
from airflow.sdk import DAG, Asset, XComArg, get_parsing_context, task, task_group
from airflow.sdk.definitions.callback import AsyncCallback
from airflow.sdk.definitions.deadline import DeadlineAlert, DeadlineReference

ORDERS = Asset(name="bandwidth_importtnorders", uri="bandwidth://importtnorders")


def shape_dag(dag_id):
    alert = DeadlineAlert(
        reference=DeadlineReference.DAGRUN_QUEUED_AT,
        interval=timedelta(hours=24),
        callback=AsyncCallback(asyncio.sleep, kwargs={"delay": 0}),
        name="not_done",
    )
    with DAG(
        dag_id=dag_id,
        schedule=None,
        catchup=False,
        max_active_runs=1,
        default_args={"retries": 2, "retry_delay": timedelta(seconds=30)},
        tags=["bench", "batch"],
        doc_md="x" * 1500,
        deadline=alert,
    ) as dag:
        validate = EmptyOperator(task_id="validate_request")
        subscribe = EmptyOperator(task_id="ensure_subscription")
        check = EmptyOperator(task_id="check_importability")
        approve = ApprovalOperator(task_id="approve_orders", subject="Approve the import orders")

        @task_group(group_id="import_order")
        def import_order(chunk):
            @task(task_id="create")
            def create(chunk):
                return chunk

            create(chunk) >> EmptyOperator(task_id="wait", inlets=[ORDERS]) >> EmptyOperator(task_id="upload_loa")

        orders = import_order.expand(chunk=XComArg(approve))
        verify = EmptyOperator(task_id="verify_in_service", trigger_rule="all_done")
        validate >> [subscribe, check]
        [subscribe, check] >> approve
        orders >> verify >> EmptyOperator(task_id="report", trigger_rule="all_done")
    return dag


only = get_parsing_context().dag_id
for i in range(int(os.environ.get("BENCH_SHAPE_DAGS", "1"))):
    if only is None or only == f"bench_shape_{i:03d}":
        globals()[f"shape_{i}"] = shape_dag(f"bench_shape_{i:03d}")
"""
NUMBERS_PER_BATCH = 1000


def write_shape_file(folder: Path) -> Path:
    """:data:`SHAPE_DAG` as ``folder/bench_shape.py`` (its DAG count from ``BENCH_SHAPE_DAGS`` when parsed)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / SHAPE_FILE
    path.write_text(SHAPE_DAG)
    return path


TARGET_MS = 100.0


def last_batch_dag_id(count: int) -> str:
    """The DAG of the last of ``count`` batch files (:func:`write_batches`) in name order: a task process of that
    DAG reads every other file's name before it finds its own, the longest search."""
    return f"import_batch_bench_{count - 1:03d}"


def write_batches(folder: Path, count: int, per_batch: int = NUMBERS_PER_BATCH, chunk_size: int = 1000) -> Path:
    """``count`` valid batch files (YAML plus a CSV of ``per_batch`` numbers each) in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        name = f"bench_{i:03d}"
        (folder / f"{name}.csv").write_text(
            "number\n" + "\n".join(numbers(200 + i % 700, per_batch, 200 + i // 700)) + "\n"
        )
        (folder / f"{name}.yaml").write_text(
            "\n".join(
                [
                    f"name: {name}",
                    "schedule: null",
                    'site_id: "14413"',
                    f"customer_order_id_prefix: b{i:03d}",
                    "subscriber:",
                    f"  name: {SUBSCRIBER['subscriber_name']}",
                    f'  house_number: "{SUBSCRIBER["house_number"]}"',
                    f"  street_name: {SUBSCRIBER['street_name']}",
                    f"  city: {SUBSCRIBER['city']}",
                    f"  state_code: {SUBSCRIBER['state_code']}",
                    f'  zip: "{SUBSCRIBER["zip"]}"',
                    f"loa_authorizing_person: {SUBSCRIBER['loa_authorizing_person']}",
                    f"loa_file: {LOA_FILE}",
                    f"numbers_file: {name}.csv",
                    f"chunk_size: {chunk_size}",
                    "poll_interval: 60",
                    "",
                ]
            )
        )
    return folder


def _env(home: Path, batch_folder: Path) -> dict[str, str]:
    return clean_env(
        AIRFLOW_HOME=str(home),
        AIRFLOW__CORE__DAGS_FOLDER=str(DAGS),
        AIRFLOW__CORE__PLUGINS_FOLDER=str(ROOT / "plugins"),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__CORE__UNIT_TEST_MODE="False",
        BANDWIDTH_BATCH_FOLDER=str(batch_folder),
    )


# ------------------------------------------------------------------------------------------ the worker


def _worker(files: list[str], reps: int) -> dict[str, Any]:
    """In a fresh interpreter: be the DAG processor's manager, fork a parser per repetition of each file."""
    import gc
    import logging

    logging.disable(logging.WARNING)  # DagBag's info lines, a deprecation warning: not what is measured
    import structlog
    from airflow.dag_processing.processor import DagFileParseRequest, _parse_file, _pre_import_airflow_modules

    log = structlog.get_logger("bench.parse")
    results: dict[str, Any] = {}
    for file in files:
        _pre_import_airflow_modules(file, log)  # the manager does this before it forks the parser
        gc.freeze()  # and froze its heap at start-up, so a parser's collections never walk the parent's objects
        times, dags, errors = [], 0, {}
        for _ in range(reps):

            def parse_once(file: str = file) -> dict[str, Any]:  # in the parser child
                started = time.perf_counter()
                result = _parse_file(
                    DagFileParseRequest(
                        file=file, bundle_path=Path(file).parent, bundle_name="dags-folder", callback_requests=[]
                    ),
                    log,
                )
                return {
                    "seconds": time.perf_counter() - started,
                    "dags": len(result.serialized_dags) if result else 0,
                    "errors": dict(result.import_errors or {}) if result else {},
                }

            payload = in_fork(parse_once)
            times.append(payload["seconds"])
            dags, errors = payload["dags"], payload["errors"]
        results[file] = {"seconds": times, "dags": dags, "import_errors": errors}
    return results


def _cold(code: str, env: dict[str, str]) -> float:
    out = subprocess.run([PYTHON, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


SDK_ONLY = "import time; t = time.perf_counter(); import airflow.sdk; print(time.perf_counter() - t)"
SDK_THEN_FILE = (
    "import runpy, sys, time; sys.path[:0] = [{plugins!r}, {dags!r}]; import airflow.sdk; "
    "t = time.perf_counter(); runpy.run_path({file!r}); print(time.perf_counter() - t)"
)


def _run_worker(files: list[str], reps: int, env: dict[str, str]) -> dict[str, Any]:
    """:func:`_worker` in a fresh interpreter with ``env``; its figures per file."""
    code = f"import json; from bench.parse import _worker; print(json.dumps(_worker({files!r}, {reps})))"
    proc = subprocess.run([PYTHON, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"parse worker failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def measure(
    reps: int = 5,
    cold_reps: int = 3,
    workdir: Path | None = None,
    files: list[str] | None = None,
    batch_counts: tuple[int, ...] = BATCH_COUNTS,
) -> dict[str, Any]:
    """
    Parse figures of every DAG file (or ``files``) with 1 and 50 batch files (or ``batch_counts``), and the
    cost of ``import airflow.sdk``.
    """
    workdir = Path(workdir or tempfile.mkdtemp(prefix="bench-parse-"))
    baseline = workdir / "baseline" / "bench_baseline.py"
    baseline.parent.mkdir(parents=True, exist_ok=True)
    baseline.write_text(BASELINE_DAG)
    shape = write_shape_file(workdir / "shape")
    files = sorted(str(p) for p in DAGS.glob("*.py")) if files is None else [str(DAGS / f) for f in files]
    started = time.monotonic()
    out: dict[str, Any] = {
        "method": "fork from a parent holding the DAG processor's imports, then _parse_file (DagBag + serialisation)",
        "reps": reps,
        "numbers_per_batch_file": NUMBERS_PER_BATCH,
    }
    sdk_env = _env(workdir / "home", workdir / "batches-1")
    out["import_airflow_sdk_ms"] = ms(median(_cold(SDK_ONLY, sdk_env) for _ in range(cold_reps)))
    per_count: dict[str, Any] = {}
    for count in batch_counts:
        folder = write_batches(workdir / f"batches-{count}", count)
        env = _env(workdir / "home", folder) | {"BENCH_SHAPE_DAGS": str(count)}
        raw = _run_worker([str(baseline), str(shape), *files], reps, env)
        base_ms = ms(median(raw.pop(str(baseline))["seconds"]))
        floor = raw.pop(str(shape))
        floor_ms = ms(median(floor["seconds"]))
        rows: dict[str, Any] = {}
        for file, r in raw.items():
            parse_ms = ms(median(r["seconds"]))
            cold = None
            if count == batch_counts[-1]:
                code = SDK_THEN_FILE.format(plugins=str(ROOT / "plugins"), dags=str(DAGS), file=file)
                cold = ms(median(_cold(code, env) for _ in range(cold_reps)))
            rows[Path(file).name] = {
                "parse_ms": parse_ms,
                "above_airflow_ms": round(parse_ms - base_ms, 1),
                "min_ms": ms(min(r["seconds"])),
                "max_ms": ms(max(r["seconds"])),
                "exec_after_sdk_cold_ms": cold,
                "dags": r["dags"],
                "import_errors": len(r["import_errors"]),
            }
        per_count[str(count)] = {
            "baseline_ms": base_ms,
            "shape_floor": {
                "file": SHAPE_FILE,
                "dags": floor["dags"],
                "import_errors": len(floor["import_errors"]),
                "parse_ms": floor_ms,
                "above_airflow_ms": round(floor_ms - base_ms, 1),
            },
            "files": rows,
        }
    out["batch_files"] = per_count
    # A task process parses the batch DAG file again with its DAG id in Airflow's parsing context: one DAG is built.
    count = batch_counts[-1]
    batches_file = str(DAGS / "import_batches.py")
    if batches_file in files:
        env = _env(workdir / "home", workdir / f"batches-{count}") | {
            "_AIRFLOW_PARSING_CONTEXT_DAG_ID": last_batch_dag_id(count)
        }
        raw = _run_worker([str(baseline), batches_file], reps, env)
        base_ms = ms(median(raw[str(baseline)]["seconds"]))
        task_ms = ms(median(raw[batches_file]["seconds"]))
        env |= {"_AIRFLOW_PARSING_CONTEXT_DAG_ID": SHAPE_DAG_ID, "BENCH_SHAPE_DAGS": str(count)}
        floor = _run_worker([str(shape)], reps, env)[str(shape)]
        floor_ms = ms(median(floor["seconds"]))
        out["task_process_parse"] = {
            "file": "import_batches.py",
            "batch_files": count,
            "dags_built": raw[batches_file]["dags"],
            "parse_ms": task_ms,
            "above_airflow_ms": round(task_ms - base_ms, 1),
            "shape_floor": {
                "dags_built": floor["dags"],
                "parse_ms": floor_ms,
                "above_airflow_ms": round(floor_ms - base_ms, 1),
            },
        }
    last = per_count[str(batch_counts[-1])]["files"]
    worst = max(last, key=lambda name: last[name]["above_airflow_ms"])
    out["worst_file_50_batches"] = {"file": worst, "batch_files": batch_counts[-1], **last[worst]}
    out["target_ms"] = TARGET_MS
    out["seconds"] = round(time.monotonic() - started, 1)
    return out


if __name__ == "__main__":
    print(json.dumps(measure(), indent=2))
