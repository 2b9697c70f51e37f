"""The one schema of corpus/rules/*.yaml (tariffs, land, incentives) as pydantic models.

Validation and loading both go through these models (rule_files.py adds file and line to each fault); the
calculators read the validated objects. Field types carry the wording staff see when a value is wrong.
"""

from __future__ import annotations

from assistant.calculators.schema.awards import (
    GENERIC_KINDS,
    AmountRange,
    FixedAmount,
    InKind,
    PerUnit,
    PriceCap,
    RateOfBase,
    Tier,
    Tiered,
)
from assistant.calculators.schema.criteria import (
    FACTS,
    AnyOf,
    Category,
    Criterion,
    CriterionItem,
    ExclusiveGroup,
    FactSpec,
    IndustryGroup,
    Payee,
)
from assistant.calculators.schema.fields import (
    Date,
    Example,
    Flag,
    Id,
    Item,
    Label,
    Meta,
    NonEmpty,
    Num,
    OptDate,
    OptText,
    Period,
    Source,
    Strict,
    Text,
    Whole,
)
from assistant.calculators.schema.incentives import (
    KINDS,
    AnyIncentive,
    BoardTier,
    ContributionReturn,
    ContributionStep,
    DegreeAllowance,
    DegreeAward,
    EquipmentSubsidy,
    ForeignRdInstitute,
    GraduateRentSubsidy,
    GuideFund,
    HiringSubsidy,
    HomePurchaseSubsidy,
    Incentive,
    Incentives,
    LandRebate,
    LevelTier,
    ListingAward,
    MilestoneAward,
    MilestoneTier,
    RdCentreAward,
    RdSuperDeduction,
    RebateTier,
    RentRelief,
    SizeTier,
    SpecialDeduction,
    SpecialIndustry,
    TalentAllowance,
    TalentApartment,
    TalentSettlement,
    TaxRate,
    TemporaryAccommodation,
    UnknownKind,
    UpgradeAward,
    kind_name,
)
from assistant.calculators.schema.land import FloorRatio, LandRules, MinimumGrades, NoteSection
from assistant.calculators.schema.tariffs import (
    AllInPrices,
    DataCentreTariff,
    Periods,
    ProxyPurchase,
    Ratios,
    ResidentialTier,
    ResidentialTiers,
    Tariffs,
    TimeOfUse,
    TwoPartTariff,
    UnitPrice,
    VoltageLevel,
    normalise_voltage,
)

RULE_MODELS: dict[str, type[Tariffs | LandRules | Incentives]] = {
    "tariffs": Tariffs, "land": LandRules, "incentives": Incentives,
}

__all__ = ["FACTS", "GENERIC_KINDS", "AmountRange", "AnyOf", "Category", "Criterion", "CriterionItem", "ExclusiveGroup", "FactSpec", "FixedAmount", "InKind", "IndustryGroup", "Payee", "PerUnit", "PriceCap", "RateOfBase", "Tier", "Tiered", "AllInPrices", "AnyIncentive", "BoardTier", "ContributionReturn", "ContributionStep", "DataCentreTariff", "Date", "DegreeAllowance", "DegreeAward", "EquipmentSubsidy", "Example", "Flag", "FloorRatio", "ForeignRdInstitute", "GraduateRentSubsidy", "GuideFund", "HiringSubsidy", "HomePurchaseSubsidy", "Id", "Incentive", "Incentives", "Item", "KINDS", "Label", "LandRebate", "LandRules", "LevelTier", "ListingAward", "Meta", "MilestoneAward", "MilestoneTier", "MinimumGrades", "NonEmpty", "NoteSection", "Num", "OptDate", "OptText", "Period", "Periods", "ProxyPurchase", "RULE_MODELS", "Ratios", "RdCentreAward", "RdSuperDeduction", "RebateTier", "RentRelief", "ResidentialTier", "ResidentialTiers", "SizeTier", "Source", "SpecialDeduction", "SpecialIndustry", "Strict", "TalentAllowance", "TalentApartment", "TalentSettlement", "Tariffs", "TaxRate", "TemporaryAccommodation", "Text", "TimeOfUse", "TwoPartTariff", "UnitPrice", "UnknownKind", "UpgradeAward", "VoltageLevel", "Whole", "kind_name", "normalise_voltage"]
