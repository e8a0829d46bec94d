"""
The status page's HTTP side, mounted on the API server at :data:`PREFIX` by the ``bandwidth_status`` plugin.

Public (no data in them): the page itself, ``GET /bandwidth-status/`` and ``/bandwidth-status/static/...``.
Behind Airflow's login (``requires_authenticated()``: the UI's ``_token`` cookie or a Bearer token from
``POST /auth/token``; anything else, an invalid token included, gets 401), all JSON, read-only:

=========================================  =================================================================
``GET api/runs?limit=``                    every import and remove run, newest first: batch, when, who
                                           triggered it, state, counts per category, the bar
``GET api/run?dag_id=&run_id=``            one run: counts and a page of its per-number rows;
   ``&outcome=&q=&offset=&limit=``         ``outcome``: an outcome, ``attention``, ``loa_missing``, ``lost``;
                                           ``q``: digits of the number
``GET api/run.csv?dag_id=&run_id=``        the same rows (same filters) as a CSV download, the report's columns
``GET api/progress?dag_id=&run_id=``       a running run's progress: steps, plan, each order's latest status,
                                           the numbers per state so far (the page asks every few seconds)
``GET api/numbers/{number}``               a number's inventory status and its history across runs
``GET api/inventory.csv?status=``          the hosted-number inventory as CSV: one row per number ever imported
                                           (by a DAG the user may read), its status, import, removal, loss
``POST api/rerun {"dag_id", "run_id"}``    "Re-run failed numbers": a new run of the same import DAG, conf as
                                           :mod:`.reruns` says; needs trigger permission on the DAG (else 403)
=========================================  =================================================================

Only runs of DAGs the user may read (the auth manager's ``get_authorized_dag_ids``) are shown; the not-ordered
reason quotes a failed task's log only to users who may read the DAG's task logs. The one route that writes,
``POST api/rerun``, takes a JSON body only (a cross-site form cannot send one without the browser asking first,
and this app allows no cross-origin request). The only connection read is the inventory's database (never shown:
when it cannot be reached the answer is 503 with no detail of it; the API server's log has the reason).

Importing this module is cheap: the FastAPI app (and Airflow's security module, which pulls in the models and
the asset manager) is built on the first request (:class:`LazyApp`), because every Airflow process that loads
plugins imports the plugin file.

(No ``from __future__ import annotations`` here: FastAPI reads the routes' annotations, which name objects
imported inside :func:`create_app`.)
"""

import itertools
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bandwidth_hosted_messaging.constants import STATUS_PREFIX

if TYPE_CHECKING:
    from fastapi import FastAPI

    from bandwidth_hosted_messaging.inventory.inventory import Inventory
    from bandwidth_hosted_messaging.status.store import ReportStore

log = logging.getLogger(__name__)

PREFIX = STATUS_PREFIX
PAGE_DIR = Path(__file__).resolve().parent / "page"
#: The page loads its script and style from its own origin only and may be framed by the Airflow UI only.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "frame-ancestors 'self'; base-uri 'none'; form-action 'self'; object-src 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-cache",
}
JSON_HEADERS = {"Cache-Control": "no-store"}


class LazyApp:
    """An ASGI app that builds the real one on its first request."""

    def __init__(self, factory: "Callable[[], Any]") -> None:
        self._factory = factory
        self._app: Any = None
        self._lock = threading.Lock()

    @property
    def app(self) -> Any:
        if self._app is None:
            with self._lock:
                if self._app is None:
                    self._app = self._factory()
        return self._app

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        await self.app(scope, receive, send)


def readable_dag_ids(user: Any) -> set[str]:
    """The DAG ids ``user`` may read, as the auth manager says."""
    from airflow.api_fastapi.app import get_auth_manager

    return set(get_auth_manager().get_authorized_dag_ids(user=user, method="GET"))


def may_access_dag(user: Any, dag_id: str, method: str, entity: str) -> bool:
    """
    Whether the auth manager lets ``user`` do ``method`` on ``entity`` (a ``DagAccessEntity`` name: ``RUN``,
    ``TASK_LOGS``) of ``dag_id``, as ``requires_access_dag`` asks it.
    """
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.auth.managers.models.resource_details import DagAccessEntity, DagDetails
    from airflow.models.dag import DagModel

    return bool(
        get_auth_manager().is_authorized_dag(
            method=method,  # type: ignore[arg-type]
            access_entity=DagAccessEntity[entity],
            details=DagDetails(id=dag_id, team_name=DagModel.get_team_name(dag_id)),
            user=user,
        )
    )


