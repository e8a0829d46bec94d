"""Safe XML parsing: hostile documents are refused with a clear error."""

from __future__ import annotations

import pytest

from bandwidth_hosted_messaging.client import xmlio as bwxml
from bandwidth_hosted_messaging.client.errors import BandwidthXmlError

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<lolz>&lol2;</lolz>"""
XXE = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>"""


@pytest.mark.parametrize("body", [BILLION_LAUGHS, XXE], ids=["billion-laughs", "xxe"])
def test_entity_declarations_are_refused(body):
    with pytest.raises(BandwidthXmlError, match="DOCTYPE or entity"):
        bwxml.parse_xml(body)


@pytest.mark.parametrize(
    "body, message",
    [(b"", "empty"), (b"<a><b></a>", "malformed"), (b"not xml at all", "malformed")],
)
def test_broken_documents_are_refused(body, message):
    with pytest.raises(BandwidthXmlError, match=message):
        bwxml.parse_xml(body)


def test_oversized_documents_are_refused_before_parsing(monkeypatch):
    monkeypatch.setattr(bwxml, "MAX_XML_BYTES", 100)
    with pytest.raises(BandwidthXmlError, match="exceeds"):
        bwxml.parse_xml(b"<a>" + b"x" * 200 + b"</a>")


@pytest.mark.parametrize(
    "prologue",
    ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>', '<?xml version="1.0"?>', ""],
)
def test_every_prologue_form_parses(prologue):
    doc = bwxml.parse_xml(f"{prologue}<Root><A>1</A></Root>")
    assert bwxml.path(doc, "Root", "A") == "1"


def test_children_are_found_by_name_in_any_case_and_order():
    _, content = bwxml.root_of(
        bwxml.parse_xml("<R><Errors/><SipPeerId>5</SipPeerId><customerorderid>x</customerorderid></R>")
    )
    assert bwxml.text(bwxml.child(content, "SipPeerId")) == "5"
    assert bwxml.text(bwxml.child(content, "CustomerOrderId", "CustomerOrderID")) == "x"
    assert bwxml.child(content, "Errors") is None


def test_built_xml_round_trips():
    body = bwxml.to_xml(
        "ImportTnCheckerPayload", {"TelephoneNumbers": bwxml.numbers_element(["+13035550100", "+13035550101"])}
    )
    assert bwxml.texts(
        bwxml.path(bwxml.parse_xml(body), "ImportTnCheckerPayload", "TelephoneNumbers", "TelephoneNumber")
    ) == [
        "+13035550100",
        "+13035550101",
    ]
