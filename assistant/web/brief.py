"""The investment brief: a match result as one printable HTML page (one A4 sheet when printed, a print
stylesheet; the browser's "Save as PDF" makes the PDF). The investor downloads it; a lead keeps a copy, so the
project manager starts from what the investor saw.

One page: the profile, the result's totals and costs, one table row per rule that may apply (its amount, what it
waits on, a [n] to its source), one line per rule that does not apply (its first unmet condition), the working
without the lines the table already states, and the sources grouped by document. A long result prints denser.

No PDF is made on the server: no library the project keeps renders Chinese well (fpdf2, a test dependency,
would need a CJK font file shipped and lays out no HTML). The summary goes through the shared answer
renderer (markup.answer_markup); every other text is escaped."""

from __future__ import annotations

import re
from datetime import date
from html import escape
from pathlib import Path
from typing import Any

from assistant.chat_types import Answer
from assistant.matching import MatchResult, RuleMatch, amount_text, profile_line, summarise
from assistant.web.markup import answer_markup
from assistant.web.sources import SourceFiles

_TEXT = {
    "title": ("投资简报", "Investment brief"),
    "brand": ("筑商通 · 贵阳贵安投资助手", "Invest Guiyang Assistant"),
    "made": ("生成日期", "Made on"),
    "profile": ("企业情况", "Profile"),
    "summary": ("匹配结果", "Match"),
    "count": ("共 {n} 项政策可能适用：✓ 条件已满足 {met} 项，? 待确认 {open} 项；{out} 项不适用。",
              "{n} incentives may apply: ✓ every condition met {met}, ? to confirm {open}; {out} do not apply."),
    "rules": ("可能适用的政策", "Incentives that may apply"),
    "col_rule": ("政策 [出处]", "Incentive [source]"), "col_amount": ("估算金额", "Estimate"),
    "col_criteria": ("条件（✓ 满足 ? 待补充）", "Conditions (✓ met, ? to provide)"),
    "until": ("至", "until"),
    "to_provide": ("待补充的信息（表中字母）", "Still to provide (letters in the table)"),
    "not_applicable": ("不适用的政策（{n} 项）", "Incentives that do not apply ({n})"),
    "working": ("计算过程", "Working"),
    "sources": ("出处", "Sources"),
    "sample": ("标注【示例数据】的数值为示例数据，以主管部门最新发布为准。本简报为测算参考，不构成承诺。",
               "Figures marked [sample data] are sample data; the latest official publications prevail. This brief "
               "is an estimate, not a commitment."),
    "note": ("本简报为测算参考，不构成承诺；以主管部门最新发布为准。",
             "This brief is an estimate, not a commitment; the latest official publications prevail."),
    "print": ("打印或另存为 PDF：按 Ctrl+P（Mac：⌘P），一页 A4。", "To print or save as PDF: press Ctrl+P (Mac: ⌘P); one A4 page."),
}
_COLUMNS = "".join(f"<col style='width:{w}%'>" for w in (40, 33, 27)).join(("<colgroup>", "</colgroup>"))
_SAMPLE_NOTE = re.compile(r"^[（(](?:注：|Includes sample data)")
# A result longer than this (characters of its working and table) prints denser, to stay on one sheet.
DENSE_AT, DENSER_AT = 2900, 3400

BRIEF_CSS = """
*{box-sizing:border-box}
body{font:10pt/1.45 system-ui,"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;color:#1f2329;
 max-width:190mm;margin:12px auto;padding:0 10px}
h1{font-size:14pt;margin:0;color:#b3262d;display:inline}.meta{color:#4b5563;font-size:9pt;margin-left:8px}
h2{font-size:10.5pt;margin:8px 0 3px;border-bottom:1px solid #d9dee7}
.hint{background:#f6f7f9;padding:4px 8px;border-radius:4px;font-size:9pt;margin:4px 0}
.zst-answer p{margin:0 0 3px}.zst-answer ul{margin:2px 0;padding-left:1.3em}.zst-cite{font-size:.75em;color:#4b5563}
table{border-collapse:collapse;width:100%;font-size:8.5pt}th,td{border:1px solid #d9dee7;padding:1px 4px;
 text-align:left;vertical-align:top}th{background:#f6f7f9}
ul.out{list-style:none;padding:0;margin:2px 0;columns:2;column-gap:12px;font-size:8pt}
ul.out li{white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
ul.asks{list-style:none;padding:0;margin:2px 0;columns:2;column-gap:12px;font-size:8pt}ul.asks li{break-inside:avoid}
ol.small{font-size:8pt;color:#374151;margin:2px 0;padding-left:1.6em;columns:2;column-gap:16px}
ol.small li{break-inside:avoid}.muted{color:#6b7280;font-size:.9em}.sample{color:#7a4b00}
p.profile{margin:0 0 2px;font-size:9pt}footer{margin-top:6px;font-size:8pt;color:#4b5563}
@page{size:A4;margin:8mm 9mm}
@media print{body{margin:0;max-width:none;padding:0;font-size:7.5pt;line-height:1.25}th,td{padding:0 3px}.hint{display:none}
 h1{font-size:12pt}.meta{font-size:7.5pt}h2{font-size:8.5pt;margin:4px 0 2px;break-after:avoid}
 p.profile{font-size:7pt}table{font-size:7pt}ul.out{font-size:6.5pt}ol.small{font-size:6.5pt;line-height:1.25}
 ul.asks{font-size:6.5pt}footer{font-size:6.5pt;margin-top:3px}tr{break-inside:avoid}a{color:inherit;text-decoration:none}
 body.dense{font-size:7pt;line-height:1.18}body.dense table{font-size:6.5pt}
 body.dense ol.small{font-size:6pt;line-height:1.15}body.dense ul.out,body.dense ul.asks{font-size:6pt}
 body.denser{line-height:1.12}body.denser table{font-size:6.2pt}body.denser ol.small{font-size:5.6pt}
 body.denser h2{margin:2px 0 1px}}
"""


