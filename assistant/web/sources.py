"""The corpus files a citation may link to: only those the served index lists, inside the corpus folder of the
settings (``corpus_dir``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from assistant.chat_types import SourceRef

MEDIA_TYPES = {
    ".pdf": "application/pdf",
    # Plain text, not text/markdown or text/html: browsers show it inline and never render it as a page.
    ".md": "text/plain; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".csv": "text/plain; charset=utf-8",
    # Browsers cannot show Office files: the citation link downloads them.
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
PREFIX = "/sources/"


@dataclass(frozen=True)
class SourceFiles:
    root: Path
    doc_ids: frozenset[str]

    @classmethod
    def from_manifest(cls, manifest: dict[str, Any], corpus_dir: Path) -> SourceFiles:
        """The files the manifest lists, found in ``corpus_dir`` (settings): never where the build was made,
        so a data folder moved with its corpus, or opened with another one, serves what it is told to."""
        root = Path(corpus_dir).resolve()
        ids = frozenset(f["doc_id"] for f in manifest.get("files", [])
                        if f.get("status") == "indexed" and Path(f["doc_id"]).suffix.lower() in MEDIA_TYPES)
        return cls(root, ids)

    def resolve(self, doc_path: str) -> Path | None:
        """The file for ``doc_path``, or None: unlisted, outside the corpus folder (``..``, links) or gone."""
        if doc_path not in self.doc_ids:
            return None
        path = (self.root / doc_path).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            return None
        return path

    def url_for(self, source: SourceRef) -> str | None:
        if source.doc_id not in self.doc_ids:
            return None
        url = PREFIX + quote(source.doc_id)
        if source.doc_id.lower().endswith(".pdf") and source.page > 0:
            url += f"#page={source.page}"
        return url


def media_type(path: Path) -> str:
    return MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream")
