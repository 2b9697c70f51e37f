"""Scanned PDFs through the bundled OCR: the real RapidOCR engine on real PDFs in tmp_path.

Synthetic scans use a strip cut from the committed scanned sample (its title and document number), so a
page costs about a second of OCR and needs no CJK font. The sample itself is read once per session
through the shared OCR cache (see conftest)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from assistant.answering.composer import source_ref
from assistant.chat_types import Answer
from assistant.cli import render
from assistant.documents import Chunk
from assistant.index.embeddings import HashEmbeddings
from assistant.index.store import IndexPaths, read_chunks
from assistant.ingest.builder import BuildReport, IndexBuilder
from assistant.ingest.loaders import load_file
from assistant.ingest.loaders.ocr import OcrEngine, TextBox, page_lines
from assistant.settings import Settings
from assistant.web.render import source_card
from assistant.web.sources import SourceFiles
from benchmarks.ocr_accuracy import char_accuracy, printed_text
from tests.conftest import CORPUS, ROOT, SCANNED_SAMPLE, shared_ocr
from tests.pdf_factory import mixed_pdf

SIDECAR = ("title: 用电报装测试文件\nissuer: 测试\ntopic: service\neffective: 2026-10-15\nlanguage: zh\n"
           "sample: true\n")
TEXT_PAGE = ["Article 1 Power connection requests are accepted at the park service desk.",
             "Article 2 The park helps the tenant list the electrical load of its equipment."]


class CountingEngine(OcrEngine):
    """The real engine, counting the pages it is asked to read."""

    def __init__(self) -> None:
        super().__init__(threads=1)
        self.calls = 0

    def read(self, image: Any) -> list[TextBox]:
        self.calls += 1
        return super().read(image)


@pytest.fixture(scope="module")
def title_strip() -> Any:
    """The title and document number of the scanned sample, as a picture (a real scan, seal-free part)."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(SCANNED_SAMPLE))
    try:
        image = doc[0].render(scale=2).to_pil().convert("RGB")
    finally:
        doc.close()
    return image.crop((90, 205, 1100, 335))


def _settings(tmp_path: Path, **ocr: object) -> Settings:
    return Settings(corpus_dir=tmp_path / "corpus", data_dir=tmp_path / "data", embeddings={"backend": "fake"},
                    index={"ocr": {"cache_dir": tmp_path / "ocr-cache", **ocr}})


def _build(settings: Settings, engine: OcrEngine, rebuild: bool = False,
           stages: list[tuple[str, int, int]] | None = None) -> BuildReport:
    builder = IndexBuilder(settings, embeddings=HashEmbeddings(64), ocr_engine=engine,
                           on_progress=lambda *s: stages.append(s) if stages is not None else None)
    return builder.build(rebuild=rebuild)


def _chunks(settings: Settings, doc_id: str) -> list[Chunk]:
    paths = IndexPaths(settings.index_dir)
    return [c for c in read_chunks(paths.build_dir(paths.current_id())) if c.doc_id == doc_id]


def _place_pdf(corpus: Path, name: str, pages: list[Any]) -> Path:
    (corpus / "policies").mkdir(parents=True, exist_ok=True)
    path = mixed_pdf(corpus / "policies" / f"{name}.pdf", pages)
    (corpus / "policies" / f"{name}.meta.yaml").write_text(SIDECAR, encoding="utf-8")
    return path


def _place_markdown(corpus: Path) -> None:
    shutil.copy(CORPUS / "policies" / "gy-tax-policy-guide.md", corpus / "policies" / "gy-tax-policy-guide.md")


# ---------- reading order ----------

def reading_order(boxes: list[TextBox]) -> list[str]:
    """The page's lines without the blank lines page_lines adds after a short line."""
    return [line for line in page_lines(boxes) if line]


def test_reading_order_makes_lines_top_to_bottom_and_left_to_right() -> None:
    boxes = [
        TextBox("第二行右", 300, 62, 420, 92),
        TextBox("Room", 40, 120, 110, 150),
        TextBox("第一行左", 40, 20, 200, 50),
        TextBox("第二行左", 40, 58, 280, 88),  # the same line 4 px higher: a slight tilt
        TextBox("101", 130, 121, 170, 151),
        TextBox("，接右边", 210, 22, 330, 52),
        TextBox("   ", 10, 200, 20, 210),
    ]
    assert reading_order(boxes) == ["第一行左，接右边", "第二行左第二行右", "Room 101"]


