"""``python -m bandwidth_sandbox`` runs in the foreground, logs requests and stops on SIGTERM/SIGINT."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

INCLUDE = Path(__file__).resolve().parents[3] / "include"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_cli_runs_and_stops(sig):
    port = _free_port()
    env = dict(os.environ, PYTHONPATH=str(INCLUDE), BW_SANDBOX_ACCOUNT_ID="9900000")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bandwidth_sandbox",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--order-seconds",
            "0.2",
            "--faults",
            '[{"kind": "429", "count": 1, "path": "sippeers"}]',
        ],
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/api/accounts/9900000/sites"
        deadline = time.monotonic() + 10
        while True:
            try:
                r = requests.get(url, auth=("sandbox-user", "sandbox-password"), timeout=2)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline
                time.sleep(0.05)
        assert r.status_code == 200
        assert (
            requests.get(url + "/14413/sippeers", auth=("sandbox-user", "sandbox-password"), timeout=2).status_code
            == 429
        )
        proc.send_signal(sig)
        assert proc.wait(timeout=10) == 0
        err = proc.stderr.read()
        assert "GET /api/accounts/9900000/sites -> 200 [sites.list]" in err
        assert "fault=429" in err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
