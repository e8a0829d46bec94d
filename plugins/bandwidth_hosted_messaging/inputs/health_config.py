"""
The health check's config file (``include/health.yaml``): its schedule, time zone and connection.

Reading it is cheap (YAML only); a bad file raises :class:`HealthConfigError` naming the file and the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from bandwidth_hosted_messaging import config
from bandwidth_hosted_messaging.constants import DEFAULT_CONN_ID
from bandwidth_hosted_messaging.inputs.batch_file import check_schedule
from bandwidth_hosted_messaging.inputs.errors import BatchFileError
from bandwidth_hosted_messaging.inputs.yaml_file import read_yaml_mapping

DEFAULT_SCHEDULE = "@daily"

#: Fields of the health config file (``include/health.yaml``).
HEALTH_FIELDS = ("schedule", "timezone", "bandwidth_conn_id")
#: Presets that cannot be combined with asset events in ``AssetOrTimeSchedule``.
NOT_A_TIMETABLE = {"@once", "@continuous"}


class HealthConfigError(BatchFileError):
    """The health config file is invalid: ``path`` and ``field`` say where, the message says why."""


@dataclass(frozen=True)
class HealthConfig:
    """
    The health check's settings.

    :param schedule: cron expression or preset in ``timezone``; ``None``: only ``MESSAGING_LOST`` events start it.
    :param timezone: IANA time zone of the schedule.
    :param bandwidth_conn_id: the Bandwidth connection (default ``[bandwidth] conn_id``).
    """

    path: str
    schedule: str | None = DEFAULT_SCHEDULE
    timezone: str = "UTC"
    bandwidth_conn_id: str = DEFAULT_CONN_ID


def load_health_config(path: Path | str) -> HealthConfig:
    """
    Read and validate the health config file (cheap: YAML only). A missing file means the defaults (daily,
    UTC, ``[bandwidth] conn_id``); an empty one too.

    :raises HealthConfigError: naming the file and the field.
    """
    path = Path(path)
    if not path.exists():
        return HealthConfig(str(path), bandwidth_conn_id=config.bandwidth_conn_id())
    data = read_yaml_mapping(path, HealthConfigError)
    data = {} if data is None else data
    if not isinstance(data, dict):
        raise HealthConfigError(path, None, "must be a YAML mapping of fields")
    unknown = sorted(set(map(str, data)) - set(HEALTH_FIELDS))
    if unknown:
        raise HealthConfigError(path, unknown[0], f"unknown field (known: {', '.join(HEALTH_FIELDS)})")
    schedule: str | None = DEFAULT_SCHEDULE
    if "schedule" in data:
        try:
            schedule = check_schedule(data["schedule"], path)
        except BatchFileError as err:
            raise HealthConfigError(path, "schedule", err.reason) from None
    if schedule in NOT_A_TIMETABLE:
        raise HealthConfigError(
            path,
            "schedule",
            f"{schedule} cannot run beside MESSAGING_LOST events: use a cron expression, a preset such as @daily, "
            "or null",
        )
    tz = data.get("timezone", "UTC")
    if not isinstance(tz, str) or not _known_timezone(tz):
        raise HealthConfigError(path, "timezone", "is not a known IANA time zone (e.g. UTC, America/Denver)")
    conn_id = data.get("bandwidth_conn_id", config.bandwidth_conn_id())
    if not isinstance(conn_id, str) or not re.fullmatch(r"[A-Za-z0-9_.\-]{1,250}", conn_id):
        raise HealthConfigError(path, "bandwidth_conn_id", "is not a connection id")
    return HealthConfig(str(path), schedule, tz, conn_id)


def _known_timezone(name: str) -> bool:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True
