"""The amount of each incentive for a profile, by the existing calculators (their result and working), or for
the generic award kinds by generic.py. A figure the amount needs and the profile lacks is asked for."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from assistant.calculators import (
    GENERIC_KINDS,
    Calculation,
    Incentive,
    RdSuperDeduction,
    RuleSet,
    incentive_estimate,
    land_cost,
    num,
    rent_relief,
    talent,
    tax_saving,
    tr,
    yuan_and_wan,
)
from assistant.calculators import rd_deduction as rd_calc
from assistant.listings import Factory, Park
from assistant.matching.criteria import ask_for
from assistant.matching.generic import generic_amount
from assistant.matching.profile import Facts
from assistant.matching.result import Amount


@dataclass(frozen=True)
class Scene:
    """Where the amounts are priced: the rules, the profile's facts, and the park and factory unit chosen for
    it (the land rebate needs a land price, the rent relief a rent)."""

    rules: RuleSet
    facts: Facts
    park: Park | None
    factory: Factory | None
    lang: str
    land_cap_yuan_mu: float | None = None  # a land price cap that may apply (prices land no park lists a price for)


def from_calc(calc: Calculation, basis: str = "one_off", first_year: float | None = None,
              lines: list[str] | None = None, term: float | None = None) -> Amount:
    """A calculator's result in yuan (its unit may be 万元), with its working and notes."""
    factor = 1e4 if calc.unit in ("万元", "10k yuan") else 1.0
    value = None if calc.result is None else round(calc.result * factor, 2)
    if first_year is None and basis in ("one_off", "per_year"):
        first_year = value
    return Amount(value_yuan=value, first_year_yuan=first_year, basis=basis, term_years=term,  # type: ignore[arg-type]
                  calculator=calc.kind, working=[*calc.working, *(lines or [])], notes=list(calc.notes),
                  sample=calc.sample)


def asking(*facts: str, lang: str, why: str = "") -> Amount:
    return Amount(ask=why or tr(lang, "；", "; ").join(ask_for(f, lang) for f in facts))


def _counts(s: Scene) -> tuple[dict[str, int], list[str]]:
    """Graduates by the talent calculator's degrees; bachelors only those from 双一流 universities (第四条)."""
    f, lang = s.facts, s.lang
    counts = {key: int(v) for key, fact in (("doctorate", "talents.phd"), ("master", "talents.master"),
                                            ("bachelor", "talents.bachelor_double_first_class"))
              if (v := f.point(fact))}
    notes = []
    if f.point("talents.bachelor") and f.point("talents.bachelor_double_first_class") is None:
        notes.append(tr(lang, "未说明本科生中“双一流”高校毕业生人数，本科未计入。",
                        "How many bachelors are from 双一流 universities was not given: bachelors not counted."))
    return counts, notes


def _assumed(s: Scene, subsidy: str) -> float | None:
    """What the bachelors would add were all of them from 双一流 universities, when how many are was not said:
    the calculator's own figure for them, shown as an assumption to confirm, never counted."""
    f = s.facts
    bachelors = f.point("talents.bachelor")
    if not bachelors or f.point("talents.bachelor_double_first_class") is not None:
        return None
    calc = talent(s.rules, s.lang, counts={"bachelor": int(bachelors)}, subsidy=subsidy, double_first_class=True)
    return from_calc(calc).value_yuan


def _with_assumption(amount: Amount, s: Scene, subsidy: str) -> Amount:
    if (extra := _assumed(s, subsidy)) is not None:
        amount.assumed_yuan = extra
        amount.notes.append(tr(s.lang, f"假设本科生均为“双一流”高校全日制毕业生：另加 {num(extra, 2)} 元（未计入，请确认人数）。",
                               f"Assumed all bachelors are full-time 双一流 graduates: {num(extra, 2)} yuan more "
                               "(not counted; confirm how many)."))
        if not amount.ask:
            amount.ask = ask_for("talents.bachelor_double_first_class", s.lang)
    return amount


def _talent(inc: Incentive, s: Scene, subsidy: str) -> Amount:
    counts, notes = _counts(s)
    if not counts:
        return _with_assumption(asking("talents.phd", "talents.master", "talents.bachelor_double_first_class",
                                       lang=s.lang), s, subsidy)
    calc = talent(s.rules, s.lang, counts=counts, subsidy=subsidy, double_first_class=True)
    calc.notes = [n for n in calc.notes if "双一流" not in n] + notes  # only 双一流 bachelors were counted
    if subsidy != "allowance":
        return _with_assumption(from_calc(calc), s, subsidy)
    months = float(getattr(inc, "months", 12))
    value = (calc.result or 0) * 1e4
    first = value * min(12.0, months) / months
    line = tr(s.lang, f"第一年 = {num(value, 2)} 元 × {num(min(12.0, months))} ÷ {num(months)} = {num(first, 2)} 元",
              f"First year = {num(value, 2)} yuan × {num(min(12.0, months))} / {num(months)} = {num(first, 2)} yuan")
    return _with_assumption(from_calc(calc, "over_term", round(first, 2), [line], months / 12), s, subsidy)


