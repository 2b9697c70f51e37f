"""The staff console at /staff: ask with retrieval details, documents (uploads, deletions, the lexicon, staged
for review before publishing: see ``staff_changes`` and ``staff_review``), leads (CSV), knowledge gaps,
conversation log. Its own FastAPI app behind ``StaffGate`` (see ``staff_auth``), registered on the public app
by ``mount_staff``; pages are server-rendered HTML, with JSON twins under /staff/api/ for scripts and tests."""

from __future__ import annotations

import logging
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, FastAPI, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse, RedirectResponse, Response

from assistant.answering import ChatService
from assistant.chat_types import Answer
from assistant.settings import Settings
from assistant.text_input import visible
from assistant.web import staff_pages as pages
from assistant.web.match_api import brief_response
from assistant.web.rate_limit import DatabaseCounters
from assistant.web.staff_auth import (
    COOKIE,
    PREFIX,
    StaffAuth,
    StaffGate,
    TooManyAttempts,
    client_ip,
    load_or_create_token,
)
from assistant.web.staff_changes import ConsoleError, StagedChanges
from assistant.web.staff_data import candidate_rows, knowledge_gaps, leads_csv
from assistant.web.staff_privacy import privacy_routes
from assistant.web.staff_review import review_routes
from assistant.web.staff_text import LANG_COOKIE, LANG_COOKIE_DAYS, LANGS, StaffText, staff_text
from assistant.web.store import Store

log = logging.getLogger(__name__)
MAX_QUESTION_CHARS = 2000
ALL_LEADS = 100_000
Upload = Annotated[UploadFile, File()]  # module level: FastAPI resolves string annotations in globals
Tx = Annotated[StaffText, Depends(staff_text)]
_NO_STORE = pages.NO_STORE
_html = pages.html_response


class StaffConsole:
    def __init__(self, service: ChatService, store: Store, settings: Settings, auth: StaffAuth) -> None:
        self.service, self.store, self.settings, self.auth = service, store, settings, auth
        self.changes = StagedChanges(service, settings, store.shared if settings.web.shares_state() else None)
        self.job = self.changes.job
        self.upload_limit = self.changes.upload_limit
        self.zone = ZoneInfo(settings.staff.timezone)  # times on the console's pages

    # ---- login ----
    def login(self, request: Request, token: str, tx: StaffText) -> Response:
        ip = client_ip(request)
        try:
            cookie = self.auth.login(ip, token)  # the try is counted before the token is checked
        except TooManyAttempts:
            return _html(pages.login_page(tx, tx("too_many")), 429)
        if cookie is None:
            log.warning("failed staff login from %s", ip)
            return _html(pages.login_page(tx, tx("wrong_token")), 401)
        response = RedirectResponse(f"{PREFIX}/ask", status_code=303)
        response.set_cookie(COOKIE, cookie, max_age=int(self.settings.staff.session_minutes * 60), path=PREFIX,
                            httponly=True, samesite="strict", secure=request.url.scheme == "https")
        return response

    def logout(self, request: Request) -> Response:
        self.auth.logout(request.cookies.get(COOKIE))
        response = RedirectResponse(f"{PREFIX}/login", status_code=303)
        response.delete_cookie(COOKIE, path=PREFIX, httponly=True, samesite="strict")
        return response

    # ---- sections ----
    def ask(self, question: str) -> Answer | None:
        question = visible(question)[:MAX_QUESTION_CHARS]
        if not question:
            return None
        self.service.reload_if_stale()
        return self.service.ask(question)  # no session and not logged: staff questions are not gaps

    def files(self) -> list[dict[str, Any]]:
        return self.service.index.files()

    def upload(self, filename: str, data: bytes) -> dict[str, Any]:
        """Keep the file with the pending changes and stage a re-index; ConsoleError says why not."""
        return self.changes.upload(filename, data)

    def gaps(self) -> list[Any]:
        return knowledge_gaps(self.store, self.settings.staff.low_confidence)


