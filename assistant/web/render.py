"""HTML of one answer, the same on every surface (investor page, widget, staff console): text, factory table,
calculator working, source cards.

The answer's text goes through the Markdown renderer of ``markup`` (raw HTML off, links allow-listed); everything
else from the answer or the documents goes through ``html.escape``: a document can never put markup, scripts or
links of its own on the page. Only the /sources/ links built here are emitted as attributes."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cache
from html import escape
from pathlib import Path
from typing import Any

from assistant.chat_types import Answer, SourceRef
from assistant.listings import SAMPLE_EN, SAMPLE_ZH
from assistant.web.markup import answer_markup
from assistant.web.sources import SourceFiles, rule_statement
from assistant.web.ui_text import field_label, t

HIDDEN_COLUMNS = {"sample"}
# Columns whose values are short codes or figures: never broken inside ("F-/006"); the others wrap at word
# boundaries (English) or between characters (Chinese), with a minimum width.
NOWRAP_COLUMNS = {"id", "area_m2", "clear_height_m", "floor_load_t_m2", "power_kva", "rent_yuan_m2_month",
                  "sale_price_yuan_m2", "status", "floor", "updated"}
EXCERPT_CHARS = 400
SHORT_PLACE = 12  # characters: a place this short (F-014, 第四条, p.3) is never broken across lines ("F-/014")
ANSWER_CSS = Path(__file__).resolve().parent / "static" / "answer.css"
SAMPLE_MARKS = (SAMPLE_ZH, SAMPLE_EN.strip())  # the listings' own sample notes: the card's badge says it once
CJK = re.compile(r"[\u3400-\u9fff]")


def text_html(text: str) -> str:
    """Escaped text with its line breaks kept."""
    return escape(text).replace("\n", "<br>")


def excerpt_html(source: SourceRef, limit: int = EXCERPT_CHARS) -> str:
    """The excerpt, cut around the answering sentence, with that sentence marked."""
    text, mark = source.text, source.highlight
    if source.sample:
        for note in SAMPLE_MARKS:
            text, mark = text.replace(note, ""), mark.replace(note, "")
    mark = mark.strip()
    at = text.find(mark) if mark and mark != text.strip() else -1
    if at < 0:
        cut = text[:limit]
        return text_html(cut) + ("…" if len(text) > limit else "")
    start = max(0, min(at - limit // 4, len(text) - limit))
    end = max(at + len(mark), start + limit)
    before, after = text[start:at], text[at + len(mark):end]
    marked = text_html(before) + f"<mark>{text_html(mark)}</mark>" + text_html(after)
    return ("…" if start else "") + marked + ("…" if end < len(text) else "")


def _where(source: SourceRef, files: SourceFiles, lang: str) -> str:
    where = files.locator_for(source.locator or "", lang)
    if source.page and f"p.{source.page}" not in where:
        where += f" · p.{source.page}" if where else f"p.{source.page}"
    return where


def _named(shown: str, original: str, lang: str) -> str:
    """The name a card shows; in English, a Chinese original is kept in the hover text (to look it up by)."""
    hover = f' title="{escape(original, quote=True)}"' if lang == "en" and CJK.search(original) else ""
    return f'<span class="zst-doc"{hover}>{escape(shown)}</span>'


def card_head(n: int, source: SourceRef, files: SourceFiles, lang: str) -> str:
    """[n], what is cited (a document's title and place; a rule's name and the article it comes from, never its
    internal key), one sample badge, and the link that opens it. In English every name and place is in English
    or in Latin letters (english.py), never in Chinese."""
    rule = files.rule(source.doc_id, source.locator) if source.kind == "rule" and source.doc_id else None
    if rule is not None:
        name = rule.name if lang != "en" else rule.name_en or files.name_for(rule.name, lang)
        title = _named(name, rule.name, lang)
        basis, article = files.title_for(rule.title, "", lang), files.locator_for(rule.article, lang)
        where = (f"{t('rule_basis', lang)}: {basis}" + (f", {article}" if article else "") if lang == "en"
                 else f"{t('rule_basis', lang)}{basis}{rule.article}")
    elif source.kind == "contact":  # the service contact is no document
        title, where = _named(source.title, source.title, lang), files.name_for(source.locator, lang)
    else:
        title = _named(files.title_for(source.title, source.doc_id, lang), source.title, lang)
        where = _where(source, files, lang)
    parts = [f'<span class="zst-num">[{n}]</span>', title]
    if where:
        short = " zst-nowrap" if len(where) <= SHORT_PLACE else ""
        parts.append(f'<span class="zst-loc{short}">{escape(where)}</span>')
    if source.sample:
        parts.append(f'<span class="zst-badge">{escape(t("sample_badge", lang))}</span>')
    url = files.url_for(source, lang)
    if url:
        parts.append(f'<a class="zst-open" href="{escape(url, quote=True)}" target="_blank" rel="noopener">'
                     f'{escape(t("open_source", lang))}</a>')
    return " ".join(parts)


def source_card(n: int, source: SourceRef, files: SourceFiles, lang: str) -> str:
    if source.kind == "rule" and files.rule(source.doc_id, source.locator):  # the head names its source: once
        source = replace(source, text=rule_statement(source.text), highlight=rule_statement(source.highlight))
    return (f'<div class="zst-card"><div class="zst-card-head">{card_head(n, source, files, lang)}</div>'
            f'<div class="zst-excerpt">{excerpt_html(source)}</div></div>')


def _cell(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return escape(str(value))


def table_html(rows: list[dict[str, Any]], lang: str) -> str:
    """The rows in a table that scrolls sideways inside its bubble when it is wider than the bubble."""
    if not rows:
        return ""
    keys = [k for k in rows[0] if k not in HIDDEN_COLUMNS]
    kind = {k: "zst-nowrap" if k in NOWRAP_COLUMNS else "zst-wrap" for k in keys}
    head = "".join(f'<th class="{kind[k]}">{escape(field_label(k, lang))}</th>' for k in keys)
    body = "".join("<tr>" + "".join(f'<td class="{kind[k]}">{_cell(row.get(k))}</td>' for k in keys) + "</tr>"
                   for row in rows)
    return (f'<div class="zst-table"><b>{escape(t("results", lang))}</b><div class="zst-scroll"><table>'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div></div>")


def working_html(steps: list[str], lang: str, shown: str = "") -> str:
    """The calculator's steps, less those the answer's text already lists (``shown``); nothing, not even the
    heading, when no step is left."""
    steps = [s for s in steps if s.strip() and s.strip() not in shown]
    if not steps:
        return ""
    items = "".join(f"<li>{escape(step)}</li>" for step in steps)
    return (f'<details class="zst-working" open><summary>{escape(t("working", lang))}</summary>'
            f"<ol>{items}</ol></details>")


def sources_html(answer: Answer, files: SourceFiles, lang: str) -> str:
    if not answer.sources:
        return ""
    cards = "".join(source_card(n, s, files, lang) for n, s in enumerate(answer.sources, start=1))
    count = len(answer.sources)
    summary = f"{t('sources', lang)} ({count})" if lang == "en" else f"{t('sources', lang)}（{count}）"
    return f'<details class="zst-sources" open><summary>{escape(summary)}</summary>{cards}</details>'


def answer_html(answer: Answer, files: SourceFiles, lang: str) -> str:
    """The whole assistant message. One line of HTML: the page's chat leaves an HTML block alone as long as it
    holds no blank line."""
    parts = [f'<div class="zst-answer">{answer_markup(answer.answer)}</div>', table_html(answer.table, lang),
             working_html(answer.working, lang, answer.answer), sources_html(answer, files, lang)]
    return "".join(p for p in parts if p)



@cache
def answer_css() -> str:
    """The answers' stylesheet, shared by the investor page and the widget (served as /widget/answer.css); read
    on first use, not at import."""
    return ANSWER_CSS.read_text(encoding="utf-8")
