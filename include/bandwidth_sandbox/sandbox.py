"""``Sandbox``: the server, its order ticker and its callback worker, run in background threads."""

from __future__ import annotations

import threading
from typing import Any, TextIO

from .app import SandboxApp
from .config import SandboxConfig
from .server import SandboxHTTPServer


class Sandbox:
    def __init__(
        self,
        config: SandboxConfig | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        log_stream: TextIO | None = None,
    ) -> None:
        self.config = config or SandboxConfig()
        self.host = host
        self._requested_port = port
        self.app = SandboxApp(self.config, log_stream=log_stream)
        self._server: SandboxHTTPServer | None = None
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()

    # ---- life cycle -------------------------------------------------------------------------

    def start(self) -> Sandbox:
        if self._server is not None:
            return self
        self._stopping.clear()
        self._server = SandboxHTTPServer((self.host, self._requested_port), self.app)
        self.app.callbacks.start()
        serve = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="bw-sandbox-http", daemon=True
        )
        ticker = threading.Thread(target=self._tick_loop, name="bw-sandbox-ticker", daemon=True)
        self._threads = [serve, ticker]
        for t in self._threads:
            t.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._stopping.set()
        self._server.shutdown()
        self._server.close_all_connections()
        self._server.server_close()
        for t in self._threads:
            t.join(timeout=5)
        self.app.callbacks.stop()
        self._server = None
        self._threads = []

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def _tick_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                self.app.state.tick()
            except Exception:
                pass
            self._stopping.wait(max(0.005, float(self.app.state.cfg.tick_seconds)))

    # ---- addresses --------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("sandbox is not running")
        return int(self._server.server_address[1])

    @property
    def root_url(self) -> str:
        host = self.host if self.host not in ("0.0.0.0", "::", "") else "127.0.0.1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.root_url}/api"

    @property
    def v2_base_url(self) -> str:
        """The v2 ("Universal Platform") base: accounts at ``{v2_base_url}/accounts/{id}/...``."""
        return f"{self.root_url}/api/v2"

    @property
    def token_url(self) -> str:
        return f"{self.root_url}/api/v1/oauth2/token"

    @property
    def account_id(self) -> str:
        return self.app.state.cfg.account_id

    @property
    def account_url(self) -> str:
        return f"{self.base_url}/accounts/{self.account_id}"

    @property
    def v2_account_url(self) -> str:
        return f"{self.v2_base_url}/accounts/{self.account_id}"

    # ---- admin, in-process ------------------------------------------------------------------

    def requests(self) -> list[dict[str, Any]]:
        return self.app.reqlog.list()

    def clear_requests(self) -> None:
        self.app.reqlog.clear()

    def callbacks(self) -> list[dict[str, Any]]:
        return self.app.callbacks.log()

    def wait_callbacks(self, timeout: float = 5.0) -> bool:
        """Wait until every queued delivery has been attempted."""
        return self.app.callbacks.wait_idle(timeout)

    def set_faults(self, rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return self.app.set_faults(rules)

    def clear_faults(self) -> None:
        self.app.faults.clear()

    def reset(self) -> None:
        self.app.reset()

    def seed(self, data: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
        merged = dict(data or {})
        merged.update(kwargs)
        return self.app.seed(merged)

    def advance(self, seconds: float) -> None:
        self.app.advance(seconds)

    def orders(self) -> list[dict[str, Any]]:
        from .admin import order_dict

        self.app.state.tick()
        with self.app.state.locked():
            return [order_dict(o) for o in self.app.state.orders.values()]

    def force_status(self, order_id: str, status: str) -> None:
        self.app.state.force_status(order_id, status)

    def lose(self, numbers: list[str]) -> dict[str, list[str]]:
        """Another account takes these numbers: out of service, ``MESSAGING_LOST`` to event subscriptions."""
        return self.app.state.lose(numbers)
