"""Upload the LOA file to completed import orders."""

from __future__ import annotations

from typing import Any

from airflow.sdk import BaseOperator
from airflow.sdk.exceptions import AirflowFailException
from bandwidth.hooks import BandwidthHook
from bandwidth.models import TnOrder
from bandwidth.validation import LOA_MAX_BYTES


class UploadLoaOperator(BaseOperator):
    """
    Upload the LOA file to a completed (or partially completed) import order.

    Skips orders that did not go through; on a retry, also orders that already hold an LOA document
    (so a retry after a lost answer never uploads twice). The file is read through :class:`~airflow.sdk.ObjectStoragePath`, so it may be
    a local path or any object-storage URL (``s3://``, ``gs://``, ...).

    :param order: the order as the sensor pushed it (templated).
    :param loa: the checked LOA file (``location``, ``content_type``, ``size``) from the validated request.
    """

    template_fields = ("order", "loa", "bandwidth_conn_id")

    def __init__(self, *, order: Any, loa: Any, bandwidth_conn_id: str = BandwidthHook.default_conn_name, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.order = order
        self.loa = loa
        self.bandwidth_conn_id = bandwidth_conn_id

    def execute(self, context: Any) -> dict[str, Any]:
        order = TnOrder.from_dict(self.order)
        result = {"order_id": order.order_id, "file_name": None, "status": "skipped"}
        if not order.status.is_success:
            self.log.info("Order %s ended %s: no LOA to upload", order.order_id, order.status.value)
            return result
        hook = BandwidthHook(self.bandwidth_conn_id)
        existing = []
        if context["ti"].try_number > 1:  # only a retry can find its own earlier upload
            existing = [f for f in hook.list_loas(order.order_id) if (f.document_type or "LOA").upper() == "LOA"]
        if existing:
            self.log.info("Order %s already has LOA %s: not uploading again", order.order_id, existing[0].file_name)
            return {**result, "file_name": existing[0].file_name, "status": "already_present"}
        content = _read_loa(self.loa["location"])
        if len(content) > LOA_MAX_BYTES:
            raise AirflowFailException(f"loa_file: {self.loa['location']} is {len(content)} bytes; the limit is {LOA_MAX_BYTES}")
        file_name = hook.upload_loa(order.order_id, content, self.loa["content_type"])
        self.log.info("Uploaded LOA %s (%d bytes) to order %s as %s", self.loa["location"], len(content), order.order_id, file_name)
        return {**result, "file_name": file_name, "status": "uploaded"}


def _read_loa(location: str) -> bytes:
    from airflow.sdk import ObjectStoragePath

    return ObjectStoragePath(location if "://" in location else f"file://{location}").read_bytes()
