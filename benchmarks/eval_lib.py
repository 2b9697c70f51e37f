"""Scoring for the answer-quality benchmark: load the question set, check an answer against its expectations,
and compute retrieval metrics (Recall@k, MRR@k) and per-topic pass rates.

Pure functions over plain data: no index, no model, so the scoring itself is unit-tested cheaply.

Fact matching is deliberately forgiving about form and strict about numbers:
- both sides are NFKC-normalised and case-folded (full-width digits, ㎡ → m2, "，" → ","),
- thousands separators inside numbers are dropped ("632,000" and "632 000" read as 632000),
- whitespace between the characters of a fact is ignored ("19.2 万" matches "19.2万"),
- a fact that starts or ends with a digit must not touch other digits: "288" does not match "2880" or
  "0.288", and "0.56" does not match "0.562"; trailing ".0"/".00" is allowed ("632000.00" matches 632000).
"""

from __future__ import annotations

import ast
import json
import operator
import re
import statistics
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

STATUSES = ("answered", "no_answer", "out_of_scope")
LANGS = ("zh", "en")
TOPICS = ("land", "electricity", "talent", "factories", "parks", "incentives", "tax", "service", "overview",
          "calculation", "followup", "out_of_scope", "injection", "handoff", "no_answer")
REQUIRED_KEYS = ("id", "question", "lang", "topic", "expect", "relevant_docs")
EXPECT_KEYS = {"status", "facts", "any_of", "absent", "handoff", "derived"}

_GROUPED_NUMBER = re.compile(r"(?<![\d.])\d{1,3}(?:[,\u00a0\u2009\u202f ]\d{3})+(?!\d)")


class QuestionFileError(ValueError):
    pass


@dataclass(frozen=True)
class Expectation:
    status: tuple[str, ...]  # any of these statuses passes
    facts: tuple[str, ...] = ()  # every one must appear
    any_of: tuple[tuple[str, ...], ...] = ()  # at least one of each group must appear
    absent: tuple[str, ...] = ()  # none may appear
    handoff: bool | None = None  # checked only when given
    # Computed figures (e.g. a bill for a usage split nobody published): checked like any_of, but not
    # expected to appear verbatim in the corpus; the question's ``working`` shows the arithmetic.
    derived: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    lang: str
    topic: str
    expect: Expectation
    relevant_docs: tuple[str, ...] = ()
    session: str | None = None
    working: str = ""  # "expression = result" for derived figures


@dataclass
class QuestionResult:
    question: Question
    answer: str
    status: str
    handoff: bool
    doc_ids: tuple[str, ...]  # doc_id of each ranked retrieval candidate, best first
    reasons: list[str]
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return not self.reasons

    @property
    def rank(self) -> int | None:
        return first_relevant_rank(self.doc_ids, self.question.relevant_docs)


@dataclass
class Summary:
    system: str
    total: int
    passed: int
    retrieval_total: int  # questions with relevant_docs
    recall_at_5: float
    mrr_at_10: float
    by_topic: dict[str, tuple[int, int]] = field(default_factory=dict)  # topic -> (passed, total)
    mean_seconds: float = 0.0
    p95_seconds: float = 0.0
    answerable_total: int = 0  # questions whose expected status includes "answered"
    answerable_passed: int = 0

    @property
    def pass_rate(self) -> float:
        return self.passed / self.total if self.total else 0.0


# ---------- loading ----------

