"""The one index builder: corpus folder → chunks → embeddings → Chroma + BM25 + structured tables.

Incremental (a manifest of content hashes: unchanged files reuse their chunks, unchanged chunks reuse
their vectors) and atomic (see ``index_store``). A build is published (CURRENT) or, for the staff console,
staged (STAGED) over the corpus plus changes not yet in it; a cancel flag stops it between files, OCR pages
and embedding batches, leaving the served build as it was. Sentences addressed to an AI assistant are taken
out of the chunks (``injection``) and listed per file."""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings
from tqdm import tqdm

from assistant.documents import Chunk, LoadedDocument, Skipped
from assistant.index import (
    Bilingual,
    CachedEmbeddings,
    EmbeddingPool,
    IndexPaths,
    LexicalIndex,
    SentenceVectors,
    Tokenizer,
    chroma_client,
    make_embeddings,
    new_build_id,
    quoted_sentences,
    read_chunks,
    read_json,
    remove_build,
    worker_count,
    write_chunks,
    write_json,
)
from assistant.ingest.changes import CorpusChanges
from assistant.ingest.chunking import chunk_blocks
from assistant.ingest.injection import InjectionDetector, screen_chunks
from assistant.ingest.loaders import LoaderError, check_chunks, discover, doc_id_for, load_file
from assistant.ingest.loaders.metadata import sidecar_path
from assistant.ingest.loaders.ocr import OcrEngine, PageOcr
from assistant.ingest.vectors import write_vectors
from assistant.language import to_simplified
from assistant.lexicon import LEXICON_JSON, Lexicon, load_lexicon
from assistant.settings import Settings

LOADER_VERSION = 7  # bump when loaders or chunking change, so every file is re-read once
ProgressCallback = Callable[[str, int, int], None]  # stage, done, total


class BuildCancelled(BaseException):
    """The build's cancel flag was set. A BaseException, like asyncio.CancelledError, so that it passes the
    catch-all around each loader (one bad file must not sink the corpus) and ends the build."""


@dataclass
class FileRecord:
    doc_id: str
    sha256: str
    # indexed | needs_ocr | unreadable | unsupported | too_large (past a budget) | outside_corpus (a link out of
    # it) | flagged (all AI-addressed)
    status: str
    reason: str = ""
    chunks: int = 0
    title: str = ""
    kind: str = ""
    warnings: list[str] = field(default_factory=list)
    ocr_pages: int = 0  # pages whose text came from OCR
    flags: list[dict[str, str]] = field(default_factory=list)  # sentences addressed to an AI: sentence, locator, category


@dataclass
class BuildReport:
    build_id: str | None
    changed: bool
    files: list[FileRecord]
    chunks: int = 0
    embedded: int = 0  # vectors computed by the model in this run (the rest came from the cache)
    reused_files: int = 0
    seconds: float = 0.0
    ocr_pages: int = 0  # pages sent to OCR in this run, cache hits included
    ocr_cached: int = 0  # of those, pages whose text came from the OCR cache
    ocr_seconds: float = 0.0  # time the OCR engine spent reading pages (its model loading excluded)

    @property
    def skipped(self) -> list[FileRecord]:
        return [f for f in self.files if f.status != "indexed"]

    def summary(self) -> str:
        indexed = len(self.files) - len(self.skipped)
        head = (f"{len(self.files)} files ({indexed} indexed, {len(self.skipped)} skipped), {self.chunks} chunks, "
                f"{self.embedded} newly embedded, {self.reused_files} files unchanged, {self.seconds:.1f} s")
        if self.ocr_pages:
            head += f", {self.ocr_pages} pages OCR'd ({self.ocr_cached} from the OCR cache)"
        if not self.changed:
            head = "index is up to date: " + head
        lines = [head] + [f"  skipped {f.doc_id}: [{f.status}] {f.reason}" for f in self.skipped]
        lines += [f"  warning {f.doc_id}: {w}" for f in self.files for w in f.warnings]
        return "\n".join(lines)


def file_hash(path: Path) -> str:
    digest = hashlib.sha256(path.read_bytes())
    side = sidecar_path(path)
    if side.exists():  # a PDF's metadata lives in its sidecar: editing it must re-index the PDF
        digest.update(side.read_bytes())
    return digest.hexdigest()


def index_text(chunk: Chunk) -> str:
    """What is embedded and tokenised: the chunk with its title and place, so short chunks keep context."""
    place = " ".join(x for x in (chunk.heading, chunk.row_id) if x)
    return f"《{chunk.title}》{place}\n{chunk.text}"


