"""Validate an import request before any API call."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from airflow.sdk import BaseOperator
from airflow.sdk.exceptions import AirflowFailException
from bandwidth.validation import RequestError, validate_import_request, validate_remove_request


class ValidateImportRequestOperator(BaseOperator):
    """
    Check and normalise an import request before any API call.

    Returns the request (numbers as ten digits, duplicates listed) and pushes the checked LOA file under
    XCom key ``loa``. An invalid field fails the task at once (no retry), naming the field.

    :param values: the request fields (templated); ``None`` reads the DAG run's Params.
    :param check_loa: also check that the LOA file exists, is readable, of an accepted type and size.
    """

    template_fields = ("values",)
    kind = "import"

    def __init__(self, *, values: Mapping[str, Any] | None = None, check_loa: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.values = values
        self.check_loa = check_loa

    def execute(self, context: Any) -> dict[str, Any]:
        values = dict(self.values if self.values is not None else context["params"])
        try:
            request = self._validate(values)
        except RequestError as err:
            raise AirflowFailException(f"Invalid {self.kind} request: {err}") from None
        if request.duplicates:
            self.log.warning("Removed %d duplicate number(s): %s", len(request.duplicates), ", ".join(request.duplicates[:20]))
        self.log.info("%s request valid: %d unique number(s)", self.kind.capitalize(), len(request.numbers))
        if hasattr(request, "loa"):
            context["ti"].xcom_push(key="loa", value=request.loa)
        return request.to_dict()

    def _validate(self, values: dict[str, Any]) -> Any:
        return validate_import_request(values, check_loa=self.check_loa)


class ValidateRemoveRequestOperator(ValidateImportRequestOperator):
    """Check and normalise a remove request (numbers, CustomerOrderId prefix, chunk size) before any API call."""

    kind = "remove"

    def _validate(self, values: dict[str, Any]) -> Any:
        return validate_remove_request(values)
