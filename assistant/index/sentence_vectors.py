"""The vector of every sentence an answer may quote, computed once when the index is built: sentence choice asks
the embedder how near each candidate is to the question (a paraphrase, the other language), and embedding the
candidates while the visitor waits would cost tens of milliseconds a sentence."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from assistant.documents import Chunk
from assistant.sentences import sentences

VECTORS_FILE = "sentences.npy"
TEXTS_FILE = "sentences.json"


def quoted_sentences(chunks: Iterable[Chunk]) -> list[str]:
    """Every sentence of the chunks as the composer cuts them, each once, in order."""
    return list(dict.fromkeys(s for chunk in chunks for s in sentences(chunk.text)))


class SentenceVectors:
    def __init__(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        norms = np.linalg.norm(vectors, axis=1, keepdims=True) if len(vectors) else np.ones((0, 1))
        # Half precision: a city's corpus of 100,000 sentences holds 77 MB per worker instead of 154.
        self.unit = (vectors / np.where(norms == 0, 1.0, norms)).astype(np.float16)
        self.row = {text: i for i, text in enumerate(texts)}

    @staticmethod
    def present(folder: Path) -> bool:
        return (folder / VECTORS_FILE).is_file() and (folder / TEXTS_FILE).is_file()

    @classmethod
    def load(cls, folder: Path) -> SentenceVectors | None:
        """The build's sentence vectors, or None for a build made before they were written."""
        if not cls.present(folder):
            return None
        return cls(json.loads((folder / TEXTS_FILE).read_text(encoding="utf-8")), np.load(folder / VECTORS_FILE))

    @staticmethod
    def write(folder: Path, texts: Sequence[str], vectors: Sequence[Sequence[float]]) -> None:
        np.save(folder / VECTORS_FILE, np.asarray(vectors, dtype=np.float16).reshape(len(texts), -1))
        (folder / TEXTS_FILE).write_text(json.dumps(list(texts), ensure_ascii=False), encoding="utf-8")

    def get(self, text: str) -> np.ndarray | None:
        """The unit vector of a sentence of the build (float32), None for any other text."""
        row = self.row.get(text)
        return None if row is None else self.unit[row].astype(np.float32)
