"""Sites, SIP peers, and hostile or malformed XML."""

from __future__ import annotations

from sandbox_helpers import parse

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<ImportTnCheckerPayload><TelephoneNumbers><TelephoneNumber>&lol2;</TelephoneNumber></TelephoneNumbers>
</ImportTnCheckerPayload>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<ImportTnCheckerPayload><TelephoneNumbers><TelephoneNumber>&xxe;</TelephoneNumber></TelephoneNumbers>
</ImportTnCheckerPayload>"""


def test_sites_and_peers(api):
    sites = parse(api("GET", "sites"))["SitesResponse"]["Sites"]["Site"]
    assert [s["Id"] for s in sites] == ["14413", "14414"]
    assert sites[0]["Name"] == "Hosted messaging"
    site = parse(api("GET", "sites/14413"))["SiteResponse"]["Site"]
    assert site["Id"] == "14413"
    peers = parse(api("GET", "sites/14413/sippeers"))["TNSipPeersResponse"]["SipPeers"]["SipPeer"]
    assert [(p["PeerId"], p["IsDefaultPeer"]) for p in peers] == [("521952", "true"), ("521953", "false")]
    lonely = parse(api("GET", "sites/14414/sippeers"))["TNSipPeersResponse"]["SipPeers"]["SipPeer"]
    assert lonely["IsDefaultPeer"] == "false"


def test_unknown_site_404_12016(api):
    r = api("GET", "sites/5001")
    assert r.status_code == 404
    status = parse(r)["SiteResponse"]["ResponseStatus"]
    assert status["ErrorCode"] == "12016" and status["Description"] == "Site '5001' does not exist"
    assert api("GET", "sites/5001/sippeers").status_code == 404


def test_doctype_and_entities_refused(api):
    for body in (BILLION_LAUGHS, XXE, b'<?xml version="1.0"?><!DOCTYPE x><Subscription/>'):
        for path in ("importTnChecker", "importTnOrders", "subscriptions", "removeImportedTnOrders"):
            r = api("POST", path, data=body, headers={"Content-Type": "application/xml"})
            assert r.status_code == 400, (path, r.text)
            assert "ResponseStatus" in r.text
            assert "root:" not in r.text


def test_malformed_and_empty_xml_400(api):
    for body in (
        b"<ImportTnOrder><SiteId>1</ImportTnOrder>",
        b"",
        b"not xml at all",
        b"<a>&undefined;</a>",
        "<ImportTnOrder>\udcff</ImportTnOrder>".encode("utf-8", "surrogateescape"),
    ):
        r = api("POST", "importTnOrders", data=body, headers={"Content-Type": "application/xml"})
        assert r.status_code == 400, body
        assert parse(r)["ErrorResponse"]["ResponseStatus"]["ErrorCode"]
