"""Judging a rule's criteria against a profile's facts: met, not met, or unknown (and then what to provide).

Generic over the criteria of the rules files: a figure against its bounds, a yes/no fact, a category or an
industry against lists (a list may name an industry group of the rules file). Figures are ranges (profile.py):
a criterion is decided only when the whole range is on one side of its bound.
"""

from __future__ import annotations

import datetime as dt

from assistant.calculators import FACTS, AnyOf, Criterion, CriterionItem, Incentives, num, tr, yuan_and_wan
from assistant.matching.profile import UNKNOWN, Facts
from assistant.matching.result import CriterionResult, Status

_SEP = {"zh": "、", "en": ", "}


def label(fact: str, lang: str) -> str:
    spec = FACTS[fact]
    return spec.en if lang == "en" else spec.zh


def figure(fact: str, value: float, lang: str) -> str:
    """A figure in the fact's unit: yuan with its 万元 form, shares as per cent."""
    spec = FACTS[fact]
    if spec.unit_en == "yuan":
        return yuan_and_wan(value, lang) if value else tr(lang, "0 元", "0 yuan")
    if not spec.unit_en:
        return f"{num(value * 100, 4)}%"
    return f"{num(value, 2)} {spec.unit_en if lang == 'en' else spec.unit_zh}"


def ask_for(fact: str, lang: str) -> str:
    spec = FACTS[fact]
    unit = spec.unit_en if lang == "en" else spec.unit_zh
    unit = {"": "share, 0–1" if lang == "en" else "比例，0–1", "元": "元", "yuan": "yuan"}.get(unit, unit)
    if spec.kind == "flag":
        return tr(lang, f"请说明是否{spec.zh}", f"Say whether: {spec.en}")
    if spec.values:
        named = [spec.value_name(v, lang) for v in spec.values]
        return tr(lang, f"请说明{spec.zh}（{'、'.join(named)}）", f"Give the {spec.en} ({', '.join(named)})")
    if spec.kind == "category":  # open values (industry, park): words, no unit
        return tr(lang, f"请说明{spec.zh}", f"Say the {spec.en}")
    return tr(lang, f"请提供{spec.zh}（{unit}）", f"Give the {spec.en} ({unit})")


def _combine(statuses: list[Status]) -> Status:
    if "not_met" in statuses:
        return "not_met"
    return "unknown" if "unknown" in statuses else "met"


def _number(c: Criterion, facts: Facts, lang: str, article: str) -> CriterionResult:
    fact, note = c.fact, ""
    lo, hi = facts.number(fact)
    if (lo, hi) == UNKNOWN and c.fallback and facts.number(c.fallback) != UNKNOWN:
        lo, hi = facts.number(c.fallback)
        note = tr(lang, f"未提供{label(fact, lang)}，按{label(c.fallback, lang)}估计",
                  f"No {label(fact, lang)} given: judged on the {label(c.fallback, lang)}")
    checks: list[tuple[str, float, Status]] = []
    if c.min is not None:
        checks.append(("≥", c.min, "met" if lo >= c.min else "not_met" if hi < c.min else "unknown"))
    if c.above is not None:
        checks.append((">", c.above, "met" if lo > c.above else "not_met" if hi <= c.above else "unknown"))
    if c.max is not None:
        checks.append(("≤", c.max, "met" if hi <= c.max else "not_met" if lo > c.max else "unknown"))
    text = tr(lang, "，", ", ").join(f"{label(fact, lang)} {op} {figure(fact, bound, lang)}" for op, bound, _ in checks)
    status = _combine([s for *_, s in checks])
    if lo == hi:
        value = figure(fact, lo, lang)
    elif hi != UNKNOWN[1] or lo > 0:
        value = tr(lang, f"{figure(fact, lo, lang)} 至 ", f"{figure(fact, lo, lang)} to ") + (
            figure(fact, hi, lang) if hi != UNKNOWN[1] else tr(lang, "未知", "unknown"))
    else:
        value = ""
    ask = "" if status != "unknown" else _derived_ask(fact, lang) if FACTS[fact].derived else ask_for(fact, lang)
    return CriterionResult(fact=fact, status=status, text=text, value=value, ask=ask, note=note, article=article)


def _derived_ask(fact: str, lang: str) -> str:
    parts = {"investment_per_mu_yuan": ("fixed_asset_investment_yuan", "land_mu"),
             "rd_ratio": ("rd_spend_yuan", "revenue_yuan"),
             "talents.total": ("talents.phd", "talents.master", "talents.bachelor")}.get(fact, ())
    return _SEP[lang].join(ask_for(p, lang) for p in parts) or ask_for(fact, lang)


def _flag(c: Criterion, facts: Facts, lang: str, article: str) -> CriterionResult:
    value = facts.flags.get(c.fact)
    spec = FACTS[c.fact]
    assumed = value is None and spec.unstated is not None
    if assumed:  # a status a company names when it has it: unsaid reads as the spec says, and is marked so
        value = spec.unstated
    text = (tr(lang, spec.zh, spec.en) if c.is_ else tr(lang, f"不是{spec.zh}", f"not: {spec.en}"))
    status: Status = "unknown" if value is None else "met" if value == c.is_ else "not_met"
    shown = "" if value is None else tr(lang, "是" if value else "否", "yes" if value else "no")
    if assumed:
        shown += tr(lang, "（未说明）", " (not stated)")
    ask = ask_for(c.fact, lang) if status == "unknown" else ""
    if status == "not_met" and c.is_ and spec.attainable:
        # Not yet done, but the company can do it (register locally): the rule waits on it, it does not fail.
        status, shown = "unknown", tr(lang, "尚未", "not yet")
        ask = tr(lang, f"须先{spec.zh}（尚未办理）", f"To do first: {spec.en} (not yet)")
    note = tr(lang, f"未说明是否{spec.zh}，按“{shown[:1]}”判断", f"Not stated whether {spec.en}: read as {shown.split()[0]}") \
        if assumed else ""
    return CriterionResult(fact=c.fact, status=status, text=text, value=shown, ask=ask, note=note, article=article)


