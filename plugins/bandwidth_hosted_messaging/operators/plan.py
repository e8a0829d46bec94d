"""The plan of a run's orders: chunks of numbers, each with a deterministic CustomerOrderId (``approve_orders``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bandwidth_hosted_messaging.contracts import (
        CheckerResultDict,
        ImportRequestDict,
        PlanChunkDict,
        RemoveRequestDict,
    )


def plan_orders(
    request: ImportRequestDict | RemoveRequestDict, checker: CheckerResultDict | None, run_key: str
) -> list[PlanChunkDict]:
    """
    Split the numbers to order into chunks of at most the request's ``chunk_size``, each with a CustomerOrderId
    deterministic per run and chunk (same run, same chunk → same id: a retry or a resumed approval plans the same
    orders), for dynamic task mapping.

    :param request: the validated request (``chunk_size``, ``customer_order_id_prefix``, ``numbers``).
    :param checker: the checker's result; its importable numbers are ordered. ``None``: the request's numbers.
    :param run_key: ``<dag_id>/<run_id>``.
    """
    from bandwidth_hosted_messaging.client.numbers import chunked
    from bandwidth_hosted_messaging.inputs.request import customer_order_id

    numbers = checker["importable"] if checker is not None else request["numbers"]
    prefix = request["customer_order_id_prefix"]
    return [
        {"index": i, "customer_order_id": customer_order_id(prefix, run_key, i, chunk), "numbers": chunk}
        for i, chunk in enumerate(chunked(numbers, int(request["chunk_size"])))
    ]
