"""
The compose file and the image, checked without a Docker engine: statically with PyYAML, and with the real
``docker-compose config`` (Debian's docker-compose 1.29, installed by the ``docker_compose`` fixture when
missing; ``config`` needs no engine).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import pytest
import yaml

from tests.deployment.helpers import ROOT

COMPOSE = ROOT / "docker-compose.yaml"
AIRFLOW_SERVICES = {
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
    "airflow-worker",
    "airflow-init",
}
CONNECTIONS = ("AIRFLOW_CONN_BANDWIDTH_DEFAULT", "AIRFLOW_CONN_BANDWIDTH_CALLBACK")
#: The only passwords a default may hold: the sandbox's published fake ones and obvious placeholders.
PLACEHOLDER_SECRETS = {"sandbox-client-secret", "sandbox-password", "change-me", "airflow"}
#: Folders the containers create at run time (gitignored), so not in the repo.
RUNTIME_FOLDERS = {"logs"}
VARIABLE = re.compile(r"\$\{(\w+)(?::?-([^}]*))?\}")


def with_defaults(text: str) -> str:
    """Interpolate ``${VAR:-default}`` as compose does with no such variable set."""
    return VARIABLE.sub(lambda m: m.group(2) or "", text)


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


@pytest.fixture(scope="module")
def common(compose) -> dict:
    return compose["x-airflow-common"]


def test_every_component_of_the_official_shape_is_a_service(compose):
    services = compose["services"]
    assert {"postgres", "redis", *AIRFLOW_SERVICES, "bandwidth-sandbox"} <= set(services)
    assert services["airflow-triggerer"]["command"] == "triggerer"
    assert services["airflow-worker"]["command"] == "celery worker"
    api = services["airflow-apiserver"]
    assert api["command"] == "api-server" and "8080:8080" in api["ports"]
    assert "http://localhost:8080/api/v2/version" in api["healthcheck"]["test"]
    assert "http://localhost:8974/health" in services["airflow-scheduler"]["healthcheck"]["test"]
    for name in AIRFLOW_SERVICES - {"airflow-init"}:
        assert services[name]["depends_on"]["airflow-init"]["condition"] == "service_completed_successfully"
        assert {"postgres", "redis"} <= set(services[name]["depends_on"])


def test_common_settings_use_celery_postgres_redis_and_our_image(common):
    env = common["environment"]
    assert common["build"] == "."
    assert common["user"] == "${AIRFLOW_UID:-50000}:0"
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg2://")
    assert env["AIRFLOW__CELERY__RESULT_BACKEND"].startswith("db+postgresql://")
    broker = env["AIRFLOW__CELERY__BROKER_URL"]
    assert broker.startswith("redis://") and "@redis:6379" in broker
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://airflow-apiserver:8080/execution/"


def test_every_airflow_service_gets_the_common_env_volumes_and_image(compose, common):
    for name in AIRFLOW_SERVICES | {"airflow-cli"}:
        service = compose["services"][name]
        env = service["environment"]
        # Only the entrypoint's own switches (leading underscore) may differ; services may add variables.
        differing = {k for k, v in common["environment"].items() if env.get(k) != v and not k.startswith("_")}
        assert not differing, (name, differing)
        assert service["volumes"] == common["volumes"], name
        assert service["image"] == common["image"] and service["build"] == ".", name
        assert service["user"] == ("0:0" if name == "airflow-init" else common["user"]), name


def test_mounted_folders_exist_in_the_repo(common):
    targets = {}
    for volume in common["volumes"]:
        source, target = volume.rsplit(":", 1)
        assert source.startswith("${AIRFLOW_PROJ_DIR:-.}/"), volume
        targets[target] = source.split("/", 1)[1]
    assert set(targets) == {f"/opt/airflow/{d}" for d in ("dags", "logs", "config", "plugins", "include")}
    for folder in targets.values():
        assert folder in RUNTIME_FOLDERS or (ROOT / folder).is_dir(), folder
    # What the DAG and the plugin need is in the mounted folders.
    assert (ROOT / "dags" / "hosted_messaging_import.py").is_file()
    assert (ROOT / "plugins" / "hosted_messaging_plugin.py").is_file()
    assert (ROOT / "include" / "loa" / "sample-loa.pdf").is_file()


def test_connections_come_from_variables_with_placeholder_defaults(compose, common):
    env = common["environment"]
    for name in CONNECTIONS:
        raw = env[name]
        conn = json.loads(with_defaults(raw))
        assert conn["login"] and conn["password"], name
        # Every credential is a variable, and its default is no real secret.
        assert re.search(r'"password": "\$\{\w+:-[^}]*\}"', raw), name
        assert conn["password"] in PLACEHOLDER_SECRETS, (name, conn["password"])
    default = json.loads(with_defaults(env["AIRFLOW_CONN_BANDWIDTH_DEFAULT"]))
    assert default["conn_type"] == "bandwidth"
    assert default["host"] == "http://bandwidth-sandbox:8089/api"
    assert default["extra"] == {
        "account_id": "9900000",
        "auth_type": "oauth2",
        "token_url": "http://bandwidth-sandbox:8089/api/v1/oauth2/token",
    }
    callback = json.loads(with_defaults(env["AIRFLOW_CONN_BANDWIDTH_CALLBACK"]))
    assert callback["host"] == "http://airflow-apiserver:8080/bandwidth/callbacks"
    # Nothing in the file looks like a real key or token (long mixed letters and digits).
    for token in re.findall(r"[A-Za-z0-9+/=_-]{24,}", COMPOSE.read_text()):
        assert not (re.search(r"\d", token) and re.search(r"[a-z]", token) and re.search(r"[A-Z]", token)), token


def test_sandbox_service_runs_only_in_the_sandbox_profile(compose):
    services = compose["services"]
    sandbox = services["bandwidth-sandbox"]
    assert sandbox["profiles"] == ["sandbox"]
    assert sandbox["command"] == ["python", "-m", "bandwidth_sandbox", "--host", "0.0.0.0", "--port", "8089"]
    assert sandbox["image"] == compose["x-airflow-common"]["image"]
    for name, service in services.items():
        if name != "bandwidth-sandbox":
            assert "sandbox" not in service.get("profiles", []), name
            assert "bandwidth-sandbox" not in service.get("depends_on", {}), name


def test_dockerfile_builds_on_airflow_3_3_2_with_our_constraints():
    lines = [line.strip() for line in (ROOT / "Dockerfile").read_text().splitlines()]
    instructions = [line for line in lines if line and not line.startswith("#")]
    froms = [line for line in instructions if line.upper().startswith("FROM ")]
    assert len(froms) == 1 and re.fullmatch(r"FROM apache/airflow:3\.3\.2(-python3\.\d+)?", froms[0]), froms
    text = "\n".join(instructions)
    assert re.search(r"pip install [^\n]*-r \S*requirements\.txt -c \S*constraints\.txt", text), text
    # Our package too (its entry point registers the connection type).
    assert re.search(r"pip install [^\n]*--no-deps \S+", text), text
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert ".venv" in ignored and ".git" in ignored


# -- the real tool -----------------------------------------------------------------------------------
def _apt_install(package: str) -> None:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", package]
    if subprocess.run(install, env=env, capture_output=True, timeout=600).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True, timeout=600)
        result = subprocess.run(install, env=env, capture_output=True, text=True, timeout=600)
        if result.returncode != 0:
            pytest.fail(f"could not install {package} with apt-get:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")


@pytest.fixture(scope="module")
def docker_compose() -> str:
    """The ``docker-compose`` command; installed from Debian (about 10 s, no engine needed) when missing."""
    if shutil.which("docker-compose") is None:
        _apt_install("docker-compose")
    path = shutil.which("docker-compose")
    assert path, "docker-compose is still missing after apt-get install"
    return path


def _compose_config(docker_compose: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("BANDWIDTH_", "AIRFLOW", "_AIRFLOW", "COMPOSE_"))}
    return subprocess.run(
        [docker_compose, "-f", str(COMPOSE), *args],
        cwd=ROOT,
        env={**clean, "AIRFLOW_UID": "50000", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("profile", [[], ["--profile", "sandbox"]], ids=["default", "sandbox-profile"])
def test_docker_compose_config_accepts_the_file(docker_compose, profile):
    result = _compose_config(docker_compose, *profile, "config", "-q")
    assert result.returncode == 0, result.stderr


def test_docker_compose_renders_valid_connection_json(docker_compose):
    result = _compose_config(docker_compose, "config", BANDWIDTH_CLIENT_SECRET="from-the-env-file")
    assert result.returncode == 0, result.stderr
    rendered = yaml.safe_load(result.stdout)["services"]
    for name in AIRFLOW_SERVICES:
        env = rendered[name]["environment"]
        default, callback = (json.loads(env[c]) for c in CONNECTIONS)
        assert default["password"] == "from-the-env-file" and default["login"] == "sandbox-client-id"
        assert callback["host"] == "http://airflow-apiserver:8080/bandwidth/callbacks"
    volumes = rendered["airflow-worker"]["volumes"]
    assert any(
        str(v).startswith(f"{ROOT}/include:/opt/airflow/include")
        or (isinstance(v, dict) and v.get("target") == "/opt/airflow/include")
        for v in volumes
    ), volumes
