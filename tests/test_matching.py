"""Policy matching over the sample corpus's rules and listings (and a temp copy with incentives of every generic
kind): criteria are judged soundly whatever the profile, amounts are the calculators' own, new incentives of a
generic shape need no code, and --check locates a bad criterion."""

from __future__ import annotations

import datetime as dt
import functools
import math
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.calculators import FACTS, AnyOf, Criterion, RuleSet, land_cost, validate_rules_file
from assistant.matching import Matcher, MatchResult, Profile, load_matcher
from assistant.matching.profile import read_facts
from assistant.settings import MatchSettings
from tests.conftest import CORPUS

TODAY = dt.date(2026, 11, 30)
GENERIC_RULES = """
  - id: test-rate-award
    name: 测试比例奖励
    kind: rate_of_base
    conditions: [测试条件]
    criteria:
      - {fact: fixed_asset_investment_yuan, min: 50000000}
      - {fact: district, any: [白云区]}
    rate: 0.02
    base: fixed_asset_investment_yuan
    cap_yuan: 3000000
    exclusive_group: test-group
    source: {title: 测试文件, article: 第一条}
    sample: true
  - id: test-fixed-award
    name: 测试固定奖励
    kind: fixed_amount
    conditions: [测试条件]
    criteria: [{fact: jobs, min: 50}]
    amount_yuan: 100000
    years: 3
    exclusive_group: test-group
    source: {title: 测试文件, article: 第二条}
    sample: true
  - id: test-tier-award
    name: 测试分档奖励
    kind: tiered
    category: tax
    conditions: [测试条件]
    criteria: [{fact: revenue_yuan, above: 0}]
    by: revenue_yuan
    tiers:
      - {min: 100000000, amount_yuan: 50000}
      - {min: 300000000, amount_yuan: 150000}
    source: {title: 测试文件, article: 第三条}
    sample: true
  - id: test-size-award
    name: 测试规模奖励
    kind: tiered
    conditions: [测试条件]
    by: firm_size
    tiers: [{equals: large, amount_yuan: 80000}, {equals: small, amount_yuan: 20000}]
    criteria: [{fact: firm_size, any: [large, small]}]
    source: {title: 测试文件, article: 第四条}
    sample: true
  - id: test-per-head
    name: 测试按人补贴
    kind: per_unit
    category: talent
    payee: staff
    conditions: [测试条件]
    criteria: [{fact: talents.phd, min: 1}]
    per: talents.phd
    amount_yuan: 1000
    months: 24
    source: {title: 测试文件, article: 第五条}
    sample: true
  - id: test-range
    name: 测试区间奖励
    kind: amount_range
    conditions: [测试条件]
    criteria: [{fact: registered_locally, is: true}]
    min_yuan: 10000
    max_yuan: 90000
    source: {title: 测试文件, article: 第六条}
    sample: true
"""
GENERIC_GROUP = """
  - id: test-group
    name: 测试分组（就高）
    source: {title: 测试文件, article: 第七条}
"""


def corpus_with_generic_rules(target: Path) -> Path:
    """rules/, listings/ and the lexicon of the sample corpus, with six incentives of the generic kinds added to
    incentives.yaml as staff would (YAML only) and one more exclusivity group."""
    for name in ("rules", "listings"):
        shutil.copytree(CORPUS / name, target / name)
    shutil.copy(CORPUS / "lexicon.yaml", target / "lexicon.yaml")
    path = target / "rules" / "incentives.yaml"
    text = path.read_text(encoding="utf-8")
    at = text.index("\n# 背景信息")  # the end of the incentives list
    text = text[:at] + "\n" + GENERIC_RULES + text[at:]
    at = text.index("\n# 条件中 any / none")  # the end of the exclusive groups
    path.write_text(text[:at] + GENERIC_GROUP + text[at:], encoding="utf-8")
    return target


@functools.cache
def corpus_matcher() -> Matcher:
    return load_matcher(CORPUS, MatchSettings(today=TODAY))


@pytest.fixture(scope="module")
def generic_matcher(tmp_path_factory: pytest.TempPathFactory) -> Matcher:
    return load_matcher(corpus_with_generic_rules(tmp_path_factory.mktemp("generic")), MatchSettings(today=TODAY))


def rule(result: MatchResult, rule_id: str) -> Any:
    return next(r for r in result.rules + result.not_applicable if r.id == rule_id)


