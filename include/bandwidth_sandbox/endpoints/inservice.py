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
from ..v2 import V2, number_in, number_out, version_of

ROOT = "TNs"
FILTERS = ("areacode", "npanxx", "lata", "state", "ratecenter", "startdate", "enddate")
#: v2's renamed and new filters, matched by exact name (``areacode``/``npanxx``, the v1 spellings, are
#: unknown parameters on v2 and ignored), each with the internal key its check and predicate use.
V2_EXACT = {"areaCode": "areacode", "npaNxx": "npanxx", "npaNxxx": "npanxxx", "countryCodeA3": "countrycodea3"}
#: Filters v2 did not rename, matched in any case as on v1.
V2_LOOSE = ("lata", "state", "ratecenter", "startdate", "enddate")


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


def _filter_key(req: Request, name: str) -> str | None:
    """The internal key of a query parameter that is a filter of the request's API version, else None."""
    if version_of(req) == V2:
        if name in V2_EXACT:
            return V2_EXACT[name]
        return name.lower() if name.lower() in V2_LOOSE else None
    return name.lower() if name.lower() in FILTERS else None


def _filters(req: Request) -> list[tuple[str, str]]:
    """Filter parameters in the order the client sent them, with their original spelling."""
    return [
        (k, v) for k, v in parse_qsl(req.query, keep_blank_values=True) if _filter_key(req, k) is not None and v != ""
    ]


def _predicate(req: Request) -> Any:
    """The test of one record against the request's filters (checked here: 400 for a bad one); ``None``: no filter."""
    f: dict[str, str] = {}
    for k, v in _filters(req):
        f[str(_filter_key(req, k))] = v  # the last one wins, as ever
    v2 = version_of(req) == V2
    area, npanxx = ("areaCode", "npaNxx") if v2 else ("areacode", "npanxx")
    if "areacode" in f and not (f["areacode"].isdigit() and len(f["areacode"]) == 3):
        raise _bad(f"{area} must be three digits")
    if "npanxx" in f and not (f["npanxx"].isdigit() and len(f["npanxx"]) == 6):
        raise _bad(f"{npanxx} must be six digits")
    if "npanxxx" in f and not (f["npanxxx"].isdigit() and len(f["npanxxx"]) == 7):
        raise _bad("npaNxxx must be seven digits")
    if "countrycodea3" in f and not (f["countrycodea3"].isalpha() and len(f["countrycodea3"]) == 3):
        raise _bad("countryCodeA3 must be an ISO 3166-1 alpha-3 code (e.g. USA)")
    if v2 and "areacode" in f and "countrycodea3" not in f:
        raise _bad("areaCode requires countryCodeA3")
    if v2 and ("startdate" in f) != ("enddate" in f):
        raise _bad("startdate and enddate must be sent together")
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
        if "npanxxx" in f and rec.tn[:7] != f["npanxxx"]:
            return False
        if "countrycodea3" in f and (rec.country or "USA").upper() != f["countrycodea3"].upper():
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

    return keep if f else None  # no filter: every record is kept, without a pass over them


def _link(ctx: Any, req: Request, page: int, size: int, rel: str) -> str:
    configured = ctx.state.cfg.v2_link_base if version_of(req) == V2 else ctx.state.cfg.link_base
    base = configured or f"{req.root_url}{req.prefix}"
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
    records = ctx.state.visible_in_service()
    if keep is not None:
        records = [r for r in records if keep(r)]
    total = len(records)
    last = max(1, math.ceil(total / size))
    if total == 0 or page > last:
        return Response.empty(204)
    chunk = [number_out(req)(r.tn) for r in records[(page - 1) * size : page * size]]
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
    return Response.empty(200 if ctx.state.is_visible_in_service(number_in(req, tn)) else 404)


def totals(ctx: Any, req: Request) -> Response:
    return Response.xml(("Quantity", [("Count", len(ctx.state.visible_in_service()))]))


def register(router: Router) -> None:
    router.add("GET", "inserviceNumbers", "inserviceNumbers.list", list_numbers)
    router.add("GET", "inserviceNumbers/totals", "inserviceNumbers.totals", totals)
    router.add("GET", "inserviceNumbers/{tn}", "inserviceNumbers.get", get_number)
