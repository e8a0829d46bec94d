"""
The batch DAGs of a folder, and the one DAG a task process builds (Airflow's parsing context gives its id): the
same DAG from the same file, however the folder's names collide or its files are broken.
"""

from __future__ import annotations

import pytest
import yaml

from bandwidth_hosted_messaging.flows.batch_dags import batch_dags, valid_batch_dag
from tests.dags_helpers import batch_fields

NUMBERS = ["+13035550100"]
#: A folder whose names collide: its files in name order, and what each becomes (``batch_dags``).
FILES = {
    "a.yaml": batch_fields(name="dup", numbers=NUMBERS),  # import_batch_dup
    "b.yaml": batch_fields(name="dup", numbers=NUMBERS),  # a second "dup": invalid, import_batch_b
    "c.yaml": batch_fields(name="second", numbers=NUMBERS, colour="red"),  # invalid field: import_batch_c
    "d.yaml": batch_fields(name="second", numbers=NUMBERS),  # the first valid "second": import_batch_second
    "e.yml": batch_fields(numbers=NUMBERS),  # no name: its file's, import_batch_e
    "f.yaml": batch_fields(name="e", numbers=NUMBERS),  # "e" again: invalid, import_batch_f
    "g.yaml": "x: [",  # not YAML: import_batch_g
    "h.yaml": batch_fields(name=["not", "text"], numbers=NUMBERS),  # import_batch_h
}


@pytest.fixture
def folder(tmp_path):
    for name, data in FILES.items():
        (tmp_path / name).write_text(data if isinstance(data, str) else yaml.safe_dump(data))
    return tmp_path


def _what(dag) -> tuple:
    """What tells one batch DAG from another: its file (in its page text), its description, its tasks."""
    return dag.dag_id, dag.doc_md, dag.description, sorted(dag.task_ids)


def test_the_folder_gives_each_file_its_dag(folder):
    dags = {dag.dag_id: dag for dag in batch_dags(folder)}
    assert set(dags) == {f"import_batch_{x}" for x in ("dup", "b", "c", "second", "e", "f", "g", "h")}
    assert "a.yaml" in dags["import_batch_dup"].doc_md and "d.yaml" in dags["import_batch_second"].doc_md
    assert "already used" in dags["import_batch_b"].description


def test_a_task_process_builds_the_same_dag_as_the_dag_processor_for_every_id(folder):
    for dag in list(batch_dags(folder)):
        only = list(batch_dags(folder, only=dag.dag_id))
        assert [_what(d) for d in only] == [_what(dag)], dag.dag_id


def test_only_a_valid_files_dag_is_found_from_its_name_alone(folder):
    assert "d.yaml" in valid_batch_dag(folder, "import_batch_second").doc_md
    # an invalid file's DAG, or no DAG at all: only the whole folder tells
    assert [valid_batch_dag(folder, f"import_batch_{x}") for x in ("b", "c", "g", "h", "nothing", "")] == [None] * 6
    assert valid_batch_dag(folder, "hosted_messaging_import") is None