class IndexBuilder:
    def __init__(self, settings: Settings, embeddings: Embeddings | None = None,
                 on_progress: ProgressCallback | None = None, show_progress: bool = False,
                 ocr_engine: OcrEngine | None = None, cancel: threading.Event | None = None) -> None:
        self.settings = settings
        self.paths = IndexPaths(settings.index_dir)
        self._embeddings = embeddings
        self.on_progress = on_progress
        self.show_progress = show_progress
        self.ocr_engine = ocr_engine  # None = the bundled RapidOCR, loaded only if a page needs it
        self.cancel = cancel  # set by another thread: the build stops at its next file, page or batch

    def _fingerprint(self, embedder_name: str, detector: InjectionDetector) -> dict[str, Any]:
        ocr = self.settings.index.ocr  # turning OCR on or off must re-read the files it skipped or read
        return {"loader_version": LOADER_VERSION, "chunk_chars": self.settings.index.chunk_chars,
                "embedder": embedder_name, "chroma_mode": self.settings.index.chroma_mode,
                "ocr": [ocr.enabled, ocr.scale, ocr.min_text_chars],
                "budgets": self.settings.index.budgets.model_dump(),  # a lower one must re-judge indexed files
                "injection": detector.fingerprint}  # other patterns: every file is screened again

    def _cached_embedder(self) -> CachedEmbeddings:
        inner = self._embeddings or make_embeddings(self.settings.embeddings)
        return CachedEmbeddings(inner, self.settings.cache_dir / "embeddings.sqlite3",
                                batch_size=self.settings.embeddings.batch_size, runner=self._embed_pool())

    def _embed_pool(self) -> EmbeddingPool | None:
        """Worker processes for the passages (index.embed_processes), or None to embed here: one process
        configured, an embedder handed in (the staff console's loaded model, tests), or the fake one."""
        processes = worker_count(self.settings.index.embed_processes)
        if processes < 2 or self._embeddings is not None or self.settings.embeddings.backend == "fake":
            return None
        one_thread = self.settings.embeddings.model_copy(update={"threads": 1})
        return EmbeddingPool(partial(make_embeddings, one_thread), processes)

    def build(self, corpus_dir: Path | None = None, rebuild: bool = False, changes: CorpusChanges | None = None,
              stage: bool = False) -> BuildReport:
        """Build the corpus folder (plus ``changes`` not yet in it) and serve the result, or with ``stage`` point
        STAGED at it instead, replacing any staged build. BuildCancelled when the cancel flag is set."""
        started = time.perf_counter()
        root = (corpus_dir or self.settings.corpus_dir).resolve()
        if not root.is_dir():
            raise FileNotFoundError(f"corpus folder not found: {root}")
        self.paths.builds.mkdir(parents=True, exist_ok=True)
        embedder = self._cached_embedder()
        try:
            report = self._build(root, rebuild, embedder, changes, stage)
        finally:
            embedder.close()
        report.seconds = time.perf_counter() - started
        return report

    def _sources(self, root: Path, links: list[Skipped], changes: CorpusChanges | None) -> dict[str, tuple[Path, Path]]:
        """doc_id -> (file, the folder its doc_id is relative to): the corpus, less the removed files and with
        the added ones from the changes' folder."""
        sources = {doc_id_for(p, root): (p, root) for p in discover(root, links)}
        if changes is not None:
            removed = set(changes.removed)
            links[:] = [s for s in links if s.path not in removed]
            sources = {d: v for d, v in sources.items() if d not in removed}
            sources |= {d: (changes.root / d, changes.root) for d in changes.added}
            sources = dict(sorted(sources.items()))
        return sources

    def _build(self, root: Path, rebuild: bool, embedder: CachedEmbeddings, changes: CorpusChanges | None,
               stage: bool) -> BuildReport:
        # invalid: LexiconError before anything is written; the served build stays
        lexicon = load_lexicon(changes.root if changes is not None and changes.lexicon else root)
        detector = InjectionDetector.for_lexicon(lexicon)
        links: list[Skipped] = []  # symbolic links out of the corpus folder: reported, never read
        sources = self._sources(root, links, changes)
        hashes = {doc_id: file_hash(path) for doc_id, (path, _) in sources.items()} | {s.path: "" for s in links}
        fingerprint = self._fingerprint(embedder.name, detector)
        prev_id = None if rebuild else self.paths.current_id()
        prev = read_json(self.paths.build_dir(prev_id) / "manifest.json", {}) if prev_id else {}
        prev_files = {r["doc_id"]: r for r in prev.get("files", [])} if prev.get("fingerprint") == fingerprint else {}
        # An edited lexicon changes tokenisation only: files are reused, BM25 is rebuilt. So does a build made
        # before sentence vectors were written, or before its dictionary held English nouns.
        prev_dir = self.paths.build_dir(prev_id) if prev_id else None
        if (prev_dir and prev_files and {k: v["sha256"] for k, v in prev_files.items()} == hashes
                and prev.get("lexicon") == lexicon.fingerprint and SentenceVectors.present(prev_dir)
                and Bilingual.current(prev_dir)):
            records = [FileRecord(**r) for r in prev["files"]]
            return BuildReport(prev_id, False, records, chunks=prev.get("chunks", 0), reused_files=len(records))

        build_id = new_build_id()
        folder = self.paths.build_dir(build_id)
        folder.mkdir(parents=True)
        try:
            return self._write_build(root, sources, links, hashes, fingerprint, prev_id, prev_files, build_id,
                                     embedder, lexicon, detector, stage)
        except BaseException:
            # Ctrl-C, a cancel or a failure: the served build is untouched; drop the half-made one. Once CURRENT
            # (or STAGED) names the new build (interrupted while collecting old builds), it must stay.
            if build_id not in (self.paths.current_id(), self.paths.staged_id()):
                remove_build(self.paths, build_id, self.settings.index)
            raise

    def _write_build(self, root: Path, sources: dict[str, tuple[Path, Path]], links: list[Skipped],
                     hashes: dict[str, str], fingerprint: dict[str, Any], prev_id: str | None,
                     prev_files: dict[str, dict], build_id: str, embedder: CachedEmbeddings, lexicon: Lexicon,
                     detector: InjectionDetector, stage: bool) -> BuildReport:
        folder = self.paths.build_dir(build_id)
        prev_chunks: dict[str, list[Chunk]] = {}
        prev_structured: dict[str, Any] = {}
        if prev_id and prev_files:
            for chunk in read_chunks(self.paths.build_dir(prev_id)):
                prev_chunks.setdefault(chunk.doc_id, []).append(chunk)
            prev_structured = read_json(self.paths.build_dir(prev_id) / "structured.json", {})

        records: list[FileRecord] = []
        chunks: list[Chunk] = []
        structured: dict[str, Any] = {}
        reused = 0
        ocr_bar = _OcrBar(self.show_progress, self._progress)
        ocr = PageOcr.from_settings(self.settings, engine=self.ocr_engine, on_progress=ocr_bar)
        bar = tqdm(total=len(sources), desc="Reading", unit="file", disable=not self.show_progress, leave=False)
        try:
            for n, (doc_id, (path, doc_root)) in enumerate(sources.items(), start=1):
                self._check_cancel()
                old = prev_files.get(doc_id)
                if old and old["sha256"] == hashes[doc_id] and old["status"] == "indexed":
                    chunks.extend(prev_chunks.get(doc_id, []))
                    if doc_id in prev_structured:
                        structured[doc_id] = prev_structured[doc_id]
                    records.append(FileRecord(**old))
                    reused += 1
                else:
                    records.append(self._load_one(path, doc_root, hashes[doc_id], chunks, structured, detector, ocr))
                bar.update(1)
                self._progress("reading", n, len(sources))
        finally:
            bar.close()
            ocr_bar.close()
            if ocr:
                ocr.close()
        records += [FileRecord(s.path, "", s.status, s.reason) for s in links]

        texts = [index_text(c) for c in chunks]
        before = embedder.embedded
        # Traditional characters are embedded as simplified ones, as questions are (the tokenizer does the same).
        vectors = self._embed(embedder, [to_simplified(t) for t in texts])
        self._write_vectors(build_id, chunks, vectors)
        quoted = quoted_sentences(chunks)  # each sentence an answer may quote, for sentence choice
        SentenceVectors.write(folder, quoted, self._embed(embedder, [to_simplified(t) for t in quoted], "sentences"))
        tokenizer = Tokenizer(lexicon.tokenizer_terms)
        lexical = LexicalIndex.build([tokenizer.tokens(t) for t in texts])
        lexical.save(folder)
        self._progress("dictionary", 0, 1)
        Bilingual.derive(lexical.vocab).save(folder)  # the corpus's terms as the other language names them
        self._progress("dictionary", 1, 1)
        (folder / LEXICON_JSON).write_text(lexicon.model_dump_json(), encoding="utf-8")
        write_chunks(folder, chunks)
        write_json(folder / "structured.json", structured)
        write_json(folder / "manifest.json", {
            "build_id": build_id, "corpus": _corpus_note(root, self.settings.data_dir), "fingerprint": fingerprint,
            "lexicon": lexicon.fingerprint,
            "chunks": len(chunks),
            "created": time.strftime("%Y-%m-%dT%H:%M:%S"), "files": [asdict(r) for r in records]})
        self._check_cancel()  # the last point where a cancel still leaves everything as it was
        self.paths.mark_complete(build_id)
        if stage:
            replaced = self.paths.staged_id()
            self.paths.stage(build_id)
            if replaced and replaced != self.paths.current_id():
                remove_build(self.paths, replaced, self.settings.index)
        else:
            self.paths.switch_to(build_id)
        for stale in self.paths.stale_builds(self.settings.index.keep_builds):
            remove_build(self.paths, stale, self.settings.index)
        stats = ocr.stats if ocr else None
        return BuildReport(build_id, True, records, chunks=len(chunks), embedded=embedder.embedded - before,
                           reused_files=reused, ocr_pages=stats.read + stats.cached if stats else 0,
                           ocr_cached=stats.cached if stats else 0, ocr_seconds=stats.seconds if stats else 0.0)

    def _load_one(self, path: Path, root: Path, sha: str, chunks: list[Chunk], structured: dict[str, Any],
                  detector: InjectionDetector, ocr: PageOcr | None = None) -> FileRecord:
        doc_id = doc_id_for(path, root)
        budgets = self.settings.index.budgets
        try:
            doc = load_file(path, root, ocr, budgets)
        except LoaderError as exc:
            return FileRecord(doc_id, sha, exc.status, str(exc))
        except Exception as exc:  # a loader bug on one file must not sink the whole corpus
            return FileRecord(doc_id, sha, "unreadable", f"{type(exc).__name__}: {exc}")
        new = chunk_blocks(doc.meta, doc.blocks, self.settings.index.chunk_chars)
        if not new:
            return FileRecord(doc_id, sha, "unreadable", "no text found", title=doc.meta.title, kind=doc.meta.kind)
        try:
            check_chunks(len(new), budgets)  # before any of them is embedded
        except LoaderError as exc:
            return FileRecord(doc_id, sha, exc.status, str(exc), title=doc.meta.title, kind=doc.meta.kind)
        new, flags = screen_chunks(new, detector)
        if not new:
            return FileRecord(doc_id, sha, "flagged", "every passage is addressed to an AI assistant, not to readers",
                              title=doc.meta.title, kind=doc.meta.kind, flags=flags)
        chunks.extend(new)
        if doc.structured:
            structured[doc_id] = doc.structured
        return FileRecord(doc_id, sha, "indexed", chunks=len(new), title=doc.meta.title, kind=doc.meta.kind,
                          warnings=doc.warnings + _metadata_warnings(doc),
                          ocr_pages=len({b.page for b in doc.blocks if b.ocr}), flags=flags)

    def _embed(self, embedder: CachedEmbeddings, texts: list[str], what: str = "embedding") -> list[list[float]]:
        todo = len(embedder.missing(texts))
        bar = tqdm(total=todo, desc="Embedding" if what == "embedding" else f"Embedding {what}",
                   unit="chunk" if what == "embedding" else "sentence", disable=not self.show_progress or not todo)
        done = 0

        def step(n: int) -> None:
            nonlocal done
            done += n
            bar.update(n)
            self._progress(what, done, todo)

        try:
            return embedder.embed_documents(texts, progress=step)
        finally:
            bar.close()

    def _write_vectors(self, build_id: str, chunks: list[Chunk], vectors: list[list[float]]) -> None:
        client = chroma_client(self.settings.index, self.paths.build_dir(build_id))
        write_vectors(client, build_id, chunks, vectors, lambda done, total: self._progress("writing", done, total))

    def _check_cancel(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise BuildCancelled()

    def _progress(self, stage: str, done: int, total: int) -> None:
        # Called after every file, OCR page, embedding batch and Chroma batch: where a cancel takes effect.
        self._check_cancel()
        if self.on_progress:
            self.on_progress(stage, done, total)


class _OcrBar:
    """The "OCR" bar (pages) and the "ocr" progress stage. The bar opens at the first page that needs OCR
    and its total grows file by file, since which pages need OCR is known only once a PDF is opened."""

    def __init__(self, show: bool, progress: ProgressCallback) -> None:
        self.show = show
        self.progress = progress
        self.bar: tqdm | None = None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = tqdm(total=total, desc="OCR", unit="page", disable=not self.show, leave=False)
        self.bar.total = total
        self.bar.update(done - self.bar.n)
        self.progress("ocr", done, total)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _corpus_note(root: Path, data_dir: Path) -> str:
    """Where the build was read from, relative to the data folder ('../corpus'), for people reading the manifest.
    Information only: the served corpus is always ``settings.corpus_dir``, so a data folder moved or copied
    elsewhere never reaches back into the folder it was built from."""
    try:
        return Path(os.path.relpath(root, Path(data_dir).resolve())).as_posix()
    except ValueError:  # another drive (Windows)
        return root.name


def _metadata_warnings(doc: LoadedDocument) -> list[str]:
    try:
        from assistant.validation import validate_metadata
    except ImportError:
        return []
    if doc.meta.kind in ("listing", "rule"):
        return []
    raw = {k: v for k, v in asdict(doc.meta).items() if k != "doc_id"}
    return [f"{p.column}: {p.message}" if p.column else p.message for p in validate_metadata(raw, doc.meta.doc_id)]
