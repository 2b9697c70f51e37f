"""The policy-match form and the investment brief in a real browser (Debian's Chromium driven by Playwright): the
investor page's form, its brief downloaded, printed to PDF and opened by staff from the leads list after the
investor leaves contact details; and the widget panel's form. Screenshots go to tests/artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from pypdf import PdfReader

from assistant.answering.service import ChatService
from assistant.ingest.builder import IndexBuilder
from assistant.settings import Settings
from assistant.web.api import create_app
from assistant.web.store import Store
from tests.conftest import CORPUS
from tests.web_serving import serve_app

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore:The copy keyword is deprecated")]

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
TOKEN = "match-browser-staff-token-5c1d"
WAIT_MS = 60_000


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Store]]:
    root = tmp_path_factory.mktemp("match-browser")
    settings = Settings(corpus_dir=CORPUS, data_dir=root / "data", embeddings={"backend": "fake"},
                        retrieval={"today": date(2026, 11, 25)}, match={"today": date(2026, 11, 30)},
                        staff={"token": TOKEN}, web={"rate_limit": {"enabled": False}})
    IndexBuilder(settings).build()
    store = Store.from_settings(settings)
    with serve_app(create_app(settings, ChatService.from_settings(settings), store=store)) as base:
        yield base, store
    store.close()


@pytest.fixture(scope="module")
def browser(app: tuple[str, Store]) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make browser-deps` installs it (apt-get install chromium)")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    yield page
    context.close()


def test_investor_page_form_brief_and_lead(app: tuple[str, Store], page: Page, browser: Browser) -> None:
    base, store = app
    page.goto(base + "/")
    page.get_by_text("政策匹配：填写项目情况，看能享受哪些政策").click()
    page.get_by_label("行业（如：锂电池正极材料）").fill("锂电池正极材料")
    for label, value in (("计划总投资（万元）", "50000"), ("用地（亩）", "80"), ("年用电量（万度）", "3000"),
                         ("新增就业（人）", "300")):
        page.get_by_label(label).fill(value)
    page.get_by_role("button", name="匹配政策").click()
    result = page.locator("#zst-m-result .zst-answer")
    result.wait_for()
    text = result.inner_text()
    assert "工业用地地价款返还" in text and "第一年估算支持合计" in text and "16,860,000" in text
    assert page.locator("#zst-m-result .zst-card").count() >= 1 and page.locator("#zst-m-result sup.zst-cite").count()
    page.locator("#zst-match").screenshot(path=str(ARTIFACTS / "match-form-page.png"))

    with page.expect_download() as info:
        page.get_by_role("button", name="下载投资简报（可打印）").click()
    brief = ARTIFACTS / "match-brief-zh.html"
    info.value.save_as(brief)
    html = brief.read_text(encoding="utf-8")
    assert "投资简报" in html and "锂电池正极材料" in html and "@media print" in html

    printed = browser.new_page(viewport={"width": 900, "height": 1200})
    printed.goto(brief.as_uri())
    printed.screenshot(path=str(ARTIFACTS / "match-brief-screen.png"), full_page=True)
    printed.emulate_media(media="print")
    pdf = ARTIFACTS / "match-brief-print.pdf"
    printed.pdf(path=str(pdf), format="A4", print_background=True)
    pages = len(PdfReader(str(pdf)).pages)
    printed.close()
    assert pages == 1, pages  # the brief is one A4 page

    page.get_by_text("联系我（项目管家回访）").click()
    page.get_by_label("姓名 *").fill("李四")
    page.get_by_label("手机或座机（与邮箱二选一）").fill("13800000001")
    page.get_by_role("button", name="提交").click()
    page.get_by_text("已收到").wait_for()
    lead = next(x for x in store.leads() if x["name"] == "李四")
    assert lead["has_brief"]

    staff = browser.new_page(viewport={"width": 1366, "height": 900})
    staff.set_default_timeout(WAIT_MS)
    staff.goto(base + "/staff/login")
    staff.get_by_label("令牌").fill(TOKEN)
    staff.get_by_role("button", name="登录").click()
    staff.wait_for_url("**/staff/ask")
    staff.goto(base + "/staff/leads")
    with staff.expect_popup() as popup:
        staff.get_by_role("link", name="查看简报").first.click()
    opened = popup.value
    opened.wait_for_load_state()
    assert "投资简报" in opened.locator("h1").inner_text() and "锂电池正极材料" in opened.content()
    opened.screenshot(path=str(ARTIFACTS / "match-brief-staff.png"), full_page=True)
    staff.screenshot(path=str(ARTIFACTS / "match-staff-leads.png"), full_page=True)
    staff.close()


def test_widget_form_shows_the_result_and_downloads_the_brief(app: tuple[str, Store], page: Page) -> None:
    base, _store = app
    page.set_viewport_size({"width": 420, "height": 820})
    page.goto(base + "/embed?lang=en")
    page.get_by_role("link", name="Policy match").click()
    page.get_by_label("Industry").fill("cathode materials")
    page.get_by_label("Planned investment (10k yuan)").fill("50000")
    page.get_by_label("Land (mu)").fill("80")
    page.get_by_label("Power use a year (10k kWh)").fill("3000")
    page.get_by_label("New jobs").fill("300")
    page.get_by_role("button", name="Match incentives").click()
    bubble = page.locator(".match-result")
    bubble.wait_for()
    text = bubble.locator(".zst-answer").inner_text()
    assert "Industrial land price rebate" in text and "16,860,000" in text and "One fact would change" in text
    assert bubble.locator(".zst-card").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "match-widget-en.png"), full_page=False)
    with page.expect_download() as info:
        bubble.get_by_role("button", name="Download the investment brief").click()
    saved = ARTIFACTS / "match-brief-en.html"
    info.value.save_as(saved)
    assert info.value.suggested_filename == "investment-brief.html" and "Investment brief" in saved.read_text("utf-8")
    page.get_by_role("link", name="Policy match").click()
    page.get_by_label("New jobs").fill("-5")
    page.get_by_role("button", name="Match incentives").click()
    assert page.locator("#zst-match-status").inner_text() == "Please check the figures."


# A typical complete profile: every figure the form and the chat ask for, a leased unit beside the land, talents.
COMPLETE = {"industry": "新能源汽车零部件（电池包）", "district": "观山湖区", "investment_yuan": 8e8,
            "fixed_asset_investment_yuan": 6e8, "equipment_investment_yuan": 3e8, "land_mu": 100, "factory_m2": 6000,
            "annual_kwh": 3e7, "voltage_kv": 10, "transformer_kva": 4000, "jobs": 500, "revenue_yuan": 1.5e9,
            "local_contribution_yuan": 3e6, "rd_spend_yuan": 3e7, "registered_locally": True,
            "talents": {"phd": 1, "master": 8, "bachelor": 40}}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_brief_of_a_complete_profile_prints_on_one_a4_page(app: tuple[str, Store], browser: Browser,
                                                               lang: str) -> None:
    base, _store = app
    with httpx.Client(base_url=base, timeout=120) as client:
        reply = client.post("/api/match/brief", json={"profile": COMPLETE, "lang": lang})
    assert reply.status_code == 200, reply.text
    brief = ARTIFACTS / f"match-brief-complete-{lang}.html"
    brief.write_text(reply.text, encoding="utf-8")
    printed = browser.new_page()
    printed.goto(brief.as_uri())
    printed.emulate_media(media="print")
    pdf = ARTIFACTS / f"match-brief-complete-{lang}.pdf"
    printed.pdf(path=str(pdf), format="A4", print_background=True)
    printed.close()
    reader = PdfReader(str(pdf))
    assert len(reader.pages) == 1, len(reader.pages)
    text = reader.pages[0].extract_text()
    assert ("工业用地地价款返还" if lang == "zh" else "Industrial land price rebate") in text
