"""The app as each uvicorn worker builds it: ``python app.py --workers N`` runs N processes on one port, and
uvicorn imports ``assistant.web.workers:app_from_environment`` in each; the settings travel from the parent in
an environment variable (secrets excepted: each worker reads those from its own environment, as the parent did).

With more than one worker on embedded Chroma every worker searches its own copy of the served build's vectors
(``index.chroma_copy``); with a Chroma server they all query it. Conversations, staff logins and rate limits
are shared through the database (``web.shared_state``); the staff console's jobs hold a lease in it."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, SecretStr
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.settings import Settings

if TYPE_CHECKING:
    from fastapi import FastAPI

    from assistant.answering import ChatService

SETTINGS_ENV = "ZST_WORKER_SETTINGS"
FACTORY = "assistant.web.workers:app_from_environment"


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


def build_app(settings: Settings, service: ChatService | None = None) -> FastAPI:
    """The whole app over ``settings``, warmed up; the app owns (and closes) its store."""
    from assistant.build import build_chat_service
    from assistant.web.api import create_app

    service = service or build_chat_service(settings)
    warm_up(service)
    return create_app(settings, service)


def app_from_environment() -> FastAPI:
    """uvicorn's factory: called once in every worker process."""
    settings = settings_from_env()
    app = build_app(settings)
    print(f"worker {os.getpid()} ready, serving {Path(settings.data_dir)}", flush=True)
    return app