def _land_rebate(inc: Incentive, s: Scene) -> Amount:
    f, lang = s.facts, s.lang
    area, per_mu, jobs = f.point("land_mu"), f.point("investment_per_mu_yuan"), f.point("jobs")
    if area is None:
        return asking("land_mu", lang=lang)
    if per_mu is None and jobs is None:
        return asking("fixed_asset_investment_yuan", "jobs", lang=lang)
    cap = s.land_cap_yuan_mu
    if s.park is None and cap is None:
        return Amount(ask=tr(lang, "请说明选址园区（地价按园区参考价测算）", "Say which park (the land price is the park's)"))
    price = None if s.park is not None else cap / s.rules.land.mu_m2  # type: ignore[operator]

    def rebate(investment: float | None, people: float | None) -> Amount:
        return from_calc(land_cost(s.rules, park=s.park, price_yuan_m2=price, area_mu=area, lang=lang, want="rebate",
                                   jobs=None if people is None else int(people),
                                   investment_wan_per_mu=None if investment is None else round(investment / 1e4, 2)))

    amount = rebate(per_mu, jobs)
    if s.park is not None:
        amount.notes.append(tr(lang, f"按{s.park.name}工业用地参考价测算。", f"Priced at {s.park.name_en}'s land price."))
    else:
        amount.notes.append(tr(lang, f"园区未列地价：按价格上限每亩{num(cap or 0)}元测算，返还最多为此数。",
                               f"No listed land price: priced at the cap of {num(cap or 0)} yuan a mu, so at most this."))
    if amount.value_yuan is None:
        amount.ask = tr(lang, "请选择有挂牌地价的园区或提供地价", "Choose a park with a listed land price")
        return amount
    _higher_tier(amount, rebate, inc, per_mu, jobs, lang)
    return amount


def _higher_tier(amount: Amount, rebate: Callable[[float | None, float | None], Amount], inc: Incentive,
                 per_mu: float | None, jobs: float | None, lang: str) -> None:
    """Where one of the two tests is unknown, what its top tier would return (the other test still short of it):
    shown as an assumption to confirm, never counted."""
    tiers = sorted(getattr(inc, "tiers", ()), key=lambda t: -t.rate)
    if not tiers or (per_mu is not None and jobs is not None):
        return
    top = tiers[0]
    best = rebate(top.min_investment_wan_per_mu * 1e4 if per_mu is None else per_mu,
                  top.min_jobs if jobs is None else jobs).value_yuan
    if best is None or amount.value_yuan is None or best <= amount.value_yuan:
        return
    amount.assumed_yuan = best
    test = (tr(lang, f"固定资产投资（不含地价）达到每亩{num(top.min_investment_wan_per_mu)}万元",
               f"fixed-asset investment (excluding land) reaches {num(top.min_investment_wan_per_mu)} 10k yuan a mu")
            if per_mu is None else tr(lang, f"新增就业达到{num(top.min_jobs)}人", f"new jobs reach {num(top.min_jobs)}"))
    amount.notes.append(tr(lang, f"若{test}，按{num(top.rate * 100)}%返还 {num(best, 2)} 元（未计入，请确认）。",
                           f"If {test}: {num(top.rate * 100)}% back, {num(best, 2)} yuan (not counted; confirm)."))
    if not amount.ask:
        amount.ask = ask_for("fixed_asset_investment_yuan" if per_mu is None else "jobs", lang)


def _rent_relief(inc: Incentive, s: Scene) -> Amount:
    area, lang = s.facts.point("factory_m2"), s.lang
    if area is None:
        return asking("factory_m2", lang=lang)
    if s.factory is None or s.factory.rent_yuan_m2_month is None:
        return Amount(ask=tr(lang, "没有匹配的标准厂房租金，请说明租金单价", "No matching factory rent: give the rent"))
    calc = rent_relief(s.rules, lang, area_m2=area, factory=s.factory)
    free, half, rate = getattr(inc, "free_years", 0) * 12, getattr(inc, "half_years", 0) * 12, getattr(inc, "half_rate", 0.5)
    monthly = area * s.factory.rent_yuan_m2_month
    free_n, half_n = min(12, free), max(0, min(12 - free, half))
    first = monthly * free_n + monthly * rate * half_n
    line = tr(lang, f"第一年减免 = {num(monthly, 2)} × {num(free_n)} + {num(monthly, 2)} × {num(rate * 100)}% × {num(half_n)} "
                    f"= {num(first, 2)} 元（按{s.factory.id}租金）",
              f"First-year relief = {num(monthly, 2)} × {num(free_n)} + {num(monthly, 2)} × {num(rate * 100)}% × "
              f"{num(half_n)} = {num(first, 2)} yuan (at {s.factory.id}'s rent)")
    return from_calc(calc, "over_term", round(first, 2), [line], (free + half) / 12)


