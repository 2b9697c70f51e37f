"""A real browser: an investor leaves a lead through the page's contact form, staff log in and find it.

Slow (Chromium, Gradio's front end): run with ``pytest tests/test_staff_browser.py -m slow``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import quote

import pytest

from assistant.answering.service import ChatService
from assistant.ingest.builder import IndexBuilder
from assistant.settings import Settings
from assistant.web.api import create_app
from assistant.web.store import Store
from tests.browser_geometry import MEASURE, STAFF_TABLES
from tests.conftest import CORPUS
from tests.web_serving import serve_app

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore:The copy keyword is deprecated")]
playwright_api = pytest.importorskip("playwright.sync_api")

TOKEN = "browser-staff-token-81e2"
FACTORY_ZH = "找一个2000平米左右的厂房"  # a list answer, with listing rows (F-009) among its sources
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"  # screenshots kept for people to look at
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = Settings(corpus_dir=CORPUS, data_dir=tmp_path_factory.mktemp("staff-browser") / "data",
                        embeddings={"backend": "fake"}, retrieval={"today": date(2026, 11, 25)},
                        staff={"token": TOKEN})
    IndexBuilder(settings).build()
    return settings


@pytest.fixture(scope="module")
def base(built: Settings) -> Iterator[str]:
    store = Store.from_settings(built)
    app = create_app(built, ChatService.from_settings(built), store=store)
    with serve_app(app) as url:
        yield url
    store.close()


@pytest.fixture(scope="module")
def empty_base(built: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The same index over a database of its own, with no lead and no conversation yet."""
    database = tmp_path_factory.mktemp("staff-empty") / "empty.sqlite3"
    settings = built.model_copy(update={"web": built.web.model_copy(update={"database_url": f"sqlite:///{database}"})})
    store = Store.from_settings(settings)
    app = create_app(settings, ChatService.from_settings(settings), store=store, ui=False)
    with serve_app(app) as url:
        yield url
    store.close()


def test_chinese_console_with_empty_states(empty_base: str) -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip("no Chromium at /usr/bin/chromium")
    ARTIFACTS.mkdir(exist_ok=True)
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            for width, height in ((1366, 900), (390, 844)):
                page = browser.new_page(viewport={"width": width, "height": height})
                page.set_default_timeout(60_000)
                page.goto(empty_base + "/staff/login")
                page.get_by_label("令牌").fill(TOKEN)
                page.get_by_role("button", name="登录").click()
                page.wait_for_url("**/staff/ask")
                # An answer as staff read it: its list as <li>, inside its box; the source and candidate tables
                # scroll sideways on a phone instead of squeezing cells to a character ("F-/009").
                page.goto(empty_base + "/staff/ask?q=" + quote(FACTORY_ZH))
                answer = page.locator("div.answer")
                found = answer.evaluate(MEASURE)
                assert found["items"] >= 2 and not found["outside"], found
                tables = page.locator("main").evaluate(STAFF_TABLES)
                assert tables["cells"] >= 20 and not tables["narrow"] and not tables["broken"], tables
                assert not tables["wide"], tables
                page.locator("main table").first.scroll_into_view_if_needed()
                page.screenshot(path=str(ARTIFACTS / f"staff-zh-ask-{width}.png"))
                page.locator("header").get_by_role("link", name="线索", exact=True).click()
                page.wait_for_url("**/staff/leads")
                assert page.locator("h1").inner_text() == "线索" and page.locator("header a.on").inner_text() == "线索"
                assert page.locator("p.empty").inner_text() == "暂无线索" and page.locator("table").count() == 0
                assert page.evaluate("document.documentElement.scrollWidth") <= width
                page.screenshot(path=str(ARTIFACTS / f"staff-zh-empty-leads-{width}.png"), full_page=True)
                page.get_by_role("link", name="对话记录").click()
                assert page.locator("p.empty").inner_text() == "暂无对话记录"
                page.get_by_role("link", name="English").click()
                assert page.locator("p.empty").inner_text() == "No conversations logged yet"
                page.get_by_role("link", name="Leads").click()  # English is remembered
                assert page.locator("p.empty").inner_text() == "No leads yet"
                page.get_by_role("link", name="中文").click()
                assert page.locator("h1").inner_text() == "线索"
                page.goto(empty_base + "/staff/privacy?kind=contact&value=13900000000")
                assert page.locator("p.empty").inner_text() == "没有找到这位访客的数据。"
                assert "到期数据自动删除" in page.locator("main").inner_text()
                assert page.evaluate("document.documentElement.scrollWidth") <= width
                page.screenshot(path=str(ARTIFACTS / f"staff-zh-privacy-{width}.png"), full_page=True)
                page.get_by_role("button", name="退出登录").click()
                page.wait_for_url("**/staff/login")
                page.close()
        finally:
            browser.close()


