"""Validate an import or remove request before any API call."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperator, Context
from airflow.sdk.exceptions import AirflowFailException

from bandwidth_hosted_messaging.constants import ORDER_DETAILS_KEY
from bandwidth_hosted_messaging.reporting.links import REPORT_LINKS
from bandwidth_hosted_messaging.statuses import OrderKind

if TYPE_CHECKING:
    from bandwidth_hosted_messaging.contracts import ImportRequestDict, RemoveRequestDict


class ValidateRequestOperator(BaseOperator):
    """
    Check and normalise a request before any API call.

    Returns the request (numbers as ten digits, duplicates listed); an import request also pushes its checked
    LOA file under XCom key ``loa``. An invalid field fails the task at once (no retry), naming the field.

    With ``retry_failed_of_run`` (an earlier run of the same DAG; for a batch DAG, the one key of the run's conf it
    reads), the numbers are that run's which ended
    ``order_failed``, ``not_ordered`` or ``not_in_service``, read from its report; the other fields are this run's.

    :param order_kind: ``import`` (subscriber, address, site, LOA) or ``remove`` (numbers only).
    :param values: the request fields (never rendered as templates); ``None`` reads the DAG run's Params.
    :param check_loa: also check that the LOA file exists, is readable, of an accepted type and size.
    :param loa_roots: where the LOA may come from (default ``[bandwidth] loa_roots``).
    :param batch_file: a batch DAG's file: its fields, numbers and LOA are read and checked here, when the run
        starts (the DAG file reads only what shapes the DAG); an error names the file and the field.
    :param batch_folder: the folder ``batch_file`` must lie in (default: its own).
    """

    operator_extra_links = REPORT_LINKS

    # Nothing is templated: request values (a batch file's, the form's) are data, never Jinja.
    template_fields = ()

    def __init__(
        self,
        *,
        order_kind: str = OrderKind.IMPORT,
        values: Mapping[str, Any] | None = None,
        check_loa: bool = True,
        loa_roots: Sequence[str] | None = None,
        batch_file: str | None = None,
        batch_folder: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.batch_file = batch_file
        self.batch_folder = batch_folder
        self.order_kind = OrderKind(order_kind)
        self.values = values
        self.check_loa = check_loa
        self.loa_roots = list(loa_roots) if loa_roots is not None else None

    def execute(self, context: Context) -> ImportRequestDict | RemoveRequestDict:
        # The validation is imported when the task runs: every task process parses the DAG file again.
        from bandwidth_hosted_messaging.contracts import order_details
        from bandwidth_hosted_messaging.inputs.errors import RequestError
        from bandwidth_hosted_messaging.inputs.request import validate_import_request, validate_remove_request
        from bandwidth_hosted_messaging.reporting.render import first_n

        if self.batch_file:
            values = self._batch_values()
        else:
            values = dict(self.values if self.values is not None else context["params"])
        if (self.batch_file or self.values is not None) and self.order_kind is OrderKind.IMPORT:
            # A batch DAG has no form: of the run's conf it takes only the run whose failed numbers to re-order.
            source = (getattr(context.get("dag_run"), "conf", None) or {}).get("retry_failed_of_run")
            if source:
                values["retry_failed_of_run"] = source
        kind = self.order_kind.value
        try:
            if values.get("retry_failed_of_run"):
                values["numbers"] = self._failed_numbers(context["dag"].dag_id, values["retry_failed_of_run"])
            if self.order_kind is OrderKind.IMPORT:
                request = validate_import_request(values, check_loa=self.check_loa, loa_roots=self.loa_roots)
                context["ti"].xcom_push(key="loa", value=request.loa)
                output: ImportRequestDict | RemoveRequestDict = request.to_dict()
                context["ti"].xcom_push(key=ORDER_DETAILS_KEY, value=order_details(output))
            else:
                output = validate_remove_request(values).to_dict()
        except RequestError as err:
            raise AirflowFailException(f"Invalid {kind} request: {err}") from None
        if output.get("dry_run"):
            self.log.info("Dry run: the orders are checked and planned, none is created")
        duplicates = output["duplicates"]
        if duplicates:
            self.log.warning("Removed %d duplicate number(s): %s", len(duplicates), first_n(duplicates))
        self.log.info("%s request valid: %d unique number(s)", kind.capitalize(), len(output["numbers"]))
        return output

    def _batch_values(self) -> dict[str, Any]:
        from bandwidth_hosted_messaging.inputs.batch_file import load_batch
        from bandwidth_hosted_messaging.inputs.errors import BatchFileError

        assert self.batch_file is not None
        try:
            batch = load_batch(self.batch_file, self.batch_folder)
        except BatchFileError as err:
            raise AirflowFailException(f"Invalid batch file: {err}") from None
        self.log.info("Batch file %s: %d number(s)", self.batch_file, batch.numbers_count or 0)
        return batch.values

    def _failed_numbers(self, dag_id: str, source_run_id: Any) -> list[str]:
        from bandwidth_hosted_messaging.inputs.errors import RequestError
        from bandwidth_hosted_messaging.reporting.retry_failed import failed_numbers_of

        field = "retry_failed_of_run"
        if not isinstance(source_run_id, str):
            raise RequestError(field, "must be the run id of an earlier run of this DAG")
        numbers = failed_numbers_of(dag_id, source_run_id)
        if numbers is None:
            raise RequestError(field, f"run {source_run_id!r} of DAG {dag_id} has no report (is it finished?)")
        if not numbers:
            raise RequestError(field, f"run {source_run_id!r} of DAG {dag_id} has no failed numbers to order again")
        self.log.info("Ordering again the %d failed number(s) of run %s", len(numbers), source_run_id)
        return numbers
