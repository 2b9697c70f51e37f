"""The one schema of corpus/rules/*.yaml (tariffs, land, incentives) as pydantic models.

Validation and loading both go through these models (rule_files.py adds file and line to each fault); the
calculators read the validated objects. Field types carry the wording staff see when a value is wrong.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Literal, TypeVar, Union, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PlainValidator,
    Tag,
    field_validator,
)
from pydantic_core import PydanticCustomError
from typing_extensions import TypedDict

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PERIOD = re.compile(r"^([01]\d|2[0-4]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$")
_KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def _fault(kind: str, message: str, value: Any) -> PydanticCustomError:
    return PydanticCustomError(kind, message, {"value": repr(value)})


# ---------- scalar types: the checks and messages of the old spec language ----------

def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _fault("not_a_number", "not a number: {value}", value)
    return float(value)


def _whole(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
        raise _fault("not_a_whole_number", "not a whole number: {value}", value)
    return int(value)


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fault("not_text", "expected non-empty text, got {value}", value)
    return value


def _optional_text(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _fault("not_text", "expected text, got {value}", value)
    return value


def _label(value: Any) -> str:
    """Any scalar, kept as text (a month such as 2025-12)."""
    return "" if value is None else str(value)


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _fault("not_a_flag", "bad sample flag {value} (use true or false)", value)
    return value


def _id(value: Any) -> str:
    if not isinstance(value, str) or not _KEBAB.match(value):
        raise _fault("bad_id", "id {value} is not kebab-case", value)
    return value


def _period(value: Any) -> str:
    if not isinstance(value, str) or not _PERIOD.match(value):
        raise _fault("bad_period", "bad period {value} (use HH:MM-HH:MM)", value)
    return value


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        if isinstance(value, str) and _DATE.match(value.strip()):
            return dt.date.fromisoformat(value.strip())
    except ValueError:
        pass
    raise _fault("bad_date", "bad date {value} (use YYYY-MM-DD)", value)


def _optional_date(value: Any) -> dt.date | None:
    return None if value in (None, "") else _date(value)


Num = Annotated[float, PlainValidator(_number)]
Whole = Annotated[int, PlainValidator(_whole)]
Text = Annotated[str, PlainValidator(_text)]
OptText = Annotated[str, PlainValidator(_optional_text)]
Label = Annotated[str, PlainValidator(_label)]
Flag = Annotated[bool, PlainValidator(_flag)]
Id = Annotated[str, PlainValidator(_id)]
Period = Annotated[str, PlainValidator(_period)]
Date = Annotated[dt.date, PlainValidator(_date)]
OptDate = Annotated[dt.date | None, PlainValidator(_optional_date)]
T = TypeVar("T")
NonEmpty = Annotated[tuple[T, ...], Field(min_length=1)]


class Strict(BaseModel):
    """Every rules mapping: unknown (e.g. misspelt) keys are faults, objects are read-only."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(Strict):
    title: Text
    doc_number: OptText = ""
    article: OptText = ""

    def cite(self) -> str:
        """《标题》（文号）第X条 — the form answers and working lines use."""
        number = f"（{self.doc_number}）" if self.doc_number else ""
        return f"《{self.title}》{number}{self.article}"


class Meta(Strict):
    """A rules file's `meta:`. Its values are judged by validation.validate_metadata (shared with documents, same
    messages), so the types here only convert; what they add is the check for unknown keys."""

    title: Label
    issuer: Label
    doc_number: Label = ""
    topic: Label
    district: Label = ""
    effective: Date
    expires: OptDate = None
    language: Label
    sample: Flag = False


class Item(Strict):
    """A rule with its own citation and sample flag; `note` is free text for people reading the file."""

    source: Source
    sample: Flag
    note: OptText = ""


class Example(Item):
    """A worked example kept in the file for readers (not indexed as a rule)."""

    title: Text
    text: Text


# ---------- tariffs.yaml ----------

class Periods(TypedDict):
    __pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[misc]
    peak: NonEmpty[Period]
    flat: NonEmpty[Period]
    valley: NonEmpty[Period]


class Ratios(TypedDict):
    __pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[misc]
    peak: Num
    flat: Num
    valley: Num


class TimeOfUse(Item):
    periods: Periods
    ratios: Ratios
    non_floating_yuan_kwh: Num


class VoltageLevel(Strict):
    voltage: Text
    energy_yuan_kwh: Num
    demand_yuan_kw_month: Num
    capacity_yuan_kva_month: Num
    sample: Flag


