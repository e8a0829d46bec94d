"""importTnChecker: which numbers could be imported, and why not."""

from __future__ import annotations

from typing import Any

from .. import codes, xmlio
from ..errors import ApiError
from ..http_types import Request, Response
from ..orders import suffix_rule
from ..routing import Router
from ..v2 import number_out
from ..validation import request_numbers

ROOT = "ImportTnCheckerResponse"


def require_import_enabled(ctx: Any, root: str) -> None:
    if not ctx.state.cfg.import_enabled:
        raise ApiError(403, root, 5149)


def rejection(ctx: Any, tn: str) -> int | None:
    state = ctx.state
    if tn in state.in_service:
        return 19006
    if tn in state.checker_rejects:
        return int(state.checker_rejects[tn])
    code = suffix_rule(tn, state.cfg.checker_reject_suffixes)
    return int(code) if code is not None else None


def check(ctx: Any, req: Request) -> Response:
    require_import_enabled(ctx, ROOT)
    root = xmlio.parse(req.body)
    payload = root
    if root.tag.lower() != "importtncheckerpayload" and xmlio.child(root, "ImportTnCheckerPayload") is not None:
        payload = xmlio.child(root, "ImportTnCheckerPayload")
    cfg = ctx.state.cfg
    tns, errors = request_numbers(req, payload, cfg, cfg.checker_max_numbers)
    if errors:
        raise ApiError(400, ROOT, shape=2, errors=errors)
    ok: list[str] = []
    rejected: dict[int, list[str]] = {}
    with ctx.state.locked():
        for tn in tns:
            code = rejection(ctx, tn)
            if code is None:
                ok.append(tn)
            else:
                rejected.setdefault(code, []).append(tn)
    show = number_out(req)
    parts: list[Any] = [xmlio.numbers_node("TelephoneNumbers", map(show, ok))]
    if rejected:
        parts.append(
            (
                "ImportTnErrors",
                [
                    (
                        "ImportTnError",
                        [
                            ("Code", code),
                            ("Description", codes.describe(code)),
                            xmlio.numbers_node("TelephoneNumbers", map(show, numbers)),
                        ],
                    )
                    for code, numbers in sorted(rejected.items())
                ],
            )
        )
    return Response.xml((ROOT, [("ImportTnCheckerPayload", parts)]))


def register(router: Router) -> None:
    router.add("POST", "importTnChecker", "importTnChecker", check)
