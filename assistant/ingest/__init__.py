"""Corpus folder to index build: loaders, chunking, the validation report, the builder and its CLI."""

from __future__ import annotations

from assistant.ingest.builder import BuildReport, IndexBuilder, chroma_metadata, index_text
from assistant.ingest.check import check_corpus
from assistant.ingest.loaders import LoaderError, discover, doc_id_for, load_file

__all__ = ["BuildReport", "IndexBuilder", "LoaderError", "check_corpus", "chroma_metadata", "discover", "doc_id_for", "index_text", "load_file"]
