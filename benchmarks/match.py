"""Policy matching against golden profiles, and the latency of a match.

    python -m benchmarks.match [--profiles tests/eval/profiles.jsonl] [--corpus corpus] [--repeat 200]

The golden file (written blind from the policy documents, not from the rules' criteria) has one JSON object per
line: {"profile": {...}, "must_match": [...], "must_not_match": [...], "amounts": [{"incentive", "amount",
"working"}]}. When it does not exist the benchmark says so, measures latency only and exits 0.

Golden names are free text that name a source document and article ("《贵阳市工业用地供应与地价政策指引》第八条
地价奖励"). Each is matched to the rules by document + article: the 《title》 in the name and its 第X条 articles
against every rule's citation and `restated_in` sources (same title, an article in common; with no article in
the name, the only rule citing that title; failing that, the articles the rules' criteria cite, as 第一条 scope). A name
no rule matches counts as a miss, and is listed. Two kinds of names are scored apart, and listed: a name no rule
answers that cites a tariff document (the documents the power cost cites) is a tariff, not an incentive, and
counts as priced when the result's costs cite it; a must-not name that resolves to a rule that must match (its
20% tier where the 30% tier applies) is judged by the rule's amount, not by rule id. Where one article states several rules (a park
overview restating three), the name's other words pick the rule whose name shares most of them.

The profile scored is the golden profile with, for the fields it leaves unset, the facts its chat message states
(the profile reader of the chat, extract.py): the golden profiles were written with the issue's field list, and
some amounts rest on facts only the message gives (the equipment spend, the yearly local contribution, the factory
unit). The same golden expectations are also scored on the message alone (the chat's own reading), when present.

A rule is "matched" when it may apply (eligible or possible, as the result lists it); the strict figures count
eligible rules only. Recall: must_match rules matched / all must_match names. Precision: of the matched rules the
golden set labels (must_match or must_not_match), the share in must_match. An amount is correct when it equals
the rule's amount (its total, its first year, or a range's end) within 0.5% or 1 yuan, or a figure of a cost the
result prices under the name's own document and article (the data-centre bill beside its saving); a golden amount
is yuan, or a string with its unit (万元, 亿元, 元), read at its first sum of money (a unit price such as
0.1238元/kWh is no sum). A tariff name's amount is judged against the power costs that cite it.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from assistant.listings import Places
from assistant.matching import CostItem, Matcher, MatchResult, Profile, RuleMatch, load_matcher, profile_from_text
from assistant.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "eval" / "profiles.jsonl"
TITLE = re.compile(r"《([^》]+)》")
ARTICLE = re.compile(r"第([零〇一二三四五六七八九十百\d]+)条")
# A unit price (元/kWh, yuan/m², 元/人) is no sum of money; a sum a year or a month (万元/年) is.
_PER_UNIT = r"(?!\s*(?:/|per\s+)\s*(?:kwh|kw|kva|㎡|m²|m2|平方米|亩|mu|度|人|person|head))"
MONEY = re.compile(r"(?P<n1>\d+(?:\.\d+)?)\s*(?P<s1>亿|万|million|billion)?\s*(?:元|yuan)" + _PER_UNIT +
                   r"|(?:rmb|¥)\s*(?P<n2>\d+(?:\.\d+)?)(?![\d.])\s*(?P<s2>million|billion)?" + _PER_UNIT, re.IGNORECASE)
SCALE = {"亿": 1e8, "万": 1e4, "million": 1e6, "billion": 1e9}
COMPLETE = Profile.model_validate({
    "industry": "新能源汽车零部件", "district": "观山湖区", "investment_yuan": 6e8, "fixed_asset_investment_yuan": 4e8,
    "equipment_investment_yuan": 1.2e8, "land_mu": 120, "factory_m2": 6000, "annual_kwh": 3e7, "voltage_kv": 10,
    "jobs": 400, "revenue_yuan": 8e8, "taxable_income_yuan": 6e7, "local_contribution_yuan": 3e6, "rd_spend_yuan": 3e7,
    "encouraged_revenue_share": 0.8, "registered_locally": True, "foreign_invested": False, "new_rd_institute": False,
    "rd_centre_level": "provincial", "listing_board": "neeq", "firm_size": "medium",
    "talents": {"phd": 2, "master": 8, "bachelor": 30, "bachelor_double_first_class": 6, "high_level": 1}})


def articles(text: str) -> set[str]:
    return set(ARTICLE.findall(text))


def rule_sources(rule: RuleMatch) -> list[tuple[str, set[str]]]:
    return [(c.title, articles(c.article)) for c in (rule.citation, *rule.also_cited)]


def criteria_sources(rule: RuleMatch) -> list[tuple[str, set[str]]]:
    """The articles of the rule's own document that its criteria cite (第一条 scope, 第八条 excluded sectors):
    a golden name citing the article a condition comes from names the rule that condition belongs to."""
    return [(rule.citation.title, set().union(*(articles(c.article) for c in rule.criteria)))]


def cost_sources_of(item: CostItem) -> list[tuple[str, set[str]]]:
    return [(c.title, articles(c.article)) for c in item.citations]


def cost_sources(result: MatchResult) -> list[tuple[str, set[str]]]:
    return [source for item in result.costs for source in cost_sources_of(item)]


def cost_figures(item: CostItem) -> list[float]:
    """A cost's sums: its value, and the parts it states (the T&D share of the energy charge, a month's basic
    charge)."""
    return [v for v in (item.value_yuan, *(part.value_yuan for part in getattr(item, "parts", ()))) if v is not None]


def _words(name: str) -> set[str]:
    """The characters of a name outside its 《title》 and 第X条: what it calls the rule (地价奖励)."""
    return set(ARTICLE.sub("", TITLE.sub("", name))) - set(" ，,、；;：:（）()")


def resolve(name: str, rules: list[RuleMatch]) -> set[str]:
    """The ids of the rules a golden name names, by document title and article (the rules' citations first,
    then the articles their criteria cite). Where one article states several rules (a park overview restating
    three), the name's own words pick those whose name shares most."""
    return _resolve(name, rules, rule_sources) or _resolve(name, rules, criteria_sources)


