"""Recognise a request for a computation (power bill, land cost, incentive, tax) in a chat message and run it.

parse_calc_request only reads quantities the user gave; every price and rate still comes from the RuleSet when
run_calc_request calls the calculators. Given the RuleSet, it also reads which of the rules' districts a question
names, and asks for one where several rules could apply, and which industries have special rates. A follow-up ("那如果是35千伏呢？") changes the last
request's inputs, and a reply to a question back ("观山湖区呢") completes it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from assistant.calculators import params as read
from assistant.calculators.base import Calculation
from assistant.calculators.base import tr as _t
from assistant.calculators.estimates import contribution_districts, incentive_estimate, land_cost, power_bill
from assistant.calculators.params import PERIOD as _PERIOD
from assistant.calculators.rules import RuleSet
from assistant.calculators.schema import ContributionReturn, RdSuperDeduction
from assistant.calculators.tariff import data_centre_power, residential_bill
from assistant.calculators.tokens import Token, labelled, prepare
from assistant.calculators.tokens import tokens as read_tokens
from assistant.listings import Factory, Places

CalcKind = Literal["power_bill", "land_cost", "incentive", "residential_bill", "data_centre_power", "rent_cost"]


@dataclass(frozen=True)
class CalcRequest:
    kind: CalcKind
    params: dict[str, Any]  # keyword arguments for the calculator (incentive_estimate's include "kind")
    missing: tuple[str, ...] = ()  # required inputs not given, as short labels in the user's language


_VERB = re.compile(
    r"算一下|算一算|算算|算下|帮我算|给我算|计算一下|帮我计算|测算|估算|核算|预估|能拿多少|能领多少|可以拿多少|可以领多少|"
    r"能得多少|能拿到多少|能享受多少|返还多少|返多少|要多少钱|要花多少|需要多少钱|得花多少|能省多少|省多少|减免多少|免多少|"
    r"一共多少|总共多少|合计多少|电费多少|多少电费|交多少|付多少|花多少|少缴多少|少交多少|扣除多少|抵扣多少|摊销多少|calculat|comput|estimat|work out|figure out|"
    r"how much (?:would|will|could|can|should|do|does|am|are)|what (?:would|will) .{0,30}(?:cost|pay|get)")
_HOW_COMPUTED = re.compile(r"[怎如][么何样]算|[怎如][么何样]计算|计算(?:方法|公式|方式)|how (?:is|are|do|does) .{0,40}calculat")
_THRESHOLD = re.compile(r"门槛|以上才|才能|才可以|threshold|eligib|qualif")
_FOLLOW_UP = re.compile(r"如果|要是|假如|假设|换成|改成|改为|那|呢|what if|what about|how about|instead|and if|suppose")
_LOOKUP = re.compile(r"什么|哪些|哪个|哪里|怎么|如何|是否|吗|有没有|\bwhich\b|\bwhere\b|what (?:is|are|does)")
_POWER_WORDS = re.compile(r"电费|电价|用电|电量|需量|power bill|electricity|power cost")
_UNIT_PRICE = re.compile(r"一亩|每亩|per mu|a mu|一平|每平|per square")
_LAND_WORDS = re.compile(r"地价|拿地|用地|土地|工业地|多少钱|费用|成本|地款|land|cost|price|pay")
_HOUSEHOLD = re.compile(r"居民|家庭|家里|家用|住户|一户|household|residential|\bhomes?\b")
_DATA_CENTRE = re.compile(r"数据中心|算力中心|data cent(?:re|er)s?|\bidc\b")
_SAVING = re.compile(r"省|节约|少交|少付|便宜|差价|价差|\bsav(?:e|es|ing)\b|cheaper|difference|compared")
_MONTHLY = re.compile(r"每月|月用电|一个月|月均|per month|a month|monthly|/月")
_YEARLY = re.compile(r"一年|每年|年用电|全年|per year|a year|annual|yearly")
_RD = re.compile(r"研发|r&d|research and development")
_RD_TAX = re.compile(r"扣除|加计|摊销|税前|deduct|amortis|amortiz|before tax|pre-tax")
_CIT = re.compile(r"所得税|income tax|\bcit\b")
_INCENTIVES = (  # checked in order; the first hit names the incentive
    ("rent_relief", r"免.{0,4}租|减免.{0,6}租|租.{0,12}(?:减免|减半)|rent[- ]free|rent relief|free rent|rent waiver"),
    ("contribution_return", r"贡献|contribution"),
    ("equipment_subsidy", r"设备(?:投资|购置|投入|补助|补贴|奖补)|(?:购置|购买|新购|采购|添置)[^，。,]{0,4}设备|equipment"),
    ("milestone_award", r"营收|营业收入|销售收入|主营业务收入|revenue|turnover"),
    ("talent", r"博士|硕士|本科|学士|研究生|phd|doctora|master|bachelor|graduate"),
)
# A rent over a period ("F-001一年租金多少（不算减免）"), not the relief itself; asked as an amount.
_RENT = re.compile(r"租金|房租|租费|租(?=.{0,3}(?:年|个月))|\brent|\blease")
_RENT_SPAN = re.compile(r"一年|每年|全年|整年|年租金|月租金|每月|一个月|\d+\s*(?:年|个月)|(?:a|per|whole|full|one|\d+)\s+"
                        r"(?:years?|months?)|annual|yearly|monthly")
_RENT_ASKED = re.compile(r"多少|几|算|how much|what (?:would|will|is|does)|cost|total")
_BEFORE_RELIEF = re.compile(r"不算.{0,6}(?:减免|优惠|两免三减半)|(?:减免|优惠)前|未(?:扣除)?减免|不考虑.{0,6}(?:减免|优惠|两免三减半)|"
                            r"不含.{0,4}减免|before (?:any )?(?:relief|discount|reduction|rent relief)|without (?:any )?"
                            r"(?:relief|discount)|excluding (?:any )?relief|\bgross\b")
_AFTER_RELIEF = re.compile(r"减免后|扣除减免|优惠后|after (?:the )?(?:rent )?relief|net of (?:the )?relief")
_QUALITATIVE = {"kind", "park", "district", "degree", "double_first_class", "voltage", "subsidy", "want", "industry",
                "intangible", "standard_rate", "hiring", "relief"}  # not quantities
_EXCLUSIVE = ({"kwh_total", "kwh_by_period"}, {"max_demand_kw", "transformer_kva"}, {"area_mu", "area_m2"},
              {"kwh_year", "kwh_month"}, {"degree", "counts"})
_REQUIRED = {  # calculator (or incentive kind) -> (zh label, en label, params any of which supplies it)
    "power_bill": (("用电量", "monthly kWh", ("kwh_total", "kwh_by_period")),),
    "land_cost": (("用地面积", "land area", ("area_mu", "area_m2")),
                  ("园区或地价", "park or land price", ("park", "price_yuan_m2"))),
    "contribution_return": (("年度地方经济贡献", "annual local contribution", ("annual_contribution_wan",)),),
    "equipment_subsidy": (("设备投资额", "equipment investment", ("equipment_investment_wan",)),
                          ("固定资产投资额", "fixed-asset investment", ("fixed_asset_investment_yi",))),
    "milestone_award": (("营业收入", "annual revenue", ("revenue_yi",)),),
    "talent": (("学历", "degree", ("degree",)),),
    "residential_bill": (("用电量", "kWh used", ("kwh_year", "kwh_month")),),
    "data_centre_power": (("用电量", "kWh used", ("kwh",)),),
    "tax_saving": (("应纳税所得额", "taxable income", ("taxable_income_wan",)),),
    "rd_deduction": (("研发费用金额", "R&D expense", ("rd_expense_wan",)),),
    "rent_relief": (("租赁面积", "leased floor area", ("area_m2", "factory_id")),
                    ("租金单价", "rent per m2 per month", ("rent_yuan_m2_month", "factory_id"))),
}
_REQUIRED["rent_cost"] = _REQUIRED["rent_relief"]


def _household(norm: str, tokens: list[Token]) -> dict[str, Any]:
    kwh = read.kwh(tokens)
    if kwh is None:
        return {}
    return {"kwh_month" if _MONTHLY.search(norm) and not _YEARLY.search(norm) else "kwh_year": kwh}


def _data_centre(norm: str, tokens: list[Token]) -> dict[str, Any]:
    p: dict[str, Any] = {} if (kwh := read.kwh(tokens)) is None else {"kwh": kwh}
    if _SAVING.search(norm):
        p["want"] = "saving"
    return p


def _places(rules: RuleSet) -> list[str]:
    """Districts a question may name: those of the contribution-return rules first, then those of the parks (a
    place the rules have no rule for is still a place named, not an unnamed one)."""
    return [*rules.incentives.districts(ContributionReturn), *(park.district for park in rules.parks)]


def _incentive(sub: str, norm: str, tokens: list[Token], ids: tuple[str, ...],
               rules: RuleSet | None, places: Places) -> dict[str, Any]:
    p: dict[str, Any] = {"kind": sub}
    money = [t for t in tokens if t.money]
    if sub == "contribution_return":
        if t := labelled(tokens, r"贡献|contribution") or next(iter(money), None):
            p["annual_contribution_wan"] = t.value / 1e4
        if rules is not None and (district := places.named_district(norm, _places(rules))):
            p["district"] = district
    elif sub == "equipment_subsidy":
        read.equipment(tokens, p)
    elif sub == "milestone_award":
        if prev := labelled(tokens, r"去年|上年|此前|以前|之前|previous|last year|prior"):
            p["previous_max_revenue_yi"] = prev.value / 1e8
        if t := next((t for t in money if t is not prev), None):
            p["revenue_yi"] = t.value / 1e8
    elif sub == "talent":
        read.talent(norm, tokens, p)
    elif sub == "rent_relief":
        read.rent(tokens, p, ids)
    return p


def _rent_cost(norm: str, tokens: list[Token], ids: tuple[str, ...]) -> dict[str, Any]:
    p: dict[str, Any] = {}
    read.rent(tokens, p, ids)
    p["months"] = read.rent_months(norm)
    if _AFTER_RELIEF.search(norm):
        p["relief"] = True
    return p


def _is_rent_cost(norm: str) -> bool:
    relief = re.search(_INCENTIVES[0][1], norm) and not (_BEFORE_RELIEF.search(norm) or _AFTER_RELIEF.search(norm))
    return bool(_RENT.search(norm) and _RENT_SPAN.search(norm) and _RENT_ASKED.search(norm)) and not relief


def _detect(norm: str, tokens: list[Token]) -> tuple[CalcKind | None, str | None]:
    if _RD.search(norm) and _RD_TAX.search(norm):
        return "incentive", "rd_deduction"
    if _CIT.search(norm) and (any(t.unit == "pct" for t in tokens) or re.search(
            r"西部大开发|western development|优惠税率|preferential", norm)):
        return "incentive", "tax_saving"
    if _is_rent_cost(norm):
        return "rent_cost", None
    sub = next((kind for kind, pattern in _INCENTIVES if re.search(pattern, norm)), None)
    split = len({m.lastgroup for m in _PERIOD.finditer(norm)}) > 1 and any(t.unit == "" for t in tokens)
    power = any(t.unit == "kwh" for t in tokens) or bool(_POWER_WORDS.search(norm)) or split  # "peak 300,000 flat …"
    if power and _HOUSEHOLD.search(norm):
        return "residential_bill", None
    if power and _DATA_CENTRE.search(norm) and not any(t.unit in ("kv", "kw", "kva") for t in tokens) \
            and not _PERIOD.search(norm):
        return "data_centre_power", None
    if any(t.unit in ("kwh", "kw", "kva") for t in tokens) or ((_POWER_WORDS.search(norm) or split) and sub is None):
        return "power_bill", None
    if sub:
        return "incentive", sub
    if any(t.unit == "mu" for t in tokens) or re.search(r"地价|拿地|用地|土地|\bland\b", norm) \
            or (any(t.unit == "m2" for t in tokens) and re.search(r"地|\bplot", norm)):
        return "land_cost", None
    return None, None


def _parse(kind: CalcKind, sub: str | None, norm: str, tokens: list[Token],
           ids: tuple[str, ...], places: Places, rules: RuleSet | None = None) -> dict[str, Any]:
    if kind == "power_bill":
        return read.power(norm, tokens)
    if kind == "residential_bill":
        return _household(norm, tokens)
    if kind == "data_centre_power":
        return _data_centre(norm, tokens)
    if kind == "rent_cost":
        return _rent_cost(norm, tokens, ids)
    if sub in ("tax_saving", "rd_deduction"):
        rd_rules = rules.incentives.applicable(RdSuperDeduction) if rules is not None else ()
        return read.tax(sub, norm, tokens, next((r.special for r in rd_rules if r.special), None))
    if kind == "land_cost":
        return read.land(norm, tokens, places)
    return _incentive(sub or "", norm, tokens, ids, rules, places)


def _district(p: dict[str, Any], context: dict[str, Any], rules: RuleSet | None, places: Places) -> bool:
    """Fill a contribution return's district from the conversation; True when it is still needed: no district
    named and more than one rule could apply (with exactly one, the calculator uses it and says so)."""
    if "district" in p:
        return False
    if given := context.get("district"):  # a district the conversation settled on
        p["district"] = str(given)
        return False
    if rules is None:
        return False  # the calculator decides, or says which districts it needs
    if (park := context.get("park")) and (named := places.named_district(str(park), _places(rules))):
        p["district"] = named  # the place the conversation is about
        return False
    return len(rules.incentives.applicable(ContributionReturn)) > 1


def _finish(kind: CalcKind, params: dict[str, Any], lang: str, context: dict[str, Any], places: Places,
            rules: RuleSet | None = None) -> CalcRequest:
    """Fill defaults and context, and list what is still missing."""
    p = dict(params)
    ask_district = False
    if kind == "power_bill":
        p.setdefault("voltage", "10kV")
    elif kind == "data_centre_power":
        p.setdefault("want", "bill")
    elif kind == "land_cost" and "park" not in p and context.get("park"):
        p["park"] = str(context["park"])
    elif p.get("kind") == "contribution_return":
        ask_district = _district(p, context, rules, places)
    elif p.get("kind") == "talent":
        p.setdefault("count", 1)
    elif (p.get("kind") == "rent_relief" or kind == "rent_cost") and "factory_id" not in p:
        known = list(context.get("factory_ids") or ())
        if len(known) == 1 and not ("area_m2" in p and "rent_yuan_m2_month" in p):
            p["factory_id"] = known[0]  # "这个厂房" = the one unit the conversation is about
    need = [(zh, en) for zh, en, keys in _REQUIRED.get(p.get("kind", kind), ()) if not keys & p.keys()]
    missing = [label[lang == "en"] for label in need]
    if ask_district and rules is not None:
        known = contribution_districts(rules, lang)
        missing.append(_t(lang, f"企业所在区县（现有规则适用于：{known}）", f"the company's district (the rules cover {known})"))
    return CalcRequest(kind, p, tuple(missing))


def parse_calc_request(text: str, lang: str = "zh", context: dict[str, Any] | None = None, *,
                       places: Places, rules: RuleSet | None = None) -> CalcRequest | None:
    """A computation the text asks for, or None for a policy question or lookup ("经开区工业用地多少钱一亩").

    `places` (the corpus's catalogue) reads the place names; `rules` (the served RuleSet) tells which districts its
    rules cover: without it no district is read from the text and none is asked for, and the calculator decides."""
    ctx = context or {}
    norm, ids = prepare(text, places)
    tokens = read_tokens(norm)
    kind, sub = _detect(norm, tokens)
    last = ctx.get("last_calc")
    last_dc = isinstance(last, CalcRequest) and last.kind == "data_centre_power"
    if kind == "power_bill" and (last_dc or _DATA_CENTRE.search(str(ctx.get("last_text") or ""))) \
            and not any(t.unit in ("kv", "kw", "kva") for t in tokens) and not _PERIOD.search(norm):
        kind = "data_centre_power"  # "一年用8000万度电，跟其他地区比能省多少" after a data-centre turn
    # A follow-up, or a reply to a question back (the last request lacked an input the text may give).
    if isinstance(last, CalcRequest) and (_FOLLOW_UP.search(norm) or last.missing
                                          or (last_dc and kind == "data_centre_power")):
        last_sub = last.params.get("kind")
        # "那如果是2000度呢？" after a household bill reads as a power bill; only a voltage or demand makes it one.
        bare_kwh = kind == "power_bill" and last.kind in ("residential_bill", "data_centre_power") \
            and not any(t.unit in ("kv", "kw", "kva") for t in tokens)
        if kind is None or bare_kwh or (kind, sub) == (last.kind, last_sub):
            changed = {k: v for k, v in _parse(last.kind, last_sub, norm, tokens, ids, places, rules).items()
                       if k != "kind"}
            if changed and (not _LOOKUP.search(norm) or any(k not in _QUALITATIVE for k in changed)):
                kept = {k: v for k, v in last.params.items()
                        if not any(k in group and group & changed.keys() for group in _EXCLUSIVE)}
                return _finish(last.kind, {**kept, **changed}, lang, ctx, places, rules)
    if kind is None:
        return None
    params = _parse(kind, sub, norm, tokens, ids, places, rules)
    verb = bool(_VERB.search(norm)) and not _HOW_COMPUTED.search(norm)
    quantities = any(k not in _QUALITATIVE for k in params)
    if not (quantities or verb) or (_THRESHOLD.search(norm) and not verb):
        return None
    area = {"area_mu", "area_m2"} & params.keys()
    if kind == "land_cost" and ((not area and _UNIT_PRICE.search(norm)) or not (
            verb or {"park", "price_yuan_m2"} & params.keys() or _LAND_WORDS.search(norm))):
        return None  # "经开区工业用地要多少钱一亩" is a price lookup, "50亩等于多少平方米" a conversion
    return _finish(kind, params, lang, ctx, places, rules)


def _unpriced(request: CalcRequest, lang: str, line: str) -> Calculation:
    kind = str(request.params.get("kind", request.kind))
    yuan = ("元", "yuan")
    unit = yuan if kind in ("power_bill", "rent_relief", "rent_cost", "residential_bill", "data_centre_power") \
        or request.params.get("subsidy") == "hiring" else ("万元", "10k yuan")
    return Calculation(kind, None, _t(lang, *unit), [line], [], False)


def run_calc_request(rules: RuleSet, request: CalcRequest, lang: str,
                     factories: Sequence[Factory] = ()) -> Calculation:
    """Run the calculator; missing inputs or inputs the rules cannot price give a result of None and say why.

    `factories` resolves a rent-relief request's factory_id (the RuleSet holds no factory listings).
    """
    if request.missing:
        return _unpriced(request, lang, _t(lang, "还需要以下信息才能计算：" + "、".join(request.missing),
                                           "To calculate this I still need: " + ", ".join(request.missing)))
    params = dict(request.params)
    try:
        if request.kind == "power_bill":
            return power_bill(rules, lang=lang, **params)
        if request.kind == "residential_bill":
            return residential_bill(rules, lang=lang, **params)
        if request.kind == "data_centre_power":
            return data_centre_power(rules, lang=lang, **params)
        if request.kind == "land_cost":
            mention = params.pop("park", None)  # land_cost resolves names; the context may give an id
            park = next((p for p in rules.parks if p.id == mention), mention)
            return land_cost(rules, park=park, lang=lang, **params)
        kind = params.pop("kind", request.kind)  # an incentive, or rent_cost
        if factory_id := params.pop("factory_id", None):
            factory = next((f for f in factories if f.id == factory_id), None)
            if factory is None and not ("area_m2" in params and "rent_yuan_m2_month" in params):
                return _unpriced(request, lang, _t(lang, f"没有找到厂房{factory_id}，请提供面积和租金。",
                                                   f"Factory {factory_id} not found: give area and rent."))
            params["factory"] = factory
        return incentive_estimate(rules, kind, lang, **params)
    except (ValueError, KeyError) as err:  # e.g. a voltage or district the rules have no entry for
        why = err.args[0] if err.args else err
        return _unpriced(request, lang, _t(lang, f"无法按现有规则计算：{why}", f"Cannot calculate: {why}"))
