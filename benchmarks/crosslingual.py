"""Cross-lingual retrieval benchmark on public Wikipedia reading-comprehension sets: XQuAD (zh + en) and CMRC 2018.

    python -m benchmarks.crosslingual [--limit N] [--directions zh-zh,en-en,en-zh,zh-en] [--skip-cmrc]
                                      [--skip-answers] [--embedder e5|fake] [--json FILE] [--data-dir DIR]

XQuAD: the 240 paragraphs in Chinese and in English in ONE index (480 documents), every question asked in both
languages; direction a→b asks the question in language a and looks for the gold paragraph in language b.
CMRC 2018 dev: 848 Chinese paragraphs, 3,219 Chinese questions, in an index of their own.

Each paragraph is one Markdown file with front matter (title, language, topic, sample) in a corpus folder under
the git-ignored benchmark data folder, indexed by the project's own IndexBuilder (its chunking, its lexical
index, the shipped lexicon.yaml), so a chunk always maps back to its paragraph. The index and the embedding
cache are kept there: a re-run re-embeds only what changed (the builder's content hashes and fingerprint).

Systems, all on the same index and the same embedder object:
- ours: the HybridRetriever search ChatService makes for a question (the service's retriever and filters);
- dense / lexical: SearchIndex.dense / SearchIndex.lexical_search over our chunks;
- langchain: langchain_chroma.Chroma over the same paragraphs (split 500/50), similarity_search.
Ranks are over paragraphs: ranked chunks are reduced to their paragraphs, first occurrence kept, in order.
answer∋gold: the target language's gold answer span inside ChatService.ask's answer text (citation markers
removed), for ours only; "cites gold": the answer cites the gold paragraph. top1∋gold: the span inside the whole
top-ranked paragraph, a reference for what a one-paragraph answer could hold (not an answer of that system).

The service runs with the domain gate off (answering.domain_gate) and the LLM mode off: Wikipedia is not our
remit; this measures retrieval and sentence choice. The data is read from ../shared/benchmarks/ and never copied
into the project, nor used to write rules or word lists.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml
from langchain_core.embeddings import Embeddings
from tqdm import tqdm

from benchmarks.eval_lib import contains_fact, first_relevant_rank, normalise, recall_at_k

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "benchmarks"  # beside the repository, never inside it
DEFAULT_DATA = ROOT / "data" / "bench-crosslingual"
LEXICON = ROOT / "corpus" / "lexicon.yaml"
DIRECTIONS = ("zh-zh", "en-en", "en-zh", "zh-en")
SYSTEMS = ("ours", "dense", "lexical", "langchain")
RANK_K = 10  # paragraphs scored (R@10)
CHUNK_K = 60  # chunks asked of each system: an English paragraph makes about three of ours
SEED = 0
ISSUERS = {"xquad": "XQuAD (Wikipedia, CC BY-SA 4.0)", "cmrc": "CMRC 2018 (Wikipedia, CC BY-SA 4.0)"}
_MARKER = re.compile(r"\[\d{1,2}\]")  # citation markers sit inside sentences: "…308分[1]。"


# ---------- the data ----------

@dataclass(frozen=True)
class Paragraph:
    key: str  # x003-07: article and paragraph position, the same in XQuAD's parallel files
    lang: str
    title: str  # the article's title
    number: int  # 1-based position in its article
    text: str

    @property
    def doc_id(self) -> str:
        return f"{self.lang}/{self.key}.md"


@dataclass(frozen=True)
class QA:
    qid: str
    lang: str
    question: str
    key: str  # its paragraph
    answers: tuple[str, ...]  # gold spans, any one counts


def load_squad(path: Path, lang: str, prefix: str) -> tuple[list[Paragraph], list[QA]]:
    """Paragraphs and questions of a SQuAD-format file; paragraph keys are ``<prefix><article>-<paragraph>``."""
    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    paragraphs: list[Paragraph] = []
    questions: list[QA] = []
    for a, article in enumerate(data):
        title = str(article.get("title", "")).replace("_", " ").strip()
        for p, para in enumerate(article["paragraphs"]):
            key = f"{prefix}{a:03d}-{p:02d}"
            paragraphs.append(Paragraph(key, lang, title, p + 1, para["context"]))
            for qa in para["qas"]:
                spans = tuple(dict.fromkeys(ans["text"] for ans in qa["answers"] if ans["text"].strip()))
                # Trimmed as ChatService trims a question, so every system and the service embed the same text.
                questions.append(QA(qa["id"], lang, qa["question"].strip(), key, spans))
    return paragraphs, questions


def paragraph_title(paragraph: Paragraph) -> str:
    if paragraph.lang == "zh":
        return f"{paragraph.title} 第{paragraph.number}段"
    return f"{paragraph.title}, paragraph {paragraph.number}"


def paragraph_markdown(paragraph: Paragraph, issuer: str) -> str:
    """One paragraph as a corpus document: front matter, then the text on one line (the Markdown loader joins
    wrapped lines and splits at blank ones; one line keeps the paragraph as it is)."""
    meta = {"title": paragraph_title(paragraph), "issuer": issuer, "topic": "overview",
            "language": paragraph.lang, "sample": True}
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=10_000)
    return f"---\n{front}---\n{' '.join(paragraph.text.split())}\n"


def write_corpus(folder: Path, paragraphs: Iterable[Paragraph], issuer: str, lexicon: Path | None) -> int:
    """Make ``folder`` hold exactly these paragraphs (and the lexicon); files already right are left alone, so
    the builder sees them unchanged. Returns the number of files written."""
    wanted = {folder / p.doc_id: paragraph_markdown(p, issuer) for p in paragraphs}
    written = 0
    for path, text in wanted.items():
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written += 1
    for stale in folder.rglob("*.md"):
        if stale not in wanted:
            stale.unlink()
    target = folder / "lexicon.yaml"
    if lexicon is None:
        target.unlink(missing_ok=True)
    elif not target.is_file() or target.read_bytes() != lexicon.read_bytes():
        shutil.copyfile(lexicon, target)
        written += 1
    return written


def sample(items: Sequence[str], limit: int | None, seed: int = SEED) -> list[str]:
    """``limit`` of the items chosen with a fixed seed, in their original order; all of them without a limit."""
    if limit is None or limit >= len(items):
        return list(items)
    chosen = set(random.Random(seed).sample(list(items), limit))
    return [i for i in items if i in chosen]


def parse_directions(text: str) -> tuple[str, ...]:
    out = tuple(dict.fromkeys(d.strip().replace("→", "-") for d in text.split(",") if d.strip()))
    bad = [d for d in out if d not in DIRECTIONS]
    if bad or not out:
        raise argparse.ArgumentTypeError(f"directions are a comma list of {', '.join(DIRECTIONS)}; got {text!r}")
    return out


# ---------- scoring (pure) ----------

def paragraph_ranking(doc_ids: Iterable[str], k: int = RANK_K) -> tuple[str, ...]:
    """Ranked chunks' documents reduced to paragraphs: first occurrence kept, order kept, the first k."""
    return tuple(dict.fromkeys(doc_ids))[:k]