def _resolve(name: str, rules: list[RuleMatch], sources: Callable[[RuleMatch], list[tuple[str, set[str]]]]) -> set[str]:
    titles, wanted = TITLE.findall(name), articles(name)
    hits: set[str] = set()
    for article in wanted or {None}:
        found = [r for r in rules for title, arts in sources(r)
                 if title in titles and (article is None or article in arts)]
        if len({r.id for r in found}) > 1 and (words := _words(name)):
            best = max(len(words & set(r.name)) for r in found)
            found = [r for r in found if len(words & set(r.name)) == best] if best else found
        hits |= {r.id for r in found}
    if not wanted and len(hits) > 1:
        return set()  # a document without an article names no one rule
    return hits


def cited(name: str) -> list[tuple[str, set[str]]]:
    """Each 《document》 a name cites with the articles written after it (up to the next document)."""
    found = list(TITLE.finditer(name))
    return [(m.group(1), articles(name[m.end(): found[i + 1].start() if i + 1 < len(found) else len(name)]))
            for i, m in enumerate(found)]


def cites(name: str, sources: list[tuple[str, set[str]]]) -> bool:
    """Whether one of a golden name's documents, at one of its own articles, is among these sources."""
    return any(title == t and (not wanted or wanted & arts) for t, wanted in cited(name) for title, arts in sources)


def yuan(amount: object, working: str = "") -> list[float]:
    """The golden amount in yuan (a number is yuan; also read as 万元 when its working speaks in 万元)."""
    if isinstance(amount, int | float) and not isinstance(amount, bool):
        out = [float(amount)]
        if "万元" in working and amount < 1e6:
            out.append(float(amount) * 1e4)
        return out
    text = str(amount).replace(",", "")
    # The first sum of money, not the first figure: "5年少缴租金1,512,000元" is 1,512,000 yuan, not 5.
    m = MONEY.search(text) or re.search(r"(?P<n>\d+(?:\.\d+)?)\s*(?P<s>亿|万)?", text)
    if not m:
        return []
    groups = {k: v for k, v in m.groupdict().items() if v}
    number = next(v for k, v in groups.items() if k.startswith("n"))
    scale = next((v for k, v in groups.items() if k.startswith("s")), "")
    return [float(number) * SCALE.get(scale.lower(), 1.0)]


def same(a: float, b: float) -> bool:
    return abs(a - b) <= max(1.0, 0.005 * abs(b))


