"""A match result as a chat answer: the rules that may apply grouped by category, each marked met (✓) or to
confirm (?), its amount and a citation marker [n]; the first-year total, the profile's costs, and one question
for the missing fact most support waits on. Every figure it states is also in ``working`` (the matcher's and
calculators' working), and the profile's own figures come from the visitor: the shared number check holds.
The chat, the form, the brief and the LLM tool all show this same text."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assistant.calculators import FACTS, num, tr
from assistant.matching.criteria import ask_for
from assistant.matching.extract import PROFILE_FACTS, stated
from assistant.matching.render import _BASIS, _CATEGORY, _pick, _yuan
from assistant.matching.result import Amount, Citation, MatchResult, RuleMatch

CATEGORY_ORDER = ("land", "power", "factory_rent", "talent", "tax", "awards")


@dataclass
class Summary:
    text: str  # Markdown lines; [n] cites citations[n-1]
    citations: list[Citation] = field(default_factory=list)
    working: list[str] = field(default_factory=list)
    ask_fact: str = ""  # the fact the closing question asks for ('' when none)
    sample: bool = False


def fact_of_ask(ask: str, lang: str) -> str:
    """The profile fact a result's ask is about ("请提供年营业收入（元）" -> revenue_yuan), '' when none is."""
    if ask.startswith(tr(lang, "请说明选址区县", "Say which district")):
        return "district"
    # The ask opens with its first fact's own ask; the longest match first (a label may hold 、 or 或).
    for fact in sorted(PROFILE_FACTS, key=lambda f: -len(ask_for(f, lang))):
        if ask.startswith(ask_for(fact, lang)):
            return fact
    return ""


def _value(fact: str, profile: dict[str, Any], lang: str) -> str:
    value = profile["talents"][fact.split(".", 1)[1]] if fact.startswith("talents.") else profile[fact]
    spec = FACTS[fact]
    if isinstance(value, bool):
        return tr(lang, "是" if value else "否", "yes" if value else "no")
    if isinstance(value, (int, float)):
        unit = spec.unit_en if lang == "en" else spec.unit_zh
        return f"{num(value, 2)} {unit}".strip() if fact != "encouraged_revenue_share" else f"{num(value * 100, 2)}%"
    return tr(lang, "未定", "open") if fact == "district" and value == "open" else spec.value_name(str(value), lang)


def profile_line(profile: dict[str, Any], lang: str) -> str:
    """The profile in words: 行业：…；计划总投资：500,000,000 元；…"""
    parts = [f"{FACTS[f].en if lang == 'en' else FACTS[f].zh}{tr(lang, '：', ': ')}{_value(f, profile, lang)}"
             for f in stated(profile)]
    return tr(lang, "；", "; ").join(parts)


def amount_text(a: Amount | None, lang: str) -> str:
    if a is None:
        return tr(lang, "未测算", "not estimated")
    basis = _pick(_BASIS[a.basis], lang)
    if a.value_yuan is not None:
        text = f"{_yuan(a.value_yuan, lang)}" + tr(lang, f"（{basis}）", f" ({basis})")
        if a.first_year_yuan is not None and a.first_year_yuan != a.value_yuan:
            text += tr(lang, f"，第一年 {_yuan(a.first_year_yuan, lang)}", f", first year {_yuan(a.first_year_yuan, lang)}")
        return text
    if a.low_yuan is not None and a.high_yuan is not None:
        return f"{_yuan(a.low_yuan, lang)} – {_yuan(a.high_yuan, lang)}" + tr(lang, f"（{basis}）", f" ({basis})")
    if a.basis == "in_kind":
        return basis
    return tr(lang, "未测算", "not estimated")


def _rule_line(rule: RuleMatch, n: int, lang: str) -> str:
    mark = "✓" if rule.status == "eligible" else "?"
    sample = tr(lang, "【示例数据】", " [sample data]") if rule.sample or (rule.amount and rule.amount.sample) else ""
    line = f"- {mark} {rule.name}{sample}{tr(lang, '：', ': ')}{amount_text(rule.amount, lang)}"
    if rule.payee == "staff":
        line += tr(lang, "（员工本人领取）", " (paid to staff)")
    if rule.excluded_by:
        line += tr(lang, "；不重复享受，按就高只计一项", "; not combined: only the higher one counts")
    # What it waits on: the first unknown criterion, else what its amount needs (the brief lists them all).
    unknown = [c.ask or c.text for c in rule.criteria if c.status == "unknown"]
    if rule.amount and rule.amount.ask and rule.amount.value_yuan is None and rule.amount.low_yuan is None:
        unknown.append(rule.amount.ask)
    if unknown:
        line += tr(lang, f"；待确认：{unknown[0]}", f"; to confirm: {unknown[0]}")
    return f"{line} [{n}]"