def contains_answer(text: str, spans: Iterable[str]) -> bool:
    """A gold span inside the text, citation markers removed; matched like eval_lib's facts (NFKC, case,
    spaces, digits not touching other digits)."""
    clean = normalise(_MARKER.sub("", text))
    return any(contains_fact(clean, s, normalised=True) for s in spans if s.strip())


@dataclass
class Ranked:
    docs: tuple[str, ...]  # paragraph doc ids, best first, at most RANK_K
    seconds: float = 0.0


@dataclass
class AskResult:
    status: str
    answer: str
    handoff: bool = False
    cited: tuple[str, ...] = ()  # doc ids of the answer's sources
    candidates: tuple[str, ...] = ()  # paragraphs of Answer.candidates, deduplicated
    seconds: float = 0.0


@dataclass
class Score:
    dataset: str
    direction: str
    system: str
    n: int
    r1: float
    r5: float
    r10: float
    top1_gold: float  # reference: the top paragraph holds the gold span
    answer_gold: float | None = None  # ours: the answer holds the gold span
    cites_gold: float | None = None  # ours: the answer cites the gold paragraph
    ms: float = 0.0  # mean retrieval time per question
    statuses: dict[str, int] = field(default_factory=dict)


def score_direction(dataset: str, direction: str, system: str, questions: Sequence[QA],
                    ranked: dict[tuple[str, str], Ranked], targets: dict[str, QA], texts: dict[str, str],
                    answers: dict[tuple[str, str], AskResult] | None = None) -> Score:
    """Scores of one system in one direction. ``questions`` are in the source language, ``targets`` the same
    questions (by id) in the target language, ``texts`` paragraph text by doc id."""
    source, target = direction.split("-")
    ranks, top1, seconds = [], [], []
    answer_hits, cite_hits, statuses = [], [], Counter()
    for q in questions:
        gold_qa = targets[q.qid]
        gold = f"{target}/{gold_qa.key}.md"
        r = ranked[(q.qid, source)]
        ranks.append(first_relevant_rank(r.docs, [gold]))
        top1.append(bool(r.docs) and contains_answer(texts.get(r.docs[0], ""), gold_qa.answers))
        seconds.append(r.seconds)
        if answers is not None:
            a = answers[(q.qid, source)]
            statuses[a.status + (" +handoff" if a.handoff else "")] += 1
            answer_hits.append(contains_answer(a.answer, gold_qa.answers))
            cite_hits.append(gold in a.cited)
    n = len(questions)

    def share(values: list[bool]) -> float:
        return sum(values) / n if n else 0.0

    return Score(dataset, direction, system, n, recall_at_k(ranks, 1), recall_at_k(ranks, 5), recall_at_k(ranks, 10),
                 share(top1), share(answer_hits) if answers is not None else None,
                 share(cite_hits) if answers is not None else None,
                 1000 * sum(seconds) / n if n else 0.0, dict(statuses))


