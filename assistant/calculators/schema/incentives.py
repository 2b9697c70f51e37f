"""incentives.yaml: one model per `kind`, chosen by the `kind` key, and the Incentives container."""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar, Literal, TypeVar, Union, get_args

from pydantic import (
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
)
from pydantic_core import PydanticCustomError

from assistant.calculators.schema.awards import (
    AmountRange,
    FixedAmount,
    InKind,
    PerUnit,
    PriceCap,
    RateOfBase,
    Tiered,
)
from assistant.calculators.schema.criteria import ExclusiveGroup, IndustryGroup
from assistant.calculators.schema.fields import (
    Meta,
    NonEmpty,
    Num,
    OptText,
    Strict,
    Text,
    Whole,
)
from assistant.calculators.schema.incentive_base import Incentive


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
                TemporaryAccommodation, TalentApartment, FixedAmount, RateOfBase, Tiered, PerUnit, AmountRange,
                PriceCap, InKind)
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
        Annotated[FixedAmount, Tag("fixed_amount")],
        Annotated[RateOfBase, Tag("rate_of_base")],
        Annotated[Tiered, Tag("tiered")],
        Annotated[PerUnit, Tag("per_unit")],
        Annotated[AmountRange, Tag("amount_range")],
        Annotated[PriceCap, Tag("price_cap")],
        Annotated[InKind, Tag("in_kind")],
        Annotated[UnknownKind, Tag("unknown")],
    ],
    Discriminator(_kind_tag),
]
K = TypeVar("K", bound=Incentive)


class Incentives(Strict):
    unique: ClassVar[tuple[tuple[str, str], ...]] = (("incentives", "id"), ("exclusive_groups", "id"),
                                                     ("industry_groups", "id"))

    meta: Meta
    items: NonEmpty[AnyIncentive] = Field(alias="incentives")
    context: dict[str, Text] = {}  # background facts for readers, not incentives
    exclusive_groups: tuple[ExclusiveGroup, ...] = ()
    industry_groups: tuple[IndustryGroup, ...] = ()

    def reference_faults(self) -> list[tuple[str, str]]:
        """(key path, message) for names that must refer to something else in the file: an incentive's
        exclusive_group, and the industry groups its criteria name (a word that is no group is an industry word)."""
        groups = {g.id for g in self.exclusive_groups}
        faults = [(f"incentives[{i}].exclusive_group", f"no exclusive group {inc.exclusive_group!r} in exclusive_groups")
                  for i, inc in enumerate(self.items) if inc.exclusive_group and inc.exclusive_group not in groups]
        used = {inc.exclusive_group for inc in self.items}
        faults += [(f"exclusive_groups[{i}].id", f"exclusive group {g.id!r} names no incentive")
                   for i, g in enumerate(self.exclusive_groups) if g.id not in used]
        return faults

    def group(self, group_id: str) -> ExclusiveGroup | None:
        return next((g for g in self.exclusive_groups if g.id == group_id), None)

    def industry_words(self, names: tuple[str, ...]) -> tuple[str, ...]:
        """Industry words of a criterion's `any` / `none`: a group's words for a group id, else the name itself."""
        groups = {g.id: g.words for g in self.industry_groups}
        return tuple(dict.fromkeys(w for name in names for w in groups.get(name, (name,))))

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
