"""
Read a small YAML config file safely: a size bound, no aliases (no "billion laughs" alias bombs), no duplicate
keys (the last one would silently win), plain data only. Errors say where (line, column), never what the file holds.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node

from bandwidth_hosted_messaging.inputs.errors import BatchFileError

MAX_YAML_BYTES = 2 * 1024 * 1024
_FIELD_NAME = re.compile(r"[A-Za-z_]{1,40}")


class _NoDuplicateKeys(yaml.constructor.SafeConstructor):
    """A ``SafeConstructor`` that refuses a key given twice in one mapping (the last one would silently win)."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                name = f"{key!r} " if isinstance(key, str) and _FIELD_NAME.fullmatch(key) else ""
                raise ConstructorError(None, None, f"the key {name}is given twice", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


class _StrictLoader(yaml.SafeLoader, _NoDuplicateKeys):
    """``SafeLoader`` that refuses aliases and duplicate keys."""

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise ConstructorError(None, None, "YAML aliases (*name) are not allowed", event.start_mark)
        return super().compose_node(parent, index)


#: libyaml's parser with the same constructor, when PyYAML was built with libyaml; for a text without an alias.
_FastLoader: Any = None
if getattr(yaml, "__with_libyaml__", False):

    class _LibyamlLoader(yaml.CSafeLoader, _NoDuplicateKeys):
        """libyaml's ``CSafeLoader`` that refuses duplicate keys (it cannot see aliases: only for a text without)."""

    _FastLoader = _LibyamlLoader


def _load(text: str) -> Any:
    """
    The document of ``text``, read by :class:`_StrictLoader`. A plain ASCII text without ``*`` (so without an alias)
    is read by libyaml's parser first, about ten times faster (a DAG file and every task process read every batch
    file); anything it refuses is read again by the pure-Python loader, so every error is that loader's.
    """
    if _FastLoader is not None and "*" not in text and text.isascii():
        try:
            return yaml.load(text, Loader=_FastLoader)  # a SafeLoader: plain data only
        except yaml.YAMLError:
            pass
    return yaml.load(text, Loader=_StrictLoader)  # a SafeLoader: plain data only


def _where(err: yaml.YAMLError) -> str:
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    return f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""


def read_yaml_mapping(path: Path, error: type[BatchFileError] = BatchFileError, max_bytes: int = MAX_YAML_BYTES) -> Any:
    """The YAML document of ``path`` (``None`` when empty); ``error`` naming the file and the rule otherwise."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise error(path, None, f"is {size} bytes; a batch or config file may have at most {max_bytes}")
        text = path.read_text(encoding="utf-8")
    except error:
        raise
    except UnicodeDecodeError:
        raise error(path, None, "is not UTF-8 text") from None
    except OSError as err:
        raise error(path, None, f"cannot be read ({err.strerror or type(err).__name__})") from None
    try:
        return _load(text)
    except ConstructorError as err:
        raise error(path, None, f"not valid: {err.problem}{_where(err)}") from None
    except yaml.YAMLError as err:
        raise error(path, None, f"not valid YAML{_where(err)}") from None
