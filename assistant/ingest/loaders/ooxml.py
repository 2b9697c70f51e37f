"""Word (.docx) and Excel (.xlsx) files are zip packages. Checked before parsing, so staff get a reason
they can act on instead of a parser's traceback, and a zip bomb is refused in milliseconds instead of being
expanded: first the sizes and compression ratios of the central directory, then a streamed count of what
python-docx / openpyxl would build an object for (paragraphs, table cells, sheet cells)."""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from assistant.ingest.loaders.budgets import MB, size_text
from assistant.ingest.loaders.errors import TooLarge, Unreadable
from assistant.settings import IngestBudgets

# An OLE compound file: what Office writes for a password-protected (encrypted) .docx/.xlsx, and for the
# legacy binary .doc/.xls formats.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_WORD = ("http://schemas.openxmlformats.org/wordprocessingml/2006/main", "http://purl.oclc.org/ooxml/wordprocessingml/main")
_SHEET = ("http://schemas.openxmlformats.org/spreadsheetml/2006/main", "http://purl.oclc.org/ooxml/spreadsheetml/main")
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError, RuntimeError, ValueError)


def check_package(path: Path, kind: str, budgets: IngestBudgets) -> None:
    """Raise Unreadable unless ``path`` is a readable zip package, TooLarge when its members expand past the
    budgets; ``kind`` names the format for the reason. Reads only the zip's central directory."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise Unreadable(f"cannot read {kind} file: {exc}") from exc
    if head == _OLE_MAGIC:
        raise Unreadable(f"password-protected (encrypted) or legacy binary {kind} file: save it as "
                         f"{path.suffix.lower()} without a password")
    if not zipfile.is_zipfile(path):
        raise Unreadable(f"corrupt {kind} file: not a {path.suffix.lower()} (zip) package")
    try:
        with zipfile.ZipFile(path) as package:
            members = package.infolist()
    except _ZIP_ERRORS as exc:
        raise Unreadable(f"corrupt {kind} file: {exc}") from exc
    _check_members(members, budgets)


def _check_members(members: list[zipfile.ZipInfo], budgets: IngestBudgets) -> None:
    # The declared sizes are what zipfile (and so python-docx and openpyxl) will expand at most: it stops
    # reading a member at its declared size.
    total = 0
    for member in members:
        size = member.file_size
        if size > budgets.max_member_mb * MB:
            raise TooLarge(f"{member.filename} expands to {size_text(size)} (limit {budgets.max_member_mb:g} MB)")
        ratio = size / max(member.compress_size, 1)
        if size >= budgets.ratio_from_mb * MB and ratio > budgets.max_compression_ratio:
            raise TooLarge(f"{member.filename} expands {ratio:,.0f} times, to {size_text(size)} from "
                           f"{size_text(member.compress_size)} (limit {budgets.max_compression_ratio:g} times)")
        total += size
    if total > budgets.max_package_mb * MB:
        raise TooLarge(f"the package expands to {size_text(total)} in all (limit {budgets.max_package_mb:g} MB)")


def _xml_events(package: zipfile.ZipFile, name: str) -> Iterator[tuple[str, ElementTree.Element]]:
    """("start" | "end", element) of one XML member, read as a stream. Each element leaves the tree once it
    ends, so memory stays flat however many there are (attributes are read at "start")."""
    open_elements: list[ElementTree.Element] = []
    with package.open(name) as stream:
        for event, element in ElementTree.iterparse(stream, events=("start", "end")):
            if event == "start":
                open_elements.append(element)
                yield event, element
                continue
            open_elements.pop()
            yield event, element
            # Events come a block of input at a time, so later siblings may be in the tree already; the earlier
            # ones were removed as they ended, which leaves this one first.
            parent = open_elements[-1] if open_elements else None
            if parent is not None and len(parent) and parent[0] is element:
                del parent[0]


def _xml_members(package: zipfile.ZipFile) -> list[str]:
    # Every XML part, not only the usual names: a package may place its parts anywhere its relationships say.
    return [m.filename for m in package.infolist() if m.filename.lower().endswith(".xml") and not m.is_dir()]


def _local(tag: str, namespaces: tuple[str, ...]) -> str:
    """The tag's local name when it is in one of ``namespaces``, else ""."""
    if tag[:1] != "{":
        return ""
    namespace, _, local = tag[1:].partition("}")
    return local if namespace in namespaces else ""


def _stream(path: Path, kind: str, count: PartCount) -> None:
    try:
        with zipfile.ZipFile(path) as package:
            for name in _xml_members(package):
                count.member(name)
                for event, element in _xml_events(package, name):
                    count.see(event, element)
                count.done()
    except ElementTree.ParseError as exc:
        raise Unreadable(f"corrupt or unreadable {kind} file: {exc}") from exc
    except _ZIP_ERRORS as exc:
        raise Unreadable(f"corrupt or unreadable {kind} file: {type(exc).__name__}: {exc}") from exc


