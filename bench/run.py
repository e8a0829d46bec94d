"""
``make bench``: the pipeline against its floor and against two plain scripts, on the sandbox.

1. DAG parse time of every file in ``dags/`` as the DAG processor sees it (1 and 50 batch files), and a task's
   start cost (process start to ``execute()``) for a batch DAG against a one-EmptyOperator DAG file
   (:mod:`bench.startcost`).
2. 100,000 numbers in one batch file without the components (:mod:`bench.scale`): the report task, each task's
   largest XCom, peak RSS per step, the status page cold.
3. Airflow's real components (SQLite, LocalExecutor) and the sandbox as processes; then, side by side,
   ``hosted_messaging_import`` for 100, 1,000 and 10,000 numbers (one run after another) and two scripts for the
   same batches (each in a thread, on the same sandbox, at the same time): the sequential one and the concurrent
   one (:mod:`bench.peers`). Wall time from the trigger to the end of the report, the sandbox's processing time of
   the same orders (the floor), API calls per endpoint against the minimum, polls against the poll schedule,
   worker slots held while waiting, each task's start to ``execute()`` from its log. ``--scale-pipeline`` adds
   one 100,000-number batch through the pipeline (its API calls against the minimum).
4. Resume latency of the order waits with callbacks on and lost.
5. The triggerer with 10,000 orders waited on at once: memory and CPU per waiting order.

Prints one JSON document on stdout and a short table on stderr; both are kept under ``.airflow/bench/``
(``last.json``, ``last.md``). ``--quick`` is the smoke run of the tests (100 numbers, 50 waiting orders, small
scale sizes).
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import calls, inventory, parse, resume, scale, startcost, triggerer, walltime
from bench.airflow import SandboxAdmin, start_airflow
from bench.common import ROOT, log
from bench.peers import ScriptRuns
from bench.tables import table
from bench.targets import targets

OUT = ROOT / ".airflow" / "bench"
#: The opt-in ``--scale-pipeline`` run: numbers per order and its first area code.
SCALE_PIPELINE_CHUNK = 5000
SCALE_PIPELINE_NPA = 600


def machine() -> dict[str, Any]:
    import os

    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "?")
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    mem_kb = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal"))
    from importlib.metadata import version

    return {
        "nproc": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "cpu": model,
        "python": platform.python_version(),
        "airflow": version("apache-airflow"),
        "kernel": platform.release(),
    }


def batch_figures(
    repeats: list[tuple[dict[str, Any], dict[str, Any]]], seq: dict[str, Any] | None, con: dict[str, Any] | None
) -> dict[str, Any]:
    """One batch size: the figures of its median run (by wall time), the wall times of every repetition."""
    ordered = sorted(repeats, key=lambda r: r[0]["wall_seconds"])
    run, analysis = ordered[len(ordered) // 2]
    floor = run["floor"]["floor_seconds"]
    seq_wall = (seq or {}).get("wall_seconds")
    con_wall = (con or {}).get("wall_seconds_median")
    return {
        "numbers": run["size"],
        "repetitions": len(repeats),
        "wall_seconds_each": [r[0]["wall_seconds"] for r in repeats],
        "over_floor_seconds_each": [round(r[0]["wall_seconds"] - r[0]["floor"]["floor_seconds"], 1) for r in repeats],
        "orders": run["floor"]["orders"],
        "order_statuses": run["floor"]["statuses"],
        "run_state": run["state"],
        "report_summary": run["report_summary"],
        "wall_seconds": run["wall_seconds"],
        "floor_seconds": floor,
        "over_floor_seconds": round(run["wall_seconds"] - floor, 1),
        "floor_detail": run["floor"],
        "sequential": seq,
        "sequential_wall_seconds": seq_wall,
        "speedup_vs_sequential": round(seq_wall / run["wall_seconds"], 2) if seq_wall else None,
        "concurrent": con,
        "concurrent_wall_seconds": con_wall,
        "over_concurrent_seconds": round(run["wall_seconds"] - con_wall, 1) if con_wall else None,
        "start_cost": run["start_cost"],
        "calls": analysis,
        "slots": run["slots"],
        "cpu_seconds_by_component": run["cpu_seconds"],
        "task_retries": run["task_tries"],
        "timeline": run["timeline"],
    }


def scale_pipeline(af: Any, admin: SandboxAdmin, size: int, poll_interval: float) -> dict[str, Any]:
    """One batch of ``size`` numbers (orders of 5,000) through the pipeline: its calls against the minimum."""
    log(f"scale pipeline: {size} numbers in one batch, orders of {SCALE_PIPELINE_CHUNK}")
    run = walltime.run_batch(
        af,
        admin,
        size,
        npa=SCALE_PIPELINE_NPA,
        chunk_size=SCALE_PIPELINE_CHUNK,
        poll_interval=poll_interval,
        timeout=1800.0,
    )
    return {
        "numbers": size,
        "orders": run["floor"]["orders"],
        "run_state": run["state"],
        "report_summary": run["report_summary"],
        "wall_seconds": run["wall_seconds"],
        "floor_seconds": run["floor"]["floor_seconds"],
        "calls": calls.analyse(run),
        "start_cost": run["start_cost"],
        "timeline": run["timeline"],
    }


def arguments(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description="The benchmark of the hosted-messaging import (make bench)")
    ap.add_argument("--sizes", default="100,1000,10000", help="batch sizes, comma-separated")
    ap.add_argument("--chunk-size", type=int, default=1000)
    ap.add_argument(
        "--poll-interval", type=float, default=2.0, help="seconds between status polls (pipeline and scripts)"
    )
    ap.add_argument("--order-seconds", type=float, default=20.0, help="sandbox: time of an order before its numbers")
    ap.add_argument(
        "--seconds-per-1000", type=float, default=5.0, help="sandbox: more seconds per 1,000 numbers in an order"
    )
    ap.add_argument("--parallelism", type=int, default=8, help="[core] parallelism (LocalExecutor workers)")
    ap.add_argument("--repeat-largest", type=int, default=3, help="runs of the largest batch (the median is reported)")
    ap.add_argument(
        "--waiting-orders", type=int, default=triggerer.WAITING_ORDERS, help="orders the triggerer waits on at once"
    )
    ap.add_argument("--trigger-poll-interval", type=float, default=triggerer.POLL_INTERVAL)
    ap.add_argument("--parse-reps", type=int, default=7)
    ap.add_argument("--start-cost-reps", type=int, default=7, help="forked task starts per DAG file (median)")
    ap.add_argument(
        "--scale-sizes", default=",".join(map(str, scale.SIZES)), help="numbers in the one batch file of bench.scale"
    )
    ap.add_argument(
        "--scale-pipeline",
        action="store_true",
        help="also run one batch of --scale-pipeline-size numbers through the pipeline (opt-in: long)",
    )
    ap.add_argument("--scale-pipeline-size", type=int, default=100_000)
    ap.add_argument(
        "--db",
        default=None,
        help="metadata DB URL of an existing, empty database (default: SQLite in the bench's Airflow home)",
    )
    ap.add_argument(
        "--no-warm-up",
        action="store_true",
        help="measure the first run after Airflow starts too (no 1-number warm-up run before the pipeline runs)",
    )
    ap.add_argument("--skip-parse", action="store_true")
    ap.add_argument("--skip-pipeline", action="store_true", help="no pipeline runs and no scripts (other phases only)")
    ap.add_argument("--skip-start-cost", action="store_true")
    ap.add_argument("--skip-scale", action="store_true")
    ap.add_argument("--skip-inventory", action="store_true", help="no 1,000,000-number inventory (bench/inventory.py)")
    ap.add_argument("--skip-triggerer", action="store_true")
    ap.add_argument("--skip-resume", action="store_true")
    ap.add_argument("--resume-orders", type=int, default=10, help="orders (one number each) per resume-latency run")
    ap.add_argument(
        "--lost-poll-interval", type=float, default=60.0, help="safety poll of the run whose callbacks are lost"
    )
    ap.add_argument(
        "--quick", action="store_true", help="smoke run: 100 numbers, short orders, 50 waiting orders, small scale"
    )
    ap.add_argument("--out", default=str(OUT))
    args = ap.parse_args(argv)
    if args.quick:
        args.sizes, args.order_seconds, args.seconds_per_1000 = "100", 3.0, 0.0
        args.waiting_orders, args.trigger_poll_interval, args.parse_reps, args.parallelism = 50, 5.0, 1, 4
        args.repeat_largest, args.start_cost_reps, args.scale_sizes = 1, 2, "1000,2000"
        args.resume_orders, args.lost_poll_interval = 3, 10.0
        args.scale_pipeline_size = min(args.scale_pipeline_size, 200)
    return args


def offline(args: argparse.Namespace, out: Path, figures: dict[str, Any]) -> None:
    """The measurements without Airflow's components: parse, task start cost, scale."""
    if not args.skip_parse:
        log("parse: every DAG file with 1 and 50 batch files")
        t = time.monotonic()
        quick = (
            {"files": ["hosted_messaging_import.py", "import_batches.py"], "batch_counts": (1, 5)} if args.quick else {}
        )
        figures["parse"] = parse.measure(
            reps=args.parse_reps, cold_reps=1 if args.quick else 3, workdir=out / "parse", **quick
        )
        figures["seconds"]["parse"] = round(time.monotonic() - t, 1)
    if not args.skip_start_cost:
        log("start cost: a task's start to execute(), batch DAG vs one EmptyOperator")
        t = time.monotonic()
        figures["start_cost"] = startcost.measure(
            reps=args.start_cost_reps,
            workdir=out / "startcost",
            batch_files=5 if args.quick else startcost.BATCH_FILES,
        )
        figures["seconds"]["start_cost"] = round(time.monotonic() - t, 1)
    if not args.skip_scale:
        sizes = tuple(int(n) for n in args.scale_sizes.split(","))
        log(f"scale: one batch file of {', '.join(f'{n:,}' for n in sizes)} numbers, task by task")
        t = time.monotonic()
        shutil.rmtree(out / "scale", ignore_errors=True)
        figures["scale"] = scale.measure(sizes=sizes, workdir=out / "scale")
        figures["seconds"]["scale"] = round(time.monotonic() - t, 1)
    if not args.skip_inventory and not args.quick:
        log("inventory: 1,000,000 numbers across 1,000 runs in SQLite; look-up, overview, health selection")
        t = time.monotonic()
        figures["inventory"] = inventory.measure(out)
        figures["seconds"]["inventory"] = round(time.monotonic() - t, 1)


