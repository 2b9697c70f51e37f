"""Typed tariff, land and incentive rules from corpus/rules/*.yaml; every rule keeps its source and sample flag."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from assistant.listings.records import SAMPLE_ZH, Park, format_number, load_parks
from assistant.validation import parse_date, validate_rules_file

PERIOD_NAMES_ZH = {"peak": "高峰", "flat": "平段", "valley": "低谷"}


@dataclass(frozen=True)
class Source:
    title: str
    doc_number: str = ""
    article: str = ""

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Source:
        return cls(str(raw.get("title") or ""), str(raw.get("doc_number") or ""), str(raw.get("article") or ""))

    def cite(self) -> str:
        """《标题》（文号）第X条 — the form answers and working lines use."""
        number = f"（{self.doc_number}）" if self.doc_number else ""
        return f"《{self.title}》{number}{self.article}"


@dataclass(frozen=True)
class Meta:
    title: str
    issuer: str
    doc_number: str
    topic: str
    district: str
    effective: dt.date
    expires: dt.date | None
    language: str
    sample: bool


@dataclass(frozen=True)
class TimeOfUse:
    periods: Mapping[str, tuple[str, ...]]
    ratios: Mapping[str, float]
    non_floating_yuan_kwh: float
    source: Source
    sample: bool


@dataclass(frozen=True)
class VoltageLevel:
    voltage: str
    energy_yuan_kwh: float
    demand_yuan_kw_month: float
    capacity_yuan_kva_month: float
    sample: bool


@dataclass(frozen=True)
class TwoPartTariff:
    levels: tuple[VoltageLevel, ...]
    effective: dt.date | None
    source: Source

    def level(self, voltage: str) -> VoltageLevel:
        wanted = normalise_voltage(voltage)
        for level in self.levels:
            if normalise_voltage(level.voltage) == wanted:
                return level
        known = ", ".join(level.voltage for level in self.levels)
        raise ValueError(f"no two-part tariff for {voltage!r} (known: {known})")


@dataclass(frozen=True)
class UnitPrice:
    price_yuan_kwh: float
    source: Source
    sample: bool
    label: str = ""  # e.g. the month of a proxy-purchase price


@dataclass(frozen=True)
class AllInPrices:
    flat: float
    peak: float
    valley: float
    source: Source
    sample: bool


@dataclass(frozen=True)
class DataCentreTariff:
    district: str
    price_yuan_kwh: float
    elsewhere_yuan_kwh: float
    source: Source
    sample: bool


@dataclass(frozen=True)
class ResidentialTier:
    from_kwh_year: float
    to_kwh_year: float | None
    price_yuan_kwh: float


@dataclass(frozen=True)
class Note:
    """A rule kept as text only (flexible land terms, standard land …), indexed for search."""

    key: str
    note: str
    source: Source
    sample: bool


@dataclass(frozen=True)
class Tariffs:
    meta: Meta
    time_of_use: TimeOfUse
    two_part: TwoPartTariff
    proxy_purchase: UnitPrice
    line_loss: UnitPrice
    all_in_10kv: AllInPrices
    data_centre: DataCentreTariff
    residential: tuple[ResidentialTier, ...]
    residential_source: Source
    residential_sample: bool


@dataclass(frozen=True)
class FloorRatio:
    ratio: float
    year: int | None
    applies_to: str
    source: Source
    sample: bool


@dataclass(frozen=True)
class LandRules:
    meta: Meta
    mu_m2: float
    max_term_years: float
    national_grades_yuan_m2: tuple[float, ...]
    grades_source: Source
    grades_sample: bool
    priority_floor: FloorRatio
    guizhou_floor: FloorRatio
    notes: tuple[Note, ...]


@dataclass(frozen=True)
class Incentive:
    id: str
    name: str
    name_en: str
    kind: str
    district: str
    conditions: tuple[str, ...]
    source: Source
    sample: bool
    params: Mapping[str, Any]  # the kind-specific fields, as validated by validation.KIND_SPECS

    def number(self, key: str) -> float:
        return float(self.params[key])

    def tiers(self, key: str = "tiers") -> list[dict[str, Any]]:
        return [dict(t) for t in self.params.get(key, [])]


@dataclass(frozen=True)
class Incentives:
    meta: Meta
    items: tuple[Incentive, ...]

    def find(self, kind: str, district: str | None = None) -> Incentive:
        for item in self.items:
            if item.kind == kind and (district is None or item.district in ("", district)):
                return item
        raise KeyError(f"no incentive of kind {kind!r}" + (f" for {district}" if district else ""))


def normalise_voltage(text: str) -> str:
    """'10 kV' / '10kv' / '10千伏' / '10' -> '10kV'."""
    match = re.search(r"\d+", str(text))
    return f"{match.group()}kV" if match else str(text).strip()


def _read(path: str | Path) -> dict[str, Any]:
    problems = validate_rules_file(path)
    if problems:
        raise ValueError(f"{path} is invalid:\n" + "\n".join(str(p) for p in problems))
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


def _meta(raw: Mapping[str, Any]) -> Meta:
    return Meta(
        title=str(raw["title"]), issuer=str(raw["issuer"]), doc_number=str(raw.get("doc_number") or ""),
        topic=str(raw["topic"]), district=str(raw.get("district") or ""), effective=parse_date(raw["effective"]),
        expires=parse_date(raw["expires"]) if raw.get("expires") else None, language=str(raw["language"]),
        sample=bool(raw.get("sample", False)),
    )


def _unit_price(raw: Mapping[str, Any], label_key: str = "") -> UnitPrice:
    return UnitPrice(float(raw["price_yuan_kwh"]), Source.from_dict(raw["source"]), bool(raw["sample"]),
                     str(raw.get(label_key, "")) if label_key else "")


def _notes(data: Mapping[str, Any], handled: set[str]) -> tuple[Note, ...]:
    return tuple(Note(key, str(v["note"]), Source.from_dict(v["source"]), bool(v.get("sample", False)))
                 for key, v in data.items()
                 if key not in handled and isinstance(v, dict) and "note" in v and isinstance(v.get("source"), dict))


def load_tariffs(path: str | Path) -> Tariffs:
    data = _read(path)
    tou, two, res, allin, dc = (data["time_of_use"], data["two_part_tariff"], data["residential_tiers"],
                                data["all_in_large_industry_10kv"], data["data_centre"])
    levels = tuple(VoltageLevel(str(lv["voltage"]), float(lv["energy_yuan_kwh"]), float(lv["demand_yuan_kw_month"]),
                                float(lv["capacity_yuan_kva_month"]), bool(lv["sample"])) for lv in two["levels"])
    return Tariffs(
        meta=_meta(data["meta"]),
        time_of_use=TimeOfUse({k: tuple(v) for k, v in tou["periods"].items()},
                              {k: float(v) for k, v in tou["ratios"].items()}, float(tou["non_floating_yuan_kwh"]),
                              Source.from_dict(tou["source"]), bool(tou["sample"])),
        two_part=TwoPartTariff(levels, parse_date(two["effective"]) if two.get("effective") else None,
                               Source.from_dict(two["source"])),
        proxy_purchase=_unit_price(data["proxy_purchase"], "month"),
        line_loss=_unit_price(data["line_loss_and_operation"]),
        all_in_10kv=AllInPrices(float(allin["flat"]), float(allin["peak"]), float(allin["valley"]),
                                Source.from_dict(allin["source"]), bool(allin["sample"])),
        data_centre=DataCentreTariff(str(dc["district"]), float(dc["price_yuan_kwh"]), float(dc["elsewhere_yuan_kwh"]),
                                     Source.from_dict(dc["source"]), bool(dc["sample"])),
        residential=tuple(ResidentialTier(float(t["from_kwh_year"]),
                                          None if t["to_kwh_year"] is None else float(t["to_kwh_year"]),
                                          float(t["price_yuan_kwh"])) for t in res["tiers"]),
        residential_source=Source.from_dict(res["source"]), residential_sample=bool(res["sample"]),
    )


def _floor(raw: Mapping[str, Any]) -> FloorRatio:
    year = raw.get("year")
    return FloorRatio(float(raw["ratio"]), int(year) if year is not None else None, str(raw.get("applies_to") or ""),
                      Source.from_dict(raw["source"]), bool(raw["sample"]))


def load_land_rules(path: str | Path) -> LandRules:
    data = _read(path)
    grades = data["national_minimum_grades"]
    handled = {"meta", "national_minimum_grades", "priority_floor_ratio", "guizhou_floor_ratio"}
    return LandRules(
        meta=_meta(data["meta"]), mu_m2=float(data["mu_m2"]), max_term_years=float(data["max_term_years"]),
        national_grades_yuan_m2=tuple(float(x) for x in grades["yuan_m2"]),
        grades_source=Source.from_dict(grades["source"]), grades_sample=bool(grades["sample"]),
        priority_floor=_floor(data["priority_floor_ratio"]), guizhou_floor=_floor(data["guizhou_floor_ratio"]),
        notes=_notes(data, handled),
    )


_COMMON_KEYS = {"id", "name", "name_en", "kind", "district", "conditions", "source", "sample"}


def load_incentives(path: str | Path) -> Incentives:
    data = _read(path)
    items = tuple(Incentive(
        id=str(r["id"]), name=str(r["name"]), name_en=str(r.get("name_en") or ""), kind=str(r["kind"]),
        district=str(r.get("district") or ""), conditions=tuple(str(c) for c in r["conditions"]),
        source=Source.from_dict(r["source"]), sample=bool(r["sample"]),
        params={k: v for k, v in r.items() if k not in _COMMON_KEYS},
    ) for r in data["incentives"])
    return Incentives(_meta(data["meta"]), items)


@dataclass(frozen=True)
class RuleSet:
    tariffs: Tariffs
    land: LandRules
    incentives: Incentives
    parks: tuple[Park, ...]

    @classmethod
    def load(cls, rules_dir: str | Path, listings_dir: str | Path) -> RuleSet:
        rules, listings = Path(rules_dir), Path(listings_dir)
        return cls(load_tariffs(rules / "tariffs.yaml"), load_land_rules(rules / "land.yaml"),
                   load_incentives(rules / "incentives.yaml"), tuple(load_parks(listings / "parks.csv")))


# ---------- search-index texts ----------

@dataclass(frozen=True)
class RuleText:
    id: str
    text: str
    source: Source
    sample: bool


def _rt(rule_id: str, body: str, source: Source, sample: bool) -> RuleText:
    text = f"{body}（来源：{source.cite()}）" + (SAMPLE_ZH if sample else "")
    return RuleText(rule_id, text, source, sample)


def _tariff_texts(t: Tariffs) -> list[RuleText]:
    n, tou = format_number, t.time_of_use
    periods = "；".join(f"{PERIOD_NAMES_ZH.get(k, k)}{'、'.join(v)}" for k, v in tou.periods.items())
    out = [_rt("tariffs.time_of_use", f"分时电价时段：{periods}。高峰电价为平段的{n(tou.ratios['peak'])}倍，"
               f"低谷为平段的{n(tou.ratios['valley'])}倍，政府性基金及附加{n(tou.non_floating_yuan_kwh)}元/kWh不参与浮动",
               tou.source, tou.sample)]
    since = f"，自{t.two_part.effective.isoformat()}起执行" if t.two_part.effective else ""
    out += [_rt(f"tariffs.two_part.{lv.voltage}", f"两部制输配电价{lv.voltage}：电量电价{n(lv.energy_yuan_kwh)}元/kWh，"
                f"需量电价{n(lv.demand_yuan_kw_month)}元/kW·月，容量电价{n(lv.capacity_yuan_kva_month)}元/kVA·月{since}",
                t.two_part.source, lv.sample) for lv in t.two_part.levels]
    pp, ll, ai, dc = t.proxy_purchase, t.line_loss, t.all_in_10kv, t.data_centre
    out.append(_rt("tariffs.proxy_purchase", f"电网企业代理购电价格（{pp.label}）{n(pp.price_yuan_kwh)}元/kWh",
                   pp.source, pp.sample))
    out.append(_rt("tariffs.line_loss", f"上网环节线损及系统运行费用{n(ll.price_yuan_kwh)}元/kWh", ll.source, ll.sample))
    out.append(_rt("tariffs.all_in_10kv", f"10kV大工业用户到户电度电价：平段{n(ai.flat)}元/kWh，高峰{n(ai.peak)}元/kWh，"
                   f"低谷{ai.valley:.3f}元/kWh", ai.source, ai.sample))
    out.append(_rt("tariffs.data_centre", f"{dc.district}数据中心优惠电价{n(dc.price_yuan_kwh)}元/kWh，"
                   f"其他地区约{n(dc.elsewhere_yuan_kwh)}元/kWh", dc.source, dc.sample))
    tiers = "；".join((f"年用电{n(r.from_kwh_year)}–{n(r.to_kwh_year)}kWh" if r.to_kwh_year is not None
                      else f"年用电{n(r.from_kwh_year)}kWh以上") + f" {n(r.price_yuan_kwh)}元/kWh" for r in t.residential)
    out.append(_rt("tariffs.residential", f"居民阶梯电价：{tiers}", t.residential_source, t.residential_sample))
    return out


def _land_texts(land: LandRules) -> list[RuleText]:
    n = format_number
    grades = "、".join(n(g) for g in land.national_grades_yuan_m2)
    out = [_rt("land.national_minimum_grades", f"全国工业用地出让最低价标准共{len(land.national_grades_yuan_m2)}等，"
               f"依次为{grades}元/㎡；工业用地出让年限最高{n(land.max_term_years)}年；1亩={n(land.mu_m2)}㎡",
               land.grades_source, land.grades_sample)]
    for key, floor, label in (("priority_floor", land.priority_floor, "优先发展产业且用地集约的工业项目"),
                              ("guizhou_floor", land.guizhou_floor, _floor_label(land.guizhou_floor))):
        year = f"（{floor.year}年）" if floor.year else ""
        out.append(_rt(f"land.{key}", f"{label}出让底价可不低于最低价标准的{n(floor.ratio * 100)}%{year}",
                       floor.source, floor.sample))
    out += [_rt(f"land.{note.key}", note.note, note.source, note.sample) for note in land.notes]
    return out


def _floor_label(floor: FloorRatio) -> str:
    return f"贵州省规定，{floor.applies_to}，" if floor.applies_to else "贵州省优先发展产业项目"


def _incentive_texts(items: Incentives) -> list[RuleText]:
    out = []
    for inc in items.items:
        where = f"（适用{inc.district}）" if inc.district else ""
        example = f"。{inc.params['example']}" if inc.params.get("example") else ""
        body = f"{inc.name}{where}：{'；'.join(inc.conditions)}{example}"
        out.append(_rt(f"incentives.{inc.id}", body, inc.source, inc.sample))
    return out


def rules_to_texts(rules: RuleSet) -> list[RuleText]:
    """One short Chinese sentence per rule, with its source, for the search index."""
    return _tariff_texts(rules.tariffs) + _land_texts(rules.land) + _incentive_texts(rules.incentives)


def rule_texts_for_file(path: str | Path) -> list[RuleText]:
    """The index texts of one rules file, chosen by its stem (tariffs, land, incentives)."""
    stem = Path(path).stem
    if stem == "tariffs":
        return _tariff_texts(load_tariffs(path))
    if stem == "land":
        return _land_texts(load_land_rules(path))
    if stem == "incentives":
        return _incentive_texts(load_incentives(path))
    raise ValueError(f"unknown rules file {stem!r} (expected tariffs, land or incentives)")