# ---------- the issue's example, and amounts equal to the calculators' ----------

def test_the_issue_example_prices_a_year_of_power_month_by_month() -> None:
    profile = Profile(industry="锂电池正极材料", investment_yuan=5e8, land_mu=80, annual_kwh=3e7, voltage_kv=10,
                      jobs=300, district="开阳县")
    result = corpus_matcher().match(profile)
    power = next(c for c in result.costs if c.kind == "power")
    assert "月用电量 = 30,000,000 kWh ÷ 12 = 2,500,000 kWh" in power.working
    assert power.value_yuan == pytest.approx(2_500_000 * 0.562 * 12)
    assert result.industries == ["电池"] and result.district == "开阳县"
    land = rule(result, "guizhou-industrial-land-rebate")
    assert land.status == "eligible" and land.counted
    expected = land_cost(corpus_matcher().rules, park="开阳经济开发区", area_mu=80, jobs=300, want="rebate",
                         investment_wan_per_mu=625)
    assert land.amount.value_yuan == pytest.approx((expected.result or 0) * 1e4)
    assert land.amount.working == expected.working  # the calculator's own working
    assert rule(result, "guanshanhu-contribution-return").status == "not_eligible"
    assert "观山湖区" in rule(result, "guanshanhu-contribution-return").reason


def test_open_district_and_unknown_industry_are_asked_about() -> None:
    result = corpus_matcher().match(Profile(industry="量子纠缠咨询", district="open", local_contribution_yuan=2e6,
                                            registered_locally=True), "en")
    back = rule(result, "guanshanhu-contribution-return")
    assert back.status == "possible" and "观山湖区" in back.reason
    assert any("No industry recognised" in n for n in result.notes)
    assert any(c.fact == "industry" and c.status == "unknown" for c in rule(result, "priority-equipment-subsidy").criteria)
    assert back.amount.value_yuan == 4_200_000  # 200 × 50% × 3 + 200 × 30% × 2 (万元), the calculator's
    # The data-centre price's place by the English name the listings give it
    assert rule(result, "data-centre-power-price").name == "Data-centre power price in Gui'an New Area"


def test_totals_add_first_year_amounts_of_counted_rules_only() -> None:
    result = corpus_matcher().match(Profile(
        industry="汽车零部件", district="观山湖区", fixed_asset_investment_yuan=3e8, equipment_investment_yuan=1.5e8,
        land_mu=100, jobs=250, factory_m2=5000, revenue_yuan=6e8, rd_spend_yuan=1e7, local_contribution_yuan=1e6,
        talents={"phd": 1, "master": 3, "bachelor": 10, "bachelor_double_first_class": 2}, registered_locally=True))
    counted = [r for r in result.rules if r.counted]
    assert {r.id for r in counted} >= {"priority-equipment-subsidy", "guizhou-industrial-land-rebate",
                                       "guanshanhu-contribution-return", "standard-factory-rent-relief"}
    assert result.totals.first_year_yuan == pytest.approx(sum(r.amount.first_year_yuan for r in counted))
    assert result.totals.company_yuan + result.totals.staff_yuan == pytest.approx(result.totals.first_year_yuan)
    assert rule(result, "priority-equipment-subsidy").amount.value_yuan == 10_000_000  # capped at 1000万元
    deduction = rule(result, "rd-super-deduction")
    assert deduction.amount.basis == "deduction" and not deduction.counted
    values = [r.amount.value_yuan or 0 for r in result.rules if r.amount and r.amount.basis not in ("deduction", "in_kind",
                                                                                                   "range")]
    assert values == sorted(values, reverse=True)  # by value
    assert [c.kind for c in result.costs].count("rent") >= 1 and result.factories[0].id in ("F-007", "F-008")


# ---------- a new incentive of a generic kind needs no code ----------

