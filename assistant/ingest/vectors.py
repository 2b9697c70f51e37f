"""The Chroma side of a build: one collection per passage language, each chunk stored with its metadata."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from assistant.documents import Chunk
from assistant.index import collection_name

_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


def write_vectors(client: Any, build_id: str, chunks: Sequence[Chunk], vectors: Sequence[Sequence[float]],
                  on_batch: Callable[[int, int], None] | None = None) -> None:
    """Store ``chunks`` and their ``vectors`` in ``client``, one collection per language (dense search runs per
    language); ``on_batch(written, total)`` after each batch."""
    step = max(1, min(1000, client.get_max_batch_size()))
    written = 0
    for language in sorted({c.language for c in chunks}):
        collection = client.create_collection(collection_name(build_id, language),
                                              configuration={"hnsw": {"space": "cosine"}})
        mine = [i for i, c in enumerate(chunks) if c.language == language]
        for start in range(0, len(mine), step):
            part = mine[start:start + step]
            collection.add(ids=[chunks[i].chunk_id for i in part], embeddings=[list(vectors[i]) for i in part],
                           documents=[chunks[i].text for i in part],
                           metadatas=[chroma_metadata(chunks[i]) for i in part])
            written += len(part)
            if on_batch:
                on_batch(written, len(chunks))


def chroma_metadata(chunk: Chunk) -> dict[str, str | int | bool]:
    """Chunk metadata plus integer dates, since Chroma compares only numbers with $lte / $gte."""
    meta = chunk.to_metadata()
    meta["effective_int"] = _date_int(chunk.effective, 0)
    meta["expires_int"] = _date_int(chunk.expires, 99991231)
    return meta


def _date_int(value: str, default: int) -> int:
    """'2026-08-01' -> 20260801. A malformed date (reported as a metadata warning) counts as absent
    rather than failing the whole build."""
    match = _ISO_DATE.match(value)
    return int("".join(match.groups())) if match else default
