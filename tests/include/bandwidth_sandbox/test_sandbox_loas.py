"""LOA files: upload (incl. chunked octet-stream as SDKs send), list, download, replace, delete, metadata."""

from __future__ import annotations

import re

from sandbox_helpers import Api, parse

from bandwidth_sandbox import Sandbox, SandboxConfig

PDF = b"%PDF-1.4\n% sandbox LOA\n" + b"0" * 1000


def _order(api):
    return api.order_id(api.create_order(["3035550100"]))


def test_upload_list_get_replace_delete(api):
    oid = _order(api)
    r = api(
        "POST",
        f"importTnOrders/{oid}/loas",
        data=PDF,
        headers={"Content-Type": "application/pdf"},
        params={"documentType": "LOA"},
    )
    assert r.status_code == 201, r.text
    up = parse(r)["fileUploadResponse"]
    file_id = up["filename"]
    assert re.match(rf"^{oid}-\d{{13}}\.pdf$", file_id)
    assert up["resultCode"] == "0" and up["resultMessage"] == f"LOA file uploaded successfully for order {oid}"
    assert r.headers["Location"].endswith(f"/importTnOrders/{oid}/loas/{file_id}")

    listing = parse(api("GET", f"importTnOrders/{oid}/loas", params={"metadata": "true"}))["fileListResponse"]
    assert listing["fileCount"] == "1" and listing["resultCode"] == "0"
    assert listing["fileData"][0]["FileName"] == file_id
    assert listing["fileData"][0]["FileMetaData"]["DocumentType"] == "LOA"
    assert listing["resultMessage"] == "LOA file list successfully returned"
    bare = parse(api("GET", f"importTnOrders/{oid}/loas", params={"metadata": "false"}))["fileListResponse"]
    assert "FileMetaData" not in bare["fileData"][0]

    got = api("GET", f"importTnOrders/{oid}/loas/{file_id}")
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["Content-Type"] == "application/pdf"
    assert got.headers["Content-Disposition"] == f'attachment; filename="{file_id}"'

    meta = parse(api("GET", f"importTnOrders/{oid}/loas/{file_id}/metadata"))["FileMetaData"]
    assert meta["DocumentType"] == "LOA" and meta["DocumentName"]
    assert (
        api(
            "PUT",
            f"importTnOrders/{oid}/loas/{file_id}/metadata",
            data="<FileMetaData><DocumentName>signed.pdf</DocumentName><DocumentType>OTHER</DocumentType>"
            "</FileMetaData>",
        ).status_code
        == 200
    )
    meta = parse(api("GET", f"importTnOrders/{oid}/loas/{file_id}/metadata"))["FileMetaData"]
    assert meta == {"DocumentName": "signed.pdf", "DocumentType": "OTHER"}

    rep = api("PUT", f"importTnOrders/{oid}/loas/{file_id}", data=b"new text", headers={"Content-Type": "text/plain"})
    assert rep.status_code == 200 and parse(rep)["fileUploadResponse"]["resultCode"] == "0"
    assert api("GET", f"importTnOrders/{oid}/loas/{file_id}").content == b"new text"

    assert api("DELETE", f"importTnOrders/{oid}/loas/{file_id}").status_code == 200
    assert api("GET", f"importTnOrders/{oid}/loas/{file_id}").status_code == 404
    empty = parse(api("GET", f"importTnOrders/{oid}/loas"))["fileListResponse"]
    assert empty["fileCount"] == "0" and empty["resultMessage"] == f"No LOA files found for order {oid}"
    names = [e["endpoint"] for e in api.sb.requests()]
    for name in (
        "loas.upload",
        "loas.list",
        "loas.get",
        "loas.metadata.get",
        "loas.metadata.update",
        "loas.replace",
        "loas.delete",
    ):
        assert name in names


def test_chunked_octet_stream_without_document_type(api):
    oid = _order(api)

    def gen():
        yield PDF[:500]
        yield PDF[500:]

    r = api("POST", f"importTnOrders/{oid}/loas", data=gen(), headers={"Content-Type": "application/octet-stream"})
    assert r.status_code == 201, r.text
    file_id = parse(r)["fileUploadResponse"]["filename"]
    assert file_id.endswith(".pdf")
    assert api("GET", f"importTnOrders/{oid}/loas/{file_id}").content == PDF
    assert api.sb.requests()[-2]["body"].startswith("<1024 bytes") or api.sb.requests()[-2]["body_bytes"] == len(PDF)


def test_document_type_rules(api):
    oid = _order(api)
    path = f"importTnOrders/{oid}/loas"
    pdf = {"Content-Type": "application/pdf"}

    def code(r):
        return parse(r)["fileUploadResponse"]["ResponseStatus"]["ErrorCode"]

    r = api("POST", path, data=PDF, headers=pdf, params={"documentType": "PASSPORT"})
    assert r.status_code == 400 and code(r) == "7639"
    r = api("POST", path, data=PDF, headers=pdf, params={"documentType": ""})
    assert r.status_code == 400 and code(r) == "7640"
    r = api("POST", path, data=PDF, headers={**pdf, "documentType": "CSR"}, params={"documentType": "LOA"})
    assert r.status_code == 400 and code(r) == "7641"
    r = api("POST", path, data=PDF, headers={**pdf, "documentType": "INVOICE"})
    assert r.status_code == 201
    r = api("POST", path, data=PDF, headers={"Content-Type": "application/zip"})
    assert r.status_code == 400 and code(r) == "7642"
    assert (
        api("POST", "importTnOrders/00000000-0000-0000-0000-000000000000/loas", data=PDF, headers=pdf).status_code
        == 404
    )


def test_document_type_required_when_configured():
    with Sandbox(SandboxConfig(loa_require_document_type=True)) as sb:
        api = Api(sb)
        oid = _order(api)
        r = api("POST", f"importTnOrders/{oid}/loas", data=PDF, headers={"Content-Type": "application/pdf"})
        assert r.status_code == 400
        assert parse(r)["fileUploadResponse"]["ResponseStatus"]["ErrorCode"] == "7640"


def test_size_limit():
    with Sandbox(SandboxConfig(loa_max_bytes=2000)) as sb:
        api = Api(sb)
        oid = _order(api)
        r = api(
            "POST",
            f"importTnOrders/{oid}/loas",
            data=b"%PDF" + b"x" * 3000,
            headers={"Content-Type": "application/pdf"},
        )
        assert r.status_code == 413
        assert parse(r)["fileUploadResponse"]["ResponseStatus"]["ErrorCode"] == "7643"
        ok = api("POST", f"importTnOrders/{oid}/loas", data=PDF, headers={"Content-Type": "application/pdf"})
        assert ok.status_code == 201


def test_default_five_megabytes(api):
    oid = _order(api)
    big = b"%PDF" + b"x" * (5 * 1024 * 1024)
    r = api("POST", f"importTnOrders/{oid}/loas", data=big, headers={"Content-Type": "application/pdf"})
    assert r.status_code == 413
