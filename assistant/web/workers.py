"""The app as each uvicorn worker builds it: ``python app.py --workers N`` runs N processes on one port, and
uvicorn imports ``assistant.web.workers:app_from_environment`` in each; the settings travel from the parent in
an environment variable (secrets excepted: each worker reads those from its own environment, as the parent did).

With more than one worker on embedded Chroma every worker searches its own copy of the served build's vectors
(``index.chroma_copy``); with a Chroma server they all query it. Conversations, staff logins and rate limits
are shared through the database (``web.shared_state``); the staff console's jobs hold a lease in it.

A worker that cannot start (no index, a database it cannot reach, an embedder that does not match the index)
would fail the same way every time uvicorn started it again: it writes why into the file ``StartFailures``
named, and exits with uvicorn's start-failure status; the parent then stops the others and exits non-zero."""

from __future__ import annotations

import json
import os
import signal
import sys
import tempfile
import threading
import traceback
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, SecretStr
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.settings import Settings

if TYPE_CHECKING:
    from fastapi import FastAPI

    from assistant.answering import ChatService

SETTINGS_ENV = "ZST_WORKER_SETTINGS"
FAILURE_ENV = "ZST_WORKER_FAILURE_FILE"  # where a worker that cannot start says why
FACTORY = "assistant.web.workers:app_from_environment"
STARTUP_FAILURE = 3  # uvicorn's exit status for a process that could not start


def _plain(model: BaseModel) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, SecretStr):
            continue  # never written into the environment: each worker reads it as the parent did
        out[name] = _plain(value) if isinstance(value, BaseModel) else value
    return out


class ServedBy:
    """Names the worker (its process id) on every response, in ``X-Served-By``: which one answered, for
    operators and the tests that check a follow-up is understood by either."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.header = (b"x-served-by", str(os.getpid()).encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def named(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), self.header]}
            await send(message)

        await self.app(scope, receive, named)


def for_workers(settings: Settings) -> Settings:
    """The settings each worker serves with: several workers on embedded Chroma search private copies."""
    if settings.web.workers > 1 and settings.index.chroma_mode == "embedded":
        return settings.model_copy(update={"index": settings.index.model_copy(update={"chroma_copy": True})})
    return settings


def settings_env(settings: Settings) -> str:
    return json.dumps(_plain(for_workers(settings)), ensure_ascii=False, default=str)


def settings_from_env() -> Settings:
    raw = os.environ.get(SETTINGS_ENV)
    return Settings(**json.loads(raw)) if raw else for_workers(Settings())


def warm_up(service: ChatService) -> None:
    """Load the model, tokeniser and vector index now, not on the first visitor's question."""
    service.index.embeddings.embed_query("贵阳贵安投资")
    service.ask("研发费用加计扣除比例是多少？")  # a policy question goes through dense and lexical retrieval
    service.ask("What is the R&D super deduction rate?")  # and an English one through the dictionary (1.3 s to load)


def build_app(settings: Settings, service: ChatService | None = None) -> FastAPI:
    """The whole app over ``settings``, warmed up; the app owns (and closes) its store."""
    from assistant.build import build_chat_service
    from assistant.web.api import create_app

    service = service or build_chat_service(settings)
    warm_up(service)
    return create_app(settings, service)


def start_failure(exc: BaseException) -> str:
    """What an operator reads when the app cannot start: the error in one line. Its traceback goes to stderr
    first, unless it is one the operator fixes by settings or by ingesting (no index, wrong embedder, a bad
    lexicon, a file or database out of reach)."""
    from sqlalchemy.exc import OperationalError

    from assistant.index import EmbedderMismatch, IndexNotFound
    from assistant.lexicon import LexiconError

    if not isinstance(exc, (IndexNotFound, EmbedderMismatch, LexiconError, OSError, OperationalError)):
        traceback.print_exception(exc, file=sys.stderr)
    first = next((line.strip() for line in str(exc).splitlines() if line.strip()), "")
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def app_from_environment() -> FastAPI:
    """uvicorn's factory: called once in every worker process."""
    try:
        settings = settings_from_env()
        app = build_app(settings)
    except Exception as exc:
        reason = start_failure(exc)
        print(f"worker {os.getpid()} could not start: {reason}", file=sys.stderr, flush=True)
        failures = os.environ.get(FAILURE_ENV)
        if failures:
            with open(failures, "a", encoding="utf-8") as out:
                out.write(reason + "\n")
        raise SystemExit(STARTUP_FAILURE) from exc
    print(f"worker {os.getpid()} ready, serving {Path(settings.data_dir)}", flush=True)
    return app


class StartFailures:
    """Around ``uvicorn.run`` with workers, in the parent: names a file for workers that cannot start, and on the
    first line written there asks the supervisor to stop (SIGTERM to this process: uvicorn stops every worker
    and returns), instead of restarting a worker that fails the same way each time. ``reason`` is what the
    first such worker wrote, or '' when every worker started."""

    POLL_S = 0.2

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="zst-workers-")
        self.path = Path(self._folder.name) / "failures.txt"
        self.reason = ""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="start-failures", daemon=True)

    def __enter__(self) -> StartFailures:
        os.environ[FAILURE_ENV] = str(self.path)  # the workers inherit it
        self._thread.start()
        return self

    def _read(self) -> str:
        try:
            return self.path.read_text(encoding="utf-8").strip().splitlines()[0]
        except (OSError, IndexError):
            return ""

    def _watch(self) -> None:
        while not self._stop.wait(self.POLL_S):
            if self._read():
                os.kill(os.getpid(), signal.SIGTERM)
                return

    def __exit__(self, _type: type[BaseException] | None, _exc: BaseException | None,
                 _tb: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.reason = self._read()
        os.environ.pop(FAILURE_ENV, None)
        self._folder.cleanup()