def _strings(value: Any, where: str, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise QuestionFileError(f"{where}: expect.{key} must be a list of non-empty strings")
    return tuple(value)


def _groups(value: Any, where: str, key: str) -> tuple[tuple[str, ...], ...]:
    if not isinstance(value, list) or not value:
        raise QuestionFileError(f"{where}: expect.{key} must be a non-empty list of lists of strings")
    groups = tuple(_strings(g, where, key) for g in value)
    if any(not g for g in groups):
        raise QuestionFileError(f"{where}: expect.{key} has an empty group")
    return groups


def parse_expectation(raw: Any, where: str) -> Expectation:
    if not isinstance(raw, dict):
        raise QuestionFileError(f"{where}: expect must be an object")
    unknown = set(raw) - EXPECT_KEYS
    if unknown:
        raise QuestionFileError(f"{where}: unknown expect keys {sorted(unknown)}")
    if "status" not in raw:
        raise QuestionFileError(f"{where}: expect.status is required")
    status = (raw["status"],) if isinstance(raw["status"], str) else tuple(raw["status"] or ())
    if not status or any(s not in STATUSES for s in status):
        raise QuestionFileError(f"{where}: expect.status must be one or a list of {', '.join(STATUSES)}")
    handoff = raw.get("handoff")
    if handoff is not None and not isinstance(handoff, bool):
        raise QuestionFileError(f"{where}: expect.handoff must be true or false")
    return Expectation(
        status=status,
        facts=_strings(raw.get("facts", []), where, "facts"),
        any_of=_groups(raw["any_of"], where, "any_of") if "any_of" in raw else (),
        absent=_strings(raw.get("absent", []), where, "absent"),
        handoff=handoff,
        derived=_groups(raw["derived"], where, "derived") if "derived" in raw else (),
    )


def parse_question(raw: Any, where: str) -> Question:
    if not isinstance(raw, dict):
        raise QuestionFileError(f"{where}: not a JSON object")
    missing = [k for k in REQUIRED_KEYS if k not in raw]
    if missing:
        raise QuestionFileError(f"{where}: missing keys {missing}")
    for key in ("id", "question"):
        if not isinstance(raw[key], str) or not raw[key].strip():
            raise QuestionFileError(f"{where}: {key} must be a non-empty string")
    where = f"{where} ({raw['id']})"
    if raw["lang"] not in LANGS:
        raise QuestionFileError(f"{where}: lang must be one of {LANGS}")
    if raw["topic"] not in TOPICS:
        raise QuestionFileError(f"{where}: unknown topic {raw['topic']!r}")
    docs = raw["relevant_docs"]
    if not isinstance(docs, list) or not all(isinstance(d, str) and d for d in docs):
        raise QuestionFileError(f"{where}: relevant_docs must be a list of doc ids")
    session = raw.get("session")
    if session is not None and (not isinstance(session, str) or not session):
        raise QuestionFileError(f"{where}: session must be a non-empty string")
    return Question(id=raw["id"], question=raw["question"], lang=raw["lang"], topic=raw["topic"],
                    expect=parse_expectation(raw["expect"], where), relevant_docs=tuple(docs),
                    session=session, working=str(raw.get("working", "")))


def load_questions(path: str | Path) -> list[Question]:
    """One JSON object per line; blank lines are skipped. Raises QuestionFileError naming the line."""
    questions: list[Question] = []
    seen: set[str] = set()
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{Path(path).name}:{n}"
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            raise QuestionFileError(f"{where}: invalid JSON: {exc}") from exc
        question = parse_question(raw, where)
        if question.id in seen:
            raise QuestionFileError(f"{where}: duplicate id {question.id!r}")
        seen.add(question.id)
        questions.append(question)
    return questions


# ---------- matching ----------

def normalise(text: str) -> str:
    """NFKC + casefold, and thousands separators removed from grouped numbers."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return _GROUPED_NUMBER.sub(lambda m: re.sub(r"\D", "", m.group()), text)


def _fact_pattern(fact: str) -> re.Pattern[str]:
    compact = "".join(normalise(fact).split())
    if not compact:
        raise ValueError("empty fact")
    body = r"\s*".join(re.escape(ch) for ch in compact)
    head = r"(?<!\d)(?<!\d\.)" if compact[0].isdigit() else ""
    tail = r"(?:\.0+)?(?!\d)(?!\.\d)" if compact[-1].isdigit() else ""
    return re.compile(head + body + tail)


def contains_fact(text: str, fact: str, normalised: bool = False) -> bool:
    """True when ``fact`` occurs in ``text`` under the rules in the module docstring.

    Pass ``normalised=True`` when ``text`` already went through ``normalise`` (e.g. a whole corpus)."""
    return _fact_pattern(fact).search(text if normalised else normalise(text)) is not None


def check_answer(expect: Expectation, answer: str, status: str, handoff: bool) -> list[str]:
    """Reasons the answer fails its expectations; an empty list means it passes."""
    reasons: list[str] = []
    if status not in expect.status:
        reasons.append(f"status {status}, expected {'/'.join(expect.status)}")
    text = normalise(answer)
    missing = [f for f in expect.facts if not contains_fact(text, f, normalised=True)]
    if missing:
        reasons.append("missing " + ", ".join(repr(f) for f in missing))
    for group in (*expect.any_of, *expect.derived):
        if not any(contains_fact(text, f, normalised=True) for f in group):
            reasons.append("none of " + " / ".join(repr(f) for f in group))
    present = [f for f in expect.absent if contains_fact(text, f, normalised=True)]
    if present:
        reasons.append("forbidden " + ", ".join(repr(f) for f in present))
    if expect.handoff is not None and handoff != expect.handoff:
        reasons.append(f"handoff {str(handoff).lower()}, expected {str(expect.handoff).lower()}")
    return reasons


# ---------- retrieval metrics ----------

def first_relevant_rank(doc_ids: Sequence[str], relevant: Iterable[str]) -> int | None:
    """1-based rank of the first candidate whose document is relevant; None if none is."""
    wanted = set(relevant)
    for rank, doc_id in enumerate(doc_ids, start=1):
        if doc_id in wanted:
            return rank
    return None


def recall_at_k(ranks: Sequence[int | None], k: int) -> float:
    """Share of questions with a relevant document among the first k candidates."""
    return sum(1 for r in ranks if r is not None and r <= k) / len(ranks) if ranks else 0.0


def mrr_at_k(ranks: Sequence[int | None], k: int) -> float:
    return sum(1.0 / r for r in ranks if r is not None and r <= k) / len(ranks) if ranks else 0.0


# ---------- aggregation ----------

def _p95(values: Sequence[float]) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def summarise(system: str, results: Sequence[QuestionResult]) -> Summary:
    ranks = [r.rank for r in results if r.question.relevant_docs]
    by_topic: dict[str, tuple[int, int]] = {}
    for r in results:
        done, total = by_topic.get(r.question.topic, (0, 0))
        by_topic[r.question.topic] = (done + r.passed, total + 1)
    seconds = [r.seconds for r in results]
    answerable = [r for r in results if "answered" in r.question.expect.status]
    return Summary(system=system, total=len(results), passed=sum(r.passed for r in results),
                   retrieval_total=len(ranks), recall_at_5=recall_at_k(ranks, 5),
                   mrr_at_10=mrr_at_k(ranks, 10), by_topic=dict(sorted(by_topic.items())),
                   mean_seconds=statistics.fmean(seconds) if seconds else 0.0, p95_seconds=_p95(seconds),
                   answerable_total=len(answerable), answerable_passed=sum(r.passed for r in answerable))


# ---------- derived figures ----------

_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


def _evaluate(node: ast.AST) -> float:
    if isinstance(node, ast.Expression):
        return _evaluate(node.body)
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return float(node.value)
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        return _OPS[type(node.op)](_evaluate(node.left), _evaluate(node.right))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_evaluate(node.operand)
    raise ValueError(f"unsupported expression element: {ast.dump(node)}")


def evaluate_working(working: str) -> tuple[float, float]:
    """'2000*35 + 1000000*0.562 = 632000' -> (computed left side, stated right side). Arithmetic only."""
    left, sep, right = working.replace("×", "*").replace("÷", "/").rpartition("=")
    if not sep:
        raise ValueError(f"working has no '=': {working!r}")
    return _evaluate(ast.parse(left.strip(), mode="eval")), float(right.strip().replace(",", ""))
