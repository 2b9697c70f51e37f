"""Scoring rules of the quality benchmark (benchmarks/eval_lib.py): pure functions, fake inputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.eval_lib import (
    Expectation,
    Question,
    QuestionFileError,
    QuestionResult,
    check_answer,
    contains_fact,
    evaluate_working,
    first_relevant_rank,
    load_questions,
    mrr_at_k,
    normalise,
    recall_at_k,
    summarise,
)


@pytest.mark.parametrize(("text", "fact"), [
    ("当月合计632,000元", "632000"),
    ("total RMB 632 000 for the month", "632000"),
    ("合计 632000.00 元", "632000"),
    ("约19.2 万元/亩", "19.2万"),
    ("ＦＵＬＬ　ＷＩＤＴＨ ６３２０００", "632000"),
    ("rent 12 yuan/m² per month", "12 yuan/m2"),
    ("Unit F-011 is LEASED", "leased"),
    ("热线0851-0000-0000（示例号码）", "0851-0000-0000"),
    ("RMB 1,891.33 亿元", "1891.33"),
])
def test_contains_fact_ignores_form(text: str, fact: str) -> None:
    assert contains_fact(text, fact)


@pytest.mark.parametrize(("text", "fact"), [
    ("价格2880元", "288"),
    ("电价0.288元", "288"),
    ("0.562 元/kWh", "0.56"),
    ("10.1238", "0.1238"),
    ("热线0851-0000-0001", "0851-0000-0000"),
    ("F-0012", "F-001"),
    ("19.25万元", "19.2"),
    ("3150 kVA", "315"),
])
def test_contains_fact_respects_number_boundaries(text: str, fact: str) -> None:
    assert not contains_fact(text, fact)


def test_lists_of_numbers_are_not_merged_into_one_number() -> None:
    text = "15 grades: 840, 720, 600 yuan; in 2025 852 projects"
    assert contains_fact(text, "720") and contains_fact(text, "852")
    assert "840720" not in normalise(text)


def _expect(**kw) -> Expectation:
    return Expectation(status=kw.pop("status", ("answered",)), **kw)


def test_check_answer_passes_when_everything_holds() -> None:
    expect = _expect(facts=("0.1238",), any_of=(("10kV", "10千伏"),), absent=("0.1350",))
    assert check_answer(expect, "10千伏电量电价为0.1238元/kWh。", "answered", False) == []


def test_check_answer_reports_each_failure() -> None:
    expect = _expect(facts=("288", "19.2"), any_of=(("经开区", "ETDZ"),), absent=("1元/㎡",), handoff=True)
    reasons = check_answer(expect, "地价为1元/㎡，约19.2万元/亩", "no_answer", False)
    assert len(reasons) == 5
    assert reasons[0] == "status no_answer, expected answered"
    assert "'288'" in reasons[1] and "'19.2'" not in reasons[1]
    assert reasons[2].startswith("none of") and "forbidden" in reasons[3] and "handoff" in reasons[4]


def test_check_answer_accepts_any_listed_status_and_ignores_unset_handoff() -> None:
    expect = _expect(status=("answered", "out_of_scope"))
    assert check_answer(expect, "抱歉，这个问题不在服务范围内。", "out_of_scope", True) == []
    expected = ["status no_answer, expected answered/out_of_scope"]
    assert check_answer(expect, "...", "no_answer", False) == expected


def test_derived_groups_are_checked_like_any_of() -> None:
    expect = _expect(derived=(("599800",),))
    assert check_answer(expect, "合计599,800元", "answered", False) == []
    assert check_answer(expect, "合计632,000元", "answered", False) == ["none of '599800'"]


def test_absent_string_inside_a_longer_number_is_not_flagged() -> None:
    expect = _expect(absent=("0元/㎡",))
    assert check_answer(expect, "F-001租金14元/㎡·月，F-002租金10元/㎡·月", "answered", False) == []
    assert check_answer(expect, "租金0元/㎡", "answered", False) == ["forbidden '0元/㎡'"]


def test_rank_and_metrics() -> None:
    docs = ("a.md", "b.md", "c.md", "b.md")
    assert first_relevant_rank(docs, ["b.md"]) == 2
    assert first_relevant_rank(docs, ["z.md"]) is None
    ranks = [1, 2, 7, None]
    assert recall_at_k(ranks, 5) == pytest.approx(0.5)
    assert mrr_at_k(ranks, 10) == pytest.approx((1 + 0.5 + 1 / 7) / 4)
    assert mrr_at_k(ranks, 5) == pytest.approx((1 + 0.5) / 4)
    assert recall_at_k([], 5) == 0.0


def _question(qid: str, topic: str, docs: tuple[str, ...] = ()) -> Question:
    return Question(id=qid, question="?", lang="zh", topic=topic, expect=_expect(), relevant_docs=docs)


def test_summarise_counts_topics_and_skips_questions_without_relevant_docs() -> None:
    results = [
        QuestionResult(_question("a", "land", ("x.md",)), "", "answered", False, ("x.md",), [], 0.1),
        QuestionResult(_question("b", "land", ("x.md",)), "", "answered", False,
                       ("y.md",) * 6 + ("x.md",), ["no"], 0.3),
        QuestionResult(_question("c", "out_of_scope"), "", "answered", False, ("x.md",), ["status"], 0.2),
    ]
    s = summarise("ours", results)
    assert (s.total, s.passed, s.retrieval_total) == (3, 1, 2)
    assert s.pass_rate == pytest.approx(1 / 3)
    assert s.by_topic == {"land": (1, 2), "out_of_scope": (0, 1)}
    assert s.recall_at_5 == pytest.approx(0.5)
    assert s.mrr_at_10 == pytest.approx((1 + 1 / 7) / 2)
    assert s.mean_seconds == pytest.approx(0.2)
    assert (s.answerable_passed, s.answerable_total) == (1, 3)


def _line(**over) -> str:
    row = {"id": "land-01", "question": "经开区地价？", "lang": "zh", "topic": "land",
           "expect": {"status": "answered", "facts": ["288"]}, "relevant_docs": ["listings/parks.csv"]}
    row |= over
    return json.dumps(row, ensure_ascii=False)


def test_load_questions_reads_a_valid_file(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    followup = _line(id="fu-01", session="s1", topic="followup",
                     expect={"status": ["answered", "no_answer"], "handoff": True})
    path.write_text(_line() + "\n\n" + followup + "\n", encoding="utf-8")
    first, second = load_questions(path)
    assert first.expect.facts == ("288",) and first.session is None
    assert second.session == "s1" and second.expect.handoff
    assert second.expect.status == ("answered", "no_answer")


@pytest.mark.parametrize(("line", "message"), [
    (_line(topic="weather"), "unknown topic"),
    (_line(lang="fr"), "lang"),
    (_line(expect={"facts": ["288"]}), "expect.status is required"),
    (_line(expect={"status": "maybe"}), "expect.status"),
    (_line(expect={"status": "answered", "fact": ["288"]}), "unknown expect keys"),
    (_line(expect={"status": "answered", "any_of": [[]]}), "empty group"),
    (_line(expect={"status": "answered", "handoff": "yes"}), "handoff"),
    (json.dumps({"id": "x", "question": "?"}), "missing keys"),
    ("{not json", "invalid JSON"),
])
def test_load_questions_names_the_bad_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text(_line(id="ok-01") + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(QuestionFileError, match=message) as info:
        load_questions(path)
    assert "q.jsonl:2" in str(info.value)


def test_load_questions_rejects_duplicate_ids(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text(_line() + "\n" + _line() + "\n", encoding="utf-8")
    with pytest.raises(QuestionFileError, match="duplicate id"):
        load_questions(path)


def test_evaluate_working_does_arithmetic_only() -> None:
    computed, stated = evaluate_working("200000*0.884 + 500000×0.562 + 2000*35 = 527,800")
    assert computed == pytest.approx(527800) and stated == 527800
    with pytest.raises(ValueError):
        evaluate_working("__import__('os').getcwd() = 1")
    with pytest.raises(ValueError):
        evaluate_working("2 * 3")
