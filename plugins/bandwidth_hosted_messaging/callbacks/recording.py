"""
Record a Bandwidth callback as an Airflow asset event, once (and, for a final order status, on the asset's
wake-up ring, which wakes the waits on that order), and note that its subscription delivered: the duplicate check
and the insert run in one transaction holding a lock on the asset's row, so API-server workers in other processes
cannot record the same notification twice. Airflow's models and asset manager are imported on the first call.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from bandwidth_hosted_messaging.assets import EVENT_TYPE_ASSETS, ORDER_TYPE_ASSETS
from bandwidth_hosted_messaging.callbacks.notifications import AccountEvent, OrderNotification, clean_text
from bandwidth_hosted_messaging.callbacks.wakeups import note_callback, push_wakeup

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

log = logging.getLogger("bandwidth_hosted_messaging.callbacks")

#: Account events carry no order id: an identical one within this window is a duplicate.
ACCOUNT_EVENT_DEDUPE_WINDOW = timedelta(days=1)


def record_notification(notification: OrderNotification | AccountEvent) -> str:
    """
    Record ``notification`` as an asset event unless an identical one was recorded before.

    The check and the insert run in one transaction holding a lock on the asset's row, so API-server
    workers in other processes cannot record the same notification twice.

    :return: ``recorded``, ``duplicate``, ``no_asset`` (no DAG references the asset yet) or ``ignored``.
    """
    from airflow.assets.manager import asset_manager
    from airflow.models.asset import AssetModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    if isinstance(notification, OrderNotification):
        asset = ORDER_TYPE_ASSETS.get(notification.order_type.lower())
    else:
        asset = EVENT_TYPE_ASSETS.get(notification.event_type)
    what = clean_text(notification.summary())  # came from outside: one bounded line in the log
    if asset is None:
        log.warning("Bandwidth callback ignored: nothing is recorded for %s", what)
        return "ignored"
    extra = notification.extra()
    with create_session() as session:
        model = session.scalar(select(AssetModel).where(AssetModel.name == asset.name, AssetModel.uri == asset.uri))
        if model is None:
            log.warning(
                "Bandwidth callback not recorded: asset %r is unknown (is a DAG scheduled on it parsed?): %s",
                asset.name,
                what,
            )
            return "no_asset"
        _lock_asset_row(session, model.id)
        note_callback(session, model.id, notification.subscription_id)  # a duplicate, too, shows it delivers
        if _already_recorded(session, model.id, notification):
            log.info("Bandwidth callback duplicate ignored: %s", what)
            return "duplicate"
        event = asset_manager.register_asset_change(asset=model, extra=extra, source_is_api=True, session=session)
        if event is None:
            log.warning("Bandwidth callback not recorded: asset %r refused the event: %s", asset.name, what)
            return "no_asset"
        if isinstance(notification, OrderNotification):
            push_wakeup(session, model.id, notification)  # the waits on this order wake within seconds
    log.info("Bandwidth callback recorded on asset %s: %s", asset.name, what)
    return "recorded"


def _lock_asset_row(session: Session, asset_id: int) -> None:
    """Serialise writers of this asset's events until the transaction ends (SQLite: the writer lock)."""
    from airflow.models.asset import AssetModel
    from airflow.utils.sqlalchemy import get_dialect_name
    from sqlalchemy import select, update

    if get_dialect_name(session) == "sqlite":
        session.execute(update(AssetModel).where(AssetModel.id == asset_id).values(updated_at=AssetModel.updated_at))
    else:
        session.execute(select(AssetModel.id).where(AssetModel.id == asset_id).with_for_update())


def _already_recorded(session: Session, asset_id: int, notification: OrderNotification | AccountEvent) -> bool:
    """Whether an event with the same dedupe key is already stored on this asset."""
    from airflow.models.asset import AssetEvent
    from sqlalchemy import select

    query = select(AssetEvent.extra).where(AssetEvent.asset_id == asset_id)
    if isinstance(notification, OrderNotification):
        query = query.where(AssetEvent.extra["order_id"].as_string() == notification.order_id)
    else:
        since = datetime.now(UTC) - ACCOUNT_EVENT_DEDUPE_WINDOW
        query = query.where(
            AssetEvent.extra["event_type"].as_string() == notification.event_type, AssetEvent.timestamp >= since
        )
    key = notification.dedupe_key(notification.extra())
    return any(notification.dedupe_key(extra or {}) == key for extra in session.scalars(query))
