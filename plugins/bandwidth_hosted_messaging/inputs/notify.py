"""
Who hears about a run that failed or needs attention: the deployer's ``[bandwidth] notify_*`` settings, or a batch
file's ``notify`` mapping over them. Connection ids and addresses only (never a credential, never the trigger form).

A batch file's ``notify`` may set ``smtp_conn_id``, ``email_to`` (one address or a list) and
``slack_webhook_conn_id``; a field it leaves out keeps the configuration's value, and ``null`` turns that channel
off for the batch. Email goes out when both an SMTP connection and recipients are set; recipients without an SMTP
connection are refused (they would never hear anything), an SMTP connection without recipients sends nothing (a
deployer may set the connection once and the recipients per batch).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bandwidth_hosted_messaging import config
from bandwidth_hosted_messaging.inputs.errors import BatchFileError, RequestError

#: The fields of a batch file's ``notify`` mapping; each is ``[bandwidth] notify_<field>`` in the configuration.
FIELDS = ("smtp_conn_id", "email_to", "slack_webhook_conn_id")
CONN_ID = re.compile(r"^[A-Za-z0-9_.\-]{1,250}$", re.ASCII)
#: An address as an SMTP server takes it: no spaces, no display name, one ``@``, a dot in the domain.
EMAIL = re.compile(r"^[^@\s,;<>\"'()\[\]\\]{1,64}@[A-Za-z0-9\-]{1,63}(\.[A-Za-z0-9\-]{1,63})+$", re.ASCII)
MAX_RECIPIENTS = 50


@dataclass(frozen=True)
class NotifyTargets:
    """Where a DAG's run notifications go (connection ids and addresses, nothing secret)."""

    smtp_conn_id: str | None = None
    email_to: tuple[str, ...] = ()
    slack_webhook_conn_id: str | None = None

    @property
    def email(self) -> bool:
        return bool(self.smtp_conn_id and self.email_to)

    @property
    def slack(self) -> bool:
        return bool(self.slack_webhook_conn_id)

    @property
    def any(self) -> bool:
        """Some channel is set: the DAG gets its notifiers."""
        return self.email or self.slack


def _conn_id(value: Any, field_name: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not CONN_ID.match(value):
        raise RequestError(field_name, "is not a connection id (letters, digits, '_', '.', '-')")
    return value


def _addresses(value: Any, field_name: str) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        value = [a.strip() for a in value.split(",") if a.strip()]
    if not isinstance(value, list | tuple):
        raise RequestError(field_name, "must be an email address or a list of them")
    if len(value) > MAX_RECIPIENTS:
        raise RequestError(field_name, f"holds more than {MAX_RECIPIENTS} addresses")
    bad = [str(i) for i, a in enumerate(value, 1) if not isinstance(a, str) or len(a) > 254 or not EMAIL.match(a)]
    if bad:
        # positions, never the value: the rule a batch file broke is shown where anyone may read it
        raise RequestError(field_name, f"entry {', '.join(bad[:10])}: not an email address (name@example.com)")
    return tuple(dict.fromkeys(value))


def notify_targets(values: Mapping[str, Any], name_of: Callable[[str], str] = str) -> NotifyTargets:
    """
    Check ``values`` (the keys of :data:`FIELDS`) and return the targets.

    :param name_of: how an error names a field (``notify.email_to`` in a batch file,
        ``[bandwidth] notify_email_to`` in the configuration).
    :raises RequestError: naming the field and the rule (never the value).
    """
    targets = NotifyTargets(
        smtp_conn_id=_conn_id(values.get("smtp_conn_id"), name_of("smtp_conn_id")),
        email_to=_addresses(values.get("email_to"), name_of("email_to")),
        slack_webhook_conn_id=_conn_id(values.get("slack_webhook_conn_id"), name_of("slack_webhook_conn_id")),
    )
    if targets.email_to and not targets.smtp_conn_id:
        raise RequestError(
            name_of("email_to"), f"needs an SMTP connection (smtp_conn_id, or [{config.SECTION}] notify_smtp_conn_id)"
        )
    return targets


def _config_name(field_name: str) -> str:
    return f"[{config.SECTION}] notify_{field_name}"


def configured_values(read: config.ReadOnce | None = None) -> dict[str, Any]:
    """The deployer's ``[bandwidth] notify_*`` settings, unchecked (read now, or taken from ``read``)."""
    read = read or config.ReadOnce()
    return {
        "smtp_conn_id": read(config.notify_smtp_conn_id) or None,
        "email_to": list(read(config.notify_email_to)),
        "slack_webhook_conn_id": read(config.notify_slack_webhook_conn_id) or None,
    }


def configured_targets() -> NotifyTargets:
    """
    The manual DAGs' targets: the deployer's ``[bandwidth] notify_*`` settings (none by default).

    :raises RequestError: a setting is malformed, named as ``[bandwidth] notify_<field>``.
    """
    return notify_targets(configured_values(), _config_name)


def batch_notify_targets(
    data: Mapping[str, Any], path: Path | str, read: config.ReadOnce | None = None
) -> NotifyTargets:
    """
    A batch file's targets: its ``notify`` mapping over the configuration's (read now, or taken from ``read``).

    :raises BatchFileError: naming ``notify`` or ``notify.<field>`` (or the configuration key it inherited).
    """
    own = data.get("notify")
    if own is None:
        own = {}
    if not isinstance(own, dict):
        raise BatchFileError(path, "notify", f"must be a mapping ({', '.join(FIELDS)})")
    unknown = sorted(str(k) for k in own if k not in FIELDS)
    if unknown:
        shown = unknown[0] if re.fullmatch(r"[A-Za-z_]{1,40}", unknown[0]) else "<a field>"
        raise BatchFileError(path, f"notify.{shown}", f"is not a notify field (known: {', '.join(FIELDS)})")

    def name_of(field_name: str) -> str:
        return f"notify.{field_name}" if field_name in own else _config_name(field_name)

    try:
        return notify_targets({**configured_values(read), **own}, name_of)
    except RequestError as err:
        raise BatchFileError(path, err.field, err.rule) from None
