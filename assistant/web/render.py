"""HTML for one answer on the investor page: text, factory table, calculator working, source cards.

Everything from the answer or the documents goes through ``html.escape``: a document can never put markup,
scripts or links of its own on the page. Only the /sources/ links built here are emitted as attributes."""

from __future__ import annotations

from html import escape
from typing import Any

from assistant.chat_types import Answer, SourceRef
from assistant.web.sources import SourceFiles
from assistant.web.ui_text import t

COLUMNS: dict[str, tuple[str, str]] = {
    "id": ("编号", "ID"), "park": ("园区", "Park"), "district": ("区县", "District"),
    "building": ("楼栋/楼层", "Building"), "area_m2": ("面积㎡", "Area m²"), "clear_height_m": ("层高m", "Height m"),
    "floor_load_t_m2": ("承重t/㎡", "Load t/m²"), "power_kva": ("电力kVA", "Power kVA"),
    "rent_yuan_m2_month": ("租金元/㎡·月", "Rent ¥/m²·month"), "sale_price_yuan_m2": ("售价元/㎡", "Price ¥/m²"),
    "status": ("状态", "Status"),
}
HIDDEN_COLUMNS = {"sample"}
EXCERPT_CHARS = 400


def text_html(text: str) -> str:
    """Escaped text with its line breaks kept."""
    return escape(text).replace("\n", "<br>")


def excerpt_html(source: SourceRef, limit: int = EXCERPT_CHARS) -> str:
    """The excerpt, cut around the answering sentence, with that sentence marked."""
    text, mark = source.text, source.highlight.strip()
    at = text.find(mark) if mark and mark != text.strip() else -1
    if at < 0:
        cut = text[:limit]
        return text_html(cut) + ("…" if len(text) > limit else "")
    start = max(0, min(at - limit // 4, len(text) - limit))
    end = max(at + len(mark), start + limit)
    before, after = text[start:at], text[at + len(mark):end]
    marked = text_html(before) + f"<mark>{text_html(mark)}</mark>" + text_html(after)
    return ("…" if start else "") + marked + ("…" if end < len(text) else "")


def source_card(n: int, source: SourceRef, files: SourceFiles, lang: str) -> str:
    url = files.url_for(source)
    where = escape(source.locator or "")
    if source.page and f"p.{source.page}" not in source.locator:
        where += f" · p.{source.page}" if where else f"p.{source.page}"
    badge = f' <span class="zst-badge">{t("sample_badge", lang)}</span>' if source.sample else ""
    link = ""
    if url:
        href = escape(url, quote=True)
        link = f' <a href="{href}" target="_blank" rel="noopener">{t("open_source", lang)}</a>'
    title = escape(source.title) if source.kind == "contact" else f"《{escape(source.title)}》"  # no document
    head = f"[{n}] {title} {where}{badge}{link}"
    return (f'<div class="zst-card"><div class="zst-card-head">{head}</div>'
            f'<div class="zst-excerpt">{excerpt_html(source)}</div></div>')


def _cell(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return escape(str(value))


def table_html(rows: list[dict[str, Any]], lang: str) -> str:
    if not rows:
        return ""
    keys = [k for k in rows[0] if k not in HIDDEN_COLUMNS]
    head = "".join(f"<th>{escape(COLUMNS.get(k, (k, k))[lang == 'en'])}</th>" for k in keys)
    body = "".join("<tr>" + "".join(f"<td>{_cell(row.get(k))}</td>" for k in keys) + "</tr>" for row in rows)
    return f'<div class="zst-table"><b>{t("results", lang)}</b><table><thead><tr>{head}</tr></thead>' \
           f"<tbody>{body}</tbody></table></div>"


def working_html(steps: list[str], lang: str) -> str:
    if not steps:
        return ""
    items = "".join(f"<li>{escape(step)}</li>" for step in steps)
    return (f'<details class="zst-working" open><summary>{t("working", lang)}</summary>'
            f"<ol>{items}</ol></details>")


def sources_html(answer: Answer, files: SourceFiles, lang: str) -> str:
    if not answer.sources:
        return ""
    cards = "".join(source_card(n, s, files, lang) for n, s in enumerate(answer.sources, start=1))
    summary = f"{t('sources', lang)}（{len(answer.sources)}）"
    return f'<details class="zst-sources" open><summary>{summary}</summary>{cards}</details>'


def answer_html(answer: Answer, files: SourceFiles, lang: str) -> str:
    """The whole assistant message. One line of HTML: the chat's Markdown renderer leaves HTML blocks alone
    as long as they hold no blank line."""
    parts = [f'<div class="zst-answer">{text_html(answer.answer)}</div>', table_html(answer.table, lang),
             working_html(answer.working, lang), sources_html(answer, files, lang)]
    return "".join(p for p in parts if p)


CSS = """
.zst-notice {background:#fff7e6;border:1px solid #f0b429;border-radius:6px;padding:6px 10px;color:#7a4b00}
.zst-card {border:1px solid #d9dee7;border-radius:6px;padding:6px 8px;margin:6px 0;font-size:0.92em}
.zst-card-head {font-weight:600;margin-bottom:4px}
.zst-badge {background:#fff1c2;color:#7a4b00;border-radius:4px;padding:0 4px;font-weight:400;font-size:0.85em}
.zst-excerpt mark {background:#ffe58f;padding:0 1px}
.zst-table table {border-collapse:collapse;font-size:0.9em;margin:6px 0}
.zst-table th, .zst-table td {border:1px solid #d9dee7;padding:2px 6px;text-align:left}
.zst-working, .zst-sources {margin-top:8px}
"""