# ---------- the committed scanned sample ----------

def test_scanned_sample_is_read_with_its_key_figures_and_cited_as_ocr() -> None:
    ocr = shared_ocr()
    try:
        doc = load_file(SCANNED_SAMPLE, CORPUS, ocr)
    finally:
        ocr.close()
    text = "".join(b.text for b in doc.blocks)
    for figure in ("0851-0000-0000", "3个工作日", "15个工作日", "3150千伏安", "4000千伏安", "0.1238元", "35元",
                   "21.9元", "87600元", "220千伏变电站1座", "110千伏变电站4座", "10千伏专线130条", "示例数据"):
        assert figure in text, figure
    assert "421号" in text and doc.meta.doc_number == "筑投促通〔2026〕示例11号"
    assert all(b.ocr and b.page == 1 for b in doc.blocks) and not doc.warnings
    source = ROOT / "tools" / "scan_sources" / f"{SCANNED_SAMPLE.stem}.md"
    assert char_accuracy(text, printed_text(source)) >= 0.97
    from assistant.ingest.chunking import chunk_blocks

    chunks = chunk_blocks(doc.meta, doc.blocks, 360)
    assert chunks and all(c.ocr and c.locator.endswith("p.1，OCR识别") for c in chunks)


# ---------- builds: mixed PDF, cache, progress, summary ----------

def test_only_the_scanned_page_is_ocrd_and_a_rebuild_reads_it_from_the_cache(tmp_path: Path, title_strip) -> None:
    settings = _settings(tmp_path)
    _place_pdf(settings.corpus_dir, "mixed", [TEXT_PAGE, title_strip, TEXT_PAGE[::-1]])
    engine, stages = CountingEngine(), []
    report = _build(settings, engine, stages=stages)
    assert engine.calls == 1  # page 2 only: pages 1 and 3 have a text layer
    assert (report.ocr_pages, report.ocr_cached) == (1, 0) and report.ocr_seconds > 0
    assert "1 pages OCR'd (0 from the OCR cache)" in report.summary().splitlines()[0]
    record = report.files[0]
    assert record.status == "indexed" and record.ocr_pages == 1 and not record.warnings
    assert ("ocr", 0, 1) in stages and ("ocr", 1, 1) in stages
    chunks = _chunks(settings, "policies/mixed.pdf")
    scanned = [c for c in chunks if c.ocr]
    assert scanned and all(c.page == 2 and "p.2，OCR识别" in c.locator for c in scanned)
    assert "用电报装服务的通知" in "".join(c.text for c in scanned)
    assert {c.page for c in chunks if not c.ocr} == {1, 3} and all("OCR" not in c.locator for c in chunks
                                                                   if not c.ocr)

    again = CountingEngine()
    second = _build(settings, again, rebuild=True)
    assert again.calls == 0 and not again.loaded  # not even loaded
    assert (second.ocr_pages, second.ocr_cached) == (1, 1)
    assert "1 pages OCR'd (1 from the OCR cache)" in second.summary()
    assert [c.text for c in _chunks(settings, "policies/mixed.pdf")] == [c.text for c in chunks]


def test_a_blank_scanned_page_is_reported_and_the_rest_ingested(tmp_path: Path) -> None:
    from PIL import Image

    settings = _settings(tmp_path)
    blank = Image.new("RGB", (1000, 1300), (250, 250, 250))
    _place_pdf(settings.corpus_dir, "part-blank", [TEXT_PAGE, blank])
    _place_pdf(settings.corpus_dir, "all-blank", [blank, blank])
    _place_markdown(settings.corpus_dir)
    report = _build(settings, CountingEngine())
    files = {f.doc_id: f for f in report.files}
    part = files["policies/part-blank.pdf"]
    assert part.status == "indexed" and part.ocr_pages == 0
    assert part.warnings == ["p.2: no text layer and OCR found no legible text; page skipped"]
    assert "warning policies/part-blank.pdf: p.2:" in report.summary()
    assert {c.page for c in _chunks(settings, "policies/part-blank.pdf")} == {1}
    skipped = files["policies/all-blank.pdf"]
    assert skipped.status == "needs_ocr" and "OCR found no legible text" in skipped.reason
    assert files["policies/gy-tax-policy-guide.md"].status == "indexed"
    assert report.ocr_pages == 3


