"""The Airflow assets Bandwidth's callbacks are recorded on (used by the callback receiver and by DAGs)."""

from __future__ import annotations

from airflow.sdk import Asset

from bandwidth_hosted_messaging.constants import (
    IMPORT_TN_ORDERS_ASSET,
    MESSAGING_LOST_ASSET,
    REMOVE_IMPORTED_TN_ORDERS_ASSET,
)
from bandwidth_hosted_messaging.statuses import OrderKind


def _asset(name_and_uri: tuple[str, str]) -> Asset:
    name, uri = name_and_uri
    return Asset(name=name, uri=uri)


#: An import order changed status (``importtnorders`` notifications).
IMPORT_TN_ORDERS = _asset(IMPORT_TN_ORDERS_ASSET)
#: A remove-imported order changed status (``removeImportedTnOrders`` notifications).
REMOVE_IMPORTED_TN_ORDERS = _asset(REMOVE_IMPORTED_TN_ORDERS_ASSET)
#: A hosted number lost messaging to another account (account event ``MESSAGING_LOST``).
MESSAGING_LOST = _asset(MESSAGING_LOST_ASSET)

#: The asset of each order kind: the callback receiver records on it, the wait has it as inlet and reads its
#: wake-up ring.
ORDER_KIND_ASSETS: dict[OrderKind, Asset] = {
    OrderKind.IMPORT: IMPORT_TN_ORDERS,
    OrderKind.REMOVE: REMOVE_IMPORTED_TN_ORDERS,
}
#: Order notifications by lower-cased ``OrderType``.
ORDER_TYPE_ASSETS: dict[str, Asset] = {
    "importtnorders": IMPORT_TN_ORDERS,
    "removeimportedtnorders": REMOVE_IMPORTED_TN_ORDERS,
}
#: Account events by upper-cased ``EventType``.
EVENT_TYPE_ASSETS: dict[str, Asset] = {"MESSAGING_LOST": MESSAGING_LOST}
