"""Policy matching: a company's profile in, every incentive that may apply out, each with its criteria judged
(met / not met / unknown), its amount by the calculators, its citation and validity; a yearly total that
respects exclusivity, and the profile's costs (land, power, rent) next to it."""

from __future__ import annotations

from assistant.matching.corpus import load_matcher
from assistant.matching.extract import merge, profile_from_text, stated, valid_part
from assistant.matching.matcher import CATEGORIES, Matcher
from assistant.matching.profile import Profile, Talents
from assistant.matching.render import render
from assistant.matching.result import (
    Amount,
    Citation,
    CostItem,
    CostPart,
    CriterionResult,
    MatchResult,
    RuleMatch,
    Totals,
)
from assistant.matching.summary import Summary, amount_text, fact_of_ask, profile_line, summarise

__all__ = ["CATEGORIES", "Amount", "Citation", "CostItem", "CostPart", "CriterionResult", "MatchResult", "Matcher", "Profile",
           "RuleMatch", "Summary", "Talents", "Totals", "amount_text", "fact_of_ask", "load_matcher", "merge", "profile_from_text",
           "profile_line", "render", "stated", "summarise", "valid_part"]
