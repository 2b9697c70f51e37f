"""Shared fixtures: every test gets its own data folder; nothing reads the developer's environment."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from assistant.embeddings import HashEmbeddings
from assistant.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
FACTS = ROOT.parent / "shared" / "domain" / "facts.md"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith("ZST_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("OMP_NUM_THREADS", "1")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(corpus_dir=CORPUS, data_dir=tmp_path / "data", embeddings={"backend": "fake"})


@pytest.fixture
def fake_embeddings() -> HashEmbeddings:
    return HashEmbeddings(64)


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A private copy of the sample corpus that a test may change."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target
