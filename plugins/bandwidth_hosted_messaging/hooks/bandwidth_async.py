"""
:class:`BandwidthAsyncHook`: the async twin of :class:`~.bandwidth.BandwidthHook` for triggers, on aiohttp.

``HttpAsyncHook`` is not its base: it retries only 5xx with a fixed delay, sends every connection extra as a
header and cannot do OAuth2. This hook shares the connection settings, the
:mod:`~bandwidth_hosted_messaging.client.endpoints` calls and the retry decision with the sync hook instead,
and never blocks the event loop.
"""

from __future__ import annotations

import asyncio
import weakref
from typing import Any, TypeVar

import aiohttp

from bandwidth_hosted_messaging.client import endpoints, oauth
from bandwidth_hosted_messaging.client.calls import ApiCall, ApiResponse, finish, no_answer
from bandwidth_hosted_messaging.client.models import TnOrder
from bandwidth_hosted_messaging.client.retry import Action, RetryPolicy, decide
from bandwidth_hosted_messaging.client.settings import ConnectionSettings
from bandwidth_hosted_messaging.constants import USER_AGENT
from bandwidth_hosted_messaging.hooks.base import BandwidthBaseHook
from bandwidth_hosted_messaging.statuses import OrderKind

T = TypeVar("T")

#: One token request at a time per event loop and client: triggers that start together (the triggerer
#: starts them in batches) wait for the first answer instead of each asking for a token of its own.
_TOKEN_LOCKS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[oauth.TokenKey, asyncio.Lock]] = (
    weakref.WeakKeyDictionary()
)


def _token_lock(key: oauth.TokenKey) -> asyncio.Lock:
    locks = _TOKEN_LOCKS.setdefault(asyncio.get_running_loop(), {})
    if key not in locks:
        locks[key] = asyncio.Lock()
    return locks[key]


class BandwidthAsyncHook(BandwidthBaseHook):
    """
    Bandwidth's Numbers API for triggers. Use it as an async context manager so the HTTP session is closed::

        async with BandwidthAsyncHook("bandwidth_default") as hook:
            order = await hook.get_order(OrderKind.IMPORT, order_id)
    """

    hook_name = "Bandwidth (async)"

    def __init__(
        self,
        bandwidth_conn_id: str = BandwidthBaseHook.default_conn_name,
        retry_policy: RetryPolicy | None = None,
        max_attempts: int | None = None,
    ) -> None:
        super().__init__(bandwidth_conn_id, retry_policy, max_attempts)
        self._session: aiohttp.ClientSession | None = None
        self._token_sent: str | None = None

    async def settings(self) -> ConnectionSettings:
        if self._settings is None:
            conn = await BandwidthBaseHook.aget_connection(self.bandwidth_conn_id)
            return self._loaded(ConnectionSettings.from_connection(conn))
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

    async def _bearer(self, settings: ConnectionSettings, refresh: bool) -> str:
        """The cached token, or a new one; ``refresh``: replace the one last sent (unless another hook did)."""
        key = oauth.TOKENS.key(settings)
        token = None if refresh else oauth.TOKENS.get(key)
        if token is not None:
            return token
        async with _token_lock(key):
            token = oauth.TOKENS.get(key)  # another hook of this loop may have fetched it while this one waited
            if token is not None and not (refresh and token == self._token_sent):
                return token
            request = oauth.token_request(settings)
            session = await self._get_session()
            try:
                async with session.post(
                    request.url,
                    data=dict(request.form),
                    auth=aiohttp.BasicAuth(request.client_id, request.client_secret),
                    headers=dict(request.headers),
                ) as response:
                    body = await response.read()
                    status = response.status
            except (TimeoutError, aiohttp.ClientError) as err:
                raise oauth.token_failure(request, err) from None
            token, expires_in = oauth.read_token_response(request, status, body)
            from airflow.sdk.log import amask_secret

            await amask_secret(token)
            oauth.TOKENS.put(key, token, expires_in)
            return token

    async def _send(self, call: ApiCall[Any], refresh_token: bool) -> ApiResponse:
        settings = await self.settings()
        session = await self._get_session()
        headers = dict(call.headers)
        if call.content_type:
            headers["Content-Type"] = call.content_type
        auth = None
        if settings.auth_type == "oauth2":
            self._token_sent = await self._bearer(settings, refresh_token)
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
        policy = self._policy(settings)
        oauth2 = settings.auth_type == "oauth2"
        attempt, refresh = 1, False
        while True:
            response: ApiResponse | None = None
            error: BaseException | None = None
            try:
                response = await self._send(call, refresh_token=refresh)
            except (TimeoutError, aiohttp.ClientError) as err:
                error = err
            decision = decide(
                call,
                policy,
                attempt,
                response=response,
                not_sent=isinstance(error, aiohttp.ClientConnectorError),
                can_refresh_token=oauth2 and not refresh,
            )
            if decision.action is Action.FINISH and response is not None:
                return finish(call, response)
            if decision.action is Action.GIVE_UP and error is not None:
                raise no_answer(call, error, attempt) from None
            refresh = decision.action is Action.REFRESH_TOKEN
            if refresh:
                continue
            what = type(error).__name__ if error is not None else f"HTTP {response.status if response else '?'}"
            self.log.warning("%s: %s, retry in %.1fs (attempt %d)", call.label, what, decision.delay, attempt)
            await asyncio.sleep(decision.delay)
            attempt += 1

    async def get_order(self, kind: OrderKind, order_id: str) -> TnOrder:
        dialect = (await self.settings()).dialect
        return await self.execute(endpoints.get_order(kind, order_id, dialect=dialect))
