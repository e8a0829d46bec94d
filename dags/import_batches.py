"""
One DAG per batch file in ``include/batches/`` (``import_batch_<name>``), with the same task chain as
``hosted_messaging_import``, on the batch's schedule.

A malformed batch file does not stop the others: its problem (file and field) is reported as this
file's import error in the Airflow UI, and every valid batch still gets its DAG.
"""

from __future__ import annotations

import os
from pathlib import Path

from airflow.sdk import DAG
from bandwidth.batches import Batch, BatchFileError, load_batches
from bandwidth.flow import DEFAULT_ARGS, build_import_flow

BATCH_FOLDER = Path(os.environ.get("BANDWIDTH_BATCH_FOLDER") or Path(__file__).resolve().parents[1] / "include" / "batches")


class InvalidBatchFiles(DAG):
    """Carries the batch-file errors to the DAG processor, which records them as this file's import error."""

    batch_errors: tuple[str, ...] = ()

    def validate(self) -> None:
        raise BatchFileError(BATCH_FOLDER, None, "invalid batch file(s):\n" + "\n".join(self.batch_errors))


def batch_dag(batch: Batch) -> DAG:
    with DAG(
        dag_id=batch.dag_id,
        description=batch.description or f"Import batch {batch.name} ({batch.numbers_count} numbers)",
        schedule=batch.schedule,
        catchup=False,
        max_active_runs=1,
        default_args=DEFAULT_ARGS,
        tags=["bandwidth", "hosted-messaging", "batch"],
        doc_md=f"Batch file: `{batch.path}`",
    ) as dag:
        build_import_flow(
            values=batch.values,
            bandwidth_conn_id=batch.bandwidth_conn_id,
            callback_conn_id=batch.callback_conn_id,
            poll_interval=batch.poll_interval,
            grace_period=batch.grace_period,
        )
    return dag


_errors: list[str] = []
for _item in load_batches(BATCH_FOLDER):
    if isinstance(_item, BatchFileError):
        _errors.append(str(_item))
    else:
        globals()[_item.dag_id] = batch_dag(_item)
if _errors:
    import_batch_errors = InvalidBatchFiles(dag_id="import_batch_errors", schedule=None)
    import_batch_errors.batch_errors = tuple(_errors)
