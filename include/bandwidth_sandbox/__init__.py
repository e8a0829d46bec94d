"""A local sandbox of Bandwidth's Numbers API (hosted-messaging import flow): v1, and v2 beside it.

from bandwidth_sandbox import SandboxConfig, Sandbox
with Sandbox(SandboxConfig(order_seconds=0.3)) as sb:
    ...  # talk HTTP to sb.base_url
"""

from .config import SandboxConfig
from .sandbox import Sandbox

__all__ = ["Sandbox", "SandboxConfig"]
