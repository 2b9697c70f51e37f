"""Read side of an index build: the served chunks, their vectors in Chroma, BM25, structured tables."""

from __future__ import annotations

import copy
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from types import MappingProxyType
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.documents import Chunk
from assistant.index.bilingual import MAX_PER_WORD, Bilingual
from assistant.index.exact import ExactVectors
from assistant.index.lexical import LexicalIndex, Tokenizer, query_terms
from assistant.index.sentence_vectors import NearestSentences, SentenceVectors
from assistant.index.store import IndexPaths, chroma_reader, collection_name, read_chunks, read_json
from assistant.language import to_simplified
from assistant.lexicon import LEXICON_JSON, Lexicon, lexicon_from_json
from assistant.settings import Settings

CANDIDATE_SENSES = 24  # dictionary senses of a word weighed by the company they keep, before MAX_PER_WORD are kept


@dataclass(frozen=True)
class Expansion:
    """A question's search terms and what else may stand for each: the lexicon's synonyms, and words of the
    corpus's other language (from the bilingual dictionary). Immutable: it is cached and shared."""

    terms: tuple[str, ...]
    synonyms: MappingProxyType[str, tuple[str, ...]]
    translations: MappingProxyType[str, tuple[str, ...]]

    def related(self) -> dict[str, tuple[str, ...]]:
        """Each term's stand-ins, synonyms first: a sentence holding one covers the term."""
        keys = dict.fromkeys([*self.synonyms, *self.translations])
        return {k: self.synonyms.get(k, ()) + self.translations.get(k, ()) for k in keys}


@dataclass(frozen=True)
class Hit:
    position: int  # index into SearchIndex.chunks
    score: float


def embedding_text(text: str, limit: int) -> str:
    """The start of a query that the embedding model reads: ``limit`` characters, where an ASCII character counts
    a third (a model token is about one CJK character or four Latin letters), so the cost is bounded either way."""
    budget = 3 * limit
    for i, ch in enumerate(text):
        budget -= 1 if ch.isascii() else 3
        if budget < 0:
            return text[:i]
    return text


class IndexNotFound(RuntimeError):
    pass


class EmbedderMismatch(RuntimeError):
    """Query vectors from another model than the index's would silently return nonsense."""


