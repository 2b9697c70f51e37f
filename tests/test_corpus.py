"""The shipped sample corpus: valid, complete against the brief, honest about sample data, PDFs in sync.

The coverage checks read the corpus through the project's own loaders, so a fact that is in a file but
lost by a loader (a PDF table, a CSV cell) counts as missing."""

from __future__ import annotations

import csv
import functools
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from assistant.documents import LoadedDocument
from assistant.ingest.check import check_corpus
from assistant.ingest.cli import main
from assistant.ingest.loaders import discover, load_file
from assistant.ingest.loaders.metadata import read_sidecar, split_front_matter
from benchmarks.ocr_accuracy import normalise
from tests.conftest import CORPUS, ROOT, shared_ocr

FACTS = Path(__file__).parent / "fixtures" / "facts.md"
PDF_SOURCES = ROOT / "tools" / "pdf_sources"
SCAN_SOURCES = ROOT / "tools" / "scan_sources"  # sources of the scanned (image-only) sample PDFs

# A number: digits with optional thousands separators and an optional decimal part, not glued to a
# preceding digit or decimal point (so the "5" of "0.5" is not a number of its own).
NUMBER = re.compile(r"(?<![\d.])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
# Ordinals of the brief's own section headings ("## 1. Investment-promotion context") are structure,
# not facts. The brief's lists are "- " bullets, so there are no numbered list markers to skip.
SECTION_ORDINAL = re.compile(r"^#{1,6}\s*\d+\.\s")

# Key terms of the brief (Chinese names of policies, mechanisms and firms) that must be findable.
NAMED_FACTS = (
    "两免三减半", "先租后让", "标准地", "弹性年期", "交地即交证", "一主一特", "东数西算", "5+3",
    "央企招商", "资源招商", "基金招商", "厂房招商", "算力招商", "以商招商",
    "一个项目、一名领导、一个专班、一套方案、一抓到底", "项目管家", "双英", "隆欣", "吉利",
    "磷-硫-钛-铜-铁-锂-氟", "磷都", "观山湖基金小镇", "代理购电", "峰谷分时", "两部制", "需量电价", "容量电价",
    "西部大开发", "加计扣除", "双一流", "安家补贴", "人才公寓", "地方经济贡献", "小兰山", "花溪",
    "国土资发〔2006〕307号", "黔发改价格〔2023〕481号", "黔发改价格〔2026〕421号", "黔发改价格〔2016〕1299号",
    "十五五",
)
SAMPLE_NOTICE = {"zh": "示例数据", "en": "sample data"}
PLACEHOLDER_PHONE = re.compile(r"0851-0000-00\d\d")


@functools.cache
def _documents() -> dict[str, LoadedDocument]:
    ocr = shared_ocr()  # the scanned sample is read as the index builder reads it
    try:
        return {p.relative_to(CORPUS).as_posix(): load_file(p, CORPUS, ocr) for p in discover(CORPUS)}
    finally:
        ocr.close()


def _text(doc: LoadedDocument) -> str:
    return "\n".join(b.text for b in doc.blocks)


def _no_space(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _numbers(text: str) -> set[str]:
    return {m.group().replace(",", "") for m in NUMBER.finditer(text)}


# ---------- (a) validity ----------

def test_shipped_corpus_is_valid() -> None:
    report = check_corpus(CORPUS)
    assert report.ok, report.summary()
    assert report.problems == [] and report.warnings == []
    assert report.files == len(list(discover(CORPUS))) >= 30


# ---------- (b) validator faults, through the command line ----------

def _rewrite_factories(path: Path, edit: Any) -> None:
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    edit(rows)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def _drop_status(rows: list[list[str]]) -> None:
    col = rows[0].index("status")
    for row in rows:
        del row[col]


def _set(row_id: str, column: str, value: str) -> Any:
    def edit(rows: list[list[str]]) -> None:
        row = next(r for r in rows if r[0] == row_id)
        row[rows[0].index(column)] = value
    return edit


def _break_expiry(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert 'expires: ""' in text
    path.write_text(text.replace('expires: ""', "expires: 2025-01-01", 1), encoding="utf-8")


FAULTS = {
    # name: (file to break, how, expected "file:row [column]" and the message)
    "missing_column": ("listings/factories.csv", _drop_status,
                       "listings/factories.csv:1 [status] missing required column"),
    "non_numeric_area": ("listings/factories.csv", _set("F-003", "area_m2", "2600㎡"),
                         "listings/factories.csv:4 [area_m2] not a number: '2600㎡'"),
    "unknown_status": ("listings/factories.csv", _set("F-002", "status", "rented"),
                       "listings/factories.csv:3 [status] unknown status 'rented'"),
    "duplicate_id": ("listings/factories.csv", _set("F-005", "id", "F-004"),
                     "listings/factories.csv:6 [id] duplicate id 'F-004' (first on line 5)"),
    # a misspelt optional key used to be ignored (the year silently dropped); the schema now names it
    "misspelt_rules_key": ("rules/land.yaml", ("  year: 2015\n", "  yaer: 2015\n"),
                           "rules/land.yaml:42 [guizhou_floor_ratio.yaer] unknown key 'yaer'"),
    "expiry_before_effective": ("policies/gy-tax-policy-guide.md", None,
                                "policies/gy-tax-policy-guide.md [expires] expires 2025-01-01 is before effective "
                                "2026-09-01"),
}
SMALL_CORPUS = ("listings/factories.csv", "listings/parks.csv", "policies/gy-tax-policy-guide.md",
                "rules/land.yaml")


def _small_corpus(root: Path) -> Path:
    for name in SMALL_CORPUS:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(CORPUS / name, root / name)
    return root


def _break(root: Path, fault: str) -> str:
    name, edit, expected = FAULTS[fault]
    if edit is None:
        _break_expiry(root / name)
    elif isinstance(edit, tuple):
        text = (root / name).read_text(encoding="utf-8")
        assert text.count(edit[0]) == 1
        (root / name).write_text(text.replace(*edit), encoding="utf-8")
    else:
        _rewrite_factories(root / name, edit)
    return expected


def test_small_corpus_is_valid_before_breaking_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(_small_corpus(tmp_path / "corpus")), "--check"]) == 0
    assert "corpus is valid; 4 files checked" in capsys.readouterr().out


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_check_reports_each_fault_with_file_row_and_column(tmp_path: Path, fault: str,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    root = _small_corpus(tmp_path / "corpus")
    expected = _break(root, fault)
    assert main([str(root), "--check"]) == 1
    out = capsys.readouterr().out
    assert any(line.startswith(expected) for line in out.splitlines()), out
    assert "corpus is INVALID: 1 problem(s)" in out


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "ingest.py", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def test_check_command_exit_codes(tmp_path: Path) -> None:
    ok = _cli(str(CORPUS), "--check")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "corpus is valid" in ok.stdout

    root = _small_corpus(tmp_path / "corpus")
    shutil.copy2(root / "listings/factories.csv", root / "listings/factories-old.csv")
    _rewrite_factories(root / "listings/factories-old.csv", _drop_status)
    expected = ["listings/factories-old.csv:1 [status] missing required column"]
    expected += [_break(root, f) for f in ("non_numeric_area", "unknown_status", "duplicate_id",
                                           "expiry_before_effective")]
    bad = _cli(str(root), "--check")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    lines = bad.stdout.splitlines()
    assert all(any(line.startswith(e) for line in lines) for e in expected), bad.stdout
    assert "corpus is INVALID: 5 problem(s)" in bad.stdout


# ---------- (c) coverage of the brief ----------

def _brief_numbers() -> list[tuple[str, str]]:
    """(number, line) for every number in sections 1-8 of the brief, thousands separators removed."""
    text = FACTS.read_text(encoding="utf-8")
    body = text[text.index("\n## 1."):]  # the preamble before section 1 states no facts
    found = []
    for line in body.splitlines():
        line = SECTION_ORDINAL.sub("", line)
        found += [(m.group().replace(",", ""), line.strip()) for m in NUMBER.finditer(line)]
    return found


def test_every_number_in_the_brief_is_in_the_corpus() -> None:
    corpus_numbers = set().union(*(_numbers(_text(d)) for d in _documents().values()))
    brief = _brief_numbers()
    assert len(brief) > 300  # the regex does see the brief's figures
    missing = sorted({(n, line[:80]) for n, line in brief if n not in corpus_numbers})
    assert not missing, "numbers of the brief not found in corpus/:\n" + "\n".join(f"{n}  ← {ln}" for n, ln in missing)


def test_key_named_facts_are_in_the_corpus() -> None:
    text = "\n".join(_text(d) for d in _documents().values())
    missing = [term for term in NAMED_FACTS if term not in text]
    assert not missing, f"named facts of the brief not found in corpus/: {missing}"


# ---------- (d) sample data and placeholders ----------

def _raw_metadata(path: Path) -> dict[str, Any]:
    if path.suffix in (".pdf", ".docx"):
        return read_sidecar(path)
    return split_front_matter(path.read_text(encoding="utf-8"))[0]


# Corpus gaps found by this test and left for the corpus owner; strict, so fixing one makes it fail here.
KNOWN_UNMARKED: dict[str, str] = {}  # doc_id -> reason, for a sample document awaiting its notice


def _sample_documents() -> list[Any]:
    """Markdown and PDF documents whose front matter or sidecar says sample: true."""
    found = []
    for path in discover(CORPUS):
        if path.suffix in (".md", ".pdf", ".docx") and _raw_metadata(path).get("sample") is True:
            doc_id = path.relative_to(CORPUS).as_posix()
            marks = [pytest.mark.xfail(strict=True, reason=KNOWN_UNMARKED[doc_id])] if doc_id in KNOWN_UNMARKED else []
            found.append(pytest.param(doc_id, marks=marks, id=doc_id))
    return found


@pytest.mark.parametrize("doc_id", _sample_documents())
def test_sample_documents_carry_the_sample_notice(doc_id: str) -> None:
    doc = _documents()[doc_id]
    # Chinese documents say 示例数据; the English guides use the English notice the corpus README defines.
    notice = SAMPLE_NOTICE[doc.meta.language]
    assert notice in _text(doc), f"{doc_id} is marked sample: true but never says {notice!r}"


def test_most_documents_are_sample_documents() -> None:
    assert len(_sample_documents()) >= 20  # the parametrisation above is not silently empty


def test_sample_listing_rows_carry_the_sample_notice() -> None:
    for name in ("factories.csv", "parks.csv"):
        with open(CORPUS / "listings" / name, encoding="utf-8") as fh:
            rows = [r for r in csv.DictReader(fh) if r["sample"] == "true"]
        assert rows
        assert all(any("示例数据" in v for v in r.values()) for r in rows), name
    for path in sorted((CORPUS / "listings").glob("*.xlsx")):  # spreadsheets: the rows as loaded
        rows = [r for t in ("factories", "parks") for r in _documents()[f"listings/{path.name}"].structured.get(t, [])]
        assert rows and all("示例数据" in r["notes"] for r in rows if r["sample"]), path.name


def test_no_real_looking_contacts() -> None:
    texts = {doc_id: _text(doc) for doc_id, doc in _documents().items()}
    texts |= {p.relative_to(ROOT).as_posix(): p.read_text(encoding="utf-8")
              for p in [*CORPUS.rglob("*.md"), *CORPUS.rglob("*.csv"), *CORPUS.rglob("*.yaml"),
                        *PDF_SOURCES.glob("*.md"), *SCAN_SOURCES.glob("*.md")]}
    phones = {(where, m.group()) for where, text in texts.items()
              for m in re.finditer(r"(?<![\d.])0\d{2,3}[-\s]?\d{3,4}[-\s]?\d{3,4}(?!\d)", text)}
    assert any(p == "0851-0000-0000" for _, p in phones)  # the hotline placeholder is there
    assert not [x for x in phones if not PLACEHOLDER_PHONE.fullmatch(x[1])]
    for where, text in texts.items():
        assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)|\+86", text), f"{where}: mobile number"
        assert not re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", text), f"{where}: e-mail address"


# ---------- (e) rules cite existing documents ----------

def _source_titles(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["source"]["title"]] if isinstance(node.get("source"), dict) else []
        return found + [t for v in node.values() for t in _source_titles(v)]
    if isinstance(node, list):
        return [t for v in node for t in _source_titles(v)]
    return []


def test_rule_sources_name_existing_documents() -> None:
    titles = {d.meta.title for doc_id, d in _documents().items() if doc_id.startswith(("policies/", "guide/"))}
    for path in sorted((CORPUS / "rules").glob("*.yaml")):
        cited = _source_titles(yaml.safe_load(path.read_text(encoding="utf-8")))
        assert cited, path.name
        unknown = sorted(set(cited) - titles)
        assert not unknown, f"{path.name} cites documents not in policies/ or guide/: {unknown}"


# ---------- (f) generated PDFs match their sources ----------

def test_generated_pdfs_are_in_sync_with_their_sources() -> None:
    from tools.policy_pdfs import META_KEYS, load_source

    sources = sorted([*PDF_SOURCES.glob("*.md"), *SCAN_SOURCES.glob("*.md")])
    assert {p.stem for p in sources} == {p.stem for p in (CORPUS / "policies").glob("*.pdf")}
    assert len(sources) == len({p.stem for p in sources})  # one source per PDF
    for path in sources:
        src = load_source(path)
        pdf = CORPUS / "policies" / f"{path.stem}.pdf"
        side = read_sidecar(pdf)
        assert {k: str(side.get(k, "")) if k != "sample" else side.get(k) for k in META_KEYS} == \
               {k: str(v) if k != "sample" else v for k, v in src.meta.items()}, f"{pdf.name}: sidecar differs"
        doc = _documents()[f"policies/{pdf.name}"]
        assert doc.meta.title == src.meta["title"] and doc.meta.doc_number == src.meta["doc_number"]
        # A scanned sample is read by OCR, which may write a half-width bracket for a full-width one.
        same = normalise if path.parent == SCAN_SOURCES else _no_space
        flat = same(_text(doc))
        assert same(str(src.meta["doc_number"])) in flat
        stale = [b.text[:40] for b in src.blocks if b.kind == "para" and same(b.text) not in flat]
        assert not stale, f"{pdf.name} lacks paragraphs of its source (run tools/make_*pdf*.py): {stale}"


# ---------- (g) generated Word and Excel samples match their script ----------

def test_office_samples_are_in_sync_with_their_script(tmp_path: Path) -> None:
    from tools.make_office_samples import DOCX_NAME, XLSX_NAME
    from tools.make_office_samples import main as make_samples

    assert make_samples(["--out", str(tmp_path)]) == 0
    for name in (DOCX_NAME, XLSX_NAME):
        fresh, shipped = load_file(tmp_path / name, tmp_path), _documents()[name]
        assert [b.text for b in fresh.blocks] == [b.text for b in shipped.blocks], f"{name}: run tools/make_office_samples.py"
        assert fresh.structured == shipped.structured and fresh.meta.title == shipped.meta.title
    sidecar = Path(DOCX_NAME).with_suffix(".meta.yaml")
    assert (tmp_path / sidecar).read_text(encoding="utf-8") == (CORPUS / sidecar).read_text(encoding="utf-8")
