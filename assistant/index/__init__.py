"""A built index, read side: embeddings, stored builds, BM25, hybrid retrieval."""

from __future__ import annotations

from assistant.index.bilingual import Bilingual
from assistant.index.bilingual import stem as english_stem
from assistant.index.embeddings import CachedEmbeddings, make_embeddings
from assistant.index.lexical import LexicalIndex, Tokenizer, query_terms
from assistant.index.pool import EmbeddingPool, EmbeddingWorkerError, worker_count
from assistant.index.retrieval import PLACE_PASSAGES, Filters, HybridRetriever, near_duplicate
from assistant.index.search import EmbedderMismatch, Expansion, Hit, IndexNotFound, SearchIndex, embedding_text
from assistant.index.sentence_vectors import SentenceVectors, quoted_sentences
from assistant.index.store import (
    IndexPaths,
    chroma_client,
    collection_name,
    new_build_id,
    read_chunks,
    read_json,
    remove_build,
    write_chunks,
    write_json,
)

__all__ = ["Bilingual", "CachedEmbeddings", "EmbedderMismatch", "EmbeddingPool", "EmbeddingWorkerError", "Expansion", "Filters", "Hit", "PLACE_PASSAGES", "HybridRetriever", "IndexNotFound", "IndexPaths", "LexicalIndex", "SearchIndex", "SentenceVectors", "Tokenizer", "chroma_client", "collection_name", "embedding_text", "english_stem", "make_embeddings", "near_duplicate", "new_build_id", "query_terms", "quoted_sentences", "read_chunks", "read_json", "remove_build", "worker_count", "write_chunks", "write_json"]
