"""
Hooks for Bandwidth's Numbers API v1: :class:`BandwidthHook` (sync, for operators) and
:class:`BandwidthAsyncHook` (aiohttp, for triggers).

Both read the same ``bandwidth`` connection, execute the same :mod:`bandwidth.api` calls and share the
retry rules: connection errors, timeouts, 5xx and 429 are retried with backoff (429 waits for
``Retry-After`` or ``X-RateLimit-Reset``); a creating POST is re-sent only when Bandwidth surely did not
act on it (429, connection refused), so a lost answer never makes a second order.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

import aiohttp
import requests
from requests.auth import HTTPBasicAuth
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from airflow.providers.http.hooks.http import HttpHook
from airflow.sdk.bases.hook import BaseHook
from bandwidth import api
from bandwidth.api import ApiCall, ApiResponse
from bandwidth.auth import TOKEN_FORM, TOKENS, parse_token_response
from bandwidth.connection import ConnectionSettings
from bandwidth.exceptions import BandwidthApiError
from bandwidth.models import (
    CheckerResult,
    ImportTnOrderRequest,
    LoaFile,
    OrderHistoryEntry,
    OrderSummary,
    SipPeer,
    Site,
    Subscription,
    TnOrder,
)
from bandwidth.retry import RETRYABLE_STATUSES, RetryPolicy

T = TypeVar("T")

USER_AGENT = "airflow-bandwidth-hosted-messaging/1.0"

#: One token request at a time per event loop and client: triggers that start together (the triggerer
#: starts them in batches) wait for the first answer instead of each asking for a token of its own.
_TOKEN_LOCKS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[tuple[str, str, int], asyncio.Lock]] = (
    weakref.WeakKeyDictionary()
)


def _token_lock(key: tuple[str, str, int]) -> asyncio.Lock:
    locks = _TOKEN_LOCKS.setdefault(asyncio.get_running_loop(), {})
    if key not in locks:
        locks[key] = asyncio.Lock()
    return locks[key]


def _retry_delay(
    call: ApiCall[Any],
    policy: RetryPolicy,
    attempt: int,
    *,
    response: ApiResponse | None = None,
    not_sent: bool = False,
) -> float | None:
    """
    Seconds to wait before re-sending ``call``, or ``None`` when this outcome is final.

    Without a response (a connection error or timeout), only calls safe to re-send are retried, or any
    call that surely never reached Bandwidth. With one, 429 is always retried (Bandwidth refused without
    acting) and 5xx only for calls safe to re-send.
    """
    if attempt >= policy.max_attempts:
        return None
    if response is None:
        return policy.backoff(attempt) if call.idempotent or not_sent else None
    if response.status == 429 or (response.status in RETRYABLE_STATUSES and call.idempotent):
        return policy.delay(attempt, response.status, response.headers)
    return None


def _no_answer(call: ApiCall[Any], err: Exception, attempt: int) -> BandwidthApiError:
    return BandwidthApiError(f"{call.label}: no answer ({type(err).__name__}) after {attempt} attempt(s)")


class _BandwidthApi:
    """The endpoint methods, written once over an ``execute`` that the sync hook provides."""

    def execute(self, call: ApiCall[T]) -> T:  # pragma: no cover - provided by the hook
        raise NotImplementedError

    # sites
    def list_sites(self) -> list[Site]:
        return self.execute(api.list_sites())

    def get_site(self, site_id: str) -> Site | None:
        return self.execute(api.get_site(site_id))

    def list_sip_peers(self, site_id: str) -> list[SipPeer]:
        return self.execute(api.list_sip_peers(site_id))

    # subscriptions
    def list_subscriptions(self) -> list[Subscription]:
        return self.execute(api.list_subscriptions())

    def get_subscription(self, subscription_id: str) -> Subscription | None:
        return self.execute(api.get_subscription(subscription_id))

    def create_subscription(
        self, order_type: str, url: str, username: str | None, password: str | None, expiry: int = 86400
    ) -> str:
        return self.execute(api.create_subscription(order_type, url, username, password, expiry))

    def update_subscription(
        self,
        subscription_id: str,
        order_type: str,
        url: str,
        username: str | None,
        password: str | None,
        expiry: int = 86400,
    ) -> None:
        self.execute(api.update_subscription(subscription_id, order_type, url, username, password, expiry))

    def delete_subscription(self, subscription_id: str) -> None:
        self.execute(api.delete_subscription(subscription_id))

    # importTnChecker
    def check_importability(
        self, numbers: Sequence[str], site_id: str | None = None, sip_peer_id: str | None = None
    ) -> CheckerResult:
        """Check any number of numbers, in requests of at most 5,000."""
        result = CheckerResult(())
        for chunk in api.chunked(list(numbers), api.CHECKER_MAX_NUMBERS):
            result = result.merge(self.execute(api.check_importability(chunk, site_id, sip_peer_id)))
        return result

    # import orders
    def create_import_order(self, order: ImportTnOrderRequest) -> TnOrder:
        return self.execute(api.create_import_order(order))

    def get_import_order(self, order_id: str) -> TnOrder:
        return self.execute(api.get_import_order(order_id))

    def list_import_orders(self, **filters: Any) -> list[OrderSummary]:
        return self.execute(api.list_import_orders(**filters))

    def get_import_order_history(self, order_id: str) -> list[OrderHistoryEntry]:
        return self.execute(api.get_import_order_history(order_id))

    # LOA files
    def upload_loa(self, order_id: str, content: bytes, content_type: str, document_type: str = "LOA") -> str:
        return self.execute(api.upload_loa(order_id, content, content_type, document_type))

    def list_loas(self, order_id: str) -> list[LoaFile]:
        return self.execute(api.list_loas(order_id))

    def get_loa_metadata(self, order_id: str, file_id: str) -> LoaFile:
        return self.execute(api.get_loa_metadata(order_id, file_id))

    # in service
    def iter_in_service_pages(self, page_size: int = 500, **filters: Any) -> Iterator[tuple[str, ...]]:
        """Yield each page of in-service numbers, following ``next`` links until there is none."""
        page = self.execute(api.list_in_service_numbers(page_size=page_size, **filters))
        yield page.numbers
        while page.next_query:
            page = self.execute(api.list_in_service_numbers(query=page.next_query))
            yield page.numbers

    def list_in_service_numbers(self, page_size: int = 500, **filters: Any) -> list[str]:
        return [n for page in self.iter_in_service_pages(page_size, **filters) for n in page]

    def is_in_service(self, number: str) -> bool:
        return self.execute(api.is_in_service(number))

    def find_in_service(self, numbers: Sequence[str], page_size: int = 500) -> set[str]:
        """
        Return which of ``numbers`` are in service, in few calls: read the in-service list page by page
        while that is cheaper than checking each number still unseen on its own, then switch.
        """
        wanted = set(numbers)
        if len(wanted) <= 1:
            return {n for n in wanted if self.is_in_service(n)}
        found: set[str] = set()
        page = self.execute(api.list_in_service_numbers(page_size=page_size))
        seen = len(page.numbers)
        while True:
            found |= wanted.intersection(page.numbers)
            unseen = wanted - found
            if not unseen or not page.next_query:
                return found
            pages_left = -(-max(0, (page.total_count or 0) - seen) // page_size)
            if len(unseen) < pages_left:
                return found | {n for n in unseen if self.is_in_service(n)}
            page = self.execute(api.list_in_service_numbers(query=page.next_query))
            seen += len(page.numbers)

    def count_in_service_numbers(self) -> int:
        return self.execute(api.count_in_service_numbers())

    # remove orders
    def create_remove_order(self, customer_order_id: str, numbers: Sequence[str]) -> TnOrder:
        return self.execute(api.create_remove_order(customer_order_id, numbers))

    def get_remove_order(self, order_id: str) -> TnOrder:
        return self.execute(api.get_remove_order(order_id))

    def list_remove_orders(self, **filters: Any) -> list[OrderSummary]:
        return self.execute(api.list_remove_orders(**filters))

    def get_remove_order_history(self, order_id: str) -> list[OrderHistoryEntry]:
        return self.execute(api.get_remove_order_history(order_id))


class BandwidthHook(HttpHook, _BandwidthApi):
    """
    Talk to Bandwidth's Numbers API v1 through a ``bandwidth`` connection.

    The connection's host is the API base (``https://dashboard.bandwidth.com/api``), its extra holds
    ``account_id`` and ``auth_type`` (``basic`` or ``oauth2``); login and password are the API user's
    username and password, or the OAuth2 client id and secret.

    :param bandwidth_conn_id: the connection id.
    :param retry_policy: override the retry bounds (``max_attempts`` defaults to the connection's).
    """

    conn_name_attr = "bandwidth_conn_id"
    default_conn_name = "bandwidth_default"
    conn_type = "bandwidth"
    hook_name = "Bandwidth"

    def __init__(self, bandwidth_conn_id: str = default_conn_name, retry_policy: RetryPolicy | None = None) -> None:
        super().__init__(method="GET", http_conn_id=bandwidth_conn_id)
        self.bandwidth_conn_id = bandwidth_conn_id
        self._retry_policy = retry_policy
        self._settings: ConnectionSettings | None = None
        self._session: requests.Session | None = None

    @property
    def settings(self) -> ConnectionSettings:
        if self._settings is None:
            self._settings = ConnectionSettings.from_connection(self.get_connection(self.bandwidth_conn_id))
        return self._settings

    @property
    def retry_policy(self) -> RetryPolicy:
        return self._retry_policy or RetryPolicy(max_attempts=self.settings.max_attempts)

    def get_conn(self, headers: dict[Any, Any] | None = None, extra_options: dict[str, Any] | None = None) -> requests.Session:
        """Return one keep-alive session for this hook (connection extras are settings, not headers)."""
        if self._session is None:
            settings = self.settings
            self.base_url = settings.base_url
            self._base_url_initialized = True
            session = requests.Session()
            session.headers["User-Agent"] = USER_AGENT
            if settings.auth_type == "basic":
                session.auth = HTTPBasicAuth(settings.login, settings.password)
            self._session = self._configure_session_from_mount_adapters(session)
        if headers:
            self._session.headers.update(headers)
        return self._session

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None

    def _bearer(self, refresh: bool = False) -> str:
        s = self.settings
        key = TOKENS.key(s.token_url, s.login, s.password)
        token = None if refresh else TOKENS.get(key)
        if token is None:
            try:
                response = requests.post(
                    s.token_url,
                    data=TOKEN_FORM,
                    auth=HTTPBasicAuth(s.login, s.password),
                    headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
                    timeout=s.timeout,
                )
            except requests.RequestException as err:
                raise BandwidthApiError(f"OAuth2 token request to {s.token_url} failed: {type(err).__name__}") from None
            token, expires_in = parse_token_response(response.status_code, response.content, s.token_url)
            from airflow.sdk.log import mask_secret

            mask_secret(token)
            TOKENS.put(key, token, expires_in)
        return token

    def _send(self, call: ApiCall[Any], refresh_token: bool = False) -> ApiResponse:
        session = self.get_conn()
        headers = {"Accept": "application/xml"}
        if call.content_type:
            headers["Content-Type"] = call.content_type
        headers.update(call.headers)
        if self.settings.auth_type == "oauth2":
            headers["Authorization"] = f"Bearer {self._bearer(refresh_token)}"
        request = requests.Request(
            call.method,
            f"{self.settings.account_url}/{call.path}",
            params=list(call.params),
            data=call.body,
            headers=headers,
        )
        response = self.run_and_check(
            session, session.prepare_request(request), {"check_response": False, "timeout": self.settings.timeout}
        )
        return ApiResponse(response.status_code, dict(response.headers), response.content)

    def execute(self, call: ApiCall[T]) -> T:
        """Send ``call`` with retries and return its parsed answer, or raise :class:`BandwidthApiError`."""
        policy = self.retry_policy
        oauth2 = self.settings.auth_type == "oauth2"
        attempt = 1
        while True:
            try:
                response = self._send(call, refresh_token=False)
                if response.status == 401 and oauth2:
                    response = self._send(call, refresh_token=True)
            except requests.RequestException as err:
                delay = _retry_delay(call, policy, attempt, not_sent=_not_sent(err))
                if delay is None:
                    raise _no_answer(call, err, attempt) from None
                self.log.warning("%s: %s, retry in %.1fs (attempt %d)", call.label, type(err).__name__, delay, attempt)
            else:
                delay = _retry_delay(call, policy, attempt, response=response)
                if delay is None:
                    api.raise_for_response(call, response)
                    return call.parse(response)
                self.log.warning("%s: HTTP %d, retry in %.1fs (attempt %d)", call.label, response.status, delay, attempt)
            time.sleep(delay)
            attempt += 1

    def test_connection(self) -> tuple[bool, str]:
        """Check the credentials and account id with a cheap call (the account's sites)."""
        try:
            sites = self.list_sites()
        except Exception as err:
            return False, str(err)
        return True, f"Connected to account {self.settings.account_id} ({len(sites)} site(s))"


def _not_sent(err: requests.RequestException) -> bool:
    """Whether the request surely never reached the server (connection refused or connect timeout)."""
    if isinstance(err, requests.ConnectTimeout):
        return True
    reason = getattr(err.args[0], "reason", None) if err.args else None
    return isinstance(reason, NewConnectionError | ConnectTimeoutError)


class BandwidthAsyncHook(BaseHook):
    """
    The async twin of :class:`BandwidthHook` for triggers, on aiohttp.

    ``HttpAsyncHook`` is not used as base: it retries only 5xx with a fixed delay, sends every connection
    extra as a header and cannot do OAuth2; this class shares the connection settings, the
    :mod:`bandwidth.api` calls and the retry rules with the sync hook instead. Use it as an async
    context manager so the HTTP session is closed::

        async with BandwidthAsyncHook("bandwidth_default") as hook:
            order = await hook.get_import_order(order_id)
    """

    conn_name_attr = "bandwidth_conn_id"
    default_conn_name = "bandwidth_default"
    conn_type = "bandwidth"
    hook_name = "Bandwidth (async)"

    def __init__(self, bandwidth_conn_id: str = default_conn_name, retry_policy: RetryPolicy | None = None) -> None:
        super().__init__()
        self.bandwidth_conn_id = bandwidth_conn_id
        self._retry_policy = retry_policy
        self._settings: ConnectionSettings | None = None
        self._session: aiohttp.ClientSession | None = None
        self._token_sent: str | None = None

    async def settings(self) -> ConnectionSettings:
        if self._settings is None:
            conn = await BaseHook.aget_connection(self.bandwidth_conn_id)
            self._settings = ConnectionSettings.from_connection(conn)
        return self._settings

    async def __aenter__(self) -> BandwidthAsyncHook:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            settings = await self.settings()
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=settings.timeout),
                headers={"User-Agent": USER_AGENT, "Accept": "application/xml"},
            )
        return self._session

    async def _bearer(self, settings: ConnectionSettings, refresh: bool, stale: str | None = None) -> str:
        """The cached token, or a new one; ``refresh``: replace ``stale`` (unless another hook already did)."""
        key = TOKENS.key(settings.token_url, settings.login, settings.password)
        token = None if refresh else TOKENS.get(key)
        if token is not None:
            return token
        async with _token_lock(key):
            token = TOKENS.get(key)  # another hook of this loop may have fetched it while this one waited
            if token is not None and not (refresh and token == stale):
                return token
            session = await self._get_session()
            try:
                async with session.post(
                    settings.token_url,
                    data=TOKEN_FORM,
                    auth=aiohttp.BasicAuth(settings.login, settings.password),
                    headers={"Accept": "application/json"},
                ) as response:
                    body = await response.read()
                    status = response.status
            except (aiohttp.ClientError, asyncio.TimeoutError) as err:
                raise BandwidthApiError(
                    f"OAuth2 token request to {settings.token_url} failed: {type(err).__name__}"
                ) from None
            token, expires_in = parse_token_response(status, body, settings.token_url)
            from airflow.sdk.log import amask_secret

            await amask_secret(token)
            TOKENS.put(key, token, expires_in)
            return token

    async def _send(self, call: ApiCall[Any], refresh_token: bool) -> ApiResponse:
        settings = await self.settings()
        session = await self._get_session()
        headers = dict(call.headers)
        if call.content_type:
            headers["Content-Type"] = call.content_type
        auth = None
        if settings.auth_type == "oauth2":
            self._token_sent = await self._bearer(settings, refresh_token, stale=self._token_sent)
            headers["Authorization"] = f"Bearer {self._token_sent}"
        else:
            auth = aiohttp.BasicAuth(settings.login, settings.password)
        async with session.request(
            call.method,
            f"{settings.account_url}/{call.path}",
            params=list(call.params) or None,
            data=call.body,
            headers=headers,
            auth=auth,
        ) as response:
            body = await response.read()
            return ApiResponse(response.status, dict(response.headers), body)

    async def execute(self, call: ApiCall[T]) -> T:
        """Send ``call`` with retries, never blocking the event loop; raise :class:`BandwidthApiError`."""
        settings = await self.settings()
        policy = self._retry_policy or RetryPolicy(max_attempts=settings.max_attempts)
        oauth2 = settings.auth_type == "oauth2"
        attempt = 1
        while True:
            try:
                response = await self._send(call, refresh_token=False)
                if response.status == 401 and oauth2:
                    response = await self._send(call, refresh_token=True)
            except (aiohttp.ClientError, asyncio.TimeoutError) as err:
                delay = _retry_delay(call, policy, attempt, not_sent=isinstance(err, aiohttp.ClientConnectorError))
                if delay is None:
                    raise _no_answer(call, err, attempt) from None
                self.log.warning("%s: %s, retry in %.1fs (attempt %d)", call.label, type(err).__name__, delay, attempt)
            else:
                delay = _retry_delay(call, policy, attempt, response=response)
                if delay is None:
                    api.raise_for_response(call, response)
                    return call.parse(response)
                self.log.warning("%s: HTTP %d, retry in %.1fs (attempt %d)", call.label, response.status, delay, attempt)
            await asyncio.sleep(delay)
            attempt += 1

    async def get_import_order(self, order_id: str) -> TnOrder:
        return await self.execute(api.get_import_order(order_id))

    async def get_remove_order(self, order_id: str) -> TnOrder:
        return await self.execute(api.get_remove_order(order_id))
