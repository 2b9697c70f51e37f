from __future__ import annotations

from pathlib import Path

import pytest

from assistant.ingest.chunking import chunk_blocks
from assistant.ingest.loaders import NeedsOCR, Unreadable, Unsupported, discover, load_file
from assistant.ingest.loaders.pdf import join_lines
from tests.conftest import CORPUS, shared_ocr
from tests.pdf_factory import image_only_pdf, text_pdf

TARIFF_PDF = CORPUS / "policies" / "gz-td-tariff-2026-421.pdf"


def test_corpus_pdf_extracts_clean_chinese_with_pages_and_metadata() -> None:
    doc = load_file(TARIFF_PDF, CORPUS)
    text = "\n".join(b.text for b in doc.blocks)
    assert doc.meta.doc_number == "黔发改价格〔2026〕421号"
    assert doc.meta.topic == "electricity" and doc.meta.effective == "2026-08-01"
    assert "0.1238" in text and "(cid:" not in text and "\ufffd" not in text
    # the running header and the "— N —" footers are gone
    assert "贵州省发展和改革委员会文件" not in text
    assert not any(b.text.strip().startswith("—") for b in doc.blocks)
    assert max(b.page for b in doc.blocks) >= 3


def test_pdf_article_chunks_carry_article_and_page() -> None:
    doc = load_file(TARIFF_PDF, CORPUS)
    chunks = chunk_blocks(doc.meta, doc.blocks, 360)
    fifth = next(c for c in chunks if c.article == "第五条")
    assert "0.1238" in fifth.text and fifth.page == 2
    assert fifth.locator.startswith("第五条, p.")
    # wrapped lines inside the article were joined: no line break in the middle of the sentence
    assert "每千瓦时0.1238元，需量电价为每千瓦每月35元，容量电价" in fifth.text


@pytest.mark.parametrize("pdf", sorted((CORPUS / "policies").glob("*.pdf")), ids=lambda p: p.name)
def test_every_corpus_pdf_loads_with_metadata(pdf: Path) -> None:
    ocr = shared_ocr()  # the scanned sample has no text layer
    try:
        doc = load_file(pdf, CORPUS, ocr)
    finally:
        ocr.close()
    assert doc.meta.title and doc.meta.issuer and doc.meta.doc_number
    pages = max(b.page_end or b.page or 0 for b in doc.blocks)
    assert sum(len(b.text) for b in doc.blocks) > 400 * pages  # the body was read, not only headings
    assert all(b.page and b.page >= 1 for b in doc.blocks)


def test_generated_pdf_drops_running_header_and_page_numbers(tmp_path: Path) -> None:
    pages = [[f"Article {i}. The rent for unit {i} is {10 + i} yuan per square metre."] for i in range(1, 4)]
    doc = load_file(text_pdf(tmp_path / "notice.pdf", pages), tmp_path)
    texts = [b.text for b in doc.blocks]
    assert all("CITY GAZETTE" not in t for t in texts)
    assert all(not t.startswith("- ") for t in texts)
    assert [b.page for b in doc.blocks] == [1, 2, 3]
    assert doc.meta.title == "notice"  # no sidecar, no PDF title: the file name


def test_join_lines_keeps_articles_and_table_rows_apart() -> None:
    lines = ["第一条　本办法适用于", "全市标准厂房。", "第二条　租金标准如下", "10kV 0.1238 35 21.9", "35kV 0.1097 33 20.6"]
    assert join_lines(lines) == ["第一条　本办法适用于全市标准厂房。", "第二条　租金标准如下", "10kV 0.1238 35 21.9",
                                 "35kV 0.1097 33 20.6"]


def test_encrypted_pdf_is_unreadable(tmp_path: Path) -> None:
    path = text_pdf(tmp_path / "locked.pdf", [["secret"]], password="pw")
    with pytest.raises(Unreadable, match="encrypted"):
        load_file(path, tmp_path)


