"""Embedding in worker processes (issue 17): real spawned processes, a real SQLite cache and real Chroma builds.

The pool's embedders are built in each worker from a picklable factory; the failing ones live in
``tests/pool_embedders.py``, which a spawned worker imports quickly."""

from __future__ import annotations

import multiprocessing as mp
import os
import sqlite3
from functools import partial
from pathlib import Path

import numpy as np
import pytest

from assistant.index import (
    CachedEmbeddings,
    EmbeddingPool,
    EmbeddingWorkerError,
    IndexPaths,
    chroma_client,
    quoted_sentences,
    read_chunks,
    worker_count,
)
from assistant.index.embeddings import E5Embeddings, HashEmbeddings
from assistant.ingest import IndexBuilder
from assistant.settings import IndexSettings, Settings
from tests.pool_embedders import DyingEmbeddings, RaisingEmbeddings, failing_to_load

TEXTS = [f"第{i}条　贵阳市{topic}办法，补贴标准为每年{i * 7}万元。" for i, topic in
         enumerate(["工业用地", "人才公寓", "研发费用", "标准厂房", "电价", "物流", "数据中心"] * 3)]  # 21 texts


def _cached(tmp_path: Path, pool: EmbeddingPool | None, inner: HashEmbeddings | None = None,
            batch_size: int = 4) -> CachedEmbeddings:
    return CachedEmbeddings(inner or HashEmbeddings(64), tmp_path / "cache" / "embeddings.sqlite3",
                            batch_size=batch_size, runner=pool)


def _cache_rows(tmp_path: Path) -> int:
    with sqlite3.connect(tmp_path / "cache" / "embeddings.sqlite3") as db:
        return db.execute("SELECT COUNT(*) FROM vectors").fetchone()[0]


def test_pool_gives_the_serial_vectors_in_order_and_the_parent_fills_the_cache(tmp_path: Path) -> None:
    serial = HashEmbeddings(64).embed_documents(TEXTS)
    parent_model = HashEmbeddings(64)
    cached = _cached(tmp_path, EmbeddingPool(partial(HashEmbeddings, 64), processes=2), parent_model)
    steps: list[int] = []
    texts = [*TEXTS, TEXTS[3]]  # a repeated text is embedded once and returned twice
    vectors = cached.embed_documents(texts, progress=steps.append)
    assert vectors == [*serial, serial[3]]  # same floats, same order
    assert parent_model.calls == [] and cached.embedded == len(TEXTS)  # all of it came from the workers
    assert sorted(steps) == [1, 4, 4, 4, 4, 4] and sum(steps) == len(TEXTS)  # one progress call per batch
    cached.close()
    assert _cache_rows(tmp_path) == len(TEXTS)
    again_model = HashEmbeddings(64)
    again = _cached(tmp_path, EmbeddingPool(partial(RaisingEmbeddings, 64), processes=2), again_model)
    assert again.embed_documents(TEXTS) == serial and again_model.calls == [] and again.embedded == 0
    again.close()
    assert not mp.active_children()


def test_one_batch_is_embedded_here_without_workers(tmp_path: Path) -> None:
    inner = HashEmbeddings(64)
    cached = _cached(tmp_path, EmbeddingPool(failing_to_load, processes=2), inner, batch_size=16)
    assert cached.embed_documents(TEXTS[:5]) == HashEmbeddings(64).embed_documents(TEXTS[:5])
    assert inner.calls == [5]
    cached.close()


@pytest.mark.parametrize(("factory", "message"), [
    (partial(RaisingEmbeddings, 64), "an embedding worker failed on batch 1: ValueError: the model refused a passage"),
    (partial(DyingEmbeddings, 64), "died with exit code 3"),
    (failing_to_load, "an embedding worker failed: OSError: model file not found"),
], ids=["raises", "dies", "cannot-load"])
def test_a_failing_worker_is_a_clear_error_and_no_worker_is_left(tmp_path: Path, factory: object,
                                                                message: str) -> None:
    texts = ["第1条　研发费用加计扣除。", *(t for t in TEXTS if "研发费用" not in t)]  # only batch 1 fails
    cached = _cached(tmp_path, EmbeddingPool(factory, processes=2, poll_s=0.1))  # type: ignore[arg-type]
    with pytest.raises(EmbeddingWorkerError, match=message):
        cached.embed_documents(texts)
    cached.close()
    assert not mp.active_children()


def test_processes_come_from_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().index.embed_processes == 0 and worker_count(0) == len(os.sched_getaffinity(0))
    assert worker_count(3) == 3
    monkeypatch.setenv("ZST_INDEX__EMBED_PROCESSES", "3")
    assert Settings().index.embed_processes == 3


