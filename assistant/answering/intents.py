"""Intents from examples: a question is also routed by its nearest labelled example phrasings (the lexicon's
``intent_examples``), embedded once with the bundled model. The router's patterns stay the fast first pass;
the examples catch phrasings no pattern lists ("could somebody on your team ring me"), and staff teach a new
phrasing by adding an example, not code."""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

Embed = Callable[[str], Sequence[float]]


@dataclass(frozen=True)
class Nearest:
    intent: str  # the intent its nearest examples vote for
    similarity: float  # cosine similarity of the closest example of that intent


class IntentExamples:
    def __init__(self, examples: Mapping[str, Sequence[str]], embed: Embed, k: int = 5) -> None:
        self.examples = {intent: tuple(phrases) for intent, phrases in examples.items() if phrases}
        self.embed = embed
        self.k = k
        self._matrix: np.ndarray | None = None
        self._labels: list[str] = []
        self._lock = threading.Lock()

    def _vectors(self) -> np.ndarray:
        # Embedded on first use, not at start-up: a hundred phrases take a few seconds on one core.
        with self._lock:
            if self._matrix is None:
                labels, rows = [], []
                for intent, phrases in self.examples.items():
                    for phrase in phrases:
                        labels.append(intent)
                        rows.append(_unit(np.asarray(self.embed(phrase), dtype=np.float32)))
                self._labels = labels
                self._matrix = np.vstack(rows) if rows else np.zeros((0, 1), dtype=np.float32)
            return self._matrix

    def nearest(self, vector: Sequence[float]) -> Nearest | None:
        """The intent the ``k`` nearest examples vote for (votes weighted by similarity), or None without
        examples."""
        if not self.examples:
            return None
        matrix = self._vectors()
        sims = matrix @ _unit(np.asarray(vector, dtype=np.float32))
        top = np.argsort(-sims)[: self.k]
        votes: dict[str, float] = defaultdict(float)
        best: dict[str, float] = {}
        for i in top:
            label = self._labels[int(i)]
            votes[label] += float(sims[i])
            best[label] = max(best.get(label, -1.0), float(sims[i]))
        intent = max(votes, key=lambda label: votes[label])
        return Nearest(intent, best[intent])


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector
