"""
Append a final-status callback to its order asset's wake-up ring (:mod:`~..triggers.wake_ring`), in the callback
receiver's transaction, under the lock it holds on the asset's row: API servers in several processes never
lose each other's entries. The waiting triggers read the ring through the Task SDK's asset state store.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING

from bandwidth_hosted_messaging.callbacks.notifications import OrderNotification
from bandwidth_hosted_messaging.triggers.wake_ring import RING_KEY, Ring, wakes

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def push_wakeup(session: Session, asset_id: int, notification: OrderNotification) -> bool:
    """Add ``notification`` to the ring when its status may end a wait; return whether it was added."""
    if not notification.status or not wakes(notification.status):
        return False
    from airflow._shared.state import AssetScope, AssetStateStoreWriterKind
    from airflow.state import get_state_backend

    backend = get_state_backend()
    scope = AssetScope(asset_id=asset_id)
    stored = backend.get(scope, RING_KEY, session=session)
    ring = Ring.parse(json.loads(stored) if stored else None)
    value = json.dumps(ring.append(notification.order_id, notification.status.upper(), time.time()).to_value())
    setter = getattr(backend, "set_asset_state_store", None)
    if setter is not None:  # the metastore backend: records the writer as the API
        setter(scope, RING_KEY, value, kind=AssetStateStoreWriterKind.API, session=session)
    else:
        backend.set(scope, RING_KEY, value, session=session)
    return True