class TwoPartTariff(Strict):
    source: Source
    sample: Flag = False
    effective: OptDate = None
    note: OptText = ""
    levels: NonEmpty[VoltageLevel]

    def level(self, voltage: str) -> VoltageLevel:
        wanted = normalise_voltage(voltage)
        for level in self.levels:
            if normalise_voltage(level.voltage) == wanted:
                return level
        known = ", ".join(level.voltage for level in self.levels)
        raise ValueError(f"no two-part tariff for {voltage!r} (known: {known})")


class UnitPrice(Item):
    price_yuan_kwh: Num

    @property
    def label(self) -> str:
        return ""


class ProxyPurchase(UnitPrice):
    month: Label = ""

    @property
    def label(self) -> str:
        return self.month


class AllInPrices(Item):
    flat: Num
    peak: Num
    valley: Num


class DataCentreTariff(Item):
    district: Text
    price_yuan_kwh: Num
    elsewhere_yuan_kwh: Num


class ResidentialTier(Strict):
    from_kwh_year: Num
    to_kwh_year: Num | None  # required; null for the open top tier
    price_yuan_kwh: Num


class ResidentialTiers(Item):
    tiers: NonEmpty[ResidentialTier]


class Tariffs(Strict):
    unique: ClassVar[tuple[tuple[str, str], ...]] = (("two_part_tariff.levels", "voltage"),)

    meta: Meta
    time_of_use: TimeOfUse
    two_part: TwoPartTariff = Field(alias="two_part_tariff")
    proxy_purchase: ProxyPurchase
    line_loss: UnitPrice = Field(alias="line_loss_and_operation")
    all_in_10kv: AllInPrices = Field(alias="all_in_large_industry_10kv")
    data_centre: DataCentreTariff
    residential_tiers: ResidentialTiers
    examples: tuple[Example, ...] = ()

    @property
    def residential(self) -> tuple[ResidentialTier, ...]:
        return self.residential_tiers.tiers

    @property
    def residential_source(self) -> Source:
        return self.residential_tiers.source

    @property
    def residential_sample(self) -> bool:
        return self.residential_tiers.sample


def normalise_voltage(text: str) -> str:
    """'10 kV' / '10kv' / '10千伏' / '10' -> '10kV'."""
    match = re.search(r"\d+", str(text))
    return f"{match.group()}kV" if match else str(text).strip()


# ---------- land.yaml ----------

class MinimumGrades(Item):
    yuan_m2: NonEmpty[Num]
    effective: OptDate = None
    basis: OptText = ""


class FloorRatio(Item):
    ratio: Num
    year: Whole | None = None
    applies_to: OptText = ""


class NoteSection(BaseModel):
    """A land rule kept as text only (flexible terms, standard land …): indexed for search, read by no calculator.
    Its descriptive figures (min_years …) may be any keys; note and source are what the index needs."""

    model_config = ConfigDict(extra="allow", frozen=True)
    note: Text
    source: Source
    sample: Flag = False


class LandRules(Strict):
    # Any further top-level key is a note section (see NoteSection), so a staff member can add one without code.
    model_config = ConfigDict(extra="allow", frozen=True)
    __pydantic_extra__: dict[str, NoteSection] = Field(init=False)

    meta: Meta
    mu_m2: Num
    max_term_years: Num
    national_minimum_grades: MinimumGrades
    priority_floor: FloorRatio = Field(alias="priority_floor_ratio")
    guizhou_floor: FloorRatio = Field(alias="guizhou_floor_ratio")
    land_rebate_ref: Id | None = None  # the id of the land_rebate incentive, for readers
    examples: tuple[Example, ...] = ()

    @property
    def notes(self) -> Mapping[str, NoteSection]:
        return self.__pydantic_extra__

    @property
    def national_grades_yuan_m2(self) -> tuple[float, ...]:
        return self.national_minimum_grades.yuan_m2

    @property
    def grades_source(self) -> Source:
        return self.national_minimum_grades.source

    @property
    def grades_sample(self) -> bool:
        return self.national_minimum_grades.sample


# ---------- incentives.yaml: one model per `kind` ----------

class Incentive(Item):
    """What every incentive has; the subclasses add the fields of their kind."""

    id: Id
    name: Text
    name_en: OptText = ""
    kind: str
    district: OptText = ""
    conditions: NonEmpty[Text]
    example: OptText = ""  # a worked example, indexed with the rule


class ContributionStep(Strict):
    from_year: Whole
    to_year: Whole
    rate: Num


