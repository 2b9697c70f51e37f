"""Sentence choice across languages: the embedder's similarity of each candidate sentence in the other language,
from vectors computed once at ingest (``sentences.npy`` beside the build), beside the words a dictionary finds."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assistant.answering.checks import AnswerChecks
from assistant.answering.composer import pick_sentences
from assistant.documents import Chunk
from assistant.index import HybridRetriever, IndexPaths, SearchIndex, SentenceVectors, Tokenizer, quoted_sentences
from assistant.index.embeddings import HashEmbeddings
from assistant.index.sentence_vectors import VECTORS_FILE, NearestSentences
from assistant.ingest.builder import IndexBuilder
from assistant.listings import Places
from assistant.settings import Settings

QUESTION = "How long is the whole procedure once the papers are complete?"
ANSWER = "材料齐全后，联办手续在九个工作日内办结。"  # no word of the question reaches it through a dictionary
OTHER = "申请人应当提交护照复印件。"


def _chunks() -> list[Chunk]:
    return [Chunk("policies/permits.md", f"{OTHER}{ANSWER}", "外籍人员许可办理指引", language="zh"),
            Chunk("guide/desk.md", "The procedure is explained at the service desk.", "Desk", language="en")]


class Nearness:
    """The embedder's view, given: ANSWER nearest the question. Records what it was asked about."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def __call__(self, texts: list[str]) -> list[float]:
        self.asked += texts
        return [0.9 if t == ANSWER else 0.8 for t in texts]


def test_the_other_language_s_sentence_is_found_by_its_meaning() -> None:
    tokenizer = Tokenizer()
    near = Nearness()
    picked = pick_sentences(QUESTION, _chunks(), tokenizer, language="en", meaning=near, meaning_weight=(0.25, 0.85))
    assert ANSWER in [p.sentence for p in picked]
    assert set(near.asked) == {OTHER, ANSWER}  # the reader's own language is judged by its words alone
    # Without the embedder's term the sentence shares no word with the question and is never a candidate.
    words_only = pick_sentences(QUESTION, _chunks(), tokenizer, language="en")
    assert ANSWER not in [p.sentence for p in words_only]


def test_a_sentence_no_nearer_than_the_rest_is_not_taken_for_its_meaning() -> None:
    flat = pick_sentences(QUESTION, _chunks(), Tokenizer(), language="en", meaning=lambda texts: [0.8] * len(texts),
                          meaning_weight=(0.25, 0.85))
    assert ANSWER not in [p.sentence for p in flat]


class CountingEmbeddings(HashEmbeddings):
    def __init__(self) -> None:
        super().__init__(64)
        self.embedded: list[str] = []

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.embedded += texts
        return super().embed_documents(texts)


@pytest.fixture
def built(tmp_path: Path) -> Settings:
    corpus = tmp_path / "corpus"
    (corpus / "policies").mkdir(parents=True)
    (corpus / "policies" / "permits.md").write_text(
        "---\ntitle: 外籍人员许可办理指引\ntopic: talent\n---\n# 办理\n\n" + OTHER + ANSWER + "\n", encoding="utf-8")
    settings = Settings(corpus_dir=corpus, data_dir=tmp_path / "data", embeddings={"backend": "fake"})
    IndexBuilder(settings, embeddings=HashEmbeddings(64)).build()
    return settings


def test_the_build_holds_a_vector_for_every_sentence_an_answer_may_quote(built: Settings) -> None:
    embeddings = CountingEmbeddings()
    index = SearchIndex.open(built, embeddings)
    assert index.sentence_vectors is not None
    assert {OTHER, ANSWER} <= set(quoted_sentences(index.chunks))
    near = index.similarity(QUESTION, [OTHER, ANSWER])
    assert embeddings.embedded == []  # read from the build, not embedded while the visitor waits
    assert near == pytest.approx(index.similarity(QUESTION, [OTHER, ANSWER]))
    assert all(-1.0 <= v <= 1.0 for v in near)
    index.similarity(QUESTION, ["A sentence of no build."])
    assert embeddings.embedded == ["A sentence of no build."]


def test_a_build_made_before_sentence_vectors_is_built_again(built: Settings) -> None:
    paths = IndexPaths(built.index_dir)
    build = paths.build_dir(paths.current_id() or "")
    assert SentenceVectors.present(build)
    (build / VECTORS_FILE).unlink()
    assert SearchIndex.needs_build(built)
    report = IndexBuilder(built, embeddings=HashEmbeddings(64)).build()
    assert report.changed and report.build_id != build.name  # the files reused, the sentences embedded
    assert not SearchIndex.needs_build(built)
    assert SearchIndex.open(built, HashEmbeddings(64)).sentence_vectors is not None


