"""The English titles of the corpus's documents, for an English answer that quotes a Chinese one: read from each
document's metadata (``title_en``) on first use and kept per build, since a re-index may change them."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path


class EnglishTitles:
    def __init__(self, corpus_dir: Path) -> None:
        self.corpus_dir = corpus_dir
        self._known: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()

    def of(self, doc_ids: Iterable[str], build_id: str) -> dict[str, str]:
        """English title by doc_id, for those that have one."""
        out = {}
        for doc_id in dict.fromkeys(doc_ids):
            key = (build_id, doc_id)
            with self._lock:
                title = self._known.get(key)
            if title is None:
                title = self._read(doc_id)
                with self._lock:
                    if len(self._known) > 10_000:  # builds come and go: forget the old ones' titles
                        self._known.clear()
                    self._known[key] = title
            if title:
                out[doc_id] = title
        return out

    def _read(self, doc_id: str) -> str:
        from assistant.ingest import english_title  # the loaders' reader of front matter, sidecars and rule files

        path = (self.corpus_dir / doc_id).resolve()
        if not path.is_relative_to(self.corpus_dir.resolve()) or not path.is_file():
            return ""
        return english_title(path)
