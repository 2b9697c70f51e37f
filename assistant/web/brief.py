"""The investment brief: a match result as one printable HTML page (A4, a print stylesheet; the browser's "Save
as PDF" makes the PDF). The investor downloads it; a lead keeps a copy, so the project manager starts from
what the investor saw.

No PDF is made on the server: no library the project keeps renders Chinese well (fpdf2, a test dependency,
would need a CJK font file shipped and lays out no HTML). The summary goes through the shared answer
renderer (markup.answer_markup); every other text is escaped."""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Any

from assistant.chat_types import Answer
from assistant.matching import MatchResult, RuleMatch, amount_text, profile_line, summarise
from assistant.web.markup import answer_markup

_TEXT = {
    "title": ("投资简报", "Investment brief"),
    "brand": ("筑商通 · 贵阳贵安投资助手", "Invest Guiyang Assistant"),
    "made": ("生成日期", "Made on"),
    "profile": ("企业情况", "Profile"),
    "summary": ("匹配结果", "Match"),
    "rules": ("可能适用的政策与条件", "Incentives that may apply, with their conditions"),
    "col_rule": ("政策", "Incentive"), "col_amount": ("估算金额", "Estimate"),
    "col_criteria": ("条件（✓ 满足 ? 待补充）", "Conditions (✓ met, ? to provide)"), "col_source": ("依据", "Source"),
    "not_applicable": ("不适用的政策", "Incentives that do not apply"),
    "working": ("计算过程", "Working"),
    "sources": ("出处", "Sources"),
    "sample": ("标注【示例数据】的数值为示例数据，以主管部门最新发布为准。本简报为测算参考，不构成承诺。",
               "Figures marked [sample data] are sample data; the latest official publications prevail. This brief "
               "is an estimate, not a commitment."),
    "note": ("本简报为测算参考，不构成承诺；以主管部门最新发布为准。",
             "This brief is an estimate, not a commitment; the latest official publications prevail."),
    "print": ("打印或另存为 PDF：按 Ctrl+P（Mac：⌘P）。", "To print or save as PDF: press Ctrl+P (Mac: ⌘P)."),
}
_COLUMNS = "".join(f"<col style='width:{w}%'>" for w in (24, 17, 37, 22)).join(("<colgroup>", "</colgroup>"))

BRIEF_CSS = """
*{box-sizing:border-box}
body{font:10pt/1.45 system-ui,"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;color:#1f2329;
 max-width:190mm;margin:12px auto;padding:0 10px}
h1{font-size:15pt;margin:0 0 2px;color:#b3262d}h2{font-size:11pt;margin:10px 0 4px;border-bottom:1px solid #d9dee7}
.meta{color:#4b5563;font-size:9pt;margin:0 0 6px}.hint{background:#f6f7f9;padding:4px 8px;border-radius:4px;font-size:9pt}
.zst-answer p{margin:0 0 4px}.zst-answer ul{margin:2px 0 4px;padding-left:1.3em}.zst-cite{font-size:.75em;color:#4b5563}
table{border-collapse:collapse;width:100%;font-size:8.5pt}th,td{border:1px solid #d9dee7;padding:2px 4px;
 text-align:left;vertical-align:top}th{background:#f6f7f9}td.n{white-space:nowrap}
ol.small,p.small{font-size:8pt;color:#374151;margin:2px 0;padding-left:1.4em}p.small{padding-left:0}
ol.cols{columns:2;column-gap:14px}.muted{color:#6b7280;font-size:.9em}
.sample{color:#7a4b00}footer{margin-top:8px;font-size:8pt;color:#4b5563}
@page{size:A4;margin:10mm}
@media print{body{margin:0;max-width:none;padding:0;font-size:8pt}.hint{display:none}h2{break-after:avoid;margin:6px 0 3px}
 table{font-size:7.5pt}ol.small,p.small{font-size:7pt}
 tr{break-inside:avoid}a{color:inherit;text-decoration:none}}
"""


def _t(key: str, lang: str) -> str:
    zh, en = _TEXT[key]
    return en if lang == "en" else zh


