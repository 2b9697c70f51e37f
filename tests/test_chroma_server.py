"""Index builds against a real Chroma server on loopback (``chroma run``), as in a server deployment."""

from __future__ import annotations

import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import chromadb
import pytest

from assistant.index.embeddings import HashEmbeddings
from assistant.index.search import SearchIndex
from assistant.index.store import collection_name
from assistant.ingest.builder import IndexBuilder
from assistant.settings import Settings
from tests.conftest import CORPUS, ROOT
from tests.web_serving import free_port

pytestmark = pytest.mark.slow

FILES = ("policies/gy-tax-policy-guide.md", "policies/gz-td-tariff-2026-421.pdf",
         "policies/gz-td-tariff-2026-421.meta.yaml", "listings/factories.csv")



def _wait_for_heartbeat(port: int, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"chroma server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"no chroma heartbeat on port {port} after {timeout:.0f} s")


def _chroma_binary() -> str:
    found = ROOT / ".venv" / "bin" / "chroma"
    return str(found) if found.exists() else (shutil.which("chroma") or pytest.skip("chroma CLI not installed"))


def test_build_and_search_through_a_chroma_server(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    for name in FILES:
        (corpus / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(CORPUS / name, corpus / name)
    port = free_port()
    log = open(tmp_path / "chroma.log", "wb")  # noqa: SIM115 - closed in finally, after the server
    proc = subprocess.Popen([_chroma_binary(), "run", "--path", str(tmp_path / "chroma-server"),
                             "--host", "127.0.0.1", "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_for_heartbeat(port, proc)
        settings = Settings(corpus_dir=corpus, data_dir=tmp_path / "data", embeddings={"backend": "fake"},
                            index={"chroma_mode": "server", "chroma_host": "127.0.0.1", "chroma_port": port,
                                   "keep_builds": 1})
        first = IndexBuilder(settings, embeddings=HashEmbeddings(64)).build()
        assert first.changed and not first.skipped and first.chunks > 20
        # the vectors live on the server, not in the build folder
        assert not (settings.index_dir / "builds" / str(first.build_id) / "chroma").exists()

        index = SearchIndex.open(settings, HashEmbeddings(64))
        fifth = next(c for c in index.chunks if c.article == "第五条" and c.doc_id.endswith(".pdf"))
        hits = index.dense(fifth.text, 3)
        assert hits and index.chunks[hits[0].position].chunk_id == fifth.chunk_id
        assert "0.1238" in index.chunks[hits[0].position].text

        client = chromadb.HttpClient(host="127.0.0.1", port=port)
        assert sum(client.get_collection(collection_name(first.build_id, lang)).count()
                   for lang in index.languages) == len(index.chunks)

        # A new build replaces the served one; with keep_builds=1 the old collection is dropped on the server.
        (corpus / FILES[0]).write_text((CORPUS / FILES[0]).read_text(encoding="utf-8") + "\n第十一条　服务器模式测试条款。\n",
                                       encoding="utf-8")
        second = IndexBuilder(settings, embeddings=HashEmbeddings(64)).build()
        names = {c.name for c in client.list_collections()}
        assert collection_name(second.build_id, "zh") in names
        assert not any(name.startswith(f"zst-{first.build_id}-") for name in names)
        index = SearchIndex.open(settings, HashEmbeddings(64))
        assert index.build_id == second.build_id
        top = index.dense("第十一条　服务器模式测试条款。", 3)[0]
        assert "服务器模式测试条款" in index.chunks[top.position].text
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
