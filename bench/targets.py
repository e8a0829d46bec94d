"""Each target of the benchmark (issues 15 and 17) against what was measured: one line each, pass or fail."""

from __future__ import annotations

from typing import Any

from bench import calls, inventory, parse, scale, startcost, triggerer

#: The wall time over the floor each batch size may take, seconds (sizes in between take the next larger one's).
WALL_OVER_FLOOR_TARGETS = {100: 10.0, 1000: 10.0, 10000: 15.0}
#: The pipeline's overhead over the concurrent script, as a share of the floor, at the largest size.
CONCURRENT_OVERHEAD_SHARE = 0.25
#: Median seconds from an order's final status to the end of its wait, with callbacks on (issue 15).
RESUME_TARGET_S = 5.0
#: One 100,000-number batch through the pipeline: calls at most this many times the minimum.
SCALE_PIPELINE_RATIO = 1.05


def wall_over_floor_target(size: int) -> float:
    bigger = [limit for s, limit in sorted(WALL_OVER_FLOOR_TARGETS.items()) if s >= size]
    return bigger[0] if bigger else max(WALL_OVER_FLOOR_TARGETS.values())


def each(b: dict[str, Any]) -> str:
    return f" (median of {', '.join(map(str, b['wall_seconds_each']))})" if b["repetitions"] > 1 else ""


def _line(target: str, measured: str, ok: bool) -> dict[str, Any]:
    return {"target": target, "measured": measured, "pass": bool(ok)}


def _parse(p: dict[str, Any]) -> list[dict[str, Any]]:
    w = p["worst_file_50_batches"]
    floor = p["batch_files"][str(w["batch_files"])].get("shape_floor")
    batches = p["batch_files"][str(w["batch_files"])]["files"].get("import_batches.py")
    beside = (
        f"; Airflow's own parts in {floor['dags']} DAGs of the batch DAG's shape: {floor['above_airflow_ms']} ms "
        f"(import_batches.py {round(batches['above_airflow_ms'] - floor['above_airflow_ms'], 1)} ms above it)"
        if floor and batches
        else ""
    )
    out = [
        _line(
            f"DAG file parse < {parse.TARGET_MS:.0f} ms above import airflow.sdk, {w['batch_files']} batch files",
            f"worst {w['file']}: {w['above_airflow_ms']} ms above the baseline{beside}",
            w["above_airflow_ms"] < parse.TARGET_MS,
        )
    ]
    t = p.get("task_process_parse")
    if t:
        out.append(
            _line(
                f"a task process's parse of {t['file']} < {parse.TARGET_MS:.0f} ms above the baseline, "
                f"{t['batch_files']} batch files",
                f"{t['above_airflow_ms']} ms above the baseline ({t['dags_built']} DAG built)"
                + (
                    f"; Airflow's own parts, one DAG of its shape: {t['shape_floor']['above_airflow_ms']} ms"
                    if t.get("shape_floor")
                    else ""
                ),
                t["above_airflow_ms"] < parse.TARGET_MS,
            )
        )
    return out


def _start_cost(s: dict[str, Any]) -> dict[str, Any]:
    limit = round((startcost.TARGET_RATIO - 1) * 100)
    return _line(
        f"task start to execute(): a batch DAG task within {limit} % of a one-EmptyOperator DAG file's",
        f"{s['batch_task']['start_ms']} ms vs {s['baseline']['start_ms']} ms = {s['batch_over_baseline_ratio']}x "
        f"({s['batch_files']} batch files; median of {s['reps']})"
        + (
            f"; Airflow's own parts in the same shape: {s['shape_floor_task']['start_ms']} ms "
            f"= {s['shape_floor_over_baseline_ratio']}x (ours {s['batch_above_shape_floor_ms']} ms above it)"
            if s.get("shape_floor_task")
            else ""
        ),
        s["pass"],
    )


