"""Validate an import or remove request before any API call."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from airflow.sdk import BaseOperator, Context
from airflow.sdk.exceptions import AirflowFailException

from bandwidth_hosted_messaging.contracts import ImportRequestDict, RemoveRequestDict
from bandwidth_hosted_messaging.inputs.errors import RequestError
from bandwidth_hosted_messaging.inputs.request import validate_import_request, validate_remove_request
from bandwidth_hosted_messaging.reporting.render import first_n
from bandwidth_hosted_messaging.statuses import OrderKind


class ValidateRequestOperator(BaseOperator):
    """
    Check and normalise a request before any API call.

    Returns the request (numbers as ten digits, duplicates listed); an import request also pushes its checked
    LOA file under XCom key ``loa``. An invalid field fails the task at once (no retry), naming the field.

    :param order_kind: ``import`` (subscriber, address, site, LOA) or ``remove`` (numbers only).
    :param values: the request fields (never rendered as templates); ``None`` reads the DAG run's Params.
    :param check_loa: also check that the LOA file exists, is readable, of an accepted type and size.
    :param loa_roots: where the LOA may come from (default ``[bandwidth] loa_roots``).
    """

    # Nothing is templated: request values (a batch file's, the form's) are data, never Jinja.
    template_fields = ()

    def __init__(
        self,
        *,
        order_kind: str = OrderKind.IMPORT,
        values: Mapping[str, Any] | None = None,
        check_loa: bool = True,
        loa_roots: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.order_kind = OrderKind(order_kind)
        self.values = values
        self.check_loa = check_loa
        self.loa_roots = list(loa_roots) if loa_roots is not None else None

    def execute(self, context: Context) -> ImportRequestDict | RemoveRequestDict:
        values = dict(self.values if self.values is not None else context["params"])
        kind = self.order_kind.value
        try:
            if self.order_kind is OrderKind.IMPORT:
                request = validate_import_request(values, check_loa=self.check_loa, loa_roots=self.loa_roots)
                context["ti"].xcom_push(key="loa", value=request.loa)
                output: ImportRequestDict | RemoveRequestDict = request.to_dict()
            else:
                output = validate_remove_request(values).to_dict()
        except RequestError as err:
            raise AirflowFailException(f"Invalid {kind} request: {err}") from None
        duplicates = output["duplicates"]
        if duplicates:
            self.log.warning("Removed %d duplicate number(s): %s", len(duplicates), first_n(duplicates))
        self.log.info("%s request valid: %d unique number(s)", kind.capitalize(), len(output["numbers"]))
        return output
