"""Check an LOA file before any API call (exists, readable, accepted type, size), and read it for the upload."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bandwidth_hosted_messaging.client.endpoints import LOA_CONTENT_TYPES
from bandwidth_hosted_messaging.constants import LOA_MAX_BYTES
from bandwidth_hosted_messaging.contracts import LoaFileDict
from bandwidth_hosted_messaging.inputs.errors import RequestError

if TYPE_CHECKING:
    from airflow.sdk import ObjectStoragePath


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


def check_loa_file(location: str | None, max_bytes: int = LOA_MAX_BYTES) -> LoaFileInfo:
    """Check the LOA file exists, is readable, of an accepted type and not too large."""
    if not location or not str(location).strip():
        raise RequestError("loa_file", "an LOA file is required")
    location = str(location).strip()
    path = _storage_path(location)
    content_type = LOA_CONTENT_TYPES.get(path.suffix.lower())
    if content_type is None:
        allowed = ", ".join(sorted(LOA_CONTENT_TYPES))
        raise RequestError("loa_file", f"{path.name!r} is not an accepted LOA type ({allowed})")
    try:
        if not path.is_file():
            raise RequestError("loa_file", f"{location} does not exist or is not a file")
        size = path.stat().st_size
        with path.open("rb") as handle:
            handle.read(1)
    except RequestError:
        raise
    except Exception as err:  # any storage backend's error: permission, missing bucket, ...
        raise RequestError("loa_file", f"{location} cannot be read ({type(err).__name__})") from None
    if size == 0:
        raise RequestError("loa_file", f"{location} is empty")
    if size > max_bytes:
        raise RequestError("loa_file", f"{location} is {size} bytes; the limit is {max_bytes}")
    return LoaFileInfo(location, path.name, content_type, size)


def read_loa_file(location: str) -> bytes:
    """The LOA file's content (a local path or any object-storage URL)."""
    return _storage_path(location).read_bytes()


def _storage_path(location: str) -> ObjectStoragePath:
    from airflow.sdk import ObjectStoragePath

    return ObjectStoragePath(location if "://" in location else f"file://{location}")
