"""Answer-quality benchmark: our ChatService against three retrieval baselines on tests/eval/questions.jsonl.

    python -m benchmarks.quality [--data-dir DIR] [--embedder e5|fake] [--limit N] [--verbose]
                                 [--baselines-only] [--json FILE] [--without DIR ...] [--add-folder PATH ...]

Builds (or reuses) an index of corpus/ in a benchmark data folder, never the served one, then scores:
- ours: ChatService.ask, sessions replayed in file order; pass = status, facts, any_of/derived, absent and
  handoff all as expected (scored on Answer.answer); Recall@5 / MRR@10 from Answer.candidates (falling back
  to service.retriever.search); answer shape (answer_shape.py): the share of answered questions whose first
  sentence holds an expected figure, and of those that state no figure twice (offenders with --verbose);
- langchain: loader text → RecursiveCharacterTextSplitter(500, 50) → langchain_chroma.Chroma (temp folder)
  with the same embedder object → similarity_search;
- lexical / dense: SearchIndex.lexical_search / SearchIndex.dense over our own chunks.
A baseline "answers" with its top-5 chunk texts joined, always with status "answered" and no handoff.
Ranks are chunk positions: the rank of the first candidate whose document is relevant.

A modified corpus (--without guide, --add-folder tests/fixtures/english-only) is a copy made in the benchmark
data folder (the ingester never follows links out of its corpus folder), indexed in a data folder of its own.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from benchmarks.answer_shape import check_shape, format_offenders, format_summary, summarise_shapes
from benchmarks.eval_lib import Question, QuestionResult, Summary, check_answer, load_questions, summarise

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "tests" / "eval" / "questions.jsonl"
DEFAULT_DATA = ROOT / "data" / "bench-quality"
TOP_K = 5  # chunks a baseline answers with
RANK_K = 10  # candidates looked at for MRR@10
COPY_MARK = ".bench-corpus-copy"  # marks a corpus copy this benchmark may replace


@dataclass(frozen=True)
class Retrieved:
    doc_ids: tuple[str, ...]
    texts: tuple[str, ...]


Search = Callable[[str, int], Retrieved]


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks.quality", description=__doc__.split("\n\n")[0])
    p.add_argument("--data-dir", type=Path,
                   help=f"benchmark index folder (default: {DEFAULT_DATA.relative_to(ROOT)}/<embedder>)")
    p.add_argument("--corpus", type=Path, default=ROOT / "corpus", help="corpus folder (default: ./corpus)")
    p.add_argument("--questions", type=Path, default=QUESTIONS, help="question file (JSON lines)")
    p.add_argument("--embedder", choices=["e5", "fake"], default="e5", help="embedding backend (default: e5)")
    p.add_argument("--limit", type=int, help="only the first N questions (sessions keep their order)")
    p.add_argument("--verbose", action="store_true", help="print every answer of our pipeline")
    p.add_argument("--baselines-only", action="store_true", help="skip ChatService; run the three baselines")
    p.add_argument("--ours-only", action="store_true", help="skip the baselines (quick iterations on the engine)")
    p.add_argument("--json", type=Path, dest="json_out", help="also write per-question results to this file")
    p.add_argument("--without", action="append", default=[], metavar="DIR",
                   help="leave this top-level corpus folder (e.g. guide) out of the index; repeatable")
    p.add_argument("--add-folder", action="append", default=[], type=Path, metavar="PATH",
                   help="add this folder of documents to the corpus, under a folder of the same name; repeatable")
    return p.parse_args(argv)


# ---------- set-up ----------

def corpus_variant(without: Sequence[str], added: Sequence[Path]) -> str:
    """A folder name for a modified corpus: readable, plus a hash of the exact folders added."""
    if not without and not added:
        return ""
    parts = [f"without-{d}" for d in sorted(set(without))] + [f"add-{p.name}" for p in added]
    digest = hashlib.sha256("\0".join([*sorted(set(without)), *(str(p.resolve()) for p in added)]).encode())
    return re.sub(r"[^\w.+-]", "_", "+".join(parts)) + "-" + digest.hexdigest()[:8]


def copy_corpus(corpus: Path, target: Path, without: Sequence[str], added: Sequence[Path]) -> list[str]:
    """Make ``target`` a copy of ``corpus`` less the ``without`` folders, plus each added folder under its own
    name. Links are copied as links, so one leading out of the corpus is still left out by the ingester.
    Returns the top-level entries of the copy."""
    entries = {p.name: p for p in corpus.iterdir()}
    for name in without:
        if name not in entries or not entries[name].is_dir():
            raise SystemExit(f"--without {name}: no such top-level folder in {corpus}")
    names = [p.name for p in added]
    for folder in added:
        if not folder.is_dir():
            raise SystemExit(f"--add-folder {folder}: not a folder")
        if (folder.name in entries and folder.name not in without) or names.count(folder.name) > 1:
            raise SystemExit(f"--add-folder {folder}: the corpus copy already has a {folder.name!r}")
    if target.exists():
        if not (target / COPY_MARK).is_file():  # never delete a folder this benchmark did not make
            raise SystemExit(f"{target} exists and is not a corpus copy made by this benchmark; choose another --data-dir")
        shutil.rmtree(target)
    target.mkdir(parents=True)
    (target / COPY_MARK).write_text(f"copy of {corpus}\n", encoding="utf-8")  # hidden: the ingester skips it
    for name, path in sorted(entries.items()):
        if name in without:
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.copytree(path, target / name, symlinks=True)
        else:
            shutil.copy2(path, target / name, follow_symlinks=False)
    for folder in added:
        shutil.copytree(folder, target / folder.name, symlinks=True)
    return sorted(p.name for p in target.iterdir() if p.name != COPY_MARK)


def make_settings(args: argparse.Namespace):
    from assistant.settings import Settings

    # One folder per embedder (and per corpus variant), so switching does not rebuild another's index.
    variant = corpus_variant(args.without, args.add_folder)
    data_dir = (args.data_dir or DEFAULT_DATA / "-".join(x for x in (args.embedder, variant) if x)).resolve()
    corpus = args.corpus.resolve()
    if variant:  # copied afresh every run; the builder hashes contents, so unchanged files are not re-read
        corpus = data_dir / "corpus"
        kept = copy_corpus(args.corpus.resolve(), corpus, args.without, args.add_folder)
        print(f"corpus copy {corpus}: {', '.join(kept)}")
    return Settings(corpus_dir=corpus, data_dir=data_dir, embeddings={"backend": args.embedder, "threads": 1})


def ensure_index(settings, embeddings) -> str:
    from assistant.ingest import IndexBuilder

    report = IndexBuilder(settings, embeddings=embeddings).build(settings.corpus_dir)
    return report.summary().splitlines()[0]


def corpus_documents(corpus: Path) -> list[tuple[str, str]]:
    """(doc_id, text) of every readable corpus file, through the project's loaders."""
    from assistant.ingest import LoaderError, discover, doc_id_for, load_file

    docs = []
    for path in discover(corpus):
        try:
            doc = load_file(path, corpus)
        except LoaderError:
            continue
        docs.append((doc_id_for(path, corpus), "\n".join(b.text for b in doc.blocks)))
    return docs


