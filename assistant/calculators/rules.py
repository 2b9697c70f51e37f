"""The rules the calculators read (corpus/rules/*.yaml as rule_models, plus the parks), and their index texts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from assistant.calculators.rule_files import load_rules_file
from assistant.calculators.schema import FloorRatio, Incentives, LandRules, Source, Tariffs
from assistant.lexicon import load_lexicon
from assistant.listings import SAMPLE_ZH, Park, Places, format_number, load_factories, load_parks

PERIOD_NAMES_ZH = {"peak": "高峰", "flat": "平段", "valley": "低谷"}


@dataclass(frozen=True)
class RuleSet:
    tariffs: Tariffs
    land: LandRules
    incentives: Incentives
    parks: tuple[Park, ...]
    places: Places  # the corpus's place catalogue: park names in a request are resolved through it

    @classmethod
    def load(cls, rules_dir: str | Path, listings_dir: str | Path, places: Places | None = None) -> RuleSet:
        """The rules files and parks; without `places` (the served index's catalogue), one is built from the
        listings and the lexicon of the corpus folder holding them."""
        rules, listings = Path(rules_dir), Path(listings_dir)
        parks = tuple(load_parks(listings / "parks.csv"))
        if places is None:
            factories = load_factories(listings / "factories.csv") if (listings / "factories.csv").exists() else []
            places = Places.build(parks, factories, (), load_lexicon(listings.parent))
        return cls(load_rules_file(rules / "tariffs.yaml", Tariffs), load_rules_file(rules / "land.yaml", LandRules),
                   load_rules_file(rules / "incentives.yaml", Incentives), parks, places)


# ---------- search-index texts ----------

@dataclass(frozen=True)
class RuleText:
    id: str
    text: str
    source: Source
    sample: bool
    name: str = ""  # what a person calls the rule (数据中心优惠电价), shown for its citation instead of the id
    name_en: str = ""  # its English name, where the rules file gives one (an incentive's name_en)


def _rt(rule_id: str, body: str, source: Source, sample: bool, name: str = "", name_en: str = "") -> RuleText:
    """``name`` defaults to the body's first clause (a land note's "先租后让", an incentive's name)."""
    text = f"{body}（来源：{source.cite()}）" + (SAMPLE_ZH if sample else "")
    return RuleText(rule_id, text, source, sample, name or re.split(r"[：，；。:,;]", body, maxsplit=1)[0], name_en)


def _tariff_texts(t: Tariffs) -> list[RuleText]:
    n, tou = format_number, t.time_of_use
    periods = "；".join(f"{PERIOD_NAMES_ZH.get(k, k)}{'、'.join(v)}" for k, v in tou.periods.items())
    out = [_rt("tariffs.time_of_use", f"分时电价时段：{periods}。高峰电价为平段的{n(tou.ratios['peak'])}倍，"
               f"低谷为平段的{n(tou.ratios['valley'])}倍，政府性基金及附加{n(tou.non_floating_yuan_kwh)}元/kWh不参与浮动",
               tou.source, tou.sample, tou.name, tou.name_en)]
    since = f"，自{t.two_part.effective.isoformat()}起执行" if t.two_part.effective else ""
    out += [_rt(f"tariffs.two_part.{lv.voltage}", f"两部制输配电价{lv.voltage}：电量电价{n(lv.energy_yuan_kwh)}元/kWh，"
                f"需量电价{n(lv.demand_yuan_kw_month)}元/kW·月，容量电价{n(lv.capacity_yuan_kva_month)}元/kVA·月{since}",
                t.two_part.source, lv.sample, _with(t.two_part.name, lv.voltage),
                _with(t.two_part.name_en, lv.voltage, " ")) for lv in t.two_part.levels]
    pp, ll, ai, dc = t.proxy_purchase, t.line_loss, t.all_in_10kv, t.data_centre
    out.append(_rt("tariffs.proxy_purchase", f"电网企业代理购电价格（{pp.label}）{n(pp.price_yuan_kwh)}元/kWh",
                   pp.source, pp.sample, pp.name, pp.name_en))
    out.append(_rt("tariffs.line_loss", f"上网环节线损及系统运行费用{n(ll.price_yuan_kwh)}元/kWh", ll.source, ll.sample,
                   ll.name, ll.name_en))
    out.append(_rt("tariffs.all_in_10kv", f"10kV大工业用户到户电度电价：平段{n(ai.flat)}元/kWh，高峰{n(ai.peak)}元/kWh，"
                   f"低谷{ai.valley:.3f}元/kWh", ai.source, ai.sample, ai.name, ai.name_en))
    out.append(_rt("tariffs.data_centre", f"{dc.district}数据中心优惠电价{n(dc.price_yuan_kwh)}元/kWh，"
                   f"其他地区约{n(dc.elsewhere_yuan_kwh)}元/kWh", dc.source, dc.sample, dc.name, dc.name_en))
    tiers = "；".join((f"年用电{n(r.from_kwh_year)}–{n(r.to_kwh_year)}kWh" if r.to_kwh_year is not None
                      else f"年用电{n(r.from_kwh_year)}kWh以上") + f" {n(r.price_yuan_kwh)}元/kWh" for r in t.residential)
    rt = t.residential_tiers
    out.append(_rt("tariffs.residential", f"居民阶梯电价：{tiers}", rt.source, rt.sample, rt.name, rt.name_en))
    return out


def _land_texts(land: LandRules) -> list[RuleText]:
    n = format_number
    grades = "、".join(n(g) for g in land.national_grades_yuan_m2)
    out = [_rt("land.national_minimum_grades", f"全国工业用地出让最低价标准共{len(land.national_grades_yuan_m2)}等，"
               f"依次为{grades}元/㎡；工业用地出让年限最高{n(land.max_term_years)}年；1亩={n(land.mu_m2)}㎡",
               land.grades_source, land.grades_sample, land.national_minimum_grades.name,
               land.national_minimum_grades.name_en)]
    for key, floor, label in (("priority_floor", land.priority_floor, "优先发展产业且用地集约的工业项目"),
                              ("guizhou_floor", land.guizhou_floor, _floor_label(land.guizhou_floor))):
        year = f"（{floor.year}年）" if floor.year else ""
        out.append(_rt(f"land.{key}", f"{label}出让底价可不低于最低价标准的{n(floor.ratio * 100)}%{year}",
                       floor.source, floor.sample, floor.name, floor.name_en))
    out += [_rt(f"land.{key}", note.note, note.source, note.sample, note.name, note.name_en)
            for key, note in land.notes.items()]
    return out


def _with(name: str, suffix: str, sep: str = "") -> str:
    return f"{name}{sep}{suffix}" if name else ""


def _floor_label(floor: FloorRatio) -> str:
    return f"贵州省规定，{floor.applies_to}，" if floor.applies_to else "贵州省优先发展产业项目"


def _incentive_texts(items: Incentives) -> list[RuleText]:
    out = []
    for inc in items.items:
        where = f"（适用{inc.district}）" if inc.district else ""
        example = f"。{inc.example}" if inc.example else ""
        body = f"{inc.name}{where}：{'；'.join(inc.conditions)}{example}"
        out.append(_rt(f"incentives.{inc.id}", body, inc.source, inc.sample, inc.name, inc.name_en))
    return out


def rules_to_texts(rules: RuleSet) -> list[RuleText]:
    """One short Chinese sentence per rule, with its source, for the search index."""
    return _tariff_texts(rules.tariffs) + _land_texts(rules.land) + _incentive_texts(rules.incentives)


def rule_texts_for_file(path: str | Path) -> list[RuleText]:
    """The index texts of one rules file, chosen by its stem (tariffs, land, incentives)."""
    stem = Path(path).stem
    if stem == "tariffs":
        return _tariff_texts(load_rules_file(path, Tariffs))
    if stem == "land":
        return _land_texts(load_rules_file(path, LandRules))
    if stem == "incentives":
        return _incentive_texts(load_rules_file(path, Incentives))
    raise ValueError(f"unknown rules file {stem!r} (expected tariffs, land or incentives)")
