"""Read side of an index build: the served chunks, their vectors in Chroma, BM25, structured tables."""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass
from itertools import islice
from typing import Any

from langchain_core.embeddings import Embeddings

from assistant.documents import Chunk
from assistant.index.lexical import LexicalIndex, Tokenizer, query_terms
from assistant.index.store import IndexPaths, chroma_client, collection_name, read_chunks, read_json
from assistant.lexicon import LEXICON_JSON, Lexicon, lexicon_from_json
from assistant.settings import Settings


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
        self._client = chroma_client(settings.index, folder)
        self._collection = self._client.get_collection(collection_name(build_id))
        self._lock = threading.Lock()

    @classmethod
    def open(cls, settings: Settings, embeddings: Embeddings) -> SearchIndex:
        build_id = IndexPaths(settings.index_dir).current_id()
        if build_id is None:
            raise IndexNotFound(f"no index in {settings.index_dir}: run `python ingest.py` first")
        return cls(settings, build_id, embeddings)

    @staticmethod
    def needs_build(settings: Settings) -> bool:
        """No served build yet, or one made before builds carried their lexicon (a re-ingest reuses its files) or
        before they were screened for sentences addressed to an AI (their fingerprint names the patterns)."""
        paths = IndexPaths(settings.index_dir)
        build_id = paths.current_id()
        if build_id is None or not (paths.build_dir(build_id) / LEXICON_JSON).is_file():
            return True
        manifest = read_json(paths.build_dir(build_id) / "manifest.json", {}) or {}
        return "injection" not in manifest.get("fingerprint", {})

    def is_current(self) -> bool:
        return IndexPaths(self.settings.index_dir).current_id() == self.build_id

    def dense(self, query: str, k: int, where: dict[str, Any] | None = None,
              vector: list[float] | None = None) -> list[Hit]:
        vec = vector if vector is not None else self.embeddings.embed_query(query)
        with self._lock:  # Chroma's embedded client is not documented as thread-safe for queries
            result = self._collection.query(query_embeddings=[vec], n_results=min(k, len(self.chunks)) or 1,
                                            where=where, include=["distances"])
        ids, distances = result["ids"][0], result["distances"][0]
        return [Hit(self.positions[i], 1.0 - float(d)) for i, d in zip(ids, distances, strict=True)
                if i in self.positions]

    def lexical_search(self, query: str, k: int) -> list[Hit]:
        limits = self.settings.retrieval
        # tokens() hands out its cached tuple: a new sequence is built from it, never the cached one extended.
        terms = query_terms(self.tokenizer.tokens(query), limits.max_query_terms)
        synonyms = (part for t in terms for syn in self.lexicon.synonyms.get(t, ()) for part in self.tokenizer.tokens(syn))
        expansion = tuple(islice(dict.fromkeys(s for s in synonyms if s not in terms), limits.max_expansion_terms))
        return [Hit(i, s) for i, s in self.lexical.top(terms + expansion, k)]

    def files(self) -> list[dict[str, Any]]:
        """The manifest's file records, copied: the served manifest is shared and must not change under it."""
        return copy.deepcopy(list(self.manifest.get("files", [])))
