"""Conf builders shared by the DAG tests."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_LOA = str(ROOT / "include" / "loa" / "sample-loa.pdf")


def base_conf(numbers, **overrides):
    conf = {
        "numbers": list(numbers),
        "subscriber_name": "Acme Dental",
        "house_number": "900",
        "street_name": "Main St",
        "city": "Denver",
        "state_code": "CO",
        "zip": "80202",
        "loa_authorizing_person": "Jane Doe",
        "site_id": "14413",
        "customer_order_id_prefix": "test",
        "loa_file": SAMPLE_LOA,
        "poll_interval": 0.3,
        "grace_period": 3,
    }
    conf.update(overrides)
    return conf
