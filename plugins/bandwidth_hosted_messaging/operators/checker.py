"""Check the site, the SIP peer and the numbers' importability."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperator, Context
from airflow.sdk.exceptions import AirflowFailException

from bandwidth_hosted_messaging.constants import DEFAULT_CONN_ID
from bandwidth_hosted_messaging.hooks.lazy import bandwidth_hook
from bandwidth_hosted_messaging.reporting.links import REPORT_LINKS

if TYPE_CHECKING:
    from bandwidth_hosted_messaging.contracts import CheckerResultDict, ImportRequestDict, RejectedNumberDict
    from bandwidth_hosted_messaging.hooks.bandwidth import BandwidthHook


class CheckImportabilityOperator(BaseOperator):
    """
    Check the site and SIP peer, then ask ``importTnChecker`` which numbers can be imported. A site and SIP peer
    that passed on this connection less than a day ago are not read again
    (:mod:`~bandwidth_hosted_messaging.hooks.site_memory`; any failed order of the connection drops that).

    Returns :class:`~bandwidth_hosted_messaging.contracts.CheckerResultDict`. With the request's
    ``rejection_policy`` ``fail``, any rejection fails the task (after pushing the result for the report).

    :param request: the validated request (templated; the output of ``validate_request``).
    :param bandwidth_conn_id: the Bandwidth connection (templated).
    """

    template_fields = ("request", "bandwidth_conn_id")
    operator_extra_links = REPORT_LINKS

    def __init__(self, *, request: Any, bandwidth_conn_id: str = DEFAULT_CONN_ID, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.request: ImportRequestDict = request
        self.bandwidth_conn_id = bandwidth_conn_id

    def execute(self, context: Context) -> CheckerResultDict:
        from bandwidth_hosted_messaging.hooks import site_memory
        from bandwidth_hosted_messaging.reporting.render import first_n

        hook = bandwidth_hook(self.bandwidth_conn_id)
        site_id, sip_peer_id = self.request["site_id"], self.request.get("sip_peer_id")
        if site_memory.remembered(self.bandwidth_conn_id, site_id, sip_peer_id):
            self.log.info("Site %s and its SIP peer passed the check less than a day ago: not read again", site_id)
        else:
            self._check_site(hook, site_id, sip_peer_id)
            site_memory.remember(self.bandwidth_conn_id, site_id, sip_peer_id)
        result = hook.check_importability(self.request["numbers"])
        rejected: list[RejectedNumberDict] = [
            {"number": n, "code": err.code, "description": err.description}
            for n, err in result.rejected_numbers().items()
        ]
        self.log.info("importTnChecker: %d importable, %d rejected", len(result.importable), len(rejected))
        output: CheckerResultDict = {"importable": list(result.importable), "rejected": rejected}
        if rejected and self.request.get("rejection_policy") == "fail":
            context["ti"].xcom_push(key="return_value", value=output)
            shown = first_n((f"{r['number']} ({r['code']})" for r in rejected), total=len(rejected))
            raise AirflowFailException(f"{len(rejected)} number(s) rejected by importTnChecker: {shown}")
        return output

    @staticmethod
    def _check_site(hook: BandwidthHook, site_id: str, sip_peer_id: str | None) -> None:
        if hook.get_site(site_id) is None:
            raise AirflowFailException(f"site_id: site {site_id} does not exist in this Bandwidth account")
        peers = hook.list_sip_peers(site_id)
        if sip_peer_id:
            if not any(p.peer_id == sip_peer_id for p in peers):
                raise AirflowFailException(f"sip_peer_id: SIP peer {sip_peer_id} is not in site {site_id}")
        elif not any(p.is_default for p in peers):
            raise AirflowFailException(f"sip_peer_id: site {site_id} has no default SIP peer; give one")
