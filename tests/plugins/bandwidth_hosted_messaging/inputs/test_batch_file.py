"""Reading batch files: every problem names the file and the field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bandwidth_hosted_messaging.constants import MAX_BATCH_NUMBERS
from bandwidth_hosted_messaging.inputs.batch_file import load_batch, load_batches
from bandwidth_hosted_messaging.inputs.errors import BatchFileError
from tests.dags_helpers import batch_fields

ROOT = Path(__file__).resolve().parents[4]
GOOD = batch_fields(
    name="good_batch", schedule="0 6 * * 1", numbers=["+1 303 555 0100", "+13035550101", "+13035550101"]
)


def write(folder: Path, name: str, data) -> Path:
    path = folder / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data))
    return path


def with_changes(**changes):
    data = {**GOOD, "subscriber": dict(GOOD["subscriber"])}
    for key, value in changes.items():
        if key.startswith("subscriber."):
            data["subscriber"][key.split(".", 1)[1]] = value
        elif value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def test_a_good_batch_becomes_params_values(tmp_path):
    batch = load_batch(write(tmp_path, "good.yaml", GOOD))
    assert batch.dag_id == "import_batch_good_batch"
    assert batch.schedule == "0 6 * * 1"
    assert batch.values["subscriber_name"] == "Acme Dental"
    assert batch.numbers_count == 2


def test_the_wait_fields_default_to_the_safety_poll_the_long_stop_and_the_deployers_deadline(tmp_path):
    batch = load_batch(write(tmp_path, "b.yaml", yaml.safe_dump(GOOD)))
    assert (batch.poll_interval, batch.wait_timeout, batch.deadline_hours) == (900.0, 30 * 86400.0, 24.0)
    own = load_batch(write(tmp_path, "c.yaml", with_changes(poll_interval=60, wait_timeout=3600, deadline_hours=2.5)))
    assert (own.poll_interval, own.wait_timeout, own.deadline_hours) == (60.0, 3600.0, 2.5)


def test_the_approval_threshold_and_dry_run_come_from_the_file_or_the_deployment(tmp_path):
    batch = load_batch(write(tmp_path, "b.yaml", GOOD))
    assert (batch.approval_threshold, batch.values["dry_run"]) == (None, False)  # None: [bandwidth] at run time
    own = load_batch(write(tmp_path, "c.yaml", with_changes(approval_threshold=0, dry_run=True)))
    assert (own.approval_threshold, own.values["dry_run"]) == (0, True)


def test_the_shipped_sample_batch_is_valid():
    batch = load_batch(ROOT / "include" / "batches" / "acme_dental.yaml")
    assert batch.numbers_count == 12 and batch.values["loa_file"].endswith("sample-loa.pdf")


def test_numbers_file_and_relative_loa_are_resolved_beside_the_batch(tmp_path):
    (tmp_path / "nums.csv").write_text("number\n303-555-0100\n# a comment\n3035550101\n")
    (tmp_path / "loa").mkdir()
    (tmp_path / "loa" / "loa.pdf").write_bytes(b"%PDF-1.4")
    batch = load_batch(
        write(tmp_path, "b.yaml", with_changes(numbers=None, numbers_file="nums.csv", loa_file="loa/loa.pdf"))
    )
    assert batch.values["numbers"] == ["303-555-0100", "3035550101"]  # as written: the first task normalises
    assert batch.values["loa_file"] == str(tmp_path / "loa" / "loa.pdf")
    assert str(tmp_path / "loa") in batch.loa_roots  # the batch folder's own loa/


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"numbers": ["13035550100", "23035550100"]}, "numbers"),
        ({"numbers": []}, "numbers"),
        ({"numbers": [f"303{i:07d}" for i in range(2_000_000, 2_000_000 + MAX_BATCH_NUMBERS + 1)]}, "numbers"),
        ({"subscriber.state_code": "Colorado"}, "subscriber.state_code"),
        ({"subscriber.zip": "8020"}, "subscriber.zip"),
        ({"subscriber.name": "x" * 46}, "subscriber.name"),
        ({"customer_order_id_prefix": "bad_prefix!"}, "customer_order_id_prefix"),
        ({"customer_order_id_prefix": "x" * 19}, "customer_order_id_prefix"),
        ({"site_id": "abc"}, "site_id"),
        ({"loa_file": "/nonexistent/loa.pdf"}, "loa_file"),
        ({"loa_file": __file__}, "loa_file"),
        ({"rejection_policy": "ignore"}, "rejection_policy"),
        ({"schedule": "every day"}, "schedule"),
        ({"schedule": "@fortnightly"}, "schedule"),
        ({"name": "bad name!"}, "name"),
        ({"colour": "blue"}, "colour"),
        ({"subscriber.floor": "2"}, "subscriber.floor"),
    ],
)
def test_each_bad_field_is_named(tmp_path, changes, field):
    path = write(tmp_path, "bad.yaml", with_changes(**changes))
    with pytest.raises(BatchFileError) as info:
        load_batch(path)
    assert info.value.field == field
    assert str(path) in str(info.value)


def test_a_numbers_file_may_hold_100000_numbers_and_not_one_more(tmp_path):
    assert MAX_BATCH_NUMBERS == 100_000
    numbers = [f"303{i:07d}" for i in range(2_000_000, 2_000_000 + MAX_BATCH_NUMBERS + 1)]
    (tmp_path / "all.csv").write_text("number\n" + "\n".join(numbers[:-1]) + "\n")
    (tmp_path / "over.csv").write_text("number\n" + "\n".join(numbers) + "\n")
    batch = load_batch(write(tmp_path, "all.yaml", with_changes(numbers=None, numbers_file="all.csv")))
    assert batch.numbers_count == MAX_BATCH_NUMBERS
    with pytest.raises(BatchFileError, match="more than 100000 numbers") as info:
        load_batch(write(tmp_path, "over.yaml", with_changes(numbers=None, numbers_file="over.csv")))
    assert info.value.field == "numbers_file"


def test_unreadable_yaml_names_the_file(tmp_path):
    path = write(tmp_path, "broken.yaml", "name: [unclosed\n")
    with pytest.raises(BatchFileError, match="not valid YAML"):
        load_batch(path)


def test_one_bad_file_does_not_stop_the_others(tmp_path):
    write(tmp_path, "a.yaml", with_changes(name="a_batch"))
    write(tmp_path, "b.yaml", with_changes(name="b_batch", **{"subscriber.zip": "bad"}))
    write(tmp_path, "c.yaml", with_changes(name="a_batch"))
    items = list(load_batches(tmp_path))
    assert [getattr(i, "name", None) for i in items] == ["a_batch", None, None]
    assert items[1].field == "subscriber.zip" and items[2].field == "name"


# ---- issue 13: what a hostile or careless batch author can no longer do -------------------------------------

ALIAS_BOMB = (
    'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n'
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
)


def test_a_yaml_alias_bomb_is_refused_at_once(tmp_path):
    path = write(tmp_path, "bomb.yaml", ALIAS_BOMB)
    with pytest.raises(BatchFileError, match="aliases"):
        load_batch(path)


def test_an_oversized_batch_file_is_refused_before_it_is_parsed(tmp_path):
    path = write(tmp_path, "huge.yaml", "numbers:\n" + "  - '+13035550100'\n" * 200_000)
    with pytest.raises(BatchFileError, match="bytes"):
        load_batch(path)


def test_a_duplicate_key_is_refused_naming_it(tmp_path):
    path = write(tmp_path, "dup.yaml", yaml.safe_dump(GOOD) + "site_id: '99999'\n")
    with pytest.raises(BatchFileError, match="'site_id' is given twice"):
        load_batch(path)


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"description": {"x": 1}}, "description"),
        ({"chunk_size": 1.5}, "chunk_size"),
        ({"chunk_size": True}, "chunk_size"),
        ({"chunk_size": 0}, "chunk_size"),
        ({"poll_interval": 0}, "poll_interval"),
        ({"poll_interval": -1}, "poll_interval"),
        ({"poll_interval": 0.001}, "poll_interval"),
        ({"grace_period": 10**9}, "grace_period"),
        ({"wait_timeout": 0}, "wait_timeout"),
        ({"wait_timeout": 10**9}, "wait_timeout"),
        ({"deadline_hours": 0}, "deadline_hours"),
        ({"deadline_hours": "24"}, "deadline_hours"),
        ({"deadline_hours": 10**6}, "deadline_hours"),
        ({"subscriber.street_name": "Main St\n<Evil/>"}, "subscriber.street_name"),
        ({"subscriber.city": "x" * 61}, "subscriber.city"),
        ({"subscriber.zip": "８０２０２"}, "subscriber.zip"),
        ({"site_id": "١٢٣"}, "site_id"),
        ({"bandwidth_conn_id": "../etc"}, "bandwidth_conn_id"),
        ({"approval_threshold": -1}, "approval_threshold"),
        ({"approval_threshold": "1000"}, "approval_threshold"),
        ({"approval_threshold": True}, "approval_threshold"),
        ({"dry_run": "yes"}, "dry_run"),
    ],
)
def test_a_careless_value_is_refused_naming_the_field(tmp_path, changes, field):
    with pytest.raises(BatchFileError) as info:
        load_batch(write(tmp_path, "bad.yaml", with_changes(**changes)))
    assert info.value.field == field


def test_a_batch_file_symlinked_out_of_the_folder_is_refused_without_its_content(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("root:$6$very-secret-hash:19000:0:99999:7:::\n")
    folder = tmp_path / "batches"
    folder.mkdir()
    (folder / "evil.yaml").symlink_to(secret)
    (error,) = list(load_batches(folder))
    assert isinstance(error, BatchFileError) and "very-secret" not in str(error)
    assert "must be a file in the batch folder" in str(error)


def test_a_numbers_file_outside_the_folder_is_refused_and_errors_never_show_content(tmp_path):
    outside = tmp_path / "passwd"
    outside.write_text("root:x:0:0:root:/root:/bin/bash\n")
    folder = tmp_path / "batches"
    folder.mkdir()
    with pytest.raises(BatchFileError) as info:
        load_batch(write(folder, "a.yaml", with_changes(numbers=None, numbers_file=str(outside))))
    assert info.value.field == "numbers_file" and "root:x" not in str(info.value)
    (folder / "inside.csv").write_text("3035550100\nroot:x:0:0:root:/root:/bin/bash\n")
    with pytest.raises(BatchFileError) as info:
        load_batch(write(folder, "b.yaml", with_changes(numbers=None, numbers_file="inside.csv")))
    assert "line 2" in str(info.value) and "root:x" not in str(info.value)


def test_a_yaml_error_says_where_but_not_what(tmp_path):
    path = write(tmp_path, "broken.yaml", "name: ok\nsecret: [hunter2-password\n")
    with pytest.raises(BatchFileError) as info:
        load_batch(path)
    assert "line" in str(info.value) and "hunter2" not in str(info.value)


def test_an_unexpected_error_in_one_file_is_that_files_error(tmp_path):
    write(tmp_path, "a.yaml", with_changes(name="a_batch"))
    write(tmp_path, "b.yaml", "- just\n- a list\n")
    write(tmp_path, "c.yaml", yaml.safe_dump({**GOOD, "name": "c_batch", 1: "x"}))
    items = list(load_batches(tmp_path))
    assert [type(i).__name__ for i in items] == ["Batch", "BatchFileError", "BatchFileError"]


def test_the_dag_files_read_checks_every_field_but_the_numbers_and_the_loa(tmp_path):
    path = write(tmp_path, "b.yaml", with_changes(numbers=["23035550100"], loa_file=str(tmp_path / "missing.pdf")))
    shallow = load_batch(path, with_numbers=False)
    assert shallow.numbers_count is None and "numbers" not in shallow.values or shallow.values["numbers"] is None
    with pytest.raises(BatchFileError) as info:
        load_batch(path)
    assert info.value.field in ("numbers", "loa_file")
    bad_state = write(tmp_path, "c.yaml", with_changes(**{"subscriber.state_code": "Colorado"}))
    with pytest.raises(BatchFileError, match="subscriber.state_code"):
        load_batch(bad_state, with_numbers=False)
