"""Corporate income tax estimates: the Western Development rate saving and the R&D super deduction.

Rates come from the tax_rate and rd_super_deduction rules (corpus/rules/incentives.yaml). The standard rate the
preferential one is compared with is read from the rule when it has one, else taken from the user's question.
Amounts are in 万元, as the other incentive estimates.
"""

from __future__ import annotations

from assistant.calculators.base import Calculation, money_calc, num, pct, tr
from assistant.calculators.rules import RuleSet
from assistant.calculators.schema import RdSuperDeduction, TaxRate


def _wan(value: float, lang: str) -> str:
    return f"RMB {num(value / 100, 4)} million" if lang == "en" else f"{num(value, 2)} 万元"


def tax_saving(rules: RuleSet, lang: str = "zh", taxable_income_wan: float = 0.0,
               standard_rate: float | None = None) -> Calculation:
    """Tax saved per year by the preferential rate: income × (standard rate − preferential rate)."""
    inc = rules.incentives.find(TaxRate)
    rate, from_rule = inc.rate, inc.standard_rate
    standard = from_rule if from_rule is not None else standard_rate
    span = f"{inc.from_year}–{inc.to_year}"
    head = tr(lang, f"{inc.name}：税率 {pct(rate)}（{span}年）", f"Preferential rate {pct(rate)}, {span} ({inc.name_en or inc.name})")
    if standard is None or standard <= rate:
        why = tr(lang, "还需要用于比较的一般企业所得税税率，才能算出少缴的税额",
                 "To compare, I need the standard corporate income tax rate you pay otherwise")
        return Calculation("tax_saving", None, tr(lang, "万元", "10k yuan"), [head, why], [inc.source], inc.sample)
    said = tr(lang, "（规则表）" if from_rule is not None else "（按问题中给出的税率）",
              " (rules table)" if from_rule is not None else " (as given in the question)")
    at_std, at_pref = taxable_income_wan * standard, taxable_income_wan * rate
    saving = at_std - at_pref
    income = _wan(taxable_income_wan, lang)
    working = [head,
               tr(lang, f"一般企业税率：{pct(standard)}{said}", f"Standard rate: {pct(standard)}{said}"),
               tr(lang, f"按{pct(standard)}应缴：{income} × {pct(standard)} = {_wan(at_std, lang)}",
                  f"Tax at {pct(standard)}: {income} × {pct(standard)} = {_wan(at_std, lang)}"),
               tr(lang, f"按{pct(rate)}应缴：{income} × {pct(rate)} = {_wan(at_pref, lang)}",
                  f"Tax at {pct(rate)}: {income} × {pct(rate)} = {_wan(at_pref, lang)}"),
               tr(lang, f"每年少缴 = {_wan(at_std, lang)} − {_wan(at_pref, lang)} = {_wan(saving, lang)}",
                  f"Saving per year = {_wan(at_std, lang)} − {_wan(at_pref, lang)} = {_wan(saving, lang)}")]
    share = inc.min_revenue_share
    notes = [tr(lang, f"条件：鼓励类产业企业，主营业务收入占企业收入总额{pct(share)}以上。",
                f"Condition: encouraged-industry business, at least {pct(share)} of total revenue.")]
    return money_calc("tax_saving", saving, "万元", "10k yuan", lang, working, [inc], notes)


def rd_deduction(rules: RuleSet, lang: str = "zh", rd_expense_wan: float = 0.0, industry: str = "",
                 intangible: bool = False) -> Calculation:
    """Total pre-tax deduction for expensed R&D (amount + super deduction), or the amortisation base of an
    intangible asset; the industries the rule lists under `special` (by name, English name or alias) use the
    special rates."""
    inc = rules.incentives.find(RdSuperDeduction)
    special = inc.special
    listed = special.industry(industry) if special is not None and industry else None
    qualifies = listed is not None
    src = special if special is not None and qualifies else inc
    rate = src.intangible_rate if intangible else src.rate
    who = (tr(lang, f"{listed.label(lang)}企业", f"{listed.label(lang)} company") if listed is not None
           else tr(lang, "一般企业", "ordinary company"))
    start = src.from_year
    span = (tr(lang, f"{start}–{special.to_year}年", f"{start}–{special.to_year}") if special is not None and qualifies
            else tr(lang, f"{start}年起", f"from {start}"))
    working = [tr(lang, f"{inc.name}：{who}{'无形资产摊销' if intangible else '加计扣除'}比例 {pct(rate)}（{span}）",
                  f"{inc.name_en or inc.name}: {who}, {'amortisation' if intangible else 'super deduction'} "
                  f"rate {pct(rate)} ({span})")]
    expense = _wan(rd_expense_wan, lang)
    if intangible:
        total = rd_expense_wan * rate
        working.append(tr(lang, f"税前摊销总额 = {expense} × {pct(rate)} = {_wan(total, lang)}",
                          f"Total amortisation = {expense} × {pct(rate)} = {_wan(total, lang)}"))
    else:
        extra = rd_expense_wan * rate
        total = rd_expense_wan + extra
        working += [tr(lang, f"加计扣除额 = {expense} × {pct(rate)} = {_wan(extra, lang)}",
                       f"Extra deduction = {expense} × {pct(rate)} = {_wan(extra, lang)}"),
                    tr(lang, f"税前合计扣除 = {expense} + {_wan(extra, lang)} = {_wan(total, lang)}",
                       f"Total pre-tax deduction = {expense} + {_wan(extra, lang)} = {_wan(total, lang)}")]
    notes = []
    if industry and not qualifies:
        notes.append(tr(lang, f"{industry}不在提高比例的行业范围内，按一般企业计算。",
                        f"{industry} is not among the industries with higher rates: ordinary rate used."))
    elif not industry and special is not None:
        names = ("、" if lang != "en" else ", ").join(i.label(lang) for i in special.industries)
        notes.append(tr(lang, f"{names}企业比例提高为{pct(special.rate)}（摊销{pct(special.intangible_rate)}）。",
                        f"{names} companies: {pct(special.rate)} ({pct(special.intangible_rate)} for intangibles)."))
    return money_calc("rd_deduction", total, "万元", "10k yuan", lang, working, [inc], notes)
