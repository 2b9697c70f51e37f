"""Electricity estimates outside the two-part industrial tariff: household tiers and the data-centre price.

Every price comes from corpus/rules/tariffs.yaml through the RuleSet; working lines show each number used.
"""

from __future__ import annotations

from typing import Literal

from assistant.calculators.base import Calculation, num, tr, yuan_and_wan
from assistant.calculators.rules import RuleSet


def residential_bill(rules: RuleSet, kwh_year: float | None = None, kwh_month: float | None = None,
                     lang: str = "zh") -> Calculation:
    """Household bill under the annual tiered tariff; a monthly figure is scaled to a year first."""
    t = rules.tariffs
    if not t.residential:
        raise ValueError("the tariff rules have no residential tiers")
    working: list[str] = []
    if kwh_year is None:
        if kwh_month is None:
            raise ValueError("give kwh_year or kwh_month")
        kwh_year = kwh_month * 12
        working.append(tr(lang, f"年用电量 = {num(kwh_month)} kWh/月 × 12 个月 = {num(kwh_year)} kWh",
                          f"Annual use = {num(kwh_month)} kWh/month × 12 months = {num(kwh_year)} kWh"))
    tiers = sorted(t.residential, key=lambda r: r.from_kwh_year)
    working.append(tr(lang, "居民阶梯电价按全年累计用电量分档计费", "Household tiers apply to the year's cumulative use"))
    costs: list[float] = []
    for i, tier in enumerate(tiers, start=1):
        top = kwh_year if tier.to_kwh_year is None else min(kwh_year, tier.to_kwh_year)
        used = top - tier.from_kwh_year
        if used <= 0:
            break
        cost = used * tier.price_yuan_kwh
        costs.append(cost)
        band = (f"{num(tier.from_kwh_year)}–{num(tier.to_kwh_year)} kWh" if tier.to_kwh_year is not None
                else tr(lang, f"{num(tier.from_kwh_year)} kWh以上", f"above {num(tier.from_kwh_year)} kWh"))
        product = f"{num(used)} kWh × {num(tier.price_yuan_kwh)} = {num(cost, 2)}"
        working.append(tr(lang, f"第{i}档（{band}）：{product} 元", f"Tier {i} ({band}): {product} yuan"))
    total = round(sum(costs), 2)
    working.append(tr(lang, "全年电费", "Annual bill") + " = " + " + ".join(num(c, 2) for c in costs)
                   + f" = {num(total, 2)} " + tr(lang, "元", "yuan"))
    if kwh_month is not None:
        working.append(tr(lang, f"月均 = {num(total, 2)} ÷ 12 = {num(total / 12, 2)} 元",
                          f"Monthly average = {num(total, 2)} ÷ 12 = {num(total / 12, 2)} yuan"))
    return Calculation("residential_bill", total, tr(lang, "元", "yuan"), working, [t.residential_source],
                       t.residential_sample)


def data_centre_power(rules: RuleSet, kwh: float, want: Literal["saving", "bill"] = "saving",
                      lang: str = "zh") -> Calculation:
    """Energy cost at the data-centre price against the price elsewhere; the result is the saving or the bill."""
    dc = rules.tariffs.data_centre
    here, there = kwh * dc.price_yuan_kwh, kwh * dc.elsewhere_yuan_kwh
    saving = there - here
    working = [
        tr(lang, f"{dc.district}数据中心优惠电价 {num(dc.price_yuan_kwh)} 元/kWh，其他地区约 {num(dc.elsewhere_yuan_kwh)} 元/kWh",
           f"Data-centre price in {dc.district}: {num(dc.price_yuan_kwh)} yuan/kWh; elsewhere about "
           f"{num(dc.elsewhere_yuan_kwh)} yuan/kWh"),
        tr(lang, f"在{dc.district}：{num(kwh)} kWh × {num(dc.price_yuan_kwh)} = {yuan_and_wan(here, lang)}",
           f"In {dc.district}: {num(kwh)} kWh × {num(dc.price_yuan_kwh)} = {yuan_and_wan(here, lang)}"),
        tr(lang, f"在其他地区：{num(kwh)} kWh × {num(dc.elsewhere_yuan_kwh)} = {yuan_and_wan(there, lang)}",
           f"Elsewhere: {num(kwh)} kWh × {num(dc.elsewhere_yuan_kwh)} = {yuan_and_wan(there, lang)}"),
        tr(lang, f"节省 = {num(there, 2)} − {num(here, 2)} = {yuan_and_wan(saving, lang)}",
           f"Saving = {num(there, 2)} − {num(here, 2)} = {yuan_and_wan(saving, lang)}"),
    ]
    notes = [tr(lang, "仅比较电度电费，不含基本电费等其他费用。", "Energy charge only; basic charges and other fees not included.")]
    result = round(saving if want == "saving" else here, 2)
    return Calculation("data_centre_power", result, tr(lang, "元", "yuan"), working, [dc.source], dc.sample, notes)
