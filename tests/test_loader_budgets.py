"""Ingest budgets: bombs built here (a .docx of 500,000 empty paragraphs, a table cell spanning 100 million
columns, .xlsx sheets whose grid or merged range spans millions of cells, a high-ratio sheet, text past the
character budget, a PDF past the page budget, a file of too many chunks) are skipped in seconds as too_large
with the budget, the figure and the limit, while a normal file beside them is indexed; the sample corpus
stays well inside every budget; ``ingest.py --check`` and a staff upload report the same."""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

import httpx
import pytest
from docx import Document
from openpyxl import Workbook

from assistant.answering.service import ChatService
from assistant.ingest.builder import IndexBuilder
from assistant.ingest.check import check_corpus
from assistant.ingest.cli import main as ingest_main
from assistant.ingest.loaders import LoaderError, NeedsOCR, TooLarge, discover, load_file
from assistant.ingest.loaders.ooxml import check_word_parts
from assistant.settings import IngestBudgets, Settings
from assistant.web.api import create_app
from assistant.web.store import Store
from tests.conftest import CORPUS
from tests.pdf_factory import text_pdf
from tests.web_serving import serve_app, wait_for_reindex

pytestmark = pytest.mark.filterwarnings("ignore:The copy keyword is deprecated")  # inside Gradio
GOOD = "# 测试园区指南\n\n第一条　本园区标准厂房租金为每月每平方米18元。\n\n第二条　入驻企业可申请免租三年。\n"
FAST_S = 10.0  # a bomb is judged in well under a second; a busy shared 2-core machine gets the rest
TOKEN = "budget-staff-token-8e2a"


# ---------- bombs ----------

def word_package(path: Path, body: bytes) -> Path:
    """A .docx as python-docx writes one, its document body replaced by ``body`` (WordprocessingML)."""
    buffer = io.BytesIO()
    Document().save(buffer)
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                data = data.split(b"<w:body>")[0] + b"<w:body>" + body + b"<w:sectPr/></w:body></w:document>"
            out.writestr(info.filename, data)
    return path


def empty_paragraphs(path: Path, count: int) -> Path:
    return word_package(path, b"<w:p/>" * count)


def sheet_package(path: Path, fill: Callable[[object], None], sheet_xml: Callable[[bytes], bytes] | None = None) -> Path:
    """An .xlsx written by openpyxl (``fill`` sets cells of its one sheet), its sheet XML then rewritten."""
    workbook = Workbook()
    fill(workbook.active)
    buffer = io.BytesIO()
    workbook.save(buffer)
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml" and sheet_xml:
                data = sheet_xml(data)
            out.writestr(info.filename, data)
    return path


def _two_columns(ws: object) -> None:
    ws["A1"], ws["B1"], ws["A2"], ws["B2"] = "项目", "说明", "标准厂房", "可租"  # type: ignore[index]


def _with_far_cell(cell: str) -> Callable[[object], None]:
    """Two columns, and one more cell far away: openpyxl's grid reaches it, every row and column between."""
    def fill(ws: object) -> None:
        _two_columns(ws)
        ws[cell] = "x"  # type: ignore[index]

    return fill


def _load(path: Path, budgets: IngestBudgets | None = None) -> tuple[LoaderError, float]:
    began = time.perf_counter()
    with pytest.raises(TooLarge) as caught:
        load_file(path, path.parent, budgets=budgets)
    seconds = time.perf_counter() - began
    assert caught.value.status == "too_large"
    return caught.value, seconds


# ---------- Word ----------

def test_docx_of_500000_empty_paragraphs_is_refused_from_its_central_directory(tmp_path: Path) -> None:
    bomb = empty_paragraphs(tmp_path / "bomb.docx", 500_000)
    assert bomb.stat().st_size < 64 * 1024  # tens of KB on disk, 3 MB of XML
    error, seconds = _load(bomb)
    assert str(error).startswith("word/document.xml expands ") and "(limit 100 times)" in str(error), error
    assert seconds < FAST_S