def _small_corpus(root: Path) -> Settings:
    corpus = root / "corpus"
    corpus.mkdir()
    for n, topic in enumerate(["工业用地", "人才公寓", "研发费用"]):
        body = "\n\n".join(f"第{i}条　{topic}的第{i}项规定，补贴上限{i * 10}万元。" for i in range(1, 7))
        (corpus / f"p{n}.md").write_text(f"---\ntitle: {topic}办法\neffective: 2026-01-01\n---\n# {topic}办法\n\n"
                                         f"{body}\n", encoding="utf-8")
    return Settings(corpus_dir=corpus, data_dir=root / "data", embeddings={"backend": "fake", "batch_size": 2},
                    index={"chunk_chars": 80, "embed_processes": 2})


class PooledBuilder(IndexBuilder):
    """The builder with the pool it uses for real models, here around a given worker embedder."""

    def __init__(self, settings: Settings, worker: object) -> None:
        super().__init__(settings)
        self.worker = worker

    def _embed_pool(self) -> EmbeddingPool:
        return EmbeddingPool(self.worker, processes=2, poll_s=0.1)  # type: ignore[arg-type]


def test_builder_embeds_in_workers_only_for_a_real_model(tmp_path: Path) -> None:
    settings = _small_corpus(tmp_path)
    assert IndexBuilder(settings)._embed_pool() is None  # the fake embedder stays in this process
    e5 = settings.model_copy(update={"embeddings": settings.embeddings.model_copy(update={"backend": "e5"})})
    assert IndexBuilder(e5, embeddings=HashEmbeddings(64))._embed_pool() is None  # a model handed in: here
    pool = IndexBuilder(e5)._embed_pool()
    assert isinstance(pool, EmbeddingPool) and pool.processes == 2
    one = e5.model_copy(update={"index": e5.index.model_copy(update={"embed_processes": 1})})
    assert IndexBuilder(one)._embed_pool() is None


def test_a_worker_failure_during_a_build_leaves_the_served_build(tmp_path: Path) -> None:
    settings = _small_corpus(tmp_path)
    first = PooledBuilder(settings, partial(HashEmbeddings, 64)).build()
    serial_dir = tmp_path / "serial"
    serial = IndexBuilder(settings.model_copy(update={"data_dir": serial_dir})).build()
    # several batches went through the workers: every passage and every sentence an answer may quote
    quoted = len(quoted_sentences(read_chunks(IndexPaths(settings.index_dir).build_dir(str(first.build_id)))))
    assert first.embedded == serial.embedded == first.chunks + quoted and first.chunks > 4
    paths = IndexPaths(settings.index_dir)
    assert _vectors(paths, str(first.build_id)) == _vectors(IndexPaths(serial_dir / "index"), str(serial.build_id))
    (settings.corpus_dir / "p1.md").write_text("---\ntitle: 新办法\n---\n# 新办法\n\n" + "\n\n".join(
        f"第{i}条　研发费用新规定{i}。" for i in range(1, 7)) + "\n", encoding="utf-8")
    with pytest.raises(EmbeddingWorkerError, match="died with exit code 3"):
        PooledBuilder(settings, partial(DyingEmbeddings, 64)).build()
    assert paths.current_id() == first.build_id
    assert {d.name for d in paths.builds.iterdir()} == {first.build_id}
    assert not mp.active_children()


def _vectors(paths: IndexPaths, build_id: str) -> dict[str, list[float]]:
    client = chroma_client(IndexSettings(), paths.build_dir(build_id))
    out: dict[str, list[float]] = {}
    for collection in client.list_collections():
        got = client.get_collection(collection.name).get(include=["embeddings"])
        out |= {i: np.asarray(v).tolist() for i, v in zip(got["ids"], got["embeddings"], strict=True)}
    return out


@pytest.mark.slow
def test_e5_in_two_workers_matches_one_process(tmp_path: Path) -> None:
    serial = CachedEmbeddings(E5Embeddings(threads=1), tmp_path / "serial.sqlite3", batch_size=8)
    pooled = CachedEmbeddings(E5Embeddings(threads=1), tmp_path / "pooled.sqlite3", batch_size=8,
                              runner=EmbeddingPool(partial(E5Embeddings, 1), processes=2))
    one, two = serial.embed_documents(TEXTS), pooled.embed_documents(TEXTS)
    assert pooled.inner._model is None  # the parent never loaded the model: the workers did all of it
    assert len(two) == len(TEXTS) and float(np.max(np.abs(np.asarray(one) - np.asarray(two)))) < 1e-6
    assert np.allclose(np.linalg.norm(two, axis=1), 1.0, atol=1e-3)  # real e5 vectors, not zeros
    serial.close()
    pooled.close()
