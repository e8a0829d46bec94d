"""Socket-level HTTP/1.1 server (stdlib): keep-alive, chunked bodies, faults, abrupt resets."""

from __future__ import annotations

import io
import socket
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

from .app import SandboxApp
from .http_types import Request, Response


class BodyError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class SandboxHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 1024

    def __init__(self, address: tuple[str, int], app: SandboxApp) -> None:
        self.app = app
        self._conns: set[socket.socket] = set()
        self._conns_lock = threading.Lock()
        super().__init__(address, SandboxHandler)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        with self._conns_lock:
            self._conns.add(request)
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._conns_lock:
                self._conns.discard(request)

    def close_all_connections(self) -> None:
        with self._conns_lock:
            conns = list(self._conns)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request: Any, client_address: Any) -> None:  # quiet on client hang-ups
        import sys

        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError, ValueError, OSError)):
            return
        super().handle_error(request, client_address)


class SandboxHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "BandwidthSandbox/1.0"
    sys_version = ""
    timeout = 120
    server: SandboxHTTPServer

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _dispatch(self) -> None:
        app = self.server.app
        started = time.time()
        url = urlsplit(self.path)
        path = unquote(url.path) or "/"
        headers = {k.lower(): v for k, v in self.headers.items()}
        host = headers.get("host") or "{}:{}".format(*self.server.server_address[:2])
        resolved = app.resolve(self.command, path)
        req = Request(method=self.command, path=path, query=url.query, headers=headers, host=host)
        try:
            req.body = self._read_body(int(app.state.cfg.max_body_bytes))
        except BodyError as exc:
            self.close_connection = True
            app.record(req, resolved, exc.status, None, started)
            self._send(Response.empty(exc.status))
            return

        latency, rule = app.faults.match(self.command, path, resolved.protected)
        if latency:
            time.sleep(latency)
        fault = rule.kind if rule else ("latency" if latency else None)
        if rule is not None and rule.kind in ("reset", "down"):
            app.record(req, resolved, None, rule.kind, started)
            self._abort()
            return
        if rule is not None and rule.kind in ("429", "5xx", "respond"):
            resp = app.fault_response(rule)
            app.record(req, resolved, resp.status, rule.kind, started)
            self._send(resp)
            return

        resp = app.handle(req, resolved)
        if rule is not None and rule.kind == "drop_response":
            app.record(req, resolved, resp.status, rule.kind, started)
            self._abort()
            return
        app.record(req, resolved, resp.status, fault, started)  # before sending: a client sees it logged
        if rule is not None and rule.kind == "slow_response":
            time.sleep(rule.seconds)  # acted and logged, the answer still on its way
        self._send(resp)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _dispatch

    # ---- body -------------------------------------------------------------------------------

    def _read_body(self, limit: int) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._read_chunked(limit)
        length = self.headers.get("Content-Length")
        if not length:
            return b""
        try:
            n = int(length)
        except ValueError:
            raise BodyError(400, "bad Content-Length") from None
        if n < 0:
            raise BodyError(400, "bad Content-Length")
        if n > limit:
            raise BodyError(413, "body too large")
        return self._read_exact(n)

    def _read_exact(self, n: int) -> bytes:
        data = self.rfile.read(n)
        if len(data) != n:
            raise BodyError(400, "incomplete body")
        return data

    def _read_chunked(self, limit: int) -> bytes:
        out = io.BytesIO()
        while True:
            line = self.rfile.readline(1024)
            if not line:
                raise BodyError(400, "incomplete chunked body")
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise BodyError(400, "bad chunk size") from None
            if size == 0:
                break
            if out.tell() + size > limit:
                raise BodyError(413, "body too large")
            out.write(self._read_exact(size))
            self.rfile.readline(8)  # CRLF after the chunk
        while True:  # trailers up to the blank line
            line = self.rfile.readline(8192)
            if line in (b"\r\n", b"\n", b""):
                break
        return out.getvalue()

    # ---- response ---------------------------------------------------------------------------

    def _send(self, resp: Response) -> None:
        self.send_response(resp.status)
        for name, value in resp.headers.items():
            self.send_header(name, value)
        no_body = resp.status in (204, 304) or 100 <= resp.status < 200
        if resp.content_type and not no_body:
            self.send_header("Content-Type", resp.content_type)
        if not no_body:
            self.send_header("Content-Length", str(len(resp.body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if resp.body and not no_body and self.command != "HEAD":
            self.wfile.write(resp.body)

    def _abort(self) -> None:
        """Close the socket with SO_LINGER 0 (an RST), sending nothing."""
        self.close_connection = True
        sock = self.connection
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        for stream in (self.rfile, self.wfile):
            try:
                stream.close()
            except Exception:
                pass
        try:
            sock.close()
        except OSError:
            pass
        self.rfile = io.BytesIO()
        self.wfile = io.BytesIO()
