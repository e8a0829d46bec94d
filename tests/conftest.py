"""
Test set-up shared by every test: an Airflow home of its own (SQLite), our dags/ and plugins/ folders,
short retry delays, and a Bandwidth sandbox on a free loopback port with connections pointing at it.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_HOME = Path(tempfile.mkdtemp(prefix="bw-airflow-home-"))

# Airflow reads these at import time: set them before anything imports airflow.
os.environ.update(
    {
        "AIRFLOW_HOME": str(_HOME),
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DEFAULT_TASK_RETRY_DELAY": "1",
        "AIRFLOW__OPERATORS__DEFAULT_DEFERRABLE": "True",
        "AIRFLOW__BANDWIDTH__REPORT_BASE": f"file://{_HOME}/reports",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": "http://127.0.0.1:9/execution/",
        # The tests' deployment: polls as short as the sandbox's orders (a real deployment keeps the 1 s floor).
        "AIRFLOW__BANDWIDTH__MIN_POLL_INTERVAL": "0.1",
        # Airflow 3.3.2's dag.test() cannot end a run of a DAG with a Deadline Alert (it looks the alert up by an
        # id its own copy of the DAG does not have): the dag.test() scenarios run without it; the deployment tests,
        # on real components, keep it (tests/deployment/test_callback_wakeups.py).
        "AIRFLOW__BANDWIDTH__DEADLINE_ALERTS": "False",
        # Removals are confirmed by a person by default; the remove scenarios run unattended, and the approval
        # tests (tests/dags/test_operator_workflow.py) set the thresholds they need.
        "AIRFLOW__BANDWIDTH__REMOVE_APPROVAL_THRESHOLD": "0",
        # Every scenario checks its site (faults are injected there); tests/dags/test_site_memory.py turns it on.
        "AIRFLOW__BANDWIDTH__SITE_CHECK_MEMORY_HOURS": "0",
        # Every scenario lists its subscriptions; tests/dags/test_subscription_memory.py turns the memory on.
        "AIRFLOW__BANDWIDTH__SUBSCRIPTION_MEMORY_HOURS": "0",
        # The sandbox is not part of the distribution: subprocesses take it from include/ as pytest does.
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "include"), os.environ.get("PYTHONPATH")])),
    }
)

import pytest

from bandwidth_sandbox import Sandbox, SandboxConfig

AIRFLOW = str(Path(sys.executable).parent / "airflow")


#: A folder the controlling pytest process shares with its xdist workers (see :func:`pytest_configure`).
_SHARED_DIR = "BW_TEST_SHARED_DIR"


def _migrated_template() -> Path:
    """A SQLite metadata database ``airflow db migrate`` made, once per session: the first worker that needs it
    migrates one in a home of its own (the others wait on a lock); every dag.test() home and every local Airflow
    the tests start on SQLite copies it instead of migrating again (about 6 s of CPU each)."""
    shared = Path(os.environ.get(_SHARED_DIR) or _HOME)
    template = shared / "airflow-migrated.db"
    with (shared / "airflow-migrated.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not template.exists():
            home = Path(tempfile.mkdtemp(prefix="bw-airflow-migrate-"))
            env = {
                **os.environ,
                "AIRFLOW_HOME": str(home),
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
            }
            subprocess.run([AIRFLOW, "db", "migrate"], check=True, capture_output=True, env=env)
            shutil.copyfile(home / "airflow.db", template.with_suffix(".partial"))
            os.replace(template.with_suffix(".partial"), template)
            shutil.rmtree(home, ignore_errors=True)
    return template


@pytest.fixture(scope="session")
def airflow_db_template() -> Path:
    """The session's migrated SQLite metadata database (:func:`_migrated_template`); copy it, never write to it."""
    return _migrated_template()


@pytest.fixture(scope="session")
def airflow_db(airflow_db_template: Path) -> Path:
    """A migrated SQLite metadata database for dag.test() runs: this worker's copy of the session's template."""
    shutil.copyfile(airflow_db_template, _HOME / "airflow.db")
    _reconnect(_HOME / "airflow.db")
    return _HOME


