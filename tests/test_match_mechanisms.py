"""Generic matching mechanisms beyond thresholds: the site a profile states (land or a factory to lease), a
condition the company can still fulfil (registering locally), a sector the document excludes."""

from __future__ import annotations

from typing import Any

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
