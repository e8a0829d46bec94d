"""Operators of the hosted-messaging import and remove flows."""

from bandwidth.operators.checker import CheckImportabilityOperator
from bandwidth.operators.loa import UploadLoaOperator
from bandwidth.operators.orders import (
    CreateImportTnOrderOperator,
    CreateRemoveImportedTnOrderOperator,
    PlanOrdersOperator,
)
from bandwidth.operators.report import ImportReportOperator, RemoveReportOperator
from bandwidth.operators.request import ValidateImportRequestOperator, ValidateRemoveRequestOperator
from bandwidth.operators.subscriptions import EnsureSubscriptionOperator
from bandwidth.operators.verify import VerifyInServiceOperator, VerifyRemovedOperator

__all__ = [
    "CheckImportabilityOperator",
    "CreateImportTnOrderOperator",
    "CreateRemoveImportedTnOrderOperator",
    "EnsureSubscriptionOperator",
    "ImportReportOperator",
    "PlanOrdersOperator",
    "RemoveReportOperator",
    "UploadLoaOperator",
    "ValidateImportRequestOperator",
    "ValidateRemoveRequestOperator",
    "VerifyInServiceOperator",
    "VerifyRemovedOperator",
]
