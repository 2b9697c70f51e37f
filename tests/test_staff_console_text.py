"""The staff console as Chinese staff read it, over real HTTP (uvicorn on loopback, SQLite in a tmp folder):
Chinese by default, English by ?lang=en and remembered, empty states, confidences in [0, 1], times to the second
in the console's zone, and deleting one visitor's data on request (find, confirm, delete; bad input a 4xx)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

import httpx
import pytest
from sqlalchemy import update

from assistant.answering.service import ChatService
from assistant.chat_types import Answer
from assistant.ingest.builder import IndexBuilder
from assistant.settings import Settings
from assistant.web.api import create_app
from assistant.web.staff_text import TEXT, WORDS
from assistant.web.store import ConversationTurn, Store
from tests.conftest import CORPUS
from tests.web_serving import serve_app

pytestmark = pytest.mark.filterwarnings("ignore:The copy keyword is deprecated")

TOKEN = "console-text-token-3f9a"
AGREEING = "2026年招商引资的目标是什么？"  # full coverage, and both retrievers put the same passage first


@dataclass
class Web:
    base: str
    store: Store

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base, timeout=60)


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Web]:
    root = tmp_path_factory.mktemp("console-text")
    settings = Settings(corpus_dir=CORPUS, data_dir=root / "data", embeddings={"backend": "fake"},
                        retrieval={"today": date(2026, 11, 25)}, staff={"token": TOKEN},
                        web={"rate_limit": {"enabled": False}})
    IndexBuilder(settings).build()
    store = Store.from_settings(settings)
    with serve_app(create_app(settings, ChatService.from_settings(settings), store=store, ui=False)) as base:
        yield Web(base, store)
    store.close()


def _login(client: httpx.Client) -> None:
    assert client.post("/staff/login", data={"token": TOKEN}).status_code == 303


def test_every_text_has_both_languages() -> None:
    for key, pair in {**TEXT, **WORDS}.items():
        assert len(pair) == 2 and all(p.strip() for p in pair), key
    chinese = re.compile(r"[\u4e00-\u9fff]")
    assert all(chinese.search(zh) for key, (zh, _en) in TEXT.items() if key != "switch"), "untranslated zh text"


def test_console_is_chinese_by_default_with_empty_states(web: Web) -> None:
    with web.client() as client:
        login = client.get("/staff/login")
        assert "工作人员登录" in login.text and "令牌" in login.text and 'lang="zh-CN"' in login.text
        _login(client)
        leads = client.get("/staff/leads").text
        assert "暂无线索" in leads and "<table" not in leads and "导出全部线索" in leads
        for label in ("提问", "文档", "审核", "词表", "线索", "知识缺口", "对话记录", "个人数据", "退出登录"):
            assert f">{label}<" in leads, label
        assert "Log out" not in leads and "Leads" not in leads
        assert "暂无对话记录" in client.get("/staff/log", params={"session": "no-such-session"}).text
        assert "暂无知识缺口记录" in client.get("/staff/gaps").text
        assert "没有待审核的内容" in client.get("/staff/review").text


def test_english_switch_is_remembered_and_switches_back(web: Web) -> None:
    with web.client() as client:
        _login(client)
        english = client.get("/staff/leads", params={"lang": "en"})
        assert "No leads yet" in english.text and ">Log out<" in english.text and 'lang="en"' in english.text
        assert "zst_staff_lang=en" in english.headers["set-cookie"]
        later = client.get("/staff/log", params={"session": "none"}).text
        assert "No conversations logged yet" in later and "暂无" not in later
        # The switch link keeps the page and its query.
        assert 'href="/staff/log?lang=zh&amp;session=none"' in later
        assert "暂无对话记录" in client.get("/staff/log", params={"session": "none", "lang": "zh"}).text
        assert "对话记录" in client.get("/staff/leads").text  # Chinese remembered again


def test_confidence_never_passes_one(web: Web) -> None:
    assert Answer("a", "answered", "zh", confidence=1.1).confidence == 1.0
    assert Answer("a", "answered", "zh", confidence=-0.2).confidence == 0.0
    with web.client() as client:
        _login(client)
        body = client.get("/staff/api/ask", params={"q": AGREEING}).json()
        top = body["candidates"][0]
        assert top["found_by"] == "both" and top["dense_rank"] <= 3 and top["lexical_rank"] <= 3  # the bonus applied
        assert body["confidence"] == 1.0  # was 1.1: full coverage plus the agreement bonus
        page = client.get("/staff/ask", params={"q": AGREEING}).text
        assert "置信度 1.00" in page and "1.100" not in page


def test_log_shows_times_to_the_second_and_old_confidences_clamped(web: Web) -> None:
    turn = web.store.log_turn(session_id="clamp-old", question="旧问题", answer="旧回答", status="answered",
                              language="zh", sources=[], confidence=1.1)
    with web.store.engine.begin() as conn:  # a row logged before answers were clamped, at 08:30 UTC
        conn.execute(update(ConversationTurn).where(ConversationTurn.id == turn).values(
            created=datetime(2026, 11, 20, 8, 30, 15, 123456)))
    with web.client() as client:
        _login(client)
        page = client.get("/staff/log", params={"session": "clamp-old"}).text
    assert "2026-11-20 16:30:15" in page  # Asia/Shanghai, to the second
    assert "123456" not in page and ">1.00<" in page and "1.1000" not in page


def test_a_widget_lead_is_listed_with_its_conversation_and_consent(web: Web) -> None:
    with web.client() as public:
        sid = public.post("/api/chat", json={"message": "经开区工业用地价格是多少？"}).json()["session_id"]
        r = public.post("/api/leads", json={"name": "控制台客商", "phone": "13955556666", "session_id": sid,
                                            "consent_version": "2026-12-1"})
        assert r.status_code == 201
    with web.client() as client:
        _login(client)
        page = client.get("/staff/leads").text
        row = next(tr for tr in page.split("<tr>") if "控制台客商" in tr)
        assert f'/staff/log?session={sid}' in row and "2026-12-1" in row
        assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d<", row) and "删除个人数据" in row
        csv_text = client.get("/staff/leads.csv").text
        assert "consent_version" in csv_text.splitlines()[0] and "2026-12-1" in csv_text


def test_staff_delete_one_visitors_data_after_confirming(web: Web) -> None:
    with web.client() as public:
        sid = public.post("/api/chat", json={"message": "研发费用加计扣除比例是多少？"}).json()["session_id"]
        public.post("/api/leads", json={"name": "要删除的客商", "email": "erase.me@example.com", "session_id": sid})
        public.post("/api/leads", json={"name": "留下的客商", "email": "keep.me@example.com"})
    with web.client() as client:
        _login(client)
        preview = client.get("/staff/privacy", params={"kind": "contact", "value": "Erase.Me@example.com"})
        assert preview.status_code == 200 and "要删除的客商" in preview.text and "留下的客商" not in preview.text
        assert "将删除：线索 1 条，对话 1 轮，反馈 0 条" in preview.text and "确认删除这些数据" in preview.text
        assert any(x["name"] == "要删除的客商" for x in web.store.leads(limit=1000))  # nothing deleted by looking
        done = client.post("/staff/privacy/erase", data={"kind": "contact", "value": "Erase.Me@example.com"})
        assert done.status_code == 303
        message = httpx.URL(done.headers["location"]).params["msg"]
        assert message == "已删除：线索 1 条，对话 1 轮，反馈 0 条。"
        assert not any(x["name"] == "要删除的客商" for x in web.store.leads(limit=1000))
        assert any(x["name"] == "留下的客商" for x in web.store.leads(limit=1000))
        assert web.store.conversations(session_id=sid) == []
        assert "没有找到这位访客的数据" in client.get("/staff/privacy", params={"kind": "session", "value": sid}).text


@pytest.mark.parametrize(("kind", "value", "why"), [("lead", "abc", "线索编号应为数字"), ("contact", "  ", "请填写")])
def test_bad_erase_requests_are_4xx_and_delete_nothing(web: Web, kind: str, value: str, why: str) -> None:
    before = len(web.store.leads(limit=1000))
    with web.client() as client:
        _login(client)
        page = client.post("/staff/privacy/erase", data={"kind": kind, "value": value})
        assert page.status_code == 422 and why in page.text
        api = client.post("/staff/api/erase", data={"kind": kind, "value": value})
        assert api.status_code == 422 and why in api.json()["detail"]
    assert len(web.store.leads(limit=1000)) == before


def test_erase_needs_a_staff_session(web: Web) -> None:
    with web.client() as anonymous:
        assert anonymous.post("/staff/api/erase", data={"kind": "lead", "value": "1"}).status_code == 401
        assert anonymous.post("/staff/privacy/erase", data={"kind": "lead", "value": "1"}).status_code == 303
