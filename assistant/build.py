"""Composition of the answering service: the extractive ChatService, with the LLM composer when it is enabled.
The entry points (app.py, the CLI, the web app) build the service here and hand it on."""

from __future__ import annotations

from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel

from assistant.answering import ChatService
from assistant.index import SearchIndex, make_embeddings
from assistant.settings import Settings


def build_chat_service(settings: Settings, index: SearchIndex | None = None, embeddings: Embeddings | None = None,
                       chat_model: BaseChatModel | None = None) -> ChatService:
    """The one ChatService for every surface; ``index`` defaults to the served build, ``chat_model`` to the
    configured endpoint (tests pass a scripted one)."""
    if index is None:
        index = SearchIndex.open(settings, embeddings or make_embeddings(settings.embeddings))
    service = ChatService(settings, index)
    if settings.llm.enabled:  # optional LLM mode, over the same retriever, listings and calculators
        from assistant.llm import make_composer  # langchain-openai is slow to import; only this mode needs it

        service.composer = make_composer(settings.llm, service, chat_model)
    return service
