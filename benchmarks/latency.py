"""Warm `ask` latency (extractive mode) on the sample corpus, then with the index grown ×10 and ×100.

    python -m benchmarks.latency [--embedder e5|fake] [--repeat 3] [--scales 1,10,100]

Filler chunks are real sentences of the corpus reshuffled, with random unit vectors (and random sentence vectors
for sentences the base build lacks): what is measured is the query path (embedding the question, Chroma, BM25,
fusion, sentence picking), not ingest."""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np

from assistant.answering import ChatService
from assistant.documents import Chunk
from assistant.index import (
    IndexPaths,
    LexicalIndex,
    SentenceVectors,
    Tokenizer,
    chroma_client,
    collection_name,
    new_build_id,
    quoted_sentences,
    read_chunks,
    read_json,
    write_chunks,
    write_json,
)
from assistant.ingest import IndexBuilder, index_text, write_vectors
from assistant.lexicon import LEXICON_JSON, lexicon_from_json
from assistant.settings import Settings

QUESTIONS = [
    "经开区工业用地价格是多少？", "峰谷电价时段怎么划分", "10千伏两部制输配电价是多少", "博士来贵阳有什么补贴",
    "两免三减半是什么意思", "观山湖区地方经济贡献奖励", "贵安新区数据中心电价", "研发费用加计扣除比例",
    "先租后让是什么", "项目管家怎么服务", "What is the corporate income tax rate for encouraged industries?",
    "How much is the settlement subsidy for a PhD?", "What are the peak hours for electricity?",
    "标准地是什么意思", "开阳县有哪些产业", "2025年贵阳贵安引进了多少个产业项目", "居民阶梯电价",
    "交地即交证是什么", "贵州有多少个数据中心", "上市奖励多少钱",
]


def grow(settings: Settings, factor: int, seed: int = 7) -> str:
    """Copy the current build into a new one with (factor − 1) × N filler chunks; return its id."""
    paths = IndexPaths(settings.index_dir)
    base_id = paths.current_id()
    assert base_id, "build the base index first"
    base = paths.build_dir(base_id)
    chunks = read_chunks(base)
    rng = random.Random(seed)
    sentences = [s for c in chunks for s in c.text.split("。") if len(s) > 8]
    filler: list[Chunk] = []
    for i in range(len(chunks) * (factor - 1)):
        text = "。".join(rng.sample(sentences, 3)) + "。"
        filler.append(replace(chunks[i % len(chunks)], doc_id=f"filler/{i // 50}.md", text=text, seq=i, row_id=""))
    build_id = new_build_id()
    folder = paths.build_dir(build_id)
    folder.mkdir(parents=True)
    for name in ("structured.json", LEXICON_JSON, "bilingual.json"):
        shutil.copy(base / name, folder / name)
    manifest = read_json(base / "manifest.json", {})
    all_chunks = chunks + filler
    source = chroma_client(settings.index, base)
    by_id: dict[str, list[float]] = {}
    for language in sorted({c.language for c in chunks}):
        got = source.get_collection(collection_name(base_id, language)).get(include=["embeddings"])
        by_id |= dict(zip(got["ids"], got["embeddings"], strict=True))
    dim = len(next(iter(by_id.values())))
    noise = np.random.default_rng(seed).normal(size=(len(filler), dim)).astype(np.float32)
    noise /= np.linalg.norm(noise, axis=1, keepdims=True)
    vectors = [list(by_id[c.chunk_id]) for c in chunks] + noise.tolist()
    write_vectors(chroma_client(settings.index, folder), build_id, all_chunks, vectors)  # as a build does
    tokenizer = Tokenizer(lexicon_from_json((base / LEXICON_JSON).read_text(encoding="utf-8")).tokenizer_terms)
    LexicalIndex.build([tokenizer.tokens(index_text(c)) for c in all_chunks]).save(folder)
    write_chunks(folder, all_chunks)
    # Every sentence an answer may quote has its vector, as a build has: the base's own, random ones for the rest.
    known = SentenceVectors.load(base)
    quoted = quoted_sentences(all_chunks)
    spare = np.random.default_rng(seed + 1).normal(size=(len(quoted), dim)).astype(np.float32)
    SentenceVectors.write(folder, quoted, [v if (v := known.get(t) if known else None) is not None else spare[i]
                                           for i, t in enumerate(quoted)])
    write_json(folder / "manifest.json", manifest | {"build_id": build_id, "chunks": len(all_chunks),
                                                     "filler_of": base_id})
    paths.mark_complete(build_id)
    paths.switch_to(build_id)
    return build_id


def measure(service: ChatService, repeat: int) -> list[float]:
    for q in [*QUESTIONS[:3], QUESTIONS[10]]:
        service.ask(q)  # warm-up, as the app's: model, jieba, Chroma caches, the dictionary of English questions
    timings = []
    for _ in range(repeat):
        for q in QUESTIONS:
            start = time.perf_counter()
            service.ask(q)
            timings.append((time.perf_counter() - start) * 1000)
    return timings


def pct(values: list[float], p: float) -> float:
    return float(np.percentile(values, p))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--embedder", default="e5", choices=["e5", "fake"])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--scales", default="1,10,100")
    ap.add_argument("--data-dir", type=Path, default=Path("data/bench-latency"))
    args = ap.parse_args()
    settings = Settings(data_dir=args.data_dir, embeddings={"backend": args.embedder},
                        retrieval={"today": date(2026, 11, 25)})
    paths = IndexPaths(settings.index_dir)
    if paths.current_id():  # an earlier run may have left a grown build current: go back to its base
        base = read_json(paths.build_dir(paths.current_id()) / "manifest.json", {}).get("filler_of")
        if base and (paths.build_dir(base) / "COMPLETE").exists():
            paths.switch_to(base)
    IndexBuilder(settings).build()
    base_id = paths.current_id()
    print(f"embedder {args.embedder}, OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}, "
          f"{len(QUESTIONS)} questions x {args.repeat}")
    print(f"{'scale':>6} {'chunks':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for factor in (int(x) for x in args.scales.split(",")):
        IndexPaths(settings.index_dir).switch_to(base_id)
        if factor > 1:
            grow(settings, factor)
        service = ChatService.from_settings(settings)
        timings = measure(service, args.repeat)
        print(f"{'x' + str(factor):>6} {len(service.index.chunks):>8} {statistics.median(timings):>8.1f} "
              f"{pct(timings, 95):>8.1f} {max(timings):>8.1f}", flush=True)
    IndexPaths(settings.index_dir).switch_to(base_id)


if __name__ == "__main__":
    main()