class LangChainBaseline:
    """The plain pipeline: split, embed into Chroma, similarity search. No titles, no hybrid, no rules."""

    def __init__(self, documents: list[tuple[str, str]], embeddings, folder: Path) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from langchain_chroma import Chroma
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        splitter = RecursiveCharacterTextSplitter(chunk_size=500, chunk_overlap=50)
        chunks = splitter.create_documents([text for _, text in documents],
                                           metadatas=[{"doc_id": doc_id} for doc_id, _ in documents])
        client = chromadb.PersistentClient(path=str(folder),
                                           settings=ChromaSettings(anonymized_telemetry=False))
        self.store = Chroma(collection_name="bench_langchain", embedding_function=embeddings, client=client)
        for start in range(0, len(chunks), 256):
            self.store.add_documents(chunks[start:start + 256])
        self.size = len(chunks)

    def search(self, query: str, k: int) -> Retrieved:
        docs = self.store.similarity_search(query, k=k)
        return Retrieved(tuple(d.metadata.get("doc_id", "") for d in docs),
                         tuple(d.page_content for d in docs))


def index_search(index, method: str) -> Search:
    def search(query: str, k: int) -> Retrieved:
        hits = index.lexical_search(query, k) if method == "lexical" else index.dense(query, k)
        chunks = [index.chunks[h.position] for h in hits]
        return Retrieved(tuple(c.doc_id for c in chunks), tuple(c.text for c in chunks))

    return search


def load_chat_service() -> tuple[Any, str]:
    """The lead's ChatService class, or None with the reason it is not usable yet."""
    try:
        from assistant.answering import service
    except Exception as exc:  # a half-written module must not stop the baselines
        return None, f"assistant.answering.service cannot be imported ({type(exc).__name__}: {exc})"
    cls = getattr(service, "ChatService", None)
    return (cls, "") if cls is not None else (None, "assistant.answering.service has no ChatService yet")


