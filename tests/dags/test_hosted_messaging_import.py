"""Run the real hosted_messaging_import DAG with dag.test() against the sandbox."""

from __future__ import annotations

import pytest

from airflow.sdk import DagRunState

SAMPLE_LOA = None


def import_conf(numbers, **overrides):
    from tests.dags_helpers import base_conf

    return base_conf(numbers, **overrides)


@pytest.fixture(scope="module")
def import_dag(airflow_db):
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag()
    assert not bag.import_errors, bag.import_errors
    return bag.get_dag("hosted_messaging_import")


def test_all_numbers_import_and_are_in_service(import_dag, bw):
    numbers = ["+1 303-555-0100", "3035550101", "(303) 555-0102"]
    dr = import_dag.test(run_conf=import_conf(numbers))
    assert dr.state == DagRunState.SUCCESS
