"""Rules files and the calculators over them: power bills, land cost, incentives, tax and talent, each showing
its working and citing the rule it used."""

from __future__ import annotations

from assistant.calculators.base import Calculation, num, pct, tr, yuan_and_wan
from assistant.calculators.estimates import incentive_estimate, land_cost, power_bill
from assistant.calculators.rent import rent_cost, rent_relief
from assistant.calculators.requests import CalcRequest, parse_calc_request, run_calc_request
from assistant.calculators.rule_files import load_rules_file, validate_rules_file
from assistant.calculators.rules import RuleSet, Source, rule_texts_for_file
from assistant.calculators.schema import (
    FACTS,
    GENERIC_KINDS,
    AmountRange,
    AnyOf,
    Criterion,
    CriterionItem,
    DataCentreTariff,
    FixedAmount,
    Incentive,
    Incentives,
    InKind,
    PerUnit,
    PriceCap,
    RateOfBase,
    RdSuperDeduction,
    Tiered,
)
from assistant.calculators.talent import talent
from assistant.calculators.tariff import data_centre_power
from assistant.calculators.tax import rd_deduction, tax_saving
from assistant.calculators.tokens import Token, clause_after, clause_before, prepare, tokens

__all__ = ["FACTS", "GENERIC_KINDS", "AmountRange", "AnyOf", "CalcRequest", "Calculation", "Criterion", "CriterionItem",
           "DataCentreTariff", "FixedAmount", "InKind", "Incentive", "Incentives", "PerUnit", "PriceCap", "RateOfBase",
           "RdSuperDeduction", "RuleSet", "Source",
           "Tiered", "data_centre_power", "incentive_estimate", "land_cost", "load_rules_file", "num", "parse_calc_request",
           "pct", "power_bill", "rd_deduction", "rent_cost", "rent_relief", "rule_texts_for_file", "run_calc_request",
           "talent", "tax_saving", "tr", "Token", "clause_after", "clause_before", "prepare", "tokens", "validate_rules_file", "yuan_and_wan"]
