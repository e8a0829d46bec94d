"""
Batch files through Airflow's real DAG processor (``airflow dag-processor``), not a DagBag: a bad batch file never
hides a valid one, and an alias bomb or a wrong type in one file costs nothing to the others.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import yaml

from tests.dags_helpers import batch_fields

ROOT = Path(__file__).resolve().parents[2]
AIRFLOW = str(Path(sys.executable).parent / "airflow")
VALID = batch_fields(name="acme", numbers=["3035550100"])
ALIAS_BOMB = (
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
    "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\ni: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n"
)


def process(home: Path, env: dict[str, str]) -> dict:
    """Run the DAG processor once over the DAGs folder; return the metadata DB's DAGs and import errors."""
    subprocess.run([AIRFLOW, "dag-processor", "--num-runs", "1"], env=env, check=True, capture_output=True, timeout=300)
    with sqlite3.connect(home / "airflow.db") as db:
        dags = {
            row[0]: {"stale": bool(row[1]), "errors": bool(row[2])}
            for row in db.execute("select dag_id, is_stale, has_import_errors from dag")
        }
        tags = {}
        for dag_id, name in db.execute("select dag_id, name from dag_tag"):
            tags.setdefault(dag_id, set()).add(name)
        errors = [row[0] for row in db.execute("select stacktrace from import_error")]
    return {"dags": dags, "tags": tags, "errors": errors}


def test_a_bad_batch_file_never_hides_the_valid_ones_in_the_real_dag_processor(tmp_path, airflow_db_template):
    home, dags, batches = tmp_path / "home", tmp_path / "dags", tmp_path / "batches"
    for folder in (home, dags, batches):
        folder.mkdir()
    shutil.copy(ROOT / "dags" / "import_batches.py", dags / "import_batches.py")
    (batches / "acme.yaml").write_text(yaml.safe_dump(VALID))
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")},
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES": "1",
        "AIRFLOW__BANDWIDTH__LOA_ROOTS": str(ROOT / "include" / "loa"),
        "BANDWIDTH_BATCH_FOLDER": str(batches),
    }
    shutil.copyfile(airflow_db_template, home / "airflow.db")  # what ``airflow db migrate`` makes
    first = process(home, env)
    assert first["dags"] == {"import_batch_acme": {"stale": False, "errors": False}}

    (batches / "broken_field.yaml").write_text(yaml.safe_dump({**VALID, "name": "broken", "site_id": "no"}))
    (batches / "description_dict.yaml").write_text(yaml.safe_dump({**VALID, "name": "desc", "description": {"x": 1}}))
    (batches / "alias_bomb.yaml").write_text(ALIAS_BOMB)
    second = process(home, env)
    assert second["errors"] == []  # no import error: it would mark import_batch_acme stale
    assert second["dags"]["import_batch_acme"] == {"stale": False, "errors": False}
    for dag_id in ("import_batch_broken_field", "import_batch_description_dict", "import_batch_alias_bomb"):
        assert second["dags"][dag_id] == {"stale": False, "errors": False}, json.dumps(second, default=str)
        assert "invalid" in second["tags"][dag_id]
