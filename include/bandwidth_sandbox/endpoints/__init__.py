"""Endpoint handlers, one module per Bandwidth resource; ``register`` fills a Router."""

from __future__ import annotations

from ..routing import Router
from . import checker, import_orders, inservice, loas, remove_orders, sites, subscriptions


def register(router: Router) -> None:
    for module in (sites, subscriptions, checker, import_orders, loas, inservice, remove_orders):
        module.register(router)