def _reconnect(db: Path) -> None:
    """
    After the copy: connections this process already holds (the ORM's pool keeps SQLite connections) were opened
    on the file as it was before; drop them, so the next session reads the migrated copy. And check that the ORM
    points at that file and sees its tables: a module of this worker found none once (``no such table:
    dag_bundle``, in a status test after the browser tests); this names what it saw instead.
    """
    settings = sys.modules.get("airflow.settings")
    engine = getattr(settings, "engine", None)
    if engine is None:
        return
    engine.dispose()
    from sqlalchemy import inspect

    url, tables = engine.url.database, set(inspect(engine).get_table_names())
    if Path(url or "").resolve() != db.resolve() or "dag_bundle" not in tables:
        pytest.fail(f"the ORM of this worker reads {url!r} ({len(tables)} tables), not the migrated copy {db}")


def connection_env(sandbox: Sandbox, auth_type: str = "basic", version: int = 1) -> str:
    """``AIRFLOW_CONN_*`` values for a Bandwidth connection to ``sandbox`` (its v1 or its v2 API)."""
    cfg = sandbox.config
    login, password = (cfg.client_id, cfg.client_secret) if auth_type == "oauth2" else (cfg.username, cfg.password)
    return json.dumps(
        {
            "conn_type": "bandwidth",
            "host": sandbox.base_url if version == 1 else sandbox.v2_base_url,
            "login": login,
            "password": password,
            # Retries back off from 50 ms, not 1 s: the sandbox's 5xx bursts and 429 storms cost the suite seconds
            # of sleep each (the backoff's shape is tested in tests/plugins/.../client/test_retry.py).
            "extra": {
                "account_id": cfg.account_id,
                "auth_type": auth_type,
                "oauth_url": sandbox.token_url,
                "retry_delay": 0.05,
            },
        }
    )


@pytest.fixture(scope="session")
def sandbox():
    """One sandbox for the session; each test resets it through the ``bw`` fixture."""
    with Sandbox(SandboxConfig(order_seconds=0.6)) as sb:
        os.environ["AIRFLOW_CONN_BANDWIDTH_DEFAULT"] = connection_env(sb, "basic")
        os.environ["AIRFLOW_CONN_BANDWIDTH_OAUTH"] = connection_env(sb, "oauth2")
        os.environ["AIRFLOW_CONN_BANDWIDTH_V2"] = connection_env(sb, "oauth2", version=2)
        yield sb


@pytest.fixture
def bw(sandbox: Sandbox) -> Sandbox:
    """The sandbox, reset to its seed with no faults and an empty request log."""
    sandbox.reset()
    sandbox.clear_faults()
    sandbox.clear_requests()
    return sandbox


