"""A company's profile (what it plans here) and the facts the rules' criteria read from it.

A figure the profile does not give is unknown, never zero. Facts are held as ranges: a stated figure is the
range [v, v], an unknown one [0, ∞), and a sum with an unknown part is known only from below; so a criterion
decided on a profile stays decided when more is stated (adding a fact narrows a range, never widens it).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.listings import Places

MAX_YUAN = 1e13  # ten trillion yuan: far above any project, far below float trouble
MAX_PEOPLE = 10_000_000
OPEN_DISTRICT = re.compile(r"^(?:open|any|undecided|tbd|不限|待定|未定|均可|都可以|任意|open to any)$", re.I)
UNKNOWN = (0.0, math.inf)

_Yuan = Field(None, ge=0, le=MAX_YUAN)
_People = Field(None, ge=0, le=MAX_PEOPLE)


class Talents(BaseModel):
    """New graduate hires by degree; a degree not given is unknown."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    phd: int | None = Field(None, ge=0, le=MAX_PEOPLE, description="博士研究生")
    master: int | None = Field(None, ge=0, le=MAX_PEOPLE, description="硕士研究生")
    bachelor: int | None = Field(None, ge=0, le=MAX_PEOPLE, description="本科毕业生")
    bachelor_double_first_class: int | None = Field(None, ge=0, le=MAX_PEOPLE, description=(
        "Of the bachelors, those from 双一流 universities (full-time)."))
    high_level: int | None = Field(None, ge=0, le=MAX_PEOPLE, description=(
        "Talents recognised as high-level or urgently needed (经认定的高层次或急需紧缺人才)."))


