"""The profile's costs next to its support: land in the candidate parks, the power bill at its load, and a
year's rent of the matching standard factories, each by the existing calculators with their working."""

from __future__ import annotations

from dataclasses import replace

from assistant.calculators import (
    Calculation,
    RuleSet,
    Source,
    data_centre_power,
    land_cost,
    num,
    power_bill,
    rent_cost,
    tr,
)
from assistant.listings import Factory, FactoryQuery, Park, describe, search_factories
from assistant.matching.profile import Facts
from assistant.matching.result import Citation, CostItem, CostPart, Place
from assistant.settings import MatchSettings


def citation(source: Source) -> Citation:
    return Citation(title=source.title, doc_number=source.doc_number, article=source.article, text=source.cite())


def _item(kind: str, subject: str, subject_id: str, calc: Calculation, period: str, value: float | None,
          lines: list[str] | None = None, drop: str = "") -> CostItem:
    return CostItem(kind=kind, subject=subject, subject_id=subject_id, value_yuan=value, period=period,  # type: ignore[arg-type]
                    working=[*calc.working, *(lines or [])], notes=[n for n in calc.notes if not drop or drop not in n],
                    citations=[citation(s) for s in calc.citations], sample=calc.sample)


def _names_industry(park: Park, facts: Facts) -> bool:
    leading = "、".join(park.leading_industries)
    return any(word in leading for word in facts.industries)


def candidate_parks(rules: RuleSet, facts: Facts, limit: int) -> list[Park]:
    """Parks in the profile's district (all parks when it is open), those whose leading industries name its
    industry first; when open, only those when any do."""
    district, named = facts.categories.get("district"), facts.categories.get("park")
    pool = [p for p in rules.parks if p.district == district] if district else list(rules.parks)
    fitting = [p for p in pool if _names_industry(p, facts)]
    if not district and fitting:
        pool = fitting
    pool.sort(key=lambda p: (p.name != named, not _names_industry(p, facts), p.land_price_yuan_m2 is None))
    return pool[:limit]


def candidate_factories(factories: list[Factory], facts: Facts, rules: RuleSet, limit: int) -> list[Factory]:
    """Units to rent near the wanted area in the district (any district when open), suited to the industry
    where any are."""
    area = facts.point("factory_m2")
    if facts.unit is not None:  # the unit the profile names, and no other
        return [facts.unit] if facts.unit.rent_yuan_m2_month is not None else []
    if not area:
        return []
    district = facts.categories.get("district")
    query = FactoryQuery(districts=(district,) if district else (), industries=facts.industries, target_area=area,
                         want="rent")
    found = search_factories(factories, query, rules.places).matches
    if not found and facts.industries:
        found = search_factories(factories, replace(query, industries=()), rules.places).matches
    return [f for f in found if f.rent_yuan_m2_month is not None][:limit]


def land_costs(rules: RuleSet, facts: Facts, parks: list[Park], lang: str) -> list[CostItem]:
    area = facts.point("land_mu")
    if not area:
        return []
    out = []
    for park in parks:
        calc = land_cost(rules, park=park, area_mu=area, lang=lang)
        name = park.name_en if lang == "en" else park.name
        out.append(_item("land", name, park.id, calc, "one_off", None if calc.result is None else calc.result * 1e4,
                         drop=tr(lang, "未计返还", "No investment")))
    return out


def _capacity(facts: Facts, lang: str) -> tuple[float | None, list[str]]:
    """The transformer capacity the basic charge is priced at: the profile's, else the leased unit's supply."""
    kva = facts.point("transformer_kva")
    if kva is not None or facts.unit is None or not facts.unit.power_kva:
        return kva, []
    unit = facts.unit
    return unit.power_kva, [tr(lang, f"未提供变压器容量：按{unit.id}供电容量{num(unit.power_kva)}kVA计基本电费。",
                               f"No transformer capacity given: basic charge at {unit.id}'s supply of "
                               f"{num(unit.power_kva)} kVA.")]


def _power_parts(rules: RuleSet, kwh: float | None, kva: float | None, voltage: float,
                 lang: str) -> tuple[list[CostPart], list[str]]:
    """The T&D share of the year's energy charge and the month's basic charge by capacity, with their working."""
    level = rules.tariffs.two_part.level(f"{num(voltage)}kV")
    parts, lines = [], []
    if kwh:
        td = round(kwh * level.energy_yuan_kwh, 2)
        name = tr(lang, "其中输配电量电费（全年）", "of which T&D energy charge (a year)")
        parts.append(CostPart(name=name, value_yuan=td, period="per_year"))
        lines.append(f"{name} = {num(kwh)} kWh × {num(level.energy_yuan_kwh)} = {num(td, 2)} " + tr(lang, "元", "yuan"))
    if kva:
        basic = round(kva * level.capacity_yuan_kva_month, 2)
        name = tr(lang, "基本电费（按容量，每月）", "basic charge by capacity (a month)")
        parts.append(CostPart(name=name, value_yuan=basic, period="per_month"))
    return parts, lines


