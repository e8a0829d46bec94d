"""LOA files come only from the configured roots and must be what their name says (issue 13, M3)."""

from __future__ import annotations

import http.server
import threading

import pytest

from bandwidth_hosted_messaging.inputs.errors import RequestError
from bandwidth_hosted_messaging.inputs.loa_file import check_loa_file, read_loa_file

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"


@pytest.fixture
def root(tmp_path):
    folder = tmp_path / "loa"
    folder.mkdir()
    (folder / "signed.pdf").write_bytes(PDF)
    return folder


def test_an_loa_in_a_configured_root_is_accepted(root):
    info = check_loa_file(str(root / "signed.pdf"), [str(root)])
    assert (info.file_name, info.content_type, info.size) == ("signed.pdf", "application/pdf", len(PDF))
    assert read_loa_file(str(root / "signed.pdf"), [str(root)]) == PDF


@pytest.mark.parametrize("name", ["notes.txt", "report.csv", "loa.pdf"])
def test_a_worker_file_outside_the_roots_is_refused_whatever_its_suffix(tmp_path, root, name):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / name).write_bytes(PDF if name.endswith(".pdf") else b"number,outcome\n")
    with pytest.raises(RequestError, match="not in a configured LOA folder") as info:
        check_loa_file(str(outside / name), [str(root)])
    assert info.value.field == "loa_file"


def test_a_pdf_symlink_in_a_root_pointing_out_of_it_is_refused(tmp_path, root):
    secret = tmp_path / "shadow"
    secret.write_text("root:$6$secret-hash:19000:0:99999:7:::\n")
    (root / "innocent.pdf").symlink_to(secret)
    with pytest.raises(RequestError, match="not in a configured LOA folder") as info:
        check_loa_file(str(root / "innocent.pdf"), [str(root)])
    assert "secret-hash" not in str(info.value)
    with pytest.raises(RequestError):
        read_loa_file(str(root / "innocent.pdf"), [str(root)])  # the upload checks again


def test_content_that_is_not_what_the_name_says_is_refused(root):
    (root / "fake.pdf").write_text("root:x:0:0:root:/root:/bin/bash\n")
    (root / "fake.png").write_bytes(PDF)
    (root / "binary.txt").write_bytes(b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64)
    for name in ("fake.pdf", "fake.png", "binary.txt"):
        with pytest.raises(RequestError, match="content is not|is not text"):
            check_loa_file(str(root / name), [str(root)])
    (root / "real.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)
    (root / "letter.txt").write_text("I, Jane Doe, authorise the port of 303-555-0100.\n")
    assert check_loa_file(str(root / "real.png"), [str(root)]).content_type == "image/png"
    assert check_loa_file(str(root / "letter.txt"), [str(root)]).content_type == "text/plain"


class _Counting(http.server.BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self):
        type(self).hits += 1
        self.send_response(302)
        self.send_header("Location", "file:///etc/passwd")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_an_unconfigured_scheme_is_never_fetched(root):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/loa.pdf"
        with pytest.raises(RequestError, match="not in a configured LOA location"):
            check_loa_file(url, [str(root)])
        with pytest.raises(RequestError):
            read_loa_file(url, [str(root)])
        assert _Counting.hits == 0
    finally:
        server.shutdown()


def test_a_configured_object_storage_prefix_is_the_only_remote_place_allowed(root):
    roots = [str(root), "s3://loa-bucket/signed/"]
    for outside in ("s3://other-bucket/loa.pdf", "s3://loa-bucket/signed/../../other-bucket/loa.pdf", "gs://x/a.pdf"):
        with pytest.raises(RequestError, match="not in a configured LOA location"):
            check_loa_file(outside, roots)
    # Inside the prefix, the check goes on to the store itself (no S3 here: the amazon provider is not installed).
    with pytest.raises(RequestError) as info:
        check_loa_file("s3://loa-bucket/signed/loa.pdf", roots)
    assert "not in a configured LOA location" not in str(info.value)