def test_with_ocr_off_a_scan_is_skipped_as_needing_ocr_until_ocr_is_turned_on(tmp_path: Path, title_strip) -> None:
    off = _settings(tmp_path, enabled=False)
    _place_pdf(off.corpus_dir, "scan", [title_strip])
    _place_markdown(off.corpus_dir)
    engine = CountingEngine()
    report = _build(off, engine)
    assert engine.calls == 0 and not engine.loaded
    files = {f.doc_id: f for f in report.files}
    assert files["policies/scan.pdf"].status == "needs_ocr" and "turned off" in files["policies/scan.pdf"].reason
    assert files["policies/gy-tax-policy-guide.md"].status == "indexed"
    assert "skipped policies/scan.pdf: [needs_ocr]" in report.summary() and "OCR'd" not in report.summary()

    on = _build(_settings(tmp_path), CountingEngine())  # same data folder: the changed setting re-reads files
    assert on.changed and {f.doc_id: f.status for f in on.files}["policies/scan.pdf"] == "indexed"
    assert on.ocr_pages == 1


def test_ocr_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZST_INDEX__OCR__ENABLED", "false")
    monkeypatch.setenv("ZST_INDEX__OCR__SCALE", "3")
    ocr = Settings().index.ocr
    assert not ocr.enabled and ocr.scale == 3.0 and ocr.min_text_chars == 15


# ---------- citations ----------

def test_citations_say_the_text_came_from_ocr() -> None:
    zh = Chunk(doc_id="policies/scan.pdf", text="容量电价每千伏安每月21.9元。", title="通知", article="第四条", page=2,
               page_end=2, ocr=True)
    en = Chunk(doc_id="guide/scan.pdf", text="Capacity charge 21.9 yuan.", title="Notice", language="en", page=3,
               ocr=True)
    assert zh.locator == "第四条, p.2，OCR识别" and en.locator == "p.3, OCR"
    assert Chunk(doc_id="a.pdf", text="x", title="t", page=2).locator == "p.2"
    assert Chunk(text=zh.text, **zh.to_metadata()).ocr is True  # survives the vector store

    ref = source_ref(zh)
    cli = render(Answer(answer="容量电价每千伏安每月21.9元[1]。", status="answered", language="zh", sources=[ref]))
    assert "《通知》 第四条, p.2，OCR识别" in cli
    card = source_card(1, ref, SourceFiles(CORPUS, frozenset()), "zh")
    assert "p.2，OCR识别" in card


def test_character_accuracy_counts_wrong_characters_not_punctuation_forms() -> None:
    reference = "容量电价（示例）〔2026〕421号：每月21.9元"
    assert char_accuracy("容量电价(示例)[2026]421号:每月 21.9元", reference) == 1.0
    assert char_accuracy("容量电价（示例）〔2026〕421号：每月21.6元", reference) == pytest.approx(1 - 1 / 26)
    assert char_accuracy("", reference) == 0.0


def test_a_line_stopping_short_of_the_margin_ends_its_paragraph() -> None:
    from assistant.ingest.loaders.pdf import join_lines

    boxes = [
        TextBox("关于做好用电报装服务的通知", 200, 20, 600, 50),  # a centred title
        TextBox("筑投促通〔2026〕示例11号", 280, 60, 520, 90),
        TextBox("一、报装受理。企业签订厂房租赁合同后，即可", 40, 100, 760, 130),
        TextBox("申请用电报装", 40, 140, 240, 170),  # the paragraph's last line
        TextBox("二、办理时限。低压小微企业3个工作日内接电", 40, 180, 760, 210),
    ]
    lines = page_lines(boxes)
    assert lines[:3] == ["关于做好用电报装服务的通知", "", "筑投促通〔2026〕示例11号"]
    assert join_lines(lines) == ["关于做好用电报装服务的通知", "筑投促通〔2026〕示例11号",
                                 "一、报装受理。企业签订厂房租赁合同后，即可申请用电报装",
                                 "二、办理时限。低压小微企业3个工作日内接电"]
