"""The CJK font the PDFs embed (with a Latin fallback), and a check that it holds every glyph a source uses."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from tools.policy_pdfs.sources import Source

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


@dataclass(frozen=True)
class FontChoice:
    path: Path
    index: int
    fallbacks: tuple[Path, ...]


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
