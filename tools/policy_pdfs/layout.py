"""Page layout of the sample PDFs: sizes and colours, where lines may break, table column widths, and the
A4 page with its red issuer header and ``— N —`` footer."""

from __future__ import annotations

import re

RED = (200, 16, 16)
BLACK = (0, 0, 0)
PAGE_MARGIN_X = 25.0
BODY_SIZE = 12.0
LINE_H = 7.4
INDENT = 2 * BODY_SIZE * 0.3528  # two ideographic widths, in mm

# Runs that must never be split across lines: document numbers, numbers with units or decimals,
# Latin words. Everything else (CJK) may break between any two characters.
UNBREAKABLE = re.compile(
    r"[〔\[]\d{4}[〕\]]\d+号"
    r"|[0-9A-Za-z][0-9A-Za-z.,:%/+\-–—_~²³㎡×·]*"
    r"|[/≤≥~–\-][0-9A-Za-z.,%/²㎡]+"
)
NO_LINE_START = set("，。、；：？！）》」』〕】”’%…—·,.;:)")
NO_LINE_END = set("（《「『〔【“‘(")


def tokenise(text: str) -> list[str]:
    tokens: list[str] = []
    pos = 0
    while pos < len(text):
        m = UNBREAKABLE.match(text, pos)
        if m and m.end() > pos:
            tokens.append(m.group())
            pos = m.end()
        else:
            tokens.append(text[pos])
            pos += 1
    return tokens


def fit_widths(natural: list[float], available: float) -> list[float]:
    """Keep narrow columns (ids, numbers) at their natural width and shrink only the wide ones."""
    if sum(natural) <= available:
        return natural
    share = available / len(natural)
    fixed = sum(w for w in natural if w <= share)
    flexible = sum(w for w in natural if w > share)
    if fixed >= available or flexible == 0:
        return [w * available / sum(natural) for w in natural]
    scale = (available - fixed) / flexible
    return [w if w <= share else w * scale for w in natural]


def make_pdf_class() -> type:
    # fpdf is imported lazily so that importing this module does no work.
    from fpdf import FPDF

    class GovDoc(FPDF):
        """A4 page with a red issuer header on every page and a ``— N —`` footer."""

        def __init__(self, header_text: str) -> None:
            super().__init__(orientation="P", unit="mm", format="A4")
            self.header_text = header_text

        def header(self) -> None:
            self.set_text_color(*RED)
            self.set_draw_color(*RED)
            if self.page_no() == 1:
                self.set_font("cjk", size=24)
                self.set_char_spacing(1.5)
                self.set_xy(PAGE_MARGIN_X, 16)
                self.cell(w=self.epw, h=12, text=self.header_text, align="C")
                self.set_char_spacing(0)
                self.set_line_width(0.9)
                self.line(PAGE_MARGIN_X, 33, self.w - PAGE_MARGIN_X, 33)
                self.set_line_width(0.3)
                self.line(PAGE_MARGIN_X, 34.4, self.w - PAGE_MARGIN_X, 34.4)
                self.set_y(40)
            else:
                self.set_font("cjk", size=11)
                self.set_xy(PAGE_MARGIN_X, 12)
                self.cell(w=self.epw, h=6, text=self.header_text, align="C")
                self.set_line_width(0.5)
                self.line(PAGE_MARGIN_X, 19.5, self.w - PAGE_MARGIN_X, 19.5)
                self.set_y(26)
            self.set_text_color(*BLACK)
            self.set_draw_color(*BLACK)
            self.set_line_width(0.2)
            self.set_font("cjk", size=BODY_SIZE)

        def footer(self) -> None:
            self.set_y(-18)
            self.set_font("cjk", size=12)
            self.set_text_color(*BLACK)
            self.cell(w=0, h=8, text=f"— {self.page_no()} —", align="C")

    return GovDoc
