"""Operators of the hosted-messaging import and remove flows."""

from bandwidth.operators.checker import CheckImportabilityOperator
from bandwidth.operators.loa import UploadLoaOperator
from bandwidth.operators.orders import (
    CreateImportTnOrderOperator,
    CreateRemoveImportedTnOrderOperator,
    PlanImportOrdersOperator,
)
from bandwidth.operators.report import ImportReportOperator
from bandwidth.operators.request import ValidateImportRequestOperator
from bandwidth.operators.subscriptions import EnsureSubscriptionOperator
from bandwidth.operators.verify import VerifyInServiceOperator

__all__ = [
    "CheckImportabilityOperator",
    "CreateImportTnOrderOperator",
    "CreateRemoveImportedTnOrderOperator",
    "EnsureSubscriptionOperator",
    "ImportReportOperator",
    "PlanImportOrdersOperator",
    "UploadLoaOperator",
    "ValidateImportRequestOperator",
    "VerifyInServiceOperator",
]
