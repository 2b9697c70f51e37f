"""Every answer has a deadline: the runner on its own, then the API, the stream and the page in front of an LLM
endpoint that hangs (the stub OpenAI-compatible server of test_llm_http, answering far too slowly)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest

from assistant.build import build_chat_service
from assistant.ingest.builder import IndexBuilder
from assistant.settings import Settings
from assistant.web.answer_runner import AnswerRunner, AnswerTimeout
from assistant.web.api import create_app
from assistant.web.store import Store
from assistant.web.ui import InvestorPage
from tests.conftest import CORPUS
from tests.test_llm_http import _Server
from tests.web_serving import serve_app

pytestmark = pytest.mark.filterwarnings("ignore:The copy keyword is deprecated")  # inside Gradio
DEADLINE = 1.0


def test_the_runner_returns_results_and_passes_errors_on() -> None:
    runner = AnswerRunner(workers=2, timeout_s=5)
    try:
        assert runner.call("client", lambda: 42) == 42
        assert list(runner.iterate("client", lambda: iter("abc"))) == ["a", "b", "c"]
        with pytest.raises(ZeroDivisionError):
            runner.call("client", lambda: 1 / 0)

        def broken() -> Iterator[str]:
            yield "a"
            raise ValueError("bad page")

        with pytest.raises(ValueError, match="bad page"):
            list(runner.iterate("client", broken))
    finally:
        runner.close()


def test_the_runner_gives_up_at_the_deadline_and_the_producer_stops() -> None:
    runner = AnswerRunner(workers=1, timeout_s=0.3)
    produced: list[int] = []

    def slow() -> Iterator[int]:
        for n in range(100):
            produced.append(n)
            yield n
            time.sleep(0.1)

    started = time.monotonic()
    with pytest.raises(AnswerTimeout):
        list(runner.iterate("client", slow))
    with pytest.raises(AnswerTimeout):
        runner.call("client", lambda: time.sleep(1))
    assert time.monotonic() - started < 1.5
    time.sleep(0.5)
    assert len(produced) < 10  # told to stop, the worker does not go on producing for nobody
    runner.close()


@pytest.fixture
def hung_llm() -> Iterator[_Server]:
    server = _Server(delay=8.0)  # far beyond the deadline, well within the LLM client's own timeout
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def settings(tmp_path: Path, hung_llm: _Server) -> Settings:
    s = Settings(corpus_dir=CORPUS, data_dir=tmp_path / "data", embeddings={"backend": "fake"},
                 retrieval={"today": date(2026, 11, 25)}, staff={"enabled": False},
                 llm={"enabled": True, "base_url": hung_llm.url, "model": "qwen-test", "timeout_s": 30},
                 web={"answer_timeout_s": DEADLINE})
    IndexBuilder(s).build()
    return s


def test_api_answers_504_at_the_deadline_as_json_and_as_a_stream(settings: Settings) -> None:
    with serve_app(create_app(settings, ui=False)) as base, httpx.Client(base_url=base, timeout=30) as c:
        started = time.monotonic()
        r = c.post("/api/chat", json={"message": "两免三减半是什么意思"})
        json_seconds = time.monotonic() - started
        started = time.monotonic()
        s = c.post("/api/chat", json={"message": "两免三减半是什么意思", "stream": True})
        stream_seconds = time.monotonic() - started
        health = c.get("/healthz")
    assert r.status_code == 504 and r.json()["detail"][0]["type"] == "timeout"
    assert "took too long" in r.json()["detail"][0]["msg"]
    assert s.status_code == 200 and "event: error" in s.text
    error = json.loads(s.text.split("event: error\ndata: ", 1)[1].split("\n", 1)[0])
    assert error["type"] == "timeout"
    assert json_seconds < DEADLINE + 2 and stream_seconds < DEADLINE + 2  # not the LLM's 8 s
    assert health.status_code == 200  # the server is still answering other requests


def test_the_page_says_the_answer_took_too_long(settings: Settings) -> None:
    store = Store.from_settings(settings)
    runner = AnswerRunner(workers=2, timeout_s=DEADLINE)
    try:
        # The LLM mode (build_chat_service), so the hung endpoint is in front: ChatService.from_settings is
        # extractive, and this test then passed only when a cold first answer happened to take over a second.
        page = InvestorPage(build_chat_service(settings), store, settings, runner)
        *_, (history, _text, _session, _turns) = page.respond("两免三减半是什么意思", [], "zh", "", {})
    finally:
        runner.close()
        store.close()
    assert "回答超时" in history[-1]["content"]
