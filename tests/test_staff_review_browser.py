"""A real browser at phone width (390 px) through the review workflow: upload a document with an injected
sentence, watch the re-index and cancel one, read the staged report with its flagged sentence, ask the staged
index, publish; delete a document after confirming, then discard. No page is wider than the screen.

Slow (Chromium): run with ``pytest tests/test_staff_review_browser.py -m slow``. Screenshots go to
``$STAFF_SHOTS_DIR`` when set (else the test's tmp folder)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from assistant.answering.service import ChatService
from assistant.index.search import SearchIndex
from assistant.ingest.builder import IndexBuilder
from assistant.settings import Settings
from assistant.web.api import create_app
from assistant.web.store import Store
from tests.conftest import CORPUS
from tests.test_staff_browser import ARGS, CHROMIUM
from tests.test_staff_review import INJECTED, RENT_QUESTION, ThrottledEmbeddings
from tests.web_serving import serve_app

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore:The copy keyword is deprecated")]
playwright_api = pytest.importorskip("playwright.sync_api")

TOKEN = "review-browser-token-2f9c"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, ThrottledEmbeddings]]:
    root = tmp_path_factory.mktemp("review-browser")
    shutil.copytree(CORPUS, root / "corpus")
    settings = Settings(corpus_dir=root / "corpus", data_dir=root / "data", embeddings={"backend": "fake"},
                        retrieval={"today": date(2026, 11, 25)}, staff={"token": TOKEN})
    IndexBuilder(settings).build()
    embeddings = ThrottledEmbeddings(settings.embeddings.fake_dim)
    store = Store.from_settings(settings)
    app = create_app(settings, ChatService(settings, SearchIndex.open(settings, embeddings)), store=store, ui=False)
    with serve_app(app) as url:
        yield url, root, embeddings
    store.close()


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide"


def test_review_workflow_on_a_phone(served: tuple[str, Path, ThrottledEmbeddings], tmp_path: Path) -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip("no Chromium at /usr/bin/chromium")
    base, root, embeddings = served
    shots = Path(os.environ.get("STAFF_SHOTS_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    upload_file = tmp_path / "drone-rent.md"
    upload_file.write_text(INJECTED, encoding="utf-8")
    long_file = tmp_path / "long.txt"
    long_file.write_text("\n".join(f"第{i}项：孵化基地{i}号楼面积{i * 37}平方米。" for i in range(3000)), encoding="utf-8")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
            page.set_default_timeout(90_000)
            page.goto(base + "/staff/login?lang=en")  # English; the console's default is Chinese
            page.get_by_label("Token").fill(TOKEN)
            page.get_by_role("button", name="Log in").click()
            page.wait_for_url("**/staff/ask")

            # A long upload: the re-index shows its progress and a Cancel button, which stops it.
            embeddings.delay = 0.3
            page.goto(base + "/staff/documents")
            page.locator("input[type=file]").set_input_files(str(long_file))
            page.get_by_role("button", name="Upload and stage").click()
            cancel = page.get_by_role("button", name="Cancel re-index")
            cancel.wait_for()
            page.screenshot(path=str(shots / "1-reindex-running.png"), full_page=True)
            _fits(page)
            cancel.click()
            page.get_by_text("cancelled").first.wait_for()
            embeddings.delay = 0.0
            page.locator("header").get_by_role("link", name="Review", exact=True).click()
            page.get_by_text("Cannot publish yet").wait_for()
            page.get_by_role("button", name="Discard the changes").click()
            page.get_by_text("Discarded").wait_for()

            # An upload with an instruction to the assistant: staged, flagged, asked, published.
            page.goto(base + "/staff/documents")
            page.locator("input[type=file]").set_input_files(str(upload_file))
            page.get_by_role("button", name="Upload and stage").click()
            page.get_by_text("Changes await review").wait_for()
            page.screenshot(path=str(shots / "2-documents-staged.png"), full_page=True)
            _fits(page)
            page.get_by_role("link", name="Review, then publish or discard").click()
            page.get_by_role("heading", name="Flagged sentences").wait_for()
            page.get_by_placeholder("Question, as an investor would ask").fill(RENT_QUESTION)
            page.get_by_role("button", name="Ask the staged index").click()
            page.locator(".answer").wait_for()
            answer = page.locator(".answer").inner_text()
            assert "18元" in answer and "忽略" not in answer and "1元" not in answer
            page.screenshot(path=str(shots / "3-review-staged.png"), full_page=True)
            _fits(page)
            page.get_by_role("button", name="Publish to investors").click()
            page.get_by_text("Published").wait_for()
            assert (root / "corpus" / "uploads" / "drone-rent.md").exists()

            # Delete after confirming; the deletion is staged, then discarded.
            page.goto(base + "/staff/documents")
            row = page.locator("tr", has_text="policies/gy-tax-policy-guide.md")
            row.get_by_role("link", name="Delete…").click()
            page.get_by_role("button", name="Yes, delete").wait_for()
            page.screenshot(path=str(shots / "4-delete-confirm.png"), full_page=True)
            _fits(page)
            page.get_by_role("button", name="Yes, delete").click()
            page.get_by_text("Deletion of policies/gy-tax-policy-guide.md staged").wait_for()
            page.get_by_role("link", name="Review, then publish or discard").click()
            page.get_by_text("Ready to publish").wait_for()
            page.get_by_role("button", name="Discard the changes").click()
            page.get_by_text("Discarded").wait_for()
            assert (root / "corpus" / "policies" / "gy-tax-policy-guide.md").exists()

            page.goto(base + "/staff/lexicon")
            page.locator("textarea").wait_for()
            page.screenshot(path=str(shots / "5-lexicon.png"), full_page=False)
            _fits(page)
        finally:
            browser.close()
