"""What a match returns, to every surface (API, CLI, later the chat and the brief): pydantic models, so the API
documents them in its OpenAPI schema."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Status = Literal["met", "not_met", "unknown"]
RuleStatus = Literal["eligible", "possible", "not_eligible"]


class Citation(BaseModel):
    title: str
    doc_number: str = ""
    article: str = ""
    text: str = Field(description="《标题》（文号）第X条, as answers cite it.")


class CriterionResult(BaseModel):
    fact: str = Field(description="The profile fact it reads (schema/criteria.py FACTS), or 'valid' for dates.")
    status: Status
    text: str = Field(description="The criterion in words (固定资产投资 ≥ 100,000,000 元).")
    value: str = Field("", description="What the profile states, in words; empty when unknown.")
    ask: str = Field("", description="What to provide, when unknown.")
    note: str = Field("", description="An assumption made in judging it (a stand-in figure).")
    article: str = ""


class Amount(BaseModel):
    value_yuan: float | None = Field(None, description="The calculator's result in yuan (over the rule's term).")
    low_yuan: float | None = Field(None, description="A range's low end (amount decided case by case).")
    high_yuan: float | None = None
    first_year_yuan: float | None = Field(None, description="What arrives in the first year; the total adds these.")
    basis: Literal["one_off", "per_year", "over_term", "range", "deduction", "in_kind", "cap"] = Field(
        "one_off", description="cap: a price ceiling (the most the company pays), never support in the total.")
    term_years: float | None = None
    calculator: str = Field("", description="The calculator (or generic award kind) that computed it.")
    working: list[str] = []
    notes: list[str] = []
    ask: str = Field("", description="What to provide for an amount, when it cannot be estimated yet.")
    extra_yuan: float | None = Field(None, description="For a deduction: the extra deduction beyond the expense "
                                     "itself (加计扣除额), the benefit; value_yuan is the total deductible.")
    assumed_yuan: float | None = Field(None, description="What more would come if the assumption its notes state "
                                       "holds (all bachelors from 双一流 universities); in neither value nor total.")
    sample: bool = False


class RuleMatch(BaseModel):
    id: str
    name: str
    category: Literal["land", "power", "factory_rent", "talent", "tax", "awards"]
    payee: Literal["company", "staff"] = "company"
    status: RuleStatus
    criteria: list[CriterionResult] = []
    conditions: list[str] = Field([], description="The rule's conditions as the document words them.")
    amount: Amount | None = None
    citation: Citation
    also_cited: list[Citation] = []
    valid_from: str = ""
    valid_to: str = ""
    exclusive_group: str = ""
    counted: bool = Field(False, description="Whether its first-year amount is in the total.")
    excluded_by: str = Field("", description="The rule of its exclusivity group counted instead.")
    reason: str = Field("", description="Why it does not apply (not_eligible), or what it waits on (possible).")
    sample: bool = False


class CostPart(BaseModel):
    """A part of a cost worth stating on its own (the T&D share of the energy charge, a month's basic charge)."""

    name: str
    value_yuan: float
    period: Literal["one_off", "per_year", "per_month"]


class CostItem(BaseModel):
    kind: Literal["land", "power", "rent"]
    subject: str = Field(description="The park, factory unit or supply it prices.")
    subject_id: str = ""
    value_yuan: float | None
    period: Literal["one_off", "per_year"]
    working: list[str] = []
    notes: list[str] = []
    citations: list[Citation] = []
    parts: list[CostPart] = Field([], description="Parts of the cost stated on their own (already in its value).")
    sample: bool = False


class Place(BaseModel):
    id: str
    name: str
    district: str
    detail: str = ""
    sample: bool = False


class Totals(BaseModel):
    first_year_yuan: float = Field(description=(
        "First-year estimated support of the rules that may apply (eligible or possible), each exclusivity group "
        "counted once."))
    confirmed_yuan: float = Field(description="The same, of the eligible rules only (every criterion met).")
    company_yuan: float
    staff_yuan: float
    working: list[str] = []
    not_counted: list[str] = Field([], description="Rules with an amount left out of the total, and why.")


class MatchResult(BaseModel):
    lang: Literal["zh", "en"]
    industries: list[str] = Field([], description="The lexicon's industry words read from the stated industry.")
    district: str = ""
    notes: list[str] = []
    rules: list[RuleMatch] = Field([], description="Eligible and possible rules, by value, then the others.")
    not_applicable: list[RuleMatch] = []
    groups: dict[str, list[str]] = Field({}, description="Category -> ids of the rules that may apply.")
    totals: Totals
    costs: list[CostItem] = []
    parks: list[Place] = []
    factories: list[Place] = []
    asks: list[str] = Field([], description="The missing facts most of the remaining support depends on.")
    sample: bool = Field(False, description="Some figure is sample data (示例数据).")
