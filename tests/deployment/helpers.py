"""Helpers of the deployment tests: the ``make airflow`` launcher as an importable module."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def load_launcher():
    """``scripts/airflow_local.py`` as the module ``airflow_local`` (scripts/ is not a package)."""
    if "airflow_local" not in sys.modules:
        spec = importlib.util.spec_from_file_location("airflow_local", ROOT / "scripts" / "airflow_local.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["airflow_local"] = module
        spec.loader.exec_module(module)
    return sys.modules["airflow_local"]
