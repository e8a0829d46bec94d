"""The Airflow assets Bandwidth callbacks are recorded on (used by the callback plugin and by DAGs)."""

from __future__ import annotations

from airflow.sdk import Asset

#: An import order changed status (``importtnorders`` notifications).
IMPORT_TN_ORDERS = Asset(name="bandwidth_importtnorders", uri="bandwidth://importtnorders")
#: A remove-imported order changed status (``removeImportedTnOrders`` notifications).
REMOVE_IMPORTED_TN_ORDERS = Asset(name="bandwidth_removeimportedtnorders", uri="bandwidth://removeimportedtnorders")
#: A hosted number lost messaging to another account (account event ``MESSAGING_LOST``).
MESSAGING_LOST = Asset(name="bandwidth_messaging_lost", uri="bandwidth://events/messaging_lost")

#: Order notifications by lower-cased ``OrderType``.
ORDER_TYPE_ASSETS: dict[str, Asset] = {
    "importtnorders": IMPORT_TN_ORDERS,
    "removeimportedtnorders": REMOVE_IMPORTED_TN_ORDERS,
}
#: Account events by upper-cased ``EventType``.
EVENT_TYPE_ASSETS: dict[str, Asset] = {"MESSAGING_LOST": MESSAGING_LOST}