def _t(key: str, lang: str, **values: Any) -> str:
    zh, en = _TEXT[key]
    return (en if lang == "en" else zh).format(**values)


def _asks(rule: RuleMatch) -> list[str]:
    """What a rule still waits on: each unknown condition's ask, then what its amount needs."""
    asks = [c.ask or c.text for c in rule.criteria if c.fact != "valid" and c.status == "unknown"]
    if rule.amount and rule.amount.ask and rule.amount.value_yuan is None and rule.amount.low_yuan is None:
        asks.append(rule.amount.ask)
    return list(dict.fromkeys(asks))


def _label(n: int) -> str:
    return chr(ord("A") + n % 26) + (str(n // 26) if n >= 26 else "")


def _criteria(rule: RuleMatch, labels: dict[str, str], lang: str) -> str:
    """Compact: how many conditions are met, then the letters of what is still to provide (listed once below)."""
    met = sum(c.status == "met" for c in rule.criteria if c.fact != "valid")
    items = [f"✓ {met}" + (" met" if lang == "en" else " 项满足")] if met else []
    if asks := _asks(rule):
        items.append("? " + ("、" if lang != "en" else ", ").join(labels[a] for a in asks))
    return " · ".join(items)


def _until(rule: RuleMatch, lang: str) -> str:
    """The end of its validity, when it has one (the start is in the rules and the source)."""
    return f" <span class=muted>({_t('until', lang)} {escape(rule.valid_to)})</span>" if rule.valid_to else ""


def _unmet(rule: RuleMatch, lang: str) -> str:
    """Why a rule does not apply, in one line: its first unmet condition and what the profile states."""
    c = next((c for c in rule.criteria if c.status == "not_met"), None)
    if c is None:
        return rule.reason
    value = f"（{c.value}）" if c.value and lang != "en" else f" ({c.value})" if c.value else ""
    return ("✗ " + c.text + value) if lang != "en" else f"✗ {c.text}{value}"


def _overview(text: str) -> str:
    """The answer without its head (the profile, stated above), its rule lines (the table states them in full) and
    the pointer to this brief: the total, costs, parks and the question."""
    body = [line for line in text.splitlines()[1:] if not line.startswith(("- ", "**"))]
    return "\n".join(line for line in body if "投资简报" not in line and "the brief" not in line
                     and not _SAMPLE_NOTE.match(line))  # the footer says it


def _working(answer: Answer, result: MatchResult) -> list[str]:
    """The answer's working, one item per rule that has an amount, per cost and for the total: "its amount — step；
    step", without what the overview says (the parks) or the per-rule lines of the total (the table states them)."""
    heads = {r.name for r in result.rules} | {c.subject for c in result.costs}
    groups: list[list[str]] = []
    seen: set[str] = set()
    for line in answer.working[1:]:  # the first line counts the rules, as the overview does
        head = line.split("：")[0].split(": ")[0]
        if line.startswith(("可选园区与厂房", "Parks and factories to consider")):
            continue
        if head in heads and not any(ch in line.removeprefix(head) for ch in "=×"):
            if head not in seen:  # a rule's or a cost's amount opens its group; the total's line for it is skipped
                seen.add(head)
                groups.append([line])
            continue
        if line.startswith(("第一年合计", "First-year total")) or not groups:
            groups.append([line])
        elif line not in groups[-1]:
            groups[-1].append(line)
    sep = "；" if result.lang != "en" else "; "
    return [group[0] + (" — " + sep.join(group[1:]) if len(group) > 1 else "") for group in groups]


def _width(lines: list[str]) -> float:
    """How wide the lines print, in CJK characters (a Latin letter or digit is about half of one)."""
    return sum(sum(1.0 if ord(ch) > 0x2E80 else 0.55 for ch in line) for line in lines)


def _sources(answer: Answer, lang: str, files: SourceFiles) -> str:
    """The sources grouped by document, each locator with its [n]: "《…若干措施》[13] 第十条 · [14] 第三条"; in
    English the document's English title and "Article 10" (sources.SourceFiles names them)."""
    groups: dict[str, list[str]] = {}
    for n, s in enumerate(answer.sources, start=1):
        title = files.title_for(s.title, s.doc_id, lang) if lang == "en" else s.title
        groups.setdefault(title, []).append(f"[{n}] {escape(files.locator_for(s.locator, lang))}")
    return "".join(f"<li>{escape(title)} {' · '.join(items)}</li>" for title, items in groups.items())


def brief_html(result: MatchResult, answer: Answer, profile: dict[str, Any], made: date | None = None,
               files: SourceFiles | None = None) -> str:
    """The whole brief, one HTML document. ``answer``: the match's chat answer (its text, sources and working),
    so the brief states exactly what the investor was told. ``files``: the served index's (its documents'
    English titles); without them an English brief gives places in English and Chinese titles in pinyin."""
    files = files or SourceFiles(Path(), frozenset())
    lang = result.lang
    made = made or date.today()
    # The answer's sources are the summary's citations, in the same order: [n] here is [n] there.
    numbers = {c.text: n for n, c in enumerate(summarise(result, profile).citations, start=1)}
    sample_mark = f' <span class="sample">{"[sample data]" if lang == "en" else "【示例数据】"}</span>'
    # Each thing to provide once, lettered; a row names its letters.
    labels = {a: _label(i) for i, a in enumerate(dict.fromkeys(a for r in result.rules for a in _asks(r)))}
    rows = []
    for rule in result.rules:
        n = numbers.get(rule.citation.text, 0)
        mark = "✓" if rule.status == "eligible" else "?"
        cite = f" <span class=zst-cite>[{n}]</span>" if n else ""
        rows.append(f"<tr><td>{mark} {escape(rule.name)}{sample_mark if rule.sample else ''}{cite}{_until(rule, lang)}"
                    f"</td><td>{escape(amount_text(rule.amount, lang))}</td><td>{_criteria(rule, labels, lang)}</td></tr>")
    head = "".join(f"<th>{escape(_t(k, lang))}</th>" for k in ("col_rule", "col_amount", "col_criteria"))
    out = "".join(f"<li>{escape(r.name)} — {escape(_unmet(r, lang))}</li>" for r in result.not_applicable)
    working = _working(answer, result)
    steps = "".join(f"<li>{escape(w)}</li>" for w in working)
    met = sum(r.status == "eligible" for r in result.rules)
    count = _t("count", lang, n=len(result.rules), met=met, open=len(result.rules) - met, out=len(result.not_applicable))
    size = _width(working) + _width(list(labels)) + 40 * len(result.rules) + 30 * len(result.not_applicable)
    density = " class='dense denser'" if size > DENSER_AT else " class=dense" if size > DENSE_AT else ""
    title = f"{_t('brand', lang)} · {_t('title', lang)}"
    parts = [
        f'<!doctype html><html lang="{"en" if lang == "en" else "zh-CN"}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{escape(title)}</title>'
        f"<style>{BRIEF_CSS}</style></head><body{density}>",
        f"<h1>{escape(title)}</h1><span class=meta>{escape(_t('made', lang))}: {made.isoformat()}</span>",
        f'<p class="hint">{escape(_t("print", lang))}</p>',
        f"<h2>{escape(_t('profile', lang))}</h2><p class=profile>{escape(profile_line(profile, lang))}</p>",
        f"<h2>{escape(_t('summary', lang))}</h2><div class=zst-answer><p>{escape(count)}</p>"
        f"{answer_markup(_overview(answer.answer))}</div>",
    ]
    if rows:
        parts.append(f"<h2>{escape(_t('rules', lang))}</h2><table>{_COLUMNS}<thead><tr>{head}</tr></thead>"
                     f"<tbody>{''.join(rows)}</tbody></table>")
    if labels:
        asks = "".join(f"<li><b>{label}</b> {escape(ask)}</li>" for ask, label in labels.items())
        parts.append(f"<h2>{escape(_t('to_provide', lang))}</h2><ul class=asks>{asks}</ul>")
    if out:
        parts.append(f"<h2>{escape(_t('not_applicable', lang, n=len(result.not_applicable)))}</h2><ul class=out>{out}</ul>")
    if steps:
        parts.append(f"<h2>{escape(_t('working', lang))}</h2><ol class=small>{steps}</ol>")
    if answer.sources:
        parts.append(f"<h2>{escape(_t('sources', lang))}</h2><ol class=small style='list-style:none;padding-left:0'>"
                     f"{_sources(answer, lang, files)}</ol>")
    parts.append(f"<footer>{escape(_t('sample' if result.sample else 'note', lang))}</footer></body></html>")
    return "".join(parts)


def brief_filename(lang: str) -> str:
    return "investment-brief.html" if lang == "en" else "touzi-jianbao.html"
