"""Excel (.xlsx) loader: merged two-row headers, units, empty rows, listing mapping, reports, bad files."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from assistant.index.embeddings import HashEmbeddings
from assistant.ingest.builder import IndexBuilder
from assistant.ingest.check import check_corpus
from assistant.ingest.loaders import Unreadable, load_file
from assistant.ingest.loaders.listing_columns import split_unit
from assistant.settings import Settings
from tests.conftest import CORPUS

SAMPLE_XLSX = CORPUS / "listings" / "factories-new-units.xlsx"
SAMPLE_DOCX = CORPUS / "attachments" / "gy-standard-factory-application-checklist.docx"
HEADER_TOP = ["编号", "园区", "区域", "面积（亩）", "建筑参数", None, "租售价格", None, "状态", "示例数据", "更新日期",
              "楼栋说明"]
HEADER_SUB = [None, None, None, None, "净高（米）", "承重（t/㎡）", "租金（元/平方米/月）", "售价（元/㎡）", None, None, None,
              None]
GOOD = ["F-101", "白云经济开发区", "白云区", 6, 9, 3, 12, None, "可出租", "是", "2026-11-01", "单层，带办公区"]


def _listing(root: Path, rows: list[list[Any] | None], header_top: list[Any] | None = None) -> Path:
    """listings/units.xlsx under root: a factory sheet the way staff keep one (title row, merged two-row
    header, empty rows) and a notes sheet."""
    path = root / "listings" / "units.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    ws = wb.active
    ws.title = "房源"
    ws.append(["新增房源（示例数据）"])
    ws.merge_cells("A1:L1")
    ws.append(header_top or HEADER_TOP)
    ws.append(HEADER_SUB)
    for col in "ABCDIJKL":
        ws.merge_cells(f"{col}2:{col}3")
    ws.merge_cells("E2:F2")
    ws.merge_cells("G2:H2")
    for row in rows:
        ws.append(row or [])
    notes = wb.create_sheet("说明")
    notes.append(["本表数值为示例数据。"])
    notes.append([])
    notes.append(["面积按单层计。"])
    wb.save(path)
    return path


def test_a_park_sheet_reads_its_english_columns(tmp_path: Path) -> None:
    """A park sheet with English power-supply and logistics columns (供电英文, 物流英文) maps them like parks.csv."""
    path = tmp_path / "listings" / "parks.xlsx"
    path.parent.mkdir(parents=True)
    wb = Workbook()
    ws = wb.active
    ws.append(["编号", "园区名称", "区域", "级别", "主导产业", "工业用地价格（元/㎡）", "供电", "供电英文", "物流", "物流英文",
               "示例数据", "更新日期"])
    ws.append(["P-91", "测试园区", "白云区", "省级", "铝加工", 204, "10kV双回路供电", "Double-circuit 10 kV supply",
               "经绕城高速连通", "Connected via the bypass expressway", "是", "2026-11-01"])
    wb.save(path)
    doc = load_file(path, tmp_path)
    [row] = doc.structured["parks"]
    assert (row["power_supply_en"], row["logistics_en"]) == ("Double-circuit 10 kV supply",
                                                           "Connected via the bypass expressway")
    english = next(b.text for b in doc.blocks if b.language == "en")
    assert "power supply: Double-circuit 10 kV supply; logistics: Connected via the bypass expressway" in english
    assert not doc.warnings


def test_split_unit_takes_the_unit_and_the_column_name_under_its_group() -> None:
    assert split_unit("租售价格/租金（元/㎡·月）") == ("租金", "元/㎡·月")
    assert split_unit("面积（㎡）") == ("面积", "㎡")
    assert split_unit("Area (m2)") == ("area", "m2")
    assert split_unit("状态") == ("状态", "")


def test_merged_header_units_empty_rows_and_notes_sheet(tmp_path: Path) -> None:
    second = ["F-102", "双龙航空港经济区", "双龙航空港经济区", 4.5, 8, 2, 13, 5200, "可租可售", "是", "2026/11/02", ""]
    path = _listing(tmp_path, [GOOD, None, None, second])
    doc = load_file(path, tmp_path)
    rows = {r["id"]: r for r in doc.structured["factories"]}
    assert set(rows) == {"F-101", "F-102"}  # the empty rows are skipped
    assert rows["F-101"]["area_m2"] == pytest.approx(6 * 666.67) and rows["F-102"]["area_m2"] == pytest.approx(4.5 * 666.67, abs=0.01)  # 亩 -> ㎡
    assert rows["F-101"]["status"] == "for_rent" and rows["F-102"]["status"] == "for_rent_or_sale"
    assert rows["F-102"]["sale_price_yuan_m2"] == 5200 and str(rows["F-102"]["updated"]) == "2026-11-02"
    assert rows["F-101"]["clear_height_m"] == 9 and rows["F-101"]["rent_yuan_m2_month"] == 12
    assert doc.meta.topic == "factories" and doc.meta.sample
    zh = next(b for b in doc.blocks if b.row_id == "F-101" and b.language != "en")
    assert zh.text.endswith("其他信息：楼栋说明：单层，带办公区。")  # an unmapped column is kept as text
    notes = [b.text for b in doc.blocks if b.heading == "说明"]
    assert notes == ["本表数值为示例数据。", "面积按单层计。"]
    assert "listings/units.xlsx#房源:3 [D 面积（亩） → area_m2] converted to area_m2 (× 666.67)" in doc.warnings
    assert "listings/units.xlsx#房源:3 [L 楼栋说明] unmapped column, kept as text: no listing column of that name" in doc.warnings
    report = check_corpus(tmp_path)
    assert report.ok and "warning: listings/units.xlsx#房源:3 [L 楼栋说明] unmapped column" in report.summary()


def test_bad_rows_are_reported_and_left_out_the_rest_loads(tmp_path: Path) -> None:
    bad_area = ["F-103", "白云经济开发区", "白云区", "很大", 9, 3, 12, None, "可出租", "是", "2026-11-01", ""]
    bad_status = ["F-104", "白云经济开发区", "白云区", 3, 9, 3, 12, None, "转让中", "是", "2026-11-01", ""]
    path = _listing(tmp_path, [GOOD, bad_area, bad_status, GOOD])
    doc = load_file(path, tmp_path)
    assert [r["id"] for r in doc.structured["factories"]] == ["F-101"]
    expected = ["listings/units.xlsx#房源:5 [D 面积（亩） → area_m2] not a number: '很大' (row left out)",
                "listings/units.xlsx#房源:6 [I 状态 → status] unknown status '转让中'",
                "listings/units.xlsx#房源:7 [A 编号 → id] duplicate id 'F-101' (first on line 4) (row left out)"]
    assert all(any(w.startswith(e) for w in doc.warnings) for e in expected), doc.warnings
    report = check_corpus(tmp_path)
    assert not report.ok and len(report.problems) == 3
    assert str(report.problems[0]) == "listings/units.xlsx#房源:5 [D 面积（亩） → area_m2] not a number: '很大'"


def test_missing_required_column_leaves_the_sheet_out(tmp_path: Path) -> None:
    top = [*HEADER_TOP[:8], "用途", *HEADER_TOP[9:]]  # no 状态 column
    path = _listing(tmp_path, [GOOD], header_top=top)
    doc = load_file(path, tmp_path)  # the notes sheet still loads
    assert "factories" not in doc.structured
    assert "listings/units.xlsx#房源:3 [status] missing required column (sheet left out)" in doc.warnings
    assert [str(p) for p in check_corpus(tmp_path).problems] == ["listings/units.xlsx#房源:3 [status] missing required column"]


def test_other_tables_are_rows_with_column_names_and_formulas_give_values(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "电价"
    ws.append(["电压等级", "电量电价（元/kWh）", "需量电价（元/kW·月）", "合计"])
    ws.append(["10kV", 0.1238, 35, "=B2+C2"])  # openpyxl saves no result for a formula: read as empty
    wb.save(tmp_path / "tariff.xlsx")
    doc = load_file(tmp_path / "tariff.xlsx", tmp_path)
    assert [b.text for b in doc.blocks] == ["电压等级：10kV；电量电价（元/kWh）：0.1238；需量电价（元/kW·月）：35。"]
    assert doc.blocks[0].heading == "电价" and not doc.structured


def test_sample_listing_has_new_units_and_passes_the_check() -> None:
    doc = load_file(SAMPLE_XLSX, CORPUS)
    assert [r["id"] for r in doc.structured["factories"]] == ["F-016", "F-017", "F-018", "F-019"]
    assert not doc.warnings
    ws = load_workbook(SAMPLE_XLSX).worksheets[0]
    assert any(m.min_row == m.max_row == 2 and m.max_col > m.min_col for m in ws.merged_cells.ranges)  # a group
    assert any(all(c.value is None for c in row) for row in ws.iter_rows(min_row=4))  # an empty row
    assert "（㎡）" in "".join(str(c.value) for c in ws[2])


def test_id_used_in_another_listing_file_is_a_problem(corpus_copy: Path) -> None:
    wb = load_workbook(corpus_copy / "listings" / "factories-new-units.xlsx")
    wb.worksheets[0]["A4"] = "F-001"
    wb.save(corpus_copy / "listings" / "factories-new-units.xlsx")
    problems = [str(p) for p in check_corpus(corpus_copy).problems]
    assert problems == ["listings/factories.csv [id] id 'F-001' is already used in listings/factories-new-units.xlsx#房源清单"]


def _bad_xlsx(path: Path, damage: str) -> Path:
    if damage == "encrypted":  # an Office password makes an OLE compound file holding an EncryptedPackage
        path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "EncryptedPackage".encode("utf-16-le"))
    elif damage == "random":
        path.write_bytes(bytes(range(256)) * 8)
    elif damage == "truncated":
        path.write_bytes(SAMPLE_XLSX.read_bytes()[:2000])
    else:
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("hello.txt", "not a workbook")
    return path


@pytest.mark.parametrize("damage, reason", [("encrypted", "password-protected"), ("random", "not a .xlsx"),
                                            ("truncated", "corrupt"), ("zip", "corrupt or unreadable Excel file")])
def test_bad_xlsx_is_unreadable_with_a_reason(tmp_path: Path, damage: str, reason: str) -> None:
    with pytest.raises(Unreadable, match=reason):
        load_file(_bad_xlsx(tmp_path / "locked.xlsx", damage), tmp_path)
    assert any(w.startswith("locked.xlsx: would be skipped [unreadable]") for w in check_corpus(tmp_path).warnings)


def test_build_skips_bad_office_files_and_ingests_the_rest(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    for name in ("listings/factories.csv", "listings/parks.csv", "listings/factories-new-units.xlsx",
                 "attachments/gy-standard-factory-application-checklist.docx",
                 "attachments/gy-standard-factory-application-checklist.meta.yaml"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(CORPUS / name, root / name)
    _bad_xlsx(root / "listings" / "locked.xlsx", "encrypted")
    (root / "attachments" / "broken.docx").write_bytes(SAMPLE_DOCX.read_bytes()[:3000])
    settings = Settings(corpus_dir=root, data_dir=tmp_path / "data", embeddings={"backend": "fake"})
    report = IndexBuilder(settings, embeddings=HashEmbeddings(64)).build()
    skipped = {f.doc_id: f.reason for f in report.skipped}
    assert set(skipped) == {"listings/locked.xlsx", "attachments/broken.docx"}
    assert "password-protected" in skipped["listings/locked.xlsx"] and "corrupt" in skipped["attachments/broken.docx"]
    indexed = {f.doc_id: f for f in report.files if f.status == "indexed"}
    assert set(indexed) == {"listings/factories.csv", "listings/parks.csv", "listings/factories-new-units.xlsx",
                            "attachments/gy-standard-factory-application-checklist.docx"}
    assert indexed["listings/factories-new-units.xlsx"].kind == "listing"
    assert "skipped listings/locked.xlsx: [unreadable] password-protected" in report.summary()
