"""
A minimal real task context for running operators' ``execute`` outside a DAG run (no metadata DB).

:class:`TaskInstanceStandIn` stands in for Airflow's TaskInstance: an in-memory XCom table with the same
pull semantics as ``RuntimeTaskInstance.xcom_pull`` (one task id and one value → that value; several
values or a list of task ids → a list), and a ``try_number``.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from bandwidth_hosted_messaging.hooks.bandwidth import BandwidthHook
from bandwidth_hosted_messaging.statuses import OrderKind

RETURN_KEY = "return_value"


class TaskInstanceStandIn:
    def __init__(self, task_id: str = "task", try_number: int = 1) -> None:
        self.task_id = task_id
        self.dag_id = "dag"
        self.run_id = "run"
        self.try_number = try_number
        self.map_index = -1
        #: ``(task_id, key) -> [value of each map index]``
        self.xcoms: dict[tuple[str, str], list[Any]] = {}

    def xcom_push(self, key: str, value: Any) -> None:
        self.xcoms[(self.task_id, key)] = [value]

    def seed(self, task_id: str, value: Any, key: str = RETURN_KEY, *, mapped: bool = False) -> None:
        """An upstream task's XCom (``mapped``: ``value`` is the list of its map indexes' values)."""
        self.xcoms[(task_id, key)] = list(value) if mapped else [value]

    def xcom_pull(self, task_ids: str | Iterable[str] | None = None, key: str = RETURN_KEY, **_: Any) -> Any:
        single = task_ids is None or isinstance(task_ids, str)
        ids = [task_ids or self.task_id] if single else list(task_ids)  # type: ignore[list-item]
        values: list[Any] = []
        for task_id in ids:
            found = self.xcoms.get((task_id, key))
            if found is None:
                values.append(None)
            else:
                values.extend(found)
        if single and len(values) == 1:
            return values[0]
        return values

    def pushed(self, key: str = RETURN_KEY) -> Any:
        return self.xcom_pull(key=key)


class TaskStateStore:
    def __init__(self, **values: Any) -> None:
        self.values = dict(values)

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def set(self, key: str, value: Any) -> None:
        self.values[key] = value


class DagStandIn:
    def __init__(self, dag_id: str) -> None:
        self.dag_id = dag_id


def make_context(
    *,
    task_id: str = "task",
    try_number: int = 1,
    dag_id: str = "hosted_messaging_import",
    run_id: str = "manual__2026-01-02T03:04:05+00:00",
    params: dict[str, Any] | None = None,
    store: TaskStateStore | None = None,
) -> dict[str, Any]:
    return {
        "ti": TaskInstanceStandIn(task_id, try_number),
        "dag": DagStandIn(dag_id),
        "run_id": run_id,
        "params": params or {},
        "task_state_store": store if store is not None else TaskStateStore(),
    }


def wait_final(order_id: str, kind: OrderKind = OrderKind.IMPORT, timeout: float = 10.0):
    """Poll the sandbox (through the hook) until the order's status is final."""
    hook = BandwidthHook("bandwidth_default")
    deadline = time.monotonic() + timeout
    while True:
        order = hook.get_order(kind, order_id)
        if order.status.is_final:
            return order
        if time.monotonic() > deadline:
            raise AssertionError(f"order {order_id} still {order.status} after {timeout}s")
        time.sleep(0.05)
