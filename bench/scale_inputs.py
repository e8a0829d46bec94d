"""
The XCom values of one import run of N numbers, built by the product's own code, without Airflow's components.

One batch file of N numbers (YAML and CSV, written by :mod:`bench.scale`); then, task by task, what each
task would push, from what its upstream tasks pushed:

- ``validate_request``: ``ValidateRequestOperator.execute`` on the batch file (a batch DAG's first task);
- ``check_importability``: Bandwidth's answers (XML in the contract's shape, 5,000 numbers each, 3 % rejected as the
  sandbox does) parsed by the client's own parser, then the operator's result dict;
- ``approve_orders``: ``ApproveOrdersOperator.execute``, which plans the orders and lets them through (threshold 0:
  no approval asked);
- ``import_order.create`` / ``.wait`` / ``.upload_loa`` (one per order): the order id, the order as the client parses
  Bandwidth's answer (1 % of every third order failed, 7518), the LOA result;
- ``verify_in_service``: the operator's result when every completed number is found in service;
- ``report``: ``ReportOperator.execute`` (CSV and JSON written to the report folder, the report returned).

Values cross task boundaries as Airflow's XComs do: serialised (``airflow.sdk.serde``, then JSON) when pushed,
decoded when pulled. :class:`TaskInstanceStub` keeps them as JSON files, so each task can run in its own process.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from airflow.sdk.serde import deserialize, serialize

from bandwidth_hosted_messaging.client import endpoints
from bandwidth_hosted_messaging.client.calls import ApiResponse, finish
from bandwidth_hosted_messaging.client.models import TnOrder
from bandwidth_hosted_messaging.constants import ALREADY_ON_BANDWIDTH, ORDER_URL_KEY
from bandwidth_hosted_messaging.statuses import OrderKind
from bench.common import (
    CHECKER_REJECT_SUFFIXES,
    LOA_FILE,
    ORDER_FAILURE_CODE,
    PARTIAL_EVERY,
    PARTIAL_SHARE,
    chunked,
)

DAG_ID = "import_batch_bench_000"
DESCRIPTIONS = {
    19005: "Messaging route is not configured for this telephone number",
    19006: "Bandwidth numbers cannot be imported by this account at this time",
    19011: "Telephone number cannot be imported",
    ORDER_FAILURE_CODE: "Telephone number not active",
}
#: Tasks in run order (mapped ones with one value per order).
TASKS = (
    "validate_request",
    "check_importability",
    "approve_orders",
    "import_order.create",
    "import_order.wait",
    "import_order.upload_loa",
    "verify_in_service",
    "report",
)
MAPPED = {"import_order.create", "import_order.wait", "import_order.upload_loa"}


def xcom_text(value: Any) -> str:
    """An XCom value as it is stored: ``serde.serialize``, then JSON (what the API server receives)."""
    return json.dumps(serialize(value))


class TaskInstanceStub:
    """``ti`` of one task: pushes and pulls XComs as JSON files in ``folder`` (``<task>.<key>.json``, a list)."""

    def __init__(self, folder: Path, task_id: str, run_id: str = "") -> None:
        self.folder, self.task_id = folder, task_id
        self.dag_id, self.run_id = DAG_ID, run_id
        self.try_number = 1

    def _file(self, task_id: str, key: str) -> Path:
        return self.folder / f"{task_id}.{key}.json"

    def xcom_push(self, key: str, value: Any) -> None:
        """Keep ``value`` (a mapped task's values in map-index order, pushed one after another)."""
        path = self._file(self.task_id, key)
        items = json.loads(path.read_text()) if self.task_id in MAPPED and path.exists() else []
        path.write_text("[" + ", ".join([*(json.dumps(i) for i in items), xcom_text(value)]) + "]")

    def xcom_pull(self, task_ids: str | list[str], key: str = "return_value") -> Any:
        one = isinstance(task_ids, str)
        path = self._file(task_ids if one else task_ids[0], key)
        if not path.exists():
            return None if one else []
        values = [deserialize(v) for v in json.loads(path.read_text())]
        return values[0] if one and len(values) == 1 else values


def context(folder: Path, task_id: str, run_id: str) -> dict[str, Any]:
    return {
        "ti": TaskInstanceStub(folder, task_id, run_id),
        "dag": SimpleNamespace(dag_id=DAG_ID),
        "run_id": run_id,
        "dag_run": SimpleNamespace(conf={}),
        "params": {},
    }


# ------------------------------------------------------------------------------------------ each task


def validate_request(ctx: dict[str, Any], batch_file: Path) -> Any:
    from bandwidth_hosted_messaging.operators.request import ValidateRequestOperator

    op = ValidateRequestOperator(
        task_id="validate_request",
        batch_file=str(batch_file),
        batch_folder=str(batch_file.parent),
        loa_roots=[str(LOA_FILE.parent)],
    )
    return op.execute(ctx)


def _checker_answer(numbers: list[str]) -> bytes:
    """``importTnChecker``'s answer for ``numbers`` as the contract shows it (the sandbox's rejection rules)."""
    ok, rejected = [], {}
    for n in numbers:
        code = next((c for s, c in CHECKER_REJECT_SUFFIXES.items() if n.endswith(s)), None)
        if code is None:
            ok.append(n)
        else:
            rejected.setdefault(code, []).append(n)

    def tns(items: list[str]) -> str:
        return (
            "<TelephoneNumbers>"
            + "".join(f"<TelephoneNumber>{n}</TelephoneNumber>" for n in items)
            + "</TelephoneNumbers>"
        )

    errors = "".join(
        f"<ImportTnError><Code>{code}</Code><Description>{DESCRIPTIONS[code]}</Description>{tns(items)}</ImportTnError>"
        for code, items in sorted(rejected.items())
    )
    return (
        f"<ImportTnCheckerResponse><ImportTnCheckerPayload>{tns(ok)}"
        f"{'<ImportTnErrors>' + errors + '</ImportTnErrors>' if errors else ''}"
        "</ImportTnCheckerPayload></ImportTnCheckerResponse>"
    ).encode()


def check_importability(ctx: dict[str, Any]) -> Any:
    request = ctx["ti"].xcom_pull(task_ids="validate_request")
    importable: list[str] = []
    rejected: list[dict[str, Any]] = []
    for chunk in chunked(request["numbers"], 5000):
        answer = ApiResponse(200, {"Content-Type": "application/xml"}, _checker_answer(chunk))
        result = finish(endpoints.check_importability(chunk), answer)
        importable += result.importable
        # as CheckImportabilityOperator builds its result
        rejected += [
            {"number": n, "code": err.code, "description": err.description}
            for n, err in result.rejected_numbers().items()
        ]
    return {"importable": importable, "rejected": rejected}


def approve_orders(ctx: dict[str, Any]) -> Any:
    from bandwidth_hosted_messaging.operators.approval import ApproveOrdersOperator

    ti = ctx["ti"]
    op = ApproveOrdersOperator(
        task_id="approve_orders",
        request=ti.xcom_pull(task_ids="validate_request"),
        checker=ti.xcom_pull(task_ids="check_importability"),
        approval_threshold=0,
    )
    return op.execute(ctx)


def _order_answer(order_id: str, chunk: dict[str, Any], index: int) -> bytes:
    """``GET importTnOrders/{id}`` of a final order, as the contract shows it."""
    numbers = chunk["numbers"]
    failed = numbers[:: round(1 / PARTIAL_SHARE)] if index % PARTIAL_EVERY == 0 else []
    tns = "".join(f"<TelephoneNumber>{n}</TelephoneNumber>" for n in numbers)
    errors = (
        f"<Errors><Error><Code>{ORDER_FAILURE_CODE}</Code><Description>{DESCRIPTIONS[ORDER_FAILURE_CODE]}"
        "</Description><TelephoneNumbers>"
        + "".join(f"<TelephoneNumber>{n}</TelephoneNumber>" for n in failed)
        + "</TelephoneNumbers></Error></Errors>"
        if failed
        else "<Errors/>"
    )
    return (
        f"<ImportTnOrder><CustomerOrderId>{chunk['customer_order_id']}</CustomerOrderId>"
        "<OrderCreateDate>2026-12-01T08:00:00.000Z</OrderCreateDate><AccountId>9900000</AccountId>"
        f"<OrderId>{order_id}</OrderId><LastModifiedDate>2026-12-01T08:00:45.000Z</LastModifiedDate>"
        f"<SiteId>14413</SiteId><TelephoneNumbers>{tns}</TelephoneNumbers>"
        f"<ProcessingStatus>{'PARTIAL' if failed else 'COMPLETE'}</ProcessingStatus>{errors}</ImportTnOrder>"
    ).encode()


def import_orders(folder: Path) -> None:
    """Push what every mapped ``import_order`` task would: order id, the final order, the LOA result."""
    plan = TaskInstanceStub(folder, "approve_orders").xcom_pull(task_ids="approve_orders")
    create = TaskInstanceStub(folder, "import_order.create")
    wait = TaskInstanceStub(folder, "import_order.wait")
    upload = TaskInstanceStub(folder, "import_order.upload_loa")
    for index, chunk in enumerate(plan):
        order_id = str(uuid.UUID(int=index + 1))
        create.xcom_push("return_value", order_id)
        answer = ApiResponse(200, {}, _order_answer(order_id, chunk, index))
        order: TnOrder = finish(endpoints.get_order(OrderKind.IMPORT, order_id), answer)
        for key in ("return_value", "order"):
            wait.xcom_push(key, order.to_dict())
        wait.xcom_push(ORDER_URL_KEY, f"https://dashboard.bandwidth.com/api/accounts/9900000/importTnOrders/{order_id}")
        upload.xcom_push("return_value", {"order_id": order_id, "file_name": f"{order_id}.pdf", "status": "uploaded"})


def verify_in_service(ctx: dict[str, Any]) -> Any:
    """``VerifyNumbersOperator``'s result when Bandwidth lists every completed number in service."""
    ti = ctx["ti"]
    orders = [o for o in ti.xcom_pull(task_ids=["import_order.wait"], key="order") or [] if o]
    expected = [n for o in orders for n in TnOrder.from_dict(o).completed_numbers()]
    checker = ti.xcom_pull(task_ids="check_importability")
    candidates = [r["number"] for r in checker["rejected"] if str(r["code"]) == ALREADY_ON_BANDWIDTH]
    found = set(expected) | set(candidates)
    return {
        "in_service": [n for n in expected if n in found],
        "missing": [n for n in expected if n not in found],
        "already_in_service": [n for n in candidates if n in found],
    }


def report(ctx: dict[str, Any]) -> Any:
    """``ReportOperator.execute``: the run fails after the report is written (seeded failures), as in the bench."""
    from airflow.sdk.exceptions import AirflowFailException

    from bandwidth_hosted_messaging.operators.report import ReportOperator

    op = ReportOperator(
        task_id="report",
        request_task_id="validate_request",
        checker_task_id="check_importability",
        order_task_id="import_order.wait",
        loa_task_id="import_order.upload_loa",
        verify_task_id="verify_in_service",
        approval_task_id="approve_orders",
    )
    try:
        return op.execute(ctx)
    except AirflowFailException:
        return None  # it pushed its report before failing the run


def largest_values(folder: Path) -> dict[str, dict[str, Any]]:
    """
    Per task: its largest XCom value in bytes (as stored, any key), the total of its values, and how many
    return values it pushed (one per order for the mapped tasks).
    """
    out = {}
    for task in TASKS:
        sizes, returns = [], 0
        for path in folder.glob(f"{task}.*.json"):
            values = json.loads(path.read_text())
            sizes += [len(json.dumps(v)) for v in values]
            returns += len(values) if path.name == f"{task}.return_value.json" else 0
        out[task] = {"largest_bytes": max(sizes, default=0), "total_bytes": sum(sizes), "values": returns}
    return out
