"""The ``make airflow`` launcher's settings, without starting anything."""

from __future__ import annotations

import json
import os
import stat
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.deployment.helpers import ROOT, load_launcher

launcher = load_launcher()


def test_port_sets_api_port_base_url_and_execution_api_url_together(tmp_path):
    af = launcher.LocalAirflow(tmp_path, port=0, sandbox_port=0)
    env = af.env()
    assert af.port > 0 and af.url == f"http://127.0.0.1:{af.port}"
    assert env["AIRFLOW__API__PORT"] == str(af.port)
    assert env["AIRFLOW__API__BASE_URL"] == af.url
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == f"{af.url}/execution/"


def test_free_ports_lie_below_the_ephemeral_range_so_no_outgoing_connection_can_take_one_first():
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    ports = [launcher.free_port() for _ in range(20)]
    assert len(set(ports)) == len(ports)  # never the same one twice: a component may not have bound it yet
    if low > 20000:  # this machine has room below its ephemeral range (Linux's default starts at 32768)
        assert all(p < low for p in ports), sorted(ports)


def test_a_database_template_is_for_the_homes_own_sqlite_file_only(tmp_path):
    template = tmp_path / "migrated.db"
    assert launcher.LocalAirflow(tmp_path / "a", db_template=template).db_template == template
    on_postgres = launcher.LocalAirflow(tmp_path / "b", db="postgresql://u@127.0.0.1/x", db_template=template)
    assert on_postgres.db_template is None  # a PostgreSQL database is migrated, never copied over
    elsewhere = launcher.LocalAirflow(tmp_path / "c", db="sqlite:////tmp/elsewhere.db", db_template=template)
    assert elsewhere.db_template is None  # only the home's own file is copied


