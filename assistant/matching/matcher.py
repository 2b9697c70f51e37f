"""The matcher: a profile against every rule, with amounts, citations, exclusivity, a yearly total and costs.

Generic over the rules files: criteria come from the files (criteria.py judges them), amounts from the existing
calculators or the generic award kinds (amounts.py), costs from the calculators and listings (costs.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from assistant.calculators import CriterionItem, Incentive, PriceCap, RuleSet, data_centre_power, num, tr
from assistant.listings import Factory
from assistant.matching import costs as cost
from assistant.matching.amounts import Scene, amount_for, from_calc
from assistant.matching.criteria import judge, validity
from assistant.matching.profile import Facts, Profile, read_facts
from assistant.matching.result import Amount, CriterionResult, MatchResult, RuleMatch, Totals
from assistant.settings import MatchSettings

CATEGORIES = ("land", "power", "factory_rent", "talent", "tax", "awards")
DATA_CENTRE_ID = "data-centre-power-price"
_UNCOUNTED = ("deduction", "in_kind", "range", "cap")


def _status(criteria: list[CriterionResult]) -> str:
    statuses = {c.status for c in criteria}
    return "not_eligible" if "not_met" in statuses else "possible" if "unknown" in statuses else "eligible"


def _value(rule: RuleMatch) -> float:
    """What a rule is worth in cash, for sorting and weighing asks: a deduction or support in kind is not
    cash, and a range is worth its low end."""
    a = rule.amount
    if a is None or a.basis in ("deduction", "in_kind", "cap"):
        return 0.0
    return a.value_yuan if a.value_yuan is not None else (a.low_yuan or 0.0)


def _worth(rule: RuleMatch) -> float | None:
    """What ranks a rule in its exclusivity group: its first-year amount, else its total (a deduction)."""
    a = rule.amount
    if a is None:
        return None
    return a.first_year_yuan if a.first_year_yuan is not None else a.value_yuan


class Matcher:
    """Matches profiles against one RuleSet and factory listing (build one per served corpus; it holds no
    state between matches)."""

    def __init__(self, rules: RuleSet, factories: Sequence[Factory], settings: MatchSettings | None = None) -> None:
        self.rules = rules
        self.factories = list(factories)
        self.settings = settings or MatchSettings()

    def match(self, profile: Profile, lang: str = "zh") -> MatchResult:
        lang = "en" if lang == "en" else "zh"
        facts = read_facts(profile, self.rules.places, self.factories)
        today = self.settings.today or dt.date.today()
        parks = cost.candidate_parks(self.rules, facts, self.settings.parks)
        units = cost.candidate_factories(self.factories, facts, self.rules, self.settings.factories)
        priced = next((p for p in parks if p.land_price_yuan_m2 is not None), None)
        scene = Scene(self.rules, facts, priced, units[0] if units else None, lang, self._land_cap(facts, lang, today))
        matches = [self._rule(inc, scene, today) for inc in self.rules.incentives.items]
        if self.rules.tariffs.data_centre.criteria:
            matches.append(self._data_centre(scene, today))
        self._exclusive(matches, lang)
        applicable = sorted((m for m in matches if m.status != "not_eligible"),
                            key=lambda m: (-_value(m), m.status != "eligible", m.id))
        for rule in applicable:
            rule.counted = bool(rule.amount and rule.amount.first_year_yuan is not None and not rule.excluded_by
                                and rule.amount.basis not in _UNCOUNTED)
        data_centre = any(m.id == DATA_CENTRE_ID for m in applicable)
        costs = (cost.land_costs(self.rules, facts, parks, lang)
                 + cost.power_costs(self.rules, facts, self.settings, lang, data_centre)
                 + cost.rent_costs(self.rules, facts, units, lang))
        rules_out = [m for m in matches if m.status == "not_eligible"]
        return MatchResult(
            lang=lang, industries=list(facts.industries), district=facts.categories.get("district") or "",
            notes=self._notes(facts, lang), rules=applicable, not_applicable=rules_out,
            groups={c: [m.id for m in applicable if m.category == c] for c in CATEGORIES},
            totals=self._totals(applicable, lang), costs=costs, parks=cost.park_places(parks, lang),
            factories=cost.factory_places(units, lang), asks=self._asks(applicable),
            sample=any(m.sample or (m.amount and m.amount.sample) for m in applicable) or any(c.sample for c in costs))

    # ---- one rule ----
    def _judge(self, criteria: Sequence[CriterionItem], facts: Facts, lang: str, article: str,
               start: dt.date | None, end: dt.date | None, today: dt.date) -> list[CriterionResult]:
        out = [judge(c, facts, self.rules.incentives, lang, article) for c in criteria]
        if (valid := validity(start, end, today, lang)) is not None:
            out.append(valid)
        return out

    def _rule(self, inc: Incentive, scene: Scene, today: dt.date) -> RuleMatch:
        lang = scene.lang
        criteria = self._judge(inc.criteria, scene.facts, lang, inc.source.article, inc.valid_from, inc.valid_to, today)
        status = _status(criteria) if inc.criteria else "possible"
        amount = amount_for(inc, scene) if status != "not_eligible" else None
        if status != "not_eligible" and amount is None:
            amount = Amount(ask=tr(lang, "此类优惠没有测算方法", "No estimate for this kind of incentive"))
        rule = RuleMatch(
            id=inc.id, name=(inc.name_en or inc.name) if lang == "en" else inc.name, category=inc.category,
            payee=inc.payee, status=status, criteria=criteria, conditions=list(inc.conditions), amount=amount,  # type: ignore[arg-type]
            citation=cost.citation(inc.source), also_cited=[cost.citation(s) for s in inc.restated_in],
            valid_from=inc.valid_from.isoformat() if inc.valid_from else "",
            valid_to=inc.valid_to.isoformat() if inc.valid_to else "", exclusive_group=inc.exclusive_group or "",
            sample=inc.sample)
        rule.reason = self._reason(rule, lang) if inc.criteria else tr(
            lang, "规则未载明可机读的条件，请对照原文条件", "The rule states no machine-readable criteria: check its conditions")
        return rule

    def _data_centre(self, scene: Scene, today: dt.date) -> RuleMatch:
        """The data-centre power price (tariffs.yaml) as a power rule: its criteria, the year's saving."""
        dc, lang, facts = self.rules.tariffs.data_centre, scene.lang, scene.facts
        criteria = self._judge(dc.criteria, facts, lang, dc.source.article, dc.valid_from, dc.valid_to, today)
        status = _status(criteria)
        amount = None
        if status != "not_eligible":
            kwh = facts.point("annual_kwh")
            amount = (from_calc(data_centre_power(self.rules, kwh, want="saving", lang=lang), "per_year") if kwh
                      else Amount(ask=tr(lang, "请提供年用电量（kWh）", "Give the annual power use (kWh)")))
        name = tr(lang, f"{dc.district}数据中心优惠电价",
                  f"Data-centre power price in {self.rules.places.district_name(dc.district, 'en')}")
        rule = RuleMatch(id=DATA_CENTRE_ID, name=name, category="power", status=status, criteria=criteria,  # type: ignore[arg-type]
                         conditions=[dc.note] if dc.note else [], amount=amount, citation=cost.citation(dc.source),
                         valid_from=dc.valid_from.isoformat() if dc.valid_from else "",
                         valid_to=dc.valid_to.isoformat() if dc.valid_to else "", sample=dc.sample)
        rule.reason = self._reason(rule, lang)
        return rule

    def _land_cap(self, facts: Facts, lang: str, today: dt.date) -> float | None:
        """The lowest land price cap per mu (kind price_cap on land_mu) whose criteria may hold: it prices land
        where no park lists a price."""
        caps = [inc.max_yuan for inc in self.rules.incentives.items
                if isinstance(inc, PriceCap) and inc.per == "land_mu" and _status(self._judge(
                    inc.criteria, facts, lang, inc.source.article, inc.valid_from, inc.valid_to, today)) != "not_eligible"]
        return min(caps, default=None)

    @staticmethod
    def _reason(rule: RuleMatch, lang: str) -> str:
        sep = tr(lang, "；", "; ")
        if rule.status == "not_eligible":
            return tr(lang, "不满足：", "Not met: ") + sep.join(
                c.text + (f"（{c.value}）" if c.value and lang != "en" else f" ({c.value})" if c.value else "")
                for c in rule.criteria if c.status == "not_met")
        if rule.status == "possible":
            return tr(lang, "待确认：", "To confirm: ") + sep.join(c.ask or c.text for c in rule.criteria
                                                                  if c.status == "unknown")
        return ""

    # ---- across rules ----
    def _exclusive(self, matches: list[RuleMatch], lang: str) -> None:
        """In each exclusivity group only the best rule that may apply counts (就高); the others say which."""
        for group in self.rules.incentives.exclusive_groups:
            members = [m for m in matches if m.exclusive_group == group.id and m.status != "not_eligible"]
            priced = [m for m in members if _worth(m) is not None]
            if len(members) < 2 or not priced:
                continue
            best = max(priced, key=lambda m: (_worth(m) or 0.0, m.status == "eligible"))
            name = (group.name_en or group.name) if lang == "en" else group.name
            for m in members:
                if m is not best:
                    m.excluded_by = best.id
                    note = tr(lang, f"{name}：只计{best.name}（{group.source.cite()}）",
                              f"{name}: only {best.name} counts ({group.source.cite()})")
                    if m.amount:
                        m.amount.notes.append(note)

    @staticmethod
    def _totals(rules: list[RuleMatch], lang: str) -> Totals:
        counted = [r for r in rules if r.counted and r.amount]
        unit = tr(lang, "元", "yuan")
        working = [f"{r.name}{tr(lang, '（待确认）', ' (to confirm)') if r.status == 'possible' else ''}: "
                   f"{num(r.amount.first_year_yuan or 0, 2)} {unit}" for r in counted if r.amount]
        total = sum((r.amount.first_year_yuan or 0.0) for r in counted if r.amount)
        if counted:
            working.append(tr(lang, "第一年合计", "First-year total") + " = " + " + ".join(
                num(r.amount.first_year_yuan or 0, 2) for r in counted if r.amount) + f" = {num(total, 2)} {unit}")
        not_counted = [f"{r.name}: " + (tr(lang, f"与{r.excluded_by}不重复享受", f"not with {r.excluded_by}")
                                        if r.excluded_by else tr(lang, {"deduction": "税前扣除额，非现金",
                                                                       "in_kind": "非现金支持", "range": "金额为区间",
                                                                       "cap": "价格上限，不是补助"}
                                                                 .get(r.amount.basis, "未测算"),
                                                                 {"deduction": "a pre-tax deduction, not cash",
                                                                  "in_kind": "in kind", "range": "a range",
                                                                  "cap": "a price cap, not support"}
                                                                 .get(r.amount.basis, "not estimated")))
                       for r in rules if not r.counted and r.amount]
        return Totals(first_year_yuan=round(total, 2),
                      confirmed_yuan=round(sum(r.amount.first_year_yuan or 0.0 for r in counted
                                               if r.amount and r.status == "eligible"), 2),
                      company_yuan=round(sum(r.amount.first_year_yuan or 0.0 for r in counted
                                             if r.amount and r.payee == "company"), 2),
                      staff_yuan=round(sum(r.amount.first_year_yuan or 0.0 for r in counted
                                           if r.amount and r.payee == "staff"), 2),
                      working=working, not_counted=not_counted)

    def _asks(self, rules: list[RuleMatch]) -> list[str]:
        """What to ask first: the asks on which the most support (by rule value, at least 1 a rule) waits."""
        weight: dict[str, float] = {}
        for rule in rules:
            asks = [c.ask for c in rule.criteria if c.status == "unknown" and c.ask]
            if rule.amount and rule.amount.ask:
                asks.append(rule.amount.ask)
            for ask in dict.fromkeys(asks):
                weight[ask] = weight.get(ask, 0.0) + max(1.0, _value(rule))
        return sorted(weight, key=lambda a: -weight[a])[: self.settings.asks]

    def _notes(self, facts: Facts, lang: str) -> list[str]:
        notes = [tr(lang, zh, en) for zh, en in facts.notes]
        if facts.industry_text and not facts.industries:
            notes.append(tr(lang, f"未能从“{facts.industry_text}”识别行业，行业条件记为待确认。",
                            f"No industry recognised in {facts.industry_text!r}: industry criteria left to confirm."))
        district = facts.categories.get("district")
        if district and district not in self.rules.places.districts():
            notes.append(tr(lang, f"“{district}”不在园区清单的区县中。", f"{district!r} is not a district of the listings."))
        if facts.district_open:
            notes.append(tr(lang, "选址未定：按所有园区匹配，限定区县的优惠记为待确认。",
                            "District open: all parks considered; district-only rules left to confirm."))
        return notes