class PartCount:
    """What a parser would build objects for, counted element by element; raises TooLarge at the budget."""

    name = ""  # the part being read, for the reason

    def member(self, name: str) -> None:
        self.name = name

    def see(self, event: str, element: ElementTree.Element) -> None:
        raise NotImplementedError

    def done(self) -> None:
        pass


@dataclass
class WordCount(PartCount):
    """Paragraphs (<w:p>, python-docx makes one object each) and table cells (one per grid column a cell
    spans: python-docx repeats a merged cell over them, so a huge gridSpan is a bomb of its own)."""

    budgets: IngestBudgets
    paragraphs: int = 0
    cells: int = 0

    def see(self, event: str, element: ElementTree.Element) -> None:
        if event != "start":
            return
        local = _local(element.tag, _WORD)
        if local == "p":
            self.paragraphs += 1
            if self.paragraphs > self.budgets.max_paragraphs:
                raise TooLarge(f"more than {self.budgets.max_paragraphs:,} paragraphs by {self.name}, where counting "
                               f"stopped (limit {self.budgets.max_paragraphs:,} paragraphs)")
        elif local == "tc":
            self._add_cells(1)
        elif local == "gridSpan":  # the columns a cell spans past its first
            namespace = element.tag[:element.tag.index("}") + 1]
            self._add_cells(max(_int(element.get(namespace + "val")) - 1, 0))

    def _add_cells(self, n: int) -> None:
        self.cells += n
        if self.cells > self.budgets.max_cells:
            raise TooLarge(f"more than {self.budgets.max_cells:,} table cells by {self.name}, where counting "
                           f"stopped (limit {self.budgets.max_cells:,} cells)")


@dataclass
class SheetCount(PartCount):
    """Rows and cells of the grid openpyxl builds for each sheet: every row up to the last used one, every
    column up to the last used one, a cell object for each member of a merged range. A sheet without
    cells adds nothing; parts that are no sheets have none."""

    budgets: IngestBudgets
    rows: int = 0  # of the sheets already counted
    cells: int = 0
    _row: int = 0  # the sheet being read: current row, last column in it, and its extent so far
    _col: int = 0
    _max_row: int = 0
    _max_col: int = 0

    def member(self, name: str) -> None:
        super().member(name)
        self._row = self._col = self._max_row = self._max_col = 0

    def see(self, event: str, element: ElementTree.Element) -> None:
        if event != "start":
            return
        local = _local(element.tag, _SHEET)
        if local == "row":  # a row without its number follows the one before, as openpyxl reads it
            self._row = _int(element.get("r")) or self._row + 1
            self._col = 0
        elif local == "c":
            bounds = _bounds(element.get("r"))
            self._col, row = (bounds[0], bounds[1]) if bounds else (self._col + 1, self._row or 1)
            self._extend(row, self._col)
        elif local == "mergeCell":
            bounds = _bounds(element.get("ref"))
            if bounds:
                self._extend(bounds[3], bounds[2])

    def _extend(self, row: int, col: int) -> None:
        self._max_row, self._max_col = max(self._max_row, row), max(self._max_col, col)
        rows, cells = self.rows + self._max_row, self.cells + self._max_row * self._max_col
        if rows > self.budgets.max_rows:
            raise TooLarge(f"more than {self.budgets.max_rows:,} rows by {self.name}, where counting stopped "
                           f"(limit {self.budgets.max_rows:,} rows)")
        if cells > self.budgets.max_cells:
            raise TooLarge(f"more than {self.budgets.max_cells:,} cells by {self.name} (its rows x columns up to "
                           f"the last used cell; limit {self.budgets.max_cells:,} cells)")

    def done(self) -> None:
        self.rows += self._max_row
        self.cells += self._max_row * self._max_col


def _int(text: str | None) -> int:
    try:
        return int(text) if text else 0
    except ValueError:
        return 0


def _bounds(ref: str | None) -> tuple[int, int, int, int] | None:
    """(min col, min row, max col, max row) of "B3" or "A1:XFD1048576"; None when absent or malformed."""
    if not ref:
        return None
    from openpyxl.utils.cell import range_boundaries

    try:
        bounds = range_boundaries(ref)
    except (ValueError, TypeError):
        return None
    return bounds if all(b is not None for b in bounds) else None  # type: ignore[return-value]


def check_word_parts(path: Path, budgets: IngestBudgets) -> WordCount:
    """Paragraphs and table cells of every XML part, counted by streaming before python-docx opens the file."""
    count = WordCount(budgets)
    _stream(path, "Word", count)
    return count


def check_sheet_parts(path: Path, budgets: IngestBudgets) -> SheetCount:
    """Rows and cells of every sheet, counted by streaming before openpyxl opens the file."""
    count = SheetCount(budgets)
    _stream(path, "Excel", count)
    return count
