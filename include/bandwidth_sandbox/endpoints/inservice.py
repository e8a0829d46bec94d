"""inserviceNumbers: paginated list with Links, single number, totals."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import parse_qsl, urlencode

from ..clock import parse_date
from ..errors import ApiError
from ..http_types import Request, Response
from ..models import InServiceNumber
from ..routing import Router

ROOT = "TNs"
FILTERS = ("areacode", "npanxx", "lata", "state", "ratecenter", "startdate", "enddate")


def _bad(description: str) -> ApiError:
    return ApiError(404, ROOT, 1010, description)


def _int_param(req: Request, name: str, default: int) -> int:
    value = req.param(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise _bad(f"'{name}' must be an integer") from None


def _filters(req: Request) -> list[tuple[str, str]]:
    """Filter parameters in the order the client sent them, with their original spelling."""
    return [(k, v) for k, v in parse_qsl(req.query, keep_blank_values=True) if k.lower() in FILTERS and v != ""]


def _predicate(req: Request) -> Any:
    f = {k.lower(): v for k, v in _filters(req)}
    if "areacode" in f and not (f["areacode"].isdigit() and len(f["areacode"]) == 3):
        raise _bad("areacode must be three digits")
    if "npanxx" in f and not (f["npanxx"].isdigit() and len(f["npanxx"]) == 6):
        raise _bad("npanxx must be six digits")
    if "ratecenter" in f and "state" not in f:
        raise _bad("ratecenter requires state")
    try:
        start = parse_date(f["startdate"]) if "startdate" in f else None
        end = parse_date(f["enddate"], end_of_day=True) if "enddate" in f else None
    except ValueError:
        raise _bad("startdate and enddate must be dates (yyyy-MM-dd)") from None

    def keep(rec: InServiceNumber) -> bool:
        if "areacode" in f and rec.tn[:3] != f["areacode"]:
            return False
        if "npanxx" in f and rec.tn[:6] != f["npanxx"]:
            return False
        if "state" in f and (rec.state or "").upper() != f["state"].upper():
            return False
        if "lata" in f and (rec.lata or "") != f["lata"]:
            return False
        if "ratecenter" in f and (rec.rate_center or "").upper() != f["ratecenter"].upper():
            return False
        if start is not None and rec.since < start:
            return False
        if end is not None and rec.since > end:  # noqa: SIM103 - one filter per line, as above
            return False
        return True

    return keep


def _link(ctx: Any, req: Request, page: int, size: int, rel: str) -> str:
    base = ctx.state.cfg.link_base or f"{req.root_url}{req.prefix}"
    query = urlencode([("page", page), ("size", size)] + _filters(req))
    return f'Link=<{base.rstrip("/")}/accounts/{req.account_id}/inserviceNumbers?{query}>;rel="{rel}";'


def list_numbers(ctx: Any, req: Request) -> Response:
    cfg = ctx.state.cfg
    page = _int_param(req, "page", 1)
    size = _int_param(req, "size", int(cfg.inservice_page_size))
    if page < 1:
        raise _bad("page must be 1 or more")
    if size < 1 or size > int(cfg.inservice_max_page_size):
        raise _bad(f"size must be between 1 and {cfg.inservice_max_page_size}")
    keep = _predicate(req)
    numbers = [r.tn for r in ctx.state.visible_in_service() if keep(r)]
    total = len(numbers)
    last = max(1, math.ceil(total / size))
    if total == 0 or page > last:
        return Response.empty(204)
    chunk = numbers[(page - 1) * size : page * size]
    links: list[Any] = [("first", _link(ctx, req, 1, size, "first"))]
    if page > 1:
        links.append(("previous", _link(ctx, req, page - 1, size, "previous")))
    if page < last:
        links.append(("next", _link(ctx, req, page + 1, size, "next")))
    links.append(("last", _link(ctx, req, last, size, "last")))
    node = (
        ROOT,
        [
            ("TotalCount", total),
            ("Links", links),
            ("TelephoneNumbers", [("Count", len(chunk))] + [("TelephoneNumber", tn) for tn in chunk]),
        ],
    )
    return Response.xml(node)


def get_number(ctx: Any, req: Request, tn: str) -> Response:
    return Response.empty(200 if ctx.state.is_visible_in_service(tn) else 404)


def totals(ctx: Any, req: Request) -> Response:
    return Response.xml(("Quantity", [("Count", len(ctx.state.visible_in_service()))]))


def register(router: Router) -> None:
    router.add("GET", "inserviceNumbers", "inserviceNumbers.list", list_numbers)
    router.add("GET", "inserviceNumbers/totals", "inserviceNumbers.totals", totals)
    router.add("GET", "inserviceNumbers/{tn}", "inserviceNumbers.get", get_number)