#: The warm-up run's numbers (the pipeline runs take 300 and up, the scripts 400 and 450 and up).
WARM_UP_NPA = 299


def warm_up(af: Any, admin: SandboxAdmin, args: argparse.Namespace, figures: dict[str, Any]) -> None:
    """
    One run of one number before the measured runs (reported, not measured against a target): the first run after
    Airflow starts pays one-off costs of Airflow's that a running deployment paid long ago (the first task
    process's start, the triggerer's in-process execution API built on its first request), and the connection's
    first-run checks (its site, the callback subscription's creation).
    """
    log("pipeline: a warm-up run of 1 number (the first run after Airflow starts; not measured)")
    t = time.monotonic()
    run = walltime.run_batch(
        af,
        admin,
        1,
        npa=WARM_UP_NPA,
        chunk_size=args.chunk_size,
        poll_interval=args.poll_interval,
        seed_failures=False,
        first_run=True,
    )
    floor = run["floor"]["floor_seconds"]
    figures["warm_up"] = {
        "numbers": 1,
        "run_state": run["state"],
        "wall_seconds": run["wall_seconds"],
        "floor_seconds": floor,
        "over_floor_seconds": round(run["wall_seconds"] - floor, 1),
        "timeline": run["timeline"],
    }
    figures["seconds"]["warm_up"] = round(time.monotonic() - t, 1)
    log(f"pipeline: warm-up run in {run['wall_seconds']}s (floor {floor}s)")


