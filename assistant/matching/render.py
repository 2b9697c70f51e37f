"""A match result as plain text, in Chinese or English (the command line; staff read it as a checklist)."""

from __future__ import annotations

from assistant.calculators import num, tr
from assistant.matching.result import Amount, CostItem, MatchResult, RuleMatch

_MARK = {"met": "✓", "not_met": "✗", "unknown": "?"}
_CATEGORY = {"land": ("土地", "Land"), "power": ("电力", "Power"), "factory_rent": ("厂房租金", "Factory rent"),
             "talent": ("人才", "Talent"), "tax": ("税收", "Tax"), "awards": ("奖励", "Awards")}
_STATUS = {"eligible": ("符合", "eligible"), "possible": ("待确认", "to confirm"),
           "not_eligible": ("不适用", "does not apply")}
_BASIS = {"one_off": ("一次性", "one-off"), "per_year": ("每年", "a year"), "over_term": ("分年发放", "over its term"),
          "range": ("区间", "range"), "deduction": ("税前扣除额", "pre-tax deduction"), "in_kind": ("非现金", "in kind"),
          "cap": ("价格上限，最多支付", "price cap: the most paid")}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def _yuan(value: float, lang: str) -> str:
    return f"{num(value, 2)} " + tr(lang, "元", "yuan")


def _amount(a: Amount, lang: str) -> list[str]:
    basis = _pick(_BASIS[a.basis], lang)
    if a.value_yuan is not None:
        head = f"{_yuan(a.value_yuan, lang)}（{basis}）" if lang != "en" else f"{_yuan(a.value_yuan, lang)} ({basis})"
        if a.first_year_yuan is not None and a.first_year_yuan != a.value_yuan:
            head += tr(lang, f"，第一年 {_yuan(a.first_year_yuan, lang)}", f", first year {_yuan(a.first_year_yuan, lang)}")
    elif a.low_yuan is not None and a.high_yuan is not None:
        head = f"{_yuan(a.low_yuan, lang)} – {_yuan(a.high_yuan, lang)}" + tr(lang, f"（{basis}）", f" ({basis})")
    elif a.basis == "in_kind":
        head = basis
    else:
        head = tr(lang, "未测算", "not estimated")
    lines = [tr(lang, "  金额：", "  Amount: ") + head]
    if a.ask:
        lines.append(tr(lang, "  测算还需：", "  To estimate: ") + a.ask)
    lines += [f"    {w}" for w in a.working]
    lines += [f"    * {n}" for n in a.notes]
    return lines


def _rule(r: RuleMatch, lang: str) -> list[str]:
    sample = tr(lang, "【示例数据】", " [sample data]") if r.sample else ""
    head = f"[{_pick(_CATEGORY[r.category], lang)}] {r.name} — {_pick(_STATUS[r.status], lang)}{sample}"
    if r.payee == "staff":
        head += tr(lang, "（员工本人领取）", " (paid to staff)")
    lines = [head]
    if r.amount:
        lines += _amount(r.amount, lang)
    for c in r.criteria:
        value = f"（{c.value}）" if c.value and lang != "en" else f" ({c.value})" if c.value else ""
        ask = f" → {c.ask}" if c.ask else ""
        note = f" [{c.note}]" if c.note else ""
        lines.append(f"  {_MARK[c.status]} {c.text}{value}{ask}{note}")
    if r.excluded_by:
        lines.append(tr(lang, f"  不重复享受：按就高只计 {r.excluded_by}", f"  Exclusive: only {r.excluded_by} counts"))
    valid = " ".join(x for x in (r.valid_from and tr(lang, f"{r.valid_from}起", f"from {r.valid_from}"),
                                 r.valid_to and tr(lang, f"至{r.valid_to}", f"until {r.valid_to}")) if x)
    lines.append(tr(lang, "  出处：", "  Source: ") + r.citation.text + (f"；{valid}" if valid and lang != "en" else
                                                                       f"; {valid}" if valid else ""))
    return lines


def _cost(c: CostItem, lang: str) -> list[str]:
    period = tr(lang, "每年", "a year") if c.period == "per_year" else tr(lang, "一次性", "one-off")
    value = _yuan(c.value_yuan, lang) + f"（{period}）" if c.value_yuan is not None else tr(lang, "未测算", "not priced")
    lines = [f"- {c.subject}: {value}" + (tr(lang, "【示例数据】", " [sample data]") if c.sample else "")]
    lines += [f"    {w}" for w in c.working] + [f"    * {n}" for n in c.notes]
    return lines


def render(result: MatchResult) -> str:
    lang = result.lang
    where = result.district or tr(lang, "未定", "open")
    lines = [tr(lang, f"政策匹配（行业：{'、'.join(result.industries) or '未识别'}；区县：{where}）",
                f"Policy match (industry: {', '.join(result.industries) or 'not recognised'}; district: {where})")]
    lines += [f"* {n}" for n in result.notes]
    lines += ["", tr(lang, "== 可能适用的政策（按金额排序）==", "== Rules that may apply (by value) ==")]
    for rule in result.rules:
        lines += _rule(rule, lang)
    t = result.totals
    lines += ["", tr(lang, f"== 第一年支持合计：{_yuan(t.first_year_yuan, lang)}（其中条件已全部满足 {_yuan(t.confirmed_yuan, lang)}；"
                           f"企业 {_yuan(t.company_yuan, lang)}，员工本人 {_yuan(t.staff_yuan, lang)}）==",
                     f"== First-year support: {_yuan(t.first_year_yuan, lang)} (confirmed {_yuan(t.confirmed_yuan, lang)}; "
                     f"company {_yuan(t.company_yuan, lang)}, staff {_yuan(t.staff_yuan, lang)}) ==")]
    lines += [f"    {w}" for w in t.working]
    lines += [tr(lang, "  未计入：", "  Not counted: ") + n for n in t.not_counted]
    if result.costs:
        lines += ["", tr(lang, "== 成本 ==", "== Costs ==")]
        for c in result.costs:
            lines += _cost(c, lang)
    if result.not_applicable:
        lines += ["", tr(lang, "== 不适用的政策 ==", "== Rules that do not apply ==")]
        lines += [f"- {r.name}: {r.reason}（{r.citation.text}）" if lang != "en" else f"- {r.name}: {r.reason} "
                  f"({r.citation.text})" for r in result.not_applicable]
    if result.asks:
        lines += ["", tr(lang, "== 建议补充 ==", "== Worth telling us ==")] + [f"- {a}" for a in result.asks]
    if result.sample:
        lines += ["", tr(lang, "标注【示例数据】的数值为示例数据，以主管部门最新发布为准。",
                         "Figures marked [sample data] are sample data; check the latest official release.")]
    return "\n".join(lines)
