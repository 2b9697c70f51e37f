"""The shape of an answer as a person reads it (issue 15): does its first sentence hold an expected figure with
its unit, and is any figure stated twice? Pure functions over the answer text, unit-tested with hand-written
answers.

- Body: the answer less its closing sample-data note ("（注：以上含示例数据…）", "(Includes sample data…)");
  sources travel outside the text (Answer.sources), so the [n] markers are all that is left of them.
- Sentences: every line is split after 。！？!? and after a "." that ends an English sentence (followed by a
  space or the end, not a decimal point or an abbreviation); a list item ("- …", "• …") is one line.
- First sentence: the first sentence of the first line that is not a label — a line ending in a colon
  ("测算过程：", "Working:", "符合条件的标准厂房：") or a Markdown heading — since a label carries no answer.
- Expected figures: every expect.facts entry and every member of any_of / derived; the first sentence must
  hold one of them as written (contains_fact), so a fact that carries a unit ("9个月", "12 yuan/m2") must
  appear with it.
- Stated twice: the same figure with the same unit (units folded across languages: 元/yuan/RMB, ㎡/m2 …) in two
  sentences. Two items of one list are different subjects (two parks can both cost 288 元/㎡) and not counted;
  years and dates are not facts of this kind.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from benchmarks.eval_lib import Expectation, contains_fact, normalise

_NOTE = re.compile(r"^[（(]?\s*(?:注：)?(?:以上含示例数据|includes sample data)", re.I)
_LABEL = re.compile(r"^(?:#{1,6}\s.*|\*\*[^*]+\*\*|.{0,160}[:：])$")
_ITEM = re.compile(r"^\s*(?:[-*•·]|\d+[.、)])\s+")
# A sentence ends after 。！？!? (and any closing quote or bracket), or after "." + space in English text.
_END = re.compile(r"(?<=[。！？!?])[”」』）)]*|(?<![\d.])(?<!e\.g)(?<!i\.e)(?<!\bno)(?<!\bvs)(?<!approx)(?<!\betc)\.(?=\s|$)",
                  re.I)

_NUM = r"(?<![\d.])(\d+(?:\.\d+)?)"
_SCALE = r"(万|亿|million|billion)?"
# Units after a figure, longest first, as they read after normalise() (NFKC, casefold: ㎡ -> m2).
_UNITS = ("元/亩", "元/m2·月", "元/m2/月", "元/m2", "元/kwh", "元/千瓦时", "元/kw·月", "元/kva·月", "元/月", "元/人",
          "yuan/m2/month", "yuan/m2", "yuan/kwh", "/kwh", "/m2", "/mu", "元/mu", "元", "yuan", "%", "个月", "个", "项",
          "家", "人", "年", "天", "亩", "mu", "m2", "平方米", "平方公里", "km2", "公里", "km", "kwh", "千瓦时", "kva",
          "千伏安", "kv", "千伏", "kw", "千瓦", "吨", "米", "m", "months", "month", "years", "year", "days", "day",
          "eflops", "projects", "jobs", "people")
_FIGURE = re.compile(_NUM + r"\s*" + _SCALE + r"\s*(" + "|".join(re.escape(u) for u in _UNITS) + r")?(?![a-z])")
_RMB = re.compile(r"(?:rmb|¥)\s*$")
_FOLD = {"yuan": "元", "元/千瓦时": "元/kwh", "/kwh": "元/kwh", "yuan/kwh": "元/kwh", "yuan/m2": "元/m2", "/m2": "元/m2",
         "平方米": "m2", "yuan/m2/month": "元/m2·月", "元/m2/月": "元/m2·月", "mu": "亩", "元/mu": "元/亩", "/mu": "元/亩",
         "千瓦时": "kwh", "千伏安": "kva", "千伏": "kv", "千瓦": "kw", "km": "公里", "km2": "平方公里",
         "months": "个月", "month": "个月", "years": "年", "year": "年", "days": "天", "day": "天"}
_NOT_FACTS = {"kv"}  # a voltage class names whom a price is for ('10 kV users'): a subject, not a fact
_DATE_UNITS = {"年", "个月", "天"}


def body(answer: str) -> list[str]:
    """The answer's lines that carry content: blank lines and the closing sample-data note left out."""
    return [line.strip() for line in answer.splitlines() if line.strip() and not _NOTE.match(line.strip())]


def split_sentences(line: str) -> list[str]:
    """One line as its sentences (Chinese and English punctuation both; decimals are never split)."""
    out, start = [], 0
    for match in _END.finditer(line):
        piece = line[start:match.end()].strip()
        if piece and re.search(r"\w", piece):
            out.append(piece)
        start = match.end()
    tail = line[start:].strip()
    if tail and re.search(r"\w", tail):
        out.append(tail)
    return out


def is_label(line: str) -> bool:
    """A heading or a label line ('测算过程：', 'Working:', '## …'): no answer of its own."""
    return bool(_LABEL.match(line.strip())) and not re.search(r"\[\d+\]", line)


