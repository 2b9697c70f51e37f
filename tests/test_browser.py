"""The pages in a real browser (Debian's Chromium driven by Playwright): the investor page, the widget on a
partner site that is on the allow-list, the same page on a site that is not, and the panel on a phone.

The app runs under uvicorn over an index of the sample corpus (fake embedder); the other sites are plain
http.server folders on their own loopback ports, so each is a different origin. Screenshots are saved
under the test's tmp_path."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Browser, FrameLocator, Locator, Page, expect, sync_playwright

from assistant.answering.service import ChatService
from assistant.ingest.builder import IndexBuilder
from assistant.settings import Settings
from assistant.web.api import create_app
from assistant.web.consent import CONSENT_VERSION
from assistant.web.store import Store
from tests.conftest import CORPUS
from tests.web_serving import StaticSite, host_page, serve_app

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore:The copy keyword is deprecated")]

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
QUESTION = "经开区工业用地价格是多少？"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"  # screenshots kept for people to look at
WAIT_MS = 60_000


@dataclass
class Sites:
    app: str  # the assistant
    partner: str  # on web.allowed_origins
    stranger: str  # not on it, serving the same page
    store: Store  # the app's leads and conversations
    folder: Path  # the folder both other sites serve


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sites]:
    root = tmp_path_factory.mktemp("browser")
    folder = root / "site"
    folder.mkdir()
    with StaticSite(folder) as partner, StaticSite(folder) as stranger:
        settings = Settings(corpus_dir=CORPUS, data_dir=root / "data", embeddings={"backend": "fake"},
                            retrieval={"today": date(2026, 11, 25)}, web={"allowed_origins": [partner.origin]})
        IndexBuilder(settings).build()
        store = Store.from_settings(settings)
        app = create_app(settings, ChatService.from_settings(settings), store=store)
        with serve_app(app) as base:
            page = host_page(base, title="贵安招商助手", greeting="您好，欢迎了解贵安新区！", color="#0b6e4f",
                             position="bottom-left", lang="zh")
            (folder / "host.html").write_text(page, encoding="utf-8")
            yield Sites(base, partner.origin, stranger.origin, store, folder)
        store.close()


@pytest.fixture(scope="module")
def browser(sites: Sites) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make browser-deps` installs it (apt-get install chromium)")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    yield context.new_page()
    context.close()


def test_investor_page_answers_with_a_source_card(sites: Sites, page: Page, tmp_path: Path) -> None:
    page.goto(sites.app + "/")
    box = page.get_by_placeholder("请输入您的问题")
    box.fill(QUESTION)
    box.press("Enter")
    card = page.locator(".zst-card").first
    card.wait_for(timeout=WAIT_MS)
    page.screenshot(path=tmp_path / "investor.png", full_page=True)
    assert "288" in page.locator(".zst-answer").last.inner_text()
    assert (card.locator("a").first.get_attribute("href") or "").startswith("/sources/")


def _open_widget(page: Page) -> FrameLocator:
    page.locator("#zst-widget .zst-btn").click()
    return page.frame_locator("#zst-widget iframe")


def _ask(frame: FrameLocator, question: str) -> Locator:
    box = frame.locator("#zst-input")
    box.fill(question)
    box.press("Enter")
    bubble = frame.locator(".msg.bot").last
    bubble.locator(".zst-sources, .error").first.wait_for(timeout=WAIT_MS)
    return bubble


def test_widget_on_an_allowed_site_answers_with_citations(sites: Sites, page: Page, tmp_path: Path) -> None:
    page.goto(sites.partner + "/host.html")
    frame = _open_widget(page)
    # The frame's script sets the host's title and greeting after load: wait for them, do not race them.
    expect(frame.locator("#zst-title")).to_have_text("贵安招商助手")
    assert "示例数据，以主管部门最新发布为准" in frame.locator("#zst-notice").inner_text()
    expect(frame.locator(".msg.bot").first).to_have_text("您好，欢迎了解贵安新区！")
    bubble = _ask(frame, QUESTION)
    assert "288" in bubble.locator(".zst-answer").inner_text()
    cards = bubble.locator(".zst-card")
    assert cards.count() >= 1 and cards.first.locator(".zst-num").inner_text().strip() == "[1]"
    assert cards.first.locator(".zst-doc").inner_text().startswith("《")
    hrefs = [cards.nth(i).locator("a").get_attribute("href") for i in range(cards.count())
             if cards.nth(i).locator("a").count()]
    assert "/sources/listings/parks.csv?row=P-01" in hrefs
    follow = _ask(frame, "那开阳呢？")  # the session id kept in sessionStorage carries the topic over
    assert "144" in follow.locator(".zst-answer").inner_text()
    # Markup typed by a visitor stays text.
    frame.locator("#zst-input").fill("<img src=x onerror=alert(1)> 地价")
    frame.locator("#zst-input").press("Enter")
    user = frame.locator(".msg.user").last
    user.wait_for()
    assert user.inner_text().startswith("<img") and frame.locator(".log img").count() == 0
    panel = page.locator("#zst-widget .zst-panel").bounding_box()
    assert panel is not None and panel["x"] < 40 and panel["width"] == 380  # data-position="bottom-left"
    page.screenshot(path=tmp_path / "partner-widget.png")


def test_widget_on_a_site_not_on_the_allow_list_does_not_work(sites: Sites, page: Page, tmp_path: Path) -> None:
    with page.expect_console_message(lambda m: "allow-list" in m.text, timeout=WAIT_MS):
        page.goto(sites.stranger + "/host.html")
    assert page.locator("#zst-widget").count() == 0
    # A page that frames /embed itself (a patched script) is refused by the CSP: the frame stays an error page.
    page.evaluate("""base => { const f = document.createElement('iframe'); f.id = 'forced';
        f.src = base + '/embed?lang=zh'; document.body.appendChild(f); }""", sites.app)
    page.wait_for_timeout(1500)
    frame = page.frame_locator("#forced")
    assert frame.locator("#zst-input").count() == 0
    child = next(f for f in page.frames if f != page.main_frame)
    assert not child.url.startswith(sites.app)
    # Calling the API directly from that page is blocked by CORS: no answer reaches it.
    outcome = page.evaluate("""base => fetch(base + '/api/chat', {method: 'POST',
        headers: {'Content-Type': 'application/json'}, body: JSON.stringify({message: '地价'})})
        .then(r => 'answered ' + r.status, e => 'blocked ' + e.name)""", sites.app)
    assert outcome == "blocked TypeError"
    page.screenshot(path=tmp_path / "stranger.png")


def test_panel_fills_a_phone_screen(sites: Sites, browser: Browser, tmp_path: Path) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 700}, is_mobile=True,
                                  has_touch=True, device_scale_factor=2)
    try:
        phone = context.new_page()
        phone.goto(sites.partner + "/host.html")
        frame = _open_widget(phone)
        box = frame.locator("#zst-input")
        box.wait_for()
        panel = phone.locator("#zst-widget .zst-panel").bounding_box()
        assert panel is not None and (panel["x"], panel["y"], panel["width"], panel["height"]) == (0, 0, 375, 700)
        field = box.bounding_box()
        assert field is not None and box.is_visible() and field["y"] + field["height"] <= 700 and field["width"] > 200
        assert not phone.locator("#zst-widget .zst-btn").is_visible()  # the panel's own × closes it
        _ask(frame, QUESTION)
        phone.screenshot(path=tmp_path / "phone-widget.png")
        frame.locator("#zst-close").click()
        phone.locator("#zst-widget .zst-btn").wait_for(state="visible")
        assert not phone.locator("#zst-widget .zst-panel").is_visible()
        # /embed opened directly on the phone is usable too.
        phone.goto(sites.app + "/embed?lang=en")
        direct = phone.locator("#zst-input")
        spot = direct.bounding_box()
        assert spot is not None and direct.is_visible() and spot["y"] + spot["height"] <= 700
        expect(phone.locator("#zst-send")).to_have_text("Send")
        assert not phone.locator("#zst-close").is_visible()  # not framed: nothing to close
        phone.screenshot(path=tmp_path / "phone-embed.png")
    finally:
        context.close()


def test_the_widget_follows_the_host_page_language(sites: Sites, page: Page, browser: Browser) -> None:
    """Without data-lang the panel speaks the host page's <html lang> (any language but Chinese: English); a
    data-lang overrides it; a visitor answered in English gets an English panel for the rest of the visit."""
    english = host_page(sites.app, color="#0b6e4f").replace("<html>", '<html lang="en-GB">')
    (sites.folder / "english.html").write_text(english, encoding="utf-8")
    told = host_page(sites.app, lang="zh").replace("<html>", '<html lang="en">')
    (sites.folder / "told.html").write_text(told, encoding="utf-8")
    page.goto(sites.partner + "/english.html")
    assert page.locator("#zst-widget .zst-btn").get_attribute("aria-label") == "Open the investment assistant"
    frame = _open_widget(page)
    expect(frame.locator("#zst-title")).to_have_text("Invest Guiyang Assistant")
    expect(frame.locator("#zst-send")).to_have_text("Send")
    other = browser.new_context(viewport={"width": 1280, "height": 860}, locale="en-GB")
    try:
        visit = other.new_page()
        visit.goto(sites.partner + "/told.html")
        frame = _open_widget(visit)
        expect(frame.locator("#zst-send")).to_have_text("发送")  # data-lang="zh" wins over the page
        _ask(frame, "What is the industrial land price in Jingkai?")
        expect(frame.locator("#zst-send")).to_have_text("Send")
        expect(frame.locator("#zst-title")).to_have_text("Invest Guiyang Assistant")
        visit.reload()  # the next page of the same visit starts in English
        assert visit.locator("#zst-widget .zst-btn").get_attribute("aria-label") == "Open the investment assistant"
        expect(_open_widget(visit).locator("#zst-send")).to_have_text("Send")
    finally:
        other.close()


def test_promo_page_shows_the_widget_and_the_snippet(sites: Sites, page: Page, tmp_path: Path) -> None:
    page.goto(sites.app + "/demo/promo.html")
    snippet = page.locator("#zst-snippet").inner_text()
    assert f'<script src="{sites.app}/widget.js"' in snippet and "HOST" not in snippet
    frame = _open_widget(page)
    assert frame.locator("#zst-title").inner_text() == "筑商通 · 投资助手"
    panel = page.locator("#zst-widget .zst-panel").bounding_box()
    assert panel is not None and panel["x"] + panel["width"] > 1200  # bottom-right
    page.screenshot(path=tmp_path / "promo.png")


def test_widget_lead_form_on_a_phone(sites: Sites, browser: Browser) -> None:
    """"Contact me" opens a form inside the panel (no new tab); a bad phone is named under the field with what
    was typed kept; the corrected form is stored as a lead with the panel's conversation and the consent shown."""
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  device_scale_factor=2, locale="zh-CN")
    try:
        phone = context.new_page()
        phone.goto(sites.partner + "/host.html")
        frame = _open_widget(phone)
        _ask(frame, QUESTION)
        frame.locator("#zst-contact").click()
        form = frame.locator("#zst-lead-form")
        expect(form).to_be_visible()
        assert len(context.pages) == 1 and not frame.locator("#zst-log").is_visible()
        consent = frame.locator("#zst-consent").inner_text()
        assert "365 天" in consent and "180 天" in consent and "项目管家" in consent
        frame.get_by_label("姓名 *").fill("手机客商")
        frame.get_by_label("公司").fill("黔山科技")
        frame.get_by_label("手机或座机（与邮箱二选一）").fill("12345")
        frame.get_by_role("button", name="提交").click()
        expect(frame.locator("#zst-lead-phone-error")).to_contain_text("请填写正确的手机号")
        assert frame.get_by_label("姓名 *").input_value() == "手机客商"  # nothing typed is lost
        assert not [x for x in sites.store.leads(limit=1000) if x["name"] == "手机客商"]
        send = frame.get_by_role("button", name="提交").bounding_box()
        assert send is not None and send["y"] + send["height"] <= 844 and send["x"] >= 0
        width = frame.locator("body").evaluate("b => b.scrollWidth")
        assert width <= 390, f"the form is {width} px wide"
        phone.screenshot(path=ARTIFACTS / "widget-lead-error-390.png")

        frame.get_by_label("手机或座机（与邮箱二选一）").fill("139 1234 5678")
        frame.get_by_role("button", name="提交").click()
        expect(frame.locator("#zst-lead-status")).to_contain_text("已收到")
        phone.screenshot(path=ARTIFACTS / "widget-lead-sent-390.png")
        session = frame.locator("body").get_attribute("data-session")
        [lead] = [x for x in sites.store.leads(limit=1000) if x["name"] == "手机客商"]
        assert session and lead["session_id"] == session and lead["company"] == "黔山科技"
        assert lead["consent_version"] == CONSENT_VERSION and lead["consented_at"] is not None
        assert [t["question"] for t in sites.store.conversations(session_id=session)] == [QUESTION]
        frame.get_by_role("button", name="返回对话").click()
        expect(frame.locator("#zst-log")).to_be_visible()
    finally:
        context.close()
