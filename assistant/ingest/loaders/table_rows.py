"""One table row as one self-contained line: each value with its column name ("列名：值；…。").

Shared by every loader that meets a table (Markdown, Word, spreadsheets, PDF), so a row retrieved alone
still says what its numbers are."""

from __future__ import annotations

from collections.abc import Sequence


def row_text(header: Sequence[str], values: Sequence[str]) -> str:
    """'电压等级：10kV；电量电价（元/kWh）：0.1238。' Empty cells are left out; a value without a column name
    stands alone."""
    pairs = [f"{h}：{v}" if h else v for h, v in zip(header, values, strict=False) if v]
    return "；".join(pairs) + "。" if pairs else ""
