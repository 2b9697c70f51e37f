"""tariffs.yaml: time-of-use periods, the two-part tariff by voltage, proxy purchase, all-in and data-centre
prices, household tiers."""

from __future__ import annotations

import re
from typing import ClassVar

from pydantic import (
    ConfigDict,
    Field,
)
from typing_extensions import TypedDict

from assistant.calculators.schema.criteria import CriterionItem
from assistant.calculators.schema.fields import (
    Example,
    Flag,
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
)


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
    name: OptText = ""  # a level's rule is called this and its voltage
    name_en: OptText = ""
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
    criteria: tuple[CriterionItem, ...] = ()  # who pays this price, for the matcher (schema/criteria.py)
    valid_from: OptDate = None
    valid_to: OptDate = None


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
