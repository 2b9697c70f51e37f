"""``ingest.py --check``: validate a corpus folder without embedding anything.

Problems (exit non-zero) are metadata, listing and rules faults with file, row and column. Warnings are
files that ingest would skip (needs OCR, unreadable, unsupported, too large for a budget): reported, never
fatal. The chunk budget needs chunking and is judged by ingest only."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from assistant.calculators import validate_rules_file
from assistant.documents import Skipped
from assistant.ingest.loaders import LoaderError, check_text_size, discover
from assistant.ingest.loaders.budgets import TEXT_SUFFIXES, read_text
from assistant.ingest.loaders.docx import open_docx
from assistant.ingest.loaders.metadata import read_sidecar, sidecar_path, split_front_matter
from assistant.ingest.loaders.pdf import read_pdf_pages
from assistant.ingest.loaders.spreadsheet import check_workbook, listing_ids
from assistant.lexicon import LEXICON_FILE, LexiconError, load_lexicon
from assistant.settings import IngestBudgets
from assistant.validation import (
    Problem,
    display_path,
    read_csv,
    validate_factories_csv,
    validate_metadata,
    validate_parks_csv,
)


@dataclass
class CheckReport:
    files: int = 0
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        lines = [str(p) for p in self.problems] + [f"warning: {w}" for w in self.warnings]
        verdict = "corpus is valid" if self.ok else f"corpus is INVALID: {len(self.problems)} problem(s)"
        return "\n".join(lines + [f"{verdict}; {self.files} files checked, {len(self.warnings)} warning(s)"])


def check_corpus(root: Path, budgets: IngestBudgets | None = None) -> CheckReport:
    """``budgets``: those ingest applies (default: the settings' defaults), so a file past one is reported."""
    budgets = budgets or IngestBudgets()
    report = CheckReport()
    if not root.is_dir():
        report.problems.append(Problem(str(root), None, None, "corpus folder not found"))
        return report
    try:
        load_lexicon(root)
    except LexiconError as err:
        report.problems += [Problem(LEXICON_FILE, line, key or None, message) for line, key, message in err.problems]
    ids: dict[str, str] = {}  # listing row id -> where it is first listed
    links: list[Skipped] = []
    for path in discover(root, links):
        report.files += 1
        rel = path.relative_to(root).as_posix()
        try:
            problems = _check_file(path, rel, report.warnings, budgets)
            report.problems.extend(problems)
            if not problems or path.suffix.lower() == ".xlsx":  # an invalid CSV is not loaded: its ids clash with none
                report.problems.extend(_duplicate_ids(path, ids, budgets))
        except LoaderError as exc:
            report.warnings.append(f"{rel}: would be skipped [{exc.status}] {exc}")
    report.warnings += [f"{s.path}: would be skipped [{s.status}] {s.reason}" for s in links]
    return report


def _duplicate_ids(path: Path, seen: dict[str, str], budgets: IngestBudgets) -> list[Problem]:
    """Answers join a listing row to its citation by id, so an id must be unique across all listing files."""
    shown, suffix = display_path(path), path.suffix.lower()
    if suffix == ".xlsx":
        found = listing_ids(path, shown, budgets)
    elif suffix == ".csv":
        try:
            header, rows = read_csv(path)
        except (OSError, UnicodeDecodeError, ValueError):
            return []  # reported by the file's own check
        if not {"clear_height_m", "land_price_yuan_m2"} & set(header):
            return []  # not a listing
        found = [(row["id"], shown) for _, row in rows if row.get("id")]
    else:
        return []
    problems = []
    for ident, where in found:
        if ident in seen and seen[ident] != where:
            problems.append(Problem(where, None, "id", f"id {ident!r} is already used in {seen[ident]}"))
        seen.setdefault(ident, where)
    return problems


def _check_file(path: Path, rel: str, warnings: list[str], budgets: IngestBudgets) -> list[Problem]:
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        check_text_size(path, budgets)  # raises, as ingest would, before the file is read
    if suffix in (".md", ".markdown", ".txt"):
        try:
            raw, _ = split_front_matter(read_text(path, budgets))
        except LoaderError:
            raise  # past a budget: a skip, not a metadata problem
        except Exception as exc:  # YAML and decoding errors alike mean bad front matter
            return [Problem(rel, None, "front matter", f"cannot parse: {exc}")]
        if not raw:
            if suffix == ".txt":
                warnings.append(f"{rel}: no front matter, title taken from the file name")
                return []
            return [Problem(rel, None, "front matter", "missing (title, issuer, topic, effective, language)")]
        return validate_metadata(raw, rel)
    if suffix == ".pdf":
        read_pdf_pages(path, budgets)  # raises when the PDF would be skipped
        if not sidecar_path(path).exists():
            warnings.append(f"{rel}: no sidecar {sidecar_path(path).name}; title taken from the PDF")
            return []
        return validate_metadata(read_sidecar(path), sidecar_path(path).relative_to(path.parent).as_posix())
    if suffix == ".docx":
        open_docx(path, budgets)  # raises when the Word file would be skipped
        return _docx_metadata(path, rel, warnings)
    if suffix in (".csv", ".xlsx"):
        return _check_table(path, warnings, budgets)
    if suffix in (".yaml", ".yml"):
        return validate_rules_file(path)
    warnings.append(f"{rel}: unsupported file type, would be skipped")
    return []


def _docx_metadata(path: Path, rel: str, warnings: list[str]) -> list[Problem]:
    if not sidecar_path(path).exists():
        warnings.append(f"{rel}: no sidecar {sidecar_path(path).name}; title taken from the document properties")
        return []
    return validate_metadata(read_sidecar(path), sidecar_path(path).relative_to(path.parent).as_posix())


def _check_table(path: Path, warnings: list[str], budgets: IngestBudgets) -> list[Problem]:
    if path.suffix.lower() == ".xlsx":
        problems, notes = check_workbook(path, display_path(path), budgets)
        warnings.extend(str(n) for n in notes)
        return problems
    header = path.read_text(encoding="utf-8-sig").splitlines()[:1]
    columns = set(header[0].split(",")) if header else set()
    if "clear_height_m" in columns:
        return validate_factories_csv(path)
    if "land_price_yuan_m2" in columns:
        return validate_parks_csv(path)
    return []
