"""Scoring, pure: rankings reduced to paragraphs, a gold span found in a text, and one system's scores in one
direction (R@k, top1∋gold, answer∋gold, cites gold)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from benchmarks.crosslingual.data import QA
from benchmarks.eval_lib import contains_fact, first_relevant_rank, normalise, recall_at_k

RANK_K = 10  # paragraphs scored (R@10)
_MARKER = re.compile(r"\[\d{1,2}\]")  # citation markers sit inside sentences: "…308分[1]。"


def paragraph_ranking(doc_ids: Iterable[str], k: int = RANK_K) -> tuple[str, ...]:
    """Ranked chunks' documents reduced to paragraphs: first occurrence kept, order kept, the first k."""
    return tuple(dict.fromkeys(doc_ids))[:k]


def contains_answer(text: str, spans: Iterable[str]) -> bool:
    """A gold span inside the text, citation markers removed; matched like eval_lib's facts (NFKC, case,
    spaces, digits not touching other digits)."""
    clean = normalise(_MARKER.sub("", text))
    return any(contains_fact(clean, s, normalised=True) for s in spans if s.strip())


@dataclass
class Ranked:
    docs: tuple[str, ...]  # paragraph doc ids, best first, at most RANK_K
    seconds: float = 0.0


@dataclass
class AskResult:
    status: str
    answer: str
    handoff: bool = False
    cited: tuple[str, ...] = ()  # doc ids of the answer's sources
    candidates: tuple[str, ...] = ()  # paragraphs of Answer.candidates, deduplicated
    seconds: float = 0.0


@dataclass
class Score:
    dataset: str
    direction: str
    system: str
    n: int
    r1: float
    r5: float
    r10: float
    top1_gold: float  # reference: the top paragraph holds the gold span
    answer_gold: float | None = None  # ours: the answer holds the gold span
    cites_gold: float | None = None  # ours: the answer cites the gold paragraph
    ms: float = 0.0  # mean retrieval time per question
    statuses: dict[str, int] = field(default_factory=dict)


def score_direction(dataset: str, direction: str, system: str, questions: Sequence[QA],
                    ranked: dict[tuple[str, str], Ranked], targets: dict[str, QA], texts: dict[str, str],
                    answers: dict[tuple[str, str], AskResult] | None = None) -> Score:
    """Scores of one system in one direction. ``questions`` are in the source language, ``targets`` the same
    questions (by id) in the target language, ``texts`` paragraph text by doc id."""
    source, target = direction.split("-")
    ranks, top1, seconds = [], [], []
    answer_hits, cite_hits, statuses = [], [], Counter()
    for q in questions:
        gold_qa = targets[q.qid]
        gold = f"{target}/{gold_qa.key}.md"
        r = ranked[(q.qid, source)]
        ranks.append(first_relevant_rank(r.docs, [gold]))
        top1.append(bool(r.docs) and contains_answer(texts.get(r.docs[0], ""), gold_qa.answers))
        seconds.append(r.seconds)
        if answers is not None:
            a = answers[(q.qid, source)]
            statuses[a.status + (" +handoff" if a.handoff else "")] += 1
            answer_hits.append(contains_answer(a.answer, gold_qa.answers))
            cite_hits.append(gold in a.cited)
    n = len(questions)

    def share(values: list[bool]) -> float:
        return sum(values) / n if n else 0.0

    return Score(dataset, direction, system, n, recall_at_k(ranks, 1), recall_at_k(ranks, 5), recall_at_k(ranks, 10),
                 share(top1), share(answer_hits) if answers is not None else None,
                 share(cite_hits) if answers is not None else None,
                 1000 * sum(seconds) / n if n else 0.0, dict(statuses))
