"""Typed parks and standard-factory listings, loaded from corpus/listings/*.csv (place names: places.py)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, cast

from assistant.language import romanise
from assistant.validation import (
    parse_bool,
    parse_date,
    parse_number,
    read_csv,
    validate_factories_csv,
    validate_parks_csv,
)

Status = Literal["for_rent", "for_sale", "for_rent_or_sale", "leased"]
# The schema's park levels (validation.PARK_LEVELS) in English, like the status words: part of the schema, not data.
LEVEL_EN = {"国家级": "national", "省级": "provincial", "区级": "district-level"}
SAMPLE_ZH = "（示例数据，以主管部门最新发布为准）"
SAMPLE_EN = " (sample data; check the latest official release)"

_CRANE_WORDS = re.compile(r"行车|吊车|天车|桥吊|起重机|crane", re.I)
_NO_CRANE = re.compile(r"(?:无|未配|不配|没有)(?:\d+吨)?(?:行车|吊车|天车|桥吊|起重机)|no crane", re.I)
_CRANE_TONNES = re.compile(r"(\d+(?:\.\d+)?)\s*(?:吨|t\b|tonnes?)\s*(?:的)?\s*(?:行车|吊车|天车|桥吊|起重机|crane)", re.I)


@dataclass(frozen=True)
class Park:
    id: str
    name: str
    name_en: str
    district: str
    level: str
    leading_industries: tuple[str, ...]
    land_price_yuan_m2: float | None
    land_price_wan_mu: float | None
    land_price_note: str
    power_supply: str
    logistics: str
    contact: str
    notes: str
    sample: bool
    updated: dt.date
    district_en: str = ""  # optional column; pinyin of the district when empty
    # Optional English columns; an English answer falls back as english_terms / level_name / note say.
    level_en: str = ""
    leading_industries_en: tuple[str, ...] = ()
    land_price_note_en: str = ""
    notes_en: str = ""
    power_supply_en: str = ""  # English answers leave out a sentence with no English, as for notes
    logistics_en: str = ""

    def level_name(self, lang: str = "zh") -> str:
        return (self.level_en or LEVEL_EN.get(self.level) or romanise(self.level)) if lang == "en" else self.level

    def industry_names(self, lang: str = "zh", labels: Mapping[str, str] | None = None) -> tuple[str, ...]:
        if lang != "en":
            return self.leading_industries
        return self.leading_industries_en or english_terms(self.leading_industries, labels or {})

    def price_note(self, lang: str = "zh") -> str:
        """Why a park has no listed land price; in English only the English note (a sentence in pinyin says
        nothing), '' without one."""
        return self.land_price_note_en if lang == "en" else self.land_price_note

    def display_name(self, lang: str = "zh") -> str:
        return (self.name_en or romanise(self.name)) if lang == "en" else self.name

    def district_name(self, lang: str = "zh") -> str:
        return (self.district_en or romanise(self.district)) if lang == "en" else self.district

    def to_text(self, lang: str = "zh") -> str:
        if lang == "en":
            note = self.price_note("en")
            price = (f"industrial land {format_number(self.land_price_yuan_m2)} yuan/m2"
                     f" ({format_number(self.land_price_wan_mu)} 10k yuan/mu)" if self.land_price_yuan_m2 is not None
                     else "no listed land price" + (f": {note}" if note else ""))
            notes = f" {self.notes_en}" if self.notes_en else ""
            supply = "".join(f"; {label}: {text}" for label, text in (("power supply", self.power_supply_en),
                                                                      ("logistics", self.logistics_en)) if text)
            return (f"{self.id} {self.display_name('en')}, {self.district_name('en')}, {self.level_name('en')} level; "
                    f"leading industries: {', '.join(self.industry_names('en'))}; {price}{supply}; "
                    f"contact {self.contact}." + notes + (SAMPLE_EN if self.sample else ""))
        price = (f"工业用地价格{format_number(self.land_price_yuan_m2)}元/㎡（{format_number(self.land_price_wan_mu)}万元/亩）"
                 if self.land_price_yuan_m2 is not None else f"无工业用地挂牌价：{self.land_price_note}")
        parts = [f"{self.id} {self.name}（{self.district}，{self.level}园区）", f"主导产业：{'、'.join(self.leading_industries)}",
                 price, f"供电：{self.power_supply}", f"物流：{self.logistics}", f"服务电话：{self.contact}",
                 f"备注：{self.notes}", f"更新日期：{self.updated.isoformat()}"]
        return "；".join(p for p in parts if not p.endswith("：")) + "。" + (SAMPLE_ZH if self.sample else "")


@dataclass(frozen=True)
class Factory:
    id: str
    park: str
    district: str
    building: str
    floor: str
    area_m2: float
    clear_height_m: float | None
    floor_load_t_m2: float | None
    power_kva: float | None
    rent_yuan_m2_month: float | None
    sale_price_yuan_m2: float | None
    status: Status
    industries: tuple[str, ...]
    contact: str
    notes: str
    sample: bool
    updated: dt.date
    # Optional columns: the English names an English answer shows; pinyin of the Chinese name when empty.
    park_en: str = ""
    district_en: str = ""
    building_en: str = ""
    floor_en: str = ""  # where the floor is words (办公楼层), not 1F / 2-4F
    industries_en: tuple[str, ...] = ()
    notes_en: str = ""  # English answers leave out a note with no English (its pinyin says nothing)

    def industry_names(self, lang: str = "zh", labels: Mapping[str, str] | None = None) -> tuple[str, ...]:
        if lang != "en":
            return self.industries
        return self.industries_en or english_terms(self.industries, labels or {})

    def park_name(self, lang: str = "zh") -> str:
        return (self.park_en or romanise(self.park)) if lang == "en" else self.park

    def district_name(self, lang: str = "zh") -> str:
        return (self.district_en or romanise(self.district)) if lang == "en" else self.district

    def building_name(self, lang: str = "zh") -> str:
        return (self.building_en or romanise(self.building)) if lang == "en" else self.building

    def floor_name(self, lang: str = "zh") -> str:
        return (self.floor_en or romanise(self.floor)) if lang == "en" else self.floor

    @property
    def available(self) -> bool:
        return self.status != "leased"

    @property
    def for_rent(self) -> bool:
        return self.status in ("for_rent", "for_rent_or_sale")

    @property
    def for_sale(self) -> bool:
        return self.status in ("for_sale", "for_rent_or_sale")

    @property
    def floors(self) -> tuple[int, ...]:
        """'2-4F' -> (2, 3, 4), '1F' -> (1,), '办公楼层' -> () (no floor number given)."""
        match = re.search(r"(\d+)\s*(?:[-–~至到]\s*(\d+))?", self.floor)
        if not match:
            return ()
        low = int(match.group(1))
        return tuple(range(low, int(match.group(2) or low) + 1))

    @property
    def crane_t(self) -> float | None:
        """Capacity of the overhead crane the notes mention ('已配10吨行车' -> 10); 0 if no capacity is given,
        None when the notes mention no crane."""
        if not _CRANE_WORDS.search(self.notes) or _NO_CRANE.search(self.notes):
            return None
        match = _CRANE_TONNES.search(self.notes)
        return float(match.group(1)) if match else 0.0

    def status_text(self, lang: str = "zh") -> str:
        zh = {"for_rent": "可出租", "for_sale": "可出售", "for_rent_or_sale": "可租可售", "leased": "已出租（暂不可租）"}
        en = {"for_rent": "for rent", "for_sale": "for sale", "for_rent_or_sale": "for rent or sale",
              "leased": "leased (not available)"}
        return (en if lang == "en" else zh)[self.status]

    def to_text(self, lang: str = "zh") -> str:
        n = format_number
        if lang == "en":
            money = [f"rent {n(self.rent_yuan_m2_month)} yuan/m2 per month" if self.rent_yuan_m2_month else "",
                     f"sale price {n(self.sale_price_yuan_m2)} yuan/m2" if self.sale_price_yuan_m2 else ""]
            return (f"Standard factory {self.id} in {self.park_name('en')} ({self.district_name('en')}), "
                    f"{self.building_name('en')} {self.floor_name('en')}: "
                    f"{n(self.area_m2)} m2, clear height {n(self.clear_height_m)} m, floor load "
                    f"{n(self.floor_load_t_m2)} t/m2, power {n(self.power_kva)} kVA, "
                    + ", ".join(m for m in money if m) + f"; {self.status_text('en')}; suited to "
                    f"{', '.join(self.industry_names('en'))}; " + (f"{self.notes_en}; " if self.notes_en else "")
                    + f"contact {self.contact}."
                    + (SAMPLE_EN if self.sample else ""))
        money = [f"租金{n(self.rent_yuan_m2_month)}元/㎡·月" if self.rent_yuan_m2_month else "",
                 f"售价{n(self.sale_price_yuan_m2)}元/㎡" if self.sale_price_yuan_m2 else ""]
        return (f"标准厂房{self.id}：{self.park}（{self.district}）{self.building} {self.floor}，面积{n(self.area_m2)}㎡，"
                f"净高{n(self.clear_height_m)}米，楼面承重{n(self.floor_load_t_m2)}吨/㎡，电力容量{n(self.power_kva)}kVA，"
                + "，".join(m for m in money if m) + f"，{self.status_text()}；适合{'、'.join(self.industries)}；"
                f"{self.notes}；联系电话{self.contact}；更新日期{self.updated.isoformat()}。"
                + (SAMPLE_ZH if self.sample else ""))


def format_number(value: float | None, thousands: bool = False, digits: int = 6) -> str:
    """Plain digits, no trailing zeros: 9.0 -> '9', 0.1238 -> '0.1238', 632000 -> '632,000' with thousands."""
    if value is None:
        return "—"
    text = f"{round(value, digits):,.{digits}f}" if thousands else f"{round(value, digits):.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def english_terms(terms: tuple[str, ...], labels: Mapping[str, str]) -> tuple[str, ...]:
    """Chinese industry names in English for a row without English: a name the lexicon labels as a whole, else each
    labelled stem in it replaced by its label (冷链物流 -> cold-chain logistics) and the rest in pinyin."""
    return tuple(english_term(t, labels) for t in terms)


def english_term(term: str, labels: Mapping[str, str]) -> str:
    """One Chinese value in Latin letters: the lexicon's label_en for it or its stems, the rest in pinyin."""
    if term in labels:
        return labels[term]
    for stem in sorted(labels, key=len, reverse=True):
        term = term.replace(stem, f" {labels[stem]} ")
    return romanise(term)


