"""
Airflow for the benchmark: the real components (api-server, scheduler, dag-processor, triggerer) and the
sandbox as processes, through the ``make airflow`` launcher (``scripts/airflow_local.py``), with the
sandbox configured for the benchmark and a few helpers (sandbox admin API, process tree figures).
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path
from typing import Any

import requests

from bench.common import CHECKER_REJECT_SUFFIXES, ROOT

#: The sandbox's request log must hold every call of the largest phase (10,000 waiting orders polled, twice).
REQUEST_LOG_MAX = 400_000


def load_launcher() -> Any:
    """``scripts/airflow_local.py`` as the module ``airflow_local`` (scripts/ is not a package)."""
    if "airflow_local" not in sys.modules:
        spec = importlib.util.spec_from_file_location("airflow_local", ROOT / "scripts" / "airflow_local.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["airflow_local"] = module
        spec.loader.exec_module(module)
    return sys.modules["airflow_local"]


def start_airflow(
    home: Path,
    *,
    parallelism: int,
    order_seconds: float,
    seconds_per_1000: float,
    db: str | None = None,
    trigger_capacity: int = 1000,
) -> Any:
    """
    Start every component and the sandbox (order time ``order_seconds + seconds_per_1000 × n/1000``).

    :param trigger_capacity: ``[triggerer] capacity``, the triggers the triggerer runs at once (default 1,000).
    """
    launcher = load_launcher()
    af = launcher.LocalAirflow(
        home,
        port=0,
        sandbox_port=0,
        db=db,
        parallelism=parallelism,
        order_seconds=order_seconds,
        extra_env={
            "BW_SANDBOX_SECONDS_PER_1000_NUMBERS": str(seconds_per_1000),
            "BW_SANDBOX_CHECKER_REJECT_SUFFIXES": json.dumps(CHECKER_REJECT_SUFFIXES),
            "BW_SANDBOX_ORDER_FAIL_SUFFIXES": "{}",  # PARTIAL orders come from seeded numbers (see common.py)
            "BW_SANDBOX_REQUEST_LOG_MAX": str(REQUEST_LOG_MAX),
            "BW_SANDBOX_LOG_BODY_MAX": "256",
            # A retry after the known 3.3.2 deferral race must not cost the benchmark a minute.
            "AIRFLOW__CORE__DEFAULT_TASK_RETRY_DELAY": "2",
            # Unattended: a run of 1,000 numbers or more would otherwise wait for a person's approval.
            "AIRFLOW__BANDWIDTH__APPROVAL_THRESHOLD": "0",
            "AIRFLOW__TRIGGERER__CAPACITY": str(trigger_capacity),
        },
    )
    af.start(timeout=240)
    return af


class SandboxAdmin:
    """The sandbox's admin API (``/_sandbox/``, not logged, not rate limited)."""

    def __init__(self, root_url: str) -> None:
        self.root = root_url.rstrip("/")
        self.session = requests.Session()

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        resp = self.session.request(method, f"{self.root}/_sandbox/{path}", timeout=120, **kwargs)
        resp.raise_for_status()
        return resp.json()

    def requests(self) -> list[dict[str, Any]]:
        return self._call("GET", "requests")

    def clear_requests(self) -> None:
        self._call("DELETE", "requests")

    def orders(self) -> list[dict[str, Any]]:
        return self._call("GET", "orders")

    def seed(self, data: dict[str, Any]) -> None:
        self._call("POST", "seed", json=data)

    def force_status(self, order_id: str, status: str) -> None:
        self._call("POST", f"orders/{order_id}/status", json={"status": status})

    def config(self) -> dict[str, Any]:
        return self._call("GET", "config")

    def in_service(self) -> list[dict[str, Any]]:
        return self._call("GET", "inservice")

    def callbacks(self) -> list[dict[str, Any]]:
        """The delivery log: every callback POST the sandbox made, with its HTTP status."""
        return self._call("GET", "callbacks")

    def drop_callbacks(self, drop: bool) -> int:
        """Lose every later callback (``True``) or deliver them again; the count dropped so far."""
        return int(self._call("POST", "callbacks/drop", json={"drop": drop})["dropped"])


# ------------------------------------------------------------------------------------ process figures


def process_tree(pid: int) -> list[int]:
    """``pid`` and every descendant (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    return tree


def tree_figures(pid: int, detail: bool = False) -> dict[str, Any]:
    """
    RSS and PSS (MB) summed over the tree; its CPU seconds (utime + stime of the live processes), and the
    same with the CPU of the children they reaped (a task process's CPU lands in its executor worker's).
    """
    ticks = os.sysconf("SC_CLK_TCK")
    rss = pss = cpu = reaped = 0.0
    pids = process_tree(pid)
    per_process = []
    for p in pids:
        p_rss = p_pss = 0.0
        try:
            with open(f"/proc/{p}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            p_cpu = (int(fields[11]) + int(fields[12])) / ticks
            cpu += p_cpu
            reaped += (int(fields[13]) + int(fields[14])) / ticks
            with open(f"/proc/{p}/status") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        p_rss = int(line.split()[1]) / 1024
            with open(f"/proc/{p}/smaps_rollup") as handle:
                for line in handle:
                    if line.startswith("Pss:"):
                        p_pss = int(line.split()[1]) / 1024
            with open(f"/proc/{p}/cmdline") as handle:
                cmd = handle.read().replace("\0", " ").strip()
        except OSError:
            continue
        rss, pss = rss + p_rss, pss + p_pss
        per_process.append(
            {
                "pid": p,
                "command": cmd[:80],
                "rss_mb": round(p_rss, 1),
                "pss_mb": round(p_pss, 1),
                "cpu_seconds": round(p_cpu, 2),
            }
        )
    figures: dict[str, Any] = {
        "rss_mb": rss,
        "pss_mb": pss,
        "cpu_seconds": cpu,
        "cpu_with_reaped_seconds": cpu + reaped,
        "processes": len(pids),
    }
    if detail:
        figures["per_process"] = per_process
    return figures


def components_cpu(af: Any) -> dict[str, float]:
    """CPU seconds so far of each component's process tree, reaped children included."""
    return {name: tree_figures(proc.pid)["cpu_with_reaped_seconds"] for name, proc in af.procs.items()}
