"""The answers' Markdown renderer: lists, emphasis and [n] markers become HTML; markup an answer or document carries
stays inert text (raw HTML off, links only to allowed schemes, no images); a whole answer renders the same safe
HTML for every surface, with labels in the visitor's language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.chat_types import Answer, SourceRef
from assistant.web.markup import allowed_link, answer_markup, end_lists
from assistant.web.render import answer_html, excerpt_html
from assistant.web.sources import SourceFiles

FILES = SourceFiles(Path("/corpus"), frozenset({"listings/factories.csv", "guide/a.md"}))
# Payloads that pass through a naive renderer; each must come out without a live tag, handler or script URL.
XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click]( javascript:alert(1))",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![img](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![track](https://evil.example/pixel.png)",
    "<javascript:alert(1)>",
    "[vb](vbscript:msgbox(1))",
    "[file](file:///etc/passwd)",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '" onmouseover="alert(1)',
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<svg/onload=alert(1)>",
    "[x](https://ok.example/\" onclick=\"alert(1))",
    "<iframe src=//evil.example></iframe>",
]
LIVE = re.compile(r"<(script|img|iframe|svg|div|object|embed)\b|\son\w+=|javascript:|vbscript:|data:|file:", re.I)


def _live_markup(html: str) -> list[str]:
    """Tags and attributes a browser would act on: everything that is not inside a text node."""
    tags = re.findall(r"<[^>]*>", html)
    return [tag for tag in tags if LIVE.search(tag)]


@pytest.mark.parametrize("payload", XSS)
def test_payloads_stay_inert(payload: str) -> None:
    for text in (payload, f"- 第一项 {payload} [1]\n- 第二项", f"**{payload}**"):
        html = answer_markup(text)
        assert not _live_markup(html), html
        assert "<a " not in html or all(allowed_link(h) for h in re.findall(r'href="([^"]*)"', html))


def test_allowed_links_open_in_a_new_tab_and_others_stay_text() -> None:
    html = answer_markup("[政策](https://example.org/a?b=1) [原文](/sources/guide/a.md) 电话 [拨打](tel:0851) "
                         "[邮件](mailto:a@b.cn) [别处](//evil.example) [上级](/sources/../x) [相对](x.html)")
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert hrefs == ["https://example.org/a?b=1", "/sources/guide/a.md", "tel:0851", "mailto:a@b.cn"]
    assert html.count('target="_blank"') == 4 and html.count('rel="noopener noreferrer nofollow"') == 4
    assert "[别处](//evil.example)" in html and "[相对](x.html)" in html


def test_lists_emphasis_and_citations_render() -> None:
    html = answer_markup("符合条件的厂房：\n- F-009 **2000㎡**[1]\n- F-014 2400㎡ [2]\n（注：以上含示例数据。）")
    assert html.count("<li>") == 2 and "<strong>2000㎡</strong>" in html
    assert '<sup class="zst-cite">[1]</sup>' in html and '<sup class="zst-cite">[2]</sup>' in html
    # The note after the list is its own paragraph, not glued to the last item; no newline left (the page's
    # chat would end an HTML block at a blank line).
    assert html.endswith("<p>（注：以上含示例数据。）</p>") and "\n" not in html
    assert end_lists("- a\n说明") == "- a\n\n说明" and end_lists("- a\n  续行") == "- a\n  续行"


def test_prose_is_not_turned_into_code_headings_or_hidden_references() -> None:
    html = answer_markup("    缩进的一行\n# 不是标题\n[1]: https://example.org\n---")
    assert "<pre" not in html and "<h1" not in html and "<hr" not in html
    assert "不是标题" in html and "https://example.org" in html  # a reference definition is shown, not eaten


def test_whole_answer_in_english_has_english_labels_and_one_badge_per_card() -> None:
    row = "Standard factory F-009: 2000 m2 (sample data; check the latest official release)"
    source = SourceRef(title="标准厂房房源清单", locator="F-009", text=row, doc_id="listings/factories.csv",
                       kind="listing", sample=True, highlight=row, language="en")
    answer = Answer("Factories that match:\n- F-009 [1]", "answered", "en", [source],
                    table=[{"id": "F-009", "district": "清镇市", "area_m2": 2000.0, "sample": True}],
                    working=["area = 2000 m2"])
    html = answer_html(answer, FILES, "en")
    assert "Sources (1)" in html and html.count("Sample data") == 1 and "View source" in html
    assert ">Working<" in html and "<li>F-009 " in html and "sample data; check" not in html
    assert 'href="/sources/listings/factories.csv?row=F-009&amp;lang=en"' in html
    labels = re.findall(r'<summary>(.*?)</summary>|class="zst-(?:badge|open)"[^>]*>(.*?)<|<th[^>]*>(.*?)</th>|<b>(.*?)</b>',
                        html)
    assert len(labels) == 8 and not [g for found in labels for g in found if re.search(r"[\u3400-\u9fff]", g)]
    # A step the answer's text already lists is not repeated under the working heading, nor is the heading.
    shown = Answer("Working:\n- area = 2000 m2", "answered", "en", working=["area = 2000 m2"])
    assert "zst-working" not in answer_html(shown, FILES, "en")


def test_sample_notes_leave_the_excerpt_once_the_badge_says_it() -> None:
    note = "（示例数据，以主管部门最新发布为准）"
    source = SourceRef(title="园区信息清单", locator="P-01", text=f"地价288元/㎡{note}；供电充足{note}。{note}",
                       doc_id="listings/parks.csv", kind="listing", sample=True)
    assert note not in excerpt_html(source) and "地价288元/㎡；供电充足。" in excerpt_html(source)
    plain = SourceRef(title="t", locator="", text=f"地价{note}", sample=False)
    assert note in excerpt_html(plain)  # a source not marked sample keeps what it says


def test_staff_console_shows_the_same_rendered_text() -> None:
    from assistant.web.staff_pages import answer_html as staff_answer_html
    from assistant.web.staff_text import StaffText

    answer = Answer("要点：\n- 第一项 <script>alert(1)</script>[1]\n- [链接](javascript:alert(1))", "answered", "zh")
    text = re.search(r'<div class="answer">(.*?)</div>', staff_answer_html(StaffText(), answer, candidates=False))
    assert text is not None and text.group(1).count("<li>") == 2 and "&lt;script&gt;" in text.group(1)
    assert not _live_markup(text.group(1))
