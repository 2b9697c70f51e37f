"""Exact nearest passages over a build's vectors held in memory: for a collection of a few thousand passages one
matrix-vector product (0.02 ms for the sample's 409 of 384 dimensions, 0.8 ms for 5,000 of 1,024) costs far less
than a query through Chroma's HNSW index (about 1.4 ms of CPU at any size, 0.7 of it in Chroma's own threads,
which a second web worker then competes with), and it is exact where HNSW is approximate."""

from __future__ import annotations

from typing import Any

import numpy as np


class ExactVectors:
    def __init__(self, vectors: np.ndarray, positions: np.ndarray) -> None:
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        self.unit = (vectors / np.where(norms == 0, 1.0, norms)).astype(np.float32)
        self.positions = positions  # the chunk position of each row

    @classmethod
    def from_collection(cls, collection: Any, positions: dict[str, int]) -> ExactVectors:
        """The vectors of ``collection`` (Chroma, embedded or server) whose ids are chunks of the build."""
        got = collection.get(include=["embeddings"])
        rows = [(i, positions[chunk_id]) for i, chunk_id in enumerate(got["ids"]) if chunk_id in positions]
        vectors = np.asarray(got["embeddings"], dtype=np.float32)
        if not rows:
            return cls(np.zeros((0, vectors.shape[1] if vectors.ndim == 2 else 1), np.float32), np.zeros(0, np.int64))
        return cls(vectors[[i for i, _ in rows]], np.asarray([p for _, p in rows], dtype=np.int64))

    def __len__(self) -> int:
        return len(self.positions)

    def top(self, vector: list[float] | tuple[float, ...], k: int) -> list[tuple[int, float]]:
        """The ``k`` most similar rows as (chunk position, cosine similarity), best first; ties by position."""
        if not len(self) or k <= 0:
            return []
        query = np.asarray(vector, dtype=np.float32)
        scores = self.unit @ (query / (float(np.linalg.norm(query)) or 1.0))
        picked = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
        order = picked[np.lexsort((self.positions[picked], -scores[picked]))]
        return [(int(self.positions[i]), float(scores[i])) for i in order]