# ---------- runs ----------

def run_baseline(questions: Sequence[Question], search: Search) -> list[QuestionResult]:
    search("贵阳 Guiyang", RANK_K)  # warm-up (tokeniser dictionary, model load) so timings show steady state
    results = []
    for q in questions:
        started = time.perf_counter()
        found = search(q.question, RANK_K)
        seconds = time.perf_counter() - started
        answer = "\n\n".join(found.texts[:TOP_K])
        results.append(QuestionResult(q, answer, "answered", False, found.doc_ids,
                                      check_answer(q.expect, answer, "answered", False), seconds))
    return results


def run_pipeline(service, questions: Sequence[Question]) -> tuple[list[QuestionResult], dict[str, str]]:
    """Every question through ChatService.ask; returns results and each answer's language by question id."""
    token = uuid.uuid4().hex[:8]  # fresh session ids, so a rerun never continues an old conversation
    results, languages = [], {}
    for q in questions:
        session = f"bench-{token}-{q.session}" if q.session else None
        started = time.perf_counter()
        try:
            ans = service.ask(q.question, session_id=session)
        except Exception as exc:  # one broken answer must not hide the rest of the figures
            seconds = time.perf_counter() - started
            reason = f"exception {type(exc).__name__}: {exc}"
            results.append(QuestionResult(q, "", "error", False, (), [reason], seconds))
            continue
        seconds = time.perf_counter() - started
        doc_ids = tuple(c.doc_id for c in ans.candidates)
        if not doc_ids and q.relevant_docs:
            doc_ids = tuple(c.doc_id for c in service.retriever.search(q.question, k=RANK_K))
        languages[q.id] = ans.language
        reasons = check_answer(q.expect, ans.answer, ans.status, bool(ans.handoff))
        results.append(QuestionResult(q, ans.answer, ans.status, bool(ans.handoff), doc_ids, reasons, seconds))
    return results, languages


# ---------- report ----------

def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f}%" if whole else "   n/a"


def print_summary(s: Summary) -> None:
    print(f"  pass {s.passed}/{s.total} = {_pct(s.passed, s.total).strip()} "
          f"(answerable {s.answerable_passed}/{s.answerable_total})   Recall@5 {s.recall_at_5:.3f}   "
          f"MRR@10 {s.mrr_at_10:.3f}   (retrieval over {s.retrieval_total} questions)   "
          f"{1000 * s.mean_seconds:.0f} ms/question")


def print_failures(results: Sequence[QuestionResult]) -> None:
    failing = [r for r in results if not r.passed]
    print(f"  failing ({len(failing)}):")
    for r in failing:
        rank = r.rank
        where = f"rank {rank}" if rank else ("no relevant doc in top 10" if r.question.relevant_docs else "")
        print(f"    {r.question.id:<18} {'; '.join(r.reasons)}" + (f"  [{where}]" if where else ""))


def print_answers(results: Sequence[QuestionResult]) -> None:
    for r in results:
        mark = "PASS" if r.passed else "FAIL"
        flags = r.status + (", handoff" if r.handoff else "")
        print(f"\n  [{mark}] {r.question.id} ({flags}) {r.question.question}")
        print("    " + r.answer.replace("\n", "\n    "))


def print_table(summaries: Sequence[Summary], timings: dict[str, float]) -> None:
    print("\n== summary ==")
    print(f"{'system':<12} {'pass':>7} {'pass*':>7} {'R@5':>6} {'MRR@10':>7} {'ms/q':>7} {'p95 ms':>7} "
          f"{'setup s':>8}")
    for s in summaries:
        setup = timings.get(f"setup:{s.system}")
        setup_text = "" if setup is None else f"{setup:8.1f}"
        print(f"{s.system:<12} {_pct(s.passed, s.total):>7} {_pct(s.answerable_passed, s.answerable_total):>7} "
              f"{s.recall_at_5:6.3f} {s.mrr_at_10:7.3f} "
              f"{1000 * s.mean_seconds:7.0f} {1000 * s.p95_seconds:7.0f} {setup_text}")
    print("pass* = pass rate over questions that expect an answer (no refusal or hand-over expected)")
    topics = sorted({t for s in summaries for t in s.by_topic})
    print(f"\n{'topic':<13} {'n':>3} " + " ".join(f"{s.system[:10]:>10}" for s in summaries))
    for topic in topics:
        n = next(s.by_topic[topic][1] for s in summaries if topic in s.by_topic)
        cells = [_pct(*s.by_topic.get(topic, (0, 0))) for s in summaries]
        print(f"{topic:<13} {n:>3} " + " ".join(f"{c:>10}" for c in cells))