def summarise(result: MatchResult, profile: dict[str, Any], max_rules: int = 30) -> Summary:
    lang = result.lang
    out = Summary("", sample=result.sample)
    numbers: dict[str, int] = {}

    def cite(c: Citation) -> int:
        if c.text not in numbers:
            out.citations.append(c)
            numbers[c.text] = len(out.citations)
        return numbers[c.text]

    eligible = sum(r.status == "eligible" for r in result.rules)
    out.working.append(tr(lang, f"可能适用 {len(result.rules)} 项：条件已满足 {eligible} 项，待确认 "
                                f"{len(result.rules) - eligible} 项；不适用 {len(result.not_applicable)} 项",
                          f"May apply: {len(result.rules)} (met {eligible}, to confirm {len(result.rules) - eligible});"
                          f" do not apply: {len(result.not_applicable)}"))
    lines = [tr(lang, f"按您提供的情况（{profile_line(profile, lang)}），共有 {len(result.rules)} 项政策可能适用"
                      f"（✓ 条件已满足 {eligible} 项，? 待确认 {len(result.rules) - eligible} 项）：",
                f"From what you told us ({profile_line(profile, lang)}), {len(result.rules)} incentives may apply "
                f"(✓ every condition met: {eligible}; ? to confirm: {len(result.rules) - eligible}):")]
    lines += [f"（{n}）" if lang != "en" else f"({n})" for n in result.notes]
    shown = 0
    for category in CATEGORY_ORDER:
        rules = [r for r in result.rules if r.category == category][: max(0, max_rules - shown)]
        if not rules:
            continue
        lines.append(f"**{_pick(_CATEGORY[category], lang)}**")
        for rule in rules:
            lines.append(_rule_line(rule, cite(rule.citation), lang))
            if rule.amount and (rule.amount.value_yuan is not None or rule.amount.low_yuan is not None):
                out.working.append(f"{rule.name}{tr(lang, '：', ': ')}{amount_text(rule.amount, lang)}")
                out.working += rule.amount.working
        shown += len(rules)
    if len(result.rules) > shown:
        more = tr(lang, f"另有 {len(result.rules) - shown} 项见投资简报。", f"{len(result.rules) - shown} more in the brief.")
        lines.append(more)
        out.working.append(more)
    t = result.totals
    lines += ["", tr(lang, f"第一年估算支持合计：{_yuan(t.first_year_yuan, lang)}（其中条件已全部满足的 "
                           f"{_yuan(t.confirmed_yuan, lang)}），计算过程见下。",
                     f"Estimated first-year support: {_yuan(t.first_year_yuan, lang)} (of which every condition met: "
                     f"{_yuan(t.confirmed_yuan, lang)}); the working is below.")]
    out.working += t.working
    costs = [c for c in result.costs if c.value_yuan is not None][:3]
    if costs:
        items = []
        for c in costs:
            period = tr(lang, "每年", "a year") if c.period == "per_year" else tr(lang, "一次性", "one-off")
            sample = tr(lang, "【示例数据】", " [sample data]") if c.sample else ""
            markers = "".join(f"[{cite(x)}]" for x in c.citations)
            items.append(f"{c.subject} {_yuan(c.value_yuan or 0.0, lang)}（{period}）{sample}{markers}" if lang != "en"
                         else f"{c.subject} {_yuan(c.value_yuan or 0.0, lang)} ({period}){sample}{markers}")
            out.working.append(f"{c.subject}{tr(lang, '：', ': ')}{_yuan(c.value_yuan or 0.0, lang)}")
            out.working += c.working
        lines.append(tr(lang, "成本参考：", "Costs for reference: ") + tr(lang, "；", "; ").join(items))
    places = [p.name for p in result.parks] + [f"{p.id} {p.name}" for p in result.factories]
    if places:
        line = tr(lang, "可选园区与厂房：", "Parks and factories to consider: ") + tr(lang, "、", ", ").join(places)
        lines.append(line)
        out.working.append(line)
    if result.not_applicable:
        lines.append(tr(lang, f"另有 {len(result.not_applicable)} 项政策不适用，原因见投资简报。",
                        f"{len(result.not_applicable)} more do not apply; the brief gives the reasons."))
    if result.asks:
        ask = result.asks[0]
        out.ask_fact = fact_of_ask(ask, lang)
        lines += ["", tr(lang, f"还有一项信息对结果影响最大。{ask}。", f"One fact would change this most. {ask}.")]
    out.text = "\n".join(lines)
    return out
