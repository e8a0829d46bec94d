"""
One DAG per batch file (``import_batch_<name>``), with the same task chain as ``hosted_messaging_import``, on the
batch's schedule.

An invalid batch file becomes a DAG of its own too, tagged ``invalid``, whose description says what is wrong (file,
field, rule) and whose one task fails with that message. It is not an import error: Airflow marks every DAG of a
DAG file with an import error stale, so one bad batch file would hide every valid batch.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

from airflow.sdk import DAG

from bandwidth_hosted_messaging import config
from bandwidth_hosted_messaging.constants import BATCH_DAG_PREFIX
from bandwidth_hosted_messaging.flows.deadline import deadline_alert
from bandwidth_hosted_messaging.flows.defaults import DEFAULT_ARGS, TAGS
from bandwidth_hosted_messaging.flows.import_flow import build_import_flow
from bandwidth_hosted_messaging.flows.notifications import run_notifiers
from bandwidth_hosted_messaging.inputs.batch_file import Batch, batch_name, batch_paths, load_batch, load_batches
from bandwidth_hosted_messaging.inputs.errors import BatchFileError
from bandwidth_hosted_messaging.operators.invalid import InvalidBatchFileOperator

log = logging.getLogger(__name__)

INVALID_TAG = "invalid"


def batch_doc(batch: Batch) -> str:
    """The batch DAG's page text: where its fields come from, what it does, what its outcomes mean."""
    threshold = batch.approval_threshold
    asks = "the deployment's `[bandwidth] approval_threshold`" if threshold is None else f"{threshold} (0: never)"
    return (
        f"### Import batch `{batch.name}`\n\n"
        f"Every field comes from the batch file `{batch.path}` (schedule `{batch.schedule}`); edit the file to "
        f"change them. Its numbers and LOA file are read and checked by the first task of each run. Connection "
        f"`{batch.bandwidth_conn_id}`.\n\n"
        "**Steps**, as `hosted_messaging_import`: validate → callbacks subscription → site and `importTnChecker` → "
        f"plan → approval (a run ordering at least {asks} numbers waits in *Required actions*) → one import order "
        "per chunk → wait for its final status → upload the LOA; once every order has ended, verify in service → "
        "per-number report.\n\n"
        + (
            "**Dry run**: this batch only checks and plans; nothing is ordered.\n\n"
            if batch.values.get("dry_run")
            else ""
        )
        + "**Outcomes per number**: `in_service`, `already_in_service`, `rejected` (checker code), `order_failed`, "
        "`not_ordered`, `not_in_service`, `would_order` (dry run). The run fails if an ordered number did not end in "
        'service. Trigger it with the conf `{"retry_failed_of_run": "<run id>"}` to order again only that run\'s '
        "failed numbers."
    )


def batch_dag(batch: Batch, read: config.ReadOnce | None = None) -> DAG:
    """The batch's DAG; ``read``: the settings, read once for all the DAGs of the DAG file (default: read now)."""
    read = read or config.ReadOnce()
    with DAG(
        dag_id=batch.dag_id,
        description=batch.description or f"Import batch {batch.name}",
        schedule=batch.schedule,
        catchup=False,
        max_active_runs=1,
        default_args=DEFAULT_ARGS,
        tags=[*TAGS, "batch"],
        doc_md=batch_doc(batch),
        deadline=deadline_alert(batch.deadline_hours, read),
        **run_notifiers(batch.notify, batch=batch.name),
    ) as dag:
        build_import_flow(
            batch_file=batch.path,
            batch_folder=str(Path(batch.path).parent),
            bandwidth_conn_id=batch.bandwidth_conn_id,
            callback_conn_id=batch.callback_conn_id,
            poll_interval=batch.poll_interval,
            grace_period=batch.grace_period,
            wait_timeout=batch.wait_timeout,
            loa_roots=batch.loa_roots,
            approval_threshold=batch.approval_threshold,
            wake_on_callback=read(config.callback_wakeups),
        )
    return dag


def invalid_dag_id(error: BatchFileError, taken: set[str]) -> str:
    """The id of the DAG standing in for an invalid batch file: ``import_batch_<file name>``."""
    stem = re.sub(r"[^A-Za-z0-9_]", "_", Path(error.path).stem)[:150] or "batch"
    dag_id = f"{BATCH_DAG_PREFIX}{stem}"
    # taken by a valid batch or another invalid file: the first free ``_invalid``, ``_invalid_2``, ...
    candidate, n = dag_id, 0
    while candidate in taken:
        n += 1
        candidate = f"{dag_id}_invalid" if n == 1 else f"{dag_id}_invalid_{n}"
    return candidate


def invalid_batch_dag(error: BatchFileError, dag_id: str) -> DAG:
    """The DAG standing in for an invalid batch file: named after the file, failing with its error."""
    with DAG(
        dag_id=dag_id,
        description=f"INVALID batch file: {error}"[:1000],
        schedule=None,
        catchup=False,
        tags=[*TAGS, "batch", INVALID_TAG],
        doc_md=f"**This batch file is invalid** and imports nothing until it is fixed:\n\n    {error}\n",
    ) as dag:
        InvalidBatchFileOperator(task_id="invalid_batch_file", message=str(error))
    return dag


def valid_batch_dag(folder: Path, dag_id: str) -> DAG | None:
    """
    The DAG ``dag_id`` when a valid batch file of ``folder`` gives it, as :func:`batch_dags` would build it: of the
    files whose batch name gives that id, the first in name order that is valid (a later one of the same name is
    refused there). Only those files are checked; the others are read for their names only. ``None`` when no valid
    file gives it (the id may be an invalid file's DAG: only the whole folder tells).
    """
    if not dag_id.startswith(BATCH_DAG_PREFIX):
        return None
    read = config.ReadOnce()
    for path in batch_paths(folder):
        if BATCH_DAG_PREFIX + (batch_name(path, folder) or "") != dag_id:
            continue
        try:
            batch = load_batch(path, folder, with_numbers=False, read=read)
        except Exception:  # invalid: batch_dags makes it an invalid file's DAG, named after the file
            continue
        return batch_dag(batch, read)  # its name, read the same way, gives dag_id
    return None


def batch_dags(folder: Path, only: str | None = None) -> Iterator[DAG]:
    """
    A DAG per batch file of ``folder``: the valid ones first, then one per invalid file.

    :param only: build just this DAG (Airflow's parsing context in a task process, whose DAG file is parsed again
        for its one DAG): a valid batch's DAG is found by :func:`valid_batch_dag`, which checks only the files of
        that name; for any other id every file is read, but only that DAG is built.
    """
    if only is not None and (dag := valid_batch_dag(folder, only)) is not None:
        yield dag
        return
    errors: list[BatchFileError] = []
    taken: set[str] = set()
    read = config.ReadOnce()  # each setting read once for the whole file, not once per batch
    for item in load_batches(folder, with_numbers=False, read=read):  # the numbers are the first task's to read
        if isinstance(item, BatchFileError):
            log.warning("Invalid batch file: %s", item)
            errors.append(item)
        else:
            taken.add(item.dag_id)
            if only is None or item.dag_id == only:  # a DAG registers itself once built: build only those wanted
                yield batch_dag(item, read)
    for error in errors:
        dag_id = invalid_dag_id(error, taken)
        taken.add(dag_id)
        if only is None or dag_id == only:  # a DAG registers itself once built: build only those wanted
            yield invalid_batch_dag(error, dag_id)
