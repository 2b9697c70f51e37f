"""Where the corpus is: always the settings' ``corpus_dir``, never the folder a build was made from, and never
reached through a symbolic link leading out of it.

A data folder copied elsewhere with its corpus and opened with settings naming the new place serves, uploads
into (at publish) and re-indexes the new corpus (over real HTTP), while the original is changed under it so that any
reach back shows. Links out of the corpus are reported as skipped by ingest and ``--check``; links inside it
are followed."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from assistant.answering.service import ChatService
from assistant.index.embeddings import HashEmbeddings
from assistant.index.search import SearchIndex
from assistant.index.store import IndexPaths, read_json
from assistant.ingest.builder import IndexBuilder
from assistant.ingest.check import check_corpus
from assistant.ingest.loaders import OUTSIDE, discover
from assistant.settings import Settings
from assistant.web.api import create_app
from assistant.web.store import Store
from tests.conftest import CORPUS
from tests.pdf_factory import text_pdf
from tests.web_serving import serve_app, wait_for_reindex

TOKEN = "corpus-location-token-81f2"
TAX = "policies/gy-tax-policy-guide.md"
FILES = ("listings/parks.csv", TAX)
UPLOAD = "# 搬迁后的上传说明\n\n搬迁后的数据目录上传的文件保存在新的语料目录中。\n"


def _settings(root: Path) -> Settings:
    return Settings(corpus_dir=root / "corpus", data_dir=root / "data", embeddings={"backend": "fake"},
                    staff={"token": TOKEN}, web={"rate_limit": {"enabled": False}})


def _manifest(settings: Settings) -> dict:
    paths = IndexPaths(settings.index_dir)
    return read_json(paths.build_dir(paths.current_id()) / "manifest.json", {})


@pytest.fixture
def moved(tmp_path: Path) -> tuple[Path, Path]:
    """(the original folder, its copy): corpus and data built in the first, copied to the second, and the
    original's files then changed, so whatever is served from it would differ."""
    first, second = tmp_path / "first", tmp_path / "second"
    for name in FILES:
        (first / "corpus" / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(CORPUS / name, first / "corpus" / name)
    IndexBuilder(_settings(first)).build()
    shutil.copytree(first, second)
    (first / "corpus" / TAX).write_text("# 旧位置\n\n这是原来位置的文件，不应再被读取。\n", encoding="utf-8")
    return first, second


def test_manifest_records_no_absolute_corpus_path(moved: tuple[Path, Path]) -> None:
    first, _ = moved
    manifest = _manifest(_settings(first))
    assert manifest["corpus"] == "../corpus" and str(first) not in json.dumps(manifest, ensure_ascii=False)


def test_moved_data_folder_serves_uploads_and_reindexes_its_new_corpus(moved: tuple[Path, Path]) -> None:
    first, second = moved
    settings = _settings(second)
    service = ChatService.from_settings(settings)
    store = Store.from_settings(settings)
    try:
        with serve_app(create_app(settings, service, store=store, ui=False)) as base, \
                httpx.Client(base_url=base, timeout=60) as client:
            served = client.get(f"/sources/{TAX}?raw=1")
            assert served.status_code == 200 and served.content == (second / "corpus" / TAX).read_bytes()
            assert "原来位置" not in served.text

            assert client.post("/staff/login", data={"token": TOKEN}).status_code == 303
            runs = client.get("/staff/api/reindex").json()["runs"]
            r = client.post("/staff/api/upload", files={"file": ("moved.md", UPLOAD.encode(), "text/markdown")})
            assert r.status_code == 202 and r.json()["doc_id"] == "uploads/moved.md", r.text
            job = wait_for_reindex(client, runs + 1)
            assert job["state"] == "done" and job["doc_status"] == "indexed", job
            assert client.post("/staff/api/publish").status_code == 200

            assert (second / "corpus" / "uploads" / "moved.md").read_text(encoding="utf-8") == UPLOAD
            assert not (first / "corpus" / "uploads").exists()
            files = {f["doc_id"]: f for f in _manifest(settings)["files"]}
            assert files[TAX]["status"] == "indexed" and files["uploads/moved.md"]["status"] == "indexed"
            # The re-index read the new corpus: the original's changed text is in no chunk.
            assert not any("原来位置" in c.text for c in service.index.chunks)
            assert any("搬迁后" in c.text for c in service.index.chunks)
            uploaded = client.get("/sources/uploads/moved.md?raw=1")
            assert uploaded.status_code == 200 and uploaded.text == UPLOAD
    finally:
        store.close()



# ---- symbolic links ----
SECRET = "外部机密文件的内容不应进入索引。"


@pytest.fixture
def linked(tmp_path: Path) -> Iterator[Path]:
    """A corpus with links: to a file and a folder outside it, to a file and a folder inside it, a PDF whose
    sidecar leads outside, and a link back to the corpus root (a loop)."""
    outside = tmp_path / "outside"
    (outside / "folder").mkdir(parents=True)
    (outside / "secret.md").write_text(f"# 机密\n\n{SECRET}\n", encoding="utf-8")
    (outside / "folder" / "more.md").write_text(f"# 更多机密\n\n{SECRET}\n", encoding="utf-8")
    (outside / "scan.meta.yaml").write_text("title: 外部元数据\n", encoding="utf-8")
    root = tmp_path / "corpus"
    (root / "policies").mkdir(parents=True)
    shutil.copy2(CORPUS / TAX, root / TAX)
    (root / "policies" / "secret.md").symlink_to(outside / "secret.md")
    (root / "shared").symlink_to(outside / "folder", target_is_directory=True)
    (root / "tax-again.md").symlink_to(root / TAX)
    (root / "policies-too").symlink_to(Path("policies"), target_is_directory=True)
    (root / "loop").symlink_to(Path("."), target_is_directory=True)
    text_pdf(root / "scan.pdf", [["Article 1. These measures apply to investment projects in Guiyang."]])
    (root / "scan.meta.yaml").symlink_to(outside / "scan.meta.yaml")
    yield root


# policies-too/ is policies/ again, its link out included.
EXPECTED_OUTSIDE = {"policies/secret.md", "policies-too/secret.md", "shared", "scan.pdf"}


def test_links_out_of_the_corpus_are_skipped_and_reported(linked: Path, tmp_path: Path) -> None:
    settings = Settings(corpus_dir=linked, data_dir=tmp_path / "data", embeddings={"backend": "fake"})
    report = IndexBuilder(settings, embeddings=HashEmbeddings(64)).build()
    status = {f.doc_id: f.status for f in report.files}
    assert {d for d, s in status.items() if s == OUTSIDE} == EXPECTED_OUTSIDE
    assert all("outside the corpus folder" in f.reason for f in report.skipped)
    # Links that stay inside are followed like the files they point to; the loop is walked once.
    assert status[TAX] == status["tax-again.md"] == status[f"policies-too/{TAX.split('/')[1]}"] == "indexed"
    assert not any(d.startswith("loop/") for d in status)
    summary = report.summary()
    assert "skipped policies/secret.md: [outside_corpus]" in summary and "skipped shared: [outside_corpus]" in summary
    index = SearchIndex.open(settings, HashEmbeddings(64))
    assert not any(SECRET in c.text or "外部元数据" in c.title for c in index.chunks)
    # Unchanged links: the next run finds nothing to do.
    again = IndexBuilder(settings, embeddings=HashEmbeddings(64)).build()
    assert not again.changed and {f.doc_id for f in again.skipped} == EXPECTED_OUTSIDE


def test_check_warns_of_links_out_of_the_corpus(linked: Path) -> None:
    report = check_corpus(linked)
    outside = [w for w in report.warnings if "[outside_corpus]" in w]
    assert sorted(w.split(":", 1)[0] for w in outside) == sorted(EXPECTED_OUTSIDE)


def test_discover_without_a_report_still_leaves_the_links_out(linked: Path) -> None:
    found = {p.relative_to(linked).as_posix() for p in discover(linked)}
    assert not found & EXPECTED_OUTSIDE and not any(d.startswith("shared/") for d in found)
    assert {TAX, "tax-again.md"} <= found