def _estimate(kind: str, s: Scene, **inputs: Any) -> Calculation:
    return incentive_estimate(s.rules, kind, s.lang, **inputs)


def _milestone(inc: Incentive, s: Scene) -> Amount:
    revenue = s.facts.point("revenue_yuan")
    if revenue is None:
        return asking("revenue_yuan", lang=s.lang)
    return from_calc(_estimate("milestone_award", s, revenue_yi=revenue / 1e8))


def _equipment(inc: Incentive, s: Scene) -> Amount:
    f = s.facts
    kit = f.point("equipment_investment_yuan")
    base = f.point("fixed_asset_investment_yuan")
    base = f.point("investment_yuan") if base is None else base
    if kit is None or base is None:
        return asking(*(["equipment_investment_yuan"] if kit is None else []),
                      *(["fixed_asset_investment_yuan"] if base is None else []), lang=s.lang)
    return from_calc(_estimate("equipment_subsidy", s, equipment_investment_wan=kit / 1e4,
                               fixed_asset_investment_yi=base / 1e8))


def _contribution(inc: Incentive, s: Scene) -> Amount:
    yearly = s.facts.point("local_contribution_yuan")
    if yearly is None:
        return asking("local_contribution_yuan", lang=s.lang)
    calc = _estimate("contribution_return", s, annual_contribution_wan=yearly / 1e4, district=inc.district or None)
    schedule = sorted(getattr(inc, "schedule", ()), key=lambda step: step.from_year)
    minimum = getattr(inc, "min_annual_contribution_wan", 0) * 1e4
    rate = schedule[0].rate if schedule and yearly >= minimum else 0.0
    first = yearly * rate
    line = tr(s.lang, f"第一年 = {num(yearly, 2)} × {num(rate * 100)}% = {num(first, 2)} 元",
              f"First year = {num(yearly, 2)} × {num(rate * 100)}% = {num(first, 2)} yuan")
    term = max((step.to_year for step in schedule), default=1)
    return from_calc(calc, "over_term", round(first, 2), [line], term)


def _tax(inc: Incentive, s: Scene) -> Amount:
    income = s.facts.point("taxable_income_yuan")
    if income is None:
        return asking("taxable_income_yuan", lang=s.lang)
    calc = tax_saving(s.rules, s.lang, taxable_income_wan=income / 1e4)
    amount = from_calc(calc, "per_year")
    if calc.result is None:  # nothing the company can give: a note, not a question to it
        amount.notes.append(tr(s.lang, "规则表未载明一般企业所得税税率，少缴税额未测算。",
                               "The rules hold no standard rate to compare with: the saving is not estimated."))
    return amount


def _rd(inc: Incentive, s: Scene) -> Amount:
    spend = s.facts.point("rd_spend_yuan")
    if spend is None:
        return asking("rd_spend_yuan", lang=s.lang)
    # The general rule (it lists the industries with higher rates) is priced at its own rate; a rule for those
    # industries alone (integrated circuits) at theirs: the same calculator, told the industry.
    industry = "" if isinstance(inc, RdSuperDeduction) and inc.special is not None else s.facts.industry_text
    amount = from_calc(rd_calc(s.rules, s.lang, rd_expense_wan=spend / 1e4, industry=industry), "deduction")
    amount.first_year_yuan = None
    if amount.value_yuan is not None:  # the calculator's total is the expense plus the extra deduction
        amount.extra_yuan = max(0.0, round(amount.value_yuan - spend, 2))  # the total is in 0.01 万元: never below
    amount.notes.append(tr(s.lang, "此为税前扣除额，不是现金，不计入合计。", "A pre-tax deduction, not cash: not in the total."))
    return amount


def _tier(kind: str, fact: str, key: str) -> Callable[[Incentive, Scene], Amount]:
    def estimate(inc: Incentive, s: Scene) -> Amount:
        value = s.facts.categories.get(fact)
        return asking(fact, lang=s.lang) if value is None else from_calc(_estimate(kind, s, **{key: value}))
    return estimate