@dataclass
class Tally:
    must: int = 0
    found: int = 0
    found_strict: int = 0
    labelled: int = 0
    labelled_right: int = 0
    labelled_strict: int = 0
    labelled_strict_right: int = 0
    amounts: int = 0
    amounts_right: int = 0
    tariffs: int = 0
    tariffs_priced: int = 0
    tiers: int = 0
    tariff_titles: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)


def score(n: int, case: dict, result: MatchResult, tally: Tally) -> None:
    every = result.rules + result.not_applicable
    matched = {r.id for r in result.rules}
    strict = {r.id for r in result.rules if r.status == "eligible"}
    must: dict[str, set[str]] = {name: resolve(name, every) for name in case.get("must_match", [])}
    must_not = {name: resolve(name, every) for name in case.get("must_not_match", [])}
    _tariffs(n, must, must_not, result, tally)
    want = set().union(*must.values()) if must else set()
    for name, ids in list(must_not.items()):
        if ids and ids <= want:  # "the 20% tier" of a rule whose 30% tier must match: its amount judges it
            tally.tiers += 1
            tally.problems.append(f"line {n}: a tier of a rule that must match (judged by its amount): {name!r}")
            del must_not[name]
    refuse = set().union(*must_not.values()) if must_not else set()
    for name, ids in {**must, **must_not}.items():
        if not ids:
            tally.problems.append(f"line {n}: no rule found for golden name {name!r}")
    for name, ids in must.items():
        tally.must += 1
        tally.found += bool(ids & matched)
        tally.found_strict += bool(ids & strict)
        if ids and not ids & matched:
            why = "; ".join(r.reason for r in every if r.id in ids)
            tally.problems.append(f"line {n}: missed {name!r} ({why})")
    for ours, right, key in ((matched, "labelled_right", "labelled"), (strict, "labelled_strict_right", "labelled_strict")):
        labelled = ours & (want | refuse)
        setattr(tally, key, getattr(tally, key) + len(labelled))
        setattr(tally, right, getattr(tally, right) + len(labelled & want - refuse))
    for name, ids in must_not.items():
        if ids & matched:
            tally.problems.append(f"line {n}: matched {name!r}, which must not match")
    by_id = {r.id: r for r in every}
    for item in case.get("amounts", []):
        tally.amounts += 1
        name = str(item.get("incentive", ""))
        ids = resolve(name, every)
        golden = yuan(item.get("amount"), str(item.get("working", "")))
        ours = [v for i in ids if (a := by_id[i].amount) for v in (a.value_yuan, a.first_year_yuan, a.low_yuan,
                                                                   a.high_yuan, a.extra_yuan, a.assumed_yuan)
                if v is not None]
        # the costs priced under the name's own document and article (a tariff, the data-centre bill)
        ours += [v for c in result.costs if cites(name, cost_sources_of(c)) for v in cost_figures(c)]
        if any(same(o, g) for o in ours for g in golden):
            tally.amounts_right += 1
        else:
            tally.problems.append(f"line {n}: amount of {item.get('incentive')!r}: golden {item.get('amount')}, "
                                  f"ours {sorted(set(ours)) or 'none'}")


def _tariffs(n: int, must: dict[str, set[str]], must_not: dict[str, set[str]], result: MatchResult,
             tally: Tally) -> None:
    """Golden names no rule answers that cite a tariff document are tariffs, not incentives: the result prices
    them as the power cost, so they are scored apart (priced or not), not as rules; they leave the rule figures."""
    priced = cost_sources(result)
    for names, wanted in ((must, True), (must_not, False)):
        for name in [x for x, ids in names.items() if not ids and set(TITLE.findall(x)) & tally.tariff_titles]:
            del names[name]
            stated = cites(name, priced)
            if wanted:
                tally.tariffs += 1
                tally.tariffs_priced += stated
            if stated != wanted:
                tally.problems.append(f"line {n}: tariff {'not priced' if wanted else 'priced, which must not be'}"
                                      f": {name!r}")


def latency(matcher: Matcher, repeat: int) -> tuple[float, float]:
    for _ in range(3):
        matcher.match(COMPLETE)
    times = []
    for i in range(repeat):
        start = time.perf_counter()
        matcher.match(COMPLETE, "en" if i % 2 else "zh")
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(0.95 * len(times)))]


def ratio(a: int, b: int) -> str:
    return f"{a / b:.3f} ({a}/{b})" if b else "n/a (0)"


