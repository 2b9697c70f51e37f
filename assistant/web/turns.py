"""One turn of conversation for the web surfaces: answer (whole or streamed), log it, shape it as JSON."""

from __future__ import annotations

import json
import logging
import threading
import uuid
import weakref
from collections.abc import Iterator
from dataclasses import asdict
from typing import Any

from assistant.answering import ChatService
from assistant.chat_types import Answer
from assistant.web.answer_runner import AnswerRunner, AnswerStream
from assistant.web.render import answer_html
from assistant.web.sources import SourceFiles
from assistant.web.store import Store

log = logging.getLogger(__name__)
Event = tuple[str, Any]  # ("token", str) … ("answer", Answer)
# The files of each served index, by corpus folder: built once per build, not on every answer (it walks every
# chunk: about a tenth of an answer's CPU). Keyed weakly, so a build replaced by a re-index is let go.
_FILES: weakref.WeakKeyDictionary[Any, dict[str, SourceFiles]] = weakref.WeakKeyDictionary()
_FILES_LOCK = threading.Lock()


def new_session_id() -> str:
    return uuid.uuid4().hex


def source_files(service: ChatService) -> SourceFiles:
    # Read from the index being served, so links follow a re-index without a restart.
    index, corpus = service.index, str(service.settings.corpus_dir)
    with _FILES_LOCK:
        files = _FILES.get(index, {}).get(corpus)
    if files is None:
        # Chinese names an English reader sees in Latin letters: the corpus's own English for its places and
        # industries first, then pinyin word by word (jieba's words, the lexicon's terms kept whole).
        labels = {**index.lexicon.industry_labels, **service.catalog.places.english_names}
        files = SourceFiles.from_manifest(index.manifest, service.settings.corpus_dir, index.chunks,
                                          index.tokenizer.words, labels)
        with _FILES_LOCK:
            _FILES.setdefault(index, {})[corpus] = files
    return files


def answer_events(service: ChatService, question: str, session_id: str, lang: str | None) -> Iterator[Event]:
    """Token pieces then the Answer, in either answer mode."""
    yield from service.ask_stream(question, session_id=session_id, lang=lang)


def log_turn(store: Store, session_id: str, question: str, answer: Answer) -> None:
    try:
        store.log_turn(session_id=session_id, question=question, answer=answer.answer, status=answer.status,
                       language=answer.language, sources=[asdict(s) for s in answer.sources],
                       confidence=answer.confidence, intents=list(answer.intents),
                       topic=answer.topic)
    except Exception:  # a full disk or a database outage must not cost the investor the answer
        log.exception("could not log the conversation turn of session %s", session_id)


def ask(service: ChatService, store: Store, question: str, session_id: str, lang: str | None,
        runner: AnswerRunner, client: str) -> Answer:
    """The whole answer, logged; on the runner's pool for ``client`` (TooManyAnswers when the client has as many
    answers in progress as it may) and within its deadline (AnswerTimeout)."""
    service.reload_if_stale()

    def answer_it() -> Answer:
        return service.ask(question, session_id=session_id, lang=lang)

    answer = runner.call(client, answer_it)
    log_turn(store, session_id, question, answer)
    return answer


def stream(service: ChatService, store: Store, question: str, session_id: str, lang: str | None,
           runner: AnswerRunner, client: str) -> EventStream:
    """The answer's events as they come, the answer logged. The client's slot is claimed now, so TooManyAnswers
    comes from this call, before anything is sent. Close the stream when the visitor goes: its producer stops."""
    service.reload_if_stale()

    def events() -> Iterator[Event]:
        return answer_events(service, question, session_id, lang)

    return EventStream(runner.iterate(client, events), store, session_id, question)


class EventStream(Iterator[Event]):
    """The runner's stream of a turn's events, the answer logged as it is passed on; ``close()`` from any
    thread, at any time, stops the producer."""

    def __init__(self, events: AnswerStream[Event], store: Store, session_id: str, question: str) -> None:
        self._events = events
        self._store = store
        self._session_id = session_id
        self._question = question

    def __iter__(self) -> EventStream:
        return self

    def __next__(self) -> Event:
        kind, value = next(self._events)
        if kind == "answer":
            log_turn(self._store, self._session_id, self._question, value)
        return kind, value

    def close(self) -> None:
        self._events.close()


def payload(answer: Answer, session_id: str, files: SourceFiles) -> dict[str, Any]:
    """Answer.public_dict with sources' page, highlight and link, plus table, working, notices, session, and the
    whole answer as the safe HTML every surface shows (labels in the answer's language)."""
    lang = answer.language
    out = answer.public_dict()
    out["sources"] = [{"title": s.title, "locator": s.locator, "text": s.text, "doc_id": s.doc_id,
                       "page": s.page, "kind": s.kind, "sample": s.sample, "highlight": s.highlight,
                       "url": files.url_for(s, lang)} for s in answer.sources]
    out |= {"table": answer.table, "working": answer.working, "notices": answer.notices,
            "session_id": session_id, "html": answer_html(answer, files, lang)}
    return out


def sse(event: str, data: Any) -> str:
    """One server-sent event; JSON data never holds a raw newline, so it fits on one ``data:`` line."""
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False, default=str)}\n\n"
