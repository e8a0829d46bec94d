"""
Append a final-status callback to its order asset's wake-up ring (:mod:`~..triggers.wake_ring`), and note when each
subscription last called back (:mod:`~..hooks.subscription_memory`'s proof of life), in the callback receiver's
transaction, under the lock it holds on the asset's row: API servers in several processes never lose each other's
entries. The waiting triggers read the ring, and ``ensure_subscription`` the notes, through the Task SDK's asset
state store.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from bandwidth_hosted_messaging.callbacks.notifications import OrderNotification
from bandwidth_hosted_messaging.hooks.subscription_memory import SEEN_KEY, noted
from bandwidth_hosted_messaging.triggers.wake_ring import RING_KEY, Ring, wakes

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def push_wakeup(session: Session, asset_id: int, notification: OrderNotification) -> bool:
    """Add ``notification`` to the ring when its status may end a wait; return whether it was added."""
    if not notification.status or not wakes(notification.status):
        return False
    stored = _get(session, asset_id, RING_KEY)
    ring = Ring.parse(stored).append(notification.order_id, notification.status.upper(), time.time())
    _set(session, asset_id, RING_KEY, ring.to_value())
    return True


def note_callback(session: Session, asset_id: int, subscription_id: str | None) -> None:
    """Note that ``subscription_id`` delivered a callback now (an authenticated one: the receiver checked it)."""
    if subscription_id:
        _set(session, asset_id, SEEN_KEY, noted(_get(session, asset_id, SEEN_KEY), subscription_id, time.time()))


def _get(session: Session, asset_id: int, key: str) -> Any:
    from airflow._shared.state import AssetScope
    from airflow.state import get_state_backend

    stored = get_state_backend().get(AssetScope(asset_id=asset_id), key, session=session)
    return json.loads(stored) if stored else None


def _set(session: Session, asset_id: int, key: str, value: Any) -> None:
    from airflow._shared.state import AssetScope, AssetStateStoreWriterKind
    from airflow.state import get_state_backend

    backend = get_state_backend()
    scope = AssetScope(asset_id=asset_id)
    setter = getattr(backend, "set_asset_state_store", None)
    if setter is not None:  # the metastore backend: records the writer as the API
        setter(scope, key, json.dumps(value), kind=AssetStateStoreWriterKind.API, session=session)
    else:
        backend.set(scope, key, json.dumps(value), session=session)
