"""Safe reading and writing of Bandwidth's XML.

Entity expansion is off (no XXE, no billion laughs), any DOCTYPE is refused, and bodies above a size
cap are refused before parsing. Documents are parsed by element *name*, never by position, because
Bandwidth's element order varies between answers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any
from xml.parsers.expat import ExpatError

import xmltodict

from bandwidth_hosted_messaging.client.errors import BandwidthXmlError

#: Largest XML body we parse (a 5,000-number checker answer is ~250 KB).
MAX_XML_BYTES = 20 * 1024 * 1024

_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)


def parse_xml(body: bytes | str) -> dict[str, Any]:
    """
    Parse an XML document into a dict ``{root_name: content}``.

    :param body: the raw document.
    :raises BandwidthXmlError: the body is empty, too large, not XML, or declares a DOCTYPE or entity.
    """
    raw = body.encode("utf-8") if isinstance(body, str) else bytes(body)
    if not raw.strip():
        raise BandwidthXmlError("empty XML document")
    if len(raw) > MAX_XML_BYTES:
        raise BandwidthXmlError(f"XML document of {len(raw)} bytes exceeds the {MAX_XML_BYTES}-byte limit")
    if _DOCTYPE.search(raw):
        raise BandwidthXmlError("XML with a DOCTYPE or entity declaration is refused")
    try:
        doc = xmltodict.parse(raw, disable_entities=True)
    except (ExpatError, ValueError) as err:
        raise BandwidthXmlError(f"malformed XML: {err}") from None
    if not isinstance(doc, dict) or len(doc) != 1:
        raise BandwidthXmlError("XML document has no single root element")
    return doc


def to_xml(root: str, content: Mapping[str, Any]) -> bytes:
    """Render ``{root: content}`` as a UTF-8 XML document with a prologue."""
    document: str = xmltodict.unparse({root: content}, encoding="utf-8")
    return document.encode("utf-8")


def root_of(doc: Mapping[str, Any]) -> tuple[str, Any]:
    """Return ``(root_name, content)`` of a parsed document."""
    ((name, content),) = doc.items()
    return name, content if content is not None else {}


def child(node: Any, *names: str) -> Any:
    """
    Return the first child of ``node`` whose element name matches one of ``names``, case-insensitively.

    Returns ``None`` when absent or when ``node`` is not an element with children.
    """
    if not isinstance(node, Mapping):
        return None
    wanted = {name.lower() for name in names}
    for key, value in node.items():
        if key.lower() in wanted:
            return value
    return None


def path(node: Any, *steps: str) -> Any:
    """Follow a chain of child element names (each step may be ``"A|B"`` for alternatives)."""
    for step in steps:
        node = child(node, *step.split("|"))
        if node is None:
            return None
    return node


def as_list(value: Any) -> list[Any]:
    """Return a repeated element as a list (xmltodict gives a single child as a scalar/dict)."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def text(value: Any) -> str | None:
    """Return the text of a leaf element (``None`` for an absent or empty one)."""
    if value is None:
        return None
    if isinstance(value, Mapping):
        value = value.get("#text")
        if value is None:
            return None
    value = str(value).strip()
    return value or None


def texts(value: Any) -> list[str]:
    """Return the texts of a repeated leaf element, skipping empty ones."""
    return [t for t in (text(v) for v in as_list(value)) if t is not None]


def numbers_element(numbers: Iterable[str]) -> dict[str, list[str]]:
    """Build ``<TelephoneNumbers><TelephoneNumber>…`` content."""
    return {"TelephoneNumber": list(numbers)}
