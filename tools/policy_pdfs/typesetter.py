"""Typesetting one source as a government-style PDF: metadata, wrapped lines, titles, notices and tables."""

from __future__ import annotations

import datetime as dt

from tools.policy_pdfs.fonts import FontChoice
from tools.policy_pdfs.layout import (
    BLACK,
    BODY_SIZE,
    INDENT,
    LINE_H,
    NO_LINE_END,
    NO_LINE_START,
    PAGE_MARGIN_X,
    RED,
    fit_widths,
    make_pdf_class,
    tokenise,
)
from tools.policy_pdfs.sources import Source


class Renderer:
    def __init__(self, src: Source, font: FontChoice) -> None:
        self.src = src
        self.pdf = make_pdf_class()(f"{src.meta['issuer']}文件")
        pdf = self.pdf
        pdf.add_font("cjk", "", str(font.path), collection_font_number=font.index)
        names = []
        for n, fb in enumerate(font.fallbacks):
            pdf.add_font(f"fallback{n}", "", str(fb))
            names.append(f"fallback{n}")
        if names:
            pdf.set_fallback_fonts(names)
        pdf.set_margins(PAGE_MARGIN_X, 26, PAGE_MARGIN_X)
        pdf.set_auto_page_break(True, margin=24)
        pdf.c_margin = 0
        self.set_metadata()

    def set_metadata(self) -> None:
        meta = self.src.meta
        pdf = self.pdf
        pdf.set_title(str(meta["title"]))
        subject_parts = [f"主题：{meta['topic']}"]
        if meta["doc_number"]:
            subject_parts.append(f"文号：{meta['doc_number']}")
        subject_parts.append(f"生效：{meta['effective']}")
        if meta["expires"]:
            subject_parts.append(f"失效：{meta['expires']}")
        if meta["sample"]:
            subject_parts.append("含示例数据")
        pdf.set_subject("；".join(subject_parts))
        pdf.set_author(str(meta["issuer"]))
        pdf.set_keywords(" ".join(filter(None, [str(meta["topic"]), str(meta["district"]), "贵阳贵安"])))
        pdf.set_creator("tools/make_pdfs.py (fpdf2)")
        pdf.set_lang("zh-CN")
        # A fixed date keeps regenerated PDFs byte-identical unless the text changes.
        effective = dt.date.fromisoformat(str(meta["effective"]))
        pdf.set_creation_date(dt.datetime(effective.year, effective.month, effective.day, tzinfo=dt.UTC))

    # -- text helpers
    def wrap(self, text: str, first_width: float, width: float) -> list[str]:
        pdf = self.pdf
        lines: list[str] = []
        line = ""
        avail = first_width
        for tok in tokenise(text):
            if not line and tok.isspace():
                continue
            candidate = line + tok
            if pdf.get_string_width(candidate) <= avail or not line:
                line = candidate
                continue
            if tok[0] in NO_LINE_START:  # hang closing punctuation in the margin
                line = candidate
                continue
            carry = ""
            if line[-1] in NO_LINE_END:
                line, carry = line[:-1], line[-1]
            lines.append(line.rstrip())
            line = carry + tok.lstrip()
            avail = width
        if line.strip():
            lines.append(line.rstrip())
        return lines

    def write_lines(self, text: str, indent: float = 0.0, hanging: float = 0.0, align: str = "L",
                    size: float = BODY_SIZE, line_h: float = LINE_H) -> None:
        pdf = self.pdf
        pdf.set_font("cjk", size=size)
        x0 = pdf.l_margin
        width = pdf.epw
        for n, line in enumerate(self.wrap(text, width - indent, width - hanging)):
            pdf.set_x(x0 + (indent if n == 0 else hanging))
            w = width - (indent if n == 0 else hanging)
            pdf.cell(w=w, h=line_h, text=line, align=align, new_x="LMARGIN", new_y="NEXT")

    def bold_lines(self, text: str, **kwargs: object) -> None:
        # The CJK fonts have no bold face; stroking the outline gives a convincing heavy weight.
        # local_context wraps it in q/Q so the stroke mode cannot leak into following text.
        with self.pdf.local_context(text_mode="FILL_STROKE", line_width=0.25):
            self.write_lines(text, **kwargs)  # type: ignore[arg-type]

    # -- blocks
    def title(self, text: str) -> None:
        self.bold_lines(text, align="C", size=18, line_h=10)
        if self.src.meta["doc_number"]:
            self.pdf.ln(2)
            self.write_lines(str(self.src.meta["doc_number"]), align="C", size=12)
        self.pdf.ln(5)

    def chapter(self, text: str) -> None:
        pdf = self.pdf
        if pdf.will_page_break(LINE_H * 3):
            pdf.add_page()
        pdf.ln(2)
        self.bold_lines(text, align="C", size=13.5, line_h=8.5)
        pdf.ln(1.5)

    def section(self, text: str) -> None:
        if self.pdf.will_page_break(LINE_H * 3):
            self.pdf.add_page()
        self.pdf.ln(1)
        self.bold_lines(text, indent=INDENT, hanging=INDENT)

    def notice(self, text: str) -> None:
        pdf = self.pdf
        pdf.set_font("cjk", size=10.5)
        pad = 3.0
        lines = self.wrap(text, pdf.epw - 2 * pad, pdf.epw - 2 * pad)
        height = len(lines) * 6.2 + 2 * pad
        if pdf.will_page_break(height):
            pdf.add_page()
        y0 = pdf.get_y()
        pdf.set_draw_color(*RED)
        pdf.set_fill_color(253, 243, 243)
        pdf.rect(pdf.l_margin, y0, pdf.epw, height, style="DF")
        pdf.set_draw_color(*BLACK)
        pdf.set_y(y0 + pad)
        for line in lines:
            pdf.set_x(pdf.l_margin + pad)
            pdf.cell(w=pdf.epw - 2 * pad, h=6.2, text=line, new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(y0 + height + 3)

    def table(self, rows: list[list[str]]) -> None:
        from fpdf.fonts import FontFace

        pdf = self.pdf
        ncols = len(rows[0])
        size = 10.0 if ncols <= 5 else 8.5 if ncols <= 8 else 7.5
        pdf.set_font("cjk", size=size)
        cells = [[c.replace("<br>", "\n") for c in r] for r in rows]
        natural = [
            max(pdf.get_string_width(part) for r in cells for part in r[c].split("\n")) + 3.5
            for c in range(ncols)
        ]
        widths = fit_widths(natural, pdf.epw)
        line_h = size * 0.3528 * 1.55
        # Rough height: a short table, or one that would start at the very bottom, moves whole to the
        # next page; a long one splits with its heading row repeated.
        est = sum(max(c.count("\n") + 1 for c in r) * line_h + 2.4 for r in cells)
        room = pdf.page_break_trigger - pdf.get_y()
        if est + 4 > room and (est < 60 or room < 60):
            pdf.add_page()
        pdf.ln(1)
        with pdf.table(
            col_widths=tuple(widths),
            width=min(sum(widths), pdf.epw),
            text_align="CENTER",
            line_height=line_h,
            headings_style=FontFace(fill_color=(238, 238, 238)),
            padding=1.2,
            first_row_as_headings=True,
            repeat_headings=1,
        ) as table:
            for r in cells:
                row = table.row()
                for cell in r:
                    row.cell(cell)
        pdf.ln(3)
        pdf.set_font("cjk", size=BODY_SIZE)

    def render(self) -> bytes:
        pdf = self.pdf
        pdf.add_page()
        signature_started = False
        for block in self.src.blocks:
            if block.kind == "title":
                self.title(block.text)
            elif block.kind == "chapter":
                self.chapter(block.text)
            elif block.kind == "section":
                self.section(block.text)
            elif block.kind == "para":
                self.write_lines(block.text, indent=INDENT)
            elif block.kind == "bullet":
                self.write_lines("• " + block.text, indent=INDENT, hanging=INDENT + 3.5)
            elif block.kind == "notice":
                self.notice(block.text)
            elif block.kind == "table":
                self.table(block.rows)
            elif block.kind == "signature":
                if not signature_started:
                    if pdf.will_page_break(LINE_H * 4):
                        pdf.add_page()
                    pdf.ln(LINE_H * 1.5)
                    signature_started = True
                self.write_lines(block.text, align="R")
        return bytes(pdf.output())
