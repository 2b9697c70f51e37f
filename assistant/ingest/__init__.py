"""Corpus folder to index build: loaders, chunking, the validation report, the builder and its CLI, the staged
changes of the staff console, and the detector of sentences addressed to an AI."""

from __future__ import annotations

from assistant.ingest.builder import BuildCancelled, BuildReport, IndexBuilder, index_text
from assistant.ingest.changes import CorpusChanges
from assistant.ingest.check import check_corpus
from assistant.ingest.injection import InjectionDetector, normalise
from assistant.ingest.loaders import LoaderError, discover, doc_id_for, load_file
from assistant.ingest.loaders.metadata import english_title, split_front_matter
from assistant.ingest.staging import (
    ChangeSet,
    StagingArea,
    StagingError,
    StaleStage,
    UnsafePath,
    checked_doc_id,
    staged_report,
)
from assistant.ingest.vectors import chroma_metadata, write_vectors

__all__ = ["BuildCancelled", "BuildReport", "ChangeSet", "CorpusChanges", "IndexBuilder", "InjectionDetector",
           "LoaderError", "StaleStage", "StagingArea", "StagingError", "UnsafePath", "check_corpus",
           "checked_doc_id", "chroma_metadata", "discover", "doc_id_for", "english_title", "index_text", "load_file",
           "normalise", "split_front_matter", "staged_report", "write_vectors"]
