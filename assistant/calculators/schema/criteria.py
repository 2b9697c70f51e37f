"""Machine-readable eligibility: the facts a company profile states, and the criteria rules set on them.

A rule's `criteria` is a list; each item names one fact and how it must compare (`min` ≥, `above` >, `max` ≤
for figures; `is` for yes/no facts; `any` / `none` for the industry, the district and other categories), or is
an `any_of` list of which one must hold. The fact vocabulary below is the one the matcher's profile fills, so a
criterion on a fact no profile can state is refused by `ingest.py --check` with its file and line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, PlainValidator, Tag, model_validator
from pydantic_core import PydanticCustomError

from assistant.calculators.schema.fields import Flag, Id, NonEmpty, Num, OptText, Source, Strict, Text

FactKind = Literal["number", "flag", "category"]
Category = Literal["land", "power", "factory_rent", "talent", "tax", "awards"]
Payee = Literal["company", "staff"]


@dataclass(frozen=True)
class FactSpec:
    kind: FactKind
    zh: str
    en: str
    unit_zh: str = ""
    unit_en: str = ""
    values: tuple[str, ...] = ()  # a closed category's values (empty: open, e.g. industry, district)
    derived: bool = False  # computed from other facts, never asked for itself
    # A step the company takes on settling (registering locally): "not yet" leaves the rule to confirm, since the
    # documents make it a condition of applying, not a property the company lacks for good.
    attainable: bool = False
    # What a profile that does not state a yes/no fact reads as: a status a company names when it has it
    # (foreign-invested) reads as "no" when unsaid, and the criterion says it was assumed.
    unstated: bool | None = None
    names: tuple[tuple[str, str, str], ...] = ()  # a closed category's values in words: (value, zh, en)

    def value_name(self, value: str, lang: str) -> str:
        return next((en if lang == "en" else zh for v, zh, en in self.names if v == value), value)


def _n(zh: str, en: str, unit_zh: str = "元", unit_en: str = "yuan", derived: bool = False) -> FactSpec:
    return FactSpec("number", zh, en, unit_zh, unit_en, derived=derived)


FACTS: dict[str, FactSpec] = {
    "industry": FactSpec("category", "行业", "industry"),
    "district": FactSpec("category", "所在区县", "district"),
    "investment_yuan": _n("计划总投资", "planned investment"),
    "fixed_asset_investment_yuan": _n("固定资产投资（不含地价）", "fixed-asset investment (excluding land)"),
    "equipment_investment_yuan": _n("新购置生产设备投资", "new production equipment"),
    "investment_per_mu_yuan": _n("亩均固定资产投资（不含地价）", "fixed-asset investment per mu (excluding land)",
                                 "元/亩", "yuan/mu", derived=True),
    "site": FactSpec("category", "取得场地方式", "how the site is obtained", values=("land", "lease"),
                     names=(("land", "取得土地", "acquiring land"), ("lease", "租用厂房或办公用房", "leasing premises"))),
    "land_mu": _n("用地面积", "land area", "亩", "mu"),
    "factory_m2": _n("租用厂房面积", "factory floor area to lease", "㎡", "m2"),
    "factory_unit": FactSpec("category", "拟租用的厂房编号", "factory unit to lease"),
    "park": FactSpec("category", "所在园区", "park"),
    "annual_kwh": _n("年用电量", "annual power use", "kWh", "kWh"),
    "voltage_kv": _n("供电电压等级", "supply voltage", "kV", "kV"),
    "transformer_kva": _n("变压器（报装）容量", "transformer (contracted) capacity", "kVA", "kVA"),
    "jobs": _n("新增就业", "new jobs", "人", "people"),
    "revenue_yuan": _n("年营业收入", "annual revenue"),
    "taxable_income_yuan": _n("年应纳税所得额", "annual taxable income"),
    "local_contribution_yuan": _n("年度地方经济贡献（区级财政留存）", "annual local economic contribution (district share)"),
    "rd_spend_yuan": _n("年研发费用", "annual R&D spend"),
    "rd_ratio": _n("研发费用占营业收入比例", "R&D spend as a share of revenue", "", "", derived=True),
    "encouraged_revenue_share": _n("鼓励类产业主营业务收入占收入总额比例", "share of revenue from encouraged-industry "
                                   "business", "", ""),
    "talents.phd": _n("新引进博士研究生", "new PhD hires", "人", "people"),
    "talents.master": _n("新引进硕士研究生", "new master's hires", "人", "people"),
    "talents.bachelor": _n("新引进本科毕业生", "new bachelor's hires", "人", "people"),
    "talents.bachelor_double_first_class": _n("其中“双一流”高校全日制本科", "of which from 双一流 universities",
                                              "人", "people"),
    "talents.high_level": _n("经认定的高层次或急需紧缺人才", "recognised high-level or urgently needed talents",
                             "人", "people"),
    "talents.total": _n("新引进高校毕业生合计", "new graduate hires in all", "人", "people", derived=True),
    "registered_locally": FactSpec("flag", "在本地注册并纳税、统计", "registered, taxed and counted locally",
                                   attainable=True),
    "foreign_invested": FactSpec("flag", "外商投资企业", "foreign-invested company", unstated=False),
    "new_rd_institute": FactSpec("flag", "新设独立法人研发机构", "setting up a new R&D institute as its own legal "
                                 "person", unstated=False),
    "leading_enterprise": FactSpec("flag", "经认定的龙头企业、高新技术企业或“冠军企业”",
                                   "a recognised leading, high-tech or 'champion' enterprise"),
    "rd_centre_level": FactSpec("category", "首次获批研发中心级别", "level of a first-approved R&D centre",
                                values=("national", "provincial", "municipal"),
                                names=(("national", "国家级", "national"), ("provincial", "省级", "provincial"),
                                       ("municipal", "市级", "municipal"))),
    "listing_board": FactSpec("category", "上市或挂牌板块", "listing board", values=("main", "other", "neeq"),
                              names=(("main", "主板", "main board"), ("other", "其他板块", "other board"),
                                     ("neeq", "新三板", "NEEQ"))),
    "firm_size": FactSpec("category", "企业规模（新纳入规上或晋档）", "firm size (newly above-scale or upgraded)",
                          values=("large", "medium", "small"),
                          names=(("large", "大型", "large"), ("medium", "中型", "medium"), ("small", "小型", "small"))),
}


def _fact(value: Any) -> str:
    if not isinstance(value, str) or value not in FACTS:
        raise PydanticCustomError("unknown_fact", "unknown fact {value} (known: {known})",
                                  {"value": repr(value), "known": ", ".join(FACTS)})
    return value


Fact = Annotated[str, PlainValidator(_fact)]
_OPS: dict[FactKind, tuple[str, ...]] = {"number": ("min", "above", "max"), "flag": ("is_",),
                                         "category": ("any", "none")}


class Criterion(Strict):
    """One fact and how it must compare. `fallback`: a fact of the same kind read when this one is not given
    (planned investment for fixed-asset investment), said so in the result. `unlisted`: what an industry or
    category in neither `any` nor `none` means (not_met, or unknown where the document's list is not closed)."""

    fact: Fact
    min: Num | None = None
    above: Num | None = None
    max: Num | None = None
    is_: Flag | None = Field(None, alias="is")
    any: tuple[Text, ...] = ()
    none: tuple[Text, ...] = ()
    unlisted: Literal["not_met", "unknown"] = "not_met"
    fallback: Fact | None = None
    article: OptText = ""  # where the cited document states it, when not the rule's own article

    @model_validator(mode="after")
    def _ops_fit_the_fact(self) -> Criterion:
        spec = FACTS[self.fact]
        allowed = _OPS[spec.kind]
        given = [op for ops in _OPS.values() for op in ops if getattr(self, op) not in (None, ())]
        wrong = [op.rstrip("_") for op in given if op not in allowed]
        if wrong or not given:
            raise PydanticCustomError("bad_criterion", "a {kind} fact ({fact}) takes {ops}{extra}", {
                "kind": spec.kind, "fact": self.fact, "ops": " / ".join(op.rstrip("_") for op in allowed),
                "extra": f", not {', '.join(wrong)}" if wrong else ""})
        if spec.values and (bad := [v for v in (*self.any, *self.none) if v not in spec.values]):
            raise PydanticCustomError("bad_value", "{fact} is one of {values}, not {bad}",
                                      {"fact": self.fact, "values": ", ".join(spec.values), "bad": ", ".join(bad)})
        if self.fallback is not None and FACTS[self.fallback].kind != spec.kind:
            raise PydanticCustomError("bad_fallback", "fallback {fallback} is not a {kind} fact",
                                      {"fallback": self.fallback, "kind": spec.kind})
        return self


class AnyOf(Strict):
    """Criteria of which one suffices (投资强度与就业人数满足其一即可)."""

    any_of: NonEmpty[Criterion]
    article: OptText = ""


def _criterion_tag(value: Any) -> str:
    has = value.get("any_of") is not None if isinstance(value, dict) else isinstance(value, AnyOf)
    return "either" if has else "one"


CriterionItem = Annotated[
    Annotated[Criterion, Tag("one")] | Annotated[AnyOf, Tag("either")],
    Discriminator(_criterion_tag),
]


class ExclusiveGroup(Strict):
    """Rules of which only the best applies (不重复享受, 就高): totals count one of them."""

    id: Id
    name: Text
    name_en: OptText = ""
    source: Source
    sample: Flag = False
    note: OptText = ""


class IndustryGroup(Strict):
    """A named list of industry words (the lexicon's stems, or words matched in the stated industry) that
    criteria may name in `any` / `none` instead of listing them."""

    id: Id
    name: Text
    name_en: OptText = ""
    words: NonEmpty[Text]
    source: Source | None = None
    note: OptText = ""
