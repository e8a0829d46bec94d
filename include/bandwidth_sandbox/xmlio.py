"""Safe XML parsing (no DOCTYPE, no entities) and rendering of Bandwidth-style documents."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from typing import Any
from xml.parsers import expat

PROLOGUE = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'


class XmlError(ValueError):
    """Malformed or hostile XML."""


def _local(name: str) -> str:
    return name.rsplit(":", 1)[-1].rsplit("}", 1)[-1]


def parse(data: bytes | str) -> ET.Element:
    """Parse with expat directly; any DOCTYPE, entity declaration or external reference is refused."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not data.strip():
        raise XmlError("empty request body")
    parser = expat.ParserCreate()
    stack: list[ET.Element] = []
    root: list[ET.Element] = []
    texts: list[list[str]] = []

    def refuse(*_args: Any) -> None:
        raise XmlError("DOCTYPE and entity declarations are not allowed")

    def start(name: str, attrs: dict) -> None:
        el = ET.Element(_local(name), {_local(k): v for k, v in attrs.items()})
        if stack:
            stack[-1].append(el)
        else:
            root.append(el)
        stack.append(el)
        texts.append([])

    def end(_name: str) -> None:
        el = stack.pop()
        el.text = "".join(texts.pop())

    def chars(text: str) -> None:
        if texts:
            texts[-1].append(text)

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.SkippedEntityHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.Parse(data, True)
    except XmlError:
        raise
    except expat.ExpatError as exc:
        raise XmlError(f"malformed XML: {exc}") from None
    except (ValueError, UnicodeError) as exc:
        raise XmlError(f"malformed XML: {exc}") from None
    if not root:
        raise XmlError("no root element")
    return root[0]


# ---- lenient, case-insensitive lookup -------------------------------------------------------


def child(el: ET.Element | None, *names: str) -> ET.Element | None:
    """First child whose name matches any of ``names`` case-insensitively."""
    if el is None:
        return None
    wanted = {n.lower() for n in names}
    for c in el:
        if c.tag.lower() in wanted:
            return c
    return None


def children(el: ET.Element | None, name: str) -> list[ET.Element]:
    if el is None:
        return []
    return [c for c in el if c.tag.lower() == name.lower()]


def text(el: ET.Element | None, *path: str) -> str | None:
    """Text at a path of child names (each step case-insensitive), stripped; None if absent."""
    cur = el
    for step in path:
        cur = child(cur, *step.split("|"))
        if cur is None:
            return None
    return (cur.text or "").strip() if cur is not None else None


# ---- rendering ----------------------------------------------------------------------------

Node = tuple  # (name, content) where content is str | int | None | list[Node]


def build(node: Node) -> ET.Element:
    name, content = node
    el = ET.Element(name)
    if content is None:
        return el
    if isinstance(content, (list, tuple)) and not isinstance(content, str):
        for sub in content:
            if sub is not None:
                el.append(build(sub))
    elif isinstance(content, bool):
        el.text = "true" if content else "false"
    else:
        el.text = str(content)
    return el


def render(node: Node | ET.Element, prologue: str | None = PROLOGUE) -> bytes:
    el = node if isinstance(node, ET.Element) else build(node)
    body = ET.tostring(el, encoding="unicode").replace(" />", "/>")
    return ((prologue or "") + body).encode("utf-8")


def numbers_node(name: str, tns: Iterable[str], inner: str = "TelephoneNumber") -> Node:
    return (name, [(inner, tn) for tn in tns])
