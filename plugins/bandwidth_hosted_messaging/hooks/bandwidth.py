"""
:class:`BandwidthHook`: Bandwidth's Numbers API for operators, on ``requests``.

It reads a ``bandwidth`` connection, sends the :mod:`~bandwidth_hosted_messaging.client.endpoints` calls on one
keep-alive session and retries as :func:`~bandwidth_hosted_messaging.client.retry.decide` says: connection
errors, timeouts, 5xx and 429 with backoff (429 waits for ``Retry-After`` or ``X-RateLimit-Reset``); a creating
POST is re-sent only when Bandwidth surely did not act on it, so a lost answer never makes a second order.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

import requests
from airflow.sdk.exceptions import AirflowFailException
from requests.auth import HTTPBasicAuth
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from bandwidth_hosted_messaging.client import endpoints, oauth
from bandwidth_hosted_messaging.client.calls import ApiCall, ApiResponse, finish, no_answer
from bandwidth_hosted_messaging.client.errors import BandwidthApiError, ConnectionConfigError
from bandwidth_hosted_messaging.client.models import (
    CheckerResult,
    ImportTnOrderRequest,
    InServicePage,
    LoaFile,
    OrderHistoryEntry,
    OrderSummary,
    SipPeer,
    Site,
    Subscription,
    TnOrder,
)
from bandwidth_hosted_messaging.client.numbers import chunked
from bandwidth_hosted_messaging.client.retry import Action, RetryPolicy, decide
from bandwidth_hosted_messaging.client.settings import ConnectionSettings
from bandwidth_hosted_messaging.client.versions import Dialect
from bandwidth_hosted_messaging.constants import CHECKER_MAX_NUMBERS, USER_AGENT
from bandwidth_hosted_messaging.hooks.base import BandwidthBaseHook
from bandwidth_hosted_messaging.statuses import OrderKind

T = TypeVar("T")

#: Pages of one listing when Bandwidth gives no ``TotalCount`` to bound them.
MAX_PAGES = 10_000


class BandwidthHook(BandwidthBaseHook):
    """
    Talk to Bandwidth's Numbers API through a ``bandwidth`` connection.

    The connection's host is the API base (``https://dashboard.bandwidth.com/api``), its extra holds
    ``account_id`` and ``auth_type`` (``oauth2`` or ``basic``); login and password are the OAuth2 client id
    and secret, or the API user's username and password.

    :param bandwidth_conn_id: the connection id.
    :param retry_policy: override the retry bounds (by default the connection's ``max_attempts`` and
        ``retry_delay``).
    :param max_attempts: at most this many attempts per call, whatever the connection allows.
    """

    def __init__(
        self,
        bandwidth_conn_id: str = BandwidthBaseHook.default_conn_name,
        retry_policy: RetryPolicy | None = None,
        max_attempts: int | None = None,
    ) -> None:
        super().__init__(bandwidth_conn_id, retry_policy, max_attempts)
        self._session: requests.Session | None = None

    @property
    def settings(self) -> ConnectionSettings:
        """The connection's settings; an unusable connection fails the task at once (a retry cannot mend it)."""
        if self._settings is not None:
            return self._settings
        try:
            return self._loaded(ConnectionSettings.from_connection(self.get_connection(self.bandwidth_conn_id)))
        except ConnectionConfigError as err:
            raise AirflowFailException(str(err)) from None

    @property
    def dialect(self) -> Dialect:
        """How the connection's API version writes numbers and order paths (v1 or v2, from its base path)."""
        return self.settings.dialect

    @property
    def retry_policy(self) -> RetryPolicy:
        return self._policy(self.settings)

    def get_conn(self) -> requests.Session:
        """One keep-alive session for this hook (Basic credentials on it; OAuth2 tokens go per request)."""
        if self._session is None:
            session = requests.Session()
            session.headers["User-Agent"] = USER_AGENT
            if self.settings.auth_type == "basic":
                session.auth = HTTPBasicAuth(self.settings.login, self.settings.password)
            self._session = session
        return self._session

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None

    # -- sending --------------------------------------------------------------------------------------------
    def _bearer(self, refresh: bool = False) -> str:
        key = oauth.TOKENS.key(self.settings)
        token = None if refresh else oauth.TOKENS.get(key)
        if token is None:
            request = oauth.token_request(self.settings)
            try:
                response = requests.post(
                    request.url,
                    data=dict(request.form),
                    auth=HTTPBasicAuth(request.client_id, request.client_secret),
                    headers=dict(request.headers),
                    timeout=self.settings.timeout,
                )
            except requests.RequestException as err:
                raise oauth.token_failure(request, err) from None
            token, expires_in = oauth.read_token_response(request, response.status_code, response.content)
            from airflow.sdk.log import mask_secret

            mask_secret(token)
            oauth.TOKENS.put(key, token, expires_in)
        return token

    def _send(self, call: ApiCall[Any], refresh_token: bool = False) -> ApiResponse:
        headers = {"Accept": "application/xml", **call.headers}
        if call.content_type:
            headers["Content-Type"] = call.content_type
        if self.settings.auth_type == "oauth2":
            headers["Authorization"] = f"Bearer {self._bearer(refresh_token)}"
        response = self.get_conn().request(
            call.method,
            f"{self.settings.account_url}/{call.path}",
            params=list(call.params),
            data=call.body,
            headers=headers,
            timeout=self.settings.timeout,
        )
        return ApiResponse(response.status_code, dict(response.headers), response.content)

    def execute(self, call: ApiCall[T]) -> T:
        """Send ``call`` with retries and return its parsed answer, or raise :class:`BandwidthApiError`."""
        policy = self.retry_policy
        oauth2 = self.settings.auth_type == "oauth2"
        attempt, refresh = 1, False
        while True:
            response: ApiResponse | None = None
            error: requests.RequestException | None = None
            try:
                response = self._send(call, refresh_token=refresh)
            except requests.RequestException as err:
                error = err
            decision = decide(
                call,
                policy,
                attempt,
                response=response,
                not_sent=error is not None and _not_sent(error),
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
            time.sleep(decision.delay)
            attempt += 1

    # -- sites ----------------------------------------------------------------------------------------------
    def list_sites(self) -> list[Site]:
        return self.execute(endpoints.list_sites())

    def get_site(self, site_id: str) -> Site | None:
        return self.execute(endpoints.get_site(site_id))

    def list_sip_peers(self, site_id: str) -> list[SipPeer]:
        return self.execute(endpoints.list_sip_peers(site_id))

    # -- subscriptions --------------------------------------------------------------------------------------
    def list_subscriptions(self) -> list[Subscription]:
        return self.execute(endpoints.list_subscriptions())

    def get_subscription(self, subscription_id: str) -> Subscription | None:
        return self.execute(endpoints.get_subscription(subscription_id))

    def create_subscription(
        self, order_type: str, url: str, username: str | None, password: str | None, expiry: int = 86400
    ) -> str:
        return self.execute(
            endpoints.create_subscription(order_type, url, username, password, expiry, dialect=self.dialect)
        )

    def update_subscription(
        self,
        subscription_id: str,
        order_type: str,
        url: str,
        username: str | None,
        password: str | None,
        expiry: int = 86400,
    ) -> None:
        self.execute(
            endpoints.update_subscription(
                subscription_id, order_type, url, username, password, expiry, dialect=self.dialect
            )
        )

    def delete_subscription(self, subscription_id: str) -> None:
        self.execute(endpoints.delete_subscription(subscription_id))

    # -- importTnChecker ------------------------------------------------------------------------------------
    def check_importability(
        self, numbers: Sequence[str], site_id: str | None = None, sip_peer_id: str | None = None
    ) -> CheckerResult:
        """Check any number of numbers, in requests of at most 5,000."""
        result = CheckerResult(())
        for chunk in chunked(list(numbers), CHECKER_MAX_NUMBERS):
            result = result.merge(
                self.execute(endpoints.check_importability(chunk, site_id, sip_peer_id, dialect=self.dialect))
            )
        return result

    # -- orders ---------------------------------------------------------------------------------------------
    def create_import_order(self, order: ImportTnOrderRequest) -> TnOrder:
        return self.execute(endpoints.create_import_order(order, dialect=self.dialect))

    def create_remove_order(self, customer_order_id: str, numbers: Sequence[str]) -> TnOrder:
        return self.execute(endpoints.create_remove_order(customer_order_id, numbers, dialect=self.dialect))

    def get_order(self, kind: OrderKind, order_id: str) -> TnOrder:
        return self.execute(endpoints.get_order(kind, order_id, dialect=self.dialect))

    def order_url(self, kind: OrderKind, order_id: str) -> str:
        """The API resource of one order (``…/accounts/{id}/importTnOrders/{order id}``), as logs and links show it."""
        return f"{self.settings.account_url}/{endpoints.get_order(kind, order_id, dialect=self.dialect).path}"

    def list_orders(self, kind: OrderKind, **filters: Any) -> list[OrderSummary]:
        return self.execute(endpoints.list_orders(kind, dialect=self.dialect, **filters))

    def get_order_history(self, kind: OrderKind, order_id: str) -> list[OrderHistoryEntry]:
        return self.execute(endpoints.get_order_history(kind, order_id, dialect=self.dialect))

    # -- LOA files ------------------------------------------------------------------------------------------
    def upload_loa(self, order_id: str, content: bytes, content_type: str, document_type: str = "LOA") -> str:
        return self.execute(endpoints.upload_loa(order_id, content, content_type, document_type, dialect=self.dialect))

    def list_loas(self, order_id: str) -> list[LoaFile]:
        return self.execute(endpoints.list_loas(order_id, dialect=self.dialect))

    def get_loa_metadata(self, order_id: str, file_id: str) -> LoaFile:
        return self.execute(endpoints.get_loa_metadata(order_id, file_id, dialect=self.dialect))

    # -- in service -----------------------------------------------------------------------------------------
    def _in_service_pages(self, page_size: int, **filters: Any) -> Iterator[InServicePage]:
        """
        Each page of in-service numbers, following ``next`` links until there is none. A link seen before, or more
        pages than the largest ``TotalCount`` of the pages so far needs, is a broken answer:
        :class:`BandwidthApiError`, never an endless listing. The largest, not the first: numbers that go into
        service while the pages are read (another batch completing) make the later pages' ``TotalCount`` larger.
        """
        page = self.execute(endpoints.list_in_service_numbers(page_size=page_size, dialect=self.dialect, **filters))
        yield page
        followed: set[str] = set()
        most = _pages_needed(page.total_count, page_size)
        while page.next_query:
            if page.next_query in followed or len(followed) + 1 >= most:
                why = (
                    "repeats a page" if page.next_query in followed else f"goes past the {most} pages TotalCount needs"
                )
                raise BandwidthApiError(f"GET /inserviceNumbers: the next link {why}; listing stopped")
            followed.add(page.next_query)
            page = self.execute(endpoints.list_in_service_numbers(query=page.next_query, dialect=self.dialect))
            most = max(most, _pages_needed(page.total_count, page_size))
            yield page

    def iter_in_service_pages(self, page_size: int = 500, **filters: Any) -> Iterator[tuple[str, ...]]:
        """Yield each page of in-service numbers, following ``next`` links until there is none."""
        for page in self._in_service_pages(page_size, **filters):
            yield page.numbers

    def list_in_service_numbers(self, page_size: int = 500, **filters: Any) -> list[str]:
        return [n for page in self.iter_in_service_pages(page_size, **filters) for n in page]

    def is_in_service(self, number: str) -> bool:
        return self.execute(endpoints.is_in_service(number, dialect=self.dialect))

    def find_in_service(self, numbers: Sequence[str], page_size: int = 500) -> set[str]:
        """
        Return which of ``numbers`` are in service, in few calls. Numbers that share few NPA-NXX exchanges (a
        batch's usually do) are read from the in-service list filtered by each exchange (``npanxx``, a documented
        filter), so a large account is never read whole. Otherwise read the account's whole list page by page
        while that is the cheapest way to see the numbers still unseen, and switch, once, to one look-up per
        number when that is fewer calls, or to the exchanges' lists when they take under half the pages left.
        """
        wanted = set(numbers)
        if len(wanted) <= 1:
            return {n for n in wanted if self.is_in_service(n)}
        by_exchange = _by_exchange(wanted)
        if _exchange_calls(wanted, by_exchange, page_size) <= _pages(len(wanted), page_size) + 1 < len(wanted):
            # The numbers share so few exchanges that their filtered lists take about the pages of the numbers
            # themselves: read those, never the whole list (an exchange's list is part of it).
            return self._find_by_exchange(wanted, by_exchange, page_size)
        found: set[str] = set()
        seen = 0
        total: int | None = None
        for page in self._in_service_pages(page_size):
            total = max(total or 0, page.total_count or 0) or None  # the largest: the list may grow meanwhile
            seen += len(page.numbers)
            found |= wanted.intersection(page.numbers)
            unseen = wanted - found
            if not unseen or not page.next_query:
                return found
            pages_left = _pages(max(0, (total or 0) - seen), page_size)
            by_exchange = _by_exchange(unseen)
            exchange_calls = _exchange_calls(unseen, by_exchange, page_size)
            if len(unseen) < pages_left and len(unseen) <= exchange_calls:
                return found | {n for n in unseen if self.is_in_service(n)}
            # An exchange may hold more numbers in service than the unseen ones (its pages are estimated from
            # those): switch only at half the pages left, so a guess that is off costs little.
            if 2 * exchange_calls < pages_left:
                return found | self._find_by_exchange(unseen, by_exchange, page_size)
        return found

    def _find_by_exchange(self, unseen: set[str], by_exchange: dict[str, set[str]], page_size: int) -> set[str]:
        """``unseen``'s numbers in service: each exchange's filtered list, one look-up for the others."""
        found: set[str] = set()
        for exchange, group in sorted(by_exchange.items()):
            for page in self._in_service_pages(page_size, npanxx=exchange):
                found |= group.intersection(page.numbers)
                if group <= found:
                    break
        grouped = set().union(*by_exchange.values())
        return found | {n for n in unseen - grouped if self.is_in_service(n)}

    def count_in_service_numbers(self) -> int:
        return self.execute(endpoints.count_in_service_numbers())

    def test_connection(self) -> tuple[bool, str]:
        """Check the credentials and account id with a cheap call (the account's sites)."""
        try:
            sites = self.list_sites()
        except Exception as err:
            return False, str(err)
        return True, f"Connected to account {self.settings.account_id} ({len(sites)} site(s))"


def _by_exchange(numbers: set[str]) -> dict[str, set[str]]:
    """The NANP numbers (``+1`` and ten digits) by their NPA-NXX, six digits; other numbers are left out."""
    groups: dict[str, set[str]] = {}
    for number in numbers:
        if len(number) == 12 and number.startswith("+1") and number[2:].isdigit():
            groups.setdefault(number[2:8], set()).add(number)
    return groups


def _exchange_calls(numbers: set[str], by_exchange: dict[str, set[str]], page_size: int) -> int:
    """The fewest calls to see ``numbers`` by exchange: each exchange's pages of them, one look-up per other."""
    grouped = sum(len(g) for g in by_exchange.values())
    return sum(max(1, _pages(len(g), page_size)) for g in by_exchange.values()) + len(numbers) - grouped


def _pages_needed(total_count: int | None, page_size: int) -> int:
    """The most pages a listing of ``total_count`` numbers may take (one spare); unknown: :data:`MAX_PAGES`."""
    return MAX_PAGES if total_count is None else _pages(total_count, page_size) + 1


def _pages(count: int, page_size: int) -> int:
    """Pages of ``page_size`` that ``count`` numbers fill."""
    return -(-count // max(1, page_size))


def _not_sent(err: requests.RequestException) -> bool:
    """Whether the request surely never reached the server (connection refused or connect timeout)."""
    if isinstance(err, requests.ConnectTimeout):
        return True
    reason = getattr(err.args[0], "reason", None) if err.args else None
    return isinstance(reason, NewConnectionError | ConnectTimeoutError)
