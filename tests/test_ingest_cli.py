"""``python ingest.py`` as staff run it: a real process, a small corpus, the fake embedder."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CORPUS, ROOT

FILES = ("policies/gy-tax-policy-guide.md", "policies/park-p01-gy-etdz.md", "listings/factories.csv",
         "rules/land.yaml")


def _ingest(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "ingest.py", *map(str, args)], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    for name in FILES:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(CORPUS / name, root / name)
    return root


def test_ingest_json_and_rerun(small_corpus: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = _ingest(small_corpus, "--data-dir", data, "--embedder", "fake", "--quiet")
    assert first.returncode == 0, first.stderr
    summary = first.stdout.strip().splitlines()[0]
    assert summary.startswith("4 files (4 indexed, 0 skipped), ") and "up to date" not in summary
    chunks = int(summary.split(", ")[2].split()[0])
    embedded = int(summary.split(", ")[3].split()[0])  # the passages, and the sentences an answer may quote
    assert chunks > 30 and embedded > chunks and "newly embedded" in summary
    assert first.stderr.strip() == ""  # --quiet: no progress bars

    # A file the loaders cannot read: the JSON summary lists it, with status and reason.
    (small_corpus / "policies" / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    second = _ingest(small_corpus, "--data-dir", data, "--embedder", "fake", "--quiet", "--json")
    assert second.returncode == 0, second.stderr
    report = json.loads(second.stdout)
    assert report["changed"] is True and report["chunks"] == chunks and report["embedded"] == 0
    assert [f["doc_id"] for f in report["skipped"]] == ["policies/photo.png"]
    assert report["skipped"][0]["status"] == "unsupported" and "png" in report["skipped"][0]["reason"]
    assert sorted(f["doc_id"] for f in report["files"] if f["status"] == "indexed") == sorted(FILES)
    build_id = (data / "index" / "CURRENT").read_text(encoding="utf-8")
    assert build_id == report["build_id"] and (data / "index" / "builds" / build_id / "COMPLETE").exists()

    third = _ingest(small_corpus, "--data-dir", data, "--embedder", "fake", "--quiet")
    assert third.returncode == 0, third.stderr
    assert third.stdout.startswith("index is up to date: 5 files (4 indexed, 1 skipped)")
    assert "0 newly embedded, 5 files unchanged" in third.stdout
    assert "skipped policies/photo.png: [unsupported]" in third.stdout
    assert (data / "index" / "CURRENT").read_text(encoding="utf-8") == build_id

    fourth = _ingest(small_corpus, "--data-dir", data, "--embedder", "fake", "--quiet", "--rebuild")
    assert fourth.returncode == 0, fourth.stderr
    assert fourth.stdout.startswith("5 files (4 indexed, 1 skipped)") and "0 files unchanged" in fourth.stdout
    assert (data / "index" / "CURRENT").read_text(encoding="utf-8") != build_id


def test_missing_folder_exits_2_with_a_clear_error(tmp_path: Path) -> None:
    result = _ingest(tmp_path / "no-such-folder", "--data-dir", tmp_path / "data", "--embedder", "fake", "--quiet")
    assert result.returncode == 2
    assert result.stderr.startswith("error: corpus folder not found:") and "no-such-folder" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert not (tmp_path / "data" / "index" / "CURRENT").exists()
