"""The LLM mode over HTTP: a tiny OpenAI-compatible server (stdlib, 127.0.0.1, free port) driven through
make_chat_model + ChatService, with JSON and SSE streaming replies, and a server too slow for timeout_s."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from assistant.answering.grounding import ungrounded_numbers
from assistant.answering.messages import say
from assistant.answering.service import ChatService
from assistant.ingest.builder import IndexBuilder
from assistant.settings import LLMSettings, Settings
from tests.conftest import CORPUS

QUESTION = "两免三减半是什么意思"


def _reply(body: dict[str, Any]) -> dict[str, Any]:
    """The assistant message: first a policy_search call, then an answer quoting a number from a passage."""
    tool_results = [m for m in body["messages"] if m["role"] == "tool"]
    if not tool_results:
        args = json.dumps({"query": "两免三减半 租金减免"}, ensure_ascii=False)
        return {"tool_calls": [{"id": "call_1", "type": "function",
                                "function": {"name": "policy_search", "arguments": args}}]}
    passages = re.findall(r"^\[(\d+)\][^\n]*\n<document>\n(.*?)\n</document>", tool_results[0]["content"], re.M | re.S)
    n, number = next((n, m.group()) for n, text in passages if (m := re.search(r"\d+%", text)))
    return {"content": f"“两免三减半”指租赁期前两年免收租金，第三年至第五年按合同租金的{number}收取[{n}]。"}


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, *args: Any) -> None:  # keep test output clean
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
        time.sleep(self.server.delay)
        message = _reply(body)
        try:
            self._send_stream(body["model"], message) if body.get("stream") else self._send_json(body["model"], message)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
            pass

    def _send_json(self, model: str, message: dict[str, Any]) -> None:
        finish = "tool_calls" if "tool_calls" in message else "stop"
        data = json.dumps({"id": "cmpl-1", "object": "chat.completion", "created": 0, "model": model,
                           "choices": [{"index": 0, "message": {"role": "assistant", "content": None, **message},
                                        "finish_reason": finish}],
                           "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _send_stream(self, model: str, message: dict[str, Any]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for delta, finish in _deltas(message):
            chunk = {"id": "cmpl-1", "object": "chat.completion.chunk", "created": 0, "model": model,
                     "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
            self.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode())
            self.wfile.flush()
        self.wfile.write(b"data: [DONE]\n\n")


def _deltas(message: dict[str, Any]) -> Iterator[tuple[dict[str, Any], str | None]]:
    if "tool_calls" in message:
        call = message["tool_calls"][0]
        args = call["function"]["arguments"]
        yield {"role": "assistant", "content": None, "tool_calls": [
            {"index": 0, "id": call["id"], "type": "function",
             "function": {"name": call["function"]["name"], "arguments": ""}}]}, None
        for i in range(0, len(args), 8):
            yield {"tool_calls": [{"index": 0, "function": {"arguments": args[i:i + 8]}}]}, None
        yield {}, "tool_calls"
        return
    text = message["content"]
    yield {"role": "assistant", "content": ""}, None
    for i in range(0, len(text), 5):
        yield {"content": text[i:i + 5]}, None
    yield {}, "stop"


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, delay: float) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.delay = delay
        self.requests: list[dict[str, Any]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


@pytest.fixture
def endpoint(request: pytest.FixtureRequest) -> Iterator[_Server]:
    server = _Server(getattr(request, "param", 0.0))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> ChatService:
    settings = Settings(corpus_dir=CORPUS, data_dir=tmp_path_factory.mktemp("llm_http") / "data",
                        embeddings={"backend": "fake"}, retrieval={"today": date(2026, 11, 25)})
    IndexBuilder(settings).build()
    return ChatService.from_settings(settings)


def _service(base: ChatService, server: _Server, timeout_s: float = 10.0) -> ChatService:
    llm = LLMSettings(enabled=True, base_url=server.url, model="qwen-test", api_key="test-key", timeout_s=timeout_s)
    return ChatService(base.settings.model_copy(update={"llm": llm}), base.index)


def _check_grounded_llm_answer(answer: Any) -> None:
    assert answer.mode == "llm" and answer.status == "answered" and not answer.notices
    assert "50%" in answer.answer and "[1]" in answer.answer and len(answer.sources) == 1
    assert "50%" in answer.sources[0].text
    evidence = [s.text for s in answer.sources] + [s.title for s in answer.sources] + [QUESTION]
    assert not ungrounded_numbers(answer.answer, evidence)


def test_json_round_trip_through_make_chat_model(base: ChatService, endpoint: _Server) -> None:
    answer = _service(base, endpoint).ask(QUESTION)
    _check_grounded_llm_answer(answer)
    first, second = (r["body"] for r in endpoint.requests)
    assert [r["path"] for r in endpoint.requests] == ["/v1/chat/completions"] * 2
    assert endpoint.requests[0]["auth"] == "Bearer test-key" and first["model"] == "qwen-test"
    assert not first.get("stream") and first["messages"][0]["role"] == "system"
    assert {t["function"]["name"] for t in first["tools"]} >= {"policy_search", "power_bill", "incentive_estimate"}
    tool_message = next(m for m in second["messages"] if m["role"] == "tool")
    assert tool_message["tool_call_id"] == "call_1" and "<document>" in tool_message["content"]


def test_sse_streaming_round_trip(base: ChatService, endpoint: _Server) -> None:
    events = list(_service(base, endpoint).ask_stream(QUESTION, session_id="sse"))
    tokens = [v for k, v in events if k == "token"]
    kind, answer = events[-1]
    assert kind == "answer" and len(tokens) > 3 and answer.answer.startswith("".join(tokens))
    _check_grounded_llm_answer(answer)
    assert all(r["body"].get("stream") is True for r in endpoint.requests) and len(endpoint.requests) == 2


@pytest.mark.parametrize("endpoint", [8.0], indirect=True)
def test_slow_endpoint_times_out_to_the_extractive_answer(base: ChatService, endpoint: _Server) -> None:
    service = _service(base, endpoint, timeout_s=0.5)
    started = time.monotonic()
    answer = service.ask(QUESTION)
    assert time.monotonic() - started < 6.0 and len(endpoint.requests) == 1  # did not wait 8 s, no retry
    assert answer.mode == "extractive-fallback" and answer.notices[0] == say("llm_fallback", "zh")
    assert answer.status == "answered" and answer.answer == base.ask(QUESTION).answer
