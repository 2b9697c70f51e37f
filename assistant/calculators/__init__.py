"""Rules files and the calculators over them: power bills, land cost, incentives, tax and talent, each showing
its working and citing the rule it used."""

from __future__ import annotations

from assistant.calculators.base import Calculation
from assistant.calculators.requests import CalcRequest, parse_calc_request, run_calc_request
from assistant.calculators.rule_files import load_rules_file, validate_rules_file
from assistant.calculators.rules import RuleSet, Source, rule_texts_for_file

__all__ = ["CalcRequest", "Calculation", "RuleSet", "Source", "parse_calc_request", "rule_texts_for_file", "load_rules_file", "run_calc_request", "validate_rules_file"]
