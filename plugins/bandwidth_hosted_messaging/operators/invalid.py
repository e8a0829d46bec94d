"""The one task of a DAG that stands in for an invalid batch file: it fails, saying what is wrong with the file."""

from __future__ import annotations

from typing import Any

from airflow.sdk import BaseOperator, Context
from airflow.sdk.exceptions import AirflowFailException


class InvalidBatchFileOperator(BaseOperator):
    """
    Fail at once with the batch file's error (file, field, rule; never the file's content).

    :param message: the error, as :class:`~bandwidth_hosted_messaging.inputs.errors.BatchFileError` words it.
    """

    ui_color = "#fde2e1"

    def __init__(self, *, message: str, **kwargs: Any) -> None:
        kwargs.setdefault("retries", 0)
        super().__init__(**kwargs)
        self.message = message

    def execute(self, context: Context) -> None:
        raise AirflowFailException(f"Invalid batch file: {self.message}")