def _category(c: Criterion, facts: Facts, lang: str, article: str) -> CriterionResult:
    value = facts.categories.get(c.fact)
    name = label(c.fact, lang)
    parts = ([tr(lang, f"{name}为{'、'.join(c.any)}", f"{name} is {' or '.join(c.any)}")] if c.any else []) + \
        ([tr(lang, f"{name}不为{'、'.join(c.none)}", f"{name} is not {' or '.join(c.none)}")] if c.none else [])
    text = tr(lang, "，", ", ").join(parts)
    if value is None:
        ask = ask_for(c.fact, lang)
        if c.fact == "district":
            ask = tr(lang, f"请说明选址区县（本条适用于：{'、'.join(c.any)}）" if c.any else "请说明选址区县",
                     f"Say which district (this rule applies in {', '.join(c.any)})" if c.any else "Say which district")
        return CriterionResult(fact=c.fact, status="unknown", text=text, ask=ask, article=article)
    ok = (not c.any or value in c.any) and value not in c.none
    return CriterionResult(fact=c.fact, status="met" if ok else "not_met", text=text, value=value, article=article)


def _industry(c: Criterion, facts: Facts, rules: Incentives, lang: str, article: str) -> CriterionResult:
    wanted, refused = rules.industry_words(c.any), rules.industry_words(c.none)
    names = {g.id: (g.name_en or g.name) if lang == "en" else g.name for g in rules.industry_groups}
    text = tr(lang, "，", ", ").join(
        ([tr(lang, "行业属于", "industry in ") + _SEP[lang].join(names.get(a, a) for a in c.any)] if c.any else []) +
        ([tr(lang, "行业不属于", "industry not in ") + _SEP[lang].join(names.get(a, a) for a in c.none)] if c.none
         else []))
    raw = facts.industry_text.lower()
    value = facts.industry_text + (tr(lang, f"（{'、'.join(facts.industries)}）", f" ({', '.join(facts.industries)})")
                                   if facts.industries else "")

    def hit(words: tuple[str, ...]) -> bool:
        return any(w in facts.industries or (w.lower() in raw) for w in words)

    def result(status: Status, ask: str = "") -> CriterionResult:
        return CriterionResult(fact="industry", status=status, text=text, value=value, ask=ask, article=article)

    if not raw:
        return result("unknown", ask_for("industry", lang))
    if hit(refused):
        return result("not_met")
    if wanted and hit(wanted):
        return result("met")
    if not wanted and facts.industry_known:
        return result("met")
    unsure = not facts.industry_known or c.unlisted == "unknown"
    confirm = tr(lang, f"请确认行业是否属于：{_SEP[lang].join(names.get(a, a) for a in c.any)}" if c.any else
                 "请用常见说法说明行业（未能识别）",
                 f"Confirm whether the industry is in: {_SEP[lang].join(names.get(a, a) for a in c.any)}" if c.any else
                 "Name the industry in common words (not recognised)")
    return result("unknown", confirm) if unsure else result("not_met")


def judge_one(c: Criterion, facts: Facts, rules: Incentives, lang: str, article: str) -> CriterionResult:
    article = c.article or article
    if c.fact == "industry":
        return _industry(c, facts, rules, lang, article)
    kind = FACTS[c.fact].kind
    if kind == "number":
        return _number(c, facts, lang, article)
    if kind == "flag":
        return _flag(c, facts, lang, article)
    return _category(c, facts, lang, article)


def judge(item: CriterionItem, facts: Facts, rules: Incentives, lang: str, article: str) -> CriterionResult:
    """One criterion, or an any_of group of them (met when one is, not met when none can be)."""
    if isinstance(item, Criterion):
        return judge_one(item, facts, rules, lang, article)
    assert isinstance(item, AnyOf)
    parts = [judge_one(c, facts, rules, lang, item.article or article) for c in item.any_of]
    statuses = [p.status for p in parts]
    status: Status = "met" if "met" in statuses else "unknown" if "unknown" in statuses else "not_met"
    either = tr(lang, "；或 ", "; or ")
    return CriterionResult(
        fact="|".join(p.fact for p in parts), status=status,
        text=tr(lang, "满足其一：", "one of: ") + either.join(p.text for p in parts),
        value=_SEP[lang].join(p.value for p in parts if p.value),
        ask=tr(lang, "或", " or ").join(p.ask for p in parts if p.status == "unknown" and p.ask) if status == "unknown"
        else "", note=_SEP[lang].join(p.note for p in parts if p.note), article=item.article or article)


def validity(valid_from: dt.date | None, valid_to: dt.date | None, today: dt.date, lang: str,
             article: str = "") -> CriterionResult | None:
    """The rule in force on `today`, as a criterion; None when the rule states no dates."""
    if valid_from is None and valid_to is None:
        return None
    span = (tr(lang, f"{valid_from.isoformat()}起", f"from {valid_from.isoformat()}") if valid_from else "") + \
        (tr(lang, f"至{valid_to.isoformat()}", f" until {valid_to.isoformat()}") if valid_to else "")
    ok = (valid_from is None or valid_from <= today) and (valid_to is None or today <= valid_to)
    return CriterionResult(fact="valid", status="met" if ok else "not_met", text=tr(lang, "有效期", "in force ") + span,
                           value=tr(lang, f"今日 {today.isoformat()}", f"today {today.isoformat()}"), article=article)
