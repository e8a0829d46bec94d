"""Route table: case-insensitive path segments under ``/api|/v1.0/accounts/{accountId}/`` (v1) and
``/api/v2/accounts/{accountId}/`` (v2)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .http_types import Response

Handler = Callable[..., Response]

API_PREFIXES = ("api", "v1.0")
V2_PREFIX = ("api", "v2")
TOKEN_PATH = ("api", "v1", "oauth2", "token")


@dataclass
class Route:
    method: str
    pattern: tuple[str, ...]
    name: str
    handler: Handler


class Router:
    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, method: str, pattern: str, name: str, handler: Handler) -> None:
        parts = tuple(p for p in pattern.strip("/").split("/") if p)
        self.routes.append(Route(method.upper(), parts, name, handler))

    def match(self, method: str, segments: list[str]) -> tuple[Route | None, dict[str, str], bool]:
        """-> (route, path params, path_known). ``path_known`` with no route means 405."""
        path_known = False
        for route in self.routes:
            params = _match(route.pattern, segments)
            if params is None:
                continue
            path_known = True
            if route.method == method.upper():
                return route, params, True
        return None, {}, path_known


def _match(pattern: tuple[str, ...], segments: list[str]) -> dict[str, str] | None:
    if len(pattern) != len(segments):
        return None
    params: dict[str, str] = {}
    for pat, seg in zip(pattern, segments, strict=True):
        if pat.startswith("{") and pat.endswith("}"):
            if not seg:
                return None
            params[pat[1:-1]] = seg
        elif pat.lower() != seg.lower():
            return None
    return params


def split_path(path: str) -> list[str]:
    return [s for s in path.split("/") if s]


def account_path(segments: list[str]) -> tuple[str, str, list[str]] | None:
    """``/api/accounts/{id}/rest`` -> ("/api", id, rest segments)."""
    if len(segments) >= 3 and segments[0].lower() in API_PREFIXES and segments[1].lower() == "accounts":
        return "/" + segments[0], segments[2], segments[3:]
    return None


def v2_account_path(segments: list[str]) -> tuple[str, str, list[str]] | None:
    """``/api/v2/accounts/{id}/rest`` -> ("/api/v2", id, rest segments)."""
    if len(segments) >= 4 and tuple(s.lower() for s in segments[:2]) == V2_PREFIX and segments[2].lower() == "accounts":
        return "/" + "/".join(segments[:2]), segments[3], segments[4:]
    return None


def path_version(segments: list[str]) -> int | None:
    """2 under ``/api/v2``, 1 under the v1 prefixes, None elsewhere (token, admin, unknown roots)."""
    lowered = [s.lower() for s in segments]
    if tuple(lowered[:2]) == V2_PREFIX:
        return 2
    if is_token_path(segments) or is_admin_path(segments):
        return None
    if lowered and lowered[0] in API_PREFIXES:
        return 1
    return None


def is_token_path(segments: list[str]) -> bool:
    return tuple(s.lower() for s in segments) == TOKEN_PATH


def is_admin_path(segments: list[str]) -> bool:
    return bool(segments) and segments[0].lower() == "_sandbox"
