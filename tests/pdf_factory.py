"""Small PDFs made in tests (Latin text: the core fonts need no CJK font on the machine)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fpdf import FPDF


def text_pdf(path: Path, pages: list[list[str]], header: str = "CITY GAZETTE", footer: bool = True,
             password: str | None = None) -> Path:
    pdf = FPDF()
    pdf.set_font("helvetica", size=11)
    pdf.set_auto_page_break(False)
    for number, lines in enumerate(pages, start=1):
        pdf.add_page()
        pdf.cell(0, 8, header, new_x="LMARGIN", new_y="NEXT")
        for line in lines:
            pdf.cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
        if footer:
            pdf.set_y(-20)
            pdf.cell(0, 8, f"- {number} -", align="C")
    if password:
        pdf.set_encryption(owner_password="owner", user_password=password)
    pdf.output(str(path))
    return path


def image_only_pdf(path: Path, pages: int = 2) -> Path:
    """Pages with drawings and no text layer, like a scan."""
    pdf = FPDF()
    for _ in range(pages):
        pdf.add_page()
        pdf.set_fill_color(200, 200, 200)
        pdf.rect(20, 20, 150, 200, style="F")
    pdf.output(str(path))
    return path


def mixed_pdf(path: Path, pages: list[list[str] | Any]) -> Path:
    """A PDF whose pages are Latin text lines (a list of str) or a picture (a PIL image), like a text
    document with a scanned page in it. Pictures sit at the top of the page, 170 mm wide."""
    pdf = FPDF()
    pdf.set_font("helvetica", size=11)
    pdf.set_auto_page_break(False)
    for page in pages:
        pdf.add_page()
        if isinstance(page, list):
            for line in page:
                pdf.cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.image(page, x=20, y=30, w=170)
    pdf.output(str(path))
    return path