def _range(low_wan: float, high_wan: float, per: str | None, inc: Incentive, s: Scene) -> Amount:
    count = s.facts.point(per) if per else 1.0
    lang = s.lang
    each = tr(lang, f"{inc.name}：每人 {yuan_and_wan(low_wan * 1e4, lang)} 至 {yuan_and_wan(high_wan * 1e4, lang)}",
              f"{inc.name_en or inc.name}: {yuan_and_wan(low_wan * 1e4, lang)} to {yuan_and_wan(high_wan * 1e4, lang)}"
              + (" each" if per else "")) if per else \
        tr(lang, f"{inc.name}：{yuan_and_wan(low_wan * 1e4, lang)} 至 {yuan_and_wan(high_wan * 1e4, lang)}，视情况确定",
           f"{inc.name_en or inc.name}: {yuan_and_wan(low_wan * 1e4, lang)} to {yuan_and_wan(high_wan * 1e4, lang)}, "
           "decided case by case")
    working = [each]
    n = count or 0
    if per and count:
        working.append(f"{num(low_wan * 1e4)} × {num(n)} = {num(low_wan * 1e4 * n)}；"
                       f"{num(high_wan * 1e4)} × {num(n)} = {num(high_wan * 1e4 * n)} " + tr(lang, "元", "yuan"))
    scale = n if per else 1.0
    return Amount(low_yuan=low_wan * 1e4 * scale if count else None, high_yuan=high_wan * 1e4 * scale if count else None,
                  basis="range", calculator="range", working=working, sample=inc.sample,
                  ask=ask_for(per, lang) if per and count is None else "")


def _in_kind(zh: str, en: str) -> Callable[[Incentive, Scene], Amount]:
    def describe(inc: Incentive, s: Scene) -> Amount:
        values = {k: num(v) for k, v in inc.model_dump().items() if isinstance(v, int | float) and not isinstance(v, bool)}
        return Amount(basis="in_kind", calculator="in_kind", working=[tr(s.lang, zh, en).format(**values)],
                      sample=inc.sample)
    return describe


ESTIMATORS: dict[str, Callable[[Incentive, Scene], Amount]] = {
    "land_rebate": _land_rebate, "rent_relief": _rent_relief, "milestone_award": _milestone,
    "equipment_subsidy": _equipment, "contribution_return": _contribution, "tax_rate": _tax,
    "rd_super_deduction": _rd,
    "talent_settlement": lambda inc, s: _talent(inc, s, "settlement"),
    "talent_allowance": lambda inc, s: _talent(inc, s, "allowance"),
    "hiring_subsidy": lambda inc, s: _talent(inc, s, "hiring"),
    "rd_centre_award": _tier("rd_centre_award", "rd_centre_level", "level"),
    "listing_award": _tier("listing_award", "listing_board", "board"),
    "upgrade_award": _tier("upgrade_award", "firm_size", "size"),
    "foreign_rd_institute": lambda inc, s: _range(getattr(inc, "min_wan", 0), getattr(inc, "max_wan", 0), None, inc, s),
    "home_purchase_subsidy": lambda inc, s: _range(getattr(inc, "min_wan", 0), getattr(inc, "max_wan", 0),
                                                   "talents.high_level", inc, s),
    "graduate_rent_subsidy": lambda inc, s: _range(getattr(inc, "min_yuan", 0) / 1e4, getattr(inc, "max_yuan", 0) / 1e4,
                                                   "talents.total", inc, s),
    "guide_fund": _in_kind("规模 {size_yi} 亿元的产业引导基金以参股子基金、直接投资等方式支持，属股权投资，不是补助",
                           "A {size_yi} (100m yuan) guide fund invests through sub-funds or directly: equity, not a grant"),
    "temporary_accommodation": _in_kind("人才驿站最长 {max_days} 天免费住宿（求职者本人）",
                                        "Up to {max_days} days' free stay at a talent station (job-seekers)"),
    "talent_apartment": _in_kind("人才公寓前 {free_years} 年免租金，之后 {lowest_rent_years} 年按最低租金",
                                 "Talent apartment rent-free for {free_years} years, then {lowest_rent_years} at the "
                                 "lowest rent"),
}


def amount_for(inc: Incentive, s: Scene) -> Amount | None:
    """The incentive's amount for the scene; None for a kind no estimator knows (reported as such)."""
    if isinstance(inc, GENERIC_KINDS):
        return generic_amount(inc, s.facts, s.lang)
    estimate = ESTIMATORS.get(inc.kind)
    if estimate is None:
        return None
    try:
        return estimate(inc, s)
    except (ValueError, KeyError) as exc:  # a calculator refusing its inputs (an unknown voltage, a district)
        return Amount(ask=str(exc).strip("'\""))
