"""Keep one callback subscription per order type and URL."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseHook, BaseOperator, Context
from airflow.sdk.exceptions import AirflowFailException, AirflowNotFoundException

from bandwidth_hosted_messaging.constants import CALLBACK_CONN_ID, CALLBACK_PATH, DEFAULT_CONN_ID
from bandwidth_hosted_messaging.hooks.lazy import bandwidth_hook
from bandwidth_hosted_messaging.reporting.links import REPORT_LINKS
from bandwidth_hosted_messaging.statuses import OrderKind

if TYPE_CHECKING:
    from bandwidth_hosted_messaging.client.models import Subscription
    from bandwidth_hosted_messaging.hooks.bandwidth import BandwidthHook

#: The callback connection's type: an HTTP endpoint (ours) and the Basic credentials Bandwidth will send.
CALLBACK_CONN_TYPE = "http"
DEFAULT_SUBSCRIPTION_EXPIRY = 30 * 24 * 3600


def callback_url(conn: Any) -> str:
    """The public URL Bandwidth should POST notifications to, from the callback connection."""
    host = (conn.host or "").strip()
    if not host:
        raise ValueError(f"Connection {conn.conn_id!r}: host (the public callback URL) is required")
    if "://" in host:
        return host
    scheme = (conn.extra_dejson or {}).get("scheme") or "https"
    port = f":{conn.port}" if conn.port else ""
    path = (conn.extra_dejson or {}).get("path") or CALLBACK_PATH
    return f"{scheme}://{host}{port}/{path.lstrip('/')}"


def _when(epoch: float) -> str:
    from bandwidth_hosted_messaging.reporting.times import iso

    return iso(datetime.fromtimestamp(epoch, UTC))


class EnsureSubscriptionOperator(BaseOperator):
    """
    Make sure exactly one subscription of ``order_type`` delivers to our callback URL.

    Reuses a matching subscription; updates it (always re-sending the credentials, since Bandwidth never
    echoes the password and a PUT overwrites fully) when its username differs, its expiry is running out
    or its last delivery was refused; deletes duplicates; creates one only when none matches. Without a
    callback connection it logs that the run relies on polling alone and does nothing.

    While the subscription kept by an earlier run is known valid (remembered for the same connection, account,
    order type, URL and username, listed less than ``[bandwidth] subscription_memory_hours`` ago, more than half
    its expiry left, and a callback from it recorded since; see
    :mod:`~bandwidth_hosted_messaging.hooks.subscription_memory`) it does not list the subscriptions at all. A
    failed subscription call forgets the connection's memory.

    :param order_type: ``importtnorders`` or ``removeImportedTnOrders``, or the account event
        ``MESSAGING_LOST`` (subscribed with ``<EventType>``).
    :param callback_conn_id: connection whose host is the public callback URL and whose login/password are
        the Basic credentials Bandwidth will send (extra ``expiry``: seconds, default 30 days).
    :param request: the validated request (templated); in a dry run the subscriptions are only read, and what
        would change is logged; the memory is read, never written.
    """

    template_fields = ("bandwidth_conn_id", "callback_conn_id", "order_type", "request")
    operator_extra_links = REPORT_LINKS

    def __init__(
        self,
        *,
        order_type: str = OrderKind.IMPORT.order_type,
        bandwidth_conn_id: str = DEFAULT_CONN_ID,
        callback_conn_id: str = CALLBACK_CONN_ID,
        request: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.request = request
        self.order_type = order_type
        self.bandwidth_conn_id = bandwidth_conn_id
        self.callback_conn_id = callback_conn_id

    def execute(self, context: Context) -> str | None:
        from bandwidth_hosted_messaging.client.errors import BandwidthError
        from bandwidth_hosted_messaging.hooks import subscription_memory as memory

        try:
            conn = BaseHook.get_connection(self.callback_conn_id)
        except AirflowNotFoundException:
            self.log.warning("No connection %r: no callbacks, waiting relies on polling alone", self.callback_conn_id)
            return None
        if conn.conn_type != CALLBACK_CONN_TYPE:
            raise AirflowFailException(
                f"callback_conn_id: connection {self.callback_conn_id!r} is of type {conn.conn_type!r}; the callback "
                f"connection must be of type {CALLBACK_CONN_TYPE!r} (its host is the public callback URL)"
            )
        url = callback_url(conn)
        expiry = int((conn.extra_dejson or {}).get("expiry") or DEFAULT_SUBSCRIPTION_EXPIRY)
        hook = bandwidth_hook(self.bandwidth_conn_id)
        dry_run = bool((self.request or {}).get("dry_run"))
        key = memory.key(self.bandwidth_conn_id, hook.settings.account_url, self.order_type, url, conn.login)
        known = self._known_valid(key, url, expiry, dry_run)
        if known:
            return known
        try:
            sub_id, expires = self._ensure(hook, conn, url, expiry, dry_run)
        except BandwidthError as err:
            if not dry_run:
                memory.forget(self.bandwidth_conn_id, f"a subscription call failed ({type(err).__name__})")
            raise
        if sub_id and expires is not None and not dry_run:
            memory.remember(key, sub_id, expires)
        return sub_id

    def _known_valid(self, key: str, url: str, expiry: int, dry_run: bool) -> str | None:
        """The remembered subscription's id when it is known valid (see :mod:`.hooks.subscription_memory`)."""
        from bandwidth_hosted_messaging.assets import EVENT_TYPE_ASSETS, ORDER_TYPE_ASSETS
        from bandwidth_hosted_messaging.hooks import subscription_memory as memory

        entry = memory.recall(key)
        if entry is None:
            return None
        asset = ORDER_TYPE_ASSETS.get(self.order_type.lower()) or EVENT_TYPE_ASSETS.get(self.order_type.upper())
        called_back = memory.last_callback(asset.name, entry.subscription_id) if asset else None
        why_not = entry.unusable(expiry, called_back)
        if why_not or called_back is None:
            self.log.info("Subscription %s remembered, but %s: listing subscriptions", entry.subscription_id, why_not)
            return None
        self.log.info(
            "Subscription %s for %s known valid (checked %s, a callback from it at %s): not listing subscriptions",
            entry.subscription_id,
            url,
            _when(entry.checked),
            _when(called_back),
        )
        if not dry_run:  # a dry run orders nothing, so it leaves the proof of life for the next real run
            memory.relied_on(key, entry)
        return entry.subscription_id

    def _ensure(
        self, hook: BandwidthHook, conn: Any, url: str, expiry: int, dry_run: bool
    ) -> tuple[str | None, float | None]:
        """List, then keep, update or create; the subscription id and when it expires (epoch s; ``None``: unknown)."""
        matching = [
            s
            for s in hook.list_subscriptions()
            if s.order_type.lower() == self.order_type.lower() and (s.url or "").rstrip("/") == url.rstrip("/")
        ]
        listed_at = time.time()
        if not matching:
            if dry_run:
                self.log.info("Dry run: would create a %s subscription for %s", self.order_type, url)
                return None, None
            sub_id = hook.create_subscription(self.order_type, url, conn.login, conn.password, expiry)
            self.log.info("Created %s subscription %s for %s", self.order_type, sub_id, url)
            return sub_id, listed_at + expiry
        keep, duplicates = matching[0], matching[1:]
        reason = self._needs_update(keep, conn.login, expiry, hook.dialect.number_format)
        if dry_run:
            changes = [f"delete {len(duplicates)} duplicate(s)"] if duplicates else []
            changes += [f"update it ({reason})"] if reason else []
            self.log.info(
                "Dry run: subscription %s; would %s", keep.subscription_id, " and ".join(changes) or "keep it"
            )
            return keep.subscription_id, None
        for dup in duplicates:
            hook.delete_subscription(dup.subscription_id)
            self.log.warning("Deleted duplicate %s subscription %s", self.order_type, dup.subscription_id)
        if reason:
            hook.update_subscription(keep.subscription_id, self.order_type, url, conn.login, conn.password, expiry)
            self.log.info("Updated subscription %s (%s)", keep.subscription_id, reason)
            return keep.subscription_id, listed_at + expiry
        self.log.info("Reusing subscription %s for %s", keep.subscription_id, url)
        return keep.subscription_id, None if keep.expiry is None else listed_at + keep.expiry

    @staticmethod
    def _needs_update(sub: Subscription, username: str | None, expiry: int, number_format: str) -> str | None:
        if (sub.username or None) != (username or None):
            return "callback username differs"
        if sub.number_format and sub.number_format.upper() != number_format:
            return f"its NumberFormat is {sub.number_format}, the connection's API version wants {number_format}"
        if sub.expiry is not None and sub.expiry < expiry // 2:
            return f"expires in {sub.expiry}s"
        if sub.status and any(code in sub.status for code in ("401", "403")):
            return f"last delivery was refused ({sub.status})"
        return None