def on_airflow(args: argparse.Namespace, af: Any, figures: dict[str, Any]) -> None:
    """The pipeline runs beside both scripts, then the resume latency and the triggerer."""
    sizes = [] if args.skip_pipeline else [int(s) for s in args.sizes.split(",")]
    admin = SandboxAdmin(af.sandbox_url)
    peers = {
        name: ScriptRuns(
            name,
            af.sandbox_url,
            admin,
            sizes,
            args.chunk_size,
            args.poll_interval,
            repeat_largest=args.repeat_largest if name == "concurrent" else 1,
        )
        for name in ("sequential", "concurrent")
    }
    if sizes and not args.no_warm_up:
        warm_up(af, admin, args, figures)
    t = time.monotonic()
    for thread in peers.values():
        thread.start()
    runs: dict[int, list[tuple[dict[str, Any], dict[str, Any]]]] = {}
    plan = [(size, 1) for size in sizes[:-1]] + [(sizes[-1], max(1, args.repeat_largest))] if sizes else []
    npa = 300
    for size, repeats in plan:
        for _ in range(repeats):
            run = walltime.run_batch(
                af,
                admin,
                size,
                npa=npa,
                chunk_size=args.chunk_size,
                poll_interval=args.poll_interval,
                first_run=npa == 300 and args.no_warm_up,
            )
            npa += 1
            runs.setdefault(size, []).append((run, calls.analyse(run)))
            log(f"pipeline: {size} numbers in {run['wall_seconds']}s (floor {run['floor']['floor_seconds']}s)")
    figures["seconds"]["pipeline_runs"] = round(time.monotonic() - t, 1)
    if args.scale_pipeline:
        t = time.monotonic()
        figures["scale_pipeline"] = scale_pipeline(af, admin, args.scale_pipeline_size, args.poll_interval)
        figures["seconds"]["scale_pipeline"] = round(time.monotonic() - t, 1)
    # The scripts' runs end first: the resume phase holds the sandbox's orders open for an hour.
    for name, thread in peers.items():
        thread.join(timeout=900)
        figures["seconds"][f"{name}_runs"] = thread.total_seconds()
    if not args.skip_resume:
        t = time.monotonic()
        figures["resume"] = resume.measure(
            af,
            admin,
            orders=args.resume_orders,
            lost_poll_interval=args.lost_poll_interval,
        )
        figures["seconds"]["resume"] = round(time.monotonic() - t, 1)
    if not args.skip_triggerer:
        t = time.monotonic()
        log(f"triggerer: {args.waiting_orders} orders waited on at once")
        figures["triggerer"] = triggerer.measure(
            af, admin, count=args.waiting_orders, poll_interval=args.trigger_poll_interval
        )
        figures["seconds"]["triggerer"] = round(time.monotonic() - t, 1)
    seq, con = peers["sequential"].results, peers["concurrent"].results
    if runs:
        figures["batches"] = {
            str(size): batch_figures(repeats, seq.get(size), con.get(size)) for size, repeats in runs.items()
        }


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    figures: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "config": {
            "sizes": [int(s) for s in args.sizes.split(",")],
            "chunk_size": args.chunk_size,
            "poll_interval_seconds": args.poll_interval,
            "sandbox_order_seconds": args.order_seconds,
            "sandbox_seconds_per_1000_numbers": args.seconds_per_1000,
            "parallelism": args.parallelism,
            "executor": "LocalExecutor",
            "metadata_db": "PostgreSQL" if args.db else "SQLite",
            "checker_rejects": "3 % (numbers ending 99, 89, 79)",
            "order_failures": "1 % of the numbers of every third order (those orders end PARTIAL)",
            "waiting_orders": args.waiting_orders,
            "trigger_poll_interval_seconds": args.trigger_poll_interval,
            "scale_sizes": [int(n) for n in args.scale_sizes.split(",")],
            "scale_pipeline_size": args.scale_pipeline_size if args.scale_pipeline else None,
        },
        "seconds": {},
    }
    offline(args, out, figures)
    if args.scale_pipeline or not (args.skip_pipeline and args.skip_resume and args.skip_triggerer):
        on_local_airflow(args, out, figures)
    figures["seconds"]["total"] = round(time.monotonic() - started, 1)
    report(out, figures)
    return 0


