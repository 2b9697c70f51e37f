"""The investor page in Chromium with two workers behind one port (``python app.py --workers 2``): the page's
calls are plain requests that either worker may take (no Gradio queue to split, no server-side state), so a
conversation and its follow-up work whichever worker each call reaches."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, Response, sync_playwright

from tests.test_browser import ARGS, CHROMIUM, QUESTION, WAIT_MS
from tests.test_workers import Served, start_workers, stop

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore:The copy keyword is deprecated")]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    proc, result = start_workers(tmp_path_factory.mktemp("browser-workers"))
    try:
        yield result
    finally:
        stop(proc)


@pytest.fixture
def page(served: Served) -> Iterator[Page]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make browser-deps` installs it (apt-get install chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
        yield context.new_page()
        context.close()
        browser.close()


def _ask(page: Page, question: str, answers: int) -> str:
    box = page.get_by_placeholder("请输入您的问题")
    box.fill(question)
    box.press("Enter")
    page.locator(".zst-answer .zst-card, .zst-card").nth(0).wait_for(timeout=WAIT_MS)
    page.wait_for_function("n => document.querySelectorAll('.zst-answer').length >= n", arg=answers,
                           timeout=WAIT_MS)
    return page.locator(".zst-answer").last.inner_text()


def test_page_with_two_workers_answers_and_follows_up(served: Served, page: Page, tmp_path: Path) -> None:
    workers: list[str] = []
    queued: list[str] = []

    def seen(response: Response) -> None:
        if "/gradio_api/" in response.url:
            workers.append(response.headers.get("x-served-by", ""))
            if "/queue/" in response.url:
                queued.append(response.url)

    page.on("response", seen)
    page.goto(served.base + "/")
    assert "288" in _ask(page, QUESTION, 1)
    assert "144" in _ask(page, "那开阳呢？", 2)  # the session id travels with the page's call, to either worker
    page.screenshot(path=tmp_path / "two-workers.png", full_page=True)
    assert workers and all(workers) and not queued  # plain requests, each answered by a named worker
