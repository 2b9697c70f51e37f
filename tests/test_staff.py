"""The staff console for real: the whole app under uvicorn on loopback over a private copy of the sample
corpus (fake embedder), SQLite in a tmp folder, spoken to with real HTTP and cookies."""

from __future__ import annotations

import csv
import io
import json
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from assistant.answering.service import ChatService
from assistant.ingest.builder import IndexBuilder
from assistant.settings import Settings
from assistant.web.api import create_app
from assistant.web.staff import mount_staff
from assistant.web.staff_auth import MAX_ATTEMPTS, TOKEN_FILE, StaffAuth, TokenHash
from assistant.web.store import Store
from tests.conftest import CORPUS
from tests.web_serving import serve_app, wait_for_reindex

pytestmark = pytest.mark.filterwarnings("ignore:The copy keyword is deprecated")  # inside Gradio

TOKEN = "test-staff-token-5c1d"
NEW_FACT = "# 贵阳无人机产业孵化指南\n\n## 孵化补贴\n\n无人机产业孵化基地对新入驻企业给予一次性孵化补贴每家37万元。\n"
NEW_QUESTION = "无人机产业孵化基地的孵化补贴是多少？"


@dataclass
class Web:
    base: str
    app: FastAPI
    settings: Settings
    service: ChatService
    store: Store

    def client(self, ip: str = "127.0.0.1") -> httpx.Client:
        # Another loopback source address is another client IP for the login limit.
        transport = httpx.HTTPTransport(local_address=ip)
        return httpx.Client(base_url=self.base, timeout=60, transport=transport)

    def auth(self) -> StaffAuth:
        return self.app.state.staff_auth


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Web]:
    root = tmp_path_factory.mktemp("staff")
    corpus = root / "corpus"
    shutil.copytree(CORPUS, corpus)
    settings = Settings(corpus_dir=corpus, data_dir=root / "data", embeddings={"backend": "fake"},
                        retrieval={"today": date(2026, 11, 25)}, staff={"token": TOKEN, "max_upload_mb": 2})
    IndexBuilder(settings).build()
    service = ChatService.from_settings(settings)
    store = Store.from_settings(settings)
    app = create_app(settings, service, store=store, ui=False)
    with serve_app(app) as base:
        yield Web(base, app, settings, service, store)
    store.close()


def login(client: httpx.Client, token: str = TOKEN) -> httpx.Response:
    return client.post("/staff/login", data={"token": token})


@pytest.fixture(scope="module")
def staff(web: Web) -> Iterator[httpx.Client]:
    with web.client() as client:
        client.get("/staff/login", params={"lang": "en"})  # these tests read the English console
        r = login(client)
        assert r.status_code == 303 and r.headers["location"] == "/staff/ask"
        yield client



# ---- the gate ----
PAGES = ["/staff", "/staff/", "/staff/ask?q=x", "/staff/documents", "/staff/leads", "/staff/gaps", "/staff/log",
         "/staff/review", "/staff/lexicon", "/staff/documents/delete?doc=policies/gy-tax-policy-guide.md",
         "/staff/static/console.css", "/staff/static/console.js", "/staff/no-such-page"]
DATA = ["/staff/api/ask?q=x", "/staff/api/documents", "/staff/api/reindex", "/staff/api/gaps", "/staff/api/log",
        "/staff/leads.csv", "/staff/api/no-such-thing", "/staff/api/staged", "/staff/api/staged/ask?q=x",
        "/staff/api/lexicon"]
POSTS = ["/staff/api/reindex", "/staff/api/reindex/cancel", "/staff/api/documents/delete", "/staff/api/publish",
         "/staff/api/discard", "/staff/api/lexicon"]


