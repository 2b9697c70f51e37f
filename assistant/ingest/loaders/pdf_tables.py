"""Tables in text PDFs: a header line followed by rows of figures becomes one line per row, each value with
its column name, so a retrieved row still says which voltage level or land grade its numbers belong to.

pypdf gives a drawn table as one line per row with cells separated by ASCII spaces (Chinese prose has
none), and a unit set under a column name as its own token: "电量电价 （元/kWh）". A table is a header
line of n text cells followed by lines of n cells, the first of them holding a number. A table cut by a
page break without a repeated header keeps the header of the page before."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.ingest.loaders.table_rows import row_text

_NUMBER = re.compile(r"^[≤≥<>~约]?-?\d[\d,]*(\.\d+)?%?$")
_PROSE = re.compile(r"^第[一二三四五六七八九十百零〇\d]+[章节条]|[。；！？]$")
_MAX_CELL = 30  # longer "cells" are sentences that happen to contain spaces


def cells(line: str) -> list[str]:
    """Split on ASCII spaces; a bracketed unit token joins the cell before it."""
    out: list[str] = []
    for token in line.split():
        if out and token[0] in "（(" and not _NUMBER.match(token):
            out[-1] += token
        else:
            out.append(token)
    return out


def _is_header(parts: list[str]) -> bool:
    return (len(parts) >= 2 and all(len(p) <= _MAX_CELL for p in parts)
            and not any(_NUMBER.match(p) for p in parts))


def _fits(parts: list[str], width: int) -> bool:
    return len(parts) == width and all(len(p) <= _MAX_CELL for p in parts)


def _has_number(parts: list[str]) -> bool:
    return any(_NUMBER.match(p) for p in parts)


@dataclass
class PdfTables:
    """Render the tables of a PDF page by page; the open table's header carries over a page break."""

    header: list[str] = field(default_factory=list)

    def render(self, paras: list[str]) -> list[str]:
        out: list[str] = []
        header = self.header  # only valid for rows at the very top of the page
        for i, para in enumerate(paras):
            if _PROSE.search(para.strip()):
                header = []
                out.append(para)
                continue
            parts = cells(para)
            if header and parts == header:
                continue  # the header repeated on a continuation page
            if header and _fits(parts, len(header)):
                out.append(row_text(header, parts))
                continue
            following = cells(paras[i + 1]) if i + 1 < len(paras) else []
            if _is_header(parts) and _fits(following, len(parts)) and _has_number(following):
                header = parts  # the header line itself is not kept: every row now carries it
                continue
            header = []
            out.append(para)
        self.header = header
        return out
