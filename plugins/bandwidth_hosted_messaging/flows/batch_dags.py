"""
One DAG per batch file (``import_batch_<name>``), with the same task chain as ``hosted_messaging_import``, on the
batch's schedule; and one DAG carrying the invalid files' errors to the DAG processor, which shows them as the DAG
file's import error while every valid batch keeps its DAG.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from airflow.sdk import DAG

from bandwidth_hosted_messaging.constants import BATCH_ERRORS_DAG
from bandwidth_hosted_messaging.flows.defaults import DEFAULT_ARGS, TAGS
from bandwidth_hosted_messaging.flows.import_flow import build_import_flow
from bandwidth_hosted_messaging.inputs.batch_file import Batch, load_batches
from bandwidth_hosted_messaging.inputs.errors import BatchFileError


class InvalidBatchFiles(DAG):
    """Carries the batch-file errors to the DAG processor, which records them as the DAG file's import error."""

    batch_folder: str = ""
    batch_errors: tuple[str, ...] = ()

    def validate(self) -> None:
        raise BatchFileError(self.batch_folder, None, "invalid batch file(s):\n" + "\n".join(self.batch_errors))


def batch_dag(batch: Batch) -> DAG:
    with DAG(
        dag_id=batch.dag_id,
        description=batch.description or f"Import batch {batch.name} ({batch.numbers_count} numbers)",
        schedule=batch.schedule,
        catchup=False,
        max_active_runs=1,
        default_args=DEFAULT_ARGS,
        tags=[*TAGS, "batch"],
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


def batch_dags(folder: Path) -> Iterator[DAG]:
    """A DAG per valid batch file of ``folder``, then, if any file is invalid, the DAG that reports them."""
    errors: list[str] = []
    for item in load_batches(folder):
        if isinstance(item, BatchFileError):
            errors.append(str(item))
        else:
            yield batch_dag(item)
    if errors:
        invalid = InvalidBatchFiles(dag_id=BATCH_ERRORS_DAG, schedule=None)
        invalid.batch_folder = str(folder)
        invalid.batch_errors = tuple(errors)
        yield invalid
