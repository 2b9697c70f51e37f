"""Loaders fed random bytes and damaged copies of the real corpus files: each file either loads or raises a
LoaderError (NeedsOCR / Unreadable / Unsupported), never anything else; the index builder skips the damaged
ones with their reason and still indexes a good file beside them."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.documents import LoadedDocument
from assistant.index.store import IndexPaths, read_chunks
from assistant.ingest.builder import IndexBuilder
from assistant.ingest.chunking import chunk_blocks
from assistant.ingest.loaders import LoaderError, load_file
from assistant.settings import Settings
from tests.conftest import CORPUS
from tests.pdf_factory import image_only_pdf

FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
REAL = ["policies/gz-td-tariff-2026-421.pdf", "policies/gy-tax-policy-guide.md", "guide/investor-faq-en.md",
        "listings/parks.csv", "listings/factories.csv", "rules/tariffs.yaml", "rules/land.yaml",
        "rules/incentives.yaml", "policies/gz-td-tariff-2026-421.meta.yaml"]
SUFFIXES = [".pdf", ".md", ".txt", ".csv", ".yaml", ".yml", ".xlsx", ".docx"]
GOOD = "# 测试园区\n\n第一条　本园区标准厂房租金为每月每平方米18元。\n\n第二条　入驻企业可申请免租三年。\n"


def _load(path: Path, root: Path) -> LoadedDocument | LoaderError:
    """The loader's answer; any exception other than a LoaderError fails the test that calls this."""
    try:
        doc = load_file(path, root)
    except LoaderError as exc:
        assert str(exc), "a skip reason is shown to staff: it must say something"
        return exc
    assert isinstance(doc, LoadedDocument)
    chunk_blocks(doc.meta, doc.blocks, 360)  # what the builder does next must not fail either
    return doc


