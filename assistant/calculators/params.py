"""Read a calculator's inputs from a normalised chat message, one reader per kind of computation.

Only quantities the user gave are read here; calc_requests decides which reader applies and fills defaults.
"""

from __future__ import annotations

import re
from typing import Any

from assistant.calculators.schema import SpecialDeduction
from assistant.calculators.tokens import Token, clause_end, labelled
from assistant.listings import Places, format_number

PERIOD = re.compile(
    r"(?P<valley>低谷|谷段|谷时|谷电|谷期|valley|off[- ]?peak)|"
    r"(?P<peak>高峰|尖峰|峰段|峰时|峰电|峰期|on[- ]peak|peak)|"
    r"(?P<flat>平段|平时段|平电|平期|平时(?=\s*(?:段|用电量?|电量)?\s*(?:为|是|约|大概|大约)?\s*\d)|flat|shoulder)")
_PER_M2 = re.compile(r"\s*(?:/|每|per|a)\s*(?:㎡|m2|m²|sqm|平方米|平米|平方|平|square)")
_PER_MU = re.compile(r"\s*(?:/|每|per|a)\s*(?:亩|mu\b)")
_NOT_KWH = re.compile(r"\s*(?:成|[:：点时]|am\b|pm\b|o'clock|hours?\b|小时|[-~～到至]\s*\d)")  # 三成, 8:00, 8-11点
_USAGE = r"用电|电量|consum|usage|\buse\b|\buses\b"
_REBATE_ASKED = re.compile(r"返(?:还)?多少|能返|可返|返还.{0,8}多少|退(?:还|回)?多少|refund|rebate amount|amount of (?:the )?"
                           r"rebate|how much (?:rebate|back)|get back|paid back")
_NET_ASKED = re.compile(r"实际|净|扣除|返还后|还要|实付|after|\bnet\b|cost (?:with|after)")
DEGREES = (("doctorate", r"博士|phd|doctor"), ("master", r"硕士|研究生|master"),
           ("bachelor", r"本科|学士|bachelor|undergrad"))
_DEGREE_WORD = r"博士|硕士|本科|学士|研究生|phd|doctor|master|bachelor|undergrad"
_COUNT_THEN_DEGREE = re.compile(r"\s*(?:名|个|位)?\s*(?:双一流)?\s*(?:高校|大学)?\s*(?:的)?\s*(?:全日制)?\s*(?:"
                                + _DEGREE_WORD + "|grad)")
_DEGREE_THEN_COUNT = re.compile(r"(?:" + _DEGREE_WORD + r")(?:研究生|毕业生|生|'s|s)?\s*(?:graduates?)?\s*[:：]?\s*$")
_EMPLOYER = re.compile(r"用人单位|单位(?:能|可以|可)?(?:拿|领|得|获得|享受)|(?:公司|企业)(?:能|可以|可)?(?:拿|领|得|获得|享受)"
                       r"多少(?:招用|吸纳)?补贴|招用补贴|吸纳补贴|employer|hiring subsid|(?:company|firm) (?:gets?|receives?)")
# "2026年" is a calendar year, not a 2026-year lease ("从二〇二六年起租，一年租金多少").
_MONTHS = re.compile(r"(\d+(?:\.\d+)?)\s*(?:个月|months?)|"
                     r"(?<![\d.])(?!(?:19|20)\d\d\s*年)(\d+(?:\.\d+)?)\s*(?:年|years?)")


def park_mention(norm: str, places: Places) -> str | None:
    return places.mention(norm)  # '白云' + '经开区' -> '白云经开区' resolves to the right park