# ---------- the engine ----------

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


# ---------- report ----------

def _cell(value: float | None) -> str:
    return "     -" if value is None else f"{value:6.3f}"


def print_scores(scores: Sequence[Score]) -> None:
    print(f"\n{'set':<6} {'dir':<6} {'system':<10} {'n':>5} {'R@1':>6} {'R@5':>6} {'R@10':>6} "
          f"{'top1∋gold':>9} {'answer∋gold':>11} {'cites gold':>10} {'ms/q':>6}")
    last = ""
    for s in scores:
        head = f"{s.dataset:<6} {s.direction.replace('-', '→'):<6}" if (s.dataset, s.direction) != last else " " * 13
        last = (s.dataset, s.direction)
        print(f"{head} {s.system:<10} {s.n:>5} {_cell(s.r1)} {_cell(s.r5)} {_cell(s.r10)} "
              f"{_cell(s.top1_gold):>9} {_cell(s.answer_gold):>11} {_cell(s.cites_gold):>10} {s.ms:6.1f}")
    print("R@k: the gold paragraph in the target language among the top k paragraphs. answer∋gold: the target "
          "language's gold span inside ChatService's answer (refusals count as misses); cites gold: the answer cites "
          "the gold paragraph. top1∋gold (reference, not an answer): the span inside the whole top-ranked paragraph. "
          "ms/q: search only (query vectors computed once beforehand); ours asks for "
          f"{CHUNK_K} chunks (the service asks for retrieval.top_k), so its near-duplicate pass costs more here.")


def write_json(path: Path, runs: Sequence[DatasetRun], args: argparse.Namespace) -> None:
    data: dict[str, Any] = {"options": {"limit": args.limit, "directions": list(args.directions),
                                        "embedder": args.embedder, "seed": SEED,
                                        "lexicon": str(args.lexicon) if args.lexicon else None},
                            "scores": [asdict(s) for s in runs for s in s.scores],
                            "timings": {r.name: r.timings for r in runs}, "questions": {}}
    for run in runs:
        rows = []
        asked = {(q.qid, q.lang): q for qs in run.questions.values() for q in qs}
        for (qid, lang), _ in run.ranked.get("ours", {}).items():
            q = asked[(qid, lang)]
            row: dict[str, Any] = {"id": qid, "lang": lang, "question": q.question, "paragraph": q.key,
                                   "ranked": {name: list(run.ranked[name][(qid, lang)].docs) for name in run.ranked}}
            if (qid, lang) in run.answers:
                a = run.answers[(qid, lang)]
                row["answer"] = {"status": a.status, "handoff": a.handoff, "text": a.answer, "cited": list(a.cited)}
            rows.append(row)
        data["questions"][run.name] = rows
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


