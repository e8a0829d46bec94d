"""
Deployment tests: a throwaway PostgreSQL database for the components, and on failure the tails of the component
logs of the Airflow they started.
"""

from __future__ import annotations

import pytest

from tests.postgres import throwaway_database


@pytest.fixture(scope="module")
def postgres_url():
    """The metadata database of the components a module starts."""
    with throwaway_database("bw_it") as url:
        yield url


@pytest.fixture(scope="module")
def inventory_postgres_url():
    """A database of its own for the hosted-number inventory (the ``bandwidth_inventory`` connection)."""
    with throwaway_database("bw_inv") as url:
        yield url


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Append the component log tails to the report of a failed test that used ``local_airflow``."""
    outcome = yield
    report = outcome.get_result()
    af = getattr(item, "funcargs", {}).get("local_airflow")
    if report.failed and af is not None:
        report.sections.append(("component logs (tails)", af.logs_tails()))
