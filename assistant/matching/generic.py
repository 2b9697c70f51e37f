"""Amounts of the generic award kinds (schema/awards.py): fixed, rate × base with a cap, tiers, per unit, range.

A price cap and support in kind are stated, never counted as support. A rules file adds an incentive of one of
these shapes without code: its figures come from the file, the
profile's from the facts, and every step is a working line."""

from __future__ import annotations

from assistant.calculators import (
    FACTS,
    AmountRange,
    FixedAmount,
    Incentive,
    InKind,
    PerUnit,
    PriceCap,
    RateOfBase,
    Tiered,
    num,
    pct,
    tr,
)
from assistant.matching.criteria import ask_for, figure, label
from assistant.matching.profile import Facts
from assistant.matching.result import Amount


def _yuan(value: float, lang: str) -> str:
    return f"{num(value, 2)} " + tr(lang, "元", "yuan")


def _name(inc: Incentive, lang: str) -> str:
    return (inc.name_en or inc.name) if lang == "en" else inc.name


def _capped(raw: float, cap: float | None, lang: str, working: list[str]) -> float:
    if cap is not None and raw > cap:
        working.append(tr(lang, f"超过上限，按 {_yuan(cap, lang)} 计", f"Above the cap: {_yuan(cap, lang)}"))
        return cap
    return raw


def _spread(inc: Incentive, each: float, years: int, working: list[str], lang: str) -> Amount:
    """An amount paid once (years 1) or each year for `years` years."""
    if years > 1:
        total = each * years
        working.append(tr(lang, f"{years} 年合计 = {_yuan(each, lang)} × {years} = {_yuan(total, lang)}",
                          f"{years} years = {_yuan(each, lang)} × {years} = {_yuan(total, lang)}"))
        return Amount(value_yuan=round(total, 2), first_year_yuan=round(each, 2), basis="over_term", term_years=years,
                      calculator=inc.kind, working=working, sample=inc.sample)
    return Amount(value_yuan=round(each, 2), first_year_yuan=round(each, 2), basis="one_off", term_years=1,
                  calculator=inc.kind, working=working, sample=inc.sample)


def _fixed(inc: FixedAmount, facts: Facts, lang: str) -> Amount:
    working = [f"{_name(inc, lang)}: {_yuan(inc.amount_yuan, lang)}" + (tr(lang, "/年", " a year") if inc.years > 1 else "")]
    return _spread(inc, inc.amount_yuan, inc.years, working, lang)


def _rate(inc: RateOfBase, facts: Facts, lang: str) -> Amount:
    base = facts.point(inc.base)
    if base is None:
        return Amount(ask=ask_for(inc.base, lang), calculator=inc.kind)
    raw = base * inc.rate
    working = [f"{label(inc.base, lang)} {figure(inc.base, base, lang)} × {pct(inc.rate)} = {_yuan(raw, lang)}"]
    return _spread(inc, _capped(raw, inc.cap_yuan, lang, working), inc.years, working, lang)


def _tiered(inc: Tiered, facts: Facts, lang: str) -> Amount:
    numeric = inc.tiers[0].min is not None
    if numeric:
        value = facts.point(inc.by)
        reached = [t for t in inc.tiers if value is not None and t.min is not None and value >= t.min]
        tier = max(reached, key=lambda t: t.min or 0.0, default=None)
        shown = None if value is None else figure(inc.by, value, lang)
    else:
        cat = facts.categories.get(inc.by)
        value = None if cat is None else 0.0
        tier = next((t for t in inc.tiers if cat is not None and t.equals == cat), None)
        shown = cat
    if value is None:
        return Amount(ask=ask_for(inc.by, lang), calculator=inc.kind)
    if tier is None:
        line = tr(lang, f"{label(inc.by, lang)} {shown} 未达到任何一档：0 元",
                  f"{label(inc.by, lang)} {shown} reaches no tier: 0 yuan")
        return _spread(inc, 0.0, 1, [line], lang)
    reach = f"≥ {figure(inc.by, tier.min, lang)}" if tier.min is not None else f"= {tier.equals}"
    head = tr(lang, f"{label(inc.by, lang)} {shown}，达到“{tier.label or reach}”档",
              f"{label(inc.by, lang)} {shown} reaches the tier {tier.label or reach}")
    if tier.amount_yuan is not None:
        raw = tier.amount_yuan
        working = [f"{head}: {_yuan(raw, lang)}"]
    else:
        base = facts.point(inc.base) if inc.base else None
        if base is None or inc.base is None or tier.rate is None:
            return Amount(ask=ask_for(inc.base or inc.by, lang), calculator=inc.kind)
        raw = base * tier.rate
        working = [head, f"{label(inc.base, lang)} {figure(inc.base, base, lang)} × {pct(tier.rate)} = {_yuan(raw, lang)}"]
    return _spread(inc, _capped(raw, inc.cap_yuan, lang, working), inc.years, working, lang)


