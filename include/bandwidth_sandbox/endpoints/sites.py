"""Sites and SIP peers (read-only, from the config's ``sites``)."""

from __future__ import annotations

from typing import Any

from ..errors import ApiError
from ..http_types import Request, Response
from ..routing import Router


def find_site(ctx: Any, site_id: str | None) -> dict[str, Any] | None:
    for site in ctx.state.cfg.sites:
        if str(site.get("id")) == str(site_id):
            return site
    return None


def default_peer(site: dict[str, Any]) -> dict[str, Any] | None:
    for peer in site.get("sip_peers", []):
        if peer.get("default"):
            return peer
    return None


def _site_node(site: dict[str, Any]) -> tuple:
    return ("Site", [("Id", site["id"]), ("Name", site.get("name", "")), ("Description", site.get("description", ""))])


def list_sites(ctx: Any, req: Request) -> Response:
    sites = [_site_node(s) for s in ctx.state.cfg.sites]
    return Response.xml(("SitesResponse", [("Sites", sites)]))


def _site_or_404(ctx: Any, site_id: str) -> dict[str, Any]:
    site = find_site(ctx, site_id)
    if site is None:
        raise ApiError(404, "SiteResponse", 12016, f"Site '{site_id}' does not exist")
    return site


def get_site(ctx: Any, req: Request, siteId: str) -> Response:
    return Response.xml(("SiteResponse", [_site_node(_site_or_404(ctx, siteId))]))


def list_peers(ctx: Any, req: Request, siteId: str) -> Response:
    site = _site_or_404(ctx, siteId)
    peers = [
        ("SipPeer", [("PeerId", p["id"]), ("PeerName", p.get("name", "")), ("IsDefaultPeer", bool(p.get("default")))])
        for p in site.get("sip_peers", [])
    ]
    return Response.xml(("TNSipPeersResponse", [("SipPeers", peers)]))


def register(router: Router) -> None:
    router.add("GET", "sites", "sites.list", list_sites)
    router.add("GET", "sites/{siteId}", "sites.get", get_site)
    router.add("GET", "sites/{siteId}/sippeers", "sippeers.list", list_peers)