def test_generic_kinds_from_yaml_alone(generic_matcher: Matcher) -> None:
    profile = Profile(district="白云区", fixed_asset_investment_yuan=2e8, jobs=80, revenue_yuan=3.5e8, firm_size="large",
                      talents={"phd": 3}, registered_locally=True)
    result = generic_matcher.match(profile)
    rate = rule(result, "test-rate-award")
    assert rate.status == "eligible" and rate.amount.value_yuan == 3_000_000  # 2亿 × 2% = 400万, capped at 300万
    assert any("上限" in line for line in rate.amount.working)
    fixed = rule(result, "test-fixed-award")
    assert (fixed.amount.value_yuan, fixed.amount.first_year_yuan) == (300_000, 100_000)
    assert fixed.excluded_by == "test-rate-award" and not fixed.counted  # the group counts its best only
    assert rule(result, "test-tier-award").amount.value_yuan == 150_000  # the highest tier reached
    assert rule(result, "test-size-award").amount.value_yuan == 80_000
    head = rule(result, "test-per-head")
    assert (head.amount.value_yuan, head.amount.first_year_yuan, head.payee) == (72_000, 36_000, "staff")
    span = rule(result, "test-range")
    assert (span.amount.low_yuan, span.amount.high_yuan, span.counted) == (10_000, 90_000, False)
    assert result.groups["tax"][:1] == ["test-tier-award"] or "test-tier-award" in result.groups["tax"]
    elsewhere = generic_matcher.match(profile.model_copy(update={"district": "经开区"}))
    assert rule(elsewhere, "test-rate-award").status == "not_eligible"
    assert rule(elsewhere, "test-fixed-award").counted  # alone in its group now


def test_check_reports_a_bad_criterion_with_its_line(tmp_path: Path) -> None:
    corpus = corpus_with_generic_rules(tmp_path / "c")
    path = corpus / "rules" / "incentives.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    bad = next(i for i, line in enumerate(lines) if "{fact: jobs, min: 50}" in line)
    lines[bad] = lines[bad].replace("{fact: jobs, min: 50}", "{fact: jobs, any: [many]}")
    typo = next(i for i, line in enumerate(lines) if "fact: talents.phd, min: 1}]" in line)
    lines[typo] = lines[typo].replace("talents.phd, min", "talents.phds, min")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems = validate_rules_file(path)
    assert [(p.row, p.path) for p in problems] == [(bad + 1, "rules/incentives.yaml"), (typo + 1, "rules/incentives.yaml")]
    assert "takes min / above / max, not any" in problems[0].message and "unknown fact 'talents.phds'" in problems[1].message


# ---------- properties over any profile ----------

AMOUNT = st.one_of(st.none(), st.sampled_from([0.0, 1.0, 5e5, 8e5, 1e8, 2e8, 5e8, 1e9]),
                   st.floats(min_value=0, max_value=1e12, allow_nan=False))
COUNT = st.one_of(st.none(), st.integers(min_value=0, max_value=500))
PROFILES = st.fixed_dictionaries({}, optional={
    "industry": st.sampled_from(["锂电池正极材料", "汽车零部件", "data centre", "餐饮", "冷链物流", "未知行业", "software"]),
    "district": st.sampled_from(["观山湖区", "开阳县", "贵安新区", "Guanshanhu", "open", "南明区", "贵阳综合保税区"]),
    "park": st.sampled_from(["贵阳综合保税区", "开阳经济开发区", "修文经济开发区", "no such park"]),
    "factory_unit": st.sampled_from(["F-005", "F-007", "F-011", "F-999"]),
    "site": st.sampled_from(["land", "lease"]), "leading_enterprise": st.booleans(),
    "transformer_kva": st.one_of(st.none(), st.floats(min_value=1, max_value=1e5)),
    "investment_yuan": AMOUNT, "fixed_asset_investment_yuan": AMOUNT, "equipment_investment_yuan": AMOUNT,
    "land_mu": st.one_of(st.none(), st.floats(min_value=0, max_value=5000)),
    "factory_m2": st.one_of(st.none(), st.floats(min_value=0, max_value=50000)),
    "annual_kwh": st.one_of(st.none(), st.floats(min_value=0, max_value=1e10)),
    "voltage_kv": st.sampled_from([10.0, 35.0, 110.0, 220.0, 0.4]), "jobs": COUNT, "revenue_yuan": AMOUNT,
    "taxable_income_yuan": AMOUNT, "local_contribution_yuan": AMOUNT, "rd_spend_yuan": AMOUNT,
    "encouraged_revenue_share": st.floats(min_value=0, max_value=1),
    "talents": st.fixed_dictionaries({}, optional={k: st.integers(min_value=0, max_value=50) for k in (
        "phd", "master", "bachelor", "bachelor_double_first_class", "high_level")}),
    "registered_locally": st.booleans(), "foreign_invested": st.booleans(), "new_rd_institute": st.booleans(),
    "rd_centre_level": st.sampled_from(["national", "provincial", "municipal"]),
    "listing_board": st.sampled_from(["main", "other", "neeq"]), "firm_size": st.sampled_from(["large", "small"]),
})
FEW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture],
               derandomize=True)


