"""The generic shapes of an award, as incentive kinds: an incentive of one of these shapes is data only.

fixed_amount (a sum, once or for some years), rate_of_base (rate × a profile figure, with a cap), tiered (the
highest tier a profile figure or category reaches), per_unit (an amount per person or per unit of a figure,
optionally per month for some months), amount_range (a sum between two bounds, decided case by case),
price_cap (a price capped per unit of a figure, 每亩不高于20万元: the most the company pays, not support) and
in_kind (support that is no sum of money, in words: a lower floor price, customs treatment).
Amounts are in yuan; `base`, `by` and `per` name facts of the profile (schema/criteria.FACTS).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import model_validator
from pydantic_core import PydanticCustomError

from assistant.calculators.schema.criteria import FACTS, Fact
from assistant.calculators.schema.fields import NonEmpty, Num, OptText, Strict, Text, Whole
from assistant.calculators.schema.incentive_base import Incentive


def _number_fact(fact: str, key: str) -> None:
    if FACTS[fact].kind != "number":
        raise PydanticCustomError("not_a_figure", "{key} must name a figure of the profile, not {fact}",
                                  {"key": key, "fact": fact})


class FixedAmount(Incentive):
    kind: Literal["fixed_amount"]
    amount_yuan: Num
    years: Whole = 1  # paid once (1) or each year for this many years


class RateOfBase(Incentive):
    kind: Literal["rate_of_base"]
    rate: Num
    base: Fact
    cap_yuan: Num | None = None
    years: Whole = 1

    @model_validator(mode="after")
    def _base_is_a_figure(self) -> RateOfBase:
        _number_fact(self.base, "base")
        return self


class Tier(Strict):
    """Reached when the fact is at least `min` (a figure) or equals `equals` (a category); pays `amount_yuan`,
    or `rate` × the rule's `base`."""

    min: Num | None = None
    equals: Text | None = None
    amount_yuan: Num | None = None
    rate: Num | None = None
    label: OptText = ""

    @model_validator(mode="after")
    def _one_of_each(self) -> Tier:
        if (self.min is None) == (self.equals is None):
            raise PydanticCustomError("bad_tier", "a tier takes min or equals (one of them)", {})
        if (self.amount_yuan is None) == (self.rate is None):
            raise PydanticCustomError("bad_tier", "a tier takes amount_yuan or rate (one of them)", {})
        return self


class Tiered(Incentive):
    kind: Literal["tiered"]
    by: Fact
    tiers: NonEmpty[Tier]
    base: Fact | None = None  # what a tier's rate is applied to
    cap_yuan: Num | None = None
    years: Whole = 1

    @model_validator(mode="after")
    def _tiers_fit(self) -> Tiered:
        numeric = FACTS[self.by].kind == "number"
        if any((t.min is None) == numeric for t in self.tiers):
            want = "min" if numeric else "equals"
            raise PydanticCustomError("bad_tier", "tiers by {by} take {want}", {"by": self.by, "want": want})
        if any(t.rate is not None for t in self.tiers):
            if self.base is None:
                raise PydanticCustomError("bad_tier", "a tier with a rate needs the rule's base", {})
            _number_fact(self.base, "base")
        return self


class PerUnit(Incentive):
    kind: Literal["per_unit"]
    per: Fact
    amount_yuan: Num
    months: Whole | None = None  # amount_yuan is monthly, paid this many months
    cap_yuan: Num | None = None

    @model_validator(mode="after")
    def _per_is_a_figure(self) -> PerUnit:
        _number_fact(self.per, "per")
        return self


class AmountRange(Incentive):
    kind: Literal["amount_range"]
    min_yuan: Num
    max_yuan: Num
    per: Fact | None = None  # the range is per unit of this figure (per person)

    @model_validator(mode="after")
    def _ordered(self) -> AmountRange:
        if self.min_yuan > self.max_yuan:
            raise PydanticCustomError("bad_range", "min_yuan is above max_yuan", {})
        if self.per is not None:
            _number_fact(self.per, "per")
        return self


class PriceCap(Incentive):
    kind: Literal["price_cap"]
    per: Fact
    max_yuan: Num  # the most paid per unit of `per` (per mu)

    @model_validator(mode="after")
    def _per_is_a_figure(self) -> PriceCap:
        _number_fact(self.per, "per")
        return self


class InKind(Incentive):
    kind: Literal["in_kind"]
    text: Text  # what the support is, in words
    text_en: OptText = ""


GENERIC_KINDS: tuple[type[Incentive], ...] = (FixedAmount, RateOfBase, Tiered, PerUnit, AmountRange, PriceCap, InKind)


def generic_kind(value: Any) -> bool:
    return isinstance(value, GENERIC_KINDS)
