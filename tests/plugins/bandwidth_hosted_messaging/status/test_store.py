"""
What the status page reads, on report files laid out as the runs write them: the counts (LOA missing, lost),
the bar, the caches (a report is parsed again only when it changed), a 10,000-number run, runs known only by
their report. (The same functions on reports of real runs: test_api.py.)
"""

from __future__ import annotations

import json

import pytest
from airflow.sdk import ObjectStoragePath

from bandwidth_hosted_messaging.client.numbers import InvalidNumber as NotANumber
from bandwidth_hosted_messaging.reporting.storage import run_folder_name
from bandwidth_hosted_messaging.status import categories, history, views
from bandwidth_hosted_messaging.status.store import ReportStore
from tests.dags_helpers import e164

IMPORT, BATCH, REMOVE = "hosted_messaging_import", "import_batch_big", "hosted_messaging_remove"


def row(number, outcome, **fields):
    return {
        "number": number,
        "outcome": outcome,
        "checker_code": None,
        "checker_description": None,
        "order_id": None,
        "customer_order_id": None,
        "order_status": None,
        "error_code": None,
        "error_description": None,
        "loa_file": None,
        "in_service": None,
        **fields,
    }


def write_report(base, dag_id, run_id, rows, at="2026-01-01T00:00:00.000Z"):
    folder = base / dag_id / run_folder_name(run_id)
    folder.mkdir(parents=True, exist_ok=True)
    summary = {"total": len(rows)}
    for r in rows:
        summary[r["outcome"]] = summary.get(r["outcome"], 0) + 1
    report = {"dag_id": dag_id, "run_id": run_id, "summary": summary, "duplicates": [], "rows": rows, "finished_at": at}
    (folder / "report.json").write_text(json.dumps(report))
    return folder / "report.json"


@pytest.fixture
def base(tmp_path) -> ObjectStoragePath:
    return ObjectStoragePath(f"file://{tmp_path}/reports")


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("+13035550100", "+13035550100"),
        ("+1 (303) 555-0100", "+13035550100"),
        ("1.303.555.0100", "+13035550100"),
        (" 303 555 0100 ", "+13035550100"),
    ],
)
def test_numbers_are_read_as_people_write_them(text, number):
    assert history.normalize_lookup(text) == number


@pytest.mark.parametrize("text", ["23035550101", "303555010", "0035550100", "3031550100", "abc", ""])
def test_anything_else_is_not_a_number(text):
    with pytest.raises(NotANumber):
        history.normalize_lookup(text)


def test_an_ordered_number_without_its_loa_file_counts_as_loa_missing(base):
    order = {"order_id": "o-1", "order_status": "COMPLETE", "customer_order_id": "c-1"}
    write_report(
        base,
        IMPORT,
        "manual__1",
        [
            row("+13035550100", "in_service", loa_file="o-1.pdf", in_service=True, **order),
            row("+13035550101", "in_service", in_service=True, **order),  # the LOA upload of its order failed
            row("+13035550102", "not_in_service", in_service=False, **order),
            row("+13035550103", "order_failed", error_code="7518", **order),  # failed: no LOA was due
            row("+13035550199", "rejected", checker_code="19006"),
        ],
    )
    store = ReportStore(base, scan_interval=0)
    (digest,) = store.digests()
    assert digest.loa_missing == 2
    assert digest.outcomes == {"in_service": 2, "not_in_service": 1, "order_failed": 1, "rejected": 1}
    assert digest.total == 5
    rows = store.report(IMPORT, "manual__1")["rows"]
    assert categories.tally(IMPORT, rows) == (digest.outcomes, 2)
    assert categories.tally(REMOVE, rows)[1] == 0  # a removal is owed no LOA
    assert [r["number"] for r in categories.filter_rows(IMPORT, rows, outcome="loa_missing")] == [
        "+13035550101",
        "+13035550102",
    ]
    attention = categories.filter_rows(IMPORT, rows, outcome="attention")
    assert [r["number"] for r in attention] == ["+13035550101", "+13035550102", "+13035550103"]


def test_the_bar_holds_every_number_once_with_the_lost_out_of_in_service():
    counts = {"in_service": 10, "lost": 3, "rejected": 2, "order_failed": 1, "loa_missing": 4}
    assert categories.bar_of(counts) == [
        {"key": "in_service", "count": 7, "tone": "ok"},
        {"key": "lost", "count": 3, "tone": "bad"},
        {"key": "rejected", "count": 2, "tone": "info"},
        {"key": "order_failed", "count": 1, "tone": "bad"},
    ]
    assert categories.needs_attention({"in_service": 5, "rejected": 1}, "success") is False
    assert categories.needs_attention({"in_service": 5, "loa_missing": 1}, "success") is True
    assert categories.needs_attention({"in_service": 5}, "failed") is True


