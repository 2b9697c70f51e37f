"""The HTTP API (FastAPI): chat as JSON or server-sent events, leads, feedback, health, cited corpus files.

The investor page is mounted at ``/`` on the same app (``ui=True``), so everything is one process and port."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import AsyncIterator, Generator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from assistant.answering import ChatService
from assistant.build import build_chat_service
from assistant.settings import RateLimitSettings, Settings
from assistant.text_input import EmptyQuestion, is_blank
from assistant.web import turns
from assistant.web.answer_runner import AnswerRunner, AnswerTimeout, TooManyAnswers
from assistant.web.body_limit import BodyLimit
from assistant.web.match_api import install_match, lead_brief
from assistant.web.rate_limit import (
    Counters,
    DatabaseCounters,
    Limit,
    RateLimiter,
    client_key,
    retry_after_header,
)
from assistant.web.schemas import (
    ChatReply,
    ChatRequest,
    Created,
    FeedbackRequest,
    Health,
    LeadRequest,
    field_error,
)
from assistant.web.source_pages import source_response
from assistant.web.store import Store
from assistant.web.widget import install_widget

log = logging.getLogger(__name__)
LIMITED_ROUTES = {"/api/chat": "chat", "/api/match": "chat", "/api/leads": "leads",  # POST only
                  "/api/feedback": "feedback"}
PAGE_API = "/gradio_api/"  # the investor page's own calls (Gradio is mounted at /)
TIMEOUT_MESSAGE = "回答超时，请稍后再试 / The assistant took too long to answer; please try again."


class ApiError(Exception):
    def __init__(self, status: int, errors: list[dict[str, Any]]) -> None:
        super().__init__(errors)
        self.status = status
        self.errors = errors


def _clean(errors: Any) -> list[dict[str, Any]]:
    # Only type, loc, msg: "input" would echo what was sent (phone numbers) and "ctx" may hold exceptions.
    return [{"type": e.get("type"), "loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")).removeprefix(
        "Value error, ")} for e in errors]


def too_large(limit: int) -> JSONResponse:
    return JSONResponse({"detail": [field_error("", f"request body over {limit} bytes", "too_large")]},
                        status_code=413)


def _install_error_handlers(app: FastAPI, max_body: int, max_page_body: int) -> None:
    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _clean(exc.errors())
        status = 400 if any(e["type"] == "json_invalid" for e in errors) else 422
        return JSONResponse({"detail": errors}, status_code=status)

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse({"detail": exc.errors}, status_code=exc.status)

    @app.exception_handler(EmptyQuestion)
    async def _empty(_request: Request, _exc: EmptyQuestion) -> JSONResponse:
        return JSONResponse({"detail": [field_error("message", "message is empty", "string_too_short")]},
                            status_code=422)

    @app.exception_handler(AnswerTimeout)
    async def _timeout(_request: Request, exc: AnswerTimeout) -> JSONResponse:
        log.warning("answer timed out after %g s", exc.seconds)
        return JSONResponse({"detail": [field_error("", TIMEOUT_MESSAGE, "timeout")]}, status_code=504)

    # Counts the body as it streams in (chunked requests declare no length), refusing it before it is parsed.
    # The page's own calls carry the whole chat so far: a long conversation must not hit the API's limit.
    app.add_middleware(BodyLimit, max_bytes=max_body, refusal=too_large, by_prefix={PAGE_API: max_page_body})


def busy_message(limit: int, seconds: int) -> str:
    return (f"您已有 {limit} 个问题正在回答，请 {seconds} 秒后再试 / You already have {limit} questions being "
            f"answered: try again in {seconds} s.")


def _install_busy_handler(app: FastAPI) -> None:
    """429 with Retry-After for a client that already has as many answers in progress as it may."""

    @app.exception_handler(TooManyAnswers)
    async def _busy(request: Request, exc: TooManyAnswers) -> JSONResponse:
        log.info("client %s refused: %d answers already in progress", client_key(request), exc.limit)
        seconds = str(exc.retry_after_s)
        return JSONResponse({"detail": [field_error("", busy_message(exc.limit, exc.retry_after_s), "too_many_answers")]},
                            status_code=429, headers={"Retry-After": seconds})


class AnswerStreamingResponse(StreamingResponse):
    """Server-sent events of one answer, its producer stopped however the response ends. Starlette iterates
    a sync generator in its thread pool and, when the client disconnects, cancels the response but leaves the
    generator open until it is garbage-collected (and never closes one it has not started); closing the
    answer's stream here is what stops its producer and gives the client's answer slot back at once."""

    def __init__(self, content: Generator[str, None, None], events: turns.EventStream, **kwargs: Any) -> None:
        super().__init__(content, **kwargs)
        self._content = content
        self._events = events

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._events.close()  # any thread, any time: it only tells the producer to stop
            try:
                # Not running in a thread now: even when cancelled, Starlette waits for the step of the
                # generator it runs in its thread pool to end before the cancellation reaches here.
                self._content.close()
            except Exception:
                log.exception("closing an answer stream failed")


def make_limiter(limits: RateLimitSettings, counters: Counters | None = None) -> RateLimiter:
    """The limits on ``counters``: shared ones (the database) count with the wall clock, as every worker does."""
    return RateLimiter({"chat": Limit.per_minute(limits.chat_per_minute, limits.chat_burst),
                        "leads": Limit.per_hour(limits.leads_per_hour, limits.leads_burst),
                        "feedback": Limit.per_hour(limits.feedback_per_hour, limits.feedback_burst)},
                       counters=counters, clock=time.monotonic if counters is None else time.time)


class _RateLimit:
    """429 with Retry-After for a client over its limit. Plain ASGI, not ``@app.middleware``: Starlette's
    BaseHTTPMiddleware wraps every request of the app in extra tasks and streams. Counts in the database are
    taken on a worker thread, so a write waiting for SQLite's lock never holds up the event loop."""

    def __init__(self, app: ASGIApp, limiter: RateLimiter, in_thread: bool) -> None:
        self.app = app
        self.limiter = limiter
        self.in_thread = in_thread

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            request = Request(scope)
            group = LIMITED_ROUTES.get(request.url.path)
            if group:
                client = client_key(request)
                wait = (await run_in_threadpool(self.limiter.acquire, group, client) if self.in_thread
                        else self.limiter.acquire(group, client))
                if wait > 0:
                    seconds = retry_after_header(wait)
                    message = f"请求过于频繁，请 {seconds} 秒后再试 / Too many requests: try again in {seconds} s."
                    response = JSONResponse({"detail": [field_error("", message, "rate_limited")]}, status_code=429,
                                            headers={"Retry-After": seconds})
                    await response(scope, receive, send)
                    return
        await self.app(scope, receive, send)


