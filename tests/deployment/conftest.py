"""Deployment tests: on failure, show the tails of the component logs of the Airflow they started."""

from __future__ import annotations

import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Append the component log tails to the report of a failed test that used ``local_airflow``."""
    outcome = yield
    report = outcome.get_result()
    af = getattr(item, "funcargs", {}).get("local_airflow")
    if report.failed and af is not None:
        report.sections.append(("component logs (tails)", af.logs_tails()))