def with_message(golden: dict[str, Any], message: str, places: Places) -> tuple[dict[str, Any], list[str]]:
    """The golden profile with the facts its chat message states for the fields it leaves unset (talents by
    degree); the golden profile's own values always win. Also the fields so filled."""
    said = profile_from_text(message, places) if message else {}
    out, added = dict(golden), []
    for key, value in said.items():
        if key == "talents":
            mine = dict(golden.get("talents") or {})
            for degree, count in value.items():
                if mine.get(degree) is None:
                    mine[degree] = count
                    added.append(f"talents.{degree}")
            out["talents"] = mine
        elif golden.get(key) is None:
            out[key] = value
            added.append(key)
    return out, added


def evaluate(lines: list[str], matcher: Matcher, tally: Tally, source: str) -> int:
    """Score every golden line into the tally; source "profile" (the golden profile and its message's other
    facts) or "message" (the message alone, as the chat reads it). The number of lines scored."""
    cases = 0
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            case = json.loads(line)
            if source == "message":
                if not case.get("message"):
                    continue
                fields = profile_from_text(str(case["message"]), matcher.rules.places)
            else:
                extra = sorted(set(case["profile"]) - set(Profile.model_fields))
                if extra:  # a key the profile has no fact for (a company name): said, then left out
                    tally.problems.append(f"line {n}: profile keys ignored: {', '.join(extra)}")
                fields, added = with_message({k: v for k, v in case["profile"].items() if k not in extra},
                                             str(case.get("message") or ""), matcher.rules.places)
                if added:
                    tally.problems.append(f"line {n}: read from the message: {', '.join(added)}")
            profile = Profile.model_validate(fields)
        except (json.JSONDecodeError, KeyError, TypeError, ValidationError) as exc:
            tally.problems.append(f"line {n}: unreadable profile: {str(exc).splitlines()[0]}")
            continue
        cases += 1
        lang = case.get("lang", "zh") if case.get("lang") in ("zh", "en") else "zh"
        score(n, case, matcher.match(profile, lang), tally)
    return cases


def report(tally: Tally, cases: int, total: int, problems: bool = True) -> None:
    print(f"golden profiles: {cases} scored of {total}")
    print(f"recall (may apply):       {ratio(tally.found, tally.must)}")
    print(f"precision (may apply):    {ratio(tally.labelled_right, tally.labelled)}")
    print(f"recall (eligible only):   {ratio(tally.found_strict, tally.must)}")
    print(f"precision (eligible only):{ratio(tally.labelled_strict_right, tally.labelled_strict)}")
    print(f"correct amounts:          {ratio(tally.amounts_right, tally.amounts)}")
    print(f"tariffs priced as costs:  {ratio(tally.tariffs_priced, tally.tariffs)} (must-match tariff names, "
          f"scored apart from the incentive rules)")
    print(f"tiers of a must rule:     {tally.tiers} must-not names (judged by the rule's amount)")
    for problem in tally.problems if problems else ():
        print("  " + problem)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profiles", type=Path, default=GOLDEN)
    parser.add_argument("--corpus", type=Path, default=None, help="default: the settings' corpus folder")
    parser.add_argument("--repeat", type=int, default=200, help="matches timed for the latency")
    parser.add_argument("--message-problems", action="store_true",
                        help="also list the problems of the message-alone scoring")
    args = parser.parse_args(argv)
    settings = Settings()
    matcher = load_matcher(args.corpus or Path(settings.corpus_dir), settings.match)
    # The tariff documents: those the power cost of a complete profile cites.
    titles = {c.title for item in matcher.match(COMPLETE).costs if item.kind == "power" for c in item.citations}
    if not args.profiles.exists():
        print(f"{args.profiles} does not exist: no golden profiles to score (latency only)")
    else:
        lines = args.profiles.read_text(encoding="utf-8").splitlines()
        total = len([x for x in lines if x.strip()])
        tally = Tally(tariff_titles=titles)
        report(tally, evaluate(lines, matcher, tally, "profile"), total)
        chat = Tally(tariff_titles=titles)
        if cases := evaluate(lines, matcher, chat, "message"):
            print("from the chat message alone (the profile as the chat reads it):")
            report(chat, cases, total, args.message_problems)
    p50, p95 = latency(matcher, max(1, args.repeat))
    print(f"latency of a complete profile (warm, {args.repeat} matches): p50 {p50:.1f} ms, p95 {p95:.1f} ms "
          f"(target p95 ≤ 200 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