def test_lead_from_the_page_shows_up_in_the_console(base: str, tmp_path: Path) -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip("no Chromium at /usr/bin/chromium")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(60_000)
            page.goto(base + "/")
            page.get_by_text("联系我（项目管家回访）").click()
            # What is kept, how long, why; waited for: the form opens with an animation (is_visible() does not wait,
            # and on a busy machine it read the form before it had opened).
            playwright_api.expect(page.get_by_text("联系信息保存 365 天", exact=False)).to_be_visible()
            page.get_by_label("姓名 *").fill("浏览器测试客商")
            page.get_by_label("公司").fill("<b>黔山</b>科技")
            page.get_by_label("手机或座机（与邮箱二选一）").fill("13912345678")
            page.get_by_role("button", name="提交").click()
            page.get_by_text("已收到").wait_for()
            page.screenshot(path=str(tmp_path / "1-lead-sent.png"), full_page=True)

            # Before login the console only offers the login form (here switched to English).
            page.goto(base + "/staff/leads")
            assert page.url.endswith("/staff/login")
            page.goto(base + "/staff/login?lang=en")
            page.get_by_label("Token").fill("wrong-token")
            page.get_by_role("button", name="Log in").click()
            page.get_by_text("Wrong token.").wait_for()
            page.get_by_label("Token").fill(TOKEN)
            page.get_by_role("button", name="Log in").click()
            page.wait_for_url("**/staff/ask")

            page.get_by_role("link", name="Leads").click()
            page.wait_for_url("**/staff/leads")
            row = page.locator("tr", has_text="浏览器测试客商")
            assert row.count() == 1 and "13912345678" in row.inner_text()
            assert "<b>黔山</b>科技" in row.inner_text()  # shown as text, not markup
            assert page.locator("header a.on").inner_text() == "Leads"
            page.screenshot(path=str(tmp_path / "2-staff-leads.png"), full_page=True)

            page.get_by_role("link", name="Ask").click()
            page.get_by_placeholder("Question").fill("研发费用加计扣除比例是多少？")
            page.get_by_role("button", name="Ask").click()
            page.get_by_text("Retrieval candidates").wait_for()
            assert page.locator("table").nth(1).locator("tbody tr").count() >= 1
            page.screenshot(path=str(tmp_path / "3-staff-ask.png"), full_page=True)

            page.get_by_role("link", name="Documents").click()
            page.locator("#reindex progress").wait_for()
            page.screenshot(path=str(tmp_path / "4-staff-documents.png"), full_page=True)

            # HttpOnly: the page's scripts cannot read the session cookie.
            readable = [c.split("=")[0].strip() for c in page.evaluate("document.cookie").split(";")]
            assert "zst_staff" not in readable and "zst_staff_lang" in readable  # the language is no secret
            page.get_by_role("button", name="Log out").click()
            page.wait_for_url("**/staff/login")
            page.goto(base + "/staff/leads")
            assert page.url.endswith("/staff/login") and page.get_by_label("Token").count() == 1  # remembered
        finally:
            browser.close()