def test_docx_paragraphs_are_counted_by_streaming_and_counting_stops_at_the_budget(tmp_path: Path) -> None:
    bomb = empty_paragraphs(tmp_path / "bomb.docx", 500_000)
    lenient_zip = IngestBudgets(max_compression_ratio=1e9)  # the zip check out of the way: the count decides
    error, seconds = _load(bomb, lenient_zip)
    assert str(error) == ("more than 50,000 paragraphs by word/document.xml, where counting stopped "
                          "(limit 50,000 paragraphs)")
    assert seconds < FAST_S


def test_streamed_count_keeps_memory_flat(tmp_path: Path) -> None:
    bomb = empty_paragraphs(tmp_path / "bomb.docx", 100_000)
    tracemalloc.start()
    try:
        count = check_word_parts(bomb, IngestBudgets(max_paragraphs=10**9))  # no budget: every one counted
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count.paragraphs == 100_000
    assert peak < 2 * 1024 * 1024, peak  # 100,000 elements kept in the tree would take over 10 MB


def test_docx_paragraph_budget_on_a_real_document(tmp_path: Path) -> None:
    doc = Document()
    for n in range(1, 31):
        doc.add_paragraph(f"第{n}条　园区标准厂房租金为每月每平方米{n}元。")
    doc.save(str(tmp_path / "long.docx"))
    error, _ = _load(tmp_path / "long.docx", IngestBudgets(max_paragraphs=20))
    assert "more than 20 paragraphs" in str(error) and "(limit 20 paragraphs)" in str(error)
    loaded = load_file(tmp_path / "long.docx", tmp_path, budgets=IngestBudgets(max_paragraphs=30))
    assert len(loaded.blocks) == 30  # at the budget is within it


def test_docx_table_cell_spanning_100_million_columns(tmp_path: Path) -> None:
    # python-docx repeats a merged cell once per grid column it spans: this one would be 100 million objects.
    body = (b'<w:tbl><w:tblGrid><w:gridCol w:w="2000"/></w:tblGrid><w:tr><w:tc><w:tcPr>'
            b'<w:gridSpan w:val="100000000"/></w:tcPr><w:p><w:r><w:t>x</w:t></w:r></w:p></w:tc></w:tr></w:tbl>')
    error, seconds = _load(word_package(tmp_path / "span.docx", body))
    assert "more than 1,000,000 table cells by word/document.xml" in str(error), error
    assert seconds < FAST_S


# ---------- Excel ----------

def test_xlsx_high_ratio_sheet(tmp_path: Path) -> None:
    rows = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 100_000
    bomb = sheet_package(tmp_path / "ratio.xlsx", _two_columns,
                         lambda xml: xml.split(b"<sheetData>")[0] + b"<sheetData>" + rows + b"</sheetData></worksheet>")
    error, seconds = _load(bomb)
    assert str(error).startswith("xl/worksheets/sheet1.xml expands ") and "(limit 100 times)" in str(error), error
    assert seconds < FAST_S


@pytest.mark.parametrize(("cell", "reason"), [
    ("XFD1000", "more than 1,000,000 cells by xl/worksheets/sheet1.xml (its rows x columns"),  # 16 M cells
    ("A1048576", "more than 100,000 rows by xl/worksheets/sheet1.xml"),
])
def test_xlsx_grid_spanned_by_one_far_cell(tmp_path: Path, cell: str, reason: str) -> None:
    bomb = sheet_package(tmp_path / "far.xlsx", _with_far_cell(cell))
    assert bomb.stat().st_size < 16 * 1024
    error, seconds = _load(bomb)
    assert reason in str(error), error
    assert seconds < FAST_S


def test_xlsx_merged_range_over_millions_of_cells(tmp_path: Path) -> None:
    # openpyxl makes a MergedCell for every cell of a merged range when it opens the sheet.
    merge = b'<mergeCells count="1"><mergeCell ref="A1:Z100000"/></mergeCells>'
    bomb = sheet_package(tmp_path / "merged.xlsx", _two_columns,
                         lambda xml: xml.replace(b"</sheetData>", b"</sheetData>" + merge))
    error, seconds = _load(bomb)
    assert "more than 1,000,000 cells by xl/worksheets/sheet1.xml" in str(error), error
    assert seconds < FAST_S


