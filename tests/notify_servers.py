"""
Real servers on loopback for the run notifications' tests: an SMTP server (aiosmtpd, with AUTH) and an HTTP server
standing in for Slack's incoming webhook. Each records what arrived, and the connections that point at them carry
secrets the tests look for in every message.
"""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SMTP_LOGIN = "notify-user"
SMTP_PASSWORD = "smtp-Pa55-never-in-a-message"
SLACK_TOKEN = "T0000/B0000/slack-webhook-secret-never-in-a-message"
FROM_EMAIL = "airflow@example.com"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Mail:
    """One message the SMTP server took: envelope, headers and the decoded body."""

    mail_from: str
    rcpt_tos: list[str]
    subject: str
    body: str
    raw: str


@dataclass
class SmtpSink:
    host: str
    port: int
    mails: list[Mail] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)

    def clear(self) -> None:
        self.mails.clear()
        self.logins.clear()

    def connection(self) -> dict:
        """An Airflow connection (``AIRFLOW_CONN_*`` JSON) to this server: plain SMTP with AUTH, no TLS."""
        return {
            "conn_type": "smtp",
            "host": self.host,
            "port": self.port,
            "login": SMTP_LOGIN,
            "password": SMTP_PASSWORD,
            "extra": {
                "from_email": FROM_EMAIL,
                "disable_ssl": True,
                "disable_tls": True,
                "timeout": 10,
                "retry_limit": 0,
            },
        }


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.content.decode("utf-8", "replace")
        message = email.message_from_string(raw, policy=email.policy.default)
        parts = [p for p in message.walk() if not p.is_multipart()]
        body = "\n".join(p.get_content() for p in parts if p.get_content_maintype() == "text")
        self.sink.mails.append(Mail(envelope.mail_from, list(envelope.rcpt_tos), str(message["Subject"]), body, raw))
        return "250 OK"


@contextmanager
def smtp_server() -> Iterator[SmtpSink]:
    """An SMTP server on a free loopback port that accepts AUTH LOGIN/PLAIN without TLS and records each mail."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    sink = SmtpSink("127.0.0.1", free_port())

    def authenticate(server, session, envelope, mechanism, auth_data):
        login, password = auth_data.login.decode(), auth_data.password.decode()
        sink.logins.append((login, password))
        return AuthResult(success=(login, password) == (SMTP_LOGIN, SMTP_PASSWORD))

    controller = Controller(
        _Handler(sink),
        hostname=sink.host,
        port=sink.port,
        authenticator=authenticate,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


@dataclass
class WebhookSink:
    url: str
    posts: list[dict] = field(default_factory=list)

    def clear(self) -> None:
        self.posts.clear()

    def connection(self) -> dict:
        """A ``slackwebhook`` connection: the hook posts to ``{host}/{password}``."""
        return {"conn_type": "slackwebhook", "host": self.url, "password": SLACK_TOKEN}


@contextmanager
def webhook_server() -> Iterator[WebhookSink]:
    """An HTTP server on a free loopback port that answers every POST ``200 ok`` (as Slack does) and records it."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    sink = WebhookSink(f"http://127.0.0.1:{server.server_address[1]}")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            sink.posts.append({"path": self.path, "body": body, "json": json.loads(body)})
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server.RequestHandlerClass = Handler
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield sink
    finally:
        server.shutdown()
        server.server_close()