def split_list(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in re.split(r"[、,，;；]", text) if part.strip())


def _raise_if(problems: list[object], path: str | Path) -> None:
    if problems:
        raise ValueError(f"{path} is invalid:\n" + "\n".join(str(p) for p in problems))


def load_parks(path: str | Path) -> list[Park]:
    _raise_if(list(validate_parks_csv(path)), path)
    return [park_from_row(r) for _, r in read_csv(path)[1]]


def load_factories(path: str | Path) -> list[Factory]:
    _raise_if(list(validate_factories_csv(path)), path)
    return [factory_from_row(r) for _, r in read_csv(path)[1]]


def park_from_row(r: dict[str, str]) -> Park:
    """A validated row (schema column -> text) as a Park."""
    return Park(
        id=r["id"], name=r["name"], name_en=r["name_en"], district=r["district"], level=r["level"],
        leading_industries=split_list(r["leading_industries"]),
        land_price_yuan_m2=parse_number(r["land_price_yuan_m2"]),
        land_price_wan_mu=parse_number(r["land_price_wan_mu"]),
        land_price_note=r["land_price_note"], power_supply=r["power_supply"], logistics=r["logistics"],
        contact=r["contact"], notes=r["notes"], sample=parse_bool(r["sample"]), updated=parse_date(r["updated"]),
        district_en=r.get("district_en", ""), level_en=r.get("level_en", ""),
        leading_industries_en=split_list(r.get("leading_industries_en", "")),
        land_price_note_en=r.get("land_price_note_en", ""), notes_en=r.get("notes_en", ""),
        power_supply_en=r.get("power_supply_en", ""), logistics_en=r.get("logistics_en", ""),
    )


def factory_from_row(r: dict[str, str]) -> Factory:
    """A validated row (schema column -> text) as a Factory."""
    return Factory(
        id=r["id"], park=r["park"], district=r["district"], building=r["building"], floor=r["floor"],
        area_m2=float(parse_number(r["area_m2"]) or 0.0), clear_height_m=parse_number(r["clear_height_m"]),
        floor_load_t_m2=parse_number(r["floor_load_t_m2"]), power_kva=parse_number(r["power_kva"]),
        rent_yuan_m2_month=parse_number(r["rent_yuan_m2_month"]),
        sale_price_yuan_m2=parse_number(r["sale_price_yuan_m2"]), status=cast(Status, r["status"]),
        industries=split_list(r["industries"]), contact=r["contact"], notes=r["notes"],
        sample=parse_bool(r["sample"]), updated=parse_date(r["updated"]),
        park_en=r.get("park_en", ""), district_en=r.get("district_en", ""), building_en=r.get("building_en", ""),
        floor_en=r.get("floor_en", ""), industries_en=split_list(r.get("industries_en", "")),
        notes_en=r.get("notes_en", ""),
    )
