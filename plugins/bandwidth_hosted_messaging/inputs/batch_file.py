"""
Batch files: one YAML file per import batch in ``include/batches/``, turned into one DAG each.

Reading a batch is cheap (no network, no Airflow import): a bad file raises :class:`BatchFileError`
naming the file and the field, and the other batches are unaffected.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bandwidth_hosted_messaging.constants import BATCH_DAG_PREFIX, CALLBACK_CONN_ID, DEFAULT_CONN_ID
from bandwidth_hosted_messaging.inputs.errors import BatchFileError, RequestError
from bandwidth_hosted_messaging.inputs.loa_file import check_loa_file
from bandwidth_hosted_messaging.inputs.request import validate_import_request

NAME = re.compile(r"^[A-Za-z0-9_]{1,200}$")
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
    "description",
}
SUBSCRIBER_FIELDS = {"name", "house_number", "street_name", "city", "state_code", "zip", "county"}


@dataclass
class Batch:
    """A parsed, validated batch file."""

    name: str
    path: str
    schedule: str | None
    values: dict[str, Any]
    bandwidth_conn_id: str = DEFAULT_CONN_ID
    callback_conn_id: str = CALLBACK_CONN_ID
    poll_interval: float = 60.0
    grace_period: float = 300.0
    description: str | None = None
    numbers_count: int = field(default=0)

    @property
    def dag_id(self) -> str:
        return f"{BATCH_DAG_PREFIX}{self.name}"


def _read_numbers_file(path: Path, batch_path: Path) -> list[str]:
    try:
        with path.open(newline="") as handle:
            rows = [row for row in csv.reader(handle) if row and row[0].strip() and not row[0].lstrip().startswith("#")]
    except OSError as err:
        raise BatchFileError(batch_path, "numbers_file", f"cannot read {path} ({err.strerror})") from None
    if rows and not any(ch.isdigit() for ch in rows[0][0]):
        rows = rows[1:]  # a header row
    return [row[0].strip() for row in rows]


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
            raise BatchFileError(path, "schedule", f"unknown preset {schedule!r}")
        return schedule
    from croniter import croniter

    if not croniter.is_valid(schedule):
        raise BatchFileError(path, "schedule", f"{schedule!r} is not a valid cron expression")
    return schedule


def load_batch(path: Path | str) -> Batch:
    """Read and validate one batch file (the LOA file's existence is checked for local paths)."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text())
    except OSError as err:
        raise BatchFileError(path, None, f"cannot read ({err.strerror})") from None
    except yaml.YAMLError as err:
        raise BatchFileError(path, None, f"not valid YAML ({err})") from None
    if not isinstance(data, dict):
        raise BatchFileError(path, None, "must be a YAML mapping of fields")
    unknown = sorted(set(data) - TOP_LEVEL_FIELDS)
    if unknown:
        raise BatchFileError(path, unknown[0], f"unknown field (known: {', '.join(sorted(TOP_LEVEL_FIELDS))})")
    name = str(data.get("name") or path.stem)
    if not NAME.match(name):
        raise BatchFileError(path, "name", "may hold only letters, digits and underscores")
    subscriber = data.get("subscriber") or {}
    if not isinstance(subscriber, dict):
        raise BatchFileError(path, "subscriber", "must be a mapping (name, house_number, street_name, ...)")
    unknown = sorted(set(subscriber) - SUBSCRIBER_FIELDS)
    if unknown:
        raise BatchFileError(path, f"subscriber.{unknown[0]}", "unknown field")
    if "numbers" in data and "numbers_file" in data:
        raise BatchFileError(path, "numbers", "give either numbers or numbers_file, not both")
    numbers = data.get("numbers")
    if "numbers_file" in data:
        numbers = _read_numbers_file(Path(_resolve(str(data["numbers_file"]), path.parent)), path)
    loa_file = data.get("loa_file")
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
        "loa_file": _resolve(str(loa_file), path.parent) if loa_file else None,
        "rejection_policy": data.get("rejection_policy", "skip"),
        "chunk_size": data.get("chunk_size", 1000),
    }
    values = {k: (str(v) if isinstance(v, int | float) and k not in ("chunk_size",) else v) for k, v in values.items()}
    try:
        request = validate_import_request(values, check_loa=False)
        if values["loa_file"] and "://" not in values["loa_file"]:
            check_loa_file(values["loa_file"])
    except RequestError as err:
        field_name = {"subscriber_name": "subscriber.name"}.get(err.field, err.field)
        if err.field in SUBSCRIBER_FIELDS - {"name"}:
            field_name = f"subscriber.{err.field}"
        if field_name == "numbers" and "numbers_file" in data:
            field_name = "numbers_file"
        raise BatchFileError(path, field_name, err.reason) from None
    try:
        poll_interval = float(data.get("poll_interval", 60))
        grace_period = float(data.get("grace_period", 300))
    except (TypeError, ValueError):
        raise BatchFileError(path, "poll_interval", "poll_interval and grace_period must be numbers") from None
    return Batch(
        name=name,
        path=str(path),
        schedule=check_schedule(data.get("schedule"), path),
        values=values,
        bandwidth_conn_id=str(data.get("bandwidth_conn_id") or DEFAULT_CONN_ID),
        callback_conn_id=str(data.get("callback_conn_id") or CALLBACK_CONN_ID),
        poll_interval=poll_interval,
        grace_period=grace_period,
        description=data.get("description"),
        numbers_count=len(request.numbers),
    )


def load_batches(folder: Path | str) -> Iterator[Batch | BatchFileError]:
    """Each ``*.yaml``/``*.yml`` file of ``folder`` in name order: its batch, or the error that stops it."""
    seen: dict[str, str] = {}
    for path in sorted(Path(folder).glob("*.y*ml")):
        try:
            batch = load_batch(path)
        except BatchFileError as err:
            yield err
            continue
        if batch.name in seen:
            yield BatchFileError(path, "name", f"{batch.name!r} is already used by {seen[batch.name]}")
            continue
        seen[batch.name] = str(path)
        yield batch