# ---------- main ----------

def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks.crosslingual", description=__doc__.split("\n\n")[0])
    p.add_argument("--limit", type=int, help=f"questions per direction, sampled with seed {SEED} (default: all)")
    p.add_argument("--directions", type=parse_directions, default=DIRECTIONS,
                   help=f"XQuAD directions, comma-separated (default: {','.join(DIRECTIONS)})")
    p.add_argument("--skip-cmrc", action="store_true", help="XQuAD only")
    p.add_argument("--skip-answers", action="store_true", help="retrieval only: no ChatService answers (faster)")
    p.add_argument("--embedder", choices=["e5", "fake"], default="e5", help="embedding backend (default: e5)")
    p.add_argument("--json", type=Path, dest="json_out", help="also write scores and per-question results here")
    p.add_argument("--data-dir", type=Path, help=f"benchmark folder (default: {DEFAULT_DATA.relative_to(ROOT)}/<embedder>)")
    p.add_argument("--source", type=Path, default=SHARED,
                   help="folder holding xquad/ and cmrc2018/ (default: ../shared/benchmarks beside the repository)")
    p.add_argument("--lexicon", default=str(LEXICON),
                   help="lexicon copied into the benchmark corpora (default: corpus/lexicon.yaml); 'none' for none")
    args = p.parse_args(argv)
    if args.limit is not None and args.limit < 1:
        p.error("--limit must be at least 1")
    args.lexicon = None if args.lexicon.lower() == "none" else Path(args.lexicon).resolve()
    args.data_root = (args.data_dir or DEFAULT_DATA / args.embedder).resolve()
    return args


def load_runs(args: argparse.Namespace) -> list[DatasetRun]:
    runs = []
    zh_paras, zh_qs = load_squad(args.source / "xquad" / "xquad.zh.json", "zh", "x")
    en_paras, en_qs = load_squad(args.source / "xquad" / "xquad.en.json", "en", "x")
    chosen = set(sample([q.qid for q in en_qs], args.limit))  # the same questions in every direction
    runs.append(DatasetRun("xquad", args.directions, zh_paras + en_paras,
                           {"zh": [q for q in zh_qs if q.qid in chosen], "en": [q for q in en_qs if q.qid in chosen]}))
    if not args.skip_cmrc:
        paras, qs = load_squad(args.source / "cmrc2018" / "cmrc2018_dev.json", "zh", "c")
        chosen = set(sample([q.qid for q in qs], args.limit))
        runs.append(DatasetRun("cmrc", ("zh-zh",), paras, {"zh": [q for q in qs if q.qid in chosen]}))
    return runs


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")  # shared 2-core machine: one thread per model
    from assistant.index import make_embeddings
    from assistant.settings import EmbeddingSettings

    began = time.perf_counter()
    runs = load_runs(args)
    embeddings = QueryMemo(make_embeddings(EmbeddingSettings(backend=args.embedder, threads=1)))
    print(f"== cross-lingual benchmark: embedder {embeddings.name}, limit {args.limit or 'all'}, "
          f"directions {', '.join(args.directions)}, lexicon {args.lexicon or 'none'}, "
          f"answers {'off' if args.skip_answers else 'on'}, source {args.source}")
    for run in runs:
        run_dataset(run, args, embeddings)
        for note in run.notes:
            print(f"  {note}")
    scores = [s for run in runs for s in run.scores]
    print_scores(scores)
    print("\ntiming: " + "; ".join(f"{run.name}: " + ", ".join(f"{k} {v:.1f} s" for k, v in run.timings.items())
                                   for run in runs) + f"; total {time.perf_counter() - began:.1f} s")
    if args.json_out:
        write_json(args.json_out, runs, args)
        print(f"results written to {args.json_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