def test_corrupt_pdf_is_unreadable(tmp_path: Path) -> None:
    good = text_pdf(tmp_path / "good.pdf", [["hello world"]]).read_bytes()
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(good[: len(good) // 3])
    with pytest.raises(Unreadable):
        load_file(bad, tmp_path)
    (tmp_path / "junk.pdf").write_bytes(b"not a pdf at all")
    with pytest.raises(Unreadable):
        load_file(tmp_path / "junk.pdf", tmp_path)


def test_image_only_pdf_needs_ocr(tmp_path: Path) -> None:
    with pytest.raises(NeedsOCR, match="OCR"):
        load_file(image_only_pdf(tmp_path / "scan.pdf"), tmp_path)


def test_unknown_type_is_unsupported(tmp_path: Path) -> None:
    (tmp_path / "photo.png").write_bytes(b"\x89PNG")
    with pytest.raises(Unsupported, match="unsupported"):
        load_file(tmp_path / "photo.png", tmp_path)


def test_markdown_front_matter_headings_and_tables(tmp_path: Path) -> None:
    (tmp_path / "doc.md").write_text(
        "---\ntitle: 测试办法\nissuer: 贵阳市投资促进局\ntopic: land\neffective: 2026-01-01\nexpires: 2027-12-31\n"
        "language: zh\nsample: true\n---\n# 测试办法\n\n## 第一章 总则\n\n第一条　本办法自公布之日起施行，\n有效期两年。\n\n"
        "| 园区 | 地价（元/㎡） |\n|---|---|\n| 经开区 | 288 |\n| 高新区 | 336 |\n", encoding="utf-8")
    doc = load_file(tmp_path / "doc.md", tmp_path)
    assert doc.meta.title == "测试办法" and doc.meta.sample and doc.meta.expires == "2027-12-31"
    texts = [b.text for b in doc.blocks]
    assert "第一条　本办法自公布之日起施行，有效期两年。" in texts
    assert "园区：经开区；地价（元/㎡）：288。" in texts
    assert all(b.heading == "第一章 总则" for b in doc.blocks)


def test_markdown_with_broken_front_matter_is_unreadable(tmp_path: Path) -> None:
    (tmp_path / "bad.md").write_text("---\ntitle: [unclosed\n---\nbody\n", encoding="utf-8")
    with pytest.raises(Unreadable, match="front matter"):
        load_file(tmp_path / "bad.md", tmp_path)


def test_factory_listing_rows_become_blocks_and_structured_rows() -> None:
    doc = load_file(CORPUS / "listings" / "factories.csv", CORPUS)
    ids = [r["id"] for r in doc.structured["factories"]]
    assert ids == [f"F-{i:03d}" for i in range(1, 16)]
    zh = [b for b in doc.blocks if b.row_id == "F-011" and b.language != "en"]
    assert zh and "已出租" in zh[0].text
    assert any(b.language == "en" and b.row_id == "F-006" for b in doc.blocks)
    assert doc.meta.kind == "listing" and doc.meta.sample


def test_xlsx_listing_is_read_like_csv(tmp_path: Path) -> None:
    import csv

    from openpyxl import Workbook

    with open(CORPUS / "listings" / "factories.csv", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(tmp_path / "factories.xlsx")
    doc = load_file(tmp_path / "factories.xlsx", tmp_path)
    assert len(doc.structured["factories"]) == 15


def test_invalid_listing_is_unreadable_with_reason(tmp_path: Path) -> None:
    text = (CORPUS / "listings" / "factories.csv").read_text(encoding="utf-8").splitlines()
    header, first = text[0], text[1].split(",")
    first[header.split(",").index("area_m2")] = "很大"
    (tmp_path / "factories.csv").write_text("\n".join([header, ",".join(first)]) + "\n", encoding="utf-8")
    with pytest.raises(Unreadable, match="area_m2"):
        load_file(tmp_path / "factories.csv", tmp_path)


def test_rules_yaml_becomes_one_block_per_rule() -> None:
    doc = load_file(CORPUS / "rules" / "tariffs.yaml", CORPUS)
    ids = [b.row_id for b in doc.blocks]
    assert len(ids) == len(set(ids)) >= 5
    assert any("0.1238" in b.text for b in doc.blocks)
    assert doc.meta.kind == "rule" and "tariffs" in doc.structured["rules"]


def test_discover_skips_readme_sidecars_and_hidden(tmp_path: Path) -> None:
    for name in ("README.md", "a.md", "b.pdf", "b.meta.yaml", ".hidden.md", "_drafts/c.md"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    assert [p.name for p in discover(tmp_path)] == ["a.md", "b.pdf"]
