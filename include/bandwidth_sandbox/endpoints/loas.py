"""LOA files of an import order: upload, list, download, replace, delete, metadata."""

from __future__ import annotations

from typing import Any

from .. import xmlio
from ..errors import ApiError
from ..http_types import Request, Response
from ..models import IMPORT, LoaFile, Order
from ..routing import Router
from ..v2 import collection

UPLOAD_ROOT = "fileUploadResponse"
LIST_ROOT = "fileListResponse"
DOCUMENT_TYPES = ("LOA", "INVOICE", "CSR", "OTHER")
CONTENT_TYPES = {
    "application/pdf": "pdf",
    "text/plain": "txt",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/tiff": "tiff",
    "text/csv": "csv",
    "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/msword": "doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
}
OCTET_STREAM = "application/octet-stream"
SNIFF = (
    (b"%PDF", "application/pdf"),
    (b"\x89PNG", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
)


def _order(ctx: Any, order_id: str, root: str) -> Order:
    order = ctx.state.get_order(IMPORT, order_id)
    if order is None:
        raise ApiError(404, root, 5004, f"Import TN order '{order_id}' not found")
    return order


def _file(order: Order, file_id: str, root: str) -> LoaFile:
    loa = order.loas.get(file_id)
    if loa is None:
        raise ApiError(404, root, 7645, f"LOA file '{file_id}' not found for order {order.order_id}")
    return loa


def _content_type(req: Request) -> tuple[str, str]:
    """-> (content type to store, file extension); octet-stream (as SDKs send) is sniffed."""
    raw = (req.header("content-type") or OCTET_STREAM).split(";")[0].strip().lower()
    if raw in CONTENT_TYPES:
        return raw, CONTENT_TYPES[raw]
    if raw in (OCTET_STREAM, "binary/octet-stream", ""):
        for magic, ctype in SNIFF:
            if req.body.startswith(magic):
                return ctype, CONTENT_TYPES[ctype]
        return "application/pdf", "pdf"
    raise ApiError(400, UPLOAD_ROOT, 7642, f"Unsupported file type '{raw}'")


def _document_type(ctx: Any, req: Request, default: str | None) -> str | None:
    query = req.param("documentType")
    header = req.header("documentType")
    if query is not None and header is not None and query.strip().upper() != header.strip().upper():
        raise ApiError(400, UPLOAD_ROOT, 7641)
    value = query if query is not None else header
    if value is None:
        if default is None and ctx.state.cfg.loa_require_document_type:
            raise ApiError(400, UPLOAD_ROOT, 7640)
        return default
    value = value.strip().upper()
    if not value:
        raise ApiError(400, UPLOAD_ROOT, 7640)
    if value not in DOCUMENT_TYPES:
        raise ApiError(400, UPLOAD_ROOT, 7639, f"Unknown documentType '{value}'; one of {', '.join(DOCUMENT_TYPES)}")
    return value


def _check_body(ctx: Any, req: Request) -> None:
    limit = int(ctx.state.cfg.loa_max_bytes)
    if len(req.body) > limit:
        raise ApiError(
            int(ctx.state.cfg.loa_too_large_status),
            UPLOAD_ROOT,
            7643,
            f"File is too large: {len(req.body)} bytes; the maximum is {limit}",
        )
    if not req.body:
        raise ApiError(400, UPLOAD_ROOT, 1003, "The file is empty")


def upload(ctx: Any, req: Request, orderId: str) -> Response:
    order = _order(ctx, orderId, UPLOAD_ROOT)
    document_type = _document_type(ctx, req, None) or "LOA"
    ctype, ext = _content_type(req)
    _check_body(ctx, req)
    if ctx.state.cfg.loa_requires_complete and order.status not in ("COMPLETE", "PARTIAL"):
        raise ApiError(400, UPLOAD_ROOT, 7644)
    loa = ctx.state.add_loa(order, ctype, req.body, document_type, ext)
    node = (
        UPLOAD_ROOT,
        [
            ("filename", loa.file_id),
            ("resultCode", 0),
            ("resultMessage", f"LOA file uploaded successfully for order {order.order_id}"),
        ],
    )
    location = f"{req.account_url}/{collection(req, 'importTnOrders')}/{order.order_id}/loas/{loa.file_id}"
    return Response.xml(node, 201, {"Location": location})


def list_files(ctx: Any, req: Request, orderId: str) -> Response:
    with ctx.state.locked():
        order = _order(ctx, orderId, LIST_ROOT)
        files = list(order.loas.values())
    with_meta = (req.param("metadata") or "true").lower() != "false"
    items = [
        (
            "fileData",
            [
                ("FileName", f.file_id),
                (
                    "FileMetaData",
                    [("DocumentName", f.document_name) if f.document_name else None, ("DocumentType", f.document_type)],
                )
                if with_meta
                else None,
            ],
        )
        for f in files
    ]
    message = "LOA file list successfully returned" if files else f"No LOA files found for order {order.order_id}"
    node = (LIST_ROOT, [("fileCount", len(files))] + items + [("resultCode", 0), ("resultMessage", message)])
    return Response.xml(node)


def download(ctx: Any, req: Request, orderId: str, fileId: str) -> Response:
    loa = _file(_order(ctx, orderId, UPLOAD_ROOT), fileId, UPLOAD_ROOT)
    return Response(200, loa.data, loa.content_type, {"Content-Disposition": f'attachment; filename="{loa.file_id}"'})


def replace(ctx: Any, req: Request, orderId: str, fileId: str) -> Response:
    order = _order(ctx, orderId, UPLOAD_ROOT)
    loa = _file(order, fileId, UPLOAD_ROOT)
    document_type = _document_type(ctx, req, loa.document_type)
    ctype, _ext = _content_type(req)
    _check_body(ctx, req)
    with ctx.state.locked():
        loa.data, loa.content_type = req.body, ctype
        loa.document_type = document_type or loa.document_type
    node = (
        UPLOAD_ROOT,
        [
            ("filename", loa.file_id),
            ("resultCode", 0),
            ("resultMessage", f"LOA file updated successfully for order {order.order_id}"),
        ],
    )
    return Response.xml(node, 200)


def delete(ctx: Any, req: Request, orderId: str, fileId: str) -> Response:
    order = _order(ctx, orderId, UPLOAD_ROOT)
    with ctx.state.locked():
        _file(order, fileId, UPLOAD_ROOT)
        del order.loas[fileId]
    return Response.empty(200)


def get_metadata(ctx: Any, req: Request, orderId: str, fileId: str) -> Response:
    loa = _file(_order(ctx, orderId, UPLOAD_ROOT), fileId, UPLOAD_ROOT)
    return Response.xml(
        ("FileMetaData", [("DocumentName", loa.document_name or loa.file_id), ("DocumentType", loa.document_type)])
    )


def put_metadata(ctx: Any, req: Request, orderId: str, fileId: str) -> Response:
    loa = _file(_order(ctx, orderId, UPLOAD_ROOT), fileId, UPLOAD_ROOT)
    root = xmlio.parse(req.body)
    name = xmlio.text(root, "DocumentName")
    doc_type = xmlio.text(root, "DocumentType")
    if name is not None and len(name) > 50:
        raise ApiError(400, UPLOAD_ROOT, 7800)
    if doc_type is not None and doc_type.upper() not in DOCUMENT_TYPES:
        raise ApiError(400, UPLOAD_ROOT, 7639, f"Unknown documentType '{doc_type}'")
    with ctx.state.locked():
        if name is not None:
            loa.document_name = name or None
        if doc_type:
            loa.document_type = doc_type.upper()
    return Response.empty(200)


def register(router: Router) -> None:
    base = "importTnOrders/{orderId}/loas"
    router.add("POST", base, "loas.upload", upload)
    router.add("GET", base, "loas.list", list_files)
    router.add("GET", base + "/{fileId}", "loas.get", download)
    router.add("PUT", base + "/{fileId}", "loas.replace", replace)
    router.add("DELETE", base + "/{fileId}", "loas.delete", delete)
    router.add("GET", base + "/{fileId}/metadata", "loas.metadata.get", get_metadata)
    router.add("PUT", base + "/{fileId}/metadata", "loas.metadata.update", put_metadata)
