"""A real browser: an investor leaves a lead through the page's contact form, staff log in and find it.

Slow (Chromium, Gradio's front end): run with ``pytest tests/test_staff_browser.py -m slow``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from assistant.answering.service import ChatService
from assistant.ingest.builder import IndexBuilder
from assistant.settings import Settings
from assistant.web.api import create_app
from assistant.web.store import Store
from tests.conftest import CORPUS
from tests.web_serving import serve_app

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore:The copy keyword is deprecated")]
playwright_api = pytest.importorskip("playwright.sync_api")

TOKEN = "browser-staff-token-81e2"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = Settings(corpus_dir=CORPUS, data_dir=tmp_path_factory.mktemp("staff-browser") / "data",
                        embeddings={"backend": "fake"}, retrieval={"today": date(2026, 11, 25)},
                        staff={"token": TOKEN})
    IndexBuilder(settings).build()
    store = Store.from_settings(settings)
    app = create_app(settings, ChatService.from_settings(settings), store=store)
    with serve_app(app) as url:
        yield url
    store.close()


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
            assert "zst_staff" not in page.evaluate("document.cookie")
            page.get_by_role("button", name="Log out").click()
            page.wait_for_url("**/staff/login")
            page.goto(base + "/staff/leads")
            assert page.url.endswith("/staff/login") and page.get_by_label("Token").count() == 1  # remembered
        finally:
            browser.close()