def _period_of_each(norm: str, tokens: list[Token], usable: list[int]) -> dict[int, str]:
    """Pair kWh figures with time-of-use words in the same clause, each word used once.

    Either order is read ("高峰30万度", "300,000 kWh in peak hours"); a figure with a period word on both sides
    takes the side the unambiguous figures of the message use ("peak 300,000 flat 500,000 valley 200,000").
    """
    mentions = [(m.start(), m.end(), m.lastgroup or "") for m in PERIOD.finditer(norm)]
    options: dict[int, list[tuple[int, str, int]]] = {}
    for i in usable:
        t = tokens[i]
        lo = tokens[i - 1].end if i else 0
        hi = tokens[i + 1].start if i + 1 < len(tokens) else len(norm)
        left = [k for k, (s, e, _) in enumerate(mentions) if lo <= s and e <= t.start
                and not clause_end(norm[e: t.start])]
        right = [k for k, (s, e, _) in enumerate(mentions) if t.end <= s and e <= hi
                 and not clause_end(norm[t.end: s])]
        options[i] = ([(t.start - mentions[left[-1]][1], "left", left[-1])] if left else []) + \
            ([(mentions[right[0]][0] - t.end, "right", right[0])] if right else [])
    chosen: dict[int, str] = {}
    used: set[int] = set()
    votes = {"left": 0, "right": 0}
    while True:
        pending = {i: [o for o in opts if o[2] not in used] for i, opts in options.items() if i not in chosen}
        pending = {i: opts for i, opts in pending.items() if opts}
        if not pending:
            return chosen
        sure = next((i for i, opts in pending.items() if len(opts) == 1), None)
        if sure is not None:
            i, pick = sure, pending[sure][0]
            votes[pick[1]] += 1
        else:
            i = min(pending)
            lean = "right" if votes["right"] > votes["left"] else "left"
            pick = min(pending[i], key=lambda o: (o[1] != lean, o[0]) if any(votes.values()) else (o[0], o[1] != lean))
        chosen[i] = mentions[pick[2]][2]
        used.add(pick[2])


def power(norm: str, tokens: list[Token]) -> dict[str, Any]:
    p: dict[str, Any] = {}
    usable = [i for i, t in enumerate(tokens) if t.unit == "kwh" or (
        t.unit == "" and (t.value >= 100 or t.scaled) and not _NOT_KWH.match(t.after)
        and not re.search(r"[:：\-~～到至]\s*$", t.before))]
    period_of = _period_of_each(norm, tokens, usable)
    periods: dict[str, float] = {}
    for i, t in enumerate(tokens):
        period = period_of.get(i)
        if t.unit == "kv":
            p.setdefault("voltage", f"{format_number(t.value)}kV")
        elif i in usable and (t.unit == "kwh" or period or re.search(_USAGE, t.before)):
            if period:
                periods[period] = periods.get(period, 0.0) + t.value
            else:
                p.setdefault("kwh_total", t.value)
        elif t.unit == "kw" or (t.unit == "" and re.search(r"需量|demand", t.before)):
            p.setdefault("max_demand_kw", t.value)
        elif t.unit == "kva" or (t.unit == "" and re.search(r"变压器|容量|transformer|capacity", t.before)):
            p.setdefault("transformer_kva", t.value)
    if periods:
        total = p.pop("kwh_total", None)
        if total and "flat" not in periods and total > sum(periods.values()):
            periods["flat"] = total - sum(periods.values())  # "100万度，其中高峰30万度" -> the rest is flat
        p["kwh_by_period"] = periods
    return p


def land(norm: str, tokens: list[Token], places: Places) -> dict[str, Any]:
    p: dict[str, Any] = {}
    total_wan = None
    for t in tokens:
        if t.unit == "mu":
            p.setdefault("area_mu", t.value)
        elif t.unit == "m2":
            p.setdefault("area_m2", t.value)
        elif t.unit == "people":
            p.setdefault("jobs", int(t.value))
        elif t.money and _PER_M2.match(t.after):
            p["price_yuan_m2"] = t.value
        elif t.money and (_PER_MU.match(t.after) or re.search(r"亩均|投资强度|intensity|per mu", t.before)):
            p["investment_wan_per_mu"] = t.value / 1e4
        elif t.money and re.search(r"投资|invest", t.before):
            total_wan = t.value / 1e4
    if total_wan and p.get("area_mu") and "investment_wan_per_mu" not in p:
        p["investment_wan_per_mu"] = round(total_wan / p["area_mu"], 2)  # 总投资3亿元、50亩 -> 600万元/亩
    if park := park_mention(norm, places):
        p["park"] = park
    if _REBATE_ASKED.search(norm) and not _NET_ASKED.search(norm):
        p["want"] = "rebate"  # "能返多少地价款": the rebate is the answer, the net cost a working line
    return p


def _degree_counts(tokens: list[Token]) -> dict[str, int]:
    """{"doctorate": 2, "master": 5} from "招2个博士、5个硕士" / "博士2名" / "two PhDs and five master's graduates"."""
    counts: dict[str, int] = {}
    for t in tokens:
        if t.unit not in ("people", ""):
            continue
        near = m.group() if (m := _COUNT_THEN_DEGREE.match(t.after)) else \
            (m.group() if (m := _DEGREE_THEN_COUNT.search(t.before)) and t.unit == "people" else "")
        degree = next((key for key, pattern in DEGREES if re.search(pattern, near)), None)
        if degree:
            counts[degree] = counts.get(degree, 0) + int(t.value)
    return counts


