"""Generic matching mechanisms beyond thresholds: the site a profile states (land, a factory or unit to lease), a
condition the company can still fulfil (registering locally), a sector the document excludes, a status unsaid
(foreign-invested), a park named, the costs' parts, an exclusive rate, a price cap."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.matching import Profile
from tests.test_matching import corpus_matcher, rule

LAND_REBATE, RENT_RELIEF = "guizhou-industrial-land-rebate", "standard-factory-rent-relief"


def _match(**facts: Any) -> Any:
    return corpus_matcher().match(Profile.model_validate({"industry": "汽车零部件", "jobs": 300,
                                                          "registered_locally": True, **facts}))


def test_a_tenant_is_not_offered_the_land_rebate_nor_a_builder_the_rent_relief() -> None:
    tenant = _match(factory_m2=5000)
    assert rule(tenant, LAND_REBATE).status == "not_eligible" and rule(tenant, RENT_RELIEF).status != "not_eligible"
    assert any("不取得出让土地" in note for note in tenant.notes)
    builder = _match(land_mu=50, fixed_asset_investment_yuan=1e8)
    assert rule(builder, RENT_RELIEF).status == "not_eligible" and rule(builder, LAND_REBATE).status == "eligible"
    both = _match(land_mu=50, factory_m2=5000, fixed_asset_investment_yuan=1e8)
    assert rule(both, RENT_RELIEF).status != "not_eligible" and rule(both, LAND_REBATE).status == "eligible"
    neither = _match()
    assert rule(neither, LAND_REBATE).status == "possible" and rule(neither, RENT_RELIEF).status == "possible"


def test_not_yet_registered_locally_is_a_step_to_take_not_a_failure() -> None:
    result = _match(factory_m2=5000, registered_locally=False)
    relief = rule(result, RENT_RELIEF)
    assert relief.status == "possible"
    step = next(c for c in relief.criteria if c.fact == "registered_locally")
    assert step.status == "unknown" and "尚未" in step.ask
    # a flag that is not attainable still fails when stated as no
    foreign = rule(_match(foreign_invested=False, new_rd_institute=True), "foreign-rd-institute-award")
    assert foreign.status == "not_eligible"


def test_trade_and_logistics_are_outside_the_industrial_measures() -> None:
    for industry in ("冷链物流", "批发贸易（消费电子）"):
        result = _match(industry=industry, revenue_yuan=4e8, fixed_asset_investment_yuan=2e8, land_mu=100)
        for rule_id in ("guiyang-revenue-milestone-award", "priority-equipment-subsidy", LAND_REBATE):
            assert rule(result, rule_id).status == "not_eligible", (industry, rule_id)


def test_an_assumed_part_is_shown_apart_and_a_deduction_states_its_extra() -> None:
    result = _match(talents={"phd": 1, "master": 2, "bachelor": 10}, rd_spend_yuan=1e7)
    settle = rule(result, "talent-settlement-subsidy").amount
    assert settle.value_yuan == 300000 and settle.assumed_yuan == 200000  # 10 × 2万 only if all are 双一流
    assert any("假设" in n for n in settle.notes) and settle.ask
    assert rule(result, "graduate-hiring-subsidy").amount.assumed_yuan == 20000
    assert result.totals.first_year_yuan == sum(r.amount.first_year_yuan for r in result.rules
                                                if r.counted and r.amount)  # the assumption is never counted
    said = _match(talents={"phd": 1, "bachelor": 10, "bachelor_double_first_class": 4})
    assert rule(said, "talent-settlement-subsidy").amount.assumed_yuan is None
    rd = rule(result, "rd-super-deduction").amount
    assert rd.value_yuan == 2e7 and rd.extra_yuan == 1e7


def test_a_named_unit_prices_the_lease_and_its_supply_the_basic_charge() -> None:
    result = _match(factory_unit="F-007", voltage_kv=10)  # 12000 m2 at 12 yuan, 4000 kVA (the listings)
    assert result.district == "观山湖区" and any("12000㎡" in note for note in result.notes)
    assert rule(result, LAND_REBATE).status == "not_eligible"
    assert rule(result, RENT_RELIEF).amount.value_yuan == 12000 * 12 * (24 + 36 * 0.5)
    power = next(c for c in result.costs if c.kind == "power")  # no kWh: the basic charge alone
    assert [(p.value_yuan, p.period) for p in power.parts] == [(4000 * 21.9, "per_month")]
    assert power.value_yuan == round(4000 * 21.9 * 12, 2)
    two_floors = _match(factory_unit="F-004", factory_m2=5200, annual_kwh=2e6, transformer_kva=800)
    assert rule(two_floors, RENT_RELIEF).amount.value_yuan == 2_184_000  # 5200 m2 × 10 yuan, 2 free + 3 half years
    power = next(c for c in two_floors.costs if c.kind == "power")
    assert [p.value_yuan for p in power.parts] == [2e6 * 0.1238, 800 * 21.9]  # T&D share a year; basic a month


def test_a_park_named_as_the_district_gives_its_district_and_park_rules() -> None:
    result = _match(district="贵阳综合保税区", factory_m2=6000)
    assert result.district == "经开区" and rule(result, "bonded-zone-customs").status == "eligible"
    assert rule(result, "bonded-zone-customs").amount.basis == "in_kind"
    assert rule(_match(district="白云区"), "bonded-zone-customs").status == "not_eligible"


def test_a_new_rd_institute_and_unsaid_statuses() -> None:
    lab = _match(site="lease", new_rd_institute=True, foreign_invested=True)
    assert rule(lab, RENT_RELIEF).status == "not_eligible" and rule(lab, LAND_REBATE).status == "not_eligible"
    assert rule(lab, "foreign-rd-institute-award").status == "eligible"
    unsaid = rule(_match(), "foreign-rd-institute-award")  # a foreign-invested company says so
    assert unsaid.status == "not_eligible" and all(c.note for c in unsaid.criteria if c.fact != "valid")


def test_integrated_circuits_get_their_own_rate_and_the_general_one_steps_aside() -> None:
    chips = _match(industry="集成电路封装测试", rd_spend_yuan=2e7)
    ic, general = rule(chips, "rd-super-deduction-ic"), rule(chips, "rd-super-deduction")
    assert ic.status == "eligible" and ic.amount.extra_yuan == 2.4e7 and general.amount.extra_yuan == 2e7
    assert general.excluded_by == "rd-super-deduction-ic" and not ic.excluded_by
    assert rule(_match(industry="锂电池正极材料", rd_spend_yuan=2e7), "rd-super-deduction-ic").status == "not_eligible"


def test_a_price_cap_is_stated_never_counted() -> None:
    result = _match(district="修文县", land_mu=50, leading_enterprise=True, fixed_asset_investment_yuan=1.2e8)
    cap = rule(result, "xiuwen-land-price-cap")
    assert cap.status == "eligible" and cap.amount.basis == "cap" and cap.amount.value_yuan == 1e7
    assert not cap.counted and any("价格上限" in line for line in result.totals.not_counted)
    assert rule(_match(district="修文县", land_mu=50), "xiuwen-land-price-cap").status == "possible"


def test_an_unknown_test_shows_the_top_tier_apart_and_a_cap_prices_unlisted_land() -> None:
    result = _match(district="经开区", land_mu=50, jobs=150)  # 20% by jobs; the investment test unknown
    rebate = rule(result, LAND_REBATE)
    assert rebate.amount.value_yuan == 1_920_000 and rebate.amount.assumed_yuan == 2_880_000  # the calculator's 万元
    assert any("未计入" in n for n in rebate.amount.notes)  # 30% were the investment 1.5 million a mu: never counted
    assert result.totals.first_year_yuan == sum(r.amount.first_year_yuan for r in result.rules if r.counted)
    xiuwen = _match(district="修文县", land_mu=50, leading_enterprise=True, fixed_asset_investment_yuan=1.2e8)
    assert rule(xiuwen, LAND_REBATE).amount.value_yuan == pytest.approx(3e6, rel=1e-6)  # 30% of at most 20万 a mu
