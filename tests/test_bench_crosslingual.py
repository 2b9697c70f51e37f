"""The cross-lingual benchmark's own parts (benchmarks/crosslingual/) on tiny synthetic data, never the shared
sets: paragraph files, paragraph-level ranking, the metrics, sampling; the domain-gate switch it relies on; and
one small end-to-end run with the fake embedder."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from assistant.answering.router import route
from assistant.ingest import load_file
from assistant.lexicon import Lexicon
from benchmarks import crosslingual as xl
from benchmarks.crosslingual import QA, AskResult, Paragraph, Ranked


def _squad(articles: list[tuple[str, list[tuple[str, list[tuple[str, str, str]]]]]]) -> dict:
    """[(title, [(context, [(qid, question, answer)])])] in SQuAD v1.1 form."""
    return {"version": "1.1", "data": [
        {"title": title, "paragraphs": [
            {"context": ctx, "qas": [{"id": qid, "question": q, "answers": [{"text": a, "answer_start": ctx.find(a)},
                                                                             {"text": a, "answer_start": ctx.find(a)}]}
                                     for qid, q, a in qas]}
            for ctx, qas in paragraphs]}
        for title, paragraphs in articles]}


ZH = _squad([("Super_Bowl_50", [("黑豹队的防守只丢了308分，在联赛中排名第六。", [("q1", "黑豹队的防守丢了多少分？ ", "308分")]),
                                ("丹佛野马队赢得了超级碗。", [("q2", "哪支球队赢得了超级碗？", "丹佛野马队")])]),
             ("Warsaw", [("华沙是波兰的首都。", [("q3", "波兰的首都是哪里？", "华沙")])])])
EN = _squad([("Super_Bowl_50", [("The Panthers defense gave up just 308 points, ranking sixth in the league.",
                                 [("q1", "How many points did the Panthers defense surrender?", "308")]),
                                ("The Denver Broncos won the Super Bowl.", [("q2", "Which team won the Super Bowl?",
                                                                             "Denver Broncos")])]),
             ("Warsaw", [("Warsaw is the capital of Poland.", [("q3", "What is the capital of Poland?", "Warsaw")])])])


def _write(path: Path, data: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_load_squad_keys_titles_and_spans(tmp_path: Path) -> None:
    paragraphs, questions = xl.load_squad(_write(tmp_path / "zh.json", ZH), "zh", "x")
    assert [p.key for p in paragraphs] == ["x000-00", "x000-01", "x001-00"]
    assert paragraphs[1] == Paragraph("x000-01", "zh", "Super Bowl 50", 2, "丹佛野马队赢得了超级碗。")
    assert paragraphs[2].doc_id == "zh/x001-00.md"
    assert [(q.qid, q.key) for q in questions] == [("q1", "x000-00"), ("q2", "x000-01"), ("q3", "x001-00")]
    assert questions[0].answers == ("308分",)  # duplicate gold spans kept once
    assert questions[0].question == "黑豹队的防守丢了多少分？"  # trimmed, as the service trims it


def test_paragraph_file_loads_as_one_document_with_its_metadata(tmp_path: Path) -> None:
    para = Paragraph("x000-00", "en", "Super Bowl 50", 3, "The Panthers: 308 points.\nRanked sixth.")
    path = tmp_path / para.doc_id
    path.parent.mkdir(parents=True)
    path.write_text(xl.paragraph_markdown(para, "XQuAD"), encoding="utf-8")
    doc = load_file(path, tmp_path)
    assert doc.meta.doc_id == "en/x000-00.md"
    assert (doc.meta.title, doc.meta.language, doc.meta.topic, doc.meta.sample) == (
        "Super Bowl 50, paragraph 3", "en", "overview", True)
    assert [b.text for b in doc.blocks] == ["The Panthers: 308 points. Ranked sixth."]
    zh = Paragraph("x000-00", "zh", "Super Bowl 50", 3, "黑豹队")
    assert "title: Super Bowl 50 第3段" in xl.paragraph_markdown(zh, "XQuAD")


def test_write_corpus_rewrites_only_what_changed(tmp_path: Path) -> None:
    lexicon = tmp_path / "lexicon.yaml"
    lexicon.write_text("terms: [超级碗]\n", encoding="utf-8")
    corpus = tmp_path / "corpus"
    paras = [Paragraph("x000-00", "zh", "T", 1, "甲。"), Paragraph("x000-00", "en", "T", 1, "A.")]
    assert xl.write_corpus(corpus, paras, "src", lexicon) == 3
    assert xl.write_corpus(corpus, paras, "src", lexicon) == 0
    assert (corpus / "lexicon.yaml").read_text(encoding="utf-8") == "terms: [超级碗]\n"
    changed = [paras[0], Paragraph("x000-01", "en", "T", 2, "B.")]
    assert xl.write_corpus(corpus, changed, "src", None) == 1
    assert sorted(p.relative_to(corpus).as_posix() for p in corpus.rglob("*") if p.is_file()) == [
        "en/x000-01.md", "zh/x000-00.md"]  # the stale paragraph and the lexicon are gone


def test_paragraph_ranking_dedupes_chunks_keeping_order() -> None:
    chunks = ["zh/a.md", "zh/a.md", "en/b.md", "zh/a.md", "en/c.md", "en/b.md", "zh/d.md"]
    assert xl.paragraph_ranking(chunks) == ("zh/a.md", "en/b.md", "en/c.md", "zh/d.md")
    assert xl.paragraph_ranking(chunks, 2) == ("zh/a.md", "en/b.md")
    assert xl.paragraph_ranking([]) == ()


def test_contains_answer_ignores_markers_case_and_spacing() -> None:
    assert xl.contains_answer("黑豹队只丢了308分[1]。", ["308分"])
    assert xl.contains_answer("The Denver[2] Broncos won.", ["denver broncos"])
    assert xl.contains_answer("Scored 308 points.", ["3080", "308"])  # any span counts
    assert not xl.contains_answer("It scored 3080 points.", ["308"])  # digits do not run on
    assert not xl.contains_answer("anything", ["", "  "])


def _qa(qid: str, lang: str, key: str, answer: str) -> QA:
    return QA(qid, lang, f"question {qid}", key, (answer,))


def test_score_direction_uses_the_target_languages_gold() -> None:
    en = [_qa("q1", "en", "x000-00", "308"), _qa("q2", "en", "x000-01", "Broncos")]
    zh = {"q1": _qa("q1", "zh", "x000-00", "308分"), "q2": _qa("q2", "zh", "x000-01", "野马队")}
    texts = {"zh/x000-00.md": "丢了308分。", "zh/x000-01.md": "野马队赢了。", "en/x000-00.md": "308 points."}
    ranked = {("q1", "en"): Ranked(("en/x000-00.md", "zh/x000-00.md"), 0.002),
              ("q2", "en"): Ranked(("en/x000-01.md", "en/x001-00.md"), 0.004)}
    answers = {("q1", "en"): AskResult("answered", "It gave up 308分[1].", cited=("zh/x000-00.md",)),
               ("q2", "en"): AskResult("no_answer", "Not found.", handoff=True)}
    score = xl.score_direction("xquad", "en-zh", "ours", en, ranked, zh, texts, answers)
    assert (score.n, score.r1, score.r5, score.r10) == (2, 0.0, 0.5, 0.5)
    assert score.top1_gold == 0.0  # the top paragraphs are English: no Chinese span in them
    assert (score.answer_gold, score.cites_gold) == (0.5, 0.5)
    assert score.statuses == {"answered": 1, "no_answer +handoff": 1}
    assert score.ms == pytest.approx(3.0)
    same = xl.score_direction("xquad", "en-en", "dense", en, ranked, {q.qid: q for q in en}, texts)
    assert (same.r1, same.top1_gold, same.answer_gold) == (1.0, 0.5, None)


def test_candidates_agree_compares_prefixes() -> None:
    ranked = {("q1", "en"): Ranked(("a", "b", "c")), ("q2", "en"): Ranked(("a", "b"))}
    answers = {("q1", "en"): AskResult("answered", "", candidates=("a", "b")),
               ("q2", "en"): AskResult("answered", "", candidates=("b",)),
               ("q3", "en"): AskResult("no_answer", "")}
    assert xl.candidates_agree(ranked | {("q3", "en"): Ranked(())}, answers) == (1, 2)


def test_sample_is_seeded_and_keeps_order() -> None:
    ids = [f"q{i}" for i in range(50)]
    picked = xl.sample(ids, 10)
    assert picked == xl.sample(ids, 10) and len(picked) == 10
    assert picked == [i for i in ids if i in set(picked)]
    assert xl.sample(ids, None) == ids and xl.sample(ids, 99) == ids


def test_parse_directions() -> None:
    assert xl.parse_directions("en→zh, zh-zh,en-zh") == ("en-zh", "zh-zh")
    with pytest.raises(argparse.ArgumentTypeError):
        xl.parse_directions("fr-zh")


def test_domain_gate_off_keeps_every_question_in_scope() -> None:
    lexicon = Lexicon(other_places=("北京",), off_topic=("天气",), scope_words=("电价",))
    for text in ("北京的天气怎么样？", "Who won the Super Bowl?"):
        assert not route(text, lexicon).in_domain
        gated_off = route(text, lexicon, domain_gate=False)
        assert gated_off.in_domain and gated_off.intents == ("policy",)


def test_end_to_end_with_the_fake_embedder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "shared"
    _write(source / "xquad" / "xquad.zh.json", ZH)
    _write(source / "xquad" / "xquad.en.json", EN)
    _write(source / "cmrc2018" / "cmrc2018_dev.json", ZH)
    out = tmp_path / "out.json"
    args = ["--embedder", "fake", "--source", str(source), "--data-dir", str(tmp_path / "data"), "--lexicon", "none",
            "--json", str(out)]
    assert xl.main(args) == 0
    printed = capsys.readouterr().out
    assert "xquad  zh→zh  ours" in printed and "cmrc   zh→zh  ours" in printed
    data = json.loads(out.read_text(encoding="utf-8"))
    assert len(data["scores"]) == 5 * len(xl.SYSTEMS)  # four XQuAD directions and CMRC, four systems each
    assert all(s["n"] == 3 for s in data["scores"])
    assert len(data["questions"]["xquad"]) == 6 and data["questions"]["xquad"][0]["answer"]["status"]
    assert "service candidates = ours ranking (prefix) on 6/6 questions" in printed