def test_xlsx_within_budget_loads(tmp_path: Path) -> None:
    path = sheet_package(tmp_path / "notes.xlsx", _two_columns)
    assert "标准厂房" in load_file(path, tmp_path).blocks[0].text
    _load(path, IngestBudgets(max_cells=3))  # 2 rows x 2 columns


# ---------- text, PDF, chunks ----------

def test_text_judged_by_its_size_before_it_is_read(tmp_path: Path) -> None:
    (tmp_path / "huge.txt").write_bytes(b"a" * 5000)
    error, _ = _load(tmp_path / "huge.txt", IngestBudgets(max_chars=1000))
    assert str(error) == "5 KB of text: at least 1,250 characters (limit 1,000 characters)"
    # Under 4 bytes a character it is read, then counted: 1,200 CJK characters are 3,600 bytes.
    (tmp_path / "cjk.md").write_text("园" * 1200, encoding="utf-8")
    error, _ = _load(tmp_path / "cjk.md", IngestBudgets(max_chars=1000))
    assert str(error) == "1,200 characters of text (limit 1,000 characters)"
    (tmp_path / "rows.csv").write_text("名称,说明\n" + "厂房,可租\n" * 300, encoding="utf-8")
    assert "characters" in str(_load(tmp_path / "rows.csv", IngestBudgets(max_chars=1000))[0])
    assert load_file(tmp_path / "cjk.md", tmp_path, budgets=IngestBudgets(max_chars=1200)).blocks


def test_pdf_pages_counted_before_text_is_extracted(tmp_path: Path) -> None:
    pdf = text_pdf(tmp_path / "gazette.pdf", [[f"Article {n}: the rent of a standard factory unit is {n} yuan a month."]
                                                    for n in range(1, 6)])
    error, _ = _load(pdf, IngestBudgets(max_pages=3))
    assert str(error) == "5 pages (limit 3 pages)"
    error, _ = _load(pdf, IngestBudgets(max_chars=60))
    assert "more than 60 characters of text by p." in str(error) and "of 5, where reading stopped" in str(error)
    assert len(load_file(pdf, tmp_path, budgets=IngestBudgets(max_pages=5)).blocks) >= 5


def test_builder_skips_the_bombs_in_seconds_and_indexes_the_rest(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "policies").mkdir(parents=True)
    (corpus / "policies" / "guide.md").write_text(GOOD, encoding="utf-8")
    empty_paragraphs(corpus / "policies" / "bomb.docx", 500_000)
    (corpus / "policies" / "huge.txt").write_bytes(b"19 MB of text. " * 300_000)  # 4.5 MB: judged by its size
    (corpus / "policies" / "long.md").write_text("# 长文\n\n" + "园区。" * 400_000, encoding="utf-8")  # 1.2 M chars
    sheet_package(corpus / "policies" / "far.xlsx", _with_far_cell("XFD1000"))
    text_pdf(corpus / "policies" / "pages.pdf", [["Article"]] * 1001)
    many = "\n\n".join(f"## 第{n}节\n\n园区第{n}项服务内容。" for n in range(1, 21))
    (corpus / "policies" / "many.md").write_text(f"# 服务清单\n\n{many}\n", encoding="utf-8")
    settings = Settings(corpus_dir=corpus, data_dir=tmp_path / "data", embeddings={"backend": "fake"},
                        index={"budgets": {"max_chunks": 10}})
    began = time.perf_counter()
    report = IndexBuilder(settings).build()
    seconds = time.perf_counter() - began
    files = {f.doc_id: f for f in report.files}
    assert files["policies/guide.md"].status == "indexed" and report.chunks == files["policies/guide.md"].chunks
    skipped = {f.doc_id: f.reason for f in report.skipped}
    assert {f.status for f in report.skipped} == {"too_large"}
    assert skipped["policies/bomb.docx"].startswith("word/document.xml expands ")
    assert skipped["policies/huge.txt"].startswith("4.3 MB of text: at least 1,125,000 characters")
    assert skipped["policies/long.md"] == "1,200,006 characters of text (limit 1,000,000 characters)"
    assert skipped["policies/far.xlsx"].startswith("more than 1,000,000 cells")
    assert skipped["policies/pages.pdf"] == "1,001 pages (limit 1,000 pages)"
    assert skipped["policies/many.md"] == "20 chunks (limit 10 chunks a file)"
    assert files["policies/many.md"].title == "服务清单"
    assert "skipped policies/bomb.docx: [too_large] word/document.xml expands" in report.summary()
    assert seconds < 60, seconds  # before: 410 s for the .docx alone

    # A budget is part of the build's fingerprint: raised, the file it held back is indexed.
    roomy = settings.model_copy(update={"index": settings.index.model_copy(
        update={"budgets": IngestBudgets(max_chunks=50)})})
    again = {f.doc_id: f for f in IndexBuilder(roomy).build().files}
    assert again["policies/many.md"].status == "indexed" and again["policies/many.md"].chunks == 20