def _profile(data: dict[str, Any]) -> Profile:
    return Profile.model_validate({k: v for k, v in data.items() if v is not None})


def _finite(value: float | None) -> bool:
    return value is None or (math.isfinite(value) and value >= 0)


def _short(item: Criterion, facts: Any) -> bool:
    """Whether a stated figure (or the fallback read in its place) falls short of the criterion's bounds."""
    stated = facts.point(item.fact)
    if stated is None and item.fallback and facts.number(item.fact) == (0.0, math.inf):
        stated = facts.point(item.fallback)
    return stated is not None and ((item.min is not None and stated < item.min) or
                                   (item.above is not None and stated <= item.above) or
                                   (item.max is not None and stated > item.max))


@FEW
@given(PROFILES)
def test_never_met_below_a_stated_threshold(generic_matcher: Matcher, data: dict[str, Any]) -> None:
    """A figure stated short of a bound (≥, >, ≤; alone or in every branch of an any_of) is never met, and the
    rule is then never eligible."""
    profile = _profile(data)
    facts = read_facts(profile, generic_matcher.rules.places, generic_matcher.factories)
    result = generic_matcher.match(profile)
    rules = [*generic_matcher.rules.incentives.items, generic_matcher.rules.tariffs.data_centre]
    for inc in rules:
        judged = rule(result, getattr(inc, "id", "data-centre-power-price"))
        for item, outcome in zip(inc.criteria, judged.criteria, strict=False):
            parts = item.any_of if isinstance(item, AnyOf) else (item,)
            numbers = [c for c in parts if FACTS[c.fact].kind == "number"]
            if numbers and len(numbers) == len(parts) and all(_short(c, facts) for c in parts):
                assert outcome.status == "not_met" and judged.status == "not_eligible", (judged.id, item, outcome)


@FEW
@given(PROFILES, PROFILES)
def test_adding_facts_never_turns_met_into_unknown(generic_matcher: Matcher, data: dict[str, Any],
                                                   more: dict[str, Any]) -> None:
    before = _profile(data)
    extra = {k: v for k, v in more.items() if v is not None and k not in data}
    talents = {**more.get("talents", {}), **data.get("talents", {})} if "talents" in data else None
    after = _profile({**data, **extra, **({"talents": talents} if talents is not None else {})})
    first, second = generic_matcher.match(before), generic_matcher.match(after)
    for old in first.rules + first.not_applicable:
        new = rule(second, old.id)
        for a, b in zip(old.criteria, new.criteria, strict=True):
            assert not (a.status == "met" and b.status == "unknown"), (old.id, a, b)
        assert not (old.status == "eligible" and new.status == "possible"), old.id


@FEW
@given(PROFILES, st.sampled_from(["zh", "en"]))
def test_amounts_are_never_negative_or_infinite(generic_matcher: Matcher, data: dict[str, Any], lang: str) -> None:
    result = generic_matcher.match(_profile(data), lang)
    for r in result.rules:
        if r.amount:
            a = r.amount
            assert all(_finite(v) for v in (a.value_yuan, a.low_yuan, a.high_yuan, a.first_year_yuan, a.extra_yuan,
                                            a.assumed_yuan)), (r.id, a)
    assert all(_finite(v) for v in (result.totals.first_year_yuan, result.totals.company_yuan,
                                    result.totals.staff_yuan, result.totals.confirmed_yuan))
    assert all(_finite(c.value_yuan) and all(_finite(p.value_yuan) for p in c.parts) for c in result.costs)


def test_rules_load_unchanged_for_the_calculators() -> None:
    """The matcher's keys are additions: the RuleSet the chat's calculators read still loads."""
    rules = RuleSet.load(CORPUS / "rules", CORPUS / "listings")
    assert all(inc.criteria for inc in rules.incentives.items)
    assert {g.id for g in rules.incentives.exclusive_groups} == {"rd-institution", "rd-deduction", "talent-housing"}
