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


class NearestSentences:
    """Passages ranked by their nearest sentence to the question. A passage's own vector blends all it says, so a
    question about one figure in a long passage (or a question in the other language, where the blend drifts
    further) can miss it; its best sentence does not. Held as float32 per language for one matrix-vector product
    a question (float16 products are some thirty times slower in numpy)."""

    def __init__(self, vectors: SentenceVectors, chunks: Sequence[Chunk]) -> None:
        owners: dict[str, tuple[list[int], list[int]]] = {}
        for position, chunk in enumerate(chunks):
            rows, positions = owners.setdefault(chunk.language, ([], []))
            for text in dict.fromkeys(sentences(chunk.text)):
                row = vectors.row.get(text)
                if row is not None:
                    rows.append(row)
                    positions.append(position)
        self._by_language = {lang: (vectors.unit[np.asarray(rows, dtype=np.int64)].astype(np.float32),
                                    np.asarray(positions, dtype=np.int64))
                             for lang, (rows, positions) in owners.items() if rows}

    def __len__(self) -> int:
        return sum(len(p) for _, p in self._by_language.values())

    def top(self, vector: Sequence[float], k: int, language: str) -> list[tuple[int, float]]:
        """The ``k`` passages of ``language`` whose best sentence is nearest, as (chunk position, similarity)."""
        held = self._by_language.get(language)
        if held is None or k <= 0:
            return []
        unit, positions = held
        query = np.asarray(vector, dtype=np.float32)
        scores = unit @ (query / (float(np.linalg.norm(query)) or 1.0))
        # Passages hold several sentences each: the best 8k rows nearly always span k passages; else all rows.
        for take in (8 * k, len(scores)):
            rows = np.argpartition(-scores, take - 1)[:take] if take < len(scores) else np.arange(len(scores))
            rows = rows[np.lexsort((positions[rows], -scores[rows]))]
            out: dict[int, float] = {}
            for i in rows:
                out.setdefault(int(positions[i]), float(scores[i]))
                if len(out) >= k:
                    return list(out.items())
            if take >= len(scores):
                break
        return list(out.items())
