"""importTnChecker: response shape, per-number rejections, limits."""

from __future__ import annotations

from sandbox_helpers import parse


def checker_xml(tns: list[str]) -> str:
    inner = "".join(f"<TelephoneNumber>{tn}</TelephoneNumber>" for tn in tns)
    return f"<ImportTnCheckerPayload><TelephoneNumbers>{inner}</TelephoneNumbers></ImportTnCheckerPayload>"


def test_checker_all_importable(api):
    r = api("POST", "importTnChecker", data=checker_xml(["3032281000", "3032281001"]))
    assert r.status_code == 200
    payload = parse(r)["ImportTnCheckerResponse"]["ImportTnCheckerPayload"]
    assert payload["TelephoneNumbers"]["TelephoneNumber"] == ["3032281000", "3032281001"]
    assert "ImportTnErrors" not in payload
    assert api.sb.requests()[-1]["endpoint"] == "importTnChecker"


def test_checker_rejections(api):
    api.sb.seed(checker_rejects={"3035550100": 19005}, in_service=["3035550150"])
    tns = ["3035550100", "3035550150", "3035550199", "3035550111"]
    r = api("POST", "importTnChecker", data=checker_xml(tns))
    assert r.status_code == 200
    payload = parse(r)["ImportTnCheckerResponse"]["ImportTnCheckerPayload"]
    assert payload["TelephoneNumbers"]["TelephoneNumber"] == ["3035550111"]
    errors = {e["Code"]: e for e in payload["ImportTnErrors"]["ImportTnError"]}
    assert errors["19005"]["TelephoneNumbers"]["TelephoneNumber"] == ["3035550100"]
    assert errors["19005"]["Description"] == "Messaging route is not configured for this telephone number"
    assert errors["19006"]["TelephoneNumbers"]["TelephoneNumber"] == ["3035550150", "3035550199"]
    assert errors["19006"]["Description"] == "Bandwidth numbers cannot be imported by this account at this time"


def test_checker_suffix_rule_can_be_emptied(api):
    api.sb.seed(config={"checker_reject_suffixes": {}})
    payload = parse(api("POST", "importTnChecker", data=checker_xml(["3035550199"])))
    assert payload["ImportTnCheckerResponse"]["ImportTnCheckerPayload"]["TelephoneNumbers"]["TelephoneNumber"] == [
        "3035550199"
    ]


def _shape2(r):
    doc = parse(r)["ImportTnCheckerResponse"]
    return [(e["Code"], e["Description"]) for e in doc["Errors"]]


def test_checker_400s(api):
    r = api("POST", "importTnChecker", data=checker_xml([]))
    assert r.status_code == 400 and _shape2(r)[0][0] == "1003"
    r = api("POST", "importTnChecker", data=checker_xml(["12345", "3032281000"]))
    assert r.status_code == 400 and _shape2(r)[0][0] == "7201" and "12345" in _shape2(r)[0][1]
    r = api("POST", "importTnChecker", data=checker_xml(["3032281000", "3032281000"]))
    assert r.status_code == 400 and _shape2(r)[0][0] == "7203"
    many = [f"303{n:07d}" for n in range(2000000, 2005001)]
    r = api("POST", "importTnChecker", data=checker_xml(many))
    assert r.status_code == 400 and _shape2(r)[0][0] == "7314"
    ok = api("POST", "importTnChecker", data=checker_xml(many[:5000]))
    assert ok.status_code == 200


def test_checker_import_disabled_403(api):
    api.sb.seed(config={"import_enabled": False})
    r = api("POST", "importTnChecker", data=checker_xml(["3032281000"]))
    assert r.status_code == 403
    assert parse(r)["ImportTnCheckerResponse"]["ResponseStatus"]["ErrorCode"] == "5149"