def _per_unit(inc: PerUnit, facts: Facts, lang: str) -> Amount:
    count = facts.point(inc.per)
    if count is None:
        return Amount(ask=ask_for(inc.per, lang), calculator=inc.kind)
    each = inc.amount_yuan * (inc.months or 1)
    working = []
    if inc.months:
        working.append(tr(lang, f"每单位 = {_yuan(inc.amount_yuan, lang)}/月 × {inc.months} 个月 = {_yuan(each, lang)}",
                          f"Each = {_yuan(inc.amount_yuan, lang)}/month × {inc.months} months = {_yuan(each, lang)}"))
    raw = each * count
    working.append(f"{_yuan(each, lang)} × {label(inc.per, lang)} {figure(inc.per, count, lang)} = {_yuan(raw, lang)}")
    total = _capped(raw, inc.cap_yuan, lang, working)
    if not inc.months or inc.months <= 12:
        return Amount(value_yuan=round(total, 2), first_year_yuan=round(total, 2), basis="one_off", term_years=1,
                      calculator=inc.kind, working=working, sample=inc.sample)
    first = total * 12 / inc.months
    working.append(tr(lang, f"第一年 = {_yuan(total, lang)} × 12 ÷ {inc.months} = {_yuan(first, lang)}",
                      f"First year = {_yuan(total, lang)} × 12 / {inc.months} = {_yuan(first, lang)}"))
    return Amount(value_yuan=round(total, 2), first_year_yuan=round(first, 2), basis="over_term",
                  term_years=inc.months / 12, calculator=inc.kind, working=working, sample=inc.sample)


def _range(inc: AmountRange, facts: Facts, lang: str) -> Amount:
    count = facts.point(inc.per) if inc.per else 1.0
    if count is None:
        return Amount(ask=ask_for(inc.per or "", lang), calculator=inc.kind)
    low, high = inc.min_yuan * count, inc.max_yuan * count
    working = [tr(lang, f"{_name(inc, lang)}：{_yuan(inc.min_yuan, lang)} 至 {_yuan(inc.max_yuan, lang)}",
                  f"{_name(inc, lang)}: {_yuan(inc.min_yuan, lang)} to {_yuan(inc.max_yuan, lang)}")
               + (f" × {num(count)} = {_yuan(low, lang)} – {_yuan(high, lang)}" if inc.per else "")]
    return Amount(low_yuan=low, high_yuan=high, basis="range", calculator=inc.kind, working=working, sample=inc.sample)


def _price_cap(inc: PriceCap, facts: Facts, lang: str) -> Amount:
    count = facts.point(inc.per)
    if count is None:
        return Amount(ask=ask_for(inc.per, lang), calculator=inc.kind)
    most = inc.max_yuan * count
    working = [tr(lang, f"{_name(inc, lang)}：每{FACTS[inc.per].unit_zh}不高于 {_yuan(inc.max_yuan, lang)}",
                  f"{_name(inc, lang)}: at most {_yuan(inc.max_yuan, lang)} per {FACTS[inc.per].unit_en}"),
               tr(lang, f"最多支付 = {_yuan(inc.max_yuan, lang)} × {figure(inc.per, count, lang)} = {_yuan(most, lang)}",
                  f"At most = {_yuan(inc.max_yuan, lang)} × {figure(inc.per, count, lang)} = {_yuan(most, lang)}")]
    return Amount(value_yuan=round(most, 2), basis="cap", calculator=inc.kind, working=working, sample=inc.sample)


def _in_kind(inc: InKind, lang: str) -> Amount:
    return Amount(basis="in_kind", calculator=inc.kind, working=[(inc.text_en or inc.text) if lang == "en" else inc.text],
                  sample=inc.sample)


def generic_amount(inc: Incentive, facts: Facts, lang: str) -> Amount:
    if isinstance(inc, FixedAmount):
        return _fixed(inc, facts, lang)
    if isinstance(inc, RateOfBase):
        return _rate(inc, facts, lang)
    if isinstance(inc, Tiered):
        return _tiered(inc, facts, lang)
    if isinstance(inc, PerUnit):
        return _per_unit(inc, facts, lang)
    if isinstance(inc, AmountRange):
        return _range(inc, facts, lang)
    if isinstance(inc, PriceCap):
        return _price_cap(inc, facts, lang)
    if isinstance(inc, InKind):
        return _in_kind(inc, lang)
    raise TypeError(f"not a generic award kind: {inc.kind}")