def talent(norm: str, tokens: list[Token], p: dict[str, Any]) -> None:
    if degree := next((key for key, pattern in DEGREES if re.search(pattern, norm)), None):
        p["degree"] = degree
    if re.search(r"双一流|double[- ]first[- ]class", norm):
        p["double_first_class"] = True
    counts = _degree_counts(tokens)
    if len(counts) > 1:  # a mixed plan: each degree priced at its own tier
        p["counts"], p["count"] = counts, sum(counts.values())
        p["degree"] = next(iter(counts))
    elif count := next((t for t in tokens if t.unit in ("people", "") and _COUNT_THEN_DEGREE.match(t.after)), None) \
            or labelled(tokens, r"招|聘|引进|hire|hiring|recruit|employ", pick="people"):
        p["count"] = int(count.value)
    settle, allow = re.search(r"安家|settlement|relocation", norm), re.search(r"生活补贴|生活费|allowance", norm)
    employer = _EMPLOYER.search(norm)
    if employer and not (settle or allow):
        p["subsidy"] = "hiring"  # what the employer gets, not the graduate
        return
    if bool(settle) != bool(allow):  # only one of the two named: price that one (both or neither: the sum)
        p["subsidy"] = "settlement" if settle else "allowance"
    if employer:
        p["hiring"] = True  # "安家补贴一共多少？公司能拿多少招用补贴？": both, in one working


def equipment(tokens: list[Token], p: dict[str, Any]) -> None:
    if kit := labelled(tokens, r"设备|equip|machinery"):  # "equip": after-texts are cut at 30 chars
        p["equipment_investment_wan"] = kit.value / 1e4
    others = [t for t in tokens if t is not kit]  # "固定资产投资2亿元，其中设备1.24亿元": two different figures
    if t := labelled(others, r"固定资产|固投|fixed[- ]asset|总投资|total investment|capex"):
        p["fixed_asset_investment_yi"] = t.value / 1e8


def rent(tokens: list[Token], p: dict[str, Any], ids: tuple[str, ...]) -> None:
    """Leased area and rent per m2 (or a listed unit) for rent relief and rent cost."""
    money = [t for t in tokens if t.money]
    if ids:
        p["factory_id"] = ids[0]
    if area := next((t for t in tokens if t.unit == "m2"), None):
        p["area_m2"] = area.value
    if rent_t := next((t for t in money if _PER_M2.match(t.after) or re.search(r"租金|rent", t.before)), None):
        p["rent_yuan_m2_month"] = rent_t.value


def rent_months(norm: str) -> int:
    """12 for "一年/a year/annual", n for "3年/5 years/18个月", 1 for a monthly rent."""
    if m := _MONTHS.search(norm):
        return round(float(m.group(1))) if m.group(1) else round(float(m.group(2)) * 12)
    if re.search(r"月租金|每月|一个月|a month|monthly|per month", norm) and not re.search(r"年|year|annual", norm):
        return 1
    return 12


def tax(sub: str, norm: str, tokens: list[Token], special: SpecialDeduction | None = None) -> dict[str, Any]:
    """Tax-saving or R&D-deduction inputs; `special` (the R&D rule's special rates) names the industries that
    have them, as the rules list them."""
    p: dict[str, Any] = {"kind": sub}
    money = [t for t in tokens if t.money]
    if sub == "tax_saving":
        if t := labelled(tokens, r"所得|income|利润|profit") or next(iter(money), None):
            p["taxable_income_wan"] = t.value / 1e4
        if rates := [t.value / 100 for t in tokens if t.unit == "pct"]:
            p["standard_rate"] = max(rates)  # "15% … compared with 25%": the higher one is the standard rate
        return p
    if t := labelled(tokens, r"研发|r&d|research|expens|费用|支出|投入|无形资产|intangible") or next(iter(money), None):
        p["rd_expense_wan"] = t.value / 1e4
    if special is not None and (industry := special.industry(norm)):
        p["industry"] = industry.name
    if re.search(r"无形资产|摊销|intangible|amortis|amortiz", norm):
        p["intangible"] = True
    return p


def kwh(tokens: list[Token]) -> float | None:
    t = next((t for t in tokens if t.unit == "kwh" or (t.unit == "" and re.search(_USAGE, t.before))), None)
    return t.value if t else None
