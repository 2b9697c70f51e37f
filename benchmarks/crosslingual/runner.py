"""One dataset's run: its index, every system's ranking of every question asked, the service's answers, and the
scores by direction."""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from benchmarks.crosslingual.data import ISSUERS, QA, Paragraph
from benchmarks.crosslingual.scoring import AskResult, Ranked, Score, score_direction
from benchmarks.crosslingual.systems import (
    CHUNK_K,
    SYSTEMS,
    EmbedProgress,
    QueryMemo,
    Search,
    bench_settings,
    build_index,
    candidates_agree,
    index_search,
    ours_search,
    run_answers,
    run_search,
)


@dataclass
class DatasetRun:
    name: str
    directions: tuple[str, ...]
    paragraphs: list[Paragraph]
    questions: dict[str, list[QA]]  # by language, the sampled ones
    scores: list[Score] = field(default_factory=list)
    ranked: dict[str, dict[tuple[str, str], Ranked]] = field(default_factory=dict)
    answers: dict[tuple[str, str], AskResult] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def run_dataset(run: DatasetRun, args: argparse.Namespace, embeddings: QueryMemo) -> None:
    from assistant.build import build_chat_service
    from assistant.index import CachedEmbeddings, SearchIndex
    from benchmarks.quality import LangChainBaseline

    settings = bench_settings(args, args.data_root / run.name)
    sources = list(dict.fromkeys(d.split("-")[0] for d in run.directions))
    asked = [q for lang in sources for q in run.questions[lang]]
    print(f"\n== {run.name}: {len(run.paragraphs)} paragraphs ("
          + ", ".join(f"{n} {lang}" for lang, n in Counter(p.lang for p in run.paragraphs).items())
          + f"), {len(asked)} questions asked ("
          + ", ".join(f"{len(run.questions[lang])} {lang}" for lang in sources) + f"), data {settings.data_dir}")

    started = time.perf_counter()
    note = build_index(settings, run.paragraphs, ISSUERS[run.name], args.lexicon, embeddings)
    run.timings["index"] = time.perf_counter() - started
    print(f"index: {note}")
    index = SearchIndex.open(settings, embeddings)
    service = build_chat_service(settings, index=index)
    print(f"  our index: {len(index.chunks)} chunks from {len({c.doc_id for c in index.chunks})} paragraphs")

    started = time.perf_counter()
    for q in tqdm(asked, desc="  query vectors", unit="q", leave=False):
        embeddings.embed_query(q.question)  # once for all systems; their ms/q below are search only
    run.timings["query vectors"] = time.perf_counter() - started

    with tempfile.TemporaryDirectory(prefix="bench-xl-langchain-") as tmp:
        started = time.perf_counter()
        # Same model; passage vectors cached by content hash, so a re-run does not re-embed the baseline's chunks.
        cached = CachedEmbeddings(embeddings, settings.cache_dir / "embeddings.sqlite3")
        bar = tqdm(desc="  langchain store", unit="chunk", total=0, leave=False)
        try:
            langchain = LangChainBaseline([(p.doc_id, p.text) for p in run.paragraphs], EmbedProgress(cached, bar),
                                          Path(tmp))
        finally:
            bar.close()
            cached.close()
        run.timings["setup langchain"] = time.perf_counter() - started
        print(f"  langchain store: {langchain.size} chunks")
        searches: dict[str, Search] = {
            "ours": ours_search(service), "dense": index_search(index, "dense"),
            "lexical": index_search(index, "lexical"),
            "langchain": lambda question, lang: list(langchain.search(question, CHUNK_K).doc_ids)}
        for name, search in searches.items():
            search(asked[0].question, asked[0].lang)  # warm-up (tokeniser dictionary), so timings are steady
            started = time.perf_counter()
            run.ranked[name] = run_search(name, search, asked)
            run.timings[f"run {name}"] = time.perf_counter() - started

    if not args.skip_answers:
        started = time.perf_counter()
        run.answers = run_answers(service, asked)
        run.timings["answers"] = time.perf_counter() - started
        agree, compared = candidates_agree(run.ranked["ours"], run.answers)
        run.notes.append(f"service candidates = ours ranking (prefix) on {agree}/{compared} questions")

    texts = {p.doc_id: p.text for p in run.paragraphs}
    for direction in run.directions:
        source, target = direction.split("-")
        targets = {q.qid: q for q in run.questions[target]} if target in run.questions else {}
        if not targets:
            continue
        for name in SYSTEMS:
            run.scores.append(score_direction(run.name, direction, name, run.questions[source], run.ranked[name],
                                              targets, texts, (run.answers or None) if name == "ours" else None))
    for lang in sources:
        statuses = Counter(a.status + (" +handoff" if a.handoff else "")
                           for (_, ql), a in run.answers.items() if ql == lang)
        if statuses:
            ms = [a.seconds for (_, ql), a in run.answers.items() if ql == lang]
            run.notes.append(f"ours answers to {lang} questions: " + ", ".join(f"{k} {v}" for k, v in statuses.most_common())
                             + f"; {1000 * sum(ms) / len(ms):.0f} ms/question")
