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
import stat
import subprocess

import pytest
import yaml

from tests.deployment.helpers import ROOT, load_launcher

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
#: The only password a default may hold: the sandbox's published demo client secret (not a real system's).
SANDBOX_DEFAULTS = {"BANDWIDTH_CLIENT_SECRET": "sandbox-client-secret"}
#: Secrets compose must be given (``${VAR:?message}``): the file ships none.
REQUIRED = (
    "_AIRFLOW_WWW_USER_PASSWORD",
    "POSTGRES_USER",
    "POSTGRES_PASSWORD",
    "REDIS_PASSWORD",
    "BANDWIDTH_CALLBACK_PASSWORD",
)
#: Values for them in the runs of the real tool.
REQUIRED_ENV = {name: f"test-{name.strip('_').lower().replace('_', '-')}" for name in REQUIRED}
#: Passwords the file used to ship (and any empty Fernet key): none may be a default or a literal again.
SHIPPED_DEFAULTS = {"airflow", "change-me", "admin", "password", ""}
#: Folders the containers create at run time (gitignored), so not in the repo.
RUNTIME_FOLDERS = {"logs"}
#: Named volumes (not folders of the project).
NAMED_VOLUMES = {"airflow-secrets": "/opt/airflow/secrets"}
VARIABLE = re.compile(r"(?<!\$)\$\{(\w+)(?:(:?[-?])([^}]*))?\}")
#: A key whose value is a secret (a password, a key, a token).
SECRET_KEY = re.compile(r"PASSWORD|SECRET|FERNET_KEY$|TOKEN$|REDISCLI_AUTH", re.IGNORECASE)
#: A required reference and nothing else: ``${VAR:?message}``.
REQUIRED_REF = re.compile(r"\$\{(\w+):\?[^}]+\}")


def with_defaults(text: str) -> str:
    """Interpolate ``${VAR:-default}`` as compose does with no such variable set (required ones: a marker)."""
    return VARIABLE.sub(lambda m: f"<required {m.group(1)}>" if m.group(2) == ":?" else m.group(3) or "", text)


