"""What the status page's API tests share: the mount point, a user's token, a GET that must answer 200."""

from __future__ import annotations

PREFIX = "/bandwidth-status"


def token(auth_manager, role: str | None = "viewer", **kwargs) -> str:
    """A JWT of the simple auth manager for a user of ``role`` (``viewer`` reads, ``user`` may trigger)."""
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser

    return auth_manager.generate_jwt(SimpleAuthManagerUser(username=f"{role}-user", role=role), **kwargs)


def bearer(auth_manager, role: str | None = "viewer") -> dict[str, str]:
    return {"Authorization": f"Bearer {token(auth_manager, role)}"}


def get(client, headers, path, **params):
    resp = client.get(f"{PREFIX}{path}", headers=headers, params=params)
    assert resp.status_code == 200, resp.text
    return resp.json()
