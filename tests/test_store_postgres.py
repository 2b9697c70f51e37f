"""The store against a real PostgreSQL server on loopback (``ZST_WEB__DATABASE_URL=postgresql://...``): the same
writes, reads, migration and concurrency as SQLite, and the web app serving leads and feedback from it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

import httpx
import psycopg
import pytest
from sqlalchemy import text, update
from sqlalchemy.exc import IntegrityError

from assistant.answering.service import ChatService
from assistant.ingest.builder import IndexBuilder
from assistant.settings import Settings
from assistant.web.api import create_app
from assistant.web.consent import CONSENT_VERSION
from assistant.web.store import Lead, Retention, Store
from tests.conftest import CORPUS
from tests.pg_server import REQUIRE_ENV, postgres_server, server_bin_dir
from tests.web_serving import serve_app

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore:The copy keyword is deprecated")]


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    if server_bin_dir() is None:
        message = "PostgreSQL server not installed (make test installs Debian's postgresql)"
        if os.environ.get(REQUIRE_ENV):
            pytest.fail(message)
        pytest.skip(message)
    with postgres_server() as url:
        yield url


@pytest.fixture
def store(pg_url: str) -> Iterator[Store]:
    s = Store.from_url(pg_url)
    yield s
    s.close()


def test_plain_url_uses_the_bundled_psycopg_driver(store: Store) -> None:
    assert store.engine.dialect.name == "postgresql" and store.engine.dialect.driver == "psycopg"
    assert store.ping()


def test_rows_round_trip_with_chinese_text_and_json(store: Store) -> None:
    lead_id = store.add_lead(name="李伟", company="贵州某科技有限公司", phone="13812345678", interest="factories",
                             message="想租5000㎡厂房", session_id="pg-rt")
    store.add_feedback(question="电价多少？", answer="10kV 0.1238元/kWh", rating=-1, comment="不够详细",
                       session_id="pg-rt")
    store.log_turn(session_id="pg-rt", question="电价多少？", answer="…", status="answered", language="zh",
                   sources=[{"title": "贵州省输配电价通知", "page": 2}], confidence=0.8, intents=["policy"],
                   topic="electricity")
    lead = next(row for row in store.leads() if row["id"] == lead_id)
    assert (lead["name"], lead["message"], lead["created"].tzinfo is not None) == ("李伟", "想租5000㎡厂房", True)
    assert store.feedback(session_id="pg-rt")[0]["comment"] == "不够详细"
    turn = store.conversations(session_id="pg-rt")[0]
    assert (turn["sources"], turn["intents"], turn["topic"]) == (
        [{"title": "贵州省输配电价通知", "page": 2}], ["policy"], "electricity")


def test_consent_purge_and_erasure_work_in_postgres(pg_url: str) -> None:
    store = Store.from_url(pg_url, Retention(lead_days=30, conversation_days=7))
    try:
        old = store.add_lead(name="过期", phone="13700000001", session_id="pg-old")
        kept = store.add_lead(name="保留", phone="137 0000-0002", session_id="pg-keep",
                              consent_version=CONSENT_VERSION)
        store.log_turn(session_id="pg-keep", question="q", answer="a", status="answered", language="zh", sources=[])
        store.add_feedback(question="q", answer="a", rating=1, session_id="pg-keep")
        with store.engine.begin() as conn:
            conn.execute(update(Lead).where(Lead.id == old).values(created=datetime.now(UTC) - timedelta(days=31)))
        assert store.purge_expired().leads == 1
        row = next(x for x in store.leads(limit=10_000) if x["id"] == kept)
        assert row["consent_version"] == CONSENT_VERSION and row["consented_at"].tzinfo is not None
        assert not any(x["id"] == old for x in store.leads(limit=10_000))
        found = store.find_visitor(contact="+86 13700000002")
        assert ([x["id"] for x in found["leads"]], found["conversations"], found["feedback"]) == ([kept], 1, 1)
        assert store.erase_visitor(contact="13700000002").to_dict() == {"leads": 1, "conversations": 1, "feedback": 1}
        assert store.conversations(session_id="pg-keep") == [] and store.feedback(session_id="pg-keep") == []
    finally:
        store.close()


def test_the_database_itself_rejects_a_bad_rating(store: Store) -> None:
    with pytest.raises(IntegrityError), store.engine.begin() as conn:
        conn.execute(text("INSERT INTO feedback (question, answer, rating, comment, created) "
                          "VALUES ('q', 'a', 5, '', now())"))


def test_two_hundred_concurrent_leads_are_all_stored(store: Store) -> None:
    def submit(n: int) -> int:
        return store.add_lead(name=f"并发{n}", phone=f"139{n:08d}", session_id="pg-concurrent")

    with ThreadPoolExecutor(max_workers=20) as pool:
        ids = list(pool.map(submit, range(200)))
    stored = {row["id"] for row in store.leads(limit=10_000) if row["session_id"] == "pg-concurrent"}
    assert len(set(ids)) == 200 and stored == set(ids)


def test_an_old_conversations_table_gets_the_new_columns(pg_url: str) -> None:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE DATABASE zst_old")
    old_url = pg_url.rsplit("/", 1)[0] + "/zst_old"
    with psycopg.connect(old_url, autocommit=True) as conn:  # the table as the first release created it
        conn.execute("CREATE TABLE conversations (id SERIAL PRIMARY KEY, session_id VARCHAR(64), question TEXT, "
                     "answer TEXT, status VARCHAR(20), language VARCHAR(8), sources JSON, "
                     "created TIMESTAMP WITH TIME ZONE)")
        conn.execute("INSERT INTO conversations (session_id, question, answer, status, language, sources, created) "
                     "VALUES ('s', 'old?', 'a', 'no_answer', 'zh', '[]', now())")
    old = Store.from_url(old_url)
    try:
        old.log_turn(session_id="s", question="new?", answer="b", status="answered", language="zh", sources=[],
                     confidence=0.2, intents=["policy"], topic="land")
        assert [(t["question"], t["confidence"], t["topic"]) for t in old.conversations(session_id="s")] == [
            ("new?", 0.2, "land"), ("old?", None, None)]
    finally:
        old.close()


def test_the_app_stores_leads_and_feedback_in_postgres_and_keeps_them_across_a_restart(
        pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    settings = Settings(corpus_dir=CORPUS, data_dir=tmp_path_factory.mktemp("pg-web") / "data",
                        embeddings={"backend": "fake"}, retrieval={"today": date(2026, 11, 25)},
                        web={"database_url": pg_url})
    IndexBuilder(settings).build()
    service = ChatService.from_settings(settings)
    with serve_app(create_app(settings, service, ui=False)) as base, httpx.Client(base_url=base, timeout=60) as c:
        assert c.get("/healthz").json()["database"] is True
        lead = c.post("/api/leads", json={"name": "王芳", "email": "wang@example.com", "interest": "land",
                                          "session_id": "pg-web"})
        chat = c.post("/api/chat", json={"message": "经开区工业用地价格是多少？", "session_id": "pg-web"})
        vote = c.post("/api/feedback", json={"question": "经开区工业用地价格是多少？",
                                             "answer": chat.json()["answer"], "rating": 1, "session_id": "pg-web"})
        assert (lead.status_code, chat.status_code, vote.status_code) == (201, 200, 201)
    # A new process would see what the first one confirmed: read back through a fresh engine.
    with psycopg.connect(pg_url) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM leads WHERE session_id = 'pg-web'")]
        ratings = [r[0] for r in conn.execute("SELECT rating FROM feedback WHERE session_id = 'pg-web'")]
        turns = [r[0] for r in conn.execute("SELECT status FROM conversations WHERE session_id = 'pg-web'")]
    assert (names, ratings, turns) == (["王芳"], [1], ["answered"])
