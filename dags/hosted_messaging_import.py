"""
Import customer phone numbers into Bandwidth for Hosted Messaging: trigger it from the UI with the form.

check importability → create import orders (one mapped task per chunk) → wait in the triggerer →
upload the LOA → verify in service → per-number report.
"""

from __future__ import annotations

from airflow.sdk import DAG, Param

from bandwidth_hosted_messaging.constants import IMPORT_DAG
from bandwidth_hosted_messaging.flows.deadline import deadline_alert
from bandwidth_hosted_messaging.flows.defaults import DEFAULT_ARGS, TAGS
from bandwidth_hosted_messaging.flows.import_flow import build_import_flow
from bandwidth_hosted_messaging.flows.params import FLOW_TEMPLATES, numbers_param, order_params

with DAG(
    dag_id=IMPORT_DAG,
    description="Import customer numbers into Bandwidth for Hosted Messaging",
    schedule=None,
    catchup=False,
    default_args=DEFAULT_ARGS,
    tags=TAGS,
    doc_md=__doc__,
    deadline=deadline_alert(),
    params={
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
        "street_name": Param(type="string", minLength=1, title="Street name", description="Service address: street."),
        "city": Param(type="string", minLength=1, title="City", description="Service address: city."),
        "state_code": Param(
            type="string", pattern="^[A-Za-z]{2}$", title="State code", description="Two letters, e.g. CO."
        ),
        "zip": Param(type="string", pattern=r"^\d{5}(-?\d{4})?$", title="ZIP code", description="12345 or 12345-6789."),
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
            description="The Bandwidth site (sub-account) the numbers go to.",
        ),
        "sip_peer_id": Param(
            None,
            type=["null", "string"],
            title="SIP peer ID",
            description="Optional: the site's default SIP peer is used otherwise.",
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
        "rejection_policy": Param(
            "skip",
            enum=["skip", "fail"],
            title="When the checker rejects numbers",
            description="skip: import the rest and report the rejected; fail: stop before ordering.",
        ),
        **order_params("import", "How long to wait for completed numbers to show in service."),
    },
) as dag:
    build_import_flow(**FLOW_TEMPLATES)
