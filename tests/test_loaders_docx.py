"""Word (.docx) loader: document order, headings, numbered articles, tables as rows, metadata, bad files."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.oxml import parse_xml

from assistant.ingest.check import check_corpus
from assistant.ingest.chunking import chunk_blocks
from assistant.ingest.loaders import Unreadable, load_file
from assistant.ingest.loaders.docx import zh_number

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _article_numbering(document: Document) -> str:
    """Add a Word list numbered "第一条, 第二条 …" (Chinese counting), as Word writes one; returns its numId."""
    numbering = document.part.numbering_part.element
    numbering.insert(0, parse_xml(
        f'<w:abstractNum xmlns:w="{W}" w:abstractNumId="90"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
        f'<w:numFmt w:val="chineseCounting"/><w:lvlText w:val="第%1条"/></w:lvl></w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num xmlns:w="{W}" w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    return "90"


def _numbered(paragraph, num_id: str) -> None:
    paragraph._p.get_or_add_pPr().append(parse_xml(
        f'<w:numPr xmlns:w="{W}"><w:ilvl w:val="0"/><w:numId w:val="{num_id}"/></w:numPr>'))


def _attachment(path: Path, sidecar: bool = True) -> Path:
    doc = Document()
    doc.core_properties.title = "属性里的标题"
    doc.add_paragraph("标准厂房入驻申请须知", style="Title")
    doc.add_heading("第一章　申请条件", level=1)
    doc.add_paragraph("第一条　申请企业应为依法登记的制造业企业。")
    doc.add_paragraph("第二条　申请材料按下表准备：")
    table = doc.add_table(rows=4, cols=3)
    table.cell(0, 0).merge(table.cell(1, 0)).text = "材料名称"
    table.cell(0, 1).merge(table.cell(0, 2)).text = "提交要求"
    table.cell(1, 1).text = "份数"
    table.cell(1, 2).text = "形式"
    for row, values in ((2, ("营业执照副本", "1", "复印件")), (3, ("项目可行性报告", "2", "原件"))):
        for col, value in enumerate(values):
            table.cell(row, col).text = value
    doc.add_heading("第二章　办理流程", level=1)
    num_id = _article_numbering(doc)
    for text in ("企业向园区服务窗口提交申请。", "园区在10个工作日内答复。"):
        _numbered(doc.add_paragraph(text), num_id)
    doc.add_paragraph("现场踏勘", style="List Number")
    doc.save(str(path))
    if sidecar:
        path.with_name(path.stem + ".meta.yaml").write_text(
            "title: 标准厂房入驻申请须知\nissuer: 贵阳市投资促进局\ndoc_number: ''\ntopic: factories\n"
            "district: ''\neffective: 2026-09-01\nexpires: ''\nlanguage: zh\nsample: true\n", encoding="utf-8")
    return path


def test_docx_keeps_order_headings_articles_and_table_rows(tmp_path: Path) -> None:
    doc = load_file(_attachment(tmp_path / "须知.docx"), tmp_path)
    texts = [b.text for b in doc.blocks]
    assert texts[:2] == ["第一条　申请企业应为依法登记的制造业企业。", "第二条　申请材料按下表准备："]
    # the table sits where it was, after 第二条; the merged group header joins its sub-headers
    assert texts[2:4] == ["材料名称：营业执照副本；提交要求/份数：1；提交要求/形式：复印件。",
                          "材料名称：项目可行性报告；提交要求/份数：2；提交要求/形式：原件。"]
    # Word's automatic numbers are not in the paragraph text: they are rebuilt from the list definition
    assert texts[4:6] == ["第一条　企业向园区服务窗口提交申请。", "第二条　园区在10个工作日内答复。"]
    assert texts[6] == "1. 现场踏勘"
    assert [b.heading for b in doc.blocks[:2]] == ["第一章　申请条件"] * 2
    assert doc.blocks[4].heading == "第二章　办理流程"
    assert doc.meta.title == "标准厂房入驻申请须知" and doc.meta.topic == "factories" and doc.meta.sample

    chunks = chunk_blocks(doc.meta, doc.blocks, 360)
    second = next(c for c in chunks if c.heading == "第一章　申请条件" and c.article == "第二条")
    assert "营业执照副本" in second.text and second.locator.startswith("第二条")
    assert any(c.article == "第二条" and c.heading == "第二章　办理流程" and "10个工作日" in c.text for c in chunks)


def test_docx_without_sidecar_takes_core_properties(tmp_path: Path) -> None:
    doc = load_file(_attachment(tmp_path / "须知.docx", sidecar=False), tmp_path)
    assert doc.meta.title == "属性里的标题" and doc.meta.issuer == ""
    report = check_corpus(tmp_path)
    assert report.ok and any("no sidecar 须知.meta.yaml" in w for w in report.warnings)


def test_zh_number() -> None:
    assert [zh_number(n) for n in (1, 10, 12, 20, 35, 100, 105, 118)] == \
        ["一", "十", "十二", "二十", "三十五", "一百", "一百零五", "一百一十八"]


@pytest.mark.parametrize("damage, reason", [
    ("truncated", "corrupt"), ("random", "not a .docx"), ("encrypted", "password-protected"),
    ("no_body", "corrupt or unreadable Word file"),
])
def test_bad_docx_is_unreadable_with_a_reason(tmp_path: Path, damage: str, reason: str) -> None:
    good = _attachment(tmp_path / "good.docx", sidecar=False).read_bytes()
    bad = tmp_path / "bad.docx"
    if damage == "truncated":
        bad.write_bytes(good[: len(good) // 2])
    elif damage == "random":
        bad.write_bytes(bytes(range(256)) * 8)
    elif damage == "encrypted":  # what Word writes when a password is set: an OLE compound file
        bad.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "EncryptedPackage".encode("utf-16-le"))
    else:  # a valid zip without the Word parts
        with zipfile.ZipFile(bad, "w") as zf:
            zf.writestr("hello.txt", "not a Word document")
    with pytest.raises(Unreadable, match=reason):
        load_file(bad, tmp_path)
    report = check_corpus(tmp_path)
    assert any(w.startswith("bad.docx: would be skipped [unreadable]") for w in report.warnings), report.summary()
