"""
Batch files: one YAML file per import batch in ``include/batches/``, turned into one DAG each.

Reading a batch is cheap (no network, no Airflow import) and safe: the file must lie in the batch folder (a
symlink out of it is refused), YAML is read with a size bound, no aliases and no duplicate keys, and the numbers
file must lie in the batch folder too. A bad file raises :class:`BatchFileError` naming the file, the field and the
rule broken, never the file's content; any other error while reading a file is caught and reported the same way,
so one bad file never stops the others.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bandwidth_hosted_messaging import config
from bandwidth_hosted_messaging.client.numbers import InvalidNumber, normalize_number
from bandwidth_hosted_messaging.constants import (
    BATCH_DAG_PREFIX,
    DEFAULT_POLL_INTERVAL,
    MAX_BATCH_NUMBERS,
    MAX_DEADLINE_HOURS,
    MAX_GRACE_PERIOD,
    MAX_POLL_INTERVAL,
    MAX_WAIT_TIMEOUT,
)
from bandwidth_hosted_messaging.inputs.errors import BatchFileError, RequestError
from bandwidth_hosted_messaging.inputs.notify import NotifyTargets, batch_notify_targets
from bandwidth_hosted_messaging.inputs.request import validate_import_request
from bandwidth_hosted_messaging.inputs.yaml_file import read_yaml_mapping

NAME = re.compile(r"^[A-Za-z0-9_]{1,200}$", re.ASCII)
CONN_ID = re.compile(r"^[A-Za-z0-9_.\-]{1,250}$", re.ASCII)
PRESETS = {"@once", "@hourly", "@daily", "@weekly", "@monthly", "@quarterly", "@yearly", "@annually", "@continuous"}
TOP_LEVEL_FIELDS = {
    "name",
    "schedule",
    "numbers",
    "numbers_file",
    "subscriber",
    "loa_authorizing_person",
    "site_id",
    "sip_peer_id",
    "loa_file",
    "customer_order_id_prefix",
    "rejection_policy",
    "chunk_size",
    "bandwidth_conn_id",
    "callback_conn_id",
    "poll_interval",
    "grace_period",
    "wait_timeout",
    "deadline_hours",
    "description",
    "notify",
    "dry_run",
    "approval_threshold",
}
SUBSCRIBER_FIELDS = {"name", "house_number", "street_name", "city", "state_code", "zip", "county"}
MAX_DESCRIPTION = 500
MAX_NUMBERS_FILE_BYTES = 8 * 1024 * 1024
#: A batch's own LOA folder, beside its files (an LOA root of its DAG besides ``[bandwidth] loa_roots``).
LOA_FOLDER = "loa"


@dataclass
class Batch:
    """A parsed, validated batch file."""

    name: str
    path: str
    schedule: str | None
    values: dict[str, Any]
    bandwidth_conn_id: str
    callback_conn_id: str
    loa_roots: list[str]
    poll_interval: float = float(DEFAULT_POLL_INTERVAL)
    grace_period: float = 300.0
    wait_timeout: float | None = None
    deadline_hours: float | None = None
    #: A run ordering at least this many numbers waits for approval (0: never); ``None``: the configuration's.
    approval_threshold: int | None = None
    description: str | None = None
    #: ``None`` when the numbers were not read (the DAG file's parse).
    numbers_count: int | None = field(default=None)
    #: Who hears about a failed run or one that needs attention (``notify``, over ``[bandwidth] notify_*``).
    notify: NotifyTargets = field(default_factory=NotifyTargets)

    @property
    def dag_id(self) -> str:
        return f"{BATCH_DAG_PREFIX}{self.name}"


def batch_loa_roots(folder: Path, read: config.ReadOnce | None = None) -> list[str]:
    """Where a batch's LOA may come from: ``[bandwidth] loa_roots`` and the batch folder's ``loa/``."""
    read = read or config.ReadOnce()
    return [*read(config.loa_roots), str(folder / LOA_FOLDER)]


def _inside(path: Path, folder: Path, batch_path: Path, field_name: str | None) -> Path:
    """``path`` resolved (symlinks included), if it lies in ``folder``; a :class:`BatchFileError` otherwise."""
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError):
        raise BatchFileError(batch_path, field_name, "names a file that does not exist") from None
    if not real.is_relative_to(folder.resolve()) or not real.is_file():
        raise BatchFileError(batch_path, field_name, "must be a file in the batch folder")
    return real


def _read_numbers_file(path: Path, batch_path: Path) -> list[str]:
    real = _inside(path, batch_path.parent, batch_path, "numbers_file")
    try:
        if real.stat().st_size > MAX_NUMBERS_FILE_BYTES:
            raise BatchFileError(batch_path, "numbers_file", f"is larger than {MAX_NUMBERS_FILE_BYTES} bytes")
        text = real.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise BatchFileError(batch_path, "numbers_file", "is not UTF-8 text") from None
    except OSError as err:
        raise BatchFileError(batch_path, "numbers_file", f"cannot be read ({err.strerror})") from None
    rows = [
        (line, row[0].strip())
        for line, row in enumerate(csv.reader(io.StringIO(text, newline="")), 1)
        if row and row[0].strip() and not row[0].lstrip().startswith("#")
    ]
    if rows and not any(ch.isdigit() for ch in rows[0][1]):
        rows = rows[1:]  # a header row
    if len(rows) > MAX_BATCH_NUMBERS:
        raise BatchFileError(batch_path, "numbers_file", f"holds more than {MAX_BATCH_NUMBERS} numbers")
    _check_numbers(rows, batch_path, "numbers_file", "line")
    return [number for _, number in rows]


def _check_numbers(rows: list[tuple[int, Any]], batch_path: Path, field_name: str, unit: str) -> None:
    """Refuse entries that are not NANP numbers, naming their positions (never their content)."""
    bad = []
    for position, raw in rows:
        try:
            normalize_number(raw)
        except InvalidNumber:
            bad.append(position)
    if bad:
        where = ", ".join(str(p) for p in bad[:10]) + (f" and {len(bad) - 10} more" if len(bad) > 10 else "")
        raise BatchFileError(batch_path, field_name, f"{unit} {where}: not a 10-digit North American number")


def _resolve(location: str, base: Path) -> str:
    """A local path relative to the batch file becomes absolute; URLs are kept."""
    if "://" in location:
        return location
    path = Path(location)
    return str(path if path.is_absolute() else (base / path).resolve())


def check_schedule(schedule: Any, path: Path) -> str | None:
    if schedule is None or (isinstance(schedule, str) and schedule.strip().lower() in ("", "none", "null")):
        return None
    if not isinstance(schedule, str):
        raise BatchFileError(path, "schedule", "must be a cron expression, a preset such as @daily, or null")
    schedule = schedule.strip()
    if schedule.startswith("@"):
        if schedule not in PRESETS:
            raise BatchFileError(path, "schedule", f"is not a known preset ({', '.join(sorted(PRESETS))})")
        return schedule
    from croniter import croniter

    if not croniter.is_valid(schedule):
        raise BatchFileError(path, "schedule", "is not a valid cron expression")
    return schedule


def _seconds(data: dict[str, Any], name: str, default: float, low: float, high: float, path: Path) -> float:
    value = data.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BatchFileError(path, name, "must be a number of seconds")
    if not low <= float(value) <= high:
        raise BatchFileError(path, name, f"must be between {low:g} and {high:g} seconds")
    return float(value)


def _hours(data: dict[str, Any], name: str, default: float, path: Path) -> float:
    value = data.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BatchFileError(path, name, "must be a number of hours")
    if not 0 < float(value) <= MAX_DEADLINE_HOURS:
        raise BatchFileError(path, name, f"must be above 0 and at most {MAX_DEADLINE_HOURS} hours")
    return float(value)


def _threshold(data: dict[str, Any], name: str, path: Path) -> int | None:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise BatchFileError(path, name, "must be a whole number of numbers, 0 or more (0: never ask)")
    return value


def _conn_id(data: dict[str, Any], name: str, default: str, path: Path) -> str:
    value = data.get(name) or default
    if not isinstance(value, str) or not CONN_ID.match(value):
        raise BatchFileError(path, name, "is not a connection id (letters, digits, '_', '.', '-')")
    return value


def _batch_field(err: RequestError, data: dict[str, Any]) -> str:
    if err.field == "subscriber_name":
        return "subscriber.name"
    if err.field in SUBSCRIBER_FIELDS:
        return f"subscriber.{err.field}"
    if err.field == "numbers" and "numbers_file" in data:
        return "numbers_file"
    return err.field


def load_batch(
    path: Path | str,
    folder: Path | str | None = None,
    *,
    with_numbers: bool = True,
    read: config.ReadOnce | None = None,
) -> Batch:
    """
    Read and validate one batch file of ``folder`` (default: the file's own folder). The LOA is checked for
    local paths (in the LOA roots, of its declared type).

    :param with_numbers: also read and check the numbers (``numbers_file`` or the inline list) and the LOA file. The DAG
        file passes ``False``: it needs only what shapes the DAG (name, schedule, connections, intervals, the other
        fields' shapes), and Airflow parses it again in every task process; the batch's first task reads the rest
        (:class:`~bandwidth_hosted_messaging.operators.request.ValidateRequestOperator` with ``batch_file``).
    :param read: the settings a batch falls back on, read once for all the files of a folder (default: read now).
    """
    read = read or config.ReadOnce()
    numbers_wanted = with_numbers
    path = Path(path)
    folder = Path(folder) if folder is not None else path.parent
    data = _fields(path, folder)
    if not all(isinstance(key, str) for key in data):
        raise BatchFileError(path, None, "every field name must be text")
    unknown = sorted(set(data) - TOP_LEVEL_FIELDS)
    if unknown:
        known = ", ".join(sorted(TOP_LEVEL_FIELDS))
        raise BatchFileError(path, _field_name(unknown[0]), f"is not a batch file field (known: {known})")
    name = _name_of(data, path)
    if not isinstance(name, str) or not NAME.match(name):
        raise BatchFileError(path, "name", "may hold only letters, digits and underscores")
    description = data.get("description")
    if description is not None and (not isinstance(description, str) or len(description) > MAX_DESCRIPTION):
        raise BatchFileError(path, "description", f"must be text of at most {MAX_DESCRIPTION} characters")
    subscriber = data.get("subscriber") or {}
    if not isinstance(subscriber, dict):
        raise BatchFileError(path, "subscriber", "must be a mapping (name, house_number, street_name, ...)")
    unknown = sorted(set(map(str, subscriber)) - SUBSCRIBER_FIELDS)
    if unknown:
        known = ", ".join(sorted(SUBSCRIBER_FIELDS))
        raise BatchFileError(
            path, f"subscriber.{_field_name(unknown[0])}", f"is not a subscriber field (known: {known})"
        )
    if "numbers" in data and "numbers_file" in data:
        raise BatchFileError(path, "numbers", "give either numbers or numbers_file, not both")
    numbers = data.get("numbers")
    if "numbers_file" in data:
        if not isinstance(data["numbers_file"], str):
            raise BatchFileError(path, "numbers_file", "must be a file name")
        numbers_path = Path(_resolve(data["numbers_file"], path.parent))
        numbers = _read_numbers_file(numbers_path, path) if numbers_wanted else None
        if not numbers_wanted:
            _inside(numbers_path, path.parent, path, "numbers_file")
    elif isinstance(numbers, list) and not numbers_wanted:
        if len(numbers) > MAX_BATCH_NUMBERS:
            raise BatchFileError(path, "numbers", f"holds more than {MAX_BATCH_NUMBERS} numbers")
        numbers = None
    elif isinstance(numbers, list):
        if len(numbers) > MAX_BATCH_NUMBERS:
            raise BatchFileError(path, "numbers", f"holds more than {MAX_BATCH_NUMBERS} numbers")
        _check_numbers(list(enumerate(numbers, 1)), path, "numbers", "entry")
    elif numbers is not None:
        raise BatchFileError(path, "numbers", "must be a list of numbers")
    loa_file = data.get("loa_file")
    if loa_file is not None and not isinstance(loa_file, str):
        raise BatchFileError(path, "loa_file", "must be a path or URL")
    values = {
        "numbers": numbers,
        "subscriber_name": subscriber.get("name"),
        "house_number": subscriber.get("house_number"),
        "street_name": subscriber.get("street_name"),
        "city": subscriber.get("city"),
        "state_code": subscriber.get("state_code"),
        "zip": subscriber.get("zip"),
        "county": subscriber.get("county"),
        "loa_authorizing_person": data.get("loa_authorizing_person"),
        "site_id": data.get("site_id"),
        "sip_peer_id": data.get("sip_peer_id"),
        "customer_order_id_prefix": data.get("customer_order_id_prefix") or name.replace("_", "-")[:18],
        "loa_file": _resolve(loa_file, path.parent) if loa_file else None,
        "rejection_policy": data.get("rejection_policy", "skip"),
        "chunk_size": data.get("chunk_size", 1000),
        "dry_run": data.get("dry_run", False),
    }
    values = {
        k: (str(v) if isinstance(v, int | float) and not isinstance(v, bool) and k != "chunk_size" else v)
        for k, v in values.items()
    }
    loa_roots = batch_loa_roots(folder, read)
    try:
        request = validate_import_request(values, check_loa=False, check_numbers=numbers_wanted)
        if numbers_wanted and values["loa_file"] and "://" not in values["loa_file"]:
            from bandwidth_hosted_messaging.inputs.loa_file import check_loa_file  # the first task's, not the parse's

            check_loa_file(values["loa_file"], loa_roots)
    except RequestError as err:
        raise BatchFileError(path, _batch_field(err, data), _content_free(err)) from None
    return Batch(
        name=name,
        path=str(path),
        schedule=check_schedule(data.get("schedule"), path),
        values=values,
        bandwidth_conn_id=_conn_id(data, "bandwidth_conn_id", read(config.bandwidth_conn_id), path),
        callback_conn_id=_conn_id(data, "callback_conn_id", read(config.callback_conn_id), path),
        loa_roots=loa_roots,
        poll_interval=_seconds(
            data, "poll_interval", DEFAULT_POLL_INTERVAL, read(config.min_poll_interval), MAX_POLL_INTERVAL, path
        ),
        grace_period=_seconds(data, "grace_period", 300.0, 0.0, MAX_GRACE_PERIOD, path),
        wait_timeout=_seconds(
            data,
            "wait_timeout",
            read(config.wait_long_stop_seconds),
            read(config.min_poll_interval),
            MAX_WAIT_TIMEOUT,
            path,
        ),
        deadline_hours=_hours(data, "deadline_hours", read(config.deadline_hours), path),
        approval_threshold=_threshold(data, "approval_threshold", path),
        description=description,
        numbers_count=len(request.numbers) if numbers_wanted else None,
        notify=batch_notify_targets(data, path, read),
    )


def _fields(path: Path, folder: Path) -> dict[Any, Any]:
    """The YAML mapping of the batch file at ``path``, once it is known to be a regular file in ``folder``."""
    _inside(path, folder, path, None)
    data = read_yaml_mapping(path)
    if not isinstance(data, dict):
        raise BatchFileError(path, None, "must be a YAML mapping of fields")
    return data


def _name_of(data: dict[str, Any], path: Path) -> Any:
    """The batch's name as its file gives it: the ``name`` field, else the file's name without its suffix."""
    return data.get("name") if data.get("name") is not None else path.stem


def batch_paths(folder: Path | str) -> list[Path]:
    """The batch files of ``folder`` (``*.yaml``, ``*.yml``) in name order: the order they are read in."""
    return sorted(Path(folder).glob("*.y*ml"))


def batch_name(path: Path, folder: Path | str) -> str | None:
    """
    The name the batch file at ``path`` gives its batch, read as :func:`load_batch` first reads the file but without
    checking its fields; ``None`` when the file cannot give one (outside the folder, not a file, unreadable, not a
    mapping, a name that is not text).
    """
    try:
        name = _name_of(_fields(path, Path(folder)), path)
    except Exception:
        return None
    return name if isinstance(name, str) else None


def _field_name(key: str) -> str:
    """An unknown key as the error names it: itself when it looks like a field name, else a placeholder."""
    return key if re.fullmatch(r"[A-Za-z_]{1,40}", key) else "<a field>"


def _content_free(err: RequestError) -> str:
    """The rule a field broke, without the value (an LOA path is the author's own location, not content)."""
    return err.reason if err.field == "loa_file" else err.rule


def load_batches(
    folder: Path | str, *, with_numbers: bool = True, read: config.ReadOnce | None = None
) -> Iterator[Batch | BatchFileError]:
    """
    Each ``*.yaml``/``*.yml`` file of ``folder`` in name order: its batch, or the error that stops it. Any error
    while reading one file is that file's :class:`BatchFileError`; the next file is read all the same. The settings
    the batches fall back on are read once for them all (or taken from ``read``).
    """
    folder = Path(folder)
    read = read or config.ReadOnce()
    seen: dict[str, str] = {}
    for path in batch_paths(folder):
        try:
            batch = load_batch(path, folder, with_numbers=with_numbers, read=read)
        except BatchFileError as err:
            yield err
            continue
        except Exception as err:  # a bug or an unforeseen input must not hide the other batches
            yield BatchFileError(path, None, f"could not be read ({type(err).__name__})")
            continue
        if batch.name in seen:
            yield BatchFileError(path, "name", f"{batch.name!r} is already used by {seen[batch.name]}")
            continue
        seen[batch.name] = str(path)
        yield batch
