"""The systems compared, over one index and one embedder: the index built from the paragraphs, our service's search,
the index's dense and lexical searches, and the service's answers; the embedder wrappers they share."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from langchain_core.embeddings import Embeddings
from tqdm import tqdm

from benchmarks.crosslingual.data import QA, Paragraph, write_corpus
from benchmarks.crosslingual.scoring import RANK_K, AskResult, Ranked, paragraph_ranking

SYSTEMS = ("ours", "dense", "lexical", "langchain")
CHUNK_K = 60  # chunks asked of each system: an English paragraph makes about three of ours


class QueryMemo(Embeddings):
    """The embedder with query vectors remembered: the four systems ask the same questions and the model is the
    slow part. Vectors are unchanged (the model is deterministic); passages go straight through."""

    def __init__(self, inner: Embeddings) -> None:
        self.inner = inner
        self._memo: dict[str, list[float]] = {}

    @property
    def name(self) -> str:
        return getattr(self.inner, "name", type(self.inner).__name__)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        if text not in self._memo:
            self._memo[text] = self.inner.embed_query(text)
        return self._memo[text]


class EmbedProgress(Embeddings):
    """A CachedEmbeddings that shows a bar while the LangChain store embeds its chunks (minutes on a first run)."""

    def __init__(self, inner, bar: tqdm) -> None:
        self.inner = inner
        self.bar = bar

    @property
    def name(self) -> str:
        return self.inner.name

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.bar.total = (self.bar.total or 0) + len(self.inner.missing(texts))
        return self.inner.embed_documents(texts, progress=self.bar.update)

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


def bench_settings(args: argparse.Namespace, folder: Path):
    from assistant.settings import Settings

    return Settings(corpus_dir=folder / "corpus", data_dir=folder / "data",
                    embeddings={"backend": args.embedder, "threads": 1},
                    answering={"domain_gate": False}, llm={"enabled": False})


def build_index(settings, paragraphs: Sequence[Paragraph], issuer: str, lexicon: Path | None,
                embeddings: Embeddings) -> str:
    from assistant.ingest import IndexBuilder

    written = write_corpus(settings.corpus_dir, paragraphs, issuer, lexicon)
    report = IndexBuilder(settings, embeddings=embeddings, show_progress=True).build(settings.corpus_dir)
    unread = [f for f in report.skipped]
    note = f"; {len(unread)} files not indexed, e.g. {unread[0].doc_id}: {unread[0].reason}" if unread else ""
    return f"{written} files (re)written; " + report.summary().splitlines()[0] + note


Search = Callable[[str, str], list[str]]  # (question, its language) -> ranked chunks' doc ids


def ours_search(service) -> Search:
    """The call ChatService makes for a policy answer (its retriever, its filters), asked for more chunks."""
    from assistant.index import Filters

    def search(question: str, lang: str) -> list[str]:
        filters = Filters(day=service.today(), prefer_language=lang)
        return [c.doc_id for c in service.retriever.search(question, CHUNK_K, filters)]

    return search


def index_search(index, method: str) -> Search:
    def search(question: str, lang: str) -> list[str]:
        hits = index.lexical_search(question, CHUNK_K) if method == "lexical" else index.dense(question, CHUNK_K)
        return [index.chunks[h.position].doc_id for h in hits]

    return search


def run_search(name: str, search: Search, questions: Sequence[QA]) -> dict[tuple[str, str], Ranked]:
    out: dict[tuple[str, str], Ranked] = {}
    for q in tqdm(questions, desc=f"  {name}", unit="q", leave=False):
        started = time.perf_counter()
        docs = paragraph_ranking(search(q.question, q.lang))
        out[(q.qid, q.lang)] = Ranked(docs, time.perf_counter() - started)
    return out


def run_answers(service, questions: Sequence[QA]) -> dict[tuple[str, str], AskResult]:
    out: dict[tuple[str, str], AskResult] = {}
    for q in tqdm(questions, desc="  answers", unit="q", leave=False):
        started = time.perf_counter()
        try:
            ans = service.ask(q.question)
        except Exception as exc:  # one broken answer must not hide the rest of the figures
            out[(q.qid, q.lang)] = AskResult("error", f"{type(exc).__name__}: {exc}",
                                             seconds=time.perf_counter() - started)
            continue
        out[(q.qid, q.lang)] = AskResult(ans.status, ans.answer, bool(ans.handoff),
                                         tuple(s.doc_id for s in ans.sources),
                                         paragraph_ranking((c.doc_id for c in ans.candidates), CHUNK_K),
                                         time.perf_counter() - started)
    return out


def candidates_agree(ranked: dict[tuple[str, str], Ranked], answers: dict[tuple[str, str], AskResult]) -> tuple[int, int]:
    """(agreeing, compared): the service's own candidates are a prefix of the ranking scored as ours. A mismatch
    means the service no longer ranks the way ``ours_search`` asks, and ours' R@k would not be the service's."""
    compared = [(ranked[key].docs, a.candidates) for key, a in answers.items() if a.candidates]
    return sum(docs[:len(c)] == c for docs, c in compared if len(c) <= RANK_K), len(compared)
