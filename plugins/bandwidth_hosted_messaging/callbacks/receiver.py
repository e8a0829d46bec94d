"""
Receive Bandwidth's callbacks on the API server and record each one as an Airflow asset event.

``POST /bandwidth/callbacks`` (the ``bandwidth`` plugin mounts :data:`app` at ``/bandwidth``) takes order
``Notification`` documents (``importtnorders``, ``removeImportedTnOrders``) and account events
(``MESSAGING_LOST``). Bandwidth's Basic-auth challenge: a request without credentials gets 401 with
``WWW-Authenticate: Basic realm="bandwidth"`` and Bandwidth re-sends it with the credentials of its
subscription, which must equal the login/password of the Airflow connection ``bandwidth_callback``
(env ``BANDWIDTH_CALLBACK_CONN_ID`` names another). Without that connection every callback gets 503.

Answers: 200 (empty body) recorded, duplicate or ignored; 401 no or wrong credentials; 413 body over
:data:`MAX_BODY_BYTES`; 415 not XML; 400 malformed, hostile (DOCTYPE/entities), not a notification, an id or
number of the wrong shape, or the client disconnected before its body was complete (one warning line, nothing
recorded); 503 no connection; 500 the metadata database failed. Whatever came from the request goes through
:func:`~bandwidth_hosted_messaging.callbacks.notifications.clean_text` before it reaches a log line, and a failed
login never logs the username that was sent (people type passwords there). Bandwidth never retries a delivery,
so polling stays the source of truth; these events are the fast signal.

Importing this module is cheap: Airflow's models and the asset manager are imported on the first request.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import logging
import os

from fastapi import FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from bandwidth_hosted_messaging.callbacks.notifications import clean_text, parse_notification
from bandwidth_hosted_messaging.callbacks.recording import record_notification
from bandwidth_hosted_messaging.client.errors import BandwidthXmlError
from bandwidth_hosted_messaging.constants import CALLBACK_CONN_ID, CALLBACK_CONN_ID_ENV

log = logging.getLogger("bandwidth_hosted_messaging.callbacks")

REALM = "bandwidth"
#: Largest callback body accepted (a notification is well under 1 KB).
MAX_BODY_BYTES = 64 * 1024
XML_CONTENT_TYPES = frozenset({"application/xml", "text/xml"})

app = FastAPI(title="Bandwidth callbacks", docs_url=None, redoc_url=None, openapi_url=None)


@app.post("/callbacks")
@app.post("/callbacks/", include_in_schema=False)
async def receive_callback(request: Request) -> Response:
    """Authenticate, bound, parse and record one Bandwidth callback."""
    expected = await run_in_threadpool(callback_credentials)
    if expected is None:
        return Response(status_code=503)
    if not _authenticated(request.headers.get("authorization"), expected, _client(request)):
        return Response(status_code=401, headers={"WWW-Authenticate": f'Basic realm="{REALM}"'})

    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        log.warning("Bandwidth callback refused: body of %s bytes exceeds %d", clean_text(declared, 20), MAX_BODY_BYTES)
        return Response(status_code=413)
    content_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if content_type not in XML_CONTENT_TYPES:
        log.warning("Bandwidth callback refused: content type %r is not XML", clean_text(content_type, 100))
        return Response(status_code=415)
    try:
        body = await _read_body(request)
    except _Incomplete as gone:
        # Nothing to record and nobody to answer; a short line, not a traceback (the 400 goes nowhere).
        log.warning(
            "Bandwidth callback abandoned: client %s disconnected after %d of %s body bytes",
            _client(request),
            gone.received,
            clean_text(declared or "unknown", 20),
        )
        return Response(status_code=400)
    if body is None:
        log.warning("Bandwidth callback refused: body exceeds %d bytes", MAX_BODY_BYTES)
        return Response(status_code=413)

    try:
        notification = parse_notification(body)
    except BandwidthXmlError as err:
        log.warning("Bandwidth callback refused: %s", clean_text(err))
        return Response(status_code=400)
    try:
        await run_in_threadpool(record_notification, notification)
    except Exception:
        log.exception("Bandwidth callback not recorded: %s", clean_text(notification.summary()))
        return Response(status_code=500)
    return Response(status_code=200)


def callback_credentials() -> tuple[str, str] | None:
    """Return the (login, password) callbacks must carry, or ``None`` (logged) when not configured."""
    from airflow.exceptions import AirflowNotFoundException
    from airflow.models.connection import Connection

    conn_id = os.environ.get(CALLBACK_CONN_ID_ENV) or CALLBACK_CONN_ID
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


def _client(request: Request) -> str:
    """The client's address for a log line (``unknown`` when the server does not know it)."""
    return clean_text(request.client.host, 64) if request.client and request.client.host else "unknown"


def _authenticated(header: str | None, expected: tuple[str, str], client: str = "unknown") -> bool:
    """
    Check a Basic ``Authorization`` header in constant time (username and password, always both).

    A refusal is logged without the username that was sent: people type passwords there by mistake.
    """
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
        log.warning("Bandwidth callback refused: malformed Authorization header from %s", client)
        return False
    user_ok = hmac.compare_digest(username.encode("utf-8"), expected[0].encode("utf-8"))
    password_ok = hmac.compare_digest(password.encode("utf-8"), expected[1].encode("utf-8"))
    if user_ok and password_ok:
        return True
    log.warning("Bandwidth callback refused: wrong credentials from %s", client)
    return False


class _Incomplete(Exception):
    """The client disconnected before its whole body arrived."""

    def __init__(self, received: int) -> None:
        super().__init__(received)
        self.received = received


async def _read_body(request: Request) -> bytes | None:
    """
    Read the body, or return ``None`` as soon as it grows past :data:`MAX_BODY_BYTES`.

    :raises _Incomplete: the client disconnected first (starlette's ``ClientDisconnect``).
    """
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                return None
            chunks.append(chunk)
    except ClientDisconnect:
        raise _Incomplete(size) from None
    return b"".join(chunks)
