"""
Run Airflow with its UI on this machine, plus the Bandwidth sandbox: ``make airflow`` (or ``python
scripts/airflow_local.py --help``).

``airflow db migrate``, then api-server, scheduler, dag-processor, triggerer (and a Celery worker when a
broker is given) as processes of our own, each in its own process group, logs in ``HOME/component-logs``.
SQLite and LocalExecutor by default; ``--db postgresql://...`` (or ``AIRFLOW_DB``) for PostgreSQL. The
connections ``bandwidth_default`` (OAuth2) and ``bandwidth_callback`` (the api-server's
``/bandwidth/callbacks``) point at the sandbox; the simple auth manager has one admin user.

From Python (tests; ``sys.path.insert(0, "scripts")`` first)::

    with LocalAirflow(home, port=0, sandbox_port=0) as af:   # 0: a free port
        af.url, af.sandbox_url, af.username, af.password
        af.api("POST", "/api/v2/dags/hosted_messaging_import/dagRuns", json={...})
"""

from __future__ import annotations

import argparse
import configparser
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DAG_ID = "hosted_messaging_import"
CALLBACK_PATH = "/bandwidth/callbacks"
SIMPLE_AUTH_MANAGER = "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
#: What a run's chain of short tasks waits on between two of them, shortened (docker-compose.yaml sets the same):
#: the scheduler's sleep after a loop with nothing to do (Airflow's default 1 s), and the task supervisor's
#: longest wait (5 s), which it can sleep through when a task's process closes its sockets just before it exits.
LATENCY_SETTINGS = {
    "AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME": "0.25",
    "AIRFLOW__WORKERS__MIN_HEARTBEAT_INTERVAL": "1",
}


#: Where :func:`free_port` looks first: below Linux's ephemeral range (32768-60999 by default), from which the
#: kernel picks the local port of every outgoing connection. A port taken from that range can be handed to some
#: client socket in the seconds before the component meant for it binds it (an api-server starting on a loaded
#: machine: "address already in use").
_QUIET_PORTS = range(20000, 32000)


def _ephemeral_low() -> int:
    """The first port of the kernel's ephemeral range (Linux's default when it cannot be read)."""
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


#: The ports :func:`free_port` gave this process: a component may not have bound the last one yet.
_HANDED_OUT: set[int] = set()


#: How many times :meth:`LocalAirflow.api` asks the api-server a read that timed out.
READ_ATTEMPTS = 4


class ApiServerUnanswered(requests.ConnectionError):
    """The api-server answered none of :meth:`LocalAirflow.api`'s tries (a ``requests`` error, as a single one was)."""


def free_port() -> int:
    """A TCP port free on loopback right now, outside the ephemeral range when the machine has room below it, and
    never one this process was given before."""
    quiet = range(_QUIET_PORTS.start, min(_QUIET_PORTS.stop, _ephemeral_low()))
    rng = secrets.SystemRandom()
    for _ in range(50 if quiet else 0):
        port = rng.choice(quiet)
        if port in _HANDED_OUT:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _HANDED_OUT.add(port)
        return port
    while True:  # no room below the ephemeral range: the kernel chooses
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        if port not in _HANDED_OUT:
            _HANDED_OUT.add(port)
            return port


def write_private(path: Path, text: str) -> None:
    """
    Write ``text`` to ``path`` readable by its owner only (mode 0600): created with that mode, and an existing
    file is chmod-ed before anything is written, so the content is never readable by others, even briefly.
    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)  # the umask cannot widen it; an older file with 0644 is tightened first
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def sqlalchemy_url(db: str) -> str:
    """``postgresql://…`` → ``postgresql+psycopg2://…``; anything else as given."""
    for prefix in ("postgresql://", "postgres://"):
        if db.startswith(prefix):
            return "postgresql+psycopg2://" + db[len(prefix) :]
    return db