@pytest.mark.parametrize("cookie", [None, "forged.0000", "abc"])
def test_nothing_under_staff_without_a_session(web: Web, cookie: str | None) -> None:
    with web.client() as client:
        if cookie:
            client.cookies.set("zst_staff", cookie)
        for path in PAGES:
            r = client.get(path)
            assert r.status_code == 303 and r.headers["location"] == "/staff/login", path
            assert r.headers["x-frame-options"] == "DENY"
        for path in DATA:
            r = client.get(path)
            assert r.status_code == 401 and "login" in r.text and "<td>" not in r.text, path
        assert client.post("/staff/api/upload", files={"file": ("a.md", b"# x\n\ny")}).status_code == 401
        for path in POSTS:
            assert client.post(path, data={"doc_id": "policies/gy-tax-policy-guide.md", "text": ""}).status_code == 401
        assert (web.settings.corpus_dir / "policies" / "gy-tax-policy-guide.md").exists()
        assert client.post("/staff/documents/upload", files={"file": ("a.md", b"# x")}).status_code == 303
        assert not (web.settings.corpus_dir / "uploads" / "a.md").exists()
        login_page = client.get("/staff/login")
        assert login_page.status_code == 200 and 'type="password"' in login_page.text


def test_wrong_token_is_refused_without_a_cookie(web: Web) -> None:
    with web.client("127.0.0.3") as client:
        for wrong in ["", "nope", TOKEN + "x", TOKEN.upper()]:
            r = login(client, wrong)
            assert r.status_code == 401 and "令牌错误" in r.text and "set-cookie" not in r.headers
        assert client.get("/staff/api/log").status_code == 401


def test_too_many_attempts_are_limited_per_client_ip(web: Web) -> None:
    with web.client("127.0.0.2") as client:
        codes = [login(client, f"guess-{i}").status_code for i in range(6)]
        assert codes == [401] * 5 + [429]
        assert login(client).status_code == 429  # not even the right token while blocked
        assert client.get("/staff/api/log").status_code == 401
    with web.client("127.0.0.4") as other:
        assert login(other).status_code == 303


class CountingToken:
    """The real token check, counting how often it runs."""

    def __init__(self, token: TokenHash) -> None:
        self.token, self.checks, self.lock = token, 0, threading.Lock()

    def matches(self, candidate: str) -> bool:
        with self.lock:
            self.checks += 1
        return self.token.matches(candidate)