def create_app(reports: "ReportStore | None" = None, inventory: "Inventory | None" = None) -> "FastAPI":
    """
    The status page's FastAPI app: the page, its static files, and the authenticated JSON API.

    :param reports: where the reports are read (default: the process's store of ``[bandwidth] report_base``).
    :param inventory: the hosted-number inventory (default: the ``bandwidth_inventory`` connection's, looked up
        on each request).
    """
    from airflow.api_fastapi.common.db.common import SessionDep
    from airflow.api_fastapi.core_api.security import GetUserDep, requires_authenticated
    from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request
    from fastapi.exception_handlers import http_exception_handler
    from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response, StreamingResponse
    from fastapi.staticfiles import StaticFiles
    from pydantic import BaseModel, ConfigDict, Field

    from bandwidth_hosted_messaging.client.numbers import InvalidNumber
    from bandwidth_hosted_messaging.inventory.database import InventoryUnavailable
    from bandwidth_hosted_messaging.reporting.ledger import is_import_dag
    from bandwidth_hosted_messaging.reporting.storage import safe_name
    from bandwidth_hosted_messaging.status import history, links, reruns, views
    from bandwidth_hosted_messaging.statuses import NumberStatus

    app = FastAPI(title="Hosted messaging status", docs_url=None, redoc_url=None, openapi_url=None)

    def the_inventory() -> "Inventory":
        return inventory or history.default_inventory()

    @app.exception_handler(InventoryUnavailable)
    async def inventory_unavailable_is_503(request: Request, exc: InventoryUnavailable) -> Response:
        log.error("Status page: %s", exc)
        return JSONResponse(
            {"detail": "The hosted-number inventory cannot be reached: see the API server's log"},
            status_code=503,
            headers=JSON_HEADERS,
        )

    @app.exception_handler(HTTPException)
    async def unauthenticated_is_401(request: Request, exc: HTTPException) -> Response:
        # Airflow answers 403 "Invalid JWT token" for a token it cannot verify: for this API that is no
        # authentication at all, so 401 like a missing one, with the scheme to use.
        if exc.status_code == 401 or (exc.status_code == 403 and exc.detail == "Invalid JWT token"):
            return JSONResponse(
                {"detail": "Not authenticated"}, status_code=401, headers={"WWW-Authenticate": "Bearer", **JSON_HEADERS}
            )
        return await http_exception_handler(request, exc)

    @app.get("/", include_in_schema=False)
    def page(request: Request) -> Response:
        if not request.url.path.endswith("/"):
            # ``/bandwidth-status``: the page's relative URLs (static/, api/) need the trailing slash.
            query = f"?{request.url.query}" if request.url.query else ""
            return RedirectResponse(f"{request.url.path.rsplit('/', 1)[-1]}/{query}", status_code=307)
        return FileResponse(PAGE_DIR / "index.html", media_type="text/html", headers=PAGE_HEADERS)

    app.mount("/static", StaticFiles(directory=PAGE_DIR), name="static")

    api = APIRouter(prefix="/api", dependencies=[Depends(requires_authenticated())])

    def allowed(user: Any, dag_id: str) -> set[str]:
        readable = readable_dag_ids(user)
        if dag_id not in readable:
            raise HTTPException(403, f"Not allowed to read the runs of {dag_id}")
        return readable

    @api.get("/runs")
    def runs(
        session: SessionDep, user: GetUserDep, limit: int = Query(views.DEFAULT_RUNS, ge=1, le=2000)
    ) -> JSONResponse:
        overview = views.overview(
            session, readable=readable_dag_ids(user), limit=limit, reports=reports, inventory=the_inventory()
        )
        return JSONResponse(overview, headers=JSON_HEADERS)

    @api.get("/run")
    def run(
        session: SessionDep,
        user: GetUserDep,
        dag_id: str = Query(..., min_length=1, max_length=250),
        run_id: str = Query(..., min_length=1, max_length=250),
        outcome: str | None = Query(None, max_length=40),
        q: str | None = Query(None, max_length=40),
        offset: int = Query(0, ge=0),
        limit: int = Query(views.DEFAULT_PAGE_SIZE, ge=1, le=views.MAX_PAGE_SIZE),
    ) -> JSONResponse:
        allowed(user, dag_id)
        detail = views.run_detail(
            session,
            dag_id,
            run_id,
            outcome=outcome,
            q=q,
            offset=offset,
            limit=limit,
            reports=reports,
            may_trigger=may_access_dag(user, dag_id, "POST", "RUN"),
            may_read_logs=may_access_dag(user, dag_id, "GET", "TASK_LOGS"),
            inventory=the_inventory(),
        )
        return JSONResponse(detail, headers=JSON_HEADERS)

    @api.get("/progress")
    def progress(
        session: SessionDep,
        user: GetUserDep,
        dag_id: str = Query(..., min_length=1, max_length=250),
        run_id: str = Query(..., min_length=1, max_length=250),
    ) -> JSONResponse:
        allowed(user, dag_id)
        return JSONResponse(views.progress_detail(session, dag_id, run_id), headers=JSON_HEADERS)

    class RerunBody(BaseModel):
        model_config = ConfigDict(extra="forbid")
        dag_id: str = Field(min_length=1, max_length=250)
        run_id: str = Field(min_length=1, max_length=250)

    @api.post("/rerun", status_code=201)
    def rerun(body: RerunBody, request: Request, session: SessionDep, user: GetUserDep) -> JSONResponse:
        if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
            raise HTTPException(415, "Send the run as JSON (Content-Type: application/json)")
        allowed(user, body.dag_id)
        if not may_access_dag(user, body.dag_id, "POST", "RUN"):
            raise HTTPException(
                403,
                f"Not allowed to trigger {body.dag_id}: re-running the failed numbers starts a new run of it, "
                "which needs the permission to trigger that DAG",
            )
        run = views.get_run(session, body.dag_id, body.run_id)
        report, _ = views.full_report(session, body.dag_id, body.run_id, run, reports or views.store())
        try:
            numbers = reruns.check_rerunnable(body.dag_id, run, report)
            new_run_id, conf = reruns.trigger_rerun(session, body.dag_id, body.run_id, user_name=user.get_name())
        except reruns.RerunRefused as refused:
            raise HTTPException(refused.status, str(refused)) from None
        root = links.root_path()
        answer = {
            "dag_id": body.dag_id,
            "run_id": new_run_id,
            "retry_failed_of_run": body.run_id,
            "numbers": len(numbers),
            "conf": conf,
            "page": links.run_page_url(body.dag_id, new_run_id, base_url=root),
            "airflow_run": links.airflow_run_url(body.dag_id, new_run_id, base_url=root),
        }
        return JSONResponse(answer, status_code=201, headers=JSON_HEADERS)

    @api.get("/run.csv")
    def run_csv(
        session: SessionDep,
        user: GetUserDep,
        dag_id: str = Query(..., min_length=1, max_length=250),
        run_id: str = Query(..., min_length=1, max_length=250),
        outcome: str | None = Query(None, max_length=40),
        q: str | None = Query(None, max_length=40),
    ) -> Response:
        allowed(user, dag_id)
        text = views.run_csv(session, dag_id, run_id, outcome=outcome, q=q, reports=reports, inventory=the_inventory())
        if text is None:
            raise HTTPException(404, "No report for this run")
        name = f"{dag_id}_{safe_name(run_id)}{'_' + safe_name(outcome) if outcome else ''}.csv"
        return Response(
            text,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"', **JSON_HEADERS},
        )

    @api.get("/numbers/{number}")
    def number(number: str, user: GetUserDep) -> JSONResponse:
        try:
            found = history.number_history(number, readable=readable_dag_ids(user), inventory=the_inventory())
        except InvalidNumber as err:
            raise HTTPException(400, str(err)) from None
        return JSONResponse(found, headers=JSON_HEADERS)

    statuses = [s.value for s in NumberStatus]

    @api.get("/inventory.csv")
    def inventory_csv(user: GetUserDep, status: str | None = Query(None, max_length=20)) -> Response:
        if status and status not in statuses:
            raise HTTPException(400, f"status: one of {', '.join(statuses)}")
        dag_ids = [d for d in readable_dag_ids(user) if is_import_dag(d)]
        pieces = the_inventory().export_csv(dag_ids=dag_ids, status=status or None)
        first = next(pieces)  # the header (and first rows): an unreachable database is a 503, not a cut download
        name = f"hosted_numbers{'_' + status if status else ''}.csv"
        return StreamingResponse(
            itertools.chain([first], pieces),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"', **JSON_HEADERS},
        )

    app.include_router(api)
    return app


#: What the plugin mounts at :data:`PREFIX` (built on the first request).
app = LazyApp(create_app)
