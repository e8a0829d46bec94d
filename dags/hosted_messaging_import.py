"""
### Import customer numbers into Bandwidth for Hosted Messaging

Trigger it with the form: the numbers, the subscriber and service address as on the LOA, the Bandwidth site, and
the signed LOA file. The technical settings (order id prefix, chunking, the safety poll) have sensible defaults.

**Steps.** validate the request (a bad field stops the run before any call to Bandwidth, naming the field) →
make sure Bandwidth's callbacks reach us → check the site and ask `importTnChecker` which numbers can come →
plan the orders → **approve** (a run of at least `[bandwidth] approval_threshold` numbers, default 1,000, waits
in *Required actions* for a person's *Approve*) → create the import orders, one mapped task each → wait for each
order's final status (callbacks, a safety poll; no worker slot) → upload the LOA → verify in service → report.

**Dry run** (field *Dry run*): everything up to the plan, then a report whose numbers are `would_order`; nothing is
ordered or uploaded and no subscription changes.

**Re-run the failed numbers**: the "Re-run failed numbers" action on the run's *Hosted messaging* page, or the
field `retry_failed_of_run` (a finished run's id; API/CLI): the numbers become that run's `order_failed`,
`not_ordered` and `not_in_service` ones.

**Outcomes per number** (the report, the *Hosted messaging* page): `in_service`, `already_in_service`, `rejected`
(by the checker, with its code; under the *skip* policy it does not fail the run), `order_failed` (Bandwidth's
code), `not_ordered` (a step before the order failed, or the approval was rejected or timed out),
`not_in_service` (ordered, not in service after the grace period), `would_order` (dry run). The run fails if a
number that should have been imported was not.
"""

from __future__ import annotations

from airflow.sdk import DAG, Param

from bandwidth_hosted_messaging.constants import IMPORT_DAG
from bandwidth_hosted_messaging.flows.deadline import deadline_alert
from bandwidth_hosted_messaging.flows.defaults import DEFAULT_ARGS, TAGS
from bandwidth_hosted_messaging.flows.import_flow import build_import_flow
from bandwidth_hosted_messaging.flows.notifications import run_notifiers
from bandwidth_hosted_messaging.flows.params import (
    FLOW_TEMPLATES,
    TECHNICAL,
    dry_run_param,
    form_params,
    numbers_param,
    order_params,
)

with DAG(
    dag_id=IMPORT_DAG,
    description="Import customer numbers into Bandwidth for Hosted Messaging",
    schedule=None,
    catchup=False,
    default_args=DEFAULT_ARGS,
    tags=TAGS,
    doc_md=__doc__,
    deadline=deadline_alert(),
    **run_notifiers(),
    params=form_params(
        {
            "numbers": numbers_param(
                "One per line. +1, dashes, dots, spaces and parentheses are fine; duplicates are removed."
            ),
            "subscriber_name": Param(
                type="string",
                minLength=1,
                maxLength=45,
                title="Subscriber name",
                description="The customer, as on the LOA (at most 45 characters).",
            ),
            "house_number": Param(
                type="string", minLength=1, title="House number", description="Service address: house number."
            ),
            "street_name": Param(
                type="string", minLength=1, title="Street name", description="Service address: street."
            ),
            "city": Param(type="string", minLength=1, title="City", description="Service address: city."),
            "state_code": Param(
                type="string", pattern="^[A-Za-z]{2}$", title="State code", description="Two letters, e.g. CO."
            ),
            "zip": Param(
                type="string", pattern=r"^\d{5}(-?\d{4})?$", title="ZIP code", description="12345 or 12345-6789."
            ),
            "county": Param(None, type=["null", "string"], title="County", description="Optional."),
            "loa_authorizing_person": Param(
                type="string",
                minLength=1,
                title="LOA authorising person",
                description="Who signed the Letter of Authorization.",
            ),
            "site_id": Param(
                type="string",
                pattern=r"^\d+$",
                title="Site ID",
                description=(
                    "The Bandwidth site the numbers go to: a sub-account in the Bandwidth Dashboard (Account > "
                    "Sub-accounts shows its ID), or the Id of GET /accounts/{account}/sites."
                ),
            ),
            "sip_peer_id": Param(
                None,
                type=["null", "string"],
                title="SIP peer ID",
                description="Optional: a location (SIP peer) of the site; the site's default is used otherwise.",
            ),
            "loa_file": Param(
                type="string",
                minLength=1,
                title="LOA file",
                description=(
                    "The signed Letter of Authorization: a path or object-storage URL (s3://, gs://...) under the "
                    "deployer's LOA roots; PDF, TIFF, PNG, JPEG, Word, Excel, CSV or text, at most 5 MB. Required."
                ),
            ),
            "dry_run": dry_run_param(),
            "rejection_policy": Param(
                "skip",
                enum=["skip", "fail"],
                section=TECHNICAL,
                title="When the checker rejects numbers",
                description="skip: import the rest and report the rejected; fail: stop before ordering.",
            ),
            **order_params("import", "How long to wait for completed numbers to show in service."),
            "retry_failed_of_run": Param(
                None,
                type=["null", "string"],
                section=TECHNICAL,
                title="Re-run the failed numbers of run",
                description=(
                    "A finished run of this DAG: order only its numbers that ended order_failed, not_ordered or "
                    "not_in_service (the numbers field is then ignored). The status page's action fills it in."
                ),
            ),
        }
    ),
) as dag:
    build_import_flow(**FLOW_TEMPLATES)
