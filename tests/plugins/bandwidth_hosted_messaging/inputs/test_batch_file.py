"""Reading batch files: every problem names the file and the field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bandwidth_hosted_messaging.inputs.batch_file import load_batch, load_batches
from bandwidth_hosted_messaging.inputs.errors import BatchFileError

ROOT = Path(__file__).resolve().parents[4]
GOOD = {
    "name": "good_batch",
    "schedule": "0 6 * * 1",
    "site_id": "14413",
    "subscriber": {
        "name": "Acme Dental",
        "house_number": "900",
        "street_name": "Main St",
        "city": "Denver",
        "state_code": "CO",
        "zip": "80202",
    },
    "loa_authorizing_person": "Jane Doe",
    "loa_file": str(ROOT / "include" / "loa" / "sample-loa.pdf"),
    "numbers": ["+1 303 555 0100", "3035550101", "3035550101"],
}


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


def test_the_shipped_sample_batch_is_valid():
    batch = load_batch(ROOT / "include" / "batches" / "acme_dental.yaml")
    assert batch.numbers_count == 12 and batch.values["loa_file"].endswith("sample-loa.pdf")


def test_numbers_file_and_relative_loa_are_resolved_beside_the_batch(tmp_path):
    (tmp_path / "nums.csv").write_text("number\n303-555-0100\n# a comment\n3035550101\n")
    (tmp_path / "loa.pdf").write_bytes(b"%PDF-1.4")
    batch = load_batch(
        write(tmp_path, "b.yaml", with_changes(numbers=None, numbers_file="nums.csv", loa_file="loa.pdf"))
    )
    assert batch.values["numbers"] == ["303-555-0100", "3035550101"]
    assert batch.values["loa_file"] == str(tmp_path / "loa.pdf")


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"numbers": ["13035550100", "23035550100"]}, "numbers"),
        ({"numbers": []}, "numbers"),
        ({"numbers": [f"303555{i:04d}" for i in range(50_001)]}, "numbers"),
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
