"""The evaluation question set (tests/eval/questions.jsonl) is well-formed and answerable from corpus/."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import pytest

from assistant.ingest.loaders import LoaderError, discover, doc_id_for, load_file
from benchmarks.eval_lib import TOPICS, Question, contains_fact, evaluate_working, load_questions, normalise

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "tests" / "eval" / "questions.jsonl"
CORPUS = ROOT / "corpus"


@pytest.fixture(scope="module")
def questions() -> list[Question]:
    return load_questions(QUESTIONS)  # also enforces required keys, known topics and unique ids


@pytest.fixture(scope="module")
def corpus_text() -> dict[str, str]:
    """doc_id -> normalised text as the project's loaders read it (what the index can hold)."""
    texts: dict[str, str] = {}
    for path in discover(CORPUS):
        try:
            doc = load_file(path, CORPUS)
        except LoaderError:
            continue
        texts[doc_id_for(path, CORPUS)] = normalise("\n".join(b.text for b in doc.blocks))
    return texts


def test_size_and_unique_ids(questions: list[Question]) -> None:
    lines = [line for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(lines) >= 90
    assert len(questions) == len(lines)
    assert len({q.id for q in questions}) == len(questions)


def test_every_topic_is_covered(questions: list[Question]) -> None:
    counts = Counter(q.topic for q in questions)
    assert set(TOPICS) <= set(counts), f"topics without questions: {set(TOPICS) - set(counts)}"
    for topic in ("followup", "calculation", "out_of_scope", "injection", "handoff", "no_answer"):
        assert counts[topic] >= 3, topic


def test_enough_english(questions: list[Question]) -> None:
    english = sum(q.lang == "en" for q in questions)
    assert english >= 25
    assert english >= len(questions) // 4


def test_relevant_docs_exist(questions: list[Question], corpus_text: dict[str, str]) -> None:
    for q in questions:
        for doc_id in q.relevant_docs:
            assert (CORPUS / doc_id).is_file(), f"{q.id}: {doc_id} not under corpus/"
            assert doc_id in corpus_text, f"{q.id}: {doc_id} is not a document the loaders read"


def test_statuses_agree_with_relevant_docs(questions: list[Question]) -> None:
    for q in questions:
        if "answered" not in q.expect.status:
            assert not q.relevant_docs and not q.expect.facts and not q.expect.any_of, q.id
        if q.topic in ("out_of_scope", "no_answer"):
            assert "answered" not in q.expect.status, q.id
        if q.topic == "handoff":
            assert q.expect.handoff is True, q.id


def test_answered_facts_are_in_the_corpus(questions: list[Question], corpus_text: dict[str, str]) -> None:
    everything = "\n".join(corpus_text.values())
    missing = []
    for q in questions:
        if "answered" not in q.expect.status:
            continue
        missing += [f"{q.id}: {f!r}" for f in q.expect.facts
                    if not contains_fact(everything, f, normalised=True)]
        missing += [f"{q.id}: one of {list(g)}" for g in q.expect.any_of
                    if not any(contains_fact(everything, f, normalised=True) for f in g)]
    assert not missing, "facts the corpus cannot support:\n" + "\n".join(missing)


def test_relevant_docs_hold_the_facts(questions: list[Question], corpus_text: dict[str, str]) -> None:
    """For fact-only questions, at least one relevant document states one of the facts."""
    for q in questions:
        wanted = list(q.expect.facts) + [f for g in q.expect.any_of for f in g]
        if not q.relevant_docs or not wanted or q.expect.derived or q.topic == "followup":
            continue
        stated = (contains_fact(corpus_text[d], f, normalised=True) for d in q.relevant_docs for f in wanted)
        assert any(stated), q.id


def test_derived_figures_show_correct_working(questions: list[Question]) -> None:
    derived = [q for q in questions if q.expect.derived]
    assert derived, "the set should hold computed (derived) figures"
    for q in questions:
        numeric = [g for g in q.expect.derived if any(ch.isdigit() for f in g for ch in f)]
        if not numeric:
            assert not q.working, q.id
            continue
        assert q.working, f"{q.id}: derived figures need a working line"
        computed, stated = evaluate_working(q.working)
        assert math.isclose(computed, stated, rel_tol=1e-9), f"{q.id}: {q.working} evaluates to {computed}"
        figure = str(int(stated)) if stated.is_integer() else str(stated)
        assert any(contains_fact(option, figure) for g in numeric for option in g), q.id


def test_followups_continue_a_session(questions: list[Question]) -> None:
    first_seen: dict[str, str] = {}
    for q in questions:
        if q.session:
            first_seen.setdefault(q.session, q.id)
        if q.topic == "followup":
            assert q.session and first_seen[q.session] != q.id, f"{q.id} must follow an earlier turn"
    sizes = Counter(q.session for q in questions if q.session)
    assert all(n >= 2 for n in sizes.values()), sizes


def test_expired_tariff_trap_is_present(questions: list[Question], corpus_text: dict[str, str]) -> None:
    trap = [q for q in questions if "0.1350" in q.expect.absent]
    assert trap and all("0.1238" in q.expect.facts for q in trap)
    # The trap only means something while the superseded figure is really in the corpus.
    assert contains_fact(corpus_text["policies/gz-td-tariff-2023-superseded.md"], "0.1350", normalised=True)
