"""
The batch DAGs of a folder, and the one DAG a task process builds (Airflow's parsing context gives its id): the
same DAG from the same file, however the folder's names collide or its files are broken.
"""

from __future__ import annotations

import os
import threading

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
    "j.yaml": batch_fields(name="k", numbers=NUMBERS),  # import_batch_k
    "k.yaml": batch_fields(numbers=NUMBERS, colour="red"),  # invalid, its file's id taken: import_batch_k_invalid_2
    "l.yaml": batch_fields(name="k_invalid", numbers=NUMBERS),  # import_batch_k_invalid
    "x.yaml": batch_fields(numbers=NUMBERS),  # import_batch_x
    "x.yml": batch_fields(numbers=NUMBERS),  # "x" again: invalid, import_batch_x_invalid
}
ALL = {"dup", "b", "c", "second", "e", "f", "g", "h", "k", "k_invalid_2", "k_invalid", "x", "x_invalid", "outside"}


@pytest.fixture
def folder(tmp_path):
    folder = tmp_path / "batches"
    folder.mkdir()
    for name, data in FILES.items():
        (folder / name).write_text(data if isinstance(data, str) else yaml.safe_dump(data))
    # a valid batch file outside the folder, linked in: refused (import_batch_outside), never read for its name
    (tmp_path / "elsewhere.yaml").write_text(yaml.safe_dump(batch_fields(name="linked", numbers=NUMBERS)))
    (folder / "outside.yaml").symlink_to(tmp_path / "elsewhere.yaml")
    return folder


def _what(dag) -> tuple:
    """What tells one batch DAG from another: its file (in its page text), its description, its tasks."""
    return dag.dag_id, dag.doc_md, dag.description, sorted(dag.task_ids)


def test_the_folder_gives_each_file_its_dag(folder):
    dags = {dag.dag_id: dag for dag in batch_dags(folder)}
    assert set(dags) == {f"import_batch_{x}" for x in ALL}
    assert "a.yaml" in dags["import_batch_dup"].doc_md and "d.yaml" in dags["import_batch_second"].doc_md
    assert "already used" in dags["import_batch_b"].description
    assert (
        "l.yaml" in dags["import_batch_k_invalid"].doc_md and "colour" in dags["import_batch_k_invalid_2"].description
    )
    assert "must be a file in the batch folder" in dags["import_batch_outside"].description


def test_a_task_process_builds_the_same_dag_as_the_dag_processor_for_every_id(folder):
    for dag in list(batch_dags(folder)):
        only = list(batch_dags(folder, only=dag.dag_id))
        assert [_what(d) for d in only] == [_what(dag)], dag.dag_id


def test_only_a_valid_files_dag_is_found_from_its_name_alone(folder):
    assert "d.yaml" in valid_batch_dag(folder, "import_batch_second").doc_md
    # an invalid file's DAG, or no DAG at all: only the whole folder tells
    invalid = ("b", "c", "g", "h", "k_invalid_2", "x_invalid", "outside", "linked", "nothing", "")
    assert [valid_batch_dag(folder, f"import_batch_{x}") for x in invalid] == [None] * len(invalid)
    assert valid_batch_dag(folder, "hosted_messaging_import") is None


def test_a_task_process_checks_only_the_files_of_its_batchs_name(folder, monkeypatch):
    from bandwidth_hosted_messaging.flows import batch_dags as module

    checked = []
    load_batch = module.load_batch
    monkeypatch.setattr(
        module, "load_batch", lambda path, *a, **kw: checked.append(path.name) or load_batch(path, *a, **kw)
    )
    assert [d.dag_id for d in batch_dags(folder, only="import_batch_second")] == ["import_batch_second"]
    assert checked == ["c.yaml", "d.yaml"]  # the invalid "second" first, then the valid one; no other file


def test_a_fifo_in_the_folder_is_never_opened(folder):
    """Reading it would block for ever: like load_batch, the name scan opens only regular files of the folder."""
    os.mkfifo(folder / "0.yaml")
    found: list = []
    worker = threading.Thread(target=lambda: found.extend(batch_dags(folder, only="import_batch_dup")), daemon=True)
    worker.start()
    worker.join(timeout=20)
    assert not worker.is_alive(), "the scan of the batch names blocked on a FIFO"
    assert [d.dag_id for d in found] == ["import_batch_dup"]
