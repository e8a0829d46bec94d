"""Fixtures for the Bandwidth sandbox tests: a running sandbox, an HTTP client, a callback receiver."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
INCLUDE = Path(__file__).resolve().parents[3] / "include"
for p in (str(INCLUDE), str(HERE)):
    if p not in sys.path:
        sys.path.insert(0, p)

from sandbox_helpers import Api, Receiver  # noqa: E402

from bandwidth_sandbox import Sandbox, SandboxConfig  # noqa: E402


@pytest.fixture
def config() -> SandboxConfig:
    return SandboxConfig(order_seconds=0.3, tick_seconds=0.02)


@pytest.fixture
def sandbox(config: SandboxConfig):
    with Sandbox(config, host="127.0.0.1", port=0) as sb:
        yield sb


@pytest.fixture
def api(sandbox: Sandbox):
    client = Api(sandbox)
    yield client
    client.session.close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()
