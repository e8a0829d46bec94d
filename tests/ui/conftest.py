"""
Browser tests: Debian's Chromium (installed here when missing; the tests fail, never skip, if it cannot be),
driven by Playwright's Python package (no browser download: ``executable_path``), against a real local Airflow
started as ``make airflow`` starts it, on free ports, with the Bandwidth sandbox behind it.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.deployment.helpers import LOADED_MACHINE_ENV, ROOT, load_launcher, running

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: Where the tests write their screenshots (and a failure's last view); ``artifacts/`` is not committed.
ARTIFACTS = ROOT / "artifacts" / "screenshots"


def _apt_install(package: str) -> str | None:
    """``apt-get install -y PACKAGE`` (as root, or through password-less sudo), ``apt-get update`` first if needed;
    what went wrong, or None."""
    apt = shutil.which("apt-get")
    if apt is None:
        return f"{CHROMIUM} is missing and there is no apt-get to install Debian's {package} package"
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    wait_for_dpkg = ["-o", "DPkg::Lock::Timeout=600"]  # another apt-get (the machine's own) may hold the lock
    install = [*sudo, apt, *wait_for_dpkg, "install", "-y", "-q", package]
    if subprocess.run(install, env=env, capture_output=True, timeout=900).returncode != 0:
        subprocess.run([*sudo, apt, *wait_for_dpkg, "update", "-q"], env=env, capture_output=True, timeout=900)
        result = subprocess.run(install, env=env, capture_output=True, text=True, timeout=900)
        if result.returncode != 0:
            return f"could not install {package} with apt-get:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
    return None


def _install_chromium(problems: list[str]) -> None:
    """Install Chromium unless it is there; another test session on this machine may be installing it too: one
    installs while the other waits."""
    try:
        with open(Path(tempfile.gettempdir()) / "bandwidth-tests-chromium.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not CHROMIUM.exists() and (problem := _apt_install("chromium")):
                problems.append(problem)
    except Exception as err:  # said by the chromium fixture, in the test's own thread
        problems.append(f"installing chromium failed: {err!r}")


@pytest.fixture(scope="session", autouse=True)
def chromium_install() -> Iterator[tuple[threading.Thread, list[str]]]:
    """Start installing Debian's Chromium (``apt-get install -y chromium``, about 20 s) when it is missing, before
    any other fixture of the browser tests: it goes on while their local Airflow starts."""
    problems: list[str] = []
    thread = threading.Thread(target=_install_chromium, args=(problems,), name="chromium-install", daemon=True)
    thread.start()
    yield thread, problems
    thread.join()  # never leave apt-get behind the session


@pytest.fixture(scope="session")
def chromium(chromium_install) -> Path:
    """Debian's Chromium, once :func:`chromium_install` has ended."""
    thread, problems = chromium_install
    thread.join(timeout=2400)  # dpkg's lock (600 s), then apt-get update and install (900 s each)
    if thread.is_alive():
        pytest.fail("apt-get install chromium is still running after 40 minutes")
    if problems:
        pytest.fail(problems[0])
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is still missing after apt-get install chromium")
    return CHROMIUM


@pytest.fixture(scope="module")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


#: ``[bandwidth] approval_threshold`` of the browser tests' Airflow: a run that would order this many numbers waits
#: for a person's approval. The runs of ``test_browser.py`` order at most 3 numbers each (they never ask); those of
#: ``test_operator_workflow.py`` that are meant to wait order at least this many.
APPROVAL_THRESHOLD = 4


@pytest.fixture(scope="session")
def local_airflow(tmp_path_factory, airflow_db_template):
    """api-server, scheduler, dag-processor, triggerer and the sandbox, as ``make airflow`` starts them; one for
    every browser test (started once: about 20 s)."""
    launcher = load_launcher()
    af = launcher.LocalAirflow(
        tmp_path_factory.mktemp("ui-airflow-home"),
        db_template=airflow_db_template,
        port=0,
        sandbox_port=0,
        parallelism=4,
        order_seconds=2,
        extra_env={
            "AIRFLOW__CORE__DEFAULT_TASK_RETRY_DELAY": "1",
            "AIRFLOW__BANDWIDTH__APPROVAL_THRESHOLD": str(APPROVAL_THRESHOLD),
            **LOADED_MACHINE_ENV,
        },
    )
    with running(af, timeout=180):
        yield af


@pytest.fixture
def page(local_airflow, browser):
    """A new browser page; the local Airflow is asked for first, so it starts while Chromium installs."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    # Generous: on two cores shared with the rest of the suite, the api-server once took over 30 s to serve a page.
    context.set_default_timeout(60_000)
    context.set_default_navigation_timeout(90_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On a failure: the component log tails in the report, and the browser's last view as a screenshot."""
    outcome = yield
    report = outcome.get_result()
    if not report.failed:
        return
    funcargs = getattr(item, "funcargs", {})
    af = funcargs.get("local_airflow")
    if af is not None:
        report.sections.append(("component logs (tails)", af.logs_tails()))
    page = funcargs.get("page")
    if page is not None and not page.is_closed():
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"failure-{item.name}.png"
        try:
            page.screenshot(path=str(path), full_page=True)
            report.sections.append(("last view", f"{page.url}\nscreenshot: {path}"))
        except Exception as err:  # the browser may be gone
            report.sections.append(("last view", f"{page.url} (no screenshot: {err})"))
