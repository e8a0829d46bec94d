"""
A several-minute Bandwidth outage during a wait, run as its own process (``python -m``) so the test suite
does other work meanwhile: a sandbox with one open order goes down for ``OUTAGE_SECONDS``; the real
TnOrderTrigger must keep waiting through it and fire once the order completes after it is back.
Prints one JSON line: the trigger's event and what the sandbox saw.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time

OUTAGE_SECONDS = float(os.environ.get("OUTAGE_SECONDS", "180"))
POLL_INTERVAL = 5.0


def main() -> int:
    from bandwidth_sandbox import Sandbox, SandboxConfig

    with Sandbox(SandboxConfig(order_seconds=3600)) as sb:
        cfg = sb.config
        os.environ["AIRFLOW_CONN_BANDWIDTH_OUTAGE"] = json.dumps(
            {
                "conn_type": "bandwidth",
                "host": sb.base_url,
                "login": cfg.username,
                "password": cfg.password,
                "extra": {"account_id": cfg.account_id, "auth_type": "basic"},
            }
        )
        from bandwidth_hosted_messaging.client.models import ImportTnOrderRequest, ServiceAddress
        from bandwidth_hosted_messaging.hooks.bandwidth import BandwidthHook
        from bandwidth_hosted_messaging.triggers.order import TnOrderTrigger

        order = BandwidthHook("bandwidth_outage").create_import_order(
            ImportTnOrderRequest(
                "outage-1",
                "14413",
                "Acme Dental",
                ServiceAddress("900", "Main St", "Denver", "CO", "80202"),
                "Jane Doe",
                ["+13035550100"],
            )
        )
        sb.set_faults([{"kind": "down", "seconds": OUTAGE_SECONDS}])
        started = time.monotonic()

        def complete_after_the_outage() -> None:
            while time.monotonic() - started < OUTAGE_SECONDS + 2:
                time.sleep(0.5)
            sb.force_status(order.order_id, "COMPLETE")

        import threading

        threading.Thread(target=complete_after_the_outage, daemon=True).start()
        trigger = TnOrderTrigger(order.order_id, "bandwidth_outage", time.time() + OUTAGE_SECONDS + 120, POLL_INTERVAL)

        async def first_event():
            async for event in trigger.run():
                return event.payload

        event = asyncio.run(first_event())
        refused = [r for r in sb.requests() if r["endpoint"] == "importTnOrders.get" and r["fault"] == "down"]
        print(
            json.dumps(
                {
                    "event": event,
                    "outage_seconds": OUTAGE_SECONDS,
                    "polls_refused_during_outage": len(refused),
                    "waited_seconds": round(time.monotonic() - started, 1),
                }
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
