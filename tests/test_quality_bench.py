"""The quality benchmark harness (benchmarks/quality.py): session replay, candidate fallback, and a tiny
end-to-end baselines run with the fake embedder on a two-file corpus."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from assistant.chat_types import Answer, Candidate
from benchmarks import quality
from benchmarks.eval_lib import Expectation, Question

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def _q(qid: str, text: str, session: str | None = None, docs: tuple[str, ...] = ("a.md",)) -> Question:
    return Question(id=qid, question=text, lang="zh", topic="land",
                    expect=Expectation(status=("answered",), facts=("288",)), relevant_docs=docs, session=session)


def _candidate(doc_id: str) -> Candidate:
    return Candidate(chunk_id=f"{doc_id}#0", doc_id=doc_id, title="t", locator="", score=1.0)


class StubRetriever:
    def __init__(self) -> None:
        self.queries: list[str] = []

    def search(self, question: str, k: int) -> list[Candidate]:
        self.queries.append(question)
        return [_candidate("b.md"), _candidate("a.md")]


class StubService:
    """Answers '288' once a session has seen two turns; the second question raises."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str | None]] = []
        self.retriever = StubRetriever()

    def ask(self, question: str, session_id: str | None = None, lang: str | None = None) -> Answer:
        self.calls.append((question, session_id))
        if question == "boom":
            raise RuntimeError("engine bug")
        with_candidates = question != "no candidates"
        return Answer(answer="经开区288元/㎡", status="answered", language="zh",
                      candidates=[_candidate("a.md")] if with_candidates else [])


def test_run_pipeline_replays_sessions_and_survives_errors() -> None:
    service = StubService()
    questions = [_q("a", "first", "s1"), _q("b", "boom"), _q("c", "second", "s1"), _q("d", "no candidates")]
    results, languages = quality.run_pipeline(service, questions)
    sessions = [sid for _, sid in service.calls]
    assert sessions[0] is not None and sessions[0] == sessions[2] and sessions[1] is None
    assert sessions[0].startswith("bench-") and sessions[0].endswith("-s1")
    assert [r.passed for r in results] == [True, False, True, True]
    assert results[1].status == "error" and "RuntimeError" in results[1].reasons[0]
    assert results[0].rank == 1
    assert service.retriever.queries == ["no candidates"]  # fallback only when the answer has no candidates
    assert results[3].rank == 2
    assert languages == {"a": "zh", "c": "zh", "d": "zh"}


def test_run_baseline_answers_with_top_five_texts() -> None:
    def search(query: str, k: int) -> quality.Retrieved:
        docs = tuple(f"d{i}.md" for i in range(k))
        return quality.Retrieved(docs, tuple("288元" if i == 5 else "无关" for i in range(k)))

    [result] = quality.run_baseline([_q("a", "?", docs=("d5.md",))], search)
    assert result.status == "answered" and not result.handoff
    assert result.rank == 6
    assert result.reasons == ["missing '288'"]  # the sixth chunk is ranked but not part of the answer


def test_baselines_only_run_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "policies").mkdir(parents=True)
    (corpus / "listings").mkdir()
    shutil.copy(CORPUS / "policies" / "park-p01-gy-etdz.md", corpus / "policies")
    shutil.copy(CORPUS / "listings" / "parks.csv", corpus / "listings")
    questions = tmp_path / "q.jsonl"
    rows = [
        {"id": "land-01", "question": "经开区工业用地价格多少？", "lang": "zh", "topic": "land",
         "expect": {"status": "answered", "facts": ["288"]},
         "relevant_docs": ["policies/park-p01-gy-etdz.md", "listings/parks.csv"]},
        {"id": "oos-01", "question": "明天天气怎么样？", "lang": "zh", "topic": "out_of_scope",
         "expect": {"status": "out_of_scope"}, "relevant_docs": []},
    ]
    questions.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "results.json"

    code = quality.main(["--embedder", "fake", "--baselines-only", "--corpus", str(corpus),
                         "--questions", str(questions), "--data-dir", str(tmp_path / "data"), "--json", str(out)])

    assert code == 0
    printed = capsys.readouterr().out
    assert "ours: skipped (--baselines-only)" in printed and "== summary ==" in printed
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [s["system"] for s in data["summaries"]] == ["langchain", "lexical", "dense"]
    lexical = {r["id"]: r for r in data["results"]["lexical"]}
    assert lexical["land-01"]["passed"] and lexical["land-01"]["rank"] == 1
    assert lexical["oos-01"]["reasons"] == ["status answered, expected out_of_scope"]
    assert (tmp_path / "data" / "index").is_dir()  # the benchmark's own index, not ./data


def test_corpus_copy_without_a_folder_and_with_an_added_one(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "guide").mkdir(parents=True)
    (corpus / "guide" / "a.md").write_text("a", encoding="utf-8")
    (corpus / "policies").mkdir()
    (corpus / "policies" / "b.md").write_text("b", encoding="utf-8")
    (corpus / "lexicon.yaml").write_text("terms: []\n", encoding="utf-8")
    extra = tmp_path / "english-only"
    extra.mkdir()
    (extra / "c.md").write_text("c", encoding="utf-8")
    assert quality.corpus_variant([], []) == ""
    variant = quality.corpus_variant(["guide"], [extra])
    assert variant.startswith("without-guide+add-english-only-") and variant != quality.corpus_variant(["guide"], [])
    target = tmp_path / "copy"
    for _ in range(2):  # a second run replaces its own copy
        assert quality.copy_corpus(corpus, target, ["guide"], [extra]) == ["english-only", "lexicon.yaml", "policies"]
    assert (target / "english-only" / "c.md").read_text(encoding="utf-8") == "c"
    with pytest.raises(SystemExit, match="no such top-level folder"):
        quality.copy_corpus(corpus, target, ["listings"], [])
    with pytest.raises(SystemExit, match="already has"):
        quality.copy_corpus(corpus, target, [], [corpus / "guide"])
    with pytest.raises(SystemExit, match="not a corpus copy"):
        quality.copy_corpus(corpus, corpus / "policies", [], [])  # never deletes a folder it did not make