def test_concurrent_wrong_tokens_get_exactly_the_allowed_tries(web: Web) -> None:
    """30 wrong tokens at once from one address: MAX_ATTEMPTS are checked (401), the rest refused (429)."""
    auth = web.auth()
    counting = CountingToken(auth.token)
    start = threading.Barrier(30)

    def attempt(n: int) -> int:
        with web.client("127.0.0.9") as client:
            start.wait(timeout=30)
            return login(client, f"wrong-{n}").status_code

    auth.token = counting  # type: ignore[assignment]
    try:
        codes: list[int] = []
        threads = [threading.Thread(target=lambda n=n: codes.append(attempt(n))) for n in range(30)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        auth.token = counting.token
    assert sorted(codes) == [401] * MAX_ATTEMPTS + [429] * (30 - MAX_ATTEMPTS)
    assert counting.checks == MAX_ATTEMPTS
    with web.client("127.0.0.9") as client:
        assert login(client).status_code == 429  # the right token too, while the address is blocked


def test_right_token_does_not_use_up_a_try(web: Web) -> None:
    with web.client("127.0.0.10") as client:
        for _ in range(MAX_ATTEMPTS + 2):
            assert login(client).status_code == 303
        assert [login(client, f"guess-{i}").status_code for i in range(MAX_ATTEMPTS + 1)] == [401] * 5 + [429]


def test_cross_origin_post_is_refused(web: Web) -> None:
    with web.client() as client:
        r = client.post("/staff/login", data={"token": TOKEN}, headers={"Origin": "https://evil.example"})
        assert r.status_code == 403 and "set-cookie" not in r.headers


def test_session_cookie_flags_logout_and_expiry(web: Web) -> None:
    with web.client() as client:
        r = login(client)
        cookie = r.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie and "path=/staff" in cookie
        assert client.get("/staff/api/log").status_code == 200
        client.post("/staff/logout")
        client.cookies.set("zst_staff", r.cookies["zst_staff"], path="/staff")  # replaying the old cookie
        assert client.get("/staff/api/log").status_code == 401

        client.cookies.clear()
        assert login(client).status_code == 303
        auth, real = web.auth(), web.auth().now
        try:
            auth.now = lambda: real() + web.settings.staff.session_minutes * 60 - 5
            assert client.get("/staff/api/log").status_code == 200
            auth.now = lambda: real() + web.settings.staff.session_minutes * 60 + 1
            assert client.get("/staff/api/log").status_code == 401
            assert client.get("/staff/leads").headers["location"] == "/staff/login"
        finally:
            auth.now = real


def test_generated_token_is_printed_once_and_only_its_hash_stored(web: Web, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    settings = web.settings.model_copy(update={"data_dir": tmp_path, "staff": web.settings.staff.model_copy(
        update={"token": None})})
    mount_staff(FastAPI(), web.service, web.store, settings)
    printed = capsys.readouterr().out
    token = printed.strip().rsplit(" ", 1)[-1]
    assert "token" in printed and len(token) >= 24
    stored = (tmp_path / TOKEN_FILE).read_text(encoding="utf-8")
    assert token not in stored and TokenHash.from_json(json.loads(stored)).matches(token)
    assert not TokenHash.from_json(json.loads(stored)).matches(token + "x")
    assert (tmp_path / TOKEN_FILE).stat().st_mode & 0o077 == 0
    mount_staff(FastAPI(), web.service, web.store, settings)  # a second start prints nothing
    assert capsys.readouterr().out == ""


# ---- the sections ----
def test_ask_shows_scores_ranks_and_retrievers(staff: httpx.Client) -> None:
    body = staff.get("/staff/api/ask", params={"q": "研发费用加计扣除比例是多少？"}).json()
    assert body["status"] == "answered" and body["candidates"]
    first = body["candidates"][0]
    assert {"score", "dense", "dense_rank", "lexical", "lexical_rank", "found_by", "chunk_id"} <= set(first)
    assert {c["found_by"] for c in body["candidates"]} <= {"dense", "lexical", "both"}
    assert any(c["found_by"] == "both" and c["dense_rank"] and c["lexical_rank"] for c in body["candidates"])
    html = staff.get("/staff/ask", params={"q": "研发费用加计扣除比例是多少？"})
    assert html.status_code == 200 and "lexical rank" in html.text and "found by" in html.text
    assert html.headers["cache-control"] == "no-store" and "default-src 'self'" in html.headers["content-security-policy"]


def test_documents_list_status_and_skip_reasons(staff: httpx.Client) -> None:
    files = staff.get("/staff/api/documents").json()["files"]
    assert any(f["doc_id"] == "policies/gy-standard-factory-leasing.pdf" and f["status"] == "indexed" for f in files)
    scan = next(f for f in files if f["doc_id"] == "policies/gy-factory-power-connection-notice.pdf")
    assert scan["status"] == "indexed" and scan["ocr_pages"] == 1
    page = staff.get("/staff/documents").text
    assert "gy-standard-factory-leasing.pdf" in page and 'type="file"' in page and "skip reason" in page
    assert "OCR pages" in page


def test_leads_table_escapes_and_csv_defuses_formulas(web: Web, staff: httpx.Client) -> None:
    lead = {"name": "=HYPERLINK(\"http://x\")", "company": "<script>alert(1)</script>", "phone": "13800000000",
            "email": "", "interest": "@SUM(A1)", "message": "-2+3 厂房"}
    with web.client() as public:
        assert public.post("/api/leads", json=lead).status_code == 201
    page = staff.get("/staff/leads").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    r = staff.get("/staff/leads.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text.lstrip("\ufeff"))))
    row = next(x for x in rows if x["company"] == lead["company"])
    assert row["name"] == "'=HYPERLINK(\"http://x\")" and row["interest"] == "'@SUM(A1)"
    assert row["message"] == "'-2+3 厂房" and row["phone"] == "13800000000"


def test_gaps_group_unanswered_low_confidence_and_thumbs_down(web: Web, staff: httpx.Client) -> None:
    with web.client() as public:
        missing = public.post("/api/chat", json={"message": "贵阳市对火星基地建设项目有什么补贴？"}).json()
        answered = public.post("/api/chat", json={"message": "研发费用加计扣除比例是多少？"}).json()
        public.post("/api/feedback", json={"question": "研发费用加计扣除比例是多少？", "answer": answered["answer"],
                                           "rating": -1, "session_id": answered["session_id"]})
    assert missing["status"] == "no_answer"
    logged = staff.get("/staff/api/log", params={"session": answered["session_id"]}).json()
    assert len(logged) == 1 and logged[0]["confidence"] is not None and "policy" in logged[0]["intents"]
    assert logged[0]["topic"] == "tax"  # the subject of the best passage found, not the router's intent
    groups = staff.get("/staff/api/gaps").json()
    tax = next(g for g in groups if g["topic"] == "tax")
    assert tax["reasons"].get("negative_feedback", 0) >= 1
    assert sum(g["reasons"].get("no_answer", 0) for g in groups) >= 1
    assert all(g["topic"] != "policy" for g in groups)  # topics, not intents, once answers carry one
    questions = {q["question"] for g in groups for q in g["questions"]}
    assert {"贵阳市对火星基地建设项目有什么补贴？", "研发费用加计扣除比例是多少？"} <= questions
    assert "火星基地" in staff.get("/staff/gaps").text


def test_log_filters_by_session(web: Web, staff: httpx.Client) -> None:
    with web.client() as public:
        sid = public.post("/api/chat", json={"message": "经开区工业用地价格是多少？"}).json()["session_id"]
    page = staff.get("/staff/log", params={"session": sid}).text
    assert "经开区工业用地价格是多少？" in page and page.count("<tr>") == 2  # header and the one turn
    assert len(staff.get("/staff/api/log", params={"limit": 1}).json()) == 1


# ---- upload and re-index (staged, then published: see test_staff_review for the review itself) ----
def publish(staff: httpx.Client) -> dict:
    r = staff.post("/staff/api/publish")
    assert r.status_code == 200, r.text
    return r.json()


def test_markdown_upload_is_indexed_and_answerable(web: Web, staff: httpx.Client) -> None:
    before = staff.get("/staff/api/ask", params={"q": NEW_QUESTION}).json()
    assert "37" not in before["answer"]
    runs = staff.get("/staff/api/reindex").json()["runs"]
    r = staff.post("/staff/api/upload", files={"file": ("无人机 孵化.md", NEW_FACT.encode(), "text/markdown")})
    assert r.status_code == 202 and r.json()["doc_id"] == "uploads/无人机_孵化.md"
    job = wait_for_reindex(staff, runs + 1)
    assert job["state"] == "done" and job["staged"] and job["doc_status"] == "indexed" and job["percent"] == 100, job
    assert "37" not in staff.get("/staff/api/ask", params={"q": NEW_QUESTION}).json()["answer"]  # staged only
    assert "37" in staff.get("/staff/api/staged/ask", params={"q": NEW_QUESTION}).json()["answer"]
    assert publish(staff)["build_id"] == job["build_id"]
    after = staff.get("/staff/api/ask", params={"q": NEW_QUESTION}).json()
    assert after["status"] == "answered" and "37" in after["answer"]
    with web.client() as public:
        assert "37" in public.post("/api/chat", json={"message": NEW_QUESTION}).json()["answer"]
    assert "uploads/无人机_孵化.md" in staff.get("/staff/documents").text


def test_unreadable_pdf_is_reported_and_old_content_still_answers(web: Web, staff: httpx.Client) -> None:
    runs = staff.get("/staff/api/reindex").json()["runs"]
    r = staff.post("/staff/documents/upload", files={"file": ("broken.pdf", b"%PDF-1.4\nnot really a pdf\n")})
    assert r.status_code == 303 and "Saved" in httpx.URL(r.headers["location"]).params["msg"]
    job = wait_for_reindex(staff, runs + 1)
    assert job["state"] == "done" and job["doc_id"] == "uploads/broken.pdf"
    assert job["doc_status"] in ("unreadable", "needs_ocr") and job["doc_reason"], job
    publish(staff)
    files = {f["doc_id"]: f for f in staff.get("/staff/api/documents").json()["files"]}
    assert files["uploads/broken.pdf"]["status"] == job["doc_status"]
    assert files["policies/gy-standard-factory-leasing.pdf"]["status"] == "indexed"
    with web.client() as public:
        assert "288" in public.post("/api/chat", json={"message": "经开区工业用地价格是多少？"}).json()["answer"]
    assert "37" in staff.get("/staff/api/ask", params={"q": NEW_QUESTION}).json()["answer"]


@pytest.mark.parametrize(("name", "data", "why"), [("tool.exe", b"MZ", "unsupported"), ("empty.md", b"", "empty"),
                                                   ("x.meta.yaml", b"a: 1", "name")])
def test_bad_uploads_are_refused_and_nothing_is_saved(web: Web, staff: httpx.Client, name: str, data: bytes,
                                                      why: str) -> None:
    r = staff.post("/staff/api/upload", files={"file": (name, data)})
    assert r.status_code == 422 and why in r.json()["detail"]
    uploads = web.settings.corpus_dir / "uploads"
    assert not any(p.name.startswith(name.split(".")[0]) for p in uploads.glob("*")) if uploads.exists() else True


def test_too_large_upload_is_refused_before_reading(web: Web, staff: httpx.Client) -> None:
    limit = int(web.settings.staff.max_upload_mb * 1024 * 1024)
    r = staff.post("/staff/api/upload", files={"file": ("big.txt", b"x" * (limit + 128 * 1024))})
    assert r.status_code == 413



# ---- uploads streamed in chunks are cut at the console's own limit ----
BOUNDARY = "zst-test-boundary"


def _multipart(name: str, size: int, fill: bytes = b"x", piece: int = 64 * 1024) -> Iterator[bytes]:
    """A multipart form with one file of ``size`` bytes, as a generator: httpx sends it chunked."""
    yield (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
           "Content-Type: application/octet-stream\r\n\r\n").encode()
    left = size
    while left > 0:
        part = (fill * piece)[:min(piece, left)]
        left -= len(part)
        yield part
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


def _post_chunked(client: httpx.Client, name: str, size: int, fill: bytes = b"x") -> httpx.Response:
    r = client.post("/staff/api/upload", content=_multipart(name, size, fill),
                    headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"})
    assert "content-length" not in r.request.headers
    return r


def test_chunked_upload_is_saved_and_indexed(web: Web, staff: httpx.Client) -> None:
    runs = staff.get("/staff/api/reindex").json()["runs"]
    text = "# 分块上传说明\n\n分块上传的文件同样保存并重新索引。\n"
    r = _post_chunked(staff, "chunked.md", len(text.encode()), text.encode())
    assert r.status_code == 202 and r.json()["doc_id"] == "uploads/chunked.md", r.text
    job = wait_for_reindex(staff, runs + 1)
    assert job["state"] == "done" and job["doc_status"] == "indexed", job
    assert not (web.settings.corpus_dir / "uploads" / "chunked.md").exists()  # pending until published
    publish(staff)
    assert (web.settings.corpus_dir / "uploads" / "chunked.md").read_text(encoding="utf-8") == text


def test_chunked_upload_over_the_file_limit_reaches_the_route(web: Web, staff: httpx.Client) -> None:
    """Past the public API's 64 KiB and the console's file limit, but within its body limit: the route answers."""
    limit = int(web.settings.staff.max_upload_mb * 1024 * 1024)
    r = _post_chunked(staff, "just-over.txt", limit + 1024)
    assert r.status_code == 422 and "larger than" in r.json()["detail"], r.text
    assert not (web.settings.corpus_dir / "uploads" / "just-over.txt").exists()


def test_chunked_upload_over_the_body_limit_is_cut(web: Web, staff: httpx.Client) -> None:
    limit = int(web.settings.staff.max_upload_mb * 1024 * 1024)
    max_body = limit + 64 * 1024
    r = _post_chunked(staff, "huge.txt", 50 * limit)
    assert r.status_code == 413 and r.json() == {"detail": f"request body over {max_body} bytes"}
    assert r.headers["x-frame-options"] == "DENY"
    assert not (web.settings.corpus_dir / "uploads" / "huge.txt").exists()
    assert staff.get("/staff/api/reindex").json()["state"] != "running"
