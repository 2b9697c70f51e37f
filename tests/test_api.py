"""The web app for real: uvicorn on a loopback port in a background thread, over an index of the sample corpus
(fake embedder), SQLite in tmp_path, spoken to with real HTTP."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from typing import Any

import gradio as gr
import httpx
import pytest

from assistant.answering.service import ChatService
from assistant.index.store import IndexPaths
from assistant.ingest.builder import IndexBuilder
from assistant.settings import Settings
from assistant.web.answer_runner import AnswerRunner
from assistant.web.api import create_app
from assistant.web.store import Store
from assistant.web.ui import InvestorPage
from tests.conftest import CORPUS
from tests.web_serving import serve_app

pytestmark = pytest.mark.filterwarnings("ignore:The copy keyword is deprecated")  # inside Gradio

LIMIT = 200
PDF = "policies/gy-standard-factory-leasing.pdf"


@dataclass
class Web:
    base: str
    port: int
    settings: Settings
    service: ChatService
    store: Store

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base, timeout=60)


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Web]:
    settings = Settings(corpus_dir=CORPUS, data_dir=tmp_path_factory.mktemp("web") / "data",
                        embeddings={"backend": "fake"}, retrieval={"today": date(2026, 11, 25)},
                        web={"max_message_chars": LIMIT, "rate_limit": {"enabled": False}})  # own tests
    IndexBuilder(settings).build()
    service = ChatService.from_settings(settings)
    store = Store.from_settings(settings)
    with serve_app(create_app(settings, service, store=store)) as base:
        yield Web(base, int(base.rsplit(":", 1)[1]), settings, service, store)
    store.close()


@pytest.fixture
def runner() -> Iterator[AnswerRunner]:
    runner = AnswerRunner(workers=2, timeout_s=60)
    yield runner
    runner.close()


@pytest.fixture(scope="module")
def client(web: Web) -> Iterator[httpx.Client]:
    with web.client() as c:
        yield c


def _fields(response: httpx.Response) -> set[str]:
    return {str(e["loc"][-1]) for e in response.json()["detail"]}


def _events(text: str) -> list[tuple[str, Any]]:
    out = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        out.append((lines["event"], json.loads(lines["data"])))
    return out


# ---- chat ----
def test_chat_json_answer_is_cited_logged_and_followed_up(web: Web, client: httpx.Client) -> None:
    r = client.post("/api/chat", json={"message": "经开区工业用地价格是多少？"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert {"answer", "status", "handoff", "language", "sources", "table", "working", "notices",
            "session_id"} <= set(body)
    assert body["status"] == "answered" and "288" in body["answer"] and body["language"] == "zh"
    assert any(s["locator"] == "P-01" and s["url"] == "/sources/listings/parks.csv?row=P-01" for s in body["sources"])
    assert '<div class="zst-answer">' in body["html"] and "?row=P-01" in body["html"]
    sid = body["session_id"]
    again = client.post("/api/chat", json={"message": "那开阳呢？", "session_id": sid}).json()
    assert "144" in again["answer"] and again["session_id"] == sid
    logged = web.store.conversations(session_id=sid)
    assert [t["question"] for t in logged] == ["那开阳呢？", "经开区工业用地价格是多少？"]
    assert logged[1]["status"] == "answered" and logged[1]["sources"][0]["locator"]


def test_chat_factory_table_comes_back(client: httpx.Client) -> None:
    body = client.post("/api/chat", json={"message": "经开区有没有3000平以上、层高8米以上的厂房出租"}).json()
    assert "F-001" in [row["id"] for row in body["table"]]


@pytest.mark.parametrize("how", ["accept", "flag"])
def test_chat_streams_server_sent_events(client: httpx.Client, how: str) -> None:
    request: dict[str, Any] = {"json": {"message": "两免三减半是什么意思"}}
    if how == "accept":
        request["headers"] = {"Accept": "text/event-stream"}
    else:
        request["json"]["stream"] = True
    with client.stream("POST", "/api/chat", **request) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        events = _events(r.read().decode("utf-8"))
    kinds = [k for k, _ in events]
    assert kinds[-1] == "answer" and kinds.count("token") >= 2 and "error" not in kinds
    final = events[-1][1]
    assert "".join(d["text"] for k, d in events if k == "token") == final["answer"]
    assert any("第四条" in s["locator"] for s in final["sources"])
    pdf = next(s for s in final["sources"] if s["doc_id"] == PDF)
    assert pdf["url"] == f"/sources/{PDF}#page={pdf['page']}" and pdf["page"] >= 1


@pytest.mark.parametrize("payload", [{"message": ""}, {"message": "   "}, {"message": "问" * (LIMIT + 1)}, {}])
def test_chat_rejects_empty_oversized_and_missing_message(client: httpx.Client, payload: dict) -> None:
    r = client.post("/api/chat", json=payload)
    assert r.status_code == 422 and _fields(r) == {"message"}


def test_chat_rejects_bad_session_and_language(client: httpx.Client) -> None:
    r = client.post("/api/chat", json={"message": "你好", "session_id": "../x", "lang": "fr"})
    assert r.status_code == 422 and _fields(r) == {"session_id", "lang"}


@pytest.mark.parametrize("raw", [b'{"message": "hi"', b"not json", b'{"message": "a",}'])
def test_malformed_json_is_a_400(client: httpx.Client, raw: bytes) -> None:
    r = client.post("/api/chat", content=raw, headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["detail"][0]["type"] == "json_invalid"


def test_huge_body_is_refused_before_parsing(client: httpx.Client) -> None:
    r = client.post("/api/leads", content=b'{"name": "' + b"x" * 100_000 + b'"}',
                    headers={"Content-Type": "application/json"})
    assert r.status_code == 413


# ---- leads and feedback ----
@pytest.mark.parametrize("contact", [{"phone": "13912345678"}, {"phone": "0851-8612 3456"},
                                     {"email": "li.wei@example.com"}, {"phone": "+86 139 1234 5678"}])
def test_lead_is_stored(web: Web, client: httpx.Client, contact: dict[str, str]) -> None:
    lead = {"name": "李伟", "company": "ACME 零部件", "interest": "factories", "message": "想租5000平厂房",
            **contact}
    r = client.post("/api/leads", json=lead)
    assert r.status_code == 201
    stored = next(row for row in web.store.leads(limit=500) if row["id"] == r.json()["id"])
    assert {k: stored[k] for k in lead} == lead and stored["created"] is not None


@pytest.mark.parametrize(("lead", "fields"), [
    ({"name": "王", "phone": "12345"}, {"phone"}),
    ({"name": "王", "phone": "12912345678"}, {"phone"}),
    ({"name": "王", "email": "not-an-email"}, {"email"}),
    ({"name": "王", "phone": "13912345678", "email": "a@b"}, {"email"}),
    ({"name": "王"}, {"phone", "email"}),
    ({"name": "  ", "phone": "13912345678"}, {"name"}),
    ({"phone": "13912345678"}, {"name"}),
])
def test_invalid_lead_names_the_field(web: Web, client: httpx.Client, lead: dict, fields: set[str]) -> None:
    before = len(web.store.leads(limit=1000))
    r = client.post("/api/leads", json=lead)
    assert r.status_code == 422 and _fields(r) == fields
    assert "13912345678" not in r.text  # errors do not echo personal data back
    assert len(web.store.leads(limit=1000)) == before


def test_twenty_concurrent_leads_are_all_stored(web: Web) -> None:
    def post(n: int) -> int:
        with web.client() as c:
            lead = {"name": f"并发{n}", "phone": f"139{n:08d}", "session_id": "concurrent"}
            r = c.post("/api/leads", json=lead)
            assert r.status_code == 201, r.text
            return r.json()["id"]

    with ThreadPoolExecutor(max_workers=20) as pool:
        ids = list(pool.map(post, range(20)))
    assert len(set(ids)) == 20
    stored = [row for row in web.store.leads(limit=1000) if row["session_id"] == "concurrent"]
    assert sorted(row["name"] for row in stored) == sorted(f"并发{n}" for n in range(20))
    with web.store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_feedback_is_stored_and_rating_checked(web: Web, client: httpx.Client) -> None:
    r = client.post("/api/feedback", json={"question": "地价？", "answer": "288元/㎡", "rating": -1,
                                           "comment": "想看每亩价格", "session_id": "fb-1"})
    assert r.status_code == 201
    [row] = web.store.feedback(session_id="fb-1")
    assert (row["rating"], row["comment"], row["answer"]) == (-1, "想看每亩价格", "288元/㎡")
    bad = client.post("/api/feedback", json={"question": "地价？", "rating": 0})
    assert bad.status_code == 422 and _fields(bad) == {"rating"}


# ---- health, sources, docs, page ----
def test_healthz_reports_the_served_build(web: Web, client: httpx.Client) -> None:
    body = client.get("/healthz").json()
    assert body["ok"] and body["database"] and body["current"]
    assert body["build_id"] == IndexPaths(web.settings.index_dir).current_id()
    assert body["chunks"] == len(web.service.index.chunks) > 0


def test_cited_pdf_is_served(client: httpx.Client) -> None:
    r = client.get(f"/sources/{PDF}")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF") and r.content == (CORPUS / PDF).read_bytes()
    md = client.get("/sources/policies/gy-tax-policy-guide.md?raw=1")  # the original; without raw, a page
    assert md.status_code == 200 and md.headers["content-type"].startswith("text/plain")
    assert md.content == (CORPUS / "policies/gy-tax-policy-guide.md").read_bytes()


@pytest.mark.parametrize("path", [
    "/sources/../app.py", "/sources/policies/../../app.py", "/sources/..%2F..%2Fapp.py",
    "/sources/%2e%2e/%2e%2e/pyproject.toml", "/sources//etc/passwd", "/sources/%2Fetc%2Fpasswd",
    "/sources/policies/gy-standard-factory-leasing.meta.yaml", "/sources/policies/nope.pdf",
    "/sources/policies",
])
def test_sources_refuse_anything_outside_the_index(web: Web, path: str) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", web.port, timeout=30)
    try:  # http.client sends the path as written; httpx would normalise the dots away first
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    assert response.status in (400, 404), (path, response.status)
    assert b"root:" not in body and b"[project]" not in body and b"import" not in body


def test_openapi_docs(client: httpx.Client) -> None:
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/chat", "/api/leads", "/api/feedback", "/healthz"} <= set(paths)


def test_investor_page_is_served_at_root(client: httpx.Client) -> None:
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "筑商通" in r.text and "示例数据，以主管部门最新发布为准" in r.text
    assert client.get("/config").status_code == 200  # the Gradio app answers under the same root


# ---- the page's handlers, over the same service and store ----
def test_page_chat_event_through_the_gradio_queue(web: Web) -> None:
    from gradio_client import Client

    result = Client(web.base + "/", verbose=False).predict("经开区工业用地价格是多少？", [], "zh", api_name="/chat")
    history, box = result[0], result[1]
    answer = history[-1]["content"][0]["text"]
    assert box == "" and "288" in answer and 'class="zst-card"' in answer
    assert "/sources/listings/parks.csv" in answer


def test_page_streams_answer_with_source_cards(web: Web, runner: AnswerRunner) -> None:
    page = InvestorPage(web.service, web.store, web.settings, runner)
    steps = list(page.respond("两免三减半是什么意思", [], "zh", "page-1", {}))
    assert len(steps) >= 3  # the question, tokens, the final message
    history, box, session, turns = steps[-1]
    assert box == "" and session == "page-1" and history[0] == {"role": "user", "content": "两免三减半是什么意思"}
    final = history[1]["content"]
    assert "<mark>" in final and f'href="/sources/{PDF}#page=' in final and "zst-card" in final
    assert turns["1"]["question"] == "两免三减半是什么意思"
    assert web.store.conversations(session_id="page-1")[0]["question"] == "两免三减半是什么意思"
    page.feedback(gr.LikeData(None, {"index": 1, "value": final, "liked": True}), turns, session, "zh")
    page.feedback(gr.LikeData(None, {"index": 1, "value": final, "liked": False}), turns, session, "en")
    assert [f["rating"] for f in web.store.feedback(session_id="page-1")] == [-1, 1]


def test_page_escapes_the_question(web: Web, runner: AnswerRunner) -> None:
    page = InvestorPage(web.service, web.store, web.settings, runner)
    history = list(page.respond("<img src=x onerror=alert(1)> 地价", [], "zh", "page-2", {}))[-1][0]
    assert "<img" not in history[0]["content"] and "&lt;img" in history[0]["content"]


def test_page_contact_form(web: Web, runner: AnswerRunner) -> None:
    page = InvestorPage(web.service, web.store, web.settings, runner)
    bad = page.submit_lead("王", "", "12345", "", "land", "", "page-3", "zh")
    assert "请检查" in bad[0] and "手机或座机" in bad[0]
    none = page.submit_lead("王", "", "", "", "land", "", "page-3", "en")
    assert "phone number or an email" in none[0]
    ok = page.submit_lead("王", "贵州某公司", "13812345678", "", "land", "想了解地价", "page-3", "zh")
    assert "已收到" in ok[0] and ok[1:5] == ["", "", "", ""]
    stored = [row for row in web.store.leads() if row["session_id"] == "page-3"]
    assert len(stored) == 1 and stored[0]["phone"] == "13812345678" and stored[0]["interest"] == "land"


# ---- the body limit counts what is streamed: chunked requests declare no length ----
LEAD = b'{"name": "\xe7\x8e\x8b", "phone": "13912345678", "session_id": "chunked"}'


def _chunks(size: int, first: bytes = b"", piece: int = 8192, sent: list[int] | None = None) -> Iterator[bytes]:
    """``size`` bytes in pieces: ``first``, then JSON-insignificant spaces; ``sent`` counts what was taken."""
    data_left = size - len(first)
    if sent is not None:
        sent.append(len(first))
    yield first
    while data_left > 0:
        part = b" " * min(piece, data_left)
        data_left -= len(part)
        if sent is not None:
            sent[0] += len(part)
        yield part


def test_chunked_body_just_under_the_limit_is_read(web: Web, client: httpx.Client) -> None:
    limit = web.settings.web.max_body_bytes
    r = client.post("/api/leads", content=_chunks(limit, LEAD), headers={"Content-Type": "application/json"})
    assert r.request.headers.get("transfer-encoding") == "chunked" and "content-length" not in r.request.headers
    assert r.status_code == 201, r.text


@pytest.mark.parametrize(("path", "kind"), [
    ("/api/leads", "application/json"), ("/api/chat", "application/json"), ("/api/feedback", "application/json"),
    ("/gradio_api/queue/join", "application/json"), ("/gradio_api/upload", "multipart/form-data; boundary=b")])
def test_chunked_body_over_the_limit_is_a_413(web: Web, client: httpx.Client, path: str, kind: str) -> None:
    page = path.startswith("/gradio_api/")  # the page's own calls carry the chat so far: a larger limit of their own
    limit = web.settings.web.max_page_body_bytes if page else web.settings.web.max_body_bytes
    first = LEAD if kind == "application/json" else b'--b\r\nContent-Disposition: form-data; name="files"; filename="a.txt"\r\n\r\n'
    r = client.post(path, content=_chunks(limit + 1, first), headers={"Content-Type": kind})
    assert r.status_code == 413, (path, r.status_code, r.text[:200])
    assert r.json()["detail"] == [{"type": "too_large", "loc": ["body", ""], "msg": f"request body over {limit} bytes"}]


def test_the_page_s_calls_may_carry_a_long_chat(web: Web, client: httpx.Client) -> None:
    """Twice the API's limit (a chat of some 40 turns) still reaches the page's queue, which answers for itself."""
    size = 2 * web.settings.web.max_body_bytes
    assert size < web.settings.web.max_page_body_bytes
    r = client.post("/gradio_api/queue/join", content=_chunks(size, b'{"data": [], "fn_index": 0'),
                    headers={"Content-Type": "application/json"})
    assert r.status_code != 413, r.text[:200]
    api = client.post("/api/chat", content=_chunks(size, b'{"message": "hi"'), headers={"Content-Type": "application/json"})
    assert api.status_code == 413


def test_huge_chunked_body_is_cut_not_read(web: Web) -> None:
    """200 MB offered: the server stops at the limit, so the client is answered long before it has sent it."""
    sent: list[int] = []
    with httpx.Client(base_url=web.base, timeout=60) as c:
        r = c.post("/api/leads", content=_chunks(200 * 1024 * 1024, LEAD, piece=64 * 1024, sent=sent),
                   headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    assert sent[0] < 20 * 1024 * 1024, sent


# ---- text with nothing visible in it: once found by the schema fuzzer ("\x1d" gave a 500) ----
INVISIBLE = ["\x1d", "\u200b", "\ufeff \t", "\x00", "   ", "\x1c\x1f", "\u2028", "\u3000", "\u200e\u202e", "\r\n\x0b"]


@pytest.mark.parametrize("message", INVISIBLE)
@pytest.mark.parametrize("stream", [False, True])
def test_invisible_only_message_is_a_422(client: httpx.Client, message: str, stream: bool) -> None:
    r = client.post("/api/chat", json={"message": message, "stream": stream})
    assert r.status_code == 422, (message, r.status_code, r.text[:200])
    assert r.json()["detail"] == [{"type": "string_too_short", "loc": ["body", "message"], "msg": "message is empty"}]


@pytest.mark.parametrize("name", INVISIBLE)
def test_invisible_only_lead_name_is_a_422(web: Web, client: httpx.Client, name: str) -> None:
    before = len(web.store.leads(limit=1000))
    r = client.post("/api/leads", json={"name": name, "phone": "13912345678"})
    assert r.status_code == 422 and _fields(r) == {"name"}, r.text
    assert len(web.store.leads(limit=1000)) == before


@pytest.mark.parametrize("question", INVISIBLE[:5])
def test_invisible_only_feedback_question_is_a_422(client: httpx.Client, question: str) -> None:
    r = client.post("/api/feedback", json={"question": question, "rating": 1})
    assert r.status_code == 422 and _fields(r) == {"question"}, r.text


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/api/leads", {"name": "李\x00伟", "phone": "13912345678"}, "name"),
    ("/api/feedback", {"question": "地价\x00？", "rating": 1}, "question"),
    ("/api/chat", {"message": "地价\x00？"}, "message")])
def test_nul_inside_text_is_a_422(client: httpx.Client, path: str, body: dict, field: str) -> None:
    r = client.post(path, json=body)
    assert r.status_code == 422 and _fields(r) == {field} and "NUL" in r.text, r.text


def test_invisible_characters_around_text_are_dropped(web: Web, client: httpx.Client) -> None:
    r = client.post("/api/leads", json={"name": "\u200b李伟\x1d", "phone": "\ufeff13912345678 ", "session_id": "zw"})
    assert r.status_code == 201, r.text
    [row] = [row for row in web.store.leads(limit=1000) if row["session_id"] == "zw"]
    assert (row["name"], row["phone"]) == ("李伟", "13912345678")
    answer = client.post("/api/chat", json={"message": "\u200b经开区工业用地价格是多少？\x1d"}).json()
    assert "288" in answer["answer"]


def test_service_refuses_an_invisible_question_clearly(web: Web) -> None:
    from assistant.text_input import EmptyQuestion

    for question in INVISIBLE:
        with pytest.raises(EmptyQuestion):
            web.service.ask(question)
        with pytest.raises(EmptyQuestion):
            web.service.ask_stream(question)


@pytest.mark.parametrize("question", INVISIBLE[:5])
def test_page_says_nothing_to_an_invisible_question(web: Web, runner: AnswerRunner, question: str) -> None:
    page = InvestorPage(web.service, web.store, web.settings, runner)
    before = [{"role": "user", "content": "你好"}]
    steps = list(page.respond(question, before, "zh", "page-blank", {}))
    assert steps == [(before, "", "page-blank", {})]
    assert not web.store.conversations(session_id="page-blank")


def test_page_chat_event_with_an_invisible_question(web: Web) -> None:
    from gradio_client import Client

    result = Client(web.base + "/", verbose=False).predict("\u200b\x1d", [], "zh", api_name="/chat")
    assert result[0] == [] and result[1] == ""


@pytest.mark.parametrize("path", ["/demo/promo.html", "/demo/promo.css", "/widget.js", "/embed", "/widget/embed.js",
                                  f"/sources/{PDF}", "/sources/policies/gy-tax-policy-guide.md"])
def test_head_answers_like_get_for_static_pages(client: httpx.Client, path: str) -> None:
    """Through the real app with the investor page mounted at / (which took every HEAD before: 404)."""
    got, head = client.get(path), client.head(path)
    assert (head.status_code, got.status_code) == (200, 200), path
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.headers["content-length"] == got.headers["content-length"] == str(len(got.content))
    assert head.content == b""
