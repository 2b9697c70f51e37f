"""Factory rent: the "两免三减半" relief on a standard-factory lease, and the rent itself over a period.

Area and rent come from the user or a factory listing; the relief schedule from corpus/rules/incentives.yaml.
"""

from __future__ import annotations

from assistant.calculators.base import Calculation, money_calc, num, tr
from assistant.calculators.rules import RuleSet
from assistant.listings.records import Factory


def _area_rent(area_m2: float | None, rent_yuan_m2_month: float | None,
               factory: Factory | None) -> tuple[float, float]:
    area = area_m2 if area_m2 is not None else (factory.area_m2 if factory else None)
    rent = rent_yuan_m2_month if rent_yuan_m2_month is not None else (factory.rent_yuan_m2_month if factory else None)
    if area is None or rent is None:
        raise ValueError("give area_m2 and rent_yuan_m2_month, or a factory")
    return area, rent


def _monthly_line(area: float, rent: float, factory: Factory | None, lang: str) -> str:
    unit = f"{factory.id} " if factory else ""
    monthly = area * rent
    return tr(lang, f"{unit}月租金 = {num(area)} ㎡ × {num(rent)} 元/㎡·月 = {num(monthly, 2)} 元",
              f"{unit}Monthly rent = {num(area)} m2 × {num(rent)} yuan/m2 = {num(monthly, 2)} yuan")


def rent_relief(rules: RuleSet, lang: str, area_m2: float | None = None, rent_yuan_m2_month: float | None = None,
                factory: Factory | None = None) -> Calculation:
    inc = rules.incentives.find("rent_relief")
    area, rent = _area_rent(area_m2, rent_yuan_m2_month, factory)
    free, half = int(inc.number("free_years") * 12), int(inc.number("half_years") * 12)
    half_rate = float(inc.params.get("half_rate", 0.5))  # 减半 = half unless the rule says otherwise
    monthly = area * rent
    saved_free, saved_half = monthly * free, monthly * half_rate * half
    total = saved_free + saved_half
    working = [tr(lang, f"月租金 = {num(area)} ㎡ × {num(rent)} 元/㎡·月 = {num(monthly, 2)} 元",
                  f"Monthly rent = {num(area)} m2 × {num(rent)} yuan/m2 = {num(monthly, 2)} yuan"),
               tr(lang, f"前 {free} 个月免租：{num(monthly, 2)} × {free} = {num(saved_free, 2)} 元",
                  f"First {free} months free: {num(monthly, 2)} × {free} = {num(saved_free, 2)} yuan"),
               tr(lang, f"随后 {half} 个月减半：{num(monthly, 2)} × {num(half_rate * 100)}% × {half} = {num(saved_half, 2)} 元",
                  f"Next {half} months at half: {num(monthly, 2)} × {num(half_rate * 100)}% × {half} = "
                  f"{num(saved_half, 2)} yuan"),
               tr(lang, f"合计减免 = {num(saved_free, 2)} + {num(saved_half, 2)} = {num(total, 2)} 元"
                        f"（约 {num(total / 10000, 2)} 万元）",
                  f"Total saving = {num(saved_free, 2)} + {num(saved_half, 2)} = {num(total, 2)} yuan")]
    calc = money_calc("rent_relief", total, "元", "yuan", lang, working, [inc])
    calc.sample = calc.sample or bool(factory and factory.sample)
    return calc


def rent_cost(rules: RuleSet, lang: str, area_m2: float | None = None, rent_yuan_m2_month: float | None = None,
              factory: Factory | None = None, months: int = 12, relief: bool = False) -> Calculation:
    """Rent over `months` from the start of the lease: area × rent × months before any relief (the result), or,
    with relief=True, what is still paid once the free and half-rent months of the relief rule are taken off."""
    area, rent = _area_rent(area_m2, rent_yuan_m2_month, factory)
    monthly = area * rent
    gross = monthly * months
    working = [_monthly_line(area, rent, factory, lang),
               tr(lang, f"{months} 个月租金（未计减免）= {num(monthly, 2)} × {months} = {num(gross, 2)} 元"
                        f"（约 {num(gross / 10000, 2)} 万元）",
                  f"Rent for {months} months before any relief = {num(monthly, 2)} × {months} = {num(gross, 2)} yuan")]
    notes = [tr(lang, "按挂牌租金测算，未含物业费、水电等其他费用。", "Listed rent only; service charges and utilities not included.")]
    result, sources = gross, []
    if relief:
        inc = rules.incentives.find("rent_relief")
        free, half = int(inc.number("free_years") * 12), int(inc.number("half_years") * 12)
        half_rate = float(inc.params.get("half_rate", 0.5))
        free_n, half_n = min(months, free), max(0, min(months - free, half))
        saved = monthly * free_n + monthly * half_rate * half_n
        result, sources = gross - saved, [inc]
        working += [tr(lang, f"减免：免租 {free_n} 个月 + 减半 {half_n} 个月 = {num(monthly, 2)} × {free_n} + "
                             f"{num(monthly, 2)} × {num(half_rate * 100)}% × {half_n} = {num(saved, 2)} 元",
                       f"Relief: {free_n} months free + {half_n} at half = {num(monthly, 2)} × {free_n} + "
                       f"{num(monthly, 2)} × {num(half_rate * 100)}% × {half_n} = {num(saved, 2)} yuan"),
                    tr(lang, f"减免后应付 = {num(gross, 2)} − {num(saved, 2)} = {num(result, 2)} 元",
                       f"Payable after relief = {num(gross, 2)} − {num(saved, 2)} = {num(result, 2)} yuan")]
    else:
        notes.append(tr(lang, "符合条件的项目可享受标准厂房租金“两免三减半”，上述金额未扣除。",
                        "Eligible projects may get the standard-factory rent relief (2 years free, 3 at half); "
                        "not deducted above."))
    calc = money_calc("rent_cost", result, "元", "yuan", lang, working, sources, notes)
    calc.sample = calc.sample or bool(factory and factory.sample)
    return calc
