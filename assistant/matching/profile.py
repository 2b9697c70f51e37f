"""A company's profile (what it plans here) and the facts the rules' criteria read from it.

A figure the profile does not give is unknown, never zero. Facts are held as ranges: a stated figure is the
range [v, v], an unknown one [0, ∞), and a sum with an unknown part is known only from below; so a criterion
decided on a profile stays decided when more is stated (adding a fact narrows a range, never widens it).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.listings import FACTORY_ID, Factory, Park, Places

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
    site: Literal["land", "lease"] | None = Field(None, description=(
        "How the project gets its premises: acquiring land, or leasing a factory or offices."))
    land_mu: float | None = Field(None, ge=0, le=1e7, description="Industrial land wanted, in mu.")
    factory_m2: float | None = Field(None, ge=0, le=1e8, description="Standard-factory floor area to lease, m².")
    factory_unit: str | None = Field(None, max_length=20, description=(
        "A factory unit of the listings to lease (F-007): its rent and supply capacity price the lease."))
    park: str | None = Field(None, max_length=60, description="A park of the listings, when one is chosen.")
    annual_kwh: float | None = Field(None, ge=0, le=1e13, description="Power use a year, kWh.")
    voltage_kv: float | None = Field(None, gt=0, le=1000, description="Supply voltage, kV (10, 35, 110, 220).")
    transformer_kva: float | None = Field(None, gt=0, le=1e7, description=(
        "Transformer (contracted) capacity, kVA: the basic charge by capacity."))
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
    foreign_invested: bool | None = Field(None, description="Foreign-invested; not said reads as no.")
    leading_enterprise: bool | None = Field(None, description=(
        "Recognised as a leading (龙头), high-tech or 'champion' enterprise."))
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
    unit: Factory | None = None  # the listed factory unit the profile names

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


def _place(p: Profile, places: Places, unit: Factory | None) -> tuple[str | None, str | None, bool]:
    """(district, park, open): the district read through the place catalogue (Guanshanhu → 观山湖区); a park named
    as the district (贵阳综合保税区), as the park, or by the factory unit to lease gives the park and, when no
    district is named, its district."""
    text = (p.district or "").strip()
    is_open = bool(text) and bool(OPEN_DISTRICT.match(text))
    district = None if not text or is_open else places.named_district(text, places.districts())
    park = _park_named(p.park, places)
    if park is None and not is_open and district is None:
        park = _park_named(text, places)
    if park is None and unit is not None:
        park = next((k for k in places.parks if k.name == unit.park), None)
    if district is None:  # a named park or unit decides the district, even one said to be open
        district = park.district if park else unit.district if unit else None if is_open else text or None
    return district, park.name if park else None, is_open and district is None


def _park_named(text: str | None, places: Places) -> Park | None:
    """The park a text names by its name or an alias (not by its district alone)."""
    scored = sorted(places.park_scores(text), key=lambda ps: -ps[1]) if text else []
    return scored[0][0] if scored and scored[0][1] > 1 else None


def find_unit(text: str | None, factories: Sequence[Factory]) -> Factory | None:
    """The listed factory unit a profile names (F-007, f007)."""
    m = FACTORY_ID.search((text or "").lower())
    return next((f for f in factories if m and f.id == f"F-{m.group(1)}"), None)


def _site(p: Profile, unit: Factory | None, numbers: dict[str, Range], notes: list[tuple[str, str]]) -> None:
    """A project states its site as land in mu, a factory to lease (its area or unit) or the way it gets one
    (site): the one stated is the site, the other is read as none (said in the notes), so a tenant is not offered
    the land rebate, nor a builder the rent relief."""
    lease = p.site == "lease" or unit is not None or bool(p.factory_m2)
    land = p.site == "land" or bool(p.land_mu)
    if unit is not None and p.factory_m2 is None:
        numbers["factory_m2"] = (unit.area_m2, unit.area_m2)
        notes.append((f"未提供租用面积：按{unit.id}整个单元{unit.area_m2:g}㎡测算。",
                      f"No area given: priced at the whole of {unit.id}, {unit.area_m2:g} m2."))
    if land and not lease and p.factory_m2 is None:
        numbers["factory_m2"] = (0.0, 0.0)
        notes.append(("按取得土地自建处理，不租用标准厂房。",
                      "Read as building on its own land, not leasing a standard factory."))
    elif lease and not land and p.land_mu is None:
        numbers["land_mu"] = (0.0, 0.0)
        notes.append(("按租用厂房或办公用房处理，不取得出让土地。",
                      "Read as leasing premises, not acquiring land."))


def read_facts(profile: Profile, places: Places, factories: Sequence[Factory] = ()) -> Facts:
    """The facts of a profile; districts, parks and industries are read through the corpus's place catalogue and
    lexicon (Guanshanhu → 观山湖区, lithium battery → 电池), a factory unit through the listings."""
    p, notes = profile, []
    unit = find_unit(p.factory_unit, factories)
    numbers: dict[str, Range] = {name: _point(getattr(p, name)) for name in (
        "investment_yuan", "fixed_asset_investment_yuan", "equipment_investment_yuan", "land_mu", "factory_m2",
        "annual_kwh", "voltage_kv", "transformer_kva", "jobs", "revenue_yuan", "taxable_income_yuan",
        "local_contribution_yuan", "rd_spend_yuan", "encouraged_revenue_share")}
    _site(p, unit, numbers, notes)
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
    district, park, is_open = _place(p, places, unit)
    industries = places.industries_in(p.industry) if p.industry else ()
    return Facts(numbers=numbers,
                 flags={"registered_locally": p.registered_locally, "foreign_invested": p.foreign_invested,
                        "new_rd_institute": p.new_rd_institute, "leading_enterprise": p.leading_enterprise},
                 categories={"district": district, "park": park, "site": p.site,
                             "factory_unit": unit.id if unit else p.factory_unit, "rd_centre_level": p.rd_centre_level,
                             "listing_board": p.listing_board, "firm_size": p.firm_size},
                 industry_text=p.industry or "", industries=industries, district_open=is_open, notes=notes,
                 unit=unit)
