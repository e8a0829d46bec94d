"""Endpoint handlers, one module per Bandwidth resource; ``register`` fills a Router."""

from __future__ import annotations

from ..routing import Route, Router
from ..v2 import v2_pattern
from . import checker, import_orders, inservice, loas, remove_orders, sites, subscriptions


def register(router: Router) -> None:
    for module in (sites, subscriptions, checker, import_orders, loas, inservice, remove_orders):
        module.register(router)


def register_v2(router: Router) -> None:
    """The same routes, names and handlers under v2 paths: import and remove orders (and LOAs) gain
    ``/messaging`` after their collection segment, everything else keeps its path. Handlers read
    ``req.version`` for what differs (E.164 numbers, filter names, defaults)."""
    v1 = Router()
    register(v1)
    for route in v1.routes:
        router.routes.append(Route(route.method, v2_pattern(route.pattern), route.name, route.handler))