def _place(root: Path, rel: str, data: bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _cuts(size: int) -> list[int]:
    return sorted({0, 1, 7, size // 10, size // 3, size // 2, (size * 9) // 10, size - 1})


@pytest.mark.parametrize("rel", REAL)
def test_truncated_corpus_files_load_or_raise_a_loader_error(tmp_path: Path, rel: str) -> None:
    data = (CORPUS / rel).read_bytes()
    outcomes = []
    for cut in _cuts(len(data)):
        root = tmp_path / f"cut{cut}"
        if rel.endswith(".meta.yaml"):  # a damaged sidecar beside an intact PDF
            pdf = rel.removesuffix(".meta.yaml") + ".pdf"
            _place(root, pdf, (CORPUS / pdf).read_bytes())
            _place(root, rel, data[:cut])
            outcome = _load(root / pdf, root)
            assert cut > 0 or isinstance(outcome, LoadedDocument), "an empty sidecar is no sidecar"
        else:
            outcomes.append(_load(_place(root, rel, data[:cut]), root))
    # An empty file: refused, or a document with no text (which the builder skips as "no text found").
    assert not outcomes or isinstance(outcomes[0], LoaderError) or not outcomes[0].blocks


@pytest.mark.parametrize("rel", REAL[:6])
def test_corrupted_corpus_files_load_or_raise_a_loader_error(tmp_path: Path, rel: str) -> None:
    """Bytes overwritten with noise in the middle, as a bad disk or a half-finished upload leaves them."""
    data = bytearray((CORPUS / rel).read_bytes())
    rng = random.Random(rel)
    for n in range(6):
        damaged = bytearray(data)
        for _ in range(1 + n * 3):
            at = rng.randrange(len(damaged))
            damaged[at:at + 16] = rng.randbytes(16)
        _load(_place(tmp_path / f"noise{n}", rel, bytes(damaged)), tmp_path / f"noise{n}")


@FUZZ
@given(data=st.binary(max_size=2048), suffix=st.sampled_from(SUFFIXES), stem=st.sampled_from(
    ["doc", "tariffs", "land", "incentives", "parks", "factories"]))
def test_random_bytes_load_or_raise_a_loader_error(tmp_path: Path, data: bytes, suffix: str, stem: str) -> None:
    _load(_place(tmp_path, f"x/{stem}{suffix}", data), tmp_path)


@FUZZ
@given(text=st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=400),
       head=st.sampled_from(["", "---\n", "---\ntitle: [\n---\n", "---\n- a\n---\n", "id,name\n",
                             "clear_height_m,id\n", "land_price_yuan_m2\n", "meta:\n", "incentives:\n  - ",
                             "%PDF-1.4\n"]),
       suffix=st.sampled_from(SUFFIXES), stem=st.sampled_from(["doc", "tariffs", "incentives", "parks"]))
def test_random_text_loads_or_raises_a_loader_error(tmp_path: Path, text: str, head: str, suffix: str,
                                                    stem: str) -> None:
    _load(_place(tmp_path, f"y/{stem}{suffix}", (head + text).encode()), tmp_path)


def _damaged_corpus(root: Path) -> dict[str, str]:
    """Files that cannot be used, with the skip status each must get."""
    pdf = (CORPUS / REAL[0]).read_bytes()
    _place(root, "policies/cut.pdf", pdf[: len(pdf) // 3])
    _place(root, "policies/noise.pdf", b"%PDF-1.7\n" + random.Random(1).randbytes(3000))
    image_only_pdf(root / "policies" / "scan.pdf")
    _place(root, "policies/latin1.md", "第一条　租金".encode("gb18030"))
    _place(root, "policies/bad-front-matter.md", b"---\ntitle: [unclosed\n---\nbody\n")
    _place(root, "listings/parks.csv", (CORPUS / "listings/parks.csv").read_bytes()[:300])
    _place(root, "listings/empty.csv", b"a,b,c\n")
    _place(root, "rules/tariffs.yaml", (CORPUS / "rules/tariffs.yaml").read_bytes()[:1500])
    _place(root, "rules/notes.yaml", b"just: [a, list\n")
    _place(root, "policies/brochure.docx", b"PK\x03\x04 not really a document")  # a zip header, no zip
    _place(root, "policies/photo.png", b"\x89PNG\r\n\x1a\n")
    return {"policies/scan.pdf": "needs_ocr", "policies/brochure.docx": "unreadable", "policies/photo.png": "unsupported"}


def test_builder_skips_damaged_files_and_indexes_the_good_one(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    special = _damaged_corpus(root)
    _place(root, "policies/good.md", GOOD.encode())
    expected = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root).as_posix()
        outcome = _load(path, root)
        if rel != "policies/good.md":
            assert isinstance(outcome, LoaderError), f"{rel} was meant to be unusable"
            expected[rel] = outcome.status
    settings = Settings(corpus_dir=root, data_dir=tmp_path / "data", embeddings={"backend": "fake"})
    report = IndexBuilder(settings).build()
    skipped = {f.doc_id: f.status for f in report.skipped}
    assert skipped == expected and {k: skipped[k] for k in special} == special
    assert all(f.reason for f in report.skipped)
    indexed = [f.doc_id for f in report.files if f.status == "indexed"]
    assert indexed == ["policies/good.md"]
    build = IndexPaths(settings.index_dir)
    chunks = read_chunks(build.build_dir(build.current_id()))
    assert {c.doc_id for c in chunks} == {"policies/good.md"} and any("18元" in c.text for c in chunks)
    assert "skipped policies/scan.pdf: [needs_ocr]" in report.summary()


def test_builder_keeps_going_when_a_good_corpus_file_is_damaged(tmp_path: Path) -> None:
    """The real corpus with one PDF cut short: the rest is indexed, the cut file is reported."""
    root = tmp_path / "corpus"
    shutil.copytree(CORPUS, root)
    victim = root / REAL[0]
    victim.write_bytes(victim.read_bytes()[:200])
    settings = Settings(corpus_dir=root, data_dir=tmp_path / "data", embeddings={"backend": "fake"})
    report = IndexBuilder(settings).build()
    assert [(f.doc_id, f.status) for f in report.skipped] == [(REAL[0], "unreadable")]
    assert len(report.files) - len(report.skipped) >= 30 and report.chunks > 100
