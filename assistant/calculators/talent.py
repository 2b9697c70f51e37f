"""Talent incentives: the graduate's settlement subsidy and living allowance, and the employer's hiring subsidy.

Every amount comes from corpus/rules/incentives.yaml through the RuleSet; a hiring plan may mix degrees
("招2个博士、5个硕士"), each priced at its own tier.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.calculators.base import Calculation, money_calc, num, tr
from assistant.calculators.rules import RuleSet

_DEGREES = {"doctorate": "doctorate", "phd": "doctorate", "博士": "doctorate", "master": "master",
            "硕士": "master", "bachelor": "bachelor", "本科": "bachelor", "学士": "bachelor"}
_NAMES = {"doctorate": ("博士", "PhD"), "master": ("硕士", "master's"), "bachelor": ("本科", "bachelor's")}


@dataclass(frozen=True)
class _Tier:
    key: str  # doctorate | master | bachelor
    settlement_wan: float
    monthly_yuan: float
    months: float

    @property
    def allowance_wan(self) -> float:
        return self.monthly_yuan * self.months / 10000


def _tier(rules: RuleSet, degree: str, double_first_class: bool) -> _Tier:
    key = next((v for k, v in _DEGREES.items() if k in degree.lower()), None)
    if key is None:
        raise ValueError(f"unknown degree {degree!r}")
    settle, allow = rules.incentives.find("talent_settlement"), rules.incentives.find("talent_allowance")
    settle_key = "bachelor_double_first_class" if key == "bachelor" and (double_first_class or "双一流" in degree) else key
    settlement = next((t["award_wan"] for t in settle.tiers() if t["degree"] == settle_key), 0.0)
    monthly = next((t["yuan_month"] for t in allow.tiers() if t["degree"] == key), 0.0)
    return _Tier(key, settlement, monthly, allow.number("months"))


def talent(rules: RuleSet, lang: str, degree: str = "", count: int = 1, double_first_class: bool = False,
           subsidy: str = "both", counts: dict[str, int] | None = None, hiring: bool = False) -> Calculation:
    """subsidy: settlement (安家补贴) | allowance (生活补贴) | both, for the graduates; the one not asked is named in a
    note. subsidy="hiring" is the employer's one-off subsidy per graduate hired (用人单位吸纳补贴), in 元.

    counts ({"doctorate": 2, "master": 5}) prices a mixed plan degree by degree, instead of degree × count.
    hiring=True (with a graduate subsidy) also works out the employer's subsidy: its line and a combined line are
    added to the working, but `result` stays the graduates' subsidy in 万元, since the two go to different payees.
    """
    if subsidy not in ("settlement", "allowance", "both", "hiring"):
        raise ValueError(f"unknown talent subsidy {subsidy!r}")
    plan = [(_tier(rules, d, double_first_class), int(n)) for d, n in (counts or {degree: count}).items()]
    if subsidy == "hiring":
        return _hiring_subsidy(rules, lang, plan)
    settle, allow = rules.incentives.find("talent_settlement"), rules.incentives.find("talent_allowance")
    sources = {"both": [settle, allow], "settlement": [settle], "allowance": [allow]}[subsidy]
    working: list[str] = []
    notes: list[str] = []
    subtotals: list[float] = []
    for tier, n in plan:
        each, lines, note = _per_person(tier, subsidy, lang, len(plan) > 1)
        working += lines
        notes += [x for x in note if x not in notes]
        if n != 1 or len(plan) > 1:
            working.append(f"{num(each)} × {n} = {num(each * n)} " + tr(lang, "万元", "10k yuan"))
        subtotals.append(each * n)
    total = sum(subtotals)
    if len(plan) > 1:
        working.append(tr(lang, "合计", "Total") + " = " + " + ".join(num(s) for s in subtotals)
                       + f" = {num(total)} " + tr(lang, "万元", "10k yuan"))
    if hiring:
        employer = _hiring_subsidy(rules, lang, plan)
        working += employer.working
        working.append(tr(lang, f"两项合计 = {num(total)} 万元 + {num(employer.result or 0)} 元 = "
                                f"{num(total + (employer.result or 0) / 10000)} 万元（毕业生补贴归本人，吸纳补贴归单位）",
                          f"Both together = {num(total)} (10k yuan) + {num(employer.result or 0)} yuan = "
                          f"{num(total + (employer.result or 0) / 10000)} (10k yuan); the graduates' subsidy is "
                          "paid to them, the hiring subsidy to the employer"))
        sources = [*sources, rules.incentives.find("hiring_subsidy")]
    return money_calc("talent", total, "万元", "10k yuan", lang, working, sources, notes)


def _lead(prefix: str, line: str) -> str:
    """'PhD ' + 'Settlement subsidy…' -> 'PhD settlement subsidy…'."""
    return prefix + line[0].lower() + line[1:] if prefix else line


def _per_person(tier: _Tier, subsidy: str, lang: str, named: bool) -> tuple[float, list[str], list[str]]:
    """Amount per graduate of one degree, the lines that show it, and a note naming the subsidy left out."""
    zh, en = (_NAMES[tier.key][0], _NAMES[tier.key][1] + " ") if named else ("", "")
    settlement, monthly, months, allowance = tier.settlement_wan, tier.monthly_yuan, tier.months, tier.allowance_wan
    settle_line = tr(lang, f"{zh}安家补贴：{num(settlement)} 万元/人", _lead(en, f"Settlement subsidy: {num(settlement)} 10k yuan each"))
    allow_line = tr(lang, f"{zh}生活补贴：{num(monthly)} 元/月 × {num(months)} 个月 = {num(monthly * months)} 元 = "
                          f"{num(allowance)} 万元/人",
                    _lead(en, f"Living allowance: {num(monthly)} yuan/month × {num(months)} months = "
                              f"{num(monthly * months)} yuan = {num(allowance)} 10k yuan each"))
    notes = [tr(lang, "本科仅“双一流”高校毕业生享受安家补贴。", "Bachelor's settlement subsidy only for 双一流 graduates.")] \
        if tier.key == "bachelor" else []
    if subsidy == "both":
        each = settlement + allowance
        return each, [settle_line, allow_line, tr(lang, f"{zh}每人合计 = {num(settlement)} + {num(allowance)} = {num(each)} 万元",
                                                  _lead(en, f"Per person = {num(settlement)} + {num(allowance)} = "
                                                            f"{num(each)} 10k yuan"))], notes
    if subsidy == "settlement":
        notes.append(tr(lang, f"另有{zh}生活补贴{num(monthly)}元/月、发放{num(months)}个月（每人{num(allowance)}万元），未计入上述金额。",
                        f"A {en}living allowance of {num(monthly)} yuan/month for {num(months)} months ({num(allowance)} "
                        "10k yuan each) comes on top and is not included."))
        return settlement, [settle_line], notes
    notes.append(tr(lang, f"另有{zh}安家补贴每人{num(settlement)}万元，未计入上述金额。",
                    f"A {en}settlement subsidy of {num(settlement)} (10k yuan) each comes on top and is not included."))
    return allowance, [allow_line], notes


def _hiring_subsidy(rules: RuleSet, lang: str, plan: list[tuple[_Tier, int]]) -> Calculation:
    inc = rules.incentives.find("hiring_subsidy")
    per, count = inc.number("yuan_per_person"), sum(n for _, n in plan)
    line = tr(lang, f"{inc.name}：{num(per)} 元/人 × {count} = {num(per * count)} 元",
              f"{inc.name_en or inc.name}: {num(per)} yuan each × {count} = {num(per * count)} yuan")
    settle = "、".join(f"{_NAMES[t.key][0] if len(plan) > 1 else ''}{num(t.settlement_wan)}万元" for t, _ in plan)
    settle_en = ", ".join(f"{_NAMES[t.key][1] + ' ' if len(plan) > 1 else ''}{num(t.settlement_wan)}" for t, _ in plan)
    allow = "、".join(f"{_NAMES[t.key][0] if len(plan) > 1 else ''}{num(t.monthly_yuan)}元/月" for t, _ in plan)
    allow_en = ", ".join(f"{_NAMES[t.key][1] + ' ' if len(plan) > 1 else ''}{num(t.monthly_yuan)}" for t, _ in plan)
    months = num(plan[0][0].months)
    note = tr(lang, f"毕业生本人另可按学历享受安家补贴（{settle}）和生活补贴（{allow}，{months}个月），不计入单位补贴。",
              f"The graduate personally may also get the settlement subsidy ({settle_en} 10k yuan) and the "
              f"living allowance ({allow_en} yuan/month for {months} months); not part of the employer's subsidy.")
    return money_calc("hiring_subsidy", per * count, "元", "yuan", lang, [line], [inc], [note])
