"""
The architecture, checked from the source: every import points down the layers (dags → flows → operators/sensors
→ triggers → hooks → client), the client imports no Airflow, the product never imports the sandbox, and the
provider distribution ships the package without the sandbox.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "plugins" / "bandwidth_hosted_messaging"
NAME = "bandwidth_hosted_messaging"

#: Each part of the package and the lowest layer it may not import from (higher number = higher layer).
LAYERS = {
    "constants": 0,
    "statuses": 0,
    "contracts": 0,
    "client": 1,
    "hooks": 2,
    "assets": 2,
    "config": 2,
    "inputs": 3,
    "reporting": 3,
    "triggers": 4,
    "inventory": 4,
    "sensors": 5,
    "operators": 5,
    "notifiers": 5,
    "flows": 6,
    "callbacks": 6,
    "status": 6,
}


def imports_of(path: Path) -> list[str]:
    """Every module ``path`` imports, at any depth (imports inside functions count too)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
    return found


def part_of(module_path: Path) -> str:
    relative = module_path.relative_to(PACKAGE)
    return relative.parts[0].removesuffix(".py")


def product_files() -> list[Path]:
    return [p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py" or p.parent != PACKAGE]


def test_the_client_imports_no_airflow():
    offenders = [
        f"{path.relative_to(ROOT)}: {module}"
        for path in (PACKAGE / "client").rglob("*.py")
        for module in imports_of(path)
        if module == "airflow" or module.startswith("airflow.")
    ]
    assert offenders == []


def test_every_import_points_down_the_layers():
    offenders = []
    for path in product_files():
        own = part_of(path)
        for module in imports_of(path):
            if not module.startswith(NAME + "."):
                continue
            target = module.split(".")[1]
            assert target in LAYERS, f"{module} (imported by {path}) is in no layer"
            if LAYERS[target] > LAYERS[own] or (LAYERS[target] == LAYERS[own] and target != own):
                offenders.append(f"{path.relative_to(ROOT)} ({own}) imports {module} ({target})")
    assert offenders == []


def test_every_part_of_the_package_has_a_layer():
    parts = {p.name.removesuffix(".py") for p in PACKAGE.iterdir() if p.suffix == ".py" or (p / "__init__.py").exists()}
    assert parts - {"__init__"} == set(LAYERS)


def test_dag_files_use_only_the_flows_and_the_base_modules():
    allowed = {"flows", "constants", "assets", "inputs"}
    offenders = [
        f"{path.name}: {module}"
        for path in (ROOT / "dags").glob("*.py")
        for module in imports_of(path)
        if module.startswith(NAME + ".") and module.split(".")[1] not in allowed
    ]
    assert offenders == []


def test_the_product_never_imports_the_sandbox():
    files = [*product_files(), *(ROOT / "dags").glob("*.py"), ROOT / "plugins" / "hosted_messaging_plugin.py"]
    offenders = [
        f"{p.relative_to(ROOT)}" for p in files for m in imports_of(p) if m.split(".")[0] == "bandwidth_sandbox"
    ]
    assert offenders == []


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (path,) = out.glob("*.whl")
    return zipfile.ZipFile(path)


def test_the_distribution_ships_the_package_and_its_page_but_not_the_sandbox(wheel):
    names = wheel.namelist()
    tops = {n.split("/")[0] for n in names}
    assert Path(wheel.filename).name.startswith("airflow_provider_bandwidth_hosted_messaging-")
    assert NAME in tops and not any(t.startswith("bandwidth_sandbox") for t in tops)
    assert f"{NAME}/status/page/index.html" in names
    # the inventory's Alembic environment and revisions (versions/ is no package: shipped as package data)
    assert f"{NAME}/inventory/migrations/env.py" in names
    assert f"{NAME}/inventory/migrations/versions/0001_initial.py" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert f"provider_info = {NAME}:get_provider_info" in wheel.read(entry_points).decode()


def test_the_cli_definitions_import_neither_sqlalchemy_nor_alembic():
    """Airflow imports the provider's CLI module on every ``airflow`` command: the handlers load the rest."""
    probe = (
        "import sys; from bandwidth_hosted_messaging.inventory.cli import get_cli_commands; get_cli_commands(); "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'alembic', 'psycopg2'}), "
        "'bandwidth_hosted_messaging.inventory.inventory' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.split() == ["[]", "False"]