def _install_rate_limit(app: FastAPI, limits: RateLimitSettings, counters: Counters | None) -> None:
    """The limits; installed before CORS, so the widget can read a 429."""
    app.add_middleware(_RateLimit, limiter=make_limiter(limits, counters), in_thread=counters is not None)


def _check_message(message: str, limit: int) -> str:
    if is_blank(message):  # "", or only whitespace, control or format characters ("\x1d", "\u200b")
        raise ApiError(422, [field_error("message", "message is empty", "string_too_short")])
    if len(message) > limit:
        raise ApiError(422, [field_error("message", f"message is longer than {limit} characters",
                                         "string_too_long")])
    return message


def create_app(settings: Settings, service: ChatService | None = None, *, store: Store | None = None,
               ui: bool = True) -> FastAPI:
    """The web app. Builds the service and store from ``settings`` where not given (tests pass their own)."""
    if service is None:
        service = build_chat_service(settings)
    owned_store = store is None
    if store is None:
        store = Store.from_settings(settings)
    limit = settings.web.max_message_chars
    shared = store.shared if settings.web.shares_state() else None
    # Answers in progress per client are counted where the rate limits are: across workers when state is shared.
    runner = AnswerRunner(settings.web.answer_workers, settings.web.answer_timeout_s,
                          settings.web.answers_per_client, DatabaseCounters(shared) if shared else None)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        runner.close()
        if owned_store:
            store.close()

    app = FastAPI(title="筑商通 / Invest Guiyang Assistant", version="0.1.0", lifespan=lifespan,
                  description="Grounded answers with citations for investors in Guiyang and Gui'an New Area.")
    app.state.service, app.state.store, app.state.settings = service, store, settings
    app.state.runner = runner
    _install_error_handlers(app, settings.web.max_body_bytes, settings.web.max_page_body_bytes)
    _install_busy_handler(app)
    if shared is not None:  # every worker reads and writes conversations and counts in the one database
        service.conversations.backend = shared
    if settings.web.rate_limit.enabled:
        _install_rate_limit(app, settings.web.rate_limit, DatabaseCounters(shared) if shared else None)
    if settings.web.allowed_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.web.allowed_origins,
                           allow_methods=["GET", "POST"], allow_headers=["Content-Type", "Accept"])

    @app.post("/api/chat", response_model=ChatReply, tags=["chat"],
              responses={200: {"content": {"text/event-stream": {}},
                               "description": "JSON, or events token / answer / error when streaming."}})
    def chat(body: ChatRequest, request: Request) -> Response:
        """Answer one question. ``stream`` or ``Accept: text/event-stream`` gives server-sent events:
        ``token`` ({"text"}) while the answer is written, then one ``answer`` (the JSON reply),
        or ``error``."""
        question = _check_message(body.message, limit)
        session_id = body.session_id or turns.new_session_id()
        client = client_key(request)  # at most web.answers_per_client answers in progress: else 429
        if body.stream or "text/event-stream" in request.headers.get("accept", ""):
            events = turns.stream(service, store, question, session_id, body.lang, runner, client)
            return AnswerStreamingResponse(_events(service, events, session_id), events,
                                           media_type="text/event-stream",
                                           headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
        answer = turns.ask(service, store, question, session_id, body.lang, runner, client)
        return JSONResponse(turns.payload(answer, session_id, turns.source_files(service)))

    @app.post("/api/leads", response_model=Created, status_code=201, tags=["contact"])
    def leads(body: LeadRequest) -> Created:
        """Store an investor's contact request. Needs a name and a phone number or an email. The investment brief
        of ``profile``, or of the profile given in the chat of ``session_id``, is kept with it for staff."""
        errors = body.contact_errors()
        if errors:
            raise ApiError(422, errors)
        brief = lead_brief(service, body.profile, body.session_id, body.profile_lang)
        return Created(id=store.add_lead(**body.model_dump(exclude={"profile", "profile_lang"}), brief_html=brief))

    @app.post("/api/feedback", response_model=Created, status_code=201, tags=["contact"])
    def feedback(body: FeedbackRequest) -> Created:
        """Thumbs up (1) or down (-1) on an answer."""
        return Created(id=store.add_feedback(**body.model_dump()))

    @app.get("/healthz", response_model=Health, tags=["ops"])
    def healthz() -> JSONResponse:
        index = service.index
        database = store.ping()
        health = Health(ok=database, build_id=index.build_id, chunks=len(index.chunks),
                        current=index.is_current(), database=database)
        return JSONResponse(health.model_dump(), status_code=200 if health.ok else 503)

    @app.api_route("/sources/{doc_path:path}", methods=["GET", "HEAD"], tags=["sources"], response_class=HTMLResponse,
             responses={200: {"content": {"application/pdf": {}}},
                        404: {"description": "Not a file of the served index, or no such row or rule."}})
    def source_file(doc_path: str, art: str = "", hl: str = "", row: str = "", rule: str = "",
                    lang: str = "zh", raw: bool = False) -> Response:
        """What a citation cites: a PDF (``#page=N``); a Markdown, Word or text document as a page at article
        ``art`` with sentence ``hl`` marked (``#cited``); a listing's ``row``; a rules file's ``rule``.
        ``raw=1`` gives the file itself."""
        return source_response(turns.source_files(service), doc_path, art=art, hl=hl, row=row, rule=rule,
                               lang=lang, raw=raw)

    install_match(app, service)
    install_widget(app, settings)  # before the page: Gradio at / answers every path after it

    from assistant.web.staff import mount_staff  # the console at /staff, behind its own login

    mount_staff(app, service, store, settings)
    if ui:
        from assistant.web.ui import mount_ui  # Gradio is imported only when the page is wanted

        mount_ui(app, service, store, settings, runner)
    if shared is not None:
        from assistant.web.workers import ServedBy

        app.add_middleware(ServedBy)  # outermost: on the staff console's responses too
    return app


def _events(service: ChatService, events: turns.EventStream, session_id: str) -> Generator[str, None, None]:
    # A sync generator: Starlette runs it in a worker thread, so answering never blocks the event loop.
    try:
        for kind, value in events:
            if kind == "token":
                yield turns.sse("token", {"text": value})
            elif kind == "answer":
                yield turns.sse("answer", turns.payload(value, session_id, turns.source_files(service)))
    except AnswerTimeout as exc:
        log.warning("answer timed out after %g s in session %s", exc.seconds, session_id)
        yield turns.sse("error", {"detail": TIMEOUT_MESSAGE, "type": "timeout"})
    except Exception:
        log.exception("answering failed in session %s", session_id)
        yield turns.sse("error", {"detail": "the assistant could not answer; please try again"})
    finally:
        events.close()  # the visitor has gone: the answer's producer stops and the client's slot is free