class OutageRun:
    """The several-minute outage scenario (tests/plugins/bandwidth_hosted_messaging/triggers/long_outage.py),
    started once per session by the controlling pytest process (:func:`pytest_configure`), so that it waits in the
    background while the other tests run, on one worker or several; the test that collects it may run in any worker.
    The process writes its output to ``log_path`` and, when it ends, its exit code to ``rc_path``."""

    def __init__(self, folder: Path) -> None:
        self.log_path, self.rc_path = folder / "long_outage.log", folder / "long_outage.rc"

    def start(self) -> subprocess.Popen:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("w") as out:
            return subprocess.Popen(
                ["sh", "-c", '"$0" -m tests.plugins.bandwidth_hosted_messaging.triggers.long_outage; echo $? > "$1"']
                + [sys.executable, str(self.rc_path)],
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**os.environ, "AIRFLOW_HOME": str(self.log_path.parent / "home")},
                start_new_session=True,
            )

    def wait(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not self.rc_path.exists() or not self.rc_path.read_text().strip():
            if time.monotonic() > deadline:
                raise TimeoutError(f"the outage scenario did not end within {timeout} s; log: {self.log_path}")
            time.sleep(1)

    @property
    def returncode(self) -> int | None:
        text = self.rc_path.read_text().strip() if self.rc_path.exists() else ""
        return int(text) if text else None


_OUTAGE_DIR = "BW_TEST_LONG_OUTAGE_DIR"
#: The test that collects the outage scenario's result.
_OUTAGE_TEST = ROOT / "tests" / "plugins" / "bandwidth_hosted_messaging" / "triggers" / "test_order.py"


def pytest_configure(config: pytest.Config) -> None:
    """In the controlling process only (not in an xdist worker): make the folder it shares with the workers, and
    start the outage scenario when the run includes
    the test that collects it and does not leave out the slow tests (``make test-unit``); the workers find it
    through ``BW_TEST_LONG_OUTAGE_DIR``."""
    if hasattr(config, "workerinput"):
        return
    os.environ[_SHARED_DIR] = tempfile.mkdtemp(prefix="bw-tests-shared-")
    if "not slow" in (config.getoption("markexpr", "") or ""):
        return
    if not any(
        _OUTAGE_TEST.is_relative_to((config.invocation_params.dir / arg.split("::", 1)[0]).resolve())
        for arg in config.args
    ):
        return  # a run of other tests only
    folder = Path(tempfile.mkdtemp(prefix="bw-long-outage-"))
    os.environ[_OUTAGE_DIR] = str(folder)
    config._bw_long_outage = OutageRun(folder).start()  # type: ignore[attr-defined]


def pytest_unconfigure(config: pytest.Config) -> None:
    proc = getattr(config, "_bw_long_outage", None)
    if proc is not None and proc.poll() is None:
        os.killpg(proc.pid, 9)
        proc.wait()


@pytest.fixture(scope="session")
def long_outage() -> OutageRun:
    """The outage scenario this session started (see :class:`OutageRun`)."""
    folder = os.environ.get(_OUTAGE_DIR)
    if not folder:
        pytest.fail("the several-minute outage scenario was not started: this run's -m expression leaves out slow")
    return OutageRun(Path(folder))


def _weight(item: pytest.Item) -> int:
    """The order of the units of work on the xdist workers (``make test``, ``--no-loadscope-reorder``): the longest
    first, so that no long module starts last and runs alone: the units of real components, in
    :data:`_COMPONENT_UNITS`' order, then the DAG scenarios (``dag.test()`` runs, the longest of the other
    modules), then the unit-test modules, which fill the gaps at the end; the outage scenario's test last, as it
    waits for the scenario started with the session."""
    path = item.path.relative_to(ROOT).as_posix()
    units = list(dict.fromkeys(_COMPONENT_UNITS.values()))
    scope = _scope_of(path)
    if scope in units:
        return units.index(scope)
    if item.path == _OUTAGE_TEST:
        return len(units) + 2
    return len(units) + (0 if path.startswith("tests/dags/") else 1)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """See :func:`_weight` (a stable sort: each module keeps the order of its tests)."""
    items.sort(key=_weight)


#: The modules that start real Airflow components, in two units of work: each unit's modules run one after another
#: on one worker, so that no more than two Airflows share the machine's cores at once (with more, a starved
#: triggerer misses its heartbeat and Airflow hands its triggers to another: a wait reads its order once more).
#: The browser tests are in one unit as they share one local Airflow (a session fixture). The two units take about
#: as long (the DAG processor's module goes with the browser tests to even them out). The deployment modules that
#: start no component (the launcher's unit tests, the compose file's checks, whose set-up may install
#: docker-compose) are units of their own, so that another worker runs them beside the components.
_COMPONENT_UNITS = {
    "tests/bench/test_bench_smoke.py": "real components 1",
    "tests/ui/": "real components 1",
    "tests/deployment/test_dag_processor.py": "real components 1",
    "tests/deployment/test_integration.py": "real components 2",
    "tests/deployment/test_reliability.py": "real components 2",
    "tests/deployment/test_callback_wakeups.py": "real components 2",
    "tests/deployment/test_run_notifications.py": "real components 2",
}


def _scope_of(nodeid: str) -> str:
    """A test's unit of work on the xdist workers: its module, or its unit of real components."""
    module = nodeid.split("::", 1)[0]
    return next((unit for prefix, unit in _COMPONENT_UNITS.items() if module.startswith(prefix)), module)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """``--dist loadfile`` (``make test``): a module's tests run in one worker, in order, so its module fixtures (a
    DAG, a local Airflow) are built once; the modules of real components share two units (:data:`_COMPONENT_UNITS`)."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class ModuleScheduling(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _scope_of(nodeid)

    return ModuleScheduling(config, log)
