"""
Check an LOA file before any API call, and read it for the upload.

An LOA comes only from the configured LOA roots (``[bandwidth] loa_roots``: local folders and object-storage
prefixes; a batch DAG adds its batch folder's ``loa/``). A local path is resolved, symlinks included, and must
lie inside a local root; a URL must start with a configured prefix, so nothing is fetched from a scheme or place
the deployer did not configure. The file's content must match its declared type (magic bytes; text must be
text), it must not be empty, and at most :data:`~bandwidth_hosted_messaging.constants.LOA_MAX_BYTES`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from bandwidth_hosted_messaging import config
from bandwidth_hosted_messaging.client.endpoints import LOA_CONTENT_TYPES
from bandwidth_hosted_messaging.constants import LOA_MAX_BYTES
from bandwidth_hosted_messaging.contracts import LoaFileDict
from bandwidth_hosted_messaging.inputs.errors import RequestError

if TYPE_CHECKING:
    from airflow.sdk import ObjectStoragePath

FIELD = "loa_file"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word 97-2003, Excel 97-2003
_ZIP = b"PK\x03\x04"  # docx, xlsx
#: The first bytes each binary LOA type starts with.
MAGIC: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/tiff": (b"II*\x00", b"MM\x00*"),
    "application/msword": (_OLE,),
    "application/vnd.ms-excel": (_OLE,),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (_ZIP,),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (_ZIP,),
}
TEXT_TYPES = frozenset({"text/plain", "text/csv"})
_TEXT_CONTROLS = frozenset(range(32)) - {9, 10, 13}


@dataclass(frozen=True)
class LoaFileInfo:
    """A checked LOA file: where it is, its Content-Type and size."""

    location: str
    file_name: str
    content_type: str
    size: int

    def to_dict(self) -> LoaFileDict:
        return {
            "location": self.location,
            "file_name": self.file_name,
            "content_type": self.content_type,
            "size": self.size,
        }


def check_loa_file(
    location: str | None, roots: Sequence[str] | None = None, max_bytes: int = LOA_MAX_BYTES
) -> LoaFileInfo:
    """
    Check the LOA file: in a configured root, an accepted type whose content matches, not empty, not too large.

    :param roots: the allowed LOA roots (default ``[bandwidth] loa_roots``).
    :raises RequestError: naming ``loa_file`` and the rule, never the file's content.
    """
    if not location or not str(location).strip():
        raise RequestError(FIELD, "an LOA file is required")
    location = str(location).strip()
    content_type = _content_type(location)
    path = _within_roots(location, config.loa_roots() if roots is None else roots)
    try:
        if not path.is_file():
            raise RequestError(FIELD, f"{location} does not exist or is not a file")
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(8192)
    except RequestError:
        raise
    except Exception as err:  # any storage backend's error: permission, missing bucket, ...
        raise RequestError(FIELD, f"{location} cannot be read ({type(err).__name__})") from None
    if size == 0:
        raise RequestError(FIELD, f"{location} is empty")
    if size > max_bytes:
        raise RequestError(FIELD, f"{location} is {size} bytes; the limit is {max_bytes}")
    _check_content(location, content_type, head)
    return LoaFileInfo(location, path.name, content_type, size)


def read_loa_file(location: str, roots: Sequence[str] | None = None, max_bytes: int = LOA_MAX_BYTES) -> bytes:
    """The LOA file's content, checked again as :func:`check_loa_file` does (it may have changed since)."""
    content_type = _content_type(location)
    path = _within_roots(location, config.loa_roots() if roots is None else roots)
    content = path.read_bytes()
    if not content:
        raise RequestError(FIELD, f"{location} is empty")
    if len(content) > max_bytes:
        raise RequestError(FIELD, f"{location} is {len(content)} bytes; the limit is {max_bytes}")
    _check_content(location, content_type, content[:8192])
    return content


def _content_type(location: str) -> str:
    suffix = PurePosixPath(location.split("?", 1)[0]).suffix.lower()
    content_type = LOA_CONTENT_TYPES.get(suffix)
    if content_type is None:
        allowed = ", ".join(sorted(LOA_CONTENT_TYPES))
        raise RequestError(FIELD, f"{PurePosixPath(location).name!r} is not an accepted LOA type ({allowed})")
    return content_type


def _within_roots(location: str, roots: Sequence[str]) -> ObjectStoragePath:
    """The LOA's path, if ``location`` lies inside one of ``roots``; else a :class:`RequestError` saying where may."""
    from airflow.sdk import ObjectStoragePath

    url_roots = [r for r in roots if "://" in r and not r.startswith("file://")]
    local_roots = [Path(r.removeprefix("file://")) for r in roots if "://" not in r or r.startswith("file://")]
    where = ", ".join(roots) or "none configured"
    if "://" in location and not location.startswith("file://"):
        scheme = location.split("://", 1)[0].lower()
        parts = location.split("://", 1)[1].split("/")
        inside = [r for r in url_roots if location.startswith(r.rstrip("/") + "/")]
        if ".." in parts or "." in parts or not inside:
            raise RequestError(FIELD, f"{scheme}:// {location} is not in a configured LOA location ({where})")
        return ObjectStoragePath(location)
    local = Path(location.removeprefix("file://"))
    if not local.is_absolute():
        raise RequestError(FIELD, f"{location} must be an absolute path or a URL")
    try:
        real = local.resolve(strict=True)
    except (OSError, RuntimeError):
        raise RequestError(FIELD, f"{location} does not exist or is not a file") from None
    for root in local_roots:
        try:
            root_real = root.resolve(strict=True)
        except (OSError, RuntimeError):
            continue
        if real.is_relative_to(root_real):
            return ObjectStoragePath(f"file://{real}")
    raise RequestError(FIELD, f"{location} is not in a configured LOA folder ({where})")


def _check_content(location: str, content_type: str, head: bytes) -> None:
    if content_type in TEXT_TYPES:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as err:
            if err.start < len(head) - 4:  # not just a character cut at the end of the sample
                raise RequestError(FIELD, f"{location} is not text, as a {content_type} file must be") from None
        if any(byte in _TEXT_CONTROLS for byte in head):
            raise RequestError(FIELD, f"{location} is not text, as a {content_type} file must be")
        return
    if not head.startswith(MAGIC[content_type]):
        raise RequestError(FIELD, f"{location}: its content is not {content_type}, as its name says")
