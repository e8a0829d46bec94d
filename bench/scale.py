"""
100,000 numbers in one batch file, without Airflow's components: each task's work and XComs at N numbers.

For each N (10,000, 50,000, 100,000 by default) the tasks of one import run are done one after another as
:mod:`bench.scale_inputs` describes (the product's operators and parsers; values crossing tasks serialised as
XComs), each in a process of its own forked from a parent that has imported everything (so every step starts from
the same heap, as a task process forked by its worker does):

- **the report task** writing N rows: ``ReportOperator.execute`` (pulling every upstream XCom, writing the CSV and
  the JSON, building the table for the log) and the push of its value; seconds. Target: < 30 s at 100,000.
- **the largest XCom value** each task pushes, in bytes as stored (``serde`` then JSON), and per number.
- **peak RSS** of each step (``ru_maxrss`` of its process) above the interpreter baseline (a process forked the
  same way that does nothing), and per number.
- **the status page** of that run, cold: a fresh process (a new ``ReportStore``, nothing read yet; Airflow's and
  our modules imported and SQLAlchemy's mappers configured, as in an API server) answering the page's first
  request (``views.page_load``: the overview, then the run's first page of rows), reading the N-row
  ``report.json``; then warm (the store's cache in place). Target: cold < 1 s at 100,000.

Growth must be no more than linear: a task's bytes per number, and a step's RSS per number, at the largest N at
most 1.1 × those at the smallest N.

``python -m bench.scale`` prints the figures as JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import LOA_FILE, PYTHON, ROOT, clean_env, in_fork
from bench.parse import write_batches

SIZES = (10_000, 50_000, 100_000)
#: Numbers per order: the largest the contract allows (20 orders for 100,000 numbers).
CHUNK_SIZE = 5000
REPORT_TARGET_S = 30.0
STATUS_PAGE_TARGET_MS = 1000.0
LINEAR_TARGET = 1.1
#: Steps in run order; ``import_order`` is every mapped order task's values at once (not one task: no RSS target).
STEPS = (
    "validate_request",
    "check_importability",
    "approve_orders",
    "import_order",
    "verify_in_service",
    "report",
    "status_page",
)
RSS_STEPS = ("validate_request", "check_importability", "approve_orders", "verify_in_service", "report", "status_page")
#: Tasks whose values grow with N (the mapped ones are bounded by the chunk size).
GROWING = ("validate_request", "check_importability", "approve_orders", "verify_in_service", "report")


def _do(step: str, size: int, workdir: Path) -> dict[str, Any]:
    """One step at ``size`` numbers, in the forked child: its own figures."""
    from bench import scale_inputs as si

    folder = workdir / f"xcoms-{size}"
    run_id = f"scale__{size}"
    os.environ["AIRFLOW__BANDWIDTH__REPORT_BASE"] = f"file://{workdir / f'reports-{size}'}"
    started = time.perf_counter()
    out: dict[str, Any] = {}
    if step == "import_order":
        si.import_orders(folder)
    elif step == "status_page":
        from airflow.utils.session import create_session

        from bandwidth_hosted_messaging.status import views
        from bandwidth_hosted_messaging.status.store import ReportStore

        store = ReportStore(scan_interval=0)
        with create_session() as session:
            page = views.page_load(si.DAG_ID, run_id, reports=store, session=session)
            cold = time.perf_counter() - started
            warm_started = time.perf_counter()
            views.page_load(si.DAG_ID, run_id, reports=store, session=session)
            out["warm_ms"] = round((time.perf_counter() - warm_started) * 1000, 1)
        out["cold_ms"] = round(cold * 1000, 1)
        out["rows_total"] = page["run"].get("total")
        out["rows_on_page"] = len(page["run"].get("rows") or [])
    else:
        ctx = si.context(folder, step, run_id)
        if step == "validate_request":
            value = si.validate_request(ctx, workdir / f"batch-{size}" / "bench_000.yaml")
        else:
            value = getattr(si, step)(ctx)
        if value is not None:
            ctx["ti"].xcom_push("return_value", value)  # the task runner pushes the return value
    out["seconds"] = round(time.perf_counter() - started, 2)
    return out


def _worker(sizes: list[int], workdir: str) -> dict[str, Any]:
    """In a fresh interpreter: import everything once, then fork one process per step and size."""
    import gc
    import logging
    import resource

    logging.disable(logging.WARNING)
    # What every step's process holds before it starts: Airflow, the operators, the status page's modules.
    import airflow.models
    import airflow.sdk  # noqa: F401
    from airflow.utils.session import create_session  # noqa: F401
    from sqlalchemy.orm import configure_mappers

    from bandwidth_hosted_messaging.operators import approval, plan, report, request  # noqa: F401
    from bandwidth_hosted_messaging.status import views  # noqa: F401
    from bench import scale_inputs

    configure_mappers()  # the API server did this long before it serves the page (~0.7 s in the first query)

    root = Path(workdir)
    gc.collect()
    gc.freeze()

    def forked(step: str | None, size: int) -> dict[str, Any]:
        def work() -> dict[str, Any]:
            try:
                payload = _do(step, size, root) if step else {}
            except BaseException as err:  # reported to the parent, which raises
                return {"error": f"{step} at {size}: {type(err).__name__}: {err}"}
            payload["maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            return payload

        result = in_fork(work)
        if "error" in result:
            raise RuntimeError(result["error"])
        return result

    baseline = forked(None, 0)["maxrss_kb"]
    steps = {str(size): {step: forked(step, size) for step in STEPS} for size in sizes}
    xcoms = {str(size): scale_inputs.largest_values(root / f"xcoms-{size}") for size in sizes}
    return {"baseline_maxrss_kb": baseline, "steps": steps, "xcoms": xcoms}


def _ratio(values: dict[str, float | None], sizes: list[int]) -> float | None:
    first, last = values.get(str(sizes[0])), values.get(str(sizes[-1]))
    return round(last / first, 3) if first and last is not None else None


def measure(sizes: tuple[int, ...] = SIZES, workdir: Path | None = None) -> dict[str, Any]:
    """The scale figures at each of ``sizes`` (see the module's docstring)."""
    workdir = Path(workdir or tempfile.mkdtemp(prefix="bench-scale-"))
    home = workdir / "home"
    home.mkdir(parents=True, exist_ok=True)
    env = clean_env(
        AIRFLOW_HOME=str(home),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__CORE__UNIT_TEST_MODE="False",
        AIRFLOW__CORE__PLUGINS_FOLDER=str(ROOT / "plugins"),
        AIRFLOW__BANDWIDTH__LOA_ROOTS=str(LOA_FILE.parent),
    )
    started = time.monotonic()
    # The status page reads the runs of the metadata database too: an empty one.
    init = subprocess.run(
        [PYTHON, "-c", "from airflow.utils import db; db.initdb()"], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if init.returncode != 0:
        raise RuntimeError(f"creating the scale bench's metadata DB failed:\n{init.stderr[-3000:]}")
    sizes_list = sorted(sizes)
    for size in sizes_list:  # here, so that the worker's heap holds imports only
        (workdir / f"xcoms-{size}").mkdir(parents=True, exist_ok=True)
        write_batches(workdir / f"batch-{size}", 1, per_batch=size, chunk_size=CHUNK_SIZE)
    code = f"import json; from bench.scale import _worker; print(json.dumps(_worker({sizes_list!r}, {str(workdir)!r})))"
    proc = subprocess.run([PYTHON, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"scale worker failed:\n{proc.stderr[-4000:]}")
    raw = json.loads(proc.stdout.strip().splitlines()[-1])
    baseline_kb = raw["baseline_maxrss_kb"]
    per_size: dict[str, Any] = {}
    for size in sizes_list:
        key = str(size)
        steps = raw["steps"][key]
        xcoms = raw["xcoms"][key]
        per_size[key] = {
            "report_seconds": steps["report"]["seconds"],
            "status_page": {
                k: steps["status_page"].get(k) for k in ("cold_ms", "warm_ms", "rows_total", "rows_on_page")
            },
            "xcoms": {
                task: {**x, "bytes_per_number": round(x["largest_bytes"] / size, 1)} for task, x in xcoms.items()
            },
            "steps": {
                step: {
                    "seconds": s["seconds"],
                    "maxrss_mb": round(s["maxrss_kb"] / 1024, 1),
                    "rss_above_baseline_mb": round((s["maxrss_kb"] - baseline_kb) / 1024, 1),
                    "rss_bytes_per_number": round((s["maxrss_kb"] - baseline_kb) * 1024 / size, 1),
                }
                for step, s in steps.items()
            },
        }
        largest = max(xcoms, key=lambda t: xcoms[t]["largest_bytes"])
        per_size[key]["largest_xcom"] = {"task": largest, "bytes": xcoms[largest]["largest_bytes"]}
    xcom_growth = {
        task: _ratio({k: v["xcoms"][task]["bytes_per_number"] for k, v in per_size.items()}, sizes_list)
        for task in GROWING
    }
    rss_growth = {
        step: _ratio({k: v["steps"][step]["rss_bytes_per_number"] for k, v in per_size.items()}, sizes_list)
        for step in RSS_STEPS
    }
    top = per_size[str(sizes_list[-1])]
    return {
        "method": "the product's operators and parsers on XCom-shaped values, one forked process per step",
        "sizes": sizes_list,
        "chunk_size": CHUNK_SIZE,
        "baseline_rss_mb": round(baseline_kb / 1024, 1),
        "per_size": per_size,
        "xcom_growth": xcom_growth,
        "rss_growth": rss_growth,
        "linear_target": LINEAR_TARGET,
        "xcom_linear": len(sizes_list) > 1 and all(r is not None and r <= LINEAR_TARGET for r in xcom_growth.values()),
        "rss_linear": len(sizes_list) > 1 and all(r is not None and r <= LINEAR_TARGET for r in rss_growth.values()),
        "report_target_seconds": REPORT_TARGET_S,
        "report_pass": top["report_seconds"] < REPORT_TARGET_S,
        "status_page_target_ms": STATUS_PAGE_TARGET_MS,
        "status_page_pass": (top["status_page"]["cold_ms"] or float("inf")) < STATUS_PAGE_TARGET_MS,
        "seconds": round(time.monotonic() - started, 1),
    }


if __name__ == "__main__":
    print(json.dumps(measure(), indent=2))