def on_local_airflow(args: argparse.Namespace, out: Path, figures: dict[str, Any]) -> None:
    """Start Airflow and the sandbox in ``out``, run the phases that need them (:func:`on_airflow`), stop them."""
    home = out / "airflow-home"
    shutil.rmtree(home, ignore_errors=True)
    log(f"starting Airflow (parallelism {args.parallelism}) and the sandbox in {home}")
    t = time.monotonic()
    af = start_airflow(
        home,
        parallelism=args.parallelism,
        order_seconds=args.order_seconds,
        seconds_per_1000=args.seconds_per_1000,
        db=args.db,
        trigger_capacity=max(1000, args.waiting_orders + 100),
    )
    figures["seconds"]["start_airflow"] = round(time.monotonic() - t, 1)
    try:
        on_airflow(args, af, figures)
    finally:
        t = time.monotonic()
        af.stop()
        figures["seconds"]["stop_airflow"] = round(time.monotonic() - t, 1)


def report(out: Path, figures: dict[str, Any]) -> None:
    """The targets; the figures as JSON on stdout and in ``last.json``, the tables on stderr and in ``last.md``."""
    figures["targets"] = targets(figures)
    text = table(figures)
    (out / "last.json").write_text(json.dumps(figures, indent=2))
    (out / "last.md").write_text(text + "\n")
    print(json.dumps(figures, indent=2))
    print(
        "\n"
        + text
        + f"\n\n(date {figures['date']}; {figures['machine']['nproc']} CPUs, {figures['machine']['memory_gb']} GB, "
        f"{figures['machine']['cpu']}; {figures['seconds']['total']} s; figures in {out}/last.json)",
        file=sys.stderr,
    )


if __name__ == "__main__":
    sys.exit(main())
