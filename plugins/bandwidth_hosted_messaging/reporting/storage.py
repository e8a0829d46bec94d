"""Where the runs' reports live: one folder per run under ``[bandwidth] report_base`` (any object-storage URL)."""

from __future__ import annotations

import hashlib
import os
import re

from airflow.sdk import ObjectStoragePath, conf


def report_base() -> ObjectStoragePath:
    """``[bandwidth] report_base``, else ``$AIRFLOW_HOME/bandwidth_reports``."""
    base = conf.get("bandwidth", "report_base", fallback=None)
    if not base:
        home = os.environ.get("AIRFLOW_HOME") or os.path.expanduser("~/airflow")
        base = f"file://{os.path.abspath(home)}/bandwidth_reports"
    return ObjectStoragePath(base)


def safe_name(text: str) -> str:
    """``text`` with every character but letters, digits, ``_.-`` replaced by ``_`` (readable, not unique)."""
    return re.sub(r"[^A-Za-z0-9_.\-]", "_", text)


def run_folder_name(run_id: str) -> str:
    """
    A run id as a folder name, one per run id: readable, plus a hash of the exact id, so that run ids that differ
    only in punctuation (``rt:1`` and ``rt_1``) never share a folder
    (``manual__2026-11-25T07:31:37+00:00`` → ``manual__2026-11-25T07_31_37_00_00-3f9c0a1b2d``).
    """
    return f"{safe_name(run_id)[:200]}-{hashlib.sha256(run_id.encode('utf-8')).hexdigest()[:10]}"


def report_folder(dag_id: str, run_id: str) -> ObjectStoragePath:
    """The folder of one run's report files: ``<report_base>/<dag_id>/<run id as a folder name>``."""
    return report_base() / dag_id / run_folder_name(run_id)


def run_files(dag_id: str, run_id: str, *names: str) -> list[ObjectStoragePath]:
    """The paths of a run's report files (its folder created)."""
    folder = report_folder(dag_id, run_id)
    folder.mkdir(parents=True, exist_ok=True)
    return [folder / name for name in names]
