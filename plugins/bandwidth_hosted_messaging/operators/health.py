"""
The two steps of the hosted-number health check (DAG ``hosted_numbers_health``).

``check_hosted_numbers`` asks the hosted-number inventory (:mod:`bandwidth_hosted_messaging.inventory`) which numbers
are hosted and checks each against ``/inserviceNumbers`` in as few calls as the import's verification (pages or
single look-ups, whichever is fewer); ``report`` writes one row per checked number (``in_service`` or ``lost``) as
``report.json`` and ``report.csv``, plus ``losses.json`` (the losses, what a backfill of the inventory reads),
records the losses in the inventory, then fails naming the lost numbers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperator, Context
from airflow.sdk.exceptions import AirflowFailException

from bandwidth_hosted_messaging.assets import MESSAGING_LOST
from bandwidth_hosted_messaging.constants import DEFAULT_CONN_ID, LOSSES_JSON, REPORT_CSV, REPORT_JSON
from bandwidth_hosted_messaging.hooks.lazy import bandwidth_hook
from bandwidth_hosted_messaging.operators.report import record_in_inventory
from bandwidth_hosted_messaging.statuses import HealthOutcome

if TYPE_CHECKING:
    from bandwidth_hosted_messaging.inventory.inventory import Inventory, Selection
    from bandwidth_hosted_messaging.reporting.health import HealthRow

# The report's rows and files are imported when a task runs, not when the DAG file is parsed (every task process
# parses it again).


def _event(timestamp: Any, extra: Any) -> dict[str, Any] | None:
    """A ``MESSAGING_LOST`` asset event as plain JSON, or ``None`` for another kind of event."""
    from bandwidth_hosted_messaging.client.numbers import canonical
    from bandwidth_hosted_messaging.reporting.times import iso

    extra = extra if isinstance(extra, dict) else {}
    if str(extra.get("event_type") or "").upper() != "MESSAGING_LOST":
        return None
    recorded = iso(timestamp) if hasattr(timestamp, "astimezone") else str(timestamp)
    return {
        "recorded_at": recorded,
        "event_time": extra.get("event_time"),
        "numbers": [canonical(str(n)) for n in extra.get("numbers") or ()],
    }


class CheckHostedNumbersOperator(BaseOperator):
    """
    Check every hosted number of the inventory against ``/inserviceNumbers`` and collect the ``MESSAGING_LOST``
    events that named one of them since its import (the run's triggering events among them). Removed and
    already lost numbers are not checked (but the numbers this very run found lost before it was cleared are).
    Returns what the report needs (numbers only, no rows).

    :param bandwidth_conn_id: the Bandwidth connection.
    :param page_size: in-service numbers per page.
    """

    template_fields = ("bandwidth_conn_id",)

    def __init__(self, *, bandwidth_conn_id: str = DEFAULT_CONN_ID, page_size: int = 500, **kwargs: Any) -> None:
        kwargs.setdefault("inlets", [MESSAGING_LOST])
        super().__init__(**kwargs)
        self.bandwidth_conn_id = bandwidth_conn_id
        self.page_size = page_size

    def execute(self, context: Context) -> dict[str, Any]:
        from bandwidth_hosted_messaging.inventory.inventory import Inventory
        from bandwidth_hosted_messaging.reporting.health import messaging_lost_since_import
        from bandwidth_hosted_messaging.reporting.times import utc_now

        inventory = Inventory.configured()
        selection = numbers_to_check(inventory, context)
        hosted = selection.numbers
        self.log.info("Inventory %s: %s; checking %d hosted number(s)", inventory, inventory.counts(), len(hosted))
        checked_at = utc_now()
        found: set[str] = set()
        if hosted:
            found = bandwidth_hook(self.bandwidth_conn_id).find_in_service(hosted, page_size=self.page_size)
        triggering = self._triggering_events(context)
        events = self._events_since(context, selection, triggering)
        named = {n for e in events for n in e["numbers"]}
        noted = messaging_lost_since_import(events, inventory.imports_of(named & set(hosted)), hosted)
        not_in_service = [n for n in hosted if n not in found]
        self.log.info(
            "%d of %d hosted number(s) in service; %d not in service; %d named by MESSAGING_LOST since their import",
            len(hosted) - len(not_in_service),
            len(hosted),
            len(not_in_service),
            len(noted),
        )
        for number in sorted(set(noted) & found):
            self.log.warning(
                "%s: MESSAGING_LOST at %s, but Bandwidth still lists it in service: not counted lost",
                number,
                noted[number],
            )
        return {
            "checked_at": checked_at,
            "checked": hosted,
            "not_in_service": not_in_service,
            "messaging_lost": noted,
            "messaging_lost_events": [e for e in events if set(e["numbers"]) & set(noted)],
            "triggering_events": triggering,
        }

    @staticmethod
    def _triggering_events(context: Context) -> list[dict[str, Any]]:
        events = []
        for asset_events in (context.get("triggering_asset_events") or {}).values():
            for event in asset_events:
                plain = _event(event.timestamp, event.extra)
                if plain is not None:
                    events.append(plain)
        return events

    def _events_since(
        self, context: Context, selection: Selection, triggering: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """``MESSAGING_LOST`` events recorded after the oldest import among the numbers (and the triggering ones)."""
        if not selection.numbers or selection.oldest_import is None:
            return []
        accessor = context["inlet_events"][MESSAGING_LOST].after(selection.oldest_import)
        events = [e for e in (_event(a.timestamp, a.extra) for a in accessor) if e is not None]
        seen = {(e["recorded_at"], tuple(e["numbers"])) for e in events}
        return events + [e for e in triggering if (e["recorded_at"], tuple(e["numbers"])) not in seen]


def numbers_to_check(inventory: Inventory, context: Context) -> Selection:
    """The hosted numbers, and those this run found lost before (a cleared and re-run health run checks them again)."""
    return inventory.numbers_to_check((context["dag"].dag_id, context["run_id"]))


class HealthReportOperator(BaseOperator):
    """
    Write the health run's report: one row per checked number (``in_service`` or ``lost``, when it was
    imported and by which run, the ``MESSAGING_LOST`` event that named it) as ``report.json`` and ``report.csv``,
    and the lost numbers with when they were noticed as ``losses.json``, under
    ``report_base()/hosted_numbers_health/<run>/``; record the losses in the inventory (after the files, as the
    import's report does: an unreachable database fails the task, whose retry writes both again). Then fail
    naming the lost numbers; nothing lost is success.
    Returns the summary and the lost numbers (the rows stay in the files: a daily XCom of every number is waste).

    :param check_task_id: the :class:`CheckHostedNumbersOperator` task.
    """

    def __init__(self, *, check_task_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.check_task_id = check_task_id

    def execute(self, context: Context) -> dict[str, Any]:
        from bandwidth_hosted_messaging.reporting import render
        from bandwidth_hosted_messaging.reporting.health import build_health_rows, health_table

        ti = context["ti"]
        check = ti.xcom_pull(task_ids=self.check_task_id)
        if not check:
            raise AirflowFailException(f"No check result: see the {self.check_task_id} task's log")
        not_in_service = set(check["not_in_service"])
        in_service = [n for n in check["checked"] if n not in not_in_service]
        from bandwidth_hosted_messaging.inventory.inventory import Inventory

        imports = Inventory.configured().imports_of(check["checked"])
        rows = build_health_rows(check["checked"], in_service, check["messaging_lost"], imports)
        lost = [r for r in rows if r.outcome == HealthOutcome.LOST]
        result = {
            "dag_id": context["dag"].dag_id,
            "run_id": context["run_id"],
            "checked_at": check["checked_at"],
            "summary": {"total": len(rows), "in_service": len(rows) - len(lost), "lost": len(lost)},
            "lost": [r.number for r in lost],
            "messaging_lost_events": check["messaging_lost_events"],
            "triggering_events": check["triggering_events"],
        }
        losses = self._write(context, rows, lost, result)
        self.log.info("Hosted-number health (%s):\n%s", result["summary"], health_table(rows))
        self.log.info("Report written to %s", ", ".join(result["artifacts"].values()))
        record_in_inventory(losses, self.log)
        if lost:
            ti.xcom_push(key="return_value", value=result)
            shown = render.first_n((f"{r.number} ({_why(r)})" for r in lost), total=len(lost))
            raise AirflowFailException(f"{len(lost)} hosted number(s) lost: {shown}")
        return result

    def _write(
        self, context: Context, rows: list[HealthRow], lost: list[HealthRow], result: dict[str, Any]
    ) -> dict[str, Any]:
        """Write the three files; the losses (what the inventory records)."""
        from bandwidth_hosted_messaging.reporting import render
        from bandwidth_hosted_messaging.reporting.health import health_csv
        from bandwidth_hosted_messaging.reporting.storage import run_files
        from bandwidth_hosted_messaging.reporting.times import utc_now

        csv_path, json_path, losses_path = run_files(
            context["dag"].dag_id, context["run_id"], REPORT_CSV, REPORT_JSON, LOSSES_JSON
        )
        result["artifacts"] = {"csv": str(csv_path), "json": str(json_path), "losses": str(losses_path)}
        result["finished_at"] = utc_now()
        losses = {
            "dag_id": result["dag_id"],
            "run_id": result["run_id"],
            "finished_at": result["finished_at"],
            "lost": [
                {
                    "number": r.number,
                    "noticed_at": result["checked_at"],
                    "in_service": r.in_service,
                    "messaging_lost_event": r.messaging_lost_event,
                }
                for r in lost
            ],
        }
        csv_path.write_text(health_csv(rows))
        json_path.write_text(render.to_json({**result, "rows": [r.to_dict() for r in rows]}))
        losses_path.write_text(render.to_json(losses))
        return losses


def _why(row: HealthRow) -> str:
    reasons = [] if row.in_service else ["not in service"]
    if row.messaging_lost_event:
        reasons.append(f"MESSAGING_LOST {row.messaging_lost_event}")
    return "; ".join(reasons)