class ContributionReturn(Incentive):
    kind: Literal["contribution_return"]
    min_annual_contribution_wan: Num
    schedule: NonEmpty[ContributionStep]


class MilestoneTier(Strict):
    revenue_yi: Num
    award_wan: Num


class MilestoneAward(Incentive):
    kind: Literal["milestone_award"]
    tiers: NonEmpty[MilestoneTier]


class EquipmentSubsidy(Incentive):
    kind: Literal["equipment_subsidy"]
    rate: Num
    min_fixed_asset_investment_yi: Num
    cap_wan: Num


class RebateTier(Strict):
    min_investment_wan_per_mu: Num
    min_jobs: Num
    rate: Num


class LandRebate(Incentive):
    kind: Literal["land_rebate"]
    tiers: NonEmpty[RebateTier]


class RentRelief(Incentive):
    kind: Literal["rent_relief"]
    free_years: Num
    half_years: Num
    half_rate: Num = 0.5  # 减半 = half unless the rule says otherwise


class LevelTier(Strict):
    level: Text
    award_wan: Num


class RdCentreAward(Incentive):
    kind: Literal["rd_centre_award"]
    tiers: NonEmpty[LevelTier]


class BoardTier(Strict):
    board: Text
    award_wan: Num


class ListingAward(Incentive):
    kind: Literal["listing_award"]
    tiers: NonEmpty[BoardTier]


class SizeTier(Strict):
    size: Text
    award_wan: Num


class UpgradeAward(Incentive):
    kind: Literal["upgrade_award"]
    tiers: NonEmpty[SizeTier]


class ForeignRdInstitute(Incentive):
    kind: Literal["foreign_rd_institute"]
    min_wan: Num
    max_wan: Num


class TaxRate(Incentive):
    kind: Literal["tax_rate"]
    rate: Num
    from_year: Whole
    to_year: Whole
    min_revenue_share: Num
    standard_rate: Num | None = None  # the rate it is compared with; else the question must give it


def _words(text: str) -> str:
    """Lower case, hyphens and runs of spaces as one space: 'Integrated-Circuit' ~ 'integrated circuit'."""
    return re.sub(r"[\s\-_]+", " ", text.lower()).strip()


class SpecialIndustry(Strict):
    """An industry a rule treats specially: its name as the rules write it, its English name for English answers,
    and other words a question may name it by (matched ignoring case; a hyphen reads as a space)."""

    name: Text
    name_en: OptText = ""
    aliases: tuple[Text, ...] = ()

    def named_in(self, text: str) -> bool:
        words = _words(text)
        return any(_words(term) in words for term in (self.name, self.name_en, *self.aliases) if term.strip())

    def label(self, lang: str) -> str:
        return (self.name_en or self.name) if lang == "en" else self.name


def _industry(value: Any) -> Any:
    """A bare name is an industry without English name or aliases (`industries: [集成电路]`)."""
    return {"name": value} if isinstance(value, str) else value


class SpecialDeduction(Strict):
    industries: NonEmpty[Annotated[SpecialIndustry, BeforeValidator(_industry)]]
    rate: Num
    intangible_rate: Num
    from_year: Whole
    to_year: Whole

    def industry(self, text: str) -> SpecialIndustry | None:
        """The listed industry the text names (its name, English name or an alias), or None."""
        return next((industry for industry in self.industries if industry.named_in(text)), None)


class RdSuperDeduction(Incentive):
    kind: Literal["rd_super_deduction"]
    rate: Num
    intangible_rate: Num
    from_year: Whole
    special: SpecialDeduction | None = None


class DegreeAward(Strict):
    degree: Text
    award_wan: Num


class TalentSettlement(Incentive):
    kind: Literal["talent_settlement"]
    tiers: NonEmpty[DegreeAward]


class DegreeAllowance(Strict):
    degree: Text
    yuan_month: Num


class TalentAllowance(Incentive):
    kind: Literal["talent_allowance"]
    months: Num
    tiers: NonEmpty[DegreeAllowance]


class HiringSubsidy(Incentive):
    kind: Literal["hiring_subsidy"]
    yuan_per_person: Num


class GraduateRentSubsidy(Incentive):
    kind: Literal["graduate_rent_subsidy"]
    min_yuan: Num
    max_yuan: Num
    within_years: Num


class HomePurchaseSubsidy(Incentive):
    kind: Literal["home_purchase_subsidy"]
    min_wan: Num
    max_wan: Num


class GuideFund(Incentive):
    kind: Literal["guide_fund"]
    size_yi: Num


