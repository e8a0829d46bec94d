"""
One DAG per batch file in ``include/batches/`` (``import_batch_<name>``), with the same task chain as
``hosted_messaging_import``, on the batch's schedule.

A malformed batch file does not stop the others: its problem (file and field) is reported as this
file's import error in the Airflow UI, and every valid batch still gets its DAG.
"""

from __future__ import annotations

import os
from pathlib import Path

from airflow.sdk import get_parsing_context

from bandwidth_hosted_messaging.constants import BATCH_FOLDER_ENV
from bandwidth_hosted_messaging.flows.batch_dags import batch_dags

BATCH_FOLDER = Path(os.environ.get(BATCH_FOLDER_ENV) or Path(__file__).resolve().parents[1] / "include" / "batches")

# A task process parses this file again for its one DAG (Airflow's parsing context): only that one is built.
for _dag in batch_dags(BATCH_FOLDER, only=get_parsing_context().dag_id):
    globals()[_dag.dag_id] = _dag