def write_json(path: Path, runs: dict[str, list[QuestionResult]], summaries: Sequence[Summary],
               languages: dict[str, str]) -> None:
    def row(r: QuestionResult) -> dict[str, Any]:
        return {"id": r.question.id, "passed": r.passed, "reasons": r.reasons, "status": r.status,
                "handoff": r.handoff, "rank": r.rank, "seconds": round(r.seconds, 4), "answer": r.answer,
                "language": languages.get(r.question.id, ""), "doc_ids": list(r.doc_ids)}

    data = {"summaries": [asdict(s) | {"pass_rate": s.pass_rate} for s in summaries],
            "results": {name: [row(r) for r in results] for name, results in runs.items()}}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


# ---------- main ----------

def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")  # shared 2-core machine: one thread per model
    from assistant.index import SearchIndex, make_embeddings

    questions = load_questions(args.questions)
    if args.limit:
        questions = questions[:args.limit]
    settings = make_settings(args)
    embeddings = make_embeddings(settings.embeddings)
    english = sum(q.lang == "en" for q in questions)
    print(f"== answer-quality benchmark: {len(questions)} questions ({english} en), "
          f"embedder {args.embedder}, corpus {settings.corpus_dir}, data {settings.data_dir}")
    timings: dict[str, float] = {}
    began = time.perf_counter()

    started = time.perf_counter()
    print(f"index: {ensure_index(settings, embeddings)}")
    timings["index"] = time.perf_counter() - started

    runs: dict[str, list[QuestionResult]] = {}
    summaries: list[Summary] = []
    languages: dict[str, str] = {}
    chat_cls, why = (None, "--baselines-only") if args.baselines_only else load_chat_service()
    if chat_cls is None:
        print(f"\n-- ours: skipped ({why})")
    else:
        started = time.perf_counter()
        service = chat_cls.from_settings(settings)
        timings["setup:ours"] = time.perf_counter() - started
        print("\n-- ours (ChatService) --")
        started = time.perf_counter()
        results, languages = run_pipeline(service, questions)
        timings["run:ours"] = time.perf_counter() - started
        runs["ours"] = results
        summaries.append(summarise("ours", results))
        print_summary(summaries[-1])
        matched = sum(languages.get(q.id) == q.lang for q in questions)
        print(f"  answer language = question language: {matched}/{len(questions)}")
        print("  per topic: " + ", ".join(f"{t} {p}/{n}" for t, (p, n) in summaries[-1].by_topic.items()))
        shapes = [(r.question.id, check_shape(r.question.expect, r.answer, r.status)) for r in results]
        print("\n".join(format_summary(summarise_shapes(s for _, s in shapes))))
        print_failures(results)
        if args.verbose:
            print("  answer-shape offenders:\n" + "\n".join(format_offenders(shapes)))
        if args.verbose:
            print_answers(results)

    if args.ours_only:
        print_table(summaries, timings)
        if args.json_out:
            write_json(args.json_out, runs, summaries, languages)
        return 0
    index = SearchIndex.open(settings, embeddings)
    with tempfile.TemporaryDirectory(prefix="bench-langchain-") as tmp:
        started = time.perf_counter()
        from assistant.index import CachedEmbeddings

        # Same model, vectors cached by content hash: repeated runs don't re-embed the baseline's chunks.
        cached = CachedEmbeddings(embeddings, settings.cache_dir / "embeddings.sqlite3")
        langchain = LangChainBaseline(corpus_documents(settings.corpus_dir), cached, Path(tmp))
        timings["setup:langchain"] = time.perf_counter() - started
        baselines: list[tuple[str, Search]] = [("langchain", langchain.search),
                                               ("lexical", index_search(index, "lexical")),
                                               ("dense", index_search(index, "dense"))]
        print(f"\n-- baselines (top-{TOP_K} chunks as the answer; langchain store: {langchain.size} chunks, "
              f"ours: {len(index.chunks)} chunks) --")
        for name, search in baselines:
            started = time.perf_counter()
            results = run_baseline(questions, search)
            timings[f"run:{name}"] = time.perf_counter() - started
            runs[name] = results
            summaries.append(summarise(name, results))
            print(f" {name}:")
            print_summary(summaries[-1])
            if args.verbose:
                print_failures(results)

    print_table(summaries, timings)
    total = time.perf_counter() - began
    print("\ntiming: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()) + f"; total {total:.1f} s")
    if args.json_out:
        write_json(args.json_out, runs, summaries, languages)
        print(f"results written to {args.json_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
