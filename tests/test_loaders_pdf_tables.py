"""Tables inside text PDFs: each row one line with its column names, inside its article, cited with its page."""

from __future__ import annotations

import shutil
from pathlib import Path

from assistant.index.embeddings import HashEmbeddings
from assistant.index.retrieval import HybridRetriever
from assistant.index.search import SearchIndex
from assistant.ingest.builder import IndexBuilder
from assistant.ingest.chunking import chunk_blocks
from assistant.ingest.loaders import load_file
from assistant.ingest.loaders.pdf_tables import PdfTables, cells
from assistant.settings import Settings
from tests.conftest import CORPUS

TARIFF = CORPUS / "policies" / "gz-td-tariff-2026-421.pdf"
LAND = CORPUS / "policies" / "gy-land-supply-price-guide.pdf"
ROW_10KV = ("电压等级：10千伏（10kV）；电量电价（元/kWh）：0.1238；需量电价（元/kW·月）：35；"
            "容量电价（元/kVA·月）：21.9；数据属性：依据原文。")
ROW_35KV = ("电压等级：35千伏（35kV）；电量电价（元/kWh）：0.1097；需量电价（元/kW·月）：33；"
            "容量电价（元/kVA·月）：20.6；数据属性：依据原文。")


def test_unit_tokens_join_their_column_name() -> None:
    assert cells("电压等级 电量电价 （元/kWh） 需量电价 （元/kW·月）") == ["电压等级", "电量电价（元/kWh）", "需量电价（元/kW·月）"]


def test_header_and_rows_become_one_line_per_row_prose_untouched() -> None:
    paras = ["第二条　标准如下表。", "等级 价格（元） 备注", "一等 840 依据原文", "二等 720 示例数据", "第三条　其他事项 另行规定。"]
    assert PdfTables().render(paras) == [
        "第二条　标准如下表。", "等级：一等；价格（元）：840；备注：依据原文。", "等级：二等；价格（元）：720；备注：示例数据。",
        "第三条　其他事项 另行规定。"]
    # a line of words with spaces but no rows of figures after it is not a table
    assert PdfTables().render(["Article 1 applies", "to all units here"]) == ["Article 1 applies", "to all units here"]


def test_header_carries_over_a_page_break_and_a_repeated_header_is_dropped() -> None:
    tables = PdfTables()
    tables.render(["园区 地价（元/㎡）", "经开区 288"])
    assert tables.render(["高新区 336", "第五条　下一条。"]) == ["园区：高新区；地价（元/㎡）：336。", "第五条　下一条。"]
    tables.render(["园区 地价（元/㎡）", "经开区 288"])
    assert tables.render(["园区 地价（元/㎡）", "白云 204"]) == ["园区：白云；地价（元/㎡）：204。"]
    # a page that starts with prose closes the table
    tables.render(["园区 地价（元/㎡）", "经开区 288"])
    assert tables.render(["正文从这里开始。", "白云 204"]) == ["正文从这里开始。", "白云 204"]


def test_tariff_pdf_10kv_row_is_one_line_with_column_names_article_and_page() -> None:
    doc = load_file(TARIFF, CORPUS)
    row = next(b for b in doc.blocks if b.text == ROW_10KV)
    assert row.page == 2
    assert not any(b.text.startswith("电压等级 电量电价") for b in doc.blocks)  # the header lives in every row
    chunks = chunk_blocks(doc.meta, doc.blocks, 360)
    holder = [c for c in chunks if ROW_10KV in c.text]
    assert len(holder) == 1 and holder[0].article == "第四条"
    assert holder[0].locator == "第四条, pp.1-2"  # the article starts on p.1, its table is on p.2
    # no row is cut between chunks
    for level in ("10千伏", "35千伏", "110千伏", "220千伏"):
        assert sum(f"电压等级：{level}（" in c.text for c in chunks) == 1
        assert any(f"电压等级：{level}（" in c.text and "数据属性：" in c.text.split(f"{level}（")[1] for c in chunks)


def test_land_pdf_grade_table_spans_pages_with_its_header() -> None:
    doc = load_file(LAND, CORPUS)
    texts = [b.text for b in doc.blocks]
    assert "土地等别：七等；最低价标准（元/㎡）：288；折合（万元/亩）：19.2。" in texts
    # the park table goes on over a page break and repeats its header there: no row of header names
    assert "园区：白云经济开发区；所在区域：白云区；参考价（元/㎡）：204；折合（万元/亩）：13.6；数据属性：示例数据。" in texts
    assert not any(t.startswith("园区：园区；") for t in texts)


def test_question_about_35kv_retrieves_the_row_with_its_column_names(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus" / "policies"
    corpus.mkdir(parents=True)
    for name in ("gz-td-tariff-2026-421.pdf", "gz-td-tariff-2026-421.meta.yaml", "gy-electricity-price-guide.md",
                 "gy-land-supply-price-guide.pdf", "gy-land-supply-price-guide.meta.yaml"):
        shutil.copy2(CORPUS / "policies" / name, corpus / name)
    settings = Settings(corpus_dir=corpus.parent, data_dir=tmp_path / "data", embeddings={"backend": "fake"})
    IndexBuilder(settings, embeddings=HashEmbeddings(64)).build()
    retriever = HybridRetriever(SearchIndex.open(settings, HashEmbeddings(64)), settings.retrieval)
    hits = retriever.search("电压等级为35千伏的用户，需量电价是多少？")  # top_k: what an answer reads
    row = [h for h in hits if ROW_35KV in retriever.chunk(h).text]
    assert row, [(h.doc_id, h.locator) for h in hits]
    assert row[0].doc_id == "policies/gz-td-tariff-2026-421.pdf" and row[0].locator.startswith("第四条")
    assert row[0].lexical_rank == 1  # the column names make the row the best keyword match