# ---------- the sample corpus, the check, the CLI, the staff console ----------

def test_sample_corpus_loads_within_a_tenth_of_every_budget() -> None:
    tenth = IngestBudgets(**{k: v / 10 if isinstance(v, float) else max(v // 10, 1)
                             for k, v in IngestBudgets().model_dump().items() if k.startswith("max_")})
    assert tenth.max_chars == 100_000 and tenth.max_compression_ratio == 10
    loaded = 0
    for path in discover(CORPUS):
        try:
            load_file(path, CORPUS, budgets=tenth)
            loaded += 1
        except NeedsOCR:
            continue  # the scanned notice, read by OCR in the builder (one page)
    assert loaded >= 30
    assert not [w for w in check_corpus(CORPUS, tenth).warnings if "too_large" in w]


def test_check_reports_budget_skips(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "guide.txt").write_text(GOOD, encoding="utf-8")
    empty_paragraphs(tmp_path / "bomb.docx", 500_000)
    text_pdf(tmp_path / "gazette.pdf", [["Article 1"], ["Article 2"], ["Article 3"], ["Article 4"]])
    monkeypatch.setenv("ZST_INDEX__BUDGETS__MAX_PAGES", "3")  # env-overridable like every setting
    assert ingest_main(["--check", str(tmp_path)]) == 0  # a skip is a warning, not a problem
    out = capsys.readouterr().out
    assert "warning: bomb.docx: would be skipped [too_large] word/document.xml expands " in out
    assert "warning: gazette.pdf: would be skipped [too_large] 4 pages (limit 3 pages)" in out
    assert "guide.txt: would be skipped" not in out and "corpus is valid" in out


def test_staff_upload_of_a_bomb_is_reported_not_hung(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "guide.md").write_text(GOOD, encoding="utf-8")
    settings = Settings(corpus_dir=corpus, data_dir=tmp_path / "data", embeddings={"backend": "fake"},
                        retrieval={"today": date(2026, 11, 25)}, staff={"token": TOKEN, "max_upload_mb": 2})
    IndexBuilder(settings).build()
    service = ChatService.from_settings(settings)
    store = Store.from_settings(settings)
    bomb = empty_paragraphs(tmp_path / "bomb.docx", 500_000).read_bytes()
    try:
        with serve_app(create_app(settings, service, store=store, ui=False)) as base, \
                httpx.Client(base_url=base, timeout=60) as staff:
            assert staff.post("/staff/login", data={"token": TOKEN}).status_code == 303
            runs = staff.get("/staff/api/reindex").json()["runs"]
            began = time.monotonic()
            r = staff.post("/staff/api/upload", files={"file": ("bomb.docx", bomb)})
            assert r.status_code == 202, r.text
            job = wait_for_reindex(staff, runs + 1, seconds=60)
            assert time.monotonic() - began < 30
            assert job["state"] == "done" and job["doc_status"] == "too_large", job
            assert job["doc_reason"].startswith("word/document.xml expands "), job
            files = {f["doc_id"]: f for f in staff.get("/staff/api/documents").json()["files"]}
            assert files["guide.md"]["status"] == "indexed"
    finally:
        store.close()
