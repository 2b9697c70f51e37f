"""The schema of corpus/rules/*.yaml, written in a tiny spec language, and the checks that use it.

A spec is a scalar type name ("num", "str", "bool" …), a dict of required keys ("key?" = optional) or
[item_spec] for a non-empty list. Problems come back as (dotted.key[path], message) pairs.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import yaml

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PERIOD = re.compile(r"^([01]\d|2[0-4]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$")
_KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def _is_num(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_date(value: Any) -> bool:
    if isinstance(value, dt.date):
        return True
    try:
        return bool(_DATE.match(str(value))) and bool(dt.date.fromisoformat(str(value)))
    except ValueError:
        return False


_SCALARS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "any": (lambda v: True, ""),
    "num": (_is_num, "not a number: {!r}"),
    "num?": (lambda v: v is None or _is_num(v), "not a number: {!r}"),
    "str": (lambda v: isinstance(v, str) and bool(v.strip()), "expected non-empty text, got {!r}"),
    "str?": (lambda v: v is None or isinstance(v, str), "expected text, got {!r}"),
    "bool": (lambda v: isinstance(v, bool), "bad sample flag {!r} (use true or false)"),
    "id": (lambda v: isinstance(v, str) and bool(_KEBAB.match(v)), "id {!r} is not kebab-case"),
    "period": (lambda v: isinstance(v, str) and bool(_PERIOD.match(v)), "bad period {!r} (use HH:MM-HH:MM)"),
    "date": (_is_date, "bad date {!r} (use YYYY-MM-DD)"),
}


def _check(value: Any, spec: Any, where: str, out: list[tuple[str, str]]) -> None:
    if isinstance(spec, dict):
        if not isinstance(value, dict):
            out.append((where, "should be a mapping"))
            return
        for key, sub in spec.items():
            name = key.rstrip("?")
            child = f"{where}.{name}" if where else name
            if name in value:
                _check(value[name], sub, child, out)
            elif not key.endswith("?"):
                out.append((child, "missing required key"))
    elif isinstance(spec, list):
        if not isinstance(value, list) or not value:
            out.append((where, "should be a non-empty list"))
            return
        for i, item in enumerate(value):
            _check(item, spec[0], f"{where}[{i}]", out)
    elif not _SCALARS[spec][0](value):
        out.append((where, _SCALARS[spec][1].format(value)))


SOURCE = {"title": "str", "doc_number?": "str?", "article?": "str?"}
_ITEM = {"source": SOURCE, "sample": "bool"}
_PERIODS = ["period"]
TARIFF_SPEC: dict[str, Any] = {
    "time_of_use": {**_ITEM, "periods": {"peak": _PERIODS, "flat": _PERIODS, "valley": _PERIODS},
                    "ratios": {"peak": "num", "flat": "num", "valley": "num"}, "non_floating_yuan_kwh": "num"},
    "two_part_tariff": {"source": SOURCE, "sample?": "bool", "effective?": "date", "levels": [{
        "voltage": "str", "energy_yuan_kwh": "num", "demand_yuan_kw_month": "num",
        "capacity_yuan_kva_month": "num", "sample": "bool"}]},
    "proxy_purchase": {**_ITEM, "price_yuan_kwh": "num", "month?": "any"},
    "line_loss_and_operation": {**_ITEM, "price_yuan_kwh": "num"},
    "all_in_large_industry_10kv": {**_ITEM, "flat": "num", "peak": "num", "valley": "num"},
    "data_centre": {**_ITEM, "district": "str", "price_yuan_kwh": "num", "elsewhere_yuan_kwh": "num"},
    "residential_tiers": {**_ITEM, "tiers": [{"from_kwh_year": "num", "to_kwh_year": "num?", "price_yuan_kwh": "num"}]},
}
LAND_SPEC: dict[str, Any] = {
    "mu_m2": "num", "max_term_years": "num",
    "national_minimum_grades": {**_ITEM, "yuan_m2": ["num"]},
    "priority_floor_ratio": {**_ITEM, "ratio": "num", "year?": "num"},
    "guizhou_floor_ratio": {**_ITEM, "ratio": "num", "year?": "num", "applies_to?": "any"},
}
_TIERS = {"award_wan": "num"}
KIND_SPECS: dict[str, dict[str, Any]] = {
    "contribution_return": {"min_annual_contribution_wan": "num",
                            "schedule": [{"from_year": "num", "to_year": "num", "rate": "num"}]},
    "milestone_award": {"tiers": [{"revenue_yi": "num", **_TIERS}]},
    "equipment_subsidy": {"rate": "num", "min_fixed_asset_investment_yi": "num", "cap_wan": "num"},
    "land_rebate": {"tiers": [{"min_investment_wan_per_mu": "num", "min_jobs": "num", "rate": "num"}]},
    "rent_relief": {"free_years": "num", "half_years": "num"},
    "rd_centre_award": {"tiers": [{"level": "str", **_TIERS}]},
    "listing_award": {"tiers": [{"board": "str", **_TIERS}]},
    "upgrade_award": {"tiers": [{"size": "str", **_TIERS}]},
    "foreign_rd_institute": {"min_wan": "num", "max_wan": "num"},
    "tax_rate": {"rate": "num", "from_year": "num", "to_year": "num", "min_revenue_share": "num"},
    "rd_super_deduction": {"rate": "num", "intangible_rate": "num", "from_year": "num", "special?": {
        "industries": ["str"], "rate": "num", "intangible_rate": "num", "from_year": "num", "to_year": "num"}},
    "talent_settlement": {"tiers": [{"degree": "str", **_TIERS}]},
    "talent_allowance": {"months": "num", "tiers": [{"degree": "str", "yuan_month": "num"}]},
    "hiring_subsidy": {"yuan_per_person": "num"},
    "graduate_rent_subsidy": {"min_yuan": "num", "max_yuan": "num", "within_years": "num"},
    "home_purchase_subsidy": {"min_wan": "num", "max_wan": "num"},
    "guide_fund": {"size_yi": "num"},
    "temporary_accommodation": {"max_days": "num"},
    "talent_apartment": {"free_years": "num", "lowest_rent_years": "num"},
}
_INCENTIVE = {"id": "id", "name": "str", "name_en?": "str?", "kind": "str", "district?": "str?",
              "conditions": ["str"], **_ITEM}


def _incentive_problems(data: dict[str, Any]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    items = data.get("incentives")
    _check(items, [{}], "incentives", out)
    seen: set[str] = set()
    for i, item in enumerate(items if isinstance(items, list) else []):
        where = f"incentives[{i}]"
        _check(item, _INCENTIVE, where, out)
        if not isinstance(item, dict):
            continue
        kind = item.get("kind")
        if kind in KIND_SPECS:
            _check(item, KIND_SPECS[kind], where, out)
        elif isinstance(kind, str):
            out.append((f"{where}.kind", f"unknown incentive kind {kind!r}"))
        if item.get("id") in seen:
            out.append((f"{where}.id", f"duplicate id {item['id']!r}"))
        seen.add(str(item.get("id")))
    return out


def _spec_problems(data: dict[str, Any], spec: dict[str, Any]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    _check(data, spec, "", out)
    return out


def _tariff_problems(data: dict[str, Any]) -> list[tuple[str, str]]:
    out = _spec_problems(data, TARIFF_SPEC)
    levels = (data.get("two_part_tariff") or {}).get("levels") if isinstance(data.get("two_part_tariff"), dict) else []
    seen: set[str] = set()
    for i, level in enumerate(levels if isinstance(levels, list) else []):
        voltage = str(level.get("voltage")) if isinstance(level, dict) else ""
        if voltage in seen:
            out.append((f"two_part_tariff.levels[{i}].voltage", f"duplicate voltage {voltage!r}"))
        seen.add(voltage)
    return out


RULE_CHECKS: dict[str, Callable[[dict[str, Any]], list[tuple[str, str]]]] = {
    "tariffs": _tariff_problems,
    "land": lambda data: _spec_problems(data, LAND_SPEC),
    "incentives": _incentive_problems,
}


def yaml_lines(text: str) -> dict[str, int]:
    """Dotted key path -> 1-based line, so YAML problems point at the line to edit."""
    lines: dict[str, int] = {}

    def walk(node: yaml.Node, where: str) -> None:
        lines.setdefault(where, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = f"{where}.{key.value}" if where else str(key.value)
                lines[child] = key.start_mark.line + 1
                walk(value, child)
        elif isinstance(node, yaml.SequenceNode):
            for i, value in enumerate(node.value):
                walk(value, f"{where}[{i}]")

    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if root is not None:
        walk(root, "")
    return lines


def line_for(column: str | None, lines: dict[str, int]) -> int | None:
    key = column or ""
    while key:
        if key in lines:
            return lines[key]
        parent = re.sub(r"(\.[^.\[]+|\[\d+\])$", "", key)
        if parent == key:
            return None  # a missing top-level key has no line of its own
        key = parent
    return None
