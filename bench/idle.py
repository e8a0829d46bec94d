"""
What an idle Airflow costs, component by component: CPU seconds over one minute of a local Airflow (as
``make airflow`` starts it) with the deployment's latency settings, then with Airflow's defaults.

    python -m bench.idle
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from bench.airflow import components_cpu, load_launcher, start_airflow

SETTLE_SECONDS = 30.0
MEASURE_SECONDS = 60.0


def measure_once(defaults: bool) -> dict[str, float]:
    launcher = load_launcher()
    saved = dict(launcher.LATENCY_SETTINGS)
    if defaults:
        launcher.LATENCY_SETTINGS.clear()
    try:
        af = start_airflow(
            Path(tempfile.mkdtemp(prefix="bench-idle-")), parallelism=4, order_seconds=5, seconds_per_1000=0
        )
        try:
            time.sleep(SETTLE_SECONDS)
            before = components_cpu(af)
            time.sleep(MEASURE_SECONDS)
            after = components_cpu(af)
        finally:
            af.stop()
    finally:
        launcher.LATENCY_SETTINGS.update(saved)
    return {name: round(after[name] - before[name], 1) for name in after}


def measure() -> dict:
    return {
        "seconds": MEASURE_SECONDS,
        "latency_settings": dict(load_launcher().LATENCY_SETTINGS),
        "cpu_seconds_with_latency_settings": measure_once(defaults=False),
        "cpu_seconds_with_airflow_defaults": measure_once(defaults=True),
    }


if __name__ == "__main__":
    json.dump(measure(), sys.stdout, indent=1)
    print()
