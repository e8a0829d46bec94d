"""``python -m bandwidth_sandbox``: run the sandbox in the foreground."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading

from .config import SandboxConfig
from .sandbox import Sandbox


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m bandwidth_sandbox", description="Local sandbox of Bandwidth's Numbers API (v1 and v2)"
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8089)
    p.add_argument("--order-seconds", type=float, help="time from order creation to its final status")
    p.add_argument("--faults", help="JSON list of fault rules")
    p.add_argument("--account-id", help="the account the credentials belong to")
    p.add_argument("--config", help="JSON object of any SandboxConfig fields")
    p.add_argument("--quiet", action="store_true", help="do not log requests to stderr")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    overrides: dict = json.loads(args.config) if args.config else {}
    if args.order_seconds is not None:
        overrides["order_seconds"] = args.order_seconds
    if args.faults:
        overrides["faults"] = json.loads(args.faults)
    if args.account_id:
        overrides["account_id"] = args.account_id
    cfg = SandboxConfig.from_env(**overrides)
    stop = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    sandbox = Sandbox(cfg, host=args.host, port=args.port, log_stream=None if args.quiet else sys.stderr)
    sandbox.start()
    print(
        f"bandwidth sandbox listening on {sandbox.root_url} (v1 base {sandbox.base_url}, "
        f"v2 base {sandbox.v2_base_url}, "
        f"account {cfg.account_id}, token {sandbox.token_url})",
        file=sys.stderr,
        flush=True,
    )
    try:
        while not stop.wait(0.5):
            pass
    finally:
        sandbox.stop()
        print("bandwidth sandbox stopped", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