class Profile(BaseModel):
    """What a company plans here. Every field is optional: what is not given is unknown, and the result says
    which facts would decide the rules that depend on them. Amounts in yuan, land in mu, areas in m²."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False,
                              str_strip_whitespace=True)

    industry: str | None = Field(None, max_length=100, description="In words, Chinese or English (锂电池正极材料).")
    district: str | None = Field(None, max_length=40, description='A district, or "open" when not decided.')
    investment_yuan: float | None = Field(None, ge=0, le=MAX_YUAN, description="Planned total investment.")
    fixed_asset_investment_yuan: float | None = Field(None, ge=0, le=MAX_YUAN, description=(
        "Fixed-asset investment, excluding the land price."))
    equipment_investment_yuan: float | None = Field(None, ge=0, le=MAX_YUAN, description=(
        "New production equipment (no tax, freight, installation or second-hand kit)."))
    land_mu: float | None = Field(None, ge=0, le=1e7, description="Industrial land wanted, in mu.")
    factory_m2: float | None = Field(None, ge=0, le=1e8, description="Standard-factory floor area to lease, m².")
    annual_kwh: float | None = Field(None, ge=0, le=1e13, description="Power use a year, kWh.")
    voltage_kv: float | None = Field(None, gt=0, le=1000, description="Supply voltage, kV (10, 35, 110, 220).")
    jobs: int | None = Field(None, ge=0, le=MAX_PEOPLE, description="New jobs.")
    revenue_yuan: float | None = Field(None, ge=0, le=MAX_YUAN, description="Annual revenue.")
    taxable_income_yuan: float | None = Field(None, ge=0, le=MAX_YUAN, description="Annual taxable income.")
    local_contribution_yuan: float | None = Field(None, ge=0, le=MAX_YUAN, description=(
        "Annual local economic contribution: taxes kept by the district."))
    rd_spend_yuan: float | None = Field(None, ge=0, le=MAX_YUAN, description="Annual R&D spend.")
    encouraged_revenue_share: float | None = Field(None, ge=0, le=1, description=(
        "Share of revenue from business in the Western Region encouraged-industry catalogue (0.7 = 70%)."))
    talents: Talents | None = Field(None, description="New graduate hires by degree.")
    registered_locally: bool | None = Field(None, description="Registered, taxed and counted here.")
    foreign_invested: bool | None = None
    new_rd_institute: bool | None = Field(None, description="Setting up an R&D institute as its own legal person.")
    rd_centre_level: Literal["national", "provincial", "municipal"] | None = Field(None, description=(
        "Level of an R&D centre approved for the first time."))
    listing_board: Literal["main", "other", "neeq"] | None = None
    firm_size: Literal["large", "medium", "small"] | None = Field(None, description=(
        "Size on newly entering the above-scale statistics or moving up a size."))


Range = tuple[float, float]


@dataclass(frozen=True)
class Facts:
    """The profile as the criteria read it: figures as ranges, flags and categories as values or None."""

    numbers: dict[str, Range]
    flags: dict[str, bool | None]
    categories: dict[str, str | None]
    industry_text: str = ""
    industries: tuple[str, ...] = ()  # the lexicon's industry words the stated industry names
    district_open: bool = False
    notes: list[tuple[str, str]] = field(default_factory=list)  # (zh, en) assumptions made in reading it

    def number(self, fact: str) -> Range:
        return self.numbers.get(fact, UNKNOWN)

    def point(self, fact: str) -> float | None:
        lo, hi = self.number(fact)
        return lo if lo == hi else None

    @property
    def industry_known(self) -> bool:
        return bool(self.industries)


def _point(value: float | None) -> Range:
    return UNKNOWN if value is None else (float(value), float(value))


def _district(text: str | None, places: Places) -> tuple[str | None, bool]:
    if text is None or not text.strip() or OPEN_DISTRICT.match(text.strip()):
        return None, text is not None and bool(text.strip())
    known = places.named_district(text, places.districts())
    return known or text.strip(), False


def _site(p: Profile, numbers: dict[str, Range], notes: list[tuple[str, str]]) -> None:
    """A project states its site as land in mu or a factory area to lease: the one stated is the site, the other
    is read as none (said in the notes), so a tenant is not offered the land rebate, nor a builder the rent relief."""
    if p.land_mu and p.factory_m2 is None:
        numbers["factory_m2"] = (0.0, 0.0)
        notes.append(("只提供了用地面积：按取得土地自建处理，不租用标准厂房。",
                      "Land given, no factory area: read as building on its own land, not leasing a standard factory."))
    elif p.factory_m2 and p.land_mu is None:
        numbers["land_mu"] = (0.0, 0.0)
        notes.append(("只提供了厂房面积：按租用厂房处理，不取得出让土地。",
                      "Factory area given, no land: read as leasing a factory, not acquiring land."))


def read_facts(profile: Profile, places: Places) -> Facts:
    """The facts of a profile; districts and industries are read through the corpus's place catalogue and
    lexicon (Guanshanhu → 观山湖区, lithium battery → 电池)."""
    p, notes = profile, []
    numbers: dict[str, Range] = {name: _point(getattr(p, name)) for name in (
        "investment_yuan", "fixed_asset_investment_yuan", "equipment_investment_yuan", "land_mu", "factory_m2",
        "annual_kwh", "voltage_kv", "jobs", "revenue_yuan", "taxable_income_yuan", "local_contribution_yuan",
        "rd_spend_yuan", "encouraged_revenue_share")}
    _site(p, numbers, notes)
    t = p.talents or Talents()
    degrees = {"phd": t.phd, "master": t.master, "bachelor": t.bachelor}
    for key in ("phd", "master", "bachelor", "high_level"):
        numbers[f"talents.{key}"] = _point(getattr(t, key))
    # Double-first-class bachelors are some of the bachelors: at most all of them when not stated.
    numbers["talents.bachelor_double_first_class"] = (_point(t.bachelor_double_first_class)
                                                      if t.bachelor_double_first_class is not None
                                                      else (0.0, float(t.bachelor) if t.bachelor is not None
                                                            else math.inf))
    numbers["talents.total"] = (float(sum(v or 0 for v in degrees.values())),
                                math.inf if any(v is None for v in degrees.values()) else
                                float(sum(v or 0 for v in degrees.values())))
    base = p.fixed_asset_investment_yuan
    if base is None and p.investment_yuan is not None:
        base = p.investment_yuan
        if p.land_mu:
            notes.append(("未提供固定资产投资，亩均投资按计划总投资估算。",
                          "No fixed-asset investment given: investment per mu estimated from the planned total."))
    if base is not None and p.land_mu:
        numbers["investment_per_mu_yuan"] = _point(base / p.land_mu)
    if p.rd_spend_yuan is not None and p.revenue_yuan:
        numbers["rd_ratio"] = _point(p.rd_spend_yuan / p.revenue_yuan)
    district, is_open = _district(p.district, places)
    industries = places.industries_in(p.industry) if p.industry else ()
    return Facts(numbers=numbers,
                 flags={"registered_locally": p.registered_locally, "foreign_invested": p.foreign_invested,
                        "new_rd_institute": p.new_rd_institute},
                 categories={"district": district, "rd_centre_level": p.rd_centre_level,
                             "listing_board": p.listing_board, "firm_size": p.firm_size},
                 industry_text=p.industry or "", industries=industries, district_open=is_open, notes=notes)