def power_costs(rules: RuleSet, facts: Facts, settings: MatchSettings, lang: str, data_centre: bool) -> list[CostItem]:
    """The year's bill at the profile's load: the annual kWh priced month by month (a twelfth each), flat rate,
    with the basic charge by capacity when a capacity is known (the profile's, or the leased unit's supply); its
    T&D share and the month's basic charge stated apart. With a capacity and no kWh, the basic charge alone. At
    the data-centre price too when that rule may apply."""
    kwh = facts.point("annual_kwh")
    kva, notes = _capacity(facts, lang)
    if not kwh and not kva:
        return []
    voltage = facts.point("voltage_kv")
    if voltage is None:
        voltage = settings.default_voltage_kv
        notes.append(tr(lang, f"未提供电压等级，按{num(voltage)}kV测算。", f"No voltage given: priced at {num(voltage)} kV."))
    out = []
    try:
        calc = power_bill(rules, voltage=f"{num(voltage)}kV", kwh_total=(kwh or 0.0) / 12, transformer_kva=kva,
                          lang=lang)
        parts, part_lines = _power_parts(rules, kwh, kva, voltage, lang)
    except ValueError as exc:
        out.append(CostItem(kind="power", subject=f"{num(voltage)}kV", value_yuan=None, period="per_year",
                            notes=[str(exc)]))
    else:
        monthly = calc.result or 0.0
        year = round(monthly * 12, 2)
        line = tr(lang, f"全年电费 = {num(monthly, 2)} × 12 = {num(year, 2)} 元", f"Annual bill = {num(monthly, 2)} × 12 = "
                  f"{num(year, 2)} yuan")
        subject = tr(lang, f"{num(voltage)}kV 两部制电价", f"{num(voltage)} kV two-part tariff")
        item = _item("power", subject, "", calc, "per_year", year, [line, *part_lines])
        if kwh:
            item.working = [tr(lang, f"月用电量 = {num(kwh)} kWh ÷ 12 = {num(kwh / 12, 2)} kWh",
                               f"Monthly use = {num(kwh)} kWh / 12 = {num(kwh / 12, 2)} kWh"), *item.working]
        else:  # no energy to price: the basic charge alone, under the two-part tariff only
            item.subject = tr(lang, f"{num(voltage)}kV 基本电费（按容量）", f"{num(voltage)} kV basic charge by capacity")
            item.working = [w for w in item.working if "kVA" in w or w == line]
            item.notes = [tr(lang, "未提供用电量：只计基本电费。", "No power use given: basic charge only.")]
            item.citations = [citation(rules.tariffs.two_part.source)]
        item.parts = parts
        item.notes += notes
        out.append(item)
    if data_centre and kwh:
        dc = data_centre_power(rules, kwh, want="bill", lang=lang)
        name = tr(lang, f"{rules.tariffs.data_centre.district}数据中心优惠电价", f"Data-centre price in "
                  f"{rules.tariffs.data_centre.district}")
        out.append(_item("power", name, "", dc, "per_year", dc.result))
    return out


def rent_costs(rules: RuleSet, facts: Facts, units: list[Factory], lang: str) -> list[CostItem]:
    area = facts.point("factory_m2")
    out = []
    for unit in units:
        calc = rent_cost(rules, lang, area_m2=area, factory=unit, months=12)
        item = _item("rent", f"{unit.id} {unit.building_name(lang)}", unit.id, calc, "per_year", calc.result)
        if area and unit.area_m2 < area:
            item.notes.append(tr(lang, f"{unit.id}面积{num(unit.area_m2)}㎡，小于所需{num(area)}㎡。",
                                 f"{unit.id} has {num(unit.area_m2)} m2, less than the {num(area)} m2 wanted."))
        out.append(item)
    return out


def park_places(parks: list[Park], lang: str) -> list[Place]:
    return [Place(id=p.id, name=p.name_en if lang == "en" else p.name, district=p.district,
                  detail=p.to_text(lang), sample=p.sample) for p in parks]


def factory_places(units: list[Factory], lang: str) -> list[Place]:
    # the building names its park (吉利汽车配套产业园D1厂房); the park is listed apart
    return [Place(id=f.id, name=f"{f.building_name(lang)} {f.floor_name(lang)}", district=f.district,
                  detail=describe(f, lang),
                  sample=f.sample) for f in units]
