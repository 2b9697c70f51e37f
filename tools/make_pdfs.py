"""Generate the sample policy PDFs in corpus/policies/ from Markdown sources in tools/pdf_sources/.

Each source is a Markdown file with the corpus front matter (title, issuer, doc_number, topic, district,
effective, expires, language, sample). For every source ``<stem>.md`` the script writes
``corpus/policies/<stem>.pdf`` (government-document layout: red header on each page, document number
under the title, ``— N —`` page numbers) and the sidecar ``corpus/policies/<stem>.meta.yaml``.

The sources live outside corpus/ so that the ingester does not read the same text twice.
The generated PDFs are committed, so CI never needs a CJK font; only whoever edits a source does.

Usage:
    .venv/bin/python tools/make_pdfs.py                 # all sources
    .venv/bin/python tools/make_pdfs.py --only gy-land-supply-price-guide
    .venv/bin/python tools/make_pdfs.py --font /path/to/font.ttc --font-index 0

Markdown subset understood: ``# title``, ``## chapter`` (centred), ``### section``, paragraphs (lines
joined without spaces), ``- `` bullet items, ``> `` notice boxes, pipe tables, ``**bold**`` (markers are
dropped) and a ``<!-- signature -->`` marker after which every line is set flush right (issuer, date).
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCES = REPO_ROOT / "tools" / "pdf_sources"
DEFAULT_OUT = REPO_ROOT / "corpus" / "policies"

# (path, index inside a .ttc collection). WenQuanYi Micro Hei covers CJK, Latin and the symbols we use
# (〔〕 ㎡ ≤ — ×); Droid Sans Fallback has no Latin, so it is paired with DejaVu Sans below.
KNOWN_FONTS: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
    ("/usr/share/fonts-droid-fallback/truetype/DroidSansFallbackFull.ttf", 0),
)
LATIN_FALLBACKS: tuple[str, ...] = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",)
FONT_HELP = (
    "no CJK font found; install one with `apt-get install -y fonts-wqy-microhei` "
    "(or fonts-droid-fallback together with fonts-dejavu-core), or pass --font PATH"
)

META_KEYS: tuple[str, ...] = (
    "title", "issuer", "doc_number", "topic", "district", "effective", "expires", "language", "sample",
)
REQUIRED_KEYS: tuple[str, ...] = ("title", "issuer", "topic", "effective", "language", "sample")
TOPICS = {"overview", "parks", "factories", "electricity", "land", "talent", "incentives", "tax", "service"}

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


class SourceError(Exception):
    """A Markdown source is malformed (front matter or body)."""


@dataclass
class Block:
    kind: str  # title | chapter | section | para | bullet | notice | table | signature
    text: str = ""
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class Source:
    path: Path
    meta: dict[str, object]
    blocks: list[Block]

    @property
    def stem(self) -> str:
        return self.path.stem


@dataclass(frozen=True)
class FontChoice:
    path: Path
    index: int
    fallbacks: tuple[Path, ...]


# ---------------------------------------------------------------- parsing

def split_front_matter(text: str, path: Path) -> tuple[dict[str, object], str]:
    if not text.startswith("---\n"):
        raise SourceError(f"{path}: missing front matter")
    end = text.find("\n---\n", 4)
    if end < 0:
        raise SourceError(f"{path}: unterminated front matter")
    meta = yaml.safe_load(text[4:end]) or {}
    if not isinstance(meta, dict):
        raise SourceError(f"{path}: front matter is not a mapping")
    return meta, text[end + 5:]


def normalise_date(value: object, key: str, path: Path) -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return value
    raise SourceError(f"{path}: {key} must be YYYY-MM-DD, got {value!r}")


def validate_meta(meta: dict[str, object], path: Path) -> dict[str, object]:
    missing = [k for k in REQUIRED_KEYS if meta.get(k) in (None, "")]
    if missing:
        raise SourceError(f"{path}: missing front matter keys {missing}")
    unknown = sorted(set(meta) - set(META_KEYS))
    if unknown:
        raise SourceError(f"{path}: unknown front matter keys {unknown}")
    if meta["topic"] not in TOPICS:
        raise SourceError(f"{path}: topic {meta['topic']!r} not in {sorted(TOPICS)}")
    if meta["language"] not in ("zh", "en"):
        raise SourceError(f"{path}: language must be zh or en")
    if not isinstance(meta["sample"], bool):
        raise SourceError(f"{path}: sample must be true or false")
    clean: dict[str, object] = {}
    for key in META_KEYS:
        value = meta.get(key, "")
        if key in ("effective", "expires"):
            value = normalise_date(value, key, path)
        elif key != "sample":
            value = "" if value is None else str(value)
        clean[key] = value
    if not clean["effective"]:
        raise SourceError(f"{path}: effective is required")
    return clean


def strip_inline(text: str) -> str:
    return text.replace("**", "").replace("`", "")


def parse_table(lines: list[str]) -> list[list[str]]:
    rows = []
    for line in lines:
        cells = [strip_inline(c.strip()) for c in line.strip().strip("|").split("|")]
        if all(re.fullmatch(r":?-{2,}:?", c) for c in cells):
            continue  # separator row
        rows.append(cells)
    widths = {len(r) for r in rows}
    if len(widths) != 1:
        raise SourceError(f"table rows have different cell counts: {sorted(widths)}")
    return rows


def parse_body(body: str, path: Path) -> list[Block]:
    blocks: list[Block] = []
    lines = body.splitlines()
    i = 0
    para: list[str] = []
    in_signature = False

    def flush() -> None:
        if para:
            blocks.append(Block("para", strip_inline("".join(s.strip() for s in para))))
            para.clear()

    while i < len(lines):
        line = lines[i].rstrip()
        stripped = line.strip()
        if stripped == "<!-- signature -->":
            flush()
            in_signature = True
        elif in_signature:
            if stripped:
                blocks.append(Block("signature", strip_inline(stripped)))
        elif not stripped:
            flush()
        elif stripped.startswith("|"):
            flush()
            table_lines = []
            while i < len(lines) and lines[i].strip().startswith("|"):
                table_lines.append(lines[i])
                i += 1
            try:
                blocks.append(Block("table", rows=parse_table(table_lines)))
            except SourceError as exc:
                raise SourceError(f"{path}: {exc}") from None
            continue
        elif stripped.startswith("### "):
            flush()
            blocks.append(Block("section", strip_inline(stripped[4:])))
        elif stripped.startswith("## "):
            flush()
            blocks.append(Block("chapter", strip_inline(stripped[3:])))
        elif stripped.startswith("# "):
            flush()
            blocks.append(Block("title", strip_inline(stripped[2:])))
        elif stripped.startswith("- "):
            flush()
            blocks.append(Block("bullet", strip_inline(stripped[2:])))
        elif stripped.startswith(">"):
            flush()
            text = stripped.lstrip(">").strip()
            if blocks and blocks[-1].kind == "notice" and blocks[-1].text and text:
                blocks[-1].text += text
            elif text:
                blocks.append(Block("notice", strip_inline(text)))
        else:
            para.append(stripped)
        i += 1
    flush()
    if not blocks or blocks[0].kind != "title":
        raise SourceError(f"{path}: body must start with '# title'")
    return blocks


def load_source(path: Path) -> Source:
    meta, body = split_front_matter(path.read_text(encoding="utf-8"), path)
    clean = validate_meta(meta, path)
    blocks = parse_body(body, path)
    if blocks[0].text != clean["title"]:
        raise SourceError(f"{path}: '# {blocks[0].text}' differs from front matter title")
    return Source(path, clean, blocks)


# ---------------------------------------------------------------- fonts

def find_font(font: str | None, index: int) -> FontChoice:
    if font:
        path = Path(font)
        if not path.is_file():
            sys.exit(f"make_pdfs: --font {font} does not exist; {FONT_HELP}")
        candidates = [(path, index)]
    else:
        candidates = [(Path(p), i) for p, i in KNOWN_FONTS if Path(p).is_file()]
    if not candidates:
        sys.exit(f"make_pdfs: {FONT_HELP}")
    path, idx = candidates[0]
    fallbacks = tuple(Path(p) for p in LATIN_FALLBACKS if Path(p).is_file())
    return FontChoice(path, idx, fallbacks)


def font_charset(path: Path, index: int) -> set[int]:
    from fontTools.ttLib import TTFont  # fpdf2 depends on fontTools

    with TTFont(str(path), fontNumber=index, lazy=True) as font:
        return set(font.getBestCmap())


def check_glyphs(sources: list[Source], choice: FontChoice) -> None:
    """Fail early, naming the characters, instead of letting fpdf2 draw empty boxes."""
    covered = font_charset(choice.path, choice.index)
    for fb in choice.fallbacks:
        covered |= font_charset(fb, 0)
    problems = []
    for src in sources:
        text = "".join(
            b.text + "".join("".join(r) for r in b.rows) for b in src.blocks
        ) + f"{src.meta['issuer']}文件{src.meta['doc_number']}— 0123456789 —"
        missing = sorted({c for c in text if not c.isspace() and ord(c) not in covered})
        if missing:
            problems.append(f"{src.path.name}: {' '.join(missing)}")
    if problems:
        sys.exit(
            f"make_pdfs: font {choice.path} lacks glyphs; replace these characters "
            "or use another font:\n  " + "\n  ".join(problems)
        )


# ---------------------------------------------------------------- layout

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


# ---------------------------------------------------------------- output

def write_sidecar(meta: dict[str, object], path: Path) -> None:
    lines = []
    for key in META_KEYS:
        value = meta[key]
        if isinstance(value, bool):
            rendered = "true" if value else "false"
        elif value == "":
            rendered = '""'
        elif key in ("effective", "expires"):
            rendered = str(value)
        else:
            rendered = yaml.safe_dump(value, allow_unicode=True, default_style=None).strip()
            rendered = rendered.removesuffix("\n...").strip()
        lines.append(f"{key}: {rendered}")
    text = "# Generated by tools/make_pdfs.py from tools/pdf_sources/; edit the source, not this file.\n"
    path.write_text(text + "\n".join(lines) + "\n", encoding="utf-8")


def build(sources: list[Source], font: FontChoice, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for src in sources:
        pdf_path = out_dir / f"{src.stem}.pdf"
        pdf_path.write_bytes(Renderer(src, font).render())
        write_sidecar(src.meta, out_dir / f"{src.stem}.meta.yaml")
        written.append(pdf_path)
    return written


def source_parser(description: str, default_sources: Path) -> argparse.ArgumentParser:
    """The options both PDF scripts take: where the Markdown sources are, where PDFs go, which font."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--sources", type=Path, default=default_sources, help="folder of Markdown sources")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (corpus/policies)")
    parser.add_argument("--font", help="CJK TrueType font (.ttf/.ttc) to embed")
    parser.add_argument("--font-index", type=int, default=0, help="face index inside a .ttc collection")
    parser.add_argument("--only", nargs="*", default=[], help="source stems to build (default: all)")
    return parser


def sources_and_font(args: argparse.Namespace, prog: str) -> tuple[list[Source], FontChoice]:
    """The selected sources, parsed, and a font holding every glyph they use; exits with a message if not."""
    paths = sorted(args.sources.glob("*.md"))
    if args.only:
        paths = [p for p in paths if p.stem in set(args.only)]
    if not paths:
        sys.exit(f"{prog}: no sources found in {args.sources}")
    try:
        sources = [load_source(p) for p in paths]
    except SourceError as exc:
        sys.exit(f"{prog}: {exc}")
    font = find_font(args.font, args.font_index)
    check_glyphs(sources, font)
    return sources, font


def print_written(paths: list[Path]) -> None:
    for path in paths:
        print(f"{path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path}"
              f"  {path.stat().st_size // 1024} KB")


def main(argv: list[str] | None = None) -> int:
    args = source_parser(__doc__.split("\n\n")[0], DEFAULT_SOURCES).parse_args(argv)
    sources, font = sources_and_font(args, "make_pdfs")
    print_written(build(sources, font, args.out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
