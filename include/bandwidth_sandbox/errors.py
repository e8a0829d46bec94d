"""API errors and the three Bandwidth error shapes."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from . import codes
from .xmlio import Node


class ApiError(Exception):
    """Raised by endpoint handlers; rendered by the app.

    shape 1: ``<Root><ResponseStatus><ErrorCode/><Description/></ResponseStatus></Root>``
    shape 2: ``<Root>[prefix...]<Errors><Code/><Description/></Errors>...</Root>``
    ``empty``: no body at all. ``omit_code``: shape 1 with a ``Description`` only (a v2 example).
    """

    def __init__(
        self,
        status: int,
        root: str = "ErrorResponse",
        code: int | None = None,
        description: str | None = None,
        *,
        shape: int = 1,
        errors: list[tuple[int, str]] | None = None,
        prefix: list[Node] | None = None,
        empty: bool = False,
        headers: dict[str, str] | None = None,
        omit_code: bool = False,
    ) -> None:
        self.status = status
        self.root = root
        self.code = code
        self.description = description if description is not None else (codes.describe(code) if code else "")
        self.shape = shape
        self.errors = errors or []
        self.prefix = prefix or []
        self.empty = empty
        self.headers = headers or {}
        self.omit_code = omit_code
        super().__init__(f"{status} {code} {self.description}")

    def node(self) -> Node | None:
        if self.empty:
            return None
        if self.shape == 2:
            return (self.root, list(self.prefix) + errors_shape2(self.errors))
        if self.omit_code:
            return (self.root, [("ResponseStatus", [("Description", self.description)])])
        return (self.root, [response_status(self.code or 0, self.description)])


def response_status(code: int, description: str) -> Node:
    return ("ResponseStatus", [("ErrorCode", code), ("Description", description)])


def errors_shape2(errors: Iterable[tuple[int, str]]) -> list[Node]:
    return [("Errors", [("Code", code), ("Description", desc)]) for code, desc in errors]


def errors_shape3(errors: Iterable[tuple[int, str, list[str]]], show: Callable[[str], str] = str) -> Node:
    """``show`` writes each number (E.164 in v2 answers)."""
    items = [
        (
            "Error",
            [
                ("Code", code),
                ("Description", desc),
                ("TelephoneNumbers", [("TelephoneNumber", show(tn)) for tn in tns]),
            ],
        )
        for code, desc, tns in errors
    ]
    return ("Errors", items)