def test_components_get_our_settings_and_nothing_airflow_from_the_caller(tmp_path, monkeypatch):
    monkeypatch.setenv("AIRFLOW__CORE__EXECUTOR", "SequentialExecutor")
    monkeypatch.setenv("AIRFLOW_CONN_SOMETHING_ELSE", "http://x")
    env = launcher.LocalAirflow(tmp_path, port=18080, sandbox_port=18089).env()
    assert env["AIRFLOW_HOME"] == str(tmp_path.resolve())
    assert env["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == f"sqlite:///{tmp_path.resolve() / 'airflow.db'}"
    assert env["AIRFLOW__CORE__DAGS_FOLDER"] == str(ROOT / "dags")
    assert "AIRFLOW_CONN_SOMETHING_ELSE" not in env
    assert env["PATH"] == os.environ["PATH"]
    default = json.loads(env["AIRFLOW_CONN_BANDWIDTH_DEFAULT"])
    assert default["host"] == "http://127.0.0.1:18089/api/v2" and default["extra"]["auth_type"] == "oauth2"  # v2
    callback = json.loads(env["AIRFLOW_CONN_BANDWIDTH_CALLBACK"])
    assert callback["host"] == "http://127.0.0.1:18080/bandwidth/callbacks"
    assert callback["login"] and callback["password"]


def test_postgres_url_uses_psycopg2_and_celery_gets_its_own_queue(tmp_path):
    af = launcher.LocalAirflow(
        tmp_path, port=18080, db="postgresql://postgres@127.0.0.1:5432/x", celery_broker="redis://127.0.0.1:6379/11"
    )
    env = af.env()
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == "postgresql+psycopg2://postgres@127.0.0.1:5432/x"
    assert env["AIRFLOW__CELERY__RESULT_BACKEND"] == "db+postgresql://postgres@127.0.0.1:5432/x"
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert env["AIRFLOW__OPERATORS__DEFAULT_QUEUE"] == af.celery_queue


def test_celery_on_sqlite_is_refused(tmp_path):
    with pytest.raises(ValueError, match="PostgreSQL"):
        launcher.LocalAirflow(tmp_path, celery_broker="redis://127.0.0.1:6379/11")


def test_secret_and_password_files_are_written_with_mode_0600(tmp_path, monkeypatch):
    """What start() writes before it starts anything: here it starts nothing (spawn, migrate and wait stubbed)."""
    af = launcher.LocalAirflow(tmp_path / "home", port=18080, sandbox_port=18089)
    started: list[str] = []
    monkeypatch.setattr(af, "_spawn", lambda name, argv, env: started.append(name))
    monkeypatch.setattr(af, "_wait_ready", lambda deadline: None)
    monkeypatch.setattr(launcher.subprocess, "run", lambda argv, **kwargs: started.append(argv[1:3]))
    old = os.umask(0o022)  # the usual umask, which gave these files 0644 before
    try:
        af.start()
        env = af.env()
    finally:
        os.umask(old)
        af.stop()
    assert ["db", "migrate"] in started and "api-server" in started  # stubbed: nothing ran
    password_file = Path(env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"])
    for path in (af.home / ".jwt_secret", af.home / ".callback_password", af.home / ".fernet_key", password_file):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, path
    assert env["AIRFLOW__API_AUTH__JWT_SECRET"] == (af.home / ".jwt_secret").read_text()
    assert env["AIRFLOW__CORE__FERNET_KEY"] == (af.home / ".fernet_key").read_text()
    assert (
        json.loads(env["AIRFLOW_CONN_BANDWIDTH_CALLBACK"])["password"] == (af.home / ".callback_password").read_text()
    )
    assert json.loads(password_file.read_text()) == {af.username: af.password}


def test_files_of_an_older_home_with_mode_0644_are_tightened(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    for name in (".jwt_secret", ".callback_password", ".fernet_key", "simple_auth_manager_passwords.json"):
        (home / name).write_text("kept-from-before")
        os.chmod(home / name, 0o644)
    af = launcher.LocalAirflow(home, port=18080, sandbox_port=18089)
    env = af.env()
    af.write_password_file()  # what start() does first
    assert env["AIRFLOW__API_AUTH__JWT_SECRET"] == "kept-from-before"  # the same secret across restarts
    assert env["AIRFLOW__CORE__FERNET_KEY"] == "kept-from-before"
    for name in (".jwt_secret", ".callback_password", ".fernet_key", "simple_auth_manager_passwords.json"):
        assert stat.S_IMODE(os.stat(home / name).st_mode) == 0o600, name


class _SlowFirstAnswers(BaseHTTPRequestHandler):
    """Answers each path's first ``stall`` requests after 2 s (past the client's timeout), the next ones at once."""

    seen: dict[str, int] = {}
    stall = 1

    def _answer(self) -> None:
        count = self.seen[self.path] = self.seen.get(self.path, 0) + 1
        if count <= self.stall:
            time.sleep(2)
        body = json.dumps({"path": self.path, "count": count}).encode()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up on this one

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def slow_api(tmp_path):
    _SlowFirstAnswers.seen = {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SlowFirstAnswers)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    af = launcher.LocalAirflow(tmp_path, port=server.server_address[1], sandbox_port=0)
    af._token = "test-token"  # no /auth/token here
    af.read_timeout = 0.5
    yield af
    server.shutdown()
    server.server_close()


def test_a_read_the_api_server_is_too_slow_to_answer_is_asked_again(slow_api, capsys):
    answer = slow_api.api("GET", "/api/v2/dags").json()
    assert answer["path"] == "/api/v2/dags" and answer["count"] >= 2  # the first try went unanswered
    out, err = capsys.readouterr()
    assert out == "" and "api-server slow on GET /api/v2/dags (try 1 of" in err  # the bench's stdout is its JSON


def test_a_write_is_sent_once_however_slow_the_answer(slow_api):
    with pytest.raises(launcher.ApiServerUnanswered, match=r"no answer to POST /api/v2/dags/x/dagRuns, asked 1 time"):
        slow_api.api("POST", "/api/v2/dags/x/dagRuns", json={})
    time.sleep(1.5)  # a second try would have come 1 s after the first one's timeout
    assert _SlowFirstAnswers.seen == {"/api/v2/dags/x/dagRuns": 1}


def test_a_read_that_never_answers_fails_with_the_api_servers_log(slow_api, monkeypatch):
    monkeypatch.setattr(_SlowFirstAnswers, "stall", launcher.READ_ATTEMPTS)
    slow_api.log_dir.mkdir(parents=True)
    (slow_api.log_dir / "api-server.log").write_text("INFO uvicorn: worker busy\n")
    with pytest.raises(
        launcher.requests.RequestException,  # what a caller of requests already handles
        match=rf"no answer to GET /api/v2/dags, asked {launcher.READ_ATTEMPTS} time(.|\n)*worker busy",
    ):
        slow_api.api("GET", "/api/v2/dags")


def test_every_component_of_a_new_home_gets_the_same_fernet_key(tmp_path):
    """Not one generated by whichever component writes airflow.cfg first (each would make its own)."""
    from cryptography.fernet import Fernet

    env = launcher.LocalAirflow(tmp_path / "home", port=18080, sandbox_port=18089).env()
    again = launcher.LocalAirflow(tmp_path / "home", port=18081, sandbox_port=18090).env()  # a restart
    key = env["AIRFLOW__CORE__FERNET_KEY"]
    assert again["AIRFLOW__CORE__FERNET_KEY"] == key
    assert Fernet(key).decrypt(Fernet(key).encrypt(b"kwargs")) == b"kwargs"  # a usable key
    assert launcher.LocalAirflow(tmp_path / "other", port=18082).env()["AIRFLOW__CORE__FERNET_KEY"] != key
    # an airflow command run on the home without our environment reads the same key
    config = tmp_path / "home" / "airflow.cfg"
    assert f"fernet_key = {key}" in config.read_text() and stat.S_IMODE(os.stat(config).st_mode) == 0o600


def test_a_home_from_before_keeps_the_fernet_key_of_its_airflow_cfg(tmp_path):
    """What an older home encrypted with the key Airflow generated into its airflow.cfg stays readable."""
    from cryptography.fernet import Fernet

    home = tmp_path / "home"
    home.mkdir()
    key = Fernet.generate_key().decode()
    (home / "airflow.cfg").write_text(f"[core]\nfernet_key = {key}\ndags_folder = /x\n")
    assert launcher.LocalAirflow(home, port=18080, sandbox_port=18089).env()["AIRFLOW__CORE__FERNET_KEY"] == key
