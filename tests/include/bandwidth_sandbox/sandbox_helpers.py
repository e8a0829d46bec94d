"""Helpers shared by the sandbox tests (imported by conftest.py and the test modules)."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests
import xmltodict

INCLUDE = Path(__file__).resolve().parents[3] / "include"
if str(INCLUDE) not in sys.path:
    sys.path.insert(0, str(INCLUDE))

from bandwidth_sandbox import Sandbox  # noqa: E402

USER = ("sandbox-user", "sandbox-password")
ACCOUNT = "9900000"
FINAL = {"COMPLETE", "PARTIAL", "FAILED", "EXCEPTION"}

ORDER_XML = """<?xml version="1.0" encoding="UTF-8"?>
<ImportTnOrder>
  <CustomerOrderId>{coid}</CustomerOrderId>
  <SiteId>{site}</SiteId>{peer}
  <Subscriber>
    <Name>{name}</Name>
    <ServiceAddress>
      <HouseNumber>900</HouseNumber><StreetName>Main Campus Dr</StreetName>
      <City>Raleigh</City><StateCode>NC</StateCode><Zip>27606</Zip><County>Wake</County>
    </ServiceAddress>
  </Subscriber>
  <LoaAuthorizingPerson>Jane Doe</LoaAuthorizingPerson>
  <LoaType>SUBSCRIBER</LoaType>
  <TelephoneNumbers>{tns}</TelephoneNumbers>
</ImportTnOrder>"""


def order_xml(
    tns: list[str], coid: str = "batch-1 chunk-1", site: str = "14413", peer: str | None = None, name: str = "Acme Corp"
) -> str:
    return ORDER_XML.format(
        coid=coid,
        site=site,
        name=name,
        peer=f"\n  <SipPeerId>{peer}</SipPeerId>" if peer else "",
        tns="".join(f"<TelephoneNumber>{tn}</TelephoneNumber>" for tn in tns),
    )


def parse(resp: requests.Response) -> dict[str, Any]:
    return xmltodict.parse(
        resp.content,
        force_list=(
            "Errors",
            "Error",
            "TelephoneNumber",
            "ImportTnError",
            "Subscription",
            "ImportTnOrderSummary",
            "OrderHistory",
            "fileData",
            "RemoveImportedTnOrderSummary",
        ),
    )


class Api:
    """Thin requests wrapper bound to the sandbox's account URL."""

    def __init__(self, sb: Sandbox, auth: Any = USER) -> None:
        self.sb = sb
        self.session = requests.Session()
        self.session.auth = auth
        self.url = f"{sb.base_url}/accounts/{ACCOUNT}"

    def __call__(self, method: str, path: str, **kw: Any) -> requests.Response:
        kw.setdefault("timeout", 10)
        if isinstance(kw.get("data"), str):
            kw["data"] = kw["data"].encode("utf-8")
            kw.setdefault("headers", {}).setdefault("Content-Type", "application/xml")
        return self.session.request(method, f"{self.url}/{path.lstrip('/')}", **kw)

    def create_order(self, tns: list[str], **kw: Any) -> requests.Response:
        return self("POST", "importTnOrders", data=order_xml(tns, **kw))

    def order_id(self, resp: requests.Response) -> str:
        return resp.headers["Location"].rsplit("/", 1)[-1]

    def wait_order(self, order_id: str, path: str = "importTnOrders", timeout: float = 10.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            resp = self("GET", f"{path}/{order_id}")
            assert resp.status_code == 200, resp.text
            doc = parse(resp)
            root = next(iter(doc.values()))
            if root["ProcessingStatus"] in FINAL or time.monotonic() > deadline:
                return root
            time.sleep(0.05)


class Receiver:
    """A tiny callback receiver; ``mode`` decides the answers."""

    def __init__(self) -> None:
        self.hits: list[dict[str, Any]] = []
        self.mode = "ok"  # ok | challenge | challenge_no_header | fail
        self.credentials = ("cb-user", "cb-pass")
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                auth = self.headers.get("Authorization")
                receiver.hits.append(
                    {
                        "path": self.path,
                        "auth": auth,
                        "body": body.decode(),
                        "content_type": self.headers.get("Content-Type"),
                    }
                )
                status, headers = 200, {}
                if receiver.mode == "challenge" and not auth:
                    status, headers = 401, {"WWW-Authenticate": 'Basic realm="callbacks"'}
                elif receiver.mode == "challenge_no_header" and not auth:
                    status = 401
                elif receiver.mode == "fail":
                    status = 500
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/bandwidth/callbacks"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def wait_for(predicate: Callable[[], Any], timeout: float = 5.0, interval: float = 0.02) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()