def sentences(answer: str) -> list[tuple[str, bool]]:
    """(sentence, from a list item?) of the body, labels left out, in reading order."""
    out = []
    for line in body(answer):
        if is_label(line):
            continue
        item = bool(_ITEM.match(line))
        out += [(s, item) for s in split_sentences(_ITEM.sub("", line, count=1))]
    return out


def first_sentence(answer: str) -> str:
    found = sentences(answer)
    return found[0][0] if found else ""


def expected_figures(expect: Expectation) -> tuple[str, ...]:
    return (*expect.facts, *(f for group in (*expect.any_of, *expect.derived) for f in group))


def _figure(number: str, scale: str, unit: str) -> tuple[str, str]:
    value = number.rstrip("0").rstrip(".") if "." in number else number
    return value + scale, _FOLD.get(unit, unit)


def figures(sentence: str) -> set[tuple[str, str]]:
    """(number with its scale, unit) pairs a sentence states ('162.2亿元' and 'RMB 162.2 亿元' alike); a bare
    number, a year ('2025年') or a voltage class is not one."""
    text = normalise(sentence)
    found = set()
    for m in _FIGURE.finditer(text):
        number, scale, unit = m.group(1), m.group(2) or "", m.group(3) or ""
        if not unit and _RMB.search(text[:m.start()]):
            unit = "元"
        value, unit = _figure(number, scale, unit)
        if not unit or unit in _NOT_FACTS or (unit in _DATE_UNITS and len(number) == 4 and number[:2] in ("19", "20")):
            continue
        found.add((value, unit))
    return found


def repeated_figures(answer: str) -> list[str]:
    """Figures (number + unit) stated in two sentences of the body, two list items apart excepted."""
    seen: dict[tuple[str, str], list[bool]] = {}
    for sentence, item in sentences(answer):
        for figure in figures(sentence):
            seen.setdefault(figure, []).append(item)
    return [f"{n}{u}" for (n, u), items in seen.items() if len(items) > 1 and not all(items)]


_SHAPES = (  # (name, pattern over the first sentence); first match names the shape of an offender
    ("empty answer", r"^$"),
    ("《title》: quoted passage", r"^《[^》]+》[:：]"),
    ("working step (result comes later)", r"(?:=|×|\*).*(?:=|×)|^.{0,30}=\s*"),
    ("listing row (ID first)", r"^(?:标准厂房)?[FP]-\d{2,}"),
    ("field: value record", r"^[^:：。]{1,24}[:：][^:：]{1,80}[；;]"),
    ("key figures / glossary line", r"^(?:主要数字|key figures)"),
    ("passage with source in brackets", r"（来源："),
    ("sentence without the asked figure", r""),
)


def shape_of(sentence: str) -> str:
    """A coarse name for what a first sentence is, for counting the offenders."""
    return next(name for name, pattern in _SHAPES if re.search(pattern, sentence, re.I))


@dataclass
class ShapeResult:
    measured: bool  # the question expects figures, was expected to be answered and was answered
    first: str = ""
    first_holds: bool = False
    repeated: list[str] = field(default_factory=list)

    @property
    def shape(self) -> str:
        return shape_of(self.first)


def check_shape(expect: Expectation, answer: str, status: str) -> ShapeResult:
    expected = expected_figures(expect)
    if "answered" not in expect.status or status != "answered" or not expected:
        return ShapeResult(False)
    first = first_sentence(answer)
    return ShapeResult(True, first, any(contains_fact(first, f) for f in expected), repeated_figures(answer))


@dataclass
class ShapeSummary:
    measured: int
    first_holds: int
    repeats: int  # answers with a figure stated twice
    shapes: Counter[str]

    @property
    def first_share(self) -> float:
        return self.first_holds / self.measured if self.measured else 0.0

    @property
    def once_share(self) -> float:
        return 1 - self.repeats / self.measured if self.measured else 0.0


def summarise_shapes(results: Iterable[ShapeResult]) -> ShapeSummary:
    measured = [r for r in results if r.measured]
    return ShapeSummary(len(measured), sum(r.first_holds for r in measured), sum(bool(r.repeated) for r in measured),
                        Counter(r.shape for r in measured if not r.first_holds))


def format_summary(s: ShapeSummary, top: int = 10) -> Sequence[str]:
    lines = [f"  answer shape: first sentence holds an expected figure {s.first_holds}/{s.measured} = "
             f"{s.first_share:.3f} (aim >= 0.9); each figure once {s.measured - s.repeats}/{s.measured} = "
             f"{s.once_share:.3f}"]
    if s.shapes:
        lines.append("  first sentence instead: " + "; ".join(f"{name} {n}" for name, n in s.shapes.most_common(top)))
    return lines


def format_offenders(checked: Iterable[tuple[str, ShapeResult]]) -> Sequence[str]:
    """One line per answer whose first sentence misses every expected figure or that states a figure twice."""
    lines = []
    for qid, r in checked:
        if r.measured and not r.first_holds:
            lines.append(f"    {qid:<18} first sentence [{r.shape}]: {r.first[:100]}")
        if r.measured and r.repeated:
            lines.append(f"    {qid:<18} stated twice: {', '.join(r.repeated[:6])}")
    return lines
