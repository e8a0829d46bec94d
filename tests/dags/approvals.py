"""
Answer the approval step of a ``dag.test()`` run from outside, as a person would: through Airflow's own REST API
(``PATCH …/taskInstances/{task_id}/{map_index}/hitlDetails``, the call behind the Required Actions page), from a
thread, while ``dag.test()`` keeps the run alive. A timeout is let run out and resolved by the scheduler's own
``AWAITING_INPUT`` sweep.
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager

from bandwidth_hosted_messaging.constants import APPROVAL_TASK_ID


def _awaiting(dag_id: str):
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session
    from airflow.utils.state import TaskInstanceState
    from sqlalchemy import select

    with create_session() as session:
        return [
            (ti.run_id, ti.map_index)
            for ti in session.scalars(
                select(TaskInstance).where(
                    TaskInstance.dag_id == dag_id,
                    TaskInstance.task_id == APPROVAL_TASK_ID,
                    TaskInstance.state == TaskInstanceState.AWAITING_INPUT,
                )
            )
        ]


def core_api_client():
    """Airflow's core REST API in this process, with an admin's token."""
    from airflow.api_fastapi.app import create_app, init_auth_manager
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser
    from fastapi.testclient import TestClient

    token = init_auth_manager().generate_jwt(SimpleAuthManagerUser(username="ops-lead", role="admin"))
    client = TestClient(create_app("core"))
    client.headers["Authorization"] = f"Bearer {token}"
    return client


@contextmanager
def answering(dag_id: str, option: str):
    """While the block runs, answer every approval of ``dag_id`` that waits with ``option`` (``Approve``/``Reject``)."""
    client = core_api_client()
    answered: list[dict] = []
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            for run_id, map_index in _awaiting(dag_id):
                path = (
                    f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{APPROVAL_TASK_ID}/{map_index}/hitlDetails"
                )
                asked = client.get(path).json()  # what the Required Actions page shows: subject, body, options
                resp = client.patch(path, json={"chosen_options": [option], "params_input": {}})
                answered.append({"run_id": run_id, "status": resp.status_code, "asked": asked, "answer": resp.json()})
            time.sleep(0.3)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield answered
    finally:
        stop.set()
        thread.join(timeout=10)


@contextmanager
def timing_out(dag_id: str):
    """While the block runs, let the scheduler's timeout sweep resolve approvals whose time is up."""
    from airflow.jobs.job import Job
    from airflow.jobs.scheduler_job_runner import SchedulerJobRunner

    runner = SchedulerJobRunner(job=Job())
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            if _awaiting(dag_id):
                runner.check_awaiting_input_timeouts()
            time.sleep(0.3)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)