def strings(value) -> list[str]:
    """Every string in an environment, command or health check (mappings give their values)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return [] if value is None else [str(value)]


def environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {k: "" if v is None else str(v) for k, v in env.items()}


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
        if source in NAMED_VOLUMES:
            assert NAMED_VOLUMES[source] == target, volume
            continue
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
        conn = json.loads(with_defaults(env[name]))
        assert conn["login"] and conn["password"], name
    # The sandbox's demo client secret may be a default; the callback password is required.
    assert re.search(r'"password": "\$\{BANDWIDTH_CLIENT_SECRET:-sandbox-client-secret\}"', env[CONNECTIONS[0]])
    assert re.search(r'"password": "\$\{BANDWIDTH_CALLBACK_PASSWORD:\?[^}]+\}"', env[CONNECTIONS[1]])
    default = json.loads(with_defaults(env["AIRFLOW_CONN_BANDWIDTH_DEFAULT"]))
    assert default["conn_type"] == "bandwidth"
    assert default["host"] == "http://bandwidth-sandbox:8089/api/v2"  # v2 by default
    assert default["extra"] == {
        "account_id": "9900000",
        "auth_type": "oauth2",
        "oauth_url": "http://bandwidth-sandbox:8089/api/v1/oauth2/token",
    }
    callback = json.loads(with_defaults(env["AIRFLOW_CONN_BANDWIDTH_CALLBACK"]))
    assert callback["host"] == "http://airflow-apiserver:8080/bandwidth/callbacks"
    # Nothing in the file looks like a real key or token (long mixed letters and digits).
    for token in re.findall(r"[A-Za-z0-9+/=_-]{24,}", COMPOSE.read_text()):
        assert not (re.search(r"\d", token) and re.search(r"[a-z]", token) and re.search(r"[A-Z]", token)), token


def test_no_service_environment_or_command_holds_a_default_password(compose):
    text = COMPOSE.read_text()
    # No default of a secret variable but the sandbox's demo client secret.
    for match in VARIABLE.finditer(text):
        name, kind, default = match.groups()
        if SECRET_KEY.search(name) and kind in ("-", ":-"):
            assert SANDBOX_DEFAULTS.get(name) == default, match.group(0)
    for service_name, service in compose["services"].items():
        env = environment(service)
        # A secret in the environment is a required variable (or read from a file: *_CMD), never a literal.
        for key, value in env.items():
            if SECRET_KEY.search(key) and not key.startswith("AIRFLOW_CONN_") and not key.endswith(("_FILE", "_CMD")):
                assert REQUIRED_REF.fullmatch(value), (service_name, key, value)
        assert "AIRFLOW__CORE__FERNET_KEY" not in env, service_name  # an empty or literal key
        assert "AIRFLOW__API_AUTH__JWT_SECRET" not in env, service_name
        values = [*env.values(), *strings(service.get("command")), *strings(service.get("healthcheck"))]
        for value in values:
            rendered = with_defaults(value)
            # Credentials in a URL (user:password@host) come from required variables.
            for user, password in re.findall(r"://([^:/@\s]*):([^@\s]*)@", value):
                assert REQUIRED_REF.fullmatch(password), (service_name, value)
                assert not user or REQUIRED_REF.fullmatch(user), (service_name, value)
            assert "change-me" not in rendered, (service_name, value)
            for word in re.findall(r"--requirepass\s+(\S+)", rendered):
                assert word.startswith("<required "), (service_name, value)
        for key in ("POSTGRES_PASSWORD", "_AIRFLOW_WWW_USER_PASSWORD", "REDIS_PASSWORD"):
            if key in env:
                assert with_defaults(env[key]) not in SHIPPED_DEFAULTS, (service_name, key)
    for name in CONNECTIONS:
        for service_name, service in compose["services"].items():
            if name in environment(service):
                conn = json.loads(with_defaults(environment(service)[name]))
                assert conn["password"] not in SHIPPED_DEFAULTS, (service_name, name)


def test_the_required_secrets_use_the_required_syntax_and_the_header_lists_them(compose):
    text = COMPOSE.read_text()
    body = text[text.index("\n---\n") :]
    for name in REQUIRED:
        uses = re.findall(r"(?<!\$)\$\{" + re.escape(name) + r"\b([^}]*)\}", body)
        assert uses, name
        assert all(use.startswith(":?") and len(use) > 2 for use in uses), (name, uses)  # with a message
    header = text[: text.index("\n---\n")]
    required = header[header.index("# Required:") : header.index("# Optional")]
    for name in REQUIRED:
        assert re.search(rf"^# {re.escape(name)}\s+- ", required, re.MULTILINE), name
    assert "change-me" not in header
    for line in header.splitlines():
        if any(re.match(rf"# {re.escape(name)}\s", line) for name in REQUIRED):
            assert "default" not in line, line


def test_redis_requires_a_password_and_the_broker_url_carries_it(compose, common):
    redis = compose["services"]["redis"]
    command = redis["command"]
    assert command[0] == "redis-server" and "--requirepass" in command
    password = command[command.index("--requirepass") + 1]
    assert REQUIRED_REF.fullmatch(password) and "REDIS_PASSWORD" in password
    broker = common["environment"]["AIRFLOW__CELERY__BROKER_URL"]
    assert re.fullmatch(r"redis://:\$\{REDIS_PASSWORD:\?[^}]+\}@redis:6379/0", broker), broker
    # Its health check authenticates (redis-cli reads REDISCLI_AUTH) and checks for PONG, not only an answer.
    assert REQUIRED_REF.fullmatch(redis["environment"]["REDISCLI_AUTH"])
    assert "PONG" in " ".join(redis["healthcheck"]["test"])


def test_postgres_credentials_come_from_required_variables(compose, common):
    env = compose["services"]["postgres"]["environment"]
    assert re.fullmatch(r"\$\{POSTGRES_USER:\?[^}]+\}", env["POSTGRES_USER"])
    assert re.fullmatch(r"\$\{POSTGRES_PASSWORD:\?[^}]+\}", env["POSTGRES_PASSWORD"])
    for key in ("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "AIRFLOW__CELERY__RESULT_BACKEND"):
        url = common["environment"][key]
        assert re.search(r"://\$\{POSTGRES_USER:\?[^}]+\}:\$\{POSTGRES_PASSWORD:\?[^}]+\}@postgres/airflow$", url), url


def test_the_fernet_key_and_jwt_secret_are_generated_by_airflow_init_into_a_volume(compose, common, tmp_path):
    env = common["environment"]
    assert env["AIRFLOW__CORE__FERNET_KEY_CMD"] == "cat /opt/airflow/secrets/fernet_key"
    assert env["AIRFLOW__API_AUTH__JWT_SECRET_CMD"] == "cat /opt/airflow/secrets/jwt_secret"
    assert "airflow-secrets:/opt/airflow/secrets" in common["volumes"]
    assert "airflow-secrets" in compose["volumes"]
    # Run the init's generating lines (against a folder here, without Docker): a valid Fernet key and a
    # secret, mode 0600, kept on the next run.
    script = compose["services"]["airflow-init"]["command"][-1]
    lines = script.splitlines()
    start = next(i for i, line in enumerate(lines) if "Generating the Fernet key" in line)
    end = next(i for i, line in enumerate(lines) if line.startswith("chmod 600 /opt/airflow/secrets/"))
    snippet = "\n".join(lines[start : end + 1]).replace("/opt/airflow", str(tmp_path)).replace("$$", "$")
    (tmp_path / "secrets").mkdir()
    for _ in range(2):
        subprocess.run(["bash", "-euo", "pipefail", "-c", snippet], check=True, capture_output=True, timeout=30)
        if _ == 0:
            first = {name: (tmp_path / "secrets" / name).read_text() for name in ("fernet_key", "jwt_secret")}
    from cryptography.fernet import Fernet

    key = (tmp_path / "secrets" / "fernet_key").read_text()
    assert Fernet(key.encode()).decrypt(Fernet(key.encode()).encrypt(b"x")) == b"x"
    assert len((tmp_path / "secrets" / "jwt_secret").read_text()) >= 48
    for name, content in first.items():
        path = tmp_path / "secrets" / name
        assert path.read_text() == content, name  # not regenerated
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, name
    assert stat.S_IMODE((tmp_path / "secrets").stat().st_mode) == 0o700


def test_the_sandbox_admin_api_is_published_on_loopback_only(compose):
    ports = compose["services"]["bandwidth-sandbox"].get("ports", [])
    for port in ports:
        assert str(port).startswith("127.0.0.1:"), port
    assert ports == ["127.0.0.1:8089:8089"]


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
    # Another apt-get (the machine's own, at boot) may hold dpkg's lock: wait for it instead of failing.
    lock_wait = ["-o", "DPkg::Lock::Timeout=300"]
    install = ["apt-get", *lock_wait, "install", "-y", "-q", "--no-install-recommends", package]
    if subprocess.run(install, env=env, capture_output=True, timeout=600).returncode != 0:
        subprocess.run(["apt-get", *lock_wait, "update", "-q"], env=env, capture_output=True, timeout=600)
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


def _compose_config(
    docker_compose: str, *args: str, without: tuple[str, ...] = (), **env: str
) -> subprocess.CompletedProcess:
    """``docker-compose ARGS`` with the required secrets set (but those named in ``without``) and ``env``."""
    prefixes = ("BANDWIDTH_", "AIRFLOW", "_AIRFLOW", "COMPOSE_", "POSTGRES_", "REDIS_")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    required = {k: v for k, v in REQUIRED_ENV.items() if k not in without}
    return subprocess.run(
        [docker_compose, "-f", str(COMPOSE), *args],
        cwd=ROOT,
        env={**clean, "AIRFLOW_UID": "50000", **required, **env},
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


@pytest.mark.parametrize("missing", REQUIRED)
def test_docker_compose_refuses_to_start_without_each_required_secret(docker_compose, missing):
    result = _compose_config(docker_compose, "--profile", "sandbox", "config", "-q", without=(missing,))
    assert result.returncode != 0
    assert f"set {missing}" in result.stderr, result.stderr


def test_docker_compose_renders_the_secrets_into_the_urls_and_the_sandbox_on_loopback(docker_compose):
    result = _compose_config(docker_compose, "--profile", "sandbox", "config")
    assert result.returncode == 0, result.stderr
    rendered = yaml.safe_load(result.stdout)["services"]
    user, password, redis = (REQUIRED_ENV[k] for k in ("POSTGRES_USER", "POSTGRES_PASSWORD", "REDIS_PASSWORD"))
    for name in AIRFLOW_SERVICES:
        env = rendered[name]["environment"]
        assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == f"postgresql+psycopg2://{user}:{password}@postgres/airflow"
        assert env["AIRFLOW__CELERY__BROKER_URL"] == f"redis://:{redis}@redis:6379/0"
        callback = json.loads(env["AIRFLOW_CONN_BANDWIDTH_CALLBACK"])
        assert callback["password"] == REQUIRED_ENV["BANDWIDTH_CALLBACK_PASSWORD"]
    assert rendered["redis"]["command"] == ["redis-server", "--requirepass", redis]
    assert rendered["postgres"]["environment"]["POSTGRES_PASSWORD"] == password
    init_env = rendered["airflow-init"]["environment"]
    assert init_env["_AIRFLOW_WWW_USER_PASSWORD"] == REQUIRED_ENV["_AIRFLOW_WWW_USER_PASSWORD"]
    ports = rendered["bandwidth-sandbox"]["ports"]
    assert all(
        str(p).startswith("127.0.0.1:") or (isinstance(p, dict) and p.get("host_ip") == "127.0.0.1") for p in ports
    )


def test_the_inventory_has_a_database_of_its_own_which_airflow_init_creates(compose, common):
    url = common["environment"]["AIRFLOW_CONN_BANDWIDTH_INVENTORY"]
    assert re.fullmatch(
        r"postgresql://\$\{POSTGRES_USER:\?[^}]+\}:\$\{POSTGRES_PASSWORD:\?[^}]+\}@postgres/bandwidth_inventory", url
    ), url
    init = "\n".join(strings(compose["services"]["airflow-init"]["command"]))
    assert "airflow bandwidth inventory upgrade --create-database" in init


def test_the_latency_settings_are_those_of_make_airflow(common):
    """The compose deployment waits between tasks as little as the one the benchmark measures."""
    launcher = load_launcher()
    assert launcher.LATENCY_SETTINGS, "make airflow sets no latency setting"
    for key, value in launcher.LATENCY_SETTINGS.items():
        assert str(common["environment"].get(key)) == value, key
