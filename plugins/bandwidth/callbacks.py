"""
Receive Bandwidth's callbacks on the API server and record each one as an Airflow asset event.

``POST /bandwidth/callbacks`` (the ``bandwidth`` plugin mounts :data:`app` at ``/bandwidth``) takes order
``Notification`` documents (``importtnorders``, ``removeImportedTnOrders``) and account events
(``MESSAGING_LOST``). Bandwidth's Basic-auth challenge: a request without credentials gets 401 with
``WWW-Authenticate: Basic realm="bandwidth"`` and Bandwidth re-sends it with the credentials of its
subscription, which must equal the login/password of the Airflow connection ``bandwidth_callback``
(env ``BANDWIDTH_CALLBACK_CONN_ID`` names another). Without that connection every callback gets 503.

Answers: 200 (empty body) recorded, duplicate or ignored; 401 no or wrong credentials; 413 body over
:data:`MAX_BODY_BYTES`; 415 not XML; 400 malformed, hostile (DOCTYPE/entities) or not a notification;
503 no connection; 500 the metadata database failed. Bandwidth never retries a delivery, so polling stays
the source of truth; these events are the fast signal.

Importing this module is cheap: Airflow's models and the asset manager are imported on the first request.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import logging
import os
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool

from bandwidth.assets import EVENT_TYPE_ASSETS, ORDER_TYPE_ASSETS
from bandwidth.exceptions import BandwidthXmlError
from bandwidth.notifications import AccountEvent, OrderNotification, parse_notification

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

log = logging.getLogger("bandwidth.callbacks")

CONN_ID_ENV = "BANDWIDTH_CALLBACK_CONN_ID"
DEFAULT_CONN_ID = "bandwidth_callback"
REALM = "bandwidth"
#: Largest callback body accepted (a notification is well under 1 KB).
MAX_BODY_BYTES = 64 * 1024
XML_CONTENT_TYPES = frozenset({"application/xml", "text/xml"})
#: Account events carry no order id: an identical one within this window is a duplicate.
ACCOUNT_EVENT_DEDUPE_WINDOW = timedelta(days=1)

app = FastAPI(title="Bandwidth callbacks", docs_url=None, redoc_url=None, openapi_url=None)


@app.post("/callbacks")
@app.post("/callbacks/", include_in_schema=False)
async def receive_callback(request: Request) -> Response:
    """Authenticate, bound, parse and record one Bandwidth callback."""
    expected = await run_in_threadpool(callback_credentials)
    if expected is None:
        return Response(status_code=503)
    if not _authenticated(request.headers.get("authorization"), expected):
        return Response(status_code=401, headers={"WWW-Authenticate": f'Basic realm="{REALM}"'})

    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        log.warning("Bandwidth callback refused: body of %s bytes exceeds %d", declared, MAX_BODY_BYTES)
        return Response(status_code=413)
    content_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if content_type not in XML_CONTENT_TYPES:
        log.warning("Bandwidth callback refused: content type %r is not XML", content_type[:100])
        return Response(status_code=415)
    body = await _read_body(request)
    if body is None:
        log.warning("Bandwidth callback refused: body exceeds %d bytes", MAX_BODY_BYTES)
        return Response(status_code=413)

    try:
        notification = parse_notification(body)
    except BandwidthXmlError as err:
        log.warning("Bandwidth callback refused: %s", err)
        return Response(status_code=400)
    try:
        await run_in_threadpool(record_notification, notification)
    except Exception:
        log.exception("Bandwidth callback not recorded: %s", notification)
        return Response(status_code=500)
    return Response(status_code=200)


def callback_credentials() -> tuple[str, str] | None:
    """Return the (login, password) callbacks must carry, or ``None`` (logged) when not configured."""
    from airflow.exceptions import AirflowNotFoundException
    from airflow.models.connection import Connection

    conn_id = os.environ.get(CONN_ID_ENV) or DEFAULT_CONN_ID
    try:
        conn = Connection.get_connection_from_secrets(conn_id)
    except AirflowNotFoundException:
        log.error(
            "Bandwidth callback refused (503): connection %r is not defined; callbacks need its login/password",
            conn_id,
        )
        return None
    if not conn.login or not conn.password:
        log.error("Bandwidth callback refused (503): connection %r needs both a login and a password", conn_id)
        return None
    return conn.login, conn.password


def _authenticated(header: str | None, expected: tuple[str, str]) -> bool:
    """Check a Basic ``Authorization`` header in constant time (username and password, always both)."""
    if not header:
        log.debug("Bandwidth callback without credentials: sending the Basic challenge")
        return False
    scheme, _, token = header.strip().partition(" ")
    try:
        if scheme.lower() != "basic":
            raise ValueError(scheme)
        username, sep, password = base64.b64decode(token.strip(), validate=True).decode("utf-8").partition(":")
        if not sep:
            raise ValueError("no colon")
    except (ValueError, binascii.Error):
        log.warning("Bandwidth callback refused: malformed Authorization header")
        return False
    user_ok = hmac.compare_digest(username.encode("utf-8"), expected[0].encode("utf-8"))
    password_ok = hmac.compare_digest(password.encode("utf-8"), expected[1].encode("utf-8"))
    if user_ok and password_ok:
        return True
    log.warning("Bandwidth callback refused: wrong credentials for username %r", username[:64])
    return False


async def _read_body(request: Request) -> bytes | None:
    """Read the body, or return ``None`` as soon as it grows past :data:`MAX_BODY_BYTES`."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


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
        what = f"{notification.order_type} order {notification.order_id} {notification.status}"
    else:
        asset = EVENT_TYPE_ASSETS.get(notification.event_type)
        what = f"{notification.event_type} for {len(notification.numbers)} number(s)"
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
        if _already_recorded(session, model.id, notification):
            log.info("Bandwidth callback duplicate ignored: %s", what)
            return "duplicate"
        event = asset_manager.register_asset_change(asset=model, extra=extra, source_is_api=True, session=session)
        if event is None:
            log.warning("Bandwidth callback not recorded: asset %r refused the event: %s", asset.name, what)
            return "no_asset"
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
        since = datetime.now(timezone.utc) - ACCOUNT_EVENT_DEDUPE_WINDOW
        query = query.where(
            AssetEvent.extra["event_type"].as_string() == notification.event_type, AssetEvent.timestamp >= since
        )
    key = notification.dedupe_key(notification.extra())
    return any(notification.dedupe_key(extra or {}) == key for extra in session.scalars(query))