class SearchIndex:
    def __init__(self, settings: Settings, build_id: str, embeddings: Embeddings) -> None:
        self.settings = settings
        self.build_id = build_id
        self.embeddings = embeddings
        folder = IndexPaths(settings.index_dir).build_dir(build_id)
        self.chunks: list[Chunk] = read_chunks(folder)
        self.positions = {c.chunk_id: i for i, c in enumerate(self.chunks)}
        self.lexical = LexicalIndex.load(folder)
        self.structured: dict[str, Any] = read_json(folder / "structured.json", {})
        self.manifest: dict[str, Any] = read_json(folder / "manifest.json", {})
        built_with = self.manifest.get("fingerprint", {}).get("embedder")
        used = getattr(embeddings, "name", None)
        if built_with and used and built_with != used:
            raise EmbedderMismatch(f"the index was built with {built_with} but the embedder is {used}: set "
                                   "ZST_EMBEDDINGS__BACKEND to match, or re-run `python ingest.py --rebuild`")
        lexicon_file = folder / LEXICON_JSON
        self.lexicon: Lexicon = (lexicon_from_json(lexicon_file.read_text(encoding="utf-8")) if lexicon_file.is_file()
                                 else Lexicon())
        self.tokenizer = Tokenizer(self.lexicon.tokenizer_terms)
        self.bilingual = Bilingual.load(folder)
        self.sentence_vectors = SentenceVectors.load(folder)
        stored = self.sentence_vectors
        self.nearest_sentences = (NearestSentences(stored, self.chunks) if stored is not None
                                  and len(stored.row) <= settings.index.sentence_search_max else None)
        self._twins = {(c.doc_id, c.row_id, c.language): i for i, c in enumerate(self.chunks) if c.row_id}
        self.expand = lru_cache(maxsize=256)(self._expand)
        # Bounded caches of vectors: a popular question, and the sentences answers are judged by, embed once.
        self.query_vector = lru_cache(maxsize=512)(self._query_vector)
        self._passage_vector = lru_cache(maxsize=4096)(self._one_passage_vector)
        # The languages passages are in: dense search runs once per language, since the embedding model
        # ranks passages in the question's own language far above the best one in another.
        self.languages = tuple(sorted({c.language for c in self.chunks}))
        self._client = chroma_reader(settings.index, folder)
        self._sizes = {lang: sum(c.language == lang for c in self.chunks) for lang in self.languages}
        self._collections = {lang: self._client.get_collection(collection_name(build_id, lang))
                             for lang in self.languages}
        # Collections up to index.exact_search_max passages are searched in memory (read once, here).
        self._exact = {lang: ExactVectors.from_collection(collection, self.positions)
                       for lang, collection in self._collections.items()
                       if self._sizes[lang] <= settings.index.exact_search_max}
        self._lock = threading.Lock()

    @classmethod
    def open(cls, settings: Settings, embeddings: Embeddings) -> SearchIndex:
        build_id = IndexPaths(settings.index_dir).current_id()
        if build_id is None:
            raise IndexNotFound(f"no index in {settings.index_dir}: run `python ingest.py` first")
        return cls(settings, build_id, embeddings)

    @staticmethod
    def needs_build(settings: Settings) -> bool:
        """No served build yet, or one made before builds carried their lexicon, bilingual dictionary (with its
        English nouns) and sentence vectors (a re-ingest reuses its files and cached vectors) or before they were screened for sentences
        addressed to an AI (their fingerprint names the patterns)."""
        paths = IndexPaths(settings.index_dir)
        build_id = paths.current_id()
        if build_id is None:
            return True
        folder = paths.build_dir(build_id)
        if not (folder / LEXICON_JSON).is_file() or not Bilingual.current(folder) or not SentenceVectors.present(folder):
            return True
        manifest = read_json(paths.build_dir(build_id) / "manifest.json", {}) or {}
        return "injection" not in manifest.get("fingerprint", {})

    def is_current(self) -> bool:
        return IndexPaths(self.settings.index_dir).current_id() == self.build_id

    def dense(self, query: str, k: int, where: dict[str, Any] | None = None,
              vector: list[float] | None = None, language: str | None = None) -> list[Hit]:
        """The ``k`` nearest passages, of one ``language`` (its own collection) or of all, by cosine similarity:
        exactly in memory for a small collection without ``where``, else by Chroma."""
        vec = vector if vector is not None else self.embeddings.embed_query(query)
        hits: list[Hit] = []
        for lang, collection in self._collections.items():
            if language and lang != language:
                continue
            exact = self._exact.get(lang) if where is None else None
            if exact is not None:
                hits += [Hit(position, score) for position, score in exact.top(vec, k)]
                continue
            with self._lock:  # Chroma's embedded client is not documented as thread-safe for queries
                result = collection.query(query_embeddings=[vec], n_results=max(1, min(k, self._sizes[lang])),
                                          where=where, include=["distances"])
            ids, distances = result["ids"][0], result["distances"][0]
            hits += [Hit(self.positions[i], 1.0 - float(d)) for i, d in zip(ids, distances, strict=True)
                     if i in self.positions]
        return sorted(hits, key=lambda h: -h.score)[:k]

    def sentence_dense(self, vector: Sequence[float], k: int, language: str) -> list[Hit]:
        """The ``k`` passages of ``language`` whose nearest sentence is nearest the question ([] for a build
        without sentence vectors, or with more than index.sentence_search_max)."""
        if self.nearest_sentences is None:
            return []
        return [Hit(position, score) for position, score in self.nearest_sentences.top(vector, k, language)]

    def _query_vector(self, text: str) -> tuple[float, ...]:
        return tuple(self.embeddings.embed_query(text))

    def _one_passage_vector(self, text: str) -> tuple[float, ...]:
        return tuple(self.embeddings.embed_documents([text])[0])

    def similarity(self, query: str, passages: Sequence[str]) -> list[float]:
        """Cosine similarity of the question to each passage (a sentence, usually): the embedder's view of
        whether it answers, which reads paraphrase and the other language that word matching misses."""
        question = np.asarray(self.query_vector(query), dtype=np.float32)
        question /= float(np.linalg.norm(question)) or 1.0
        stored = self.sentence_vectors
        out = []
        for text in passages:
            vector = stored.get(text) if stored is not None else None
            if vector is None:  # not a sentence of the build (or a build made before they were embedded)
                vector = np.asarray(self._passage_vector(text), dtype=np.float32)
                vector /= float(np.linalg.norm(vector)) or 1.0
            out.append(float(question @ vector))
        return out

    def _expand(self, query: str) -> Expansion:
        limits = self.settings.retrieval
        # tokens() hands out its cached tuple: new sequences are built from it, never the cached one extended.
        terms = query_terms(self.tokenizer.tokens(query), limits.max_query_terms)
        synonyms = {t: tuple(dict.fromkeys(part for syn in self.lexicon.synonyms.get(t, ())
                                           for part in self.tokenizer.tokens(syn)))
                    for t in terms if t in self.lexicon.synonyms}
        found = self.bilingual.translate(to_simplified(query), terms, self.lexical.vocab, CANDIDATE_SENSES)
        return Expansion(terms, MappingProxyType(synonyms), MappingProxyType(self._in_context(found)))

    def _in_context(self, found: Mapping[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        """A word's dictionary senses ranked by the company they keep in the corpus: a sense found in passages
        with the other words' senses is the one meant ("charge" beside "demand" and "kV": 电费, not 主管). The
        dictionary's order decides among equals; MAX_PER_WORD are kept."""
        lexical = self.lexical
        if len(found) < 2:
            return {word: senses[:MAX_PER_WORD] for word, senses in found.items()}
        passages = {word: set().union(*(lexical.passages_of(t) for t in senses)) for word, senses in found.items()}
        out: dict[str, tuple[str, ...]] = {}
        for word, senses in found.items():
            others = [p for w, p in passages.items() if w != word and p]
            # The share of a sense's passages that hold another word's senses: a common word (使用) is found beside
            # anything, a sense meant here mostly beside the question's other words.
            company = {t: sum(len(lexical.passages_of(t) & p) / (len(lexical.passages_of(t)) or 1) for p in others)
                       for t in senses}
            out[word] = tuple(sorted(senses, key=lambda t: -company[t])[:MAX_PER_WORD])
        return out

    def lexical_search(self, query: str, k: int) -> list[Hit]:
        limits = self.settings.retrieval
        expansion = self.expand(query)
        terms = expansion.terms
        extra = (s for t in terms for s in expansion.synonyms.get(t, ()))
        synonyms = tuple(islice(dict.fromkeys(s for s in extra if s not in terms), limits.max_expansion_terms))
        foreign = (s for t in terms for s in expansion.translations.get(t, ()))
        translated = tuple(islice(dict.fromkeys(s for s in foreign if s not in terms and s not in synonyms),
                                  limits.max_expansion_terms))
        weights = dict.fromkeys(translated, limits.translation_weight)
        return [Hit(i, s) for i, s in self.lexical.top(terms + synonyms + translated, k, weights)]

    def lead_in(self, chunk: Chunk) -> str:
        """The text of the passage before ``chunk`` in its document when both sit under the same heading (a list
        cut from the paragraph introducing it: "The results for 2025:"); "" otherwise."""
        position = self.positions.get(chunk.chunk_id, 0)
        if position == 0:
            return ""
        previous = self.chunks[position - 1]
        same = previous.doc_id == chunk.doc_id and bool(previous.heading) and chunk.heading.startswith(previous.heading)
        return previous.text if same and not chunk.row_id else ""

    def twin(self, position: int, language: str) -> int | None:
        """The position of a listing row's rendering in ``language`` (rows are indexed in zh and en)."""
        chunk = self.chunks[position]
        return self._twins.get((chunk.doc_id, chunk.row_id, language)) if chunk.row_id else None

    def files(self) -> list[dict[str, Any]]:
        """The manifest's file records, copied: the served manifest is shared and must not change under it."""
        return copy.deepcopy(list(self.manifest.get("files", [])))
