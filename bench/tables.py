"""The benchmark's figures as the short Markdown tables ``make bench`` prints (and keeps in ``last.md``)."""

from __future__ import annotations

from typing import Any

from bench.targets import each


def _batches(batches: dict[str, Any]) -> list[str]:
    lines = [
        "| numbers | orders | wall s | floor s | over floor s | concurrent s | over concurrent s | sequential s | "
        "speed-up vs sequential | calls without polls / minimum | ratio | token calls | "
        "polls (most reads of one order, bound) | slots held while waiting | task start to execute() median s |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size, b in batches.items():
        c = b["calls"]
        bound = max((p["bound"] for p in c["reads_per_order"]), default=0)
        start = (b.get("start_cost") or {}).get("median_ms")
        lines.append(
            f"| {int(size):,} | {b['orders']} | {b['wall_seconds']}{each(b)} | {b['floor_seconds']} | "
            f"{b['over_floor_seconds']} | {b['concurrent_wall_seconds']} | {b['over_concurrent_seconds']} | "
            f"{b['sequential_wall_seconds']} | {b['speedup_vs_sequential']}x | "
            f"{c['calls_excluding_polls']} / {c['minimum_total']} | {c['ratio']} | {c['token_calls']} | "
            f"{c['polls']} ({c['max_reads_per_order']}, {bound}) | {b['slots']['slots_held_while_waiting']} | "
            f"{round(start / 1000, 2) if start is not None else None} |"
        )
    return [*lines, ""]


def _resume(res: dict[str, Any]) -> list[str]:
    lines = [
        "| order waits | safety poll s | orders | resume latency median s | p95 s | max s | reads per order (median, most) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for mode, r in (("callbacks on", res["callbacks"]), ("callbacks lost", res["callbacks_lost"])):
        lines.append(
            f"| {mode} | {r['poll_interval_seconds']:.0f} | {r['orders']} | {r['resume_latency_median_seconds']} | "
            f"{r['resume_latency_p95_seconds']} | {r['resume_latency_max_seconds']} | "
            f"{r['reads_per_order_median']}, {r['reads_per_order_max']} |"
        )
    return [*lines, ""]


def _triggerer(trig: dict[str, Any]) -> list[str]:
    idle = trig["idle"]
    polls = round(trig["polls_in_window"] * 60 / trig["window_seconds"])
    lines = [
        "| triggerer | RSS MB (tree) | PSS MB (tree) | trigger runner RSS MB | CPU % (tree) | trigger runner CPU % | polls/min |",
        "|---|---:|---:|---:|---:|---:|---:|",
        f"| idle | {idle['rss_mb']} | {idle['pss_mb']} | {idle['runner_rss_mb']} | {idle['cpu_percent']} | | 0 |",
        f"| {trig['waiting_orders']:,} waiting orders | {trig['rss_mb']} | {trig['pss_mb']} | {trig['runner_rss_mb']} | "
        f"{trig['cpu_percent']} | {trig['runner_cpu_percent']} | {polls} |",
        f"| per waiting order, KB | {trig['rss_per_waiting_order_kb']} | {trig['pss_per_waiting_order_kb']} | "
        f"{trig['runner_rss_per_waiting_order_kb']} | | | |",
    ]
    floor = trig.get("airflow_floor")
    if floor:
        lines += [
            f"| Airflow's floor: {floor['waits']:,} `DateTimeTrigger` waits (fresh triggerer, idle "
            f"{floor['idle']['rss_mb']} MB) | {floor['rss_mb']} | | {floor['runner_rss_mb']} | {floor['cpu_percent']} "
            "| | 0 |",
            f"| Airflow's floor per wait, KB | {floor['rss_per_wait_kb']} | | {floor['runner_rss_per_wait_kb']} | | | |",
            f"| ours above Airflow's floor per wait, KB | {trig['above_airflow_floor_kb_per_wait']} | | "
            f"{trig['runner_above_airflow_floor_kb_per_wait']} | | | |",
        ]
    return [*lines, ""]


def _parse(p: dict[str, Any]) -> list[str]:
    counts = list(p["batch_files"])
    lines = [
        "| DAG file: parse ms above the baseline (raw ms) | " + " | ".join(f"{c} batch file(s)" for c in counts) + " |",
        "|---|" + "---:|" * len(counts),
    ]
    for name in p["batch_files"][counts[-1]]["files"]:
        cells = [p["batch_files"][c]["files"][name] for c in counts]
        lines.append(f"| {name} | " + " | ".join(f"{x['above_airflow_ms']} ({x['parse_ms']})" for x in cells) + " |")
    baselines = " | ".join(f"{p['batch_files'][c]['baseline_ms']} ms" for c in counts)
    floors = [p["batch_files"][c].get("shape_floor") for c in counts]
    if all(floors):
        lines.append(
            "| Airflow's floor: as many DAGs of the batch DAG's shape, of Airflow's own parts | "
            + " | ".join(f"{f['above_airflow_ms']} ({f['parse_ms']})" for f in floors)
            + " |"
        )
    return [
        *lines,
        f"| baseline file (one DAG, one EmptyOperator), raw | {baselines} |",
        "",
        f"`import airflow.sdk` in a fresh interpreter: {p['import_airflow_sdk_ms']} ms",
        "",
    ]


def _start_cost(s: dict[str, Any]) -> list[str]:
    rows = [
        ("one EmptyOperator (baseline)", s["baseline"]),
        (f"batch DAG task ({s['batch_task']['file']}, {s['batch_files']} batch files)", s["batch_task"]),
        (f"manual DAG task ({s['manual_task']['file']})", s["manual_task"]),
    ]
    if s.get("shape_floor_task"):
        rows.append(
            (
                f"Airflow's floor: {s['batch_files']} DAGs of the batch DAG's shape, of Airflow's own parts",
                s["shape_floor_task"],
            )
        )
    lines = [
        "| task start to execute(), forked as by LocalExecutor | median ms | min ms | max ms | of which the task runner's import ms |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {name}: {r['task_id']} | {r['start_ms']} | {r['min_ms']} | {r['max_ms']} | {r['import_task_runner_ms']} |"
        for name, r in rows
    ]
    return [*lines, ""]


def _scale(sc: dict[str, Any]) -> list[str]:
    lines = [
        "| numbers (one batch file) | report task s | status page cold ms (warm) | largest XCom MB (task) | "
        "report XCom B/number | request XCom B/number | report RSS above baseline MB (B/number) | "
        "status page RSS MB (B/number) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size, f in sc["per_size"].items():
        rep, page = f["steps"]["report"], f["steps"]["status_page"]
        lines.append(
            f"| {int(size):,} | {f['report_seconds']} | {f['status_page']['cold_ms']} ({f['status_page']['warm_ms']}) | "
            f"{f['largest_xcom']['bytes'] / 1e6:.2f} ({f['largest_xcom']['task']}) | "
            f"{f['xcoms']['report']['bytes_per_number']} | {f['xcoms']['validate_request']['bytes_per_number']} | "
            f"{rep['rss_above_baseline_mb']} ({rep['rss_bytes_per_number']:.0f}) | "
            f"{page['rss_above_baseline_mb']} ({page['rss_bytes_per_number']:.0f}) |"
        )
    return [*lines, f"(interpreter baseline {sc['baseline_rss_mb']} MB RSS; orders of {sc['chunk_size']:,})", ""]


def _scale_pipeline(sp: dict[str, Any]) -> list[str]:
    c = sp["calls"]
    return [
        "| one batch through the pipeline | orders | wall s | floor s | calls without polls / minimum | ratio |",
        "|---:|---:|---:|---:|---:|---:|",
        f"| {sp['numbers']:,} | {sp['orders']} | {sp['wall_seconds']} | {sp['floor_seconds']} | "
        f"{c['calls_excluding_polls']} / {c['minimum_total']} | {c['ratio']} |",
        "",
    ]


def table(figures: dict[str, Any]) -> str:
    """Every phase's table that ran, then the targets."""
    lines: list[str] = []
    if figures.get("batches"):
        lines += _batches(figures["batches"])
    if figures.get("warm_up"):
        w = figures["warm_up"]
        lines += [
            f"Before them, a warm-up run (1 number, the first after Airflow started; not measured): {w['wall_seconds']} s, "
            f"floor {w['floor_seconds']} s (+{w['over_floor_seconds']} s), {w['run_state']}.",
            "",
        ]
    if figures.get("scale_pipeline"):
        lines += _scale_pipeline(figures["scale_pipeline"])
    if figures.get("resume"):
        lines += _resume(figures["resume"])
    if figures.get("triggerer"):
        lines += _triggerer(figures["triggerer"])
    if figures.get("parse"):
        lines += _parse(figures["parse"])
    if figures.get("start_cost"):
        lines += _start_cost(figures["start_cost"])
    if figures.get("scale"):
        lines += _scale(figures["scale"])
    lines += ["| target | measured | pass |", "|---|---|---|"]
    lines += [f"| {t['target']} | {t['measured']} | {'PASS' if t['pass'] else 'FAIL'} |" for t in figures["targets"]]
    return "\n".join(lines)
