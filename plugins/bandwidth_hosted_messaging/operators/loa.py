"""Upload the LOA file to completed import orders."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperator, Context
from airflow.sdk.exceptions import AirflowFailException

from bandwidth_hosted_messaging.constants import DEFAULT_CONN_ID
from bandwidth_hosted_messaging.hooks.lazy import bandwidth_hook
from bandwidth_hosted_messaging.reporting.links import REPORT_LINKS

if TYPE_CHECKING:
    from bandwidth_hosted_messaging.contracts import LoaFileDict, LoaResultDict, OrderDict


class UploadLoaOperator(BaseOperator):
    """
    Upload the LOA file to a completed (or partially completed) import order.

    Skips orders that did not go through; on a retry, also orders that already hold an LOA document (so a
    retry after a lost answer never uploads twice). The file is read through ``ObjectStoragePath``, so it may
    be a local path or any object-storage URL (``s3://``, ``gs://``, ...).

    :param order: the order as the sensor returned it (templated).
    :param loa: the checked LOA file (``location``, ``content_type``, ``size``) from the validated request.
    :param bandwidth_conn_id: the Bandwidth connection (templated).
    :param loa_roots: where the LOA may come from (default ``[bandwidth] loa_roots``); checked again on reading.
    """

    template_fields = ("order", "loa", "bandwidth_conn_id")
    operator_extra_links = REPORT_LINKS

    def __init__(
        self,
        *,
        order: Any,
        loa: Any,
        bandwidth_conn_id: str = DEFAULT_CONN_ID,
        loa_roots: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.loa_roots = list(loa_roots) if loa_roots is not None else None
        self.order: OrderDict = order
        self.loa: LoaFileDict = loa
        self.bandwidth_conn_id = bandwidth_conn_id

    def execute(self, context: Context) -> LoaResultDict:
        # What only the task needs is imported when it runs: every task process parses the DAG file again.
        from bandwidth_hosted_messaging.client.models import TnOrder
        from bandwidth_hosted_messaging.contracts import pulled
        from bandwidth_hosted_messaging.inputs.errors import RequestError

        order = TnOrder.from_dict(pulled(self.order))  # the wait's return value
        if not order.status.is_success:
            self.log.info("Order %s ended %s: no LOA to upload", order.order_id, order.status.value)
            return {"order_id": order.order_id, "file_name": None, "status": "skipped"}
        hook = bandwidth_hook(self.bandwidth_conn_id)
        if context["ti"].try_number > 1:  # only a retry can find its own earlier upload
            existing = [f for f in hook.list_loas(order.order_id) if (f.document_type or "LOA").upper() == "LOA"]
            if existing:
                name = existing[0].file_name
                self.log.info("Order %s already has LOA %s: not uploading again", order.order_id, name)
                return {"order_id": order.order_id, "file_name": name, "status": "already_present"}
        from bandwidth_hosted_messaging.inputs.loa_file import read_loa_file  # object storage: when the task runs

        location = self.loa["location"]
        try:
            content = read_loa_file(location, self.loa_roots)
        except RequestError as err:
            raise AirflowFailException(str(err)) from None
        file_name = hook.upload_loa(order.order_id, content, self.loa["content_type"])
        self.log.info("Uploaded LOA %s (%d bytes) to order %s as %s", location, len(content), order.order_id, file_name)
        return {"order_id": order.order_id, "file_name": file_name, "status": "uploaded"}