def test_passages_are_ranked_by_their_nearest_sentence_once_each() -> None:
    """NearestSentences: a long passage whose one sentence matches the question comes first, listed once, and
    each language is ranked apart."""
    texts = ["甲是第一句。", "乙是第二句。", "丙是第三句。", "An English sentence."]
    vectors = np.asarray([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.6, 0.8, 0.0], [0.0, 0.0, 1.0]])
    chunks = [Chunk("a.md", "甲是第一句。乙是第二句。", "A"), Chunk("b.md", "丙是第三句。", "B"),
              Chunk("c.md", "An English sentence.", "C", language="en")]
    nearest = NearestSentences(SentenceVectors(texts, vectors), chunks)
    assert len(nearest) == 4
    top = nearest.top([0.0, 1.0, 0.0], 5, "zh")
    assert [p for p, _ in top] == [0, 1]  # passage 0 by its second sentence (1.0), then passage 1 (0.8); 0 only once
    assert top[0][1] == pytest.approx(1.0, abs=1e-3) and top[1][1] == pytest.approx(0.8, abs=1e-3)
    assert [p for p, _ in nearest.top([0.0, 1.0, 0.0], 5, "en")] == [2]
    assert nearest.top([0.0, 1.0, 0.0], 5, "fr") == []


def test_the_sentence_ranking_joins_the_fusion_only_when_weighted(built: Settings) -> None:
    index = SearchIndex.open(built, HashEmbeddings(64))
    assert index.nearest_sentences is not None
    off = HybridRetriever(index, built.retrieval)
    on = HybridRetriever(index, built.retrieval.model_copy(update={"sentence_weight": 1.0}))
    vector = list(index.query_vector(QUESTION))
    assert [c.chunk_id for c in on.search(QUESTION, 3)] and index.sentence_dense(vector, 3, "zh")
    assert off.search(QUESTION, 3)[0].score < on.search(QUESTION, 3)[0].score  # a third list adds to the fused score


def test_an_other_language_sentence_is_judged_on_topic_by_its_own_threshold(built: Settings) -> None:
    index = SearchIndex.open(built, HashEmbeddings(64))
    near = index.similarity(QUESTION, [ANSWER])[0]

    def checks(same: float, other: float) -> AnswerChecks:
        answering = built.answering.model_copy(update={"subject_similarity": {"en": same},
                                                       "subject_similarity_other": {"en": other}})
        return AnswerChecks(built.model_copy(update={"answering": answering}), index, Places([], [], index.lexicon, {}))

    assert checks(same=near + 0.01, other=near - 0.01).on_topic(QUESTION, "en", ANSWER, other_language=True)
    assert not checks(same=near - 0.01, other=near + 0.01).on_topic(QUESTION, "en", ANSWER, other_language=True)
    assert checks(same=near - 0.01, other=near + 0.01).on_topic(QUESTION, "en", ANSWER)


def test_a_mixed_sentence_is_not_judged_by_the_other_language_threshold(built: Settings) -> None:
    """An English row quoting a Chinese name matches a Chinese question through that name, not across languages."""
    index = SearchIndex.open(built, HashEmbeddings(64))
    answering = built.answering.model_copy(update={"subject_similarity_other": {"zh": -1.0}})
    checks = AnswerChecks(built.model_copy(update={"answering": answering}), index, Places([], [], index.lexicon, {}))
    assert checks.on_topic("仓储费怎么收？", "zh", "The desk answers within two days.", other_language=True)
    assert not checks.on_topic("仓储费怎么收？", "zh", "Park: Bonded Zone (综合保税区); land RMB 288/m².",
                               other_language=True)


def test_a_build_whose_dictionary_lacks_english_nouns_is_built_again(built: Settings) -> None:
    paths = IndexPaths(built.index_dir)
    build = paths.build_dir(paths.current_id() or "")
    path = build / "bilingual.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["nouns"]
    del data["nouns"]
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert SearchIndex.needs_build(built)
    report = IndexBuilder(built, embeddings=HashEmbeddings(64)).build()
    assert report.changed and report.build_id != build.name
    assert not SearchIndex.needs_build(built)
    assert SearchIndex.open(built, HashEmbeddings(64)).bilingual.is_english_noun("hotels")
