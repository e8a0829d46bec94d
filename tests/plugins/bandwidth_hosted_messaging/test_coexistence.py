"""
Our package lives beside Bandwidth's own Python SDK: ``bandwidth-sdk`` installs the top-level package ``bandwidth``,
ours is ``bandwidth_hosted_messaging``. Both import in one interpreter and each works.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.metadata import distribution, version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

PROBE = """
import json, sys
import bandwidth
from bandwidth import ApiClient, Configuration, MessagesApi
import bandwidth_hosted_messaging
from bandwidth_hosted_messaging.hooks.bandwidth import BandwidthHook

sdk_client = MessagesApi(ApiClient(Configuration(username="u", password="p")))
sites = BandwidthHook("bandwidth_default").list_sites()
print(json.dumps({
    "sdk_file": bandwidth.__file__,
    "sdk_version": bandwidth.__version__,
    "ours_file": bandwidth_hosted_messaging.__file__,
    "sdk_api": type(sdk_client).__module__,
    "sites": [s.site_id for s in sites],
}))
"""


def test_bandwidths_sdk_is_installed_beside_us_and_owns_the_bandwidth_package():
    assert version("bandwidth-sdk") == "23.3.1"
    sdk_tops = {Path(str(f)).parts[0] for f in distribution("bandwidth-sdk").files or ()}
    ours = distribution("airflow-provider-bandwidth-hosted-messaging")
    assert "bandwidth" in sdk_tops
    assert json.loads(ours.read_text("direct_url.json") or "{}").get("dir_info", {}).get("editable") is True


def test_both_packages_import_in_one_interpreter_and_our_hook_calls_the_sandbox(bw):
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, env=os.environ.copy(), cwd=ROOT, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["sdk_file"].endswith(os.path.join("site-packages", "bandwidth", "__init__.py"))
    assert seen["sdk_version"] == "23.3.1"
    assert seen["ours_file"].endswith(os.path.join("plugins", "bandwidth_hosted_messaging", "__init__.py"))
    assert seen["sdk_api"] == "bandwidth.api.messages_api"
    assert "14413" in seen["sites"]  # the sandbox's seeded site
