"""Embedders that fail inside an embedding pool's worker (tests/test_embed_pool.py). A module of their own,
light to import, since every spawned worker imports the module its factory comes from."""

from __future__ import annotations

import os

from assistant.index.embeddings import HashEmbeddings


class RaisingEmbeddings(HashEmbeddings):
    """Fails on the text it is told to, as a model error would."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if any("研发费用" in t for t in texts):
            raise ValueError("the model refused a passage")
        return super().embed_documents(texts)


class DyingEmbeddings(HashEmbeddings):
    """Ends its process in the middle of a batch, as a native crash or the OOM killer would."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if any("研发费用" in t for t in texts):
            os._exit(3)
        return super().embed_documents(texts)


def failing_to_load() -> HashEmbeddings:
    raise OSError("model file not found: /nowhere/e5.bin")
