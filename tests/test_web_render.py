"""Web helpers without a server: answer HTML (document text escaped, answering sentence marked), stream pieces,
and the event stream ending in an error event when answering fails."""

from __future__ import annotations

from pathlib import Path

from assistant.answering.composers import pieces
from assistant.chat_types import Answer, SourceRef
from assistant.web.render import answer_html, excerpt_html
from assistant.web.sources import SourceFiles

FILES = SourceFiles(Path("/corpus"), frozenset({"policies/x.pdf", "guide/a.md"}))


def test_document_markup_is_escaped_and_highlight_marked() -> None:
    evil = '<script>alert(1)</script> 第四条 租金两免三减半。<a href="javascript:x">点我</a>'
    source = SourceRef(title="办法<b>", locator="第四条", text=evil, doc_id="policies/x.pdf", page=3,
                       highlight="第四条 租金两免三减半。", sample=True)
    answer = Answer("答复 <iframe src=x> [1]", "answered", "zh", [source],
                    table=[{"id": "<F-1>", "area_m2": 3000.0}], working=["<b>1</b> × 2 = 2"])
    html = answer_html(answer, FILES, "zh")
    for raw in ("<script", "<iframe", "<a href=\"javascript", "<b>1", "办法<b>"):
        assert raw not in html
    assert "&lt;script&gt;" in html and "&lt;iframe src=x&gt;" in html and "&lt;F-1&gt;" in html
    assert "<mark>第四条 租金两免三减半。</mark>" in html
    assert 'href="/sources/policies/x.pdf#page=3"' in html and "示例数据" in html and '"zst-nowrap">3000</td>' in html


def test_unlisted_documents_get_no_link_and_long_excerpts_are_cut() -> None:
    source = SourceRef(title="t", locator="", text="甲" * 300 + "关键句。" + "乙" * 300, doc_id="other/y.pdf",
                       highlight="关键句。")
    assert "href" not in answer_html(Answer("a", "answered", "zh", [source]), FILES, "en")
    cut = excerpt_html(source, limit=100)
    assert "<mark>关键句。</mark>" in cut and cut.startswith("…") and cut.endswith("…") and len(cut) < 160


def test_stream_pieces_rebuild_the_text() -> None:
    text = "第一句，很短。第二句要长一些，里面有逗号，还有分号；最后一句没有标点\n新行 English, too. End"
    parts = pieces(text)
    assert "".join(parts) == text and len(parts) >= 3
    assert pieces("") == []


class _FailingService:
    """Writes one piece of an answer, then fails: the stream must end with an error event, not a cut."""

    def reload_if_stale(self) -> bool:
        return False

    def ask_stream(self, question: str, session_id: str | None = None, lang: str | None = None):
        yield "token", "第一句。"
        raise RuntimeError("index went away")


def test_stream_failure_ends_with_an_error_event(tmp_path: Path) -> None:
    from assistant.web import turns
    from assistant.web.answer_runner import AnswerRunner
    from assistant.web.api import _events
    from assistant.web.store import Store

    store = Store.from_url(f"sqlite:///{tmp_path / 'web.sqlite3'}")
    runner = AnswerRunner(workers=1, timeout_s=30)
    try:
        service = _FailingService()
        stream = turns.stream(service, store, "地价？", "s-1", None, runner, "client")  # type: ignore[arg-type]
        events = list(_events(service, stream, "s-1"))  # type: ignore[arg-type]
        assert [e.split("\n", 1)[0] for e in events] == ["event: token", "event: error"]
        assert "index went away" not in events[-1]  # internals stay in the log
        assert store.conversations(session_id="s-1") == []
    finally:
        runner.close()
        store.close()
