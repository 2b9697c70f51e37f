"""Power bill, land cost and incentive estimates that show their working and cite the rules they used.

Every figure comes from the RuleSet (corpus/rules/*.yaml and listings/parks.csv), never from this file.
Working lines print numbers as plain digits (thousands separators allowed) so answers can be checked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from assistant.calculators.base import Calculation, round_price, unique, yi_en
from assistant.calculators.base import money_calc as _money_calc
from assistant.calculators.base import num as _n
from assistant.calculators.base import tr as _t
from assistant.calculators.rent import rent_cost, rent_relief
from assistant.calculators.rules import RuleSet
from assistant.calculators.schema import (
    BoardTier,
    ContributionReturn,
    EquipmentSubsidy,
    LandRebate,
    LevelTier,
    ListingAward,
    MilestoneAward,
    RdCentreAward,
    SizeTier,
    Source,
    UpgradeAward,
)
from assistant.calculators.talent import talent
from assistant.calculators.tax import rd_deduction, tax_saving
from assistant.listings import Park

__all__ = ["Calculation", "energy_prices", "incentive_estimate", "land_cost", "power_bill", "round_price"]

PERIOD_NAMES = {"peak": ("高峰", "peak"), "flat": ("平段", "flat"), "valley": ("低谷", "valley")}


def _p3(value: float) -> str:
    return f"{value:.3f}"


# ---------- electricity ----------

def energy_prices(rules: RuleSet, voltage: str = "10kV") -> dict[str, float]:
    """All-in energy price per period: (proxy + line loss + T&D energy) × ratio + non-floating funds."""
    t = rules.tariffs
    base = t.proxy_purchase.price_yuan_kwh + t.line_loss.price_yuan_kwh + t.two_part.level(voltage).energy_yuan_kwh
    tou = t.time_of_use
    return {p: round_price(base * r + tou.non_floating_yuan_kwh) for p, r in tou.ratios.items()}


def power_bill(rules: RuleSet, voltage: str = "10kV", kwh_total: float | None = None,
               kwh_by_period: dict[str, float] | None = None, max_demand_kw: float | None = None,
               transformer_kva: float | None = None, lang: str = "zh") -> Calculation:
    t, notes = rules.tariffs, []
    level, tou = t.two_part.level(voltage), t.time_of_use
    if kwh_by_period:
        unknown = set(kwh_by_period) - set(tou.ratios)
        if unknown:
            raise ValueError(f"unknown time-of-use periods: {sorted(unknown)}")
        usage = {p: float(v) for p, v in kwh_by_period.items() if v}
    elif kwh_total is not None:
        usage = {"flat": float(kwh_total)}
        notes.append(_t(lang, "未提供分时段电量，全部按平段电价计算。", "No time-of-use split given: all kWh priced at flat."))
    else:
        raise ValueError("give kwh_total or kwh_by_period")
    prices = energy_prices(rules, voltage)
    pp, ll, en_, funds = (t.proxy_purchase.price_yuan_kwh, t.line_loss.price_yuan_kwh, level.energy_yuan_kwh,
                          tou.non_floating_yuan_kwh)
    parts = f"({_n(pp)} + {_n(ll)} + {_n(en_)})"
    working = [_t(lang, f"到户电度电价（{level.voltage}）=（代理购电价格 + 线损及系统运行费用 + 输配电量电价）× 分时系数 + "
                        f"政府性基金及附加（不浮动）；单价四舍五入保留3位小数",
                  f"Energy price ({level.voltage}) = (proxy purchase + line loss & operation + T&D energy) × "
                  f"time-of-use ratio + government funds (not floating); unit prices rounded to 3 decimals")]
    for period in [p for p in ("flat", "peak", "valley") if p in usage or p == "flat"]:
        name = PERIOD_NAMES[period][lang == "en"]
        working.append(f"{name}: {parts} × {_n(tou.ratios[period])} + {_n(funds)} = {_p3(prices[period])} "
                       + _t(lang, "元/kWh", "yuan/kWh"))
    energy = 0.0
    for period, kwh in usage.items():
        cost = kwh * prices[period]
        energy += cost
        product = f"{_n(kwh)} kWh × {_p3(prices[period])} = {_n(cost, 2)}"
        working.append(_t(lang, f"{PERIOD_NAMES[period][0]}电费 = {product} 元", f"{period} energy = {product} yuan"))
    if len(usage) > 1:
        working.append(_t(lang, "电度电费合计", "Energy charge") + f" = {_n(energy, 2)} " + _t(lang, "元", "yuan"))
    basic = _basic_charge(level.demand_yuan_kw_month, level.capacity_yuan_kva_month, max_demand_kw, transformer_kva,
                          lang, working, notes)
    total = round(energy + basic, 2)
    working.append(_t(lang, f"当月电费合计 = {_n(energy, 2)} + {_n(basic, 2)} = {_n(total, 2)} 元",
                      f"Monthly bill = {_n(energy, 2)} + {_n(basic, 2)} = {_n(total, 2)} yuan"))
    notes.append(_t(lang, "按一个月测算，未含功率因数调整电费。", "One month; power-factor adjustment not included."))
    _check_published_prices(rules, voltage, prices, lang, notes)
    sources = [t.two_part.source, tou.source, t.proxy_purchase.source, t.line_loss.source]
    sample = level.sample or t.line_loss.sample or t.proxy_purchase.sample or tou.sample
    return Calculation("power_bill", total, _t(lang, "元", "yuan"), working, unique(sources), sample, notes)


def _basic_charge(demand_price: float, capacity_price: float, max_demand_kw: float | None,
                  transformer_kva: float | None, lang: str, working: list[str], notes: list[str]) -> float:
    if max_demand_kw is not None:
        basic = max_demand_kw * demand_price
        working.append(_t(lang, f"基本电费（按最大需量）= {_n(max_demand_kw)} kW × {_n(demand_price)} 元/kW·月 = {_n(basic, 2)} 元",
                          f"Basic charge (by demand) = {_n(max_demand_kw)} kW × {_n(demand_price)} yuan/kW·month "
                          f"= {_n(basic, 2)} yuan"))
        if transformer_kva is not None:
            notes.append(_t(lang, "同时给出需量和容量时按需量计收。", "Both demand and capacity given: billed by demand."))
        return basic
    if transformer_kva is not None:
        basic = transformer_kva * capacity_price
        working.append(_t(lang, f"基本电费（按变压器容量）= {_n(transformer_kva)} kVA × {_n(capacity_price)} 元/kVA·月 = "
                                f"{_n(basic, 2)} 元",
                          f"Basic charge (by capacity) = {_n(transformer_kva)} kVA × {_n(capacity_price)} "
                          f"yuan/kVA·month = {_n(basic, 2)} yuan"))
        return basic
    notes.append(_t(lang, "未提供最大需量或变压器容量，未计基本电费。", "No demand or capacity given: basic charge left out."))
    return 0.0


def _check_published_prices(rules: RuleSet, voltage: str, prices: dict[str, float], lang: str,
                            notes: list[str]) -> None:
    published = rules.tariffs.all_in_10kv
    if rules.tariffs.two_part.level(voltage).voltage != "10kV":
        return
    expected = {"flat": published.flat, "peak": published.peak, "valley": published.valley}
    if any(abs(prices[p] - v) > 0.0005 for p, v in expected.items()):
        notes.append(_t(lang, "计算单价与规则表公布的10kV到户电价不一致，请核对电价规则表。",
                        "Computed prices differ from the published 10 kV all-in prices; check tariffs.yaml."))


# ---------- land ----------

def _park_source(park: Park) -> Source:
    return Source(title=f"{park.name}园区信息", doc_number="", article=park.id)


def land_cost(rules: RuleSet, park: str | Park | None = None, price_yuan_m2: float | None = None,
              area_mu: float | None = None, area_m2: float | None = None,
              investment_wan_per_mu: float | None = None, jobs: int | None = None, lang: str = "zh",
              want: str = "net") -> Calculation:
    """The land price after any rebate (want="net"), or the rebate itself (want="rebate": "能返多少地价款")."""
    unit = _t(lang, "万元", "10k yuan")
    chosen = rules.places.resolve_park(park, prefer_priced=True) if isinstance(park, str) else park
    if isinstance(park, str) and chosen is None:
        raise ValueError(f"unknown park: {park!r}")
    citations, sample = ([_park_source(chosen)], chosen.sample) if chosen else ([], False)
    if price_yuan_m2 is None and chosen is not None and chosen.land_price_yuan_m2 is None:
        why = _t(lang, f"{chosen.name}没有工业用地挂牌价：{chosen.land_price_note}",
                 f"{chosen.name_en} has no listed industrial land price: {chosen.land_price_note}")
        ask = _t(lang, f"请联系园区服务电话{chosen.contact}确认。", f"Ask the park on {chosen.contact}.")
        return Calculation("land_cost", None, unit, [why], citations, sample, [ask])
    price = price_yuan_m2 if price_yuan_m2 is not None else (chosen.land_price_yuan_m2 if chosen else None)
    if price is None or (area_mu is None and area_m2 is None):
        raise ValueError("give a park or price_yuan_m2, and area_mu or area_m2")
    working: list[str] = []
    if chosen is not None and price_yuan_m2 is None:
        working.append(_t(lang, f"{chosen.name}工业用地参考价 {_n(price)} 元/㎡",
                          f"{chosen.name_en} industrial land price {_n(price)} yuan/m2"))
    mu_m2 = rules.land.mu_m2
    if area_m2 is None:
        area_m2 = float(area_mu or 0) * mu_m2
        working.append(_t(lang, f"面积 = {_n(area_mu or 0)} 亩 × {_n(mu_m2)} ㎡/亩 = {_n(area_m2, 2)} ㎡",
                          f"Area = {_n(area_mu or 0)} mu × {_n(mu_m2)} m2/mu = {_n(area_m2, 2)} m2"))
    cost = area_m2 * price
    cost_wan = cost / 10000
    working.append(_t(lang, f"地价 = {_n(area_m2, 2)} ㎡ × {_n(price)} 元/㎡ = {_n(cost, 2)} 元，约 {_n(cost_wan, 2)} 万元",
                      f"Land price = {_n(area_m2, 2)} m2 × {_n(price)} yuan/m2 = {_n(cost, 2)} yuan, about "
                      f"{_n(cost_wan, 2)} 10k yuan"))
    rebate = rules.incentives.find(LandRebate)
    net_wan, notes = _apply_rebate(rebate, cost_wan, investment_wan_per_mu, jobs, lang, working)
    if net_wan != cost_wan:
        citations.append(rebate.source)
        sample = sample or rebate.sample
    result = cost_wan - net_wan if want == "rebate" else net_wan
    return Calculation("land_cost", round(result, 2), unit, working, unique(citations), sample, notes)


def _apply_rebate(rebate: LandRebate, cost_wan: float, investment: float | None, jobs: int | None, lang: str,
                  working: list[str]) -> tuple[float, list[str]]:
    tiers = sorted(rebate.tiers, key=lambda t: -t.rate)
    for tier in tiers:
        by_investment = investment is not None and investment >= tier.min_investment_wan_per_mu
        by_jobs = jobs is not None and jobs >= tier.min_jobs
        if by_investment or by_jobs:
            why = (_t(lang, f"投资强度 {_n(investment or 0)} 万元/亩 ≥ {_n(tier.min_investment_wan_per_mu)}",
                      f"investment {_n(investment or 0)} 10k yuan/mu ≥ {_n(tier.min_investment_wan_per_mu)}")
                   if by_investment else _t(lang, f"新增就业 {_n(jobs or 0)} 人 ≥ {_n(tier.min_jobs)}",
                                            f"{_n(jobs or 0)} jobs ≥ {_n(tier.min_jobs)}"))
            pct, net = _n(tier.rate * 100), cost_wan * (1 - tier.rate)
            back = cost_wan * tier.rate
            working.append(_t(lang, f"{why}，返还地价款 = {_n(cost_wan, 2)} × {pct}% = {_n(back, 2)} 万元",
                              f"{why}: rebate = {_n(cost_wan, 2)} × {pct}% = {_n(back, 2)} 10k yuan"))
            working.append(_t(lang, f"返还后实际负担 = {_n(cost_wan, 2)} × (1 − {pct}%) = {_n(net, 2)} 万元",
                              f"Net land cost = {_n(cost_wan, 2)} × (1 − {pct}%) = {_n(net, 2)} 10k yuan"))
            return net, []
    rule = "；".join(_t(lang, f"≥{_n(t.min_investment_wan_per_mu)}万元/亩或≥{_n(t.min_jobs)}人返还{_n(t.rate * 100)}%",
                          f"≥{_n(t.min_investment_wan_per_mu)} 10k yuan/mu or ≥{_n(t.min_jobs)} jobs: "
                          f"{_n(t.rate * 100)}% back") for t in tiers)
    lead = _t(lang, "未达到地价款返还条件" if investment is not None or jobs is not None else "未提供投资强度或就业人数，未计返还",
              "Rebate not reached" if investment is not None or jobs is not None else "No investment or jobs given")
    return cost_wan, [f"{lead}（{rule}）" if lang != "en" else f"{lead} ({rule})."]


# ---------- incentives ----------

def contribution_districts(rules: RuleSet, lang: str) -> str:
    """The districts the contribution-return rules cover ("观山湖区、其他区县（通用规则）"), for a question back or a
    refusal."""
    covered = list(rules.incentives.districts(ContributionReturn))
    if any(not inc.district for inc in rules.incentives.applicable(ContributionReturn)):
        covered.append(_t(lang, "其他区县（通用规则）", "elsewhere (the general rule)"))
    return ("、" if lang != "en" else ", ").join(covered)


def contribution_rule(rules: RuleSet, district: str | None, lang: str = "zh") -> tuple[ContributionReturn, list[str]]:
    """The contribution-return rule for a district (its own, else the one for everywhere), with a note when the
    district was not given and the only rule there is was used. ValueError when no rule fits, or when several
    could and no district says which."""
    known = contribution_districts(rules, lang)
    if district:
        district = rules.places.named_district(district, rules.incentives.districts(ContributionReturn)) or district
        found = rules.incentives.applicable(ContributionReturn, district)
        if not found:
            raise ValueError(_t(lang, f"{district}没有地方经济贡献奖励规则（现有规则适用于：{known}）",
                                f"no local-contribution return rule for {district} (the rules cover {known})"))
        return found[0], []
    found = rules.incentives.applicable(ContributionReturn)
    if not found:
        raise ValueError(_t(lang, "规则表中没有地方经济贡献奖励规则", "the rules hold no local-contribution return rule"))
    if len(found) > 1:
        raise ValueError(_t(lang, f"请说明企业所在区县（现有规则适用于：{known}）",
                            f"say which district the company is in (the rules cover {known})"))
    only = found[0]
    note = [_t(lang, f"未说明所在区县，按{only.district}的规则计算（规则表中唯一的此类奖励）。",
               f"No district given: computed under the rule for {only.district}, the only one of its kind.")] \
        if only.district else []
    return only, note


def _contribution_return(rules: RuleSet, lang: str, annual_contribution_wan: float | None = None,
                         contributions_wan: list[float] | None = None, district: str | None = None) -> Calculation:
    """The return of local economic contribution under the district's rule. No district: the rule, if the rules
    hold only one; several rules and no district is an error (a chat request asks for it first)."""
    inc, notes = contribution_rule(rules, district, lang)
    schedule, minimum = inc.schedule, inc.min_annual_contribution_wan
    years = max(s.to_year for s in schedule)
    per_year = list(contributions_wan) if contributions_wan else [float(annual_contribution_wan or 0)] * years
    working: list[str] = []
    if all(a < minimum for a in per_year):
        line = _t(lang, f"年度地方经济贡献 {_n(max(per_year))} 万元，低于门槛 {_n(minimum)} 万元，不享受返还：0 万元",
                  f"Local contribution {_n(max(per_year))} is below the {_n(minimum)} (10k yuan) threshold: 0")
        return _money_calc("contribution_return", 0.0, "万元", "10k yuan", lang, [line], [inc], notes)
    subtotals = []
    for seg in schedule:
        span = range(seg.from_year, seg.to_year + 1)
        amounts = [per_year[y - 1] if y <= len(per_year) else 0.0 for y in span]
        award = sum(a * seg.rate for a in amounts if a >= minimum)
        subtotals.append(award)
        label = _t(lang, f"第{span[0]}–{span[-1]}年", f"Years {span[0]}–{span[-1]}")
        if len(set(amounts)) == 1 and amounts[0] >= minimum:
            working.append(f"{label}: {_n(amounts[0])} × {_n(seg.rate * 100)}% × {len(amounts)} = {_n(award, 2)} "
                           + _t(lang, "万元", "10k yuan"))
        else:
            working.append(f"{label}: " + " + ".join(f"{_n(a)} × {_n(seg.rate * 100)}%" if a >= minimum
                                                    else f"0 ({_n(a)} < {_n(minimum)})" for a in amounts)
                           + f" = {_n(award, 2)}")
    total = sum(subtotals)
    working.append(_t(lang, "合计", "Total") + " = " + " + ".join(_n(s, 2) for s in subtotals) + f" = {_n(total, 2)} "
                   + _t(lang, "万元", "10k yuan"))
    notes += [] if all(a >= minimum for a in per_year) else [_t(
        lang, f"年度地方经济贡献低于{_n(minimum)}万元的年份不享受返还。",
        f"Years with a local contribution below {_n(minimum)} (10k yuan) get nothing.")]
    return _money_calc("contribution_return", total, "万元", "10k yuan", lang, working, [inc], notes)


def _milestone_award(rules: RuleSet, lang: str, revenue_yi: float, previous_max_revenue_yi: float = 0.0,
                     stack: bool = False) -> Calculation:
    """Tiers crossed for the first time this year; by default the highest one (跨档不累加), stack=True sums them."""
    inc = rules.incentives.find(MilestoneAward)
    crossed = [t for t in sorted(inc.tiers, key=lambda t: t.revenue_yi)
               if previous_max_revenue_yi < t.revenue_yi <= revenue_yi]
    if not crossed:
        line = _t(lang, f"营业收入 {_n(revenue_yi)} 亿元，本年没有首次突破的档位，奖励 0 万元",
                  f"Revenue of {yi_en(revenue_yi)} crosses no new milestone this year: no award")
        return _money_calc("milestone_award", 0.0, "万元", "10k yuan", lang, [line], [inc])
    names = "、".join(f"{_n(t.revenue_yi)}" for t in crossed)
    award = sum(t.award_wan for t in crossed) if stack else crossed[-1].award_wan
    working = [_t(lang, f"营业收入 {_n(revenue_yi)} 亿元，此前最高 {_n(previous_max_revenue_yi)} 亿元，首次突破 {names} 亿元",
                  f"Revenue of {yi_en(revenue_yi)} (previous best {yi_en(previous_max_revenue_yi)}) first crosses "
                  + ", ".join(yi_en(t.revenue_yi) for t in crossed)),
               _t(lang, ("跨档累加：" if stack else "按首次突破的最高档计奖（跨档不累加）：") + f"{_n(award)} 万元",
                  ("Tiers added up: " if stack else "Highest tier crossed (no stacking): ") + f"{_n(award)} 10k yuan")]
    return _money_calc("milestone_award", award, "万元", "10k yuan", lang, working, [inc])


def _equipment_subsidy(rules: RuleSet, lang: str, equipment_investment_wan: float,
                       fixed_asset_investment_yi: float) -> Calculation:
    inc = rules.incentives.find(EquipmentSubsidy)
    rate, minimum, cap = inc.rate, inc.min_fixed_asset_investment_yi, inc.cap_wan
    if fixed_asset_investment_yi < minimum:
        line = _t(lang, f"固定资产投资 {_n(fixed_asset_investment_yi)} 亿元，低于 {_n(minimum)} 亿元门槛，不享受补助",
                  f"Fixed-asset investment of {yi_en(fixed_asset_investment_yi)} is below the {yi_en(minimum)} "
                  "threshold: no subsidy")
        return _money_calc("equipment_subsidy", 0.0, "万元", "10k yuan", lang, [line], [inc])
    raw = equipment_investment_wan * rate
    working = [f"{_n(equipment_investment_wan)} × {_n(rate * 100)}% = {_n(raw, 2)} " + _t(lang, "万元", "10k yuan")]
    if raw > cap:
        working.append(_t(lang, f"超过单个项目上限，按 {_n(cap)} 万元计", f"Above the cap: {_n(cap)} 10k yuan"))
    return _money_calc("equipment_subsidy", min(raw, cap), "万元", "10k yuan", lang, working, [inc])


_LEVEL_WORDS = {"国家": "national", "省": "provincial", "市": "municipal", "主板": "main", "新三板": "neeq",
                "大": "large", "中": "medium", "小": "small"}
_TIER_KINDS: dict[str, tuple[type[RdCentreAward | ListingAward | UpgradeAward], str]] = {
    "rd_centre_award": (RdCentreAward, "level"), "listing_award": (ListingAward, "board"),
    "upgrade_award": (UpgradeAward, "size")}


def _tier_award(rules: RuleSet, kind: str, lang: str, value: str) -> Calculation:
    model, key = _TIER_KINDS[kind]
    inc = rules.incentives.find(model)
    wanted = next((v for k, v in _LEVEL_WORDS.items() if value.startswith(k)), value.lower())
    tiers: tuple[LevelTier | BoardTier | SizeTier, ...] = inc.tiers
    tier = next((t for t in tiers if getattr(t, key) == wanted), None)
    if tier is None and kind == "listing_award":
        tier = next((t for t in tiers if getattr(t, key) == "other"), None)
    if tier is None:
        raise ValueError(f"unknown {key} {value!r} for {kind}")
    line = f"{inc.name}（{value}）: {_n(tier.award_wan)} " + _t(lang, "万元", "10k yuan")
    return _money_calc(kind, tier.award_wan, "万元", "10k yuan", lang, [line], [inc])


_INCENTIVE_CALCS: dict[str, Callable[..., Calculation]] = {
    "contribution_return": _contribution_return, "milestone_award": _milestone_award,
    "equipment_subsidy": _equipment_subsidy, "talent": talent, "rent_relief": rent_relief, "rent_cost": rent_cost,
    "tax_saving": tax_saving, "rd_deduction": rd_deduction,
}


def incentive_estimate(rules: RuleSet, kind: str, lang: str = "zh", **inputs: Any) -> Calculation:
    """kind: contribution_return | milestone_award | equipment_subsidy | talent | rent_relief | tax_saving |
    rd_deduction | rd_centre_award (level=) | listing_award (board=) | upgrade_award (size=)."""
    if kind in _TIER_KINDS:
        return _tier_award(rules, kind, lang, str(inputs[_TIER_KINDS[kind][1]]))
    if kind not in _INCENTIVE_CALCS:
        raise ValueError(f"unknown incentive kind {kind!r}")
    return _INCENTIVE_CALCS[kind](rules, lang, **inputs)