def _routes(console: StaffConsole) -> APIRouter:
    router = APIRouter(prefix=PREFIX)
    low = console.settings.staff.low_confidence

    @router.get("/login")
    def login_form(request: Request, tx: Tx) -> Response:
        if console.auth.valid(request.cookies.get(COOKIE)):
            return RedirectResponse(f"{PREFIX}/ask", status_code=303)
        return _html(pages.login_page(tx))

    @router.post("/login")
    def login(request: Request, tx: Tx, token: Annotated[str, Form(max_length=200)] = "") -> Response:
        return console.login(request, token, tx)

    @router.post("/logout")
    def logout(request: Request) -> Response:
        return console.logout(request)

    @router.get("/static/console.css")
    def css() -> Response:
        return Response(pages.CSS, media_type="text/css", headers=_NO_STORE)

    @router.get("/static/console.js")
    def js() -> Response:
        return Response(pages.JS, media_type="text/javascript", headers=_NO_STORE)

    @router.get("")
    @router.get("/")
    def home() -> Response:
        return RedirectResponse(f"{PREFIX}/ask", status_code=303)

    @router.get("/ask")
    def ask_page(tx: Tx, q: str = "") -> Response:
        return _html(pages.page(tx, tx("nav_ask"), "ask", pages.ask_body(tx, q, console.ask(q))))

    @router.get("/api/ask")
    def ask_json(q: str = "") -> Response:
        answer = console.ask(q)
        if answer is None:
            return JSONResponse({"detail": "q is empty"}, status_code=422)
        out = answer.public_dict() | {"confidence": answer.confidence, "intents": answer.intents,
                                      "notices": answer.notices, "candidates": candidate_rows(answer.candidates)}
        return JSONResponse(out, headers=_NO_STORE)

    @router.get("/documents")
    def documents(tx: Tx, msg: str = "") -> Response:
        console.service.reload_if_stale()
        info = console.changes.info()
        body = pages.documents_body(tx, console.files(), console.service.index.build_id, console.job.status(),
                                    console.settings.staff.max_upload_mb, msg[:300],
                                    info["pending"] | {"staged": info["staged"]})
        return _html(pages.page(tx, tx("nav_documents"), "documents", body))

    @router.get("/api/documents")
    def documents_json() -> Response:
        return JSONResponse({"build_id": console.service.index.build_id, "files": console.files()},
                            headers=_NO_STORE)

    @router.post("/documents/upload")
    async def upload_form(file: Upload, tx: Tx) -> Response:
        data = await file.read(console.upload_limit + 1)
        try:
            result = console.upload(file.filename or "", data)
            msg = tx("saved_upload", doc=result["doc_id"])
        except ConsoleError as exc:
            msg = tx("upload_refused", why=tx.reason(exc.message, exc.key, exc.values))
        return RedirectResponse(f"{PREFIX}/documents?{urlencode({'msg': msg})}", status_code=303)

    @router.post("/api/upload")
    async def upload_json(file: Upload) -> Response:
        data = await file.read(console.upload_limit + 1)
        try:
            return JSONResponse(console.upload(file.filename or "", data), status_code=202)
        except ConsoleError as exc:
            return JSONResponse({"detail": exc.message}, status_code=exc.status)

    @router.get("/api/reindex")
    def reindex_status() -> Response:
        return JSONResponse(console.job.status(), headers=_NO_STORE)

    @router.get("/leads")
    def leads(tx: Tx) -> Response:
        body = pages.leads_body(tx, console.store.leads(limit=1000), console.zone)
        return _html(pages.page(tx, tx("nav_leads"), "leads", body))

    @router.get("/leads/{lead_id}/brief")
    def lead_brief(lead_id: int) -> Response:
        """The investment brief the lead came with, as the investor downloaded it."""
        html = console.store.lead_brief(lead_id)
        if html is None:
            return JSONResponse({"detail": "no brief with this lead"}, status_code=404, headers=_NO_STORE)
        return brief_response(html, "zh", download=False)

    @router.get("/leads.csv")
    def leads_export() -> Response:
        return Response(leads_csv(console.store.leads(limit=ALL_LEADS)), media_type="text/csv; charset=utf-8",
                        headers={**_NO_STORE, "Content-Disposition": 'attachment; filename="leads.csv"'})

    @router.get("/gaps")
    def gaps(tx: Tx) -> Response:
        return _html(pages.page(tx, tx("nav_gaps"), "gaps", pages.gaps_body(tx, console.gaps(), low)))

    @router.get("/api/gaps")
    def gaps_json() -> Response:
        return JSONResponse([g.to_dict() for g in console.gaps()], headers=_NO_STORE)

    @router.get("/log")
    def log_page(tx: Tx, session: str = "", limit: int = 100) -> Response:
        limit = max(1, min(limit, 1000))
        turns = console.store.conversations(limit=limit, session_id=session or None)
        return _html(pages.page(tx, tx("nav_log"), "log", pages.log_body(tx, turns, session, limit, console.zone)))

    @router.get("/api/log")
    def log_json(session: str = "", limit: int = 100) -> Response:
        turns = console.store.conversations(limit=max(1, min(limit, 1000)), session_id=session or None)
        return JSONResponse([{**t, "created": t["created"].isoformat()} for t in turns], headers=_NO_STORE)

    return router


def build_console(service: ChatService, store: Store, settings: Settings, auth: StaffAuth) -> FastAPI:
    console = StaffConsole(service, store, settings, auth)
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)  # no schema of staff endpoints either
    app.state.console = console

    @app.middleware("http")
    async def remember_language(request: Request, call_next: Any) -> Response:
        # ?lang=en (or zh) on any console page switches the language and is remembered for the next ones.
        response: Response = await call_next(request)
        asked = request.query_params.get("lang")
        if asked in LANGS:
            response.set_cookie(LANG_COOKIE, asked, max_age=LANG_COOKIE_DAYS * 86400, path=PREFIX,
                                samesite="strict", secure=request.url.scheme == "https")
        return response

    app.include_router(_routes(console))
    app.include_router(review_routes(console.changes, console.settings))
    app.include_router(privacy_routes(console.store, console.settings))
    return app


def mount_staff(app: FastAPI, service: ChatService, store: Store, settings: Settings) -> StaffAuth | None:
    """Put the console in front of ``app`` at /staff. Prints a newly generated token once, here at startup."""
    if not settings.staff.enabled:
        return None
    token_hash, new_token = load_or_create_token(settings)
    if new_token is not None:
        print(f"Staff console token (shown once; only its hash is kept in {settings.data_dir}): {new_token}",
              flush=True)
    lasts = settings.staff.session_minutes * 60
    if settings.web.shares_state():  # a login made on one worker is honoured by every other
        shared = store.shared
        auth = StaffAuth(token_hash, lasts, key=shared.secret("staff_cookie_key"), sessions=shared,
                         counters=DatabaseCounters(shared))
    else:
        auth = StaffAuth(token_hash, lasts)
    console = build_console(service, store, settings, auth)
    app.add_middleware(StaffGate, staff=console, auth=auth,
                       max_body=int(settings.staff.max_upload_mb * 1024 * 1024) + 64 * 1024)
    app.state.staff_auth, app.state.staff_console = auth, console.state.console
    return auth

