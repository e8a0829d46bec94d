"""A small run of ``make bench``'s parse measurement: two DAG files, with 1 and 3 batch files (nothing is timed)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration


def test_parse_figures_for_each_file_and_batch_count(tmp_path):
    from bench import parse

    figures = parse.measure(
        reps=1,
        cold_reps=1,
        workdir=tmp_path,
        files=["hosted_messaging_import.py", "import_batches.py"],
        batch_counts=(1, 3),
    )
    assert figures["import_airflow_sdk_ms"] > 0
    for count, dags in (("1", 1), ("3", 3)):
        files = figures["batch_files"][count]["files"]
        assert set(files) == {"hosted_messaging_import.py", "import_batches.py"}
        assert files["import_batches.py"]["dags"] == dags and files["import_batches.py"]["import_errors"] == 0
        assert files["hosted_messaging_import.py"]["dags"] == 1
        assert all(f["parse_ms"] > f["above_airflow_ms"] for f in files.values())
    assert figures["worst_file_50_batches"]["batch_files"] == 3
    # Airflow's floor: as many DAGs of the batch DAG's shape, of Airflow's own parts; in a task process, one
    for count, dags in (("1", 1), ("3", 3)):
        floor = figures["batch_files"][count]["shape_floor"]
        assert floor["dags"] == dags and floor["import_errors"] == 0 and floor["parse_ms"] > floor["above_airflow_ms"]
    task = figures["task_process_parse"]
    assert task["dags_built"] == task["shape_floor"]["dags_built"] == 1