class LocalAirflow:
    """
    The Airflow components and the sandbox as child processes; ``start()`` returns once the UI answers,
    the scheduler, dag-processor and triggerer are healthy and ``hosted_messaging_import`` is unpaused.

    :param home: AIRFLOW_HOME (created); holds the SQLite database, logs and ``component-logs/``.
    :param port: api-server port (0: a free one).
    :param sandbox_port: sandbox port (0: a free one).
    :param db: metadata DB URL (``postgresql://`` is fine); default SQLite in ``home``.
    :param celery_broker: e.g. ``redis://127.0.0.1:6379/5``: CeleryExecutor and a worker (needs ``db``).
    :param parallelism: ``[core] parallelism`` (LocalExecutor forks that many workers) and worker concurrency.
    :param order_seconds: the sandbox's time from order creation to its final status.
    :param extra_env: more environment for every component (e.g. ``AIRFLOW__CORE__DEFAULT_TASK_RETRY_DELAY``).
    :param replicas: how many schedulers, triggerers and (with Celery) workers to run (``scheduler``,
        ``scheduler-2``, ...), each with log-server ports of its own: the high-availability test kills one of each.
    """

    def __init__(
        self,
        home: Path | str,
        *,
        port: int = 8080,
        sandbox_port: int = 8089,
        db: str | None = None,
        celery_broker: str | None = None,
        parallelism: int = 4,
        order_seconds: float = 15.0,
        username: str = "admin",
        password: str = "admin",
        extra_env: dict[str, str] | None = None,
        replicas: int = 1,
        db_template: Path | str | None = None,
    ) -> None:
        self.home = Path(home).resolve()
        self.port = port or free_port()
        self.sandbox_port = sandbox_port or free_port()
        self.db = sqlalchemy_url(db) if db else f"sqlite:///{self.home / 'airflow.db'}"
        if celery_broker and self.db.startswith("sqlite"):
            raise ValueError("CeleryExecutor needs a PostgreSQL metadata DB (db=postgresql://...)")
        self.celery_broker = celery_broker
        self.parallelism = parallelism
        self.order_seconds = order_seconds
        self.username, self.password = username, password
        self.extra_env = dict(extra_env or {})
        self.url = f"http://127.0.0.1:{self.port}"
        self.sandbox_url = f"http://127.0.0.1:{self.sandbox_port}"
        self.log_dir = self.home / "component-logs"
        self.celery_queue = f"bandwidth-local-{self.port}"
        self.procs: dict[str, subprocess.Popen] = {}
        self.replicas = max(1, replicas)
        #: A SQLite database ``airflow db migrate`` made with this Airflow: a new SQLite home starts from a copy
        #: of it instead of migrating (the tests' Airflows share one).
        self.db_template = Path(db_template) if db_template and not db else None
        #: Environment of one process beyond :meth:`env` (its own log-server ports), kept for :meth:`restart`.
        self.proc_env: dict[str, dict[str, str]] = {}
        self.killed: set[str] = set()
        self._token: str | None = None
        #: Seconds :meth:`api` waits for one answer.
        self.read_timeout = 30.0

    # -- environment ---------------------------------------------------------------------------------
    def env(self) -> dict[str, str]:
        """The environment of every component: ours only, nothing AIRFLOW* inherited from the caller."""
        base = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "_AIRFLOW", "BW_SANDBOX_"))}
        sandbox_api = f"{self.sandbox_url}/api"  # the token URL is v1's on both versions
        env = {
            "AIRFLOW_HOME": str(self.home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor" if self.celery_broker else "LocalExecutor",
            "AIRFLOW__CORE__PARALLELISM": str(self.parallelism),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": self.db,
            "AIRFLOW__CORE__AUTH_MANAGER": SIMPLE_AUTH_MANAGER,
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{self.username}:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(self.home / "simple_auth_manager_passwords.json"),
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(self.port),
            "AIRFLOW__API__BASE_URL": self.url,
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.url}/execution/",
            "AIRFLOW__API_AUTH__JWT_SECRET": self._secret("jwt_secret"),
            "AIRFLOW__CORE__FERNET_KEY": self._fernet_key(),
            # Ports of the log servers: free ones, so two instances (make airflow + tests) can coexist.
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES": "1",
            "AIRFLOW__OPERATORS__DEFAULT_DEFERRABLE": "True",
            **LATENCY_SETTINGS,
            "AIRFLOW_CONN_BANDWIDTH_DEFAULT": json.dumps(
                {
                    "conn_type": "bandwidth",
                    "host": f"{sandbox_api}/v2",  # the current platform: Numbers API v2
                    "login": "sandbox-client-id",
                    "password": "sandbox-client-secret",
                    "extra": {
                        "account_id": "9900000",
                        "auth_type": "oauth2",
                        "oauth_url": f"{sandbox_api}/v1/oauth2/token",
                    },
                }
            ),
            "AIRFLOW_CONN_BANDWIDTH_CALLBACK": json.dumps(
                {
                    "conn_type": "http",
                    "host": f"{self.url}{CALLBACK_PATH}",
                    "login": "bandwidth",
                    "password": self._secret("callback_password"),
                }
            ),
        }
        if self.celery_broker:
            env |= {
                "AIRFLOW__CELERY__BROKER_URL": self.celery_broker,
                "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + self.db.replace("+psycopg2", ""),
                "AIRFLOW__CELERY__WORKER_CONCURRENCY": str(self.parallelism),
                # A queue of our own: another instance on the same broker never takes our tasks.
                "AIRFLOW__OPERATORS__DEFAULT_QUEUE": self.celery_queue,
            }
        return base | env | self.extra_env

    def _secret(self, name: str, make: Callable[[], str] = lambda: secrets.token_urlsafe(24)) -> str:
        """A random value (``make``'s) kept in ``home`` (mode 0600) so restarts of the same home agree."""
        self.home.mkdir(parents=True, exist_ok=True)
        path = self.home / f".{name}"
        if path.exists():
            os.chmod(path, 0o600)  # a home from before: tighten it
        else:
            write_private(path, make())
        return path.read_text().strip()

    def _fernet_key(self) -> str:
        """
        The key every component encrypts and decrypts connections, variables and trigger arguments with, kept in
        ``.fernet_key`` and, for an ``airflow`` command run on the home without our environment, in a new home's
        ``airflow.cfg``. Without it, an Airflow process that finds no ``airflow.cfg`` writes one with a new key,
        and a process started at the same moment can read that file while it is still empty and run with no key:
        on a new home whose components start at once (a copied database, no ``airflow db migrate`` first), the
        triggerer then could not read the arguments of the triggers the api-server had stored.
        """
        key = self._secret("fernet_key", self._new_fernet_key)
        config = self.home / "airflow.cfg"
        if not config.exists():  # Airflow fills in every other setting from its defaults
            write_private(config, f"[core]\nfernet_key = {key}\n")
        return key

    def _new_fernet_key(self) -> str:
        """A home from before keeps the key its ``airflow.cfg`` holds (what it encrypted stays readable)."""
        from cryptography.fernet import Fernet

        config = self.home / "airflow.cfg"
        cfg = configparser.ConfigParser(interpolation=None)
        cfg.read(config)
        kept = cfg.get("core", "fernet_key", fallback="").strip()
        if config.exists() and not kept:
            print(
                f"note: {config} gives no [core] fernet_key; a new key is made, and values encrypted before with "
                "another key (fernet_key_cmd, fernet_key_secret) cannot be read",
                file=sys.stderr,
            )
        return kept or Fernet.generate_key().decode()

    def write_password_file(self) -> Path:
        """The simple auth manager's password file (mode 0600), with the admin user's password."""
        self.home.mkdir(parents=True, exist_ok=True)
        path = self.home / "simple_auth_manager_passwords.json"
        write_private(path, json.dumps({self.username: self.password}))
        return path

    # -- processes -----------------------------------------------------------------------------------
    def _spawn(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        env = {**env, **self.proc_env.get(name, {})}
        log = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115 - the child keeps it
        self.procs[name] = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() signals the whole group, not just the pid
        )
        log.close()

    def start(self, timeout: float = 180.0) -> LocalAirflow:
        """Migrate the DB (a new SQLite home: copy ``db_template`` when given), start every component and the sandbox,
        wait until usable, unpause the DAG."""
        self.home.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(exist_ok=True)
        self.write_password_file()
        env = self.env()
        airflow = str(BIN / "airflow")
        try:
            # The sandbox is not part of the provider distribution: it runs from include/.
            sandbox_env = {
                **env,
                "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "include"), env.get("PYTHONPATH")])),
            }
            self._spawn(
                "sandbox",
                [
                    sys.executable,
                    "-m",
                    "bandwidth_sandbox",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.sandbox_port),
                    "--order-seconds",
                    str(self.order_seconds),
                ],
                sandbox_env,
            )
            sqlite_file = self.home / "airflow.db"
            if self.db_template is not None and not sqlite_file.exists():
                shutil.copyfile(self.db_template, sqlite_file)
            else:
                self._migrate(env, timeout)
            for name in ("api-server", "dag-processor"):
                self._spawn(name, [airflow, name], env)
            for index in range(1, self.replicas + 1):
                suffix = "" if index == 1 else f"-{index}"
                for component in ("scheduler", "triggerer"):
                    if index > 1:  # log servers of their own: two on one port would fail to start
                        self.proc_env[component + suffix] = {
                            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
                            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
                        }
                    self._spawn(component + suffix, [airflow, component], env)
                if self.celery_broker:
                    worker = [
                        "celery",
                        "worker",
                        "--concurrency",
                        str(self.parallelism),
                        "--queues",
                        self.celery_queue,
                        "--celery-hostname",
                        f"{self.celery_queue}{suffix}@%h",
                    ]
                    if index > 1:
                        self.proc_env["celery-worker" + suffix] = {
                            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port())
                        }
                    self._spawn("celery-worker" + suffix, [airflow, *worker], env)
            self._wait_ready(time.monotonic() + timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _migrate(self, env: dict[str, str], timeout: float) -> None:
        with open(self.log_dir / "db-migrate.log", "ab") as log:
            subprocess.run(
                [str(BIN / "airflow"), "db", "migrate"],
                env=env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                check=True,
                timeout=timeout,
            )

    def _wait_ready(self, deadline: float) -> None:
        wanted = {"metadatabase", "scheduler", "triggerer", "dag_processor"}
        last: Any = None
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                last = requests.get(f"{self.url}/api/v2/monitor/health", timeout=5).json()
                healthy = {k for k, v in last.items() if isinstance(v, dict) and v.get("status") == "healthy"}
                # One try each: a slow answer is asked again by this loop, within its deadline.
                if wanted <= healthy and self.api("GET", f"/api/v2/dags/{DAG_ID}", check=False, tries=1).ok:
                    self.api("PATCH", f"/api/v2/dags/{DAG_ID}", json={"is_paused": False})
                    return
            except requests.RequestException as err:
                last = err
            time.sleep(1)
        raise TimeoutError(f"Airflow not ready in time (last health: {last}); logs in {self.log_dir}")

    def restart(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Kill one component's process group (SIGKILL: a crash) and start it again with the same command."""
        proc = self.procs[name]
        _signal_group(proc, sig)
        proc.wait()
        self._spawn(name, list(proc.args), self.env())

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Kill one component's process group (SIGKILL: a crash) and leave it dead; :meth:`check_alive` ignores it."""
        proc = self.procs[name]
        _signal_group(proc, sig)
        proc.wait()
        self.killed.add(name)

    def check_alive(self) -> None:
        """Raise if a component exited (one :meth:`kill` stopped on purpose excepted)."""
        for name, proc in self.procs.items():
            if name not in self.killed and proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode}:\n{self.log_tail(name)}")

    def log_tail(self, name: str, lines: int = 40) -> str:
        path = self.log_dir / f"{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    def logs_tails(self, lines: int = 40) -> str:
        """The end of every component's log, for a failure message."""
        paths = sorted(self.log_dir.glob("*.log"), key=lambda p: p.stat().st_mtime)
        return "\n".join(f"===== {p.stem} ({p}) =====\n{self.log_tail(p.stem, lines)}" for p in paths)

    def stop(self, grace: float = 15.0) -> None:
        """SIGTERM each started process group (newest first), SIGKILL what is left after ``grace`` seconds."""
        for proc in reversed(list(self.procs.values())):
            _signal_group(proc, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for proc in self.procs.values():
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        for proc in self.procs.values():
            _signal_group(proc, signal.SIGKILL)  # also reaps children left behind in the group
            proc.wait()
        self.procs.clear()

    def __enter__(self) -> LocalAirflow:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- REST API ------------------------------------------------------------------------------------
    def token(self) -> str:
        if self._token is None:
            resp = requests.post(
                f"{self.url}/auth/token", json={"username": self.username, "password": self.password}, timeout=10
            )
            resp.raise_for_status()
            self._token = resp.json()["access_token"]
        return self._token

    def api(
        self, method: str, path: str, *, check: bool = True, tries: int | None = None, **kwargs: Any
    ) -> requests.Response:
        """
        Call the api-server as the admin user (Bearer token from ``POST /auth/token``).

        A read (``GET``) that times out or loses its connection is asked again, 1 s later, up to ``tries`` times
        (default ``READ_ATTEMPTS``): the api-server runs one worker, which a loaded machine can starve for longer
        than one read's timeout. Other methods are sent once, since a repeated write could act twice. When every
        try went unanswered: :class:`ApiServerUnanswered`, with the end of the api-server's log.
        """
        headers = {"Authorization": f"Bearer {self.token()}", **kwargs.pop("headers", {})}
        attempts = (tries or READ_ATTEMPTS) if method.upper() == "GET" else 1
        for attempt in range(1, attempts + 1):
            try:
                resp = requests.request(
                    method, f"{self.url}{path}", headers=headers, timeout=self.read_timeout, **kwargs
                )
                break
            except (requests.Timeout, requests.ConnectionError) as err:
                if attempt == attempts:
                    raise ApiServerUnanswered(
                        f"api-server gave no answer to {method} {path}, asked {attempts} time(s) "
                        f"({type(err).__name__}):\n{self.log_tail('api-server')}"
                    ) from err
                # stderr: the bench's stdout is its JSON document
                print(
                    f"api-server slow on {method} {path} (try {attempt} of {attempts}: {type(err).__name__})",
                    file=sys.stderr,
                    flush=True,
                )
                time.sleep(1)
        if check:
            resp.raise_for_status()
        return resp


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)  # the group we created with start_new_session (pgid == pid)
    except (ProcessLookupError, PermissionError):
        pass


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--home", default=str(ROOT / ".airflow" / "local"), help="AIRFLOW_HOME (default .airflow/local)")
    p.add_argument("--port", type=int, default=8080, help="api-server (UI) port; 0: a free one")
    p.add_argument("--sandbox-port", type=int, default=8089, help="Bandwidth sandbox port; 0: a free one")
    p.add_argument(
        "--db",
        default=os.environ.get("AIRFLOW_DB") or None,
        help="metadata DB URL, e.g. postgresql://postgres@127.0.0.1/airflow (default: SQLite in HOME)",
    )
    p.add_argument("--parallelism", type=int, default=4)
    p.add_argument("--order-seconds", type=float, default=15.0, help="sandbox: order creation to final status")
    args = p.parse_args(argv)

    def on_term(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started with SIGINT ignored
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGHUP, on_term)
    af = LocalAirflow(
        args.home,
        port=args.port,
        sandbox_port=args.sandbox_port,
        db=args.db,
        parallelism=args.parallelism,
        order_seconds=args.order_seconds,
    )
    print(f"Starting Airflow in {af.home} (DB {af.db.split('@')[-1]}); component logs in {af.log_dir}", flush=True)
    try:
        af.start()
        print(
            f"\n  Airflow UI:  {af.url}   login: {af.username} / {af.password}"
            f"\n  Sandbox:     {af.sandbox_url}/api/v2  (delivery log: {af.sandbox_url}/_sandbox/callbacks)"
            f"\n  Sample LOA:  {ROOT / 'include' / 'loa' / 'sample-loa.pdf'}  (the form's LOA file field; only here)"
            f"\n  {DAG_ID} is unpaused: trigger it from the UI.  Ctrl-C stops everything.\n",
            flush=True,
        )
        while True:
            af.check_alive()
            time.sleep(2)
    except KeyboardInterrupt:
        print("\nStopping...", flush=True)
        return 0
    except Exception as err:  # a component died or never became ready
        print(f"\n{err}\n\n{af.logs_tails()}", file=sys.stderr, flush=True)
        return 1
    finally:
        af.stop()
        print("All components stopped.", flush=True)


if __name__ == "__main__":
    sys.exit(main())
