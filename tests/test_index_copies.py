"""Several web workers on embedded Chroma: each searches its own copy of the served build's vectors."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from assistant.index.embeddings import HashEmbeddings
from assistant.index.search import SearchIndex
from assistant.ingest.builder import IndexBuilder
from assistant.settings import Settings
from tests.conftest import CORPUS

FILES = ("policies/gy-tax-policy-guide.md", "listings/parks.csv")


def _settings(tmp_path: Path, copy: bool) -> Settings:
    corpus = tmp_path / "corpus"
    for name in FILES:
        if not (corpus / name).exists():
            (corpus / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(CORPUS / name, corpus / name)
    return Settings(corpus_dir=corpus, data_dir=tmp_path / "data", embeddings={"backend": "fake"},
                    index={"chroma_copy": copy})


def test_each_process_searches_its_own_copy(tmp_path: Path) -> None:
    settings = _settings(tmp_path, copy=True)
    first = IndexBuilder(settings, embeddings=HashEmbeddings(64)).build()
    replicas = settings.index_dir / "replicas"
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = replicas / f"{first.build_id}.{gone.stdout.strip()}"  # the copy of a worker that has exited
    shutil.copytree(settings.index_dir / "builds" / str(first.build_id) / "chroma", dead)

    index = SearchIndex.open(settings, HashEmbeddings(64))
    mine = replicas / f"{first.build_id}.{os.getpid()}"
    assert mine.is_dir() and not dead.exists()
    chunk = index.chunks[3]
    assert index.chunks[index.dense(chunk.text, 1)[0].position].chunk_id == chunk.chunk_id

    # A new build: its own copy; the old one stays while it may still be read, and goes with the next.
    (settings.corpus_dir / FILES[0]).write_text("# 新文件\n\n第一条　副本测试条款。\n", encoding="utf-8")
    second = IndexBuilder(settings, embeddings=HashEmbeddings(64)).build()
    assert not index.is_current()
    index = SearchIndex.open(settings, HashEmbeddings(64))
    assert (replicas / f"{second.build_id}.{os.getpid()}").is_dir() and mine.is_dir()
    assert "副本测试条款" in index.chunks[index.dense("第一条　副本测试条款。", 1)[0].position].text


def test_without_copies_the_build_folder_is_searched(tmp_path: Path) -> None:
    settings = _settings(tmp_path, copy=False)
    IndexBuilder(settings, embeddings=HashEmbeddings(64)).build()
    SearchIndex.open(settings, HashEmbeddings(64))
    assert not (settings.index_dir / "replicas").exists()