def test_batch_names_and_labels():
    assert categories.label_of("import_batch_acme_dental") == "acme_dental"
    assert categories.label_of(IMPORT, "Acme Dental") == "Acme Dental (form)"
    assert categories.label_of(IMPORT) == "form"
    assert categories.label_of(REMOVE) == "removal"
    dags = (IMPORT, BATCH, REMOVE, "hosted_numbers_health", "other")
    assert [d for d in dags if categories.is_report_dag(d)] == [IMPORT, BATCH, REMOVE]


def test_a_report_is_parsed_again_only_when_it_changed(base):
    path = write_report(base, IMPORT, "manual__1", [row("+13035550100", "in_service", in_service=True)])
    write_report(base, "hosted_numbers_health", "scheduled__1", [row("+13035550100", "lost")])  # not an import run
    store = ReportStore(base, scan_interval=0)
    first = store.digest_of(IMPORT, "manual__1")
    assert first.total == 1 and [d.dag_id for d in store.digests()] == [IMPORT]
    assert store.digest_of(IMPORT, "manual__1") is first  # listed again, not read again
    full = store.report(IMPORT, "manual__1")
    assert store.report(IMPORT, "manual__1") is full

    write_report(base, IMPORT, "manual__1", [row("+13035550100", "in_service"), row("+13035550101", "rejected")])
    second = store.digest_of(IMPORT, "manual__1")
    assert second is not first and second.total == 2
    assert len(store.report(IMPORT, "manual__1")["rows"]) == 2

    path.unlink()
    assert store.digest_of(IMPORT, "manual__1") is None and store.report(IMPORT, "manual__1") is None


def test_a_reports_counts_are_made_once_with_its_digest_and_kept_with_it(base):
    rows = [row("+13035550100", "in_service", order_id="o1"), row("+13035550101", "rejected")]
    write_report(base, IMPORT, "manual__1", rows)
    store = ReportStore(base, scan_interval=0)
    full = store.report(IMPORT, "manual__1")
    counted = store.tally(IMPORT, full)
    assert counted == categories.tally(IMPORT, rows)  # one LOA missing: ordered, no loa_file
    assert counted[0] == {"in_service": 1, "rejected": 1} and counted[1] == 1
    digest = store.digest_of(IMPORT, "manual__1")
    assert counted[0] is digest.outcomes  # the digest's counts, not a second pass over the rows
    assert store.tally(IMPORT, full) is counted

    other = {"rows": [row("+13035550102", "order_failed")]}  # a report the store does not keep (from an XCom)
    assert store.tally(IMPORT, other) == categories.tally(IMPORT, other["rows"])


def test_the_folder_is_listed_at_most_once_per_scan_interval(base):
    store = ReportStore(base, scan_interval=3600)
    assert store.digests() == []
    write_report(base, IMPORT, "manual__1", [row("+13035550100", "in_service")])
    assert store.digests() == []  # not listed again yet
    store.refresh(force=True)
    assert len(store.digests()) == 1


def test_a_10000_number_run_is_filtered_and_paged_on_the_server(base, airflow_db):
    from airflow.utils.session import create_session

    rows = [
        row(
            f"303{200 + i // 10000}{i % 10000:04d}",
            "in_service",
            order_id=f"o-{i // 1000}",
            in_service=True,
            loa_file="loa.pdf",
        )
        for i in range(10_000)
    ]
    for i in range(0, 10_000, 97):
        rows[i] = row(rows[i]["number"], "order_failed", order_id=f"o-{i // 1000}", error_code="7518")
    write_report(base, BATCH, "scheduled__big", rows)
    store = ReportStore(base, scan_interval=0)
    with create_session() as session:
        detail = views.run_detail(session, BATCH, "scheduled__big", reports=store)
        assert (detail["total"], detail["matched"], len(detail["rows"])) == (10_000, 10_000, views.DEFAULT_PAGE_SIZE)
        assert detail["counts"]["order_failed"] == 104 and detail["counts"]["in_service"] == 9_896
        failed = views.run_detail(
            session, BATCH, "scheduled__big", outcome="order_failed", offset=100, limit=50, reports=store
        )
        assert failed["matched"] == 104
        # the report was written in ten digits, as reports were before E.164: the page shows E.164 all the same
        assert [r["number"] for r in failed["rows"]] == e164(rows[i]["number"] for i in (9700, 9797, 9894, 9991))
        found = views.run_detail(session, BATCH, "scheduled__big", q="303 200 0097", reports=store)
        assert [r["number"] for r in found["rows"]] == ["+13032000097"]
        csv_text = views.run_csv(session, BATCH, "scheduled__big", outcome="order_failed", reports=store)
        assert csv_text.count("\n") == 105
        # known only by its report (no such run in the database): listed all the same
        (run,) = [r for r in views.overview(session, reports=store)["runs"] if r["run_id"] == "scheduled__big"]
        assert (run["batch"], run["state"], run["total"], run["attention"]) == ("big", None, 10_000, True)
        page = views.page_load(BATCH, "scheduled__big", reports=store, session=session)
        assert page["run"]["total"] == 10_000 and page["overview"]["runs"]