def _criteria(rule: RuleMatch, lang: str) -> str:
    """Compact, for one page: how many conditions are met, then each one still to confirm (what to provide);
    the dates of validity are in the source column."""
    shown = [c for c in rule.criteria if c.fact != "valid"]
    met = sum(c.status == "met" for c in shown)
    asks = list(dict.fromkeys(c.ask or c.text for c in shown if c.status == "unknown"))
    if rule.amount and rule.amount.ask and rule.amount.value_yuan is None and rule.amount.low_yuan is None:
        asks = list(dict.fromkeys([*asks, rule.amount.ask]))
    items = ([f"✓ {met}" + ("" if lang == "en" else " 项满足") + (" met" if lang == "en" else "")] if met else [])
    return "<br>".join(items + [f"? {escape(a)}" for a in asks])


def _valid(rule: RuleMatch, lang: str) -> str:
    if not (rule.valid_from or rule.valid_to):
        return ""
    span = f"{rule.valid_from or '…'}–{rule.valid_to or '…'}"
    return f"<br><span class=muted>{escape(('valid ' if lang == 'en' else '有效期 ') + span)}</span>"


def _overview(text: str) -> str:
    """The answer without its rule lines (the table below states them in full): the head, total, costs, parks
    and the question."""
    return "\n".join(line for line in text.splitlines() if not line.startswith(("- ", "**")))


def brief_html(result: MatchResult, answer: Answer, profile: dict[str, Any], made: date | None = None) -> str:
    """The whole brief, one HTML document. ``answer``: the match's chat answer (its text, sources and working),
    so the brief states exactly what the investor was told."""
    lang = result.lang
    made = made or date.today()
    # The answer's sources are the summary's citations, in the same order: [n] here is [n] there.
    numbers = {c.text: n for n, c in enumerate(summarise(result, profile).citations, start=1)}
    rows = []
    for rule in result.rules:
        n = numbers.get(rule.citation.text, 0)
        sample = f' <span class="sample">{"[sample data]" if lang == "en" else "【示例数据】"}</span>' \
            if rule.sample else ""
        cited = f"《{rule.citation.title}》{rule.citation.article}"  # the document number is in the sources list
        source = escape(cited) + (f" [{n}]" if n else "") + _valid(rule, lang)
        mark = "✓" if rule.status == "eligible" else "?"
        rows.append(f"<tr><td>{mark} {escape(rule.name)}{sample}</td><td class=n>{escape(amount_text(rule.amount, lang))}"
                    f"</td><td>{_criteria(rule, lang)}</td><td>{source}</td></tr>")
    head = "".join(f"<th>{escape(_t(k, lang))}</th>" for k in ("col_rule", "col_amount", "col_criteria", "col_source"))
    not_applicable = "；".join(f"{escape(r.name)}：{escape(r.reason)}（{escape(r.citation.text)}）"
                              for r in result.not_applicable) if lang != "en" else "; ".join(
        f"{escape(r.name)}: {escape(r.reason)} ({escape(r.citation.text)})" for r in result.not_applicable)
    working = "".join(f"<li>{escape(w)}</li>" for w in answer.working)
    sources = "".join(f"<li>{escape(s.title)} {escape(s.locator)}</li>" for s in answer.sources)
    title = f"{_t('brand', lang)} · {_t('title', lang)}"
    parts = [
        f'<!doctype html><html lang="{"en" if lang == "en" else "zh-CN"}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{escape(title)}</title>'
        f"<style>{BRIEF_CSS}</style></head><body>",
        f"<h1>{escape(title)}</h1><p class=meta>{escape(_t('made', lang))}: {made.isoformat()}</p>",
        f'<p class="hint">{escape(_t("print", lang))}</p>',
        f"<h2>{escape(_t('profile', lang))}</h2><p>{escape(profile_line(profile, lang))}</p>",
        f"<h2>{escape(_t('summary', lang))}</h2><div class=zst-answer>{answer_markup(_overview(answer.answer))}</div>",
        f"<h2>{escape(_t('rules', lang))}</h2><table>{_COLUMNS}<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody>"
        "</table>",
    ]
    if not_applicable:
        parts.append(f"<h2>{escape(_t('not_applicable', lang))}</h2><p class=small>{not_applicable}</p>")
    if working:
        parts.append(f"<h2>{escape(_t('working', lang))}</h2><ol class='small cols'>{working}</ol>")
    if sources:
        parts.append(f"<h2>{escape(_t('sources', lang))}</h2><ol class='small cols'>{sources}</ol>")
    parts.append(f"<footer>{escape(_t('sample' if result.sample else 'note', lang))}</footer></body></html>")
    return "".join(parts)


def brief_filename(lang: str) -> str:
    return "investment-brief.html" if lang == "en" else "touzi-jianbao.html"