def _batches(batches: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for size, b in batches.items():
        c = b["calls"]
        out.append(
            _line(
                f"API calls <= {calls.TARGET_RATIO} x minimum, excluding polls ({size} numbers)",
                f"{c['calls_excluding_polls']} / {c['minimum_total']} = {c['ratio']}",
                c["ratio"] is not None and c["ratio"] <= calls.TARGET_RATIO,
            )
        )
    out.append(
        _line(
            "polls per order bounded by the poll schedule",
            ", ".join(
                f"{s}: at most {b['calls']['max_reads_per_order']} reads of an order "
                f"(bound {max((p['bound'] for p in b['calls']['reads_per_order']), default=0)})"
                for s, b in batches.items()
            ),
            all(b["calls"]["polls_within_schedule"] for b in batches.values()),
        )
    )
    for size, b in batches.items():
        limit = wall_over_floor_target(int(size))
        out.append(
            _line(
                f"{size} numbers: wall <= sandbox processing time + {limit:.0f} s",
                f"{b['wall_seconds']} s vs floor {b['floor_seconds']} s (+{b['over_floor_seconds']} s){each(b)}",
                b["over_floor_seconds"] <= limit,
            )
        )
    big = batches[max(batches, key=int)]
    over = big.get("over_concurrent_seconds")
    allowed = round(CONCURRENT_OVERHEAD_SHARE * big["floor_seconds"], 1)
    out.append(
        _line(
            f"{big['numbers']} numbers: pipeline - concurrent script <= {CONCURRENT_OVERHEAD_SHARE:.0%} of the floor",
            f"{big['wall_seconds']} s - {big['concurrent_wall_seconds']} s = {over} s vs {allowed} s "
            f"(floor {big['floor_seconds']} s)",
            over is not None and over <= allowed,
        )
    )
    out.append(
        _line(
            "zero worker slots held while waiting",
            ", ".join(f"{s}: {b['slots']['slots_held_while_waiting']}" for s, b in batches.items()),
            all(b["slots"]["slots_held_while_waiting"] == 0 for b in batches.values()),
        )
    )
    return out


def _resume(res: dict[str, Any]) -> list[dict[str, Any]]:
    cb, lost = res["callbacks"], res["callbacks_lost"]
    median_s = cb["resume_latency_median_seconds"]
    return [
        _line(
            f"with callbacks: median resume latency < {RESUME_TARGET_S:.0f} s, safety poll {cb['poll_interval_seconds']:.0f} s",
            f"median {median_s} s, p95 {cb['resume_latency_p95_seconds']} s ({cb['waits_measured']} waits)",
            median_s is not None and median_s < RESUME_TARGET_S and cb["waits_measured"] == cb["orders"],
        ),
        _line(
            "with callbacks: at most 2 reads per order",
            f"median {cb['reads_per_order_median']}, most {cb['reads_per_order_max']}",
            cb["reads_per_order_max"] is not None and cb["reads_per_order_max"] <= 2,
        ),
        _line(
            "callbacks lost: the safety poll ends every wait",
            f"{lost['waits_measured']} of {lost['orders']} waits ended ({lost['callbacks_dropped']} callbacks dropped); "
            f"median resume {lost['resume_latency_median_seconds']} s with a {lost['poll_interval_seconds']:.0f} s poll",
            lost["waits_measured"] == lost["orders"] and lost["run_state"] == "success",
        ),
        _line(
            "with callbacks: every wait deferred and resumed (none ended at its first read)",
            f"{cb['waits_measured']} of {cb['orders']} waits resumed, each after at least "
            f"{cb['reads_per_order_min']} reads of its order; run {cb['run_state']}",
            cb["waits_measured"] == cb["orders"]
            and (cb["reads_per_order_min"] or 0) >= 2
            and cb["run_state"] == "success",
        ),
    ]


def _triggerer(trig: dict[str, Any]) -> dict[str, Any]:
    return _line(
        f"triggerer: <= {triggerer.TARGET_KB_PER_WAIT:.0f} KB per waiting order ({trig['waiting_orders']} waits)",
        f"{trig['rss_per_waiting_order_kb']} KB RSS per wait, process tree (trigger runner alone "
        f"{trig['runner_rss_per_waiting_order_kb']} KB; PSS {trig['pss_per_waiting_order_kb']} KB); "
        f"{trig['cpu_percent']} % CPU"
        + (
            f"; Airflow's own DateTimeTrigger waits: {trig['airflow_floor']['rss_per_wait_kb']} KB "
            f"(ours {trig['above_airflow_floor_kb_per_wait']} KB above)"
            if trig.get("airflow_floor")
            else ""
        ),
        trig["rss_per_waiting_order_kb"] <= triggerer.TARGET_KB_PER_WAIT,
    )


def _scale(sc: dict[str, Any]) -> list[dict[str, Any]]:
    top_n = sc["sizes"][-1]
    top = sc["per_size"][str(top_n)]
    first_n = sc["sizes"][0]
    worst_x = max(sc["xcom_growth"], key=lambda t: sc["xcom_growth"][t] or 0.0)
    worst_r = max(sc["rss_growth"], key=lambda t: sc["rss_growth"][t] or 0.0)
    return [
        _line(
            f"report task writes {top_n:,} rows in < {scale.REPORT_TARGET_S:.0f} s",
            f"{top['report_seconds']} s",
            sc["report_pass"],
        ),
        _line(
            f"status page, first page of a {top_n:,}-row run, cold (fresh process) < {scale.STATUS_PAGE_TARGET_MS:.0f} ms",
            f"{top['status_page']['cold_ms']} ms (warm {top['status_page']['warm_ms']} ms)",
            sc["status_page_pass"],
        ),
        _line(
            f"XCom bytes per number at {top_n:,} <= {scale.LINEAR_TARGET} x those at {first_n:,}, every task",
            f"worst {worst_x}: {sc['xcom_growth'][worst_x]}x; largest value {top['largest_xcom']['task']} "
            f"{top['largest_xcom']['bytes'] / 1e6:.1f} MB",
            sc["xcom_linear"],
        ),
        _line(
            f"peak RSS per number at {top_n:,} <= {scale.LINEAR_TARGET} x that at {first_n:,}, every step",
            f"worst {worst_r}: {sc['rss_growth'][worst_r]}x; report {top['steps']['report']['rss_above_baseline_mb']} MB "
            "above the baseline",
            sc["rss_linear"],
        ),
    ]


def _scale_pipeline(sp: dict[str, Any]) -> dict[str, Any]:
    c = sp["calls"]
    return _line(
        f"{sp['numbers']:,} numbers in one batch through the pipeline: API calls <= {SCALE_PIPELINE_RATIO} x minimum",
        f"{c['calls_excluding_polls']} / {c['minimum_total']} = {c['ratio']} ({sp['orders']} orders, "
        f"wall {sp['wall_seconds']} s, floor {sp['floor_seconds']} s)",
        c["ratio"] is not None and c["ratio"] <= SCALE_PIPELINE_RATIO,
    )


def _inventory(inv: dict[str, Any]) -> list[dict[str, Any]]:
    size = f"{inv['inventory']['numbers']:,} numbers, {inv['inventory']['runs']:,} runs"
    names = {"number_lookup": "number look-up", "overview_counts": "overview", "health_selection": "health selection"}
    return [
        _line(
            f"inventory of {size}: {label} < {inventory.TARGETS_MS[key]:.0f} ms",
            f"{inv[f'{key}_ms_median']} ms (median)",
            inv[f"{key}_ms_median"] < inventory.TARGETS_MS[key],
        )
        for key, label in names.items()
    ]


def targets(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """Every target with what was measured and pass/fail (only those whose phase ran)."""
    out: list[dict[str, Any]] = []
    if figures.get("parse"):
        out += _parse(figures["parse"])
    if figures.get("start_cost"):
        out.append(_start_cost(figures["start_cost"]))
    if figures.get("batches"):
        out += _batches(figures["batches"])
    if figures.get("scale_pipeline"):
        out.append(_scale_pipeline(figures["scale_pipeline"]))
    if figures.get("resume"):
        out += _resume(figures["resume"])
    if figures.get("triggerer"):
        out.append(_triggerer(figures["triggerer"]))
    if figures.get("scale"):
        out += _scale(figures["scale"])
    if figures.get("inventory"):
        out += _inventory(figures["inventory"])
    return out