class TemporaryAccommodation(Incentive):
    kind: Literal["temporary_accommodation"]
    max_days: Num


class TalentApartment(Incentive):
    kind: Literal["talent_apartment"]
    free_years: Num
    lowest_rent_years: Num


class UnknownKind(Incentive):
    """Where `kind` is missing or not one of the models above: the shared fields are still checked, and `kind`
    is reported; the kind-specific keys cannot be judged, so they are let through."""

    model_config = ConfigDict(extra="allow", frozen=True)

    @field_validator("kind", mode="plain")
    @classmethod
    def _unknown(cls, value: Any) -> str:
        raise PydanticCustomError("unknown_kind", "unknown incentive kind {value}", {"value": repr(value)})


def kind_name(cls: type[Incentive]) -> str:
    """The `kind` value a model stands for (its Literal)."""
    return str(get_args(cls.model_fields["kind"].annotation)[0])


KINDS: dict[str, type[Incentive]] = {
    kind_name(cls): cls
    for cls in (ContributionReturn, MilestoneAward, EquipmentSubsidy, LandRebate, RentRelief, RdCentreAward,
                ListingAward, UpgradeAward, ForeignRdInstitute, TaxRate, RdSuperDeduction, TalentSettlement,
                TalentAllowance, HiringSubsidy, GraduateRentSubsidy, HomePurchaseSubsidy, GuideFund,
                TemporaryAccommodation, TalentApartment)
}


def _kind_tag(value: Any) -> str:
    kind = value.get("kind") if isinstance(value, dict) else getattr(value, "kind", None)
    return kind if isinstance(kind, str) and kind in KINDS else "unknown"


AnyIncentive = Annotated[
    Union[  # noqa: UP007 — each member needs its Tag annotation
        Annotated[ContributionReturn, Tag("contribution_return")],
        Annotated[MilestoneAward, Tag("milestone_award")],
        Annotated[EquipmentSubsidy, Tag("equipment_subsidy")],
        Annotated[LandRebate, Tag("land_rebate")],
        Annotated[RentRelief, Tag("rent_relief")],
        Annotated[RdCentreAward, Tag("rd_centre_award")],
        Annotated[ListingAward, Tag("listing_award")],
        Annotated[UpgradeAward, Tag("upgrade_award")],
        Annotated[ForeignRdInstitute, Tag("foreign_rd_institute")],
        Annotated[TaxRate, Tag("tax_rate")],
        Annotated[RdSuperDeduction, Tag("rd_super_deduction")],
        Annotated[TalentSettlement, Tag("talent_settlement")],
        Annotated[TalentAllowance, Tag("talent_allowance")],
        Annotated[HiringSubsidy, Tag("hiring_subsidy")],
        Annotated[GraduateRentSubsidy, Tag("graduate_rent_subsidy")],
        Annotated[HomePurchaseSubsidy, Tag("home_purchase_subsidy")],
        Annotated[GuideFund, Tag("guide_fund")],
        Annotated[TemporaryAccommodation, Tag("temporary_accommodation")],
        Annotated[TalentApartment, Tag("talent_apartment")],
        Annotated[UnknownKind, Tag("unknown")],
    ],
    Discriminator(_kind_tag),
]
K = TypeVar("K", bound=Incentive)


class Incentives(Strict):
    unique: ClassVar[tuple[tuple[str, str], ...]] = (("incentives", "id"),)

    meta: Meta
    items: NonEmpty[AnyIncentive] = Field(alias="incentives")
    context: dict[str, Text] = {}  # background facts for readers, not incentives

    def applicable(self, kind: type[K], district: str | None = None) -> tuple[K, ...]:
        """The rules of a kind that may apply: with no district, all of them; in a district, those for it, else
        those for everywhere (district "")."""
        items = [item for item in self.items if isinstance(item, kind)]
        if district is None:
            return tuple(items)
        return tuple([i for i in items if i.district == district] or [i for i in items if not i.district])

    def districts(self, kind: type[K]) -> tuple[str, ...]:
        """The districts the rules of a kind name, in file order (a rule for everywhere names none)."""
        return tuple(dict.fromkeys(item.district for item in self.applicable(kind) if item.district))

    def find(self, kind: type[K], district: str | None = None) -> K:
        for item in self.applicable(kind, district):
            return item
        raise KeyError(f"no incentive of kind {kind_name(kind)!r}" + (f" for {district}" if district else ""))


RULE_MODELS: dict[str, type[Tariffs | LandRules | Incentives]] = {
    "tariffs": Tariffs, "land": LandRules, "incentives": Incentives,
}
