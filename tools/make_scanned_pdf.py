"""Generate the scanned sample policy in corpus/policies/ from a Markdown source in tools/scan_sources/.

The source is typeset exactly like the text PDFs (tools/make_pdfs.py: red header, document number,
``— N —`` footer), then every page is rasterised and made to look scanned: a red round seal stamped over
the issuer's signature, a slight tilt, paper grain and a few specks. The result is a PDF of page images
with no text layer, which the ingester can only read through OCR. It is written with its sidecar
``<stem>.meta.yaml`` like the other PDFs.

The sources live outside corpus/ so that the ingester does not read the same text twice, and the
benchmark (``python -m benchmarks.ingest``) compares the OCR text with them. The output is deterministic
(fixed random seed, fixed dates), so regenerating an unchanged source gives the same file.

Usage:
    .venv/bin/python tools/make_scanned_pdf.py
    .venv/bin/python tools/make_scanned_pdf.py --only gy-factory-power-connection-notice --font /path/to/font.ttc
"""

from __future__ import annotations

import datetime as dt
import math
import sys
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # run as a script: make ``tools.policy_pdfs`` importable
    sys.path.insert(0, str(REPO_ROOT))

from tools.policy_pdfs import (  # noqa: E402
    FontChoice,
    Renderer,
    Source,
    print_written,
    source_parser,
    sources_and_font,
    write_sidecar,
)

DEFAULT_SOURCES = REPO_ROOT / "tools" / "scan_sources"
SEAL_RED = (214, 36, 40)
MM_PER_INCH = 25.4


@dataclass(frozen=True)
class ScanLook:
    """How the scan looks; the defaults keep OCR close to perfect while still looking scanned."""

    dpi: int = 150  # a common office-scanner setting
    tilt_degrees: float = 0.6
    grain: float = 6.0  # standard deviation of the paper grain, in grey levels
    specks: int = 60
    seal_mm: float = 40.0  # official seals are about 40-42 mm across
    jpeg_quality: int = 80
    seed: int = 11


def render_pages(pdf_bytes: bytes, dpi: int) -> list:
    """The pages as RGB images at ``dpi``."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf_bytes)
    images = []
    try:
        for page in doc:
            images.append(page.render(scale=dpi / 72).to_pil().convert("RGB"))
            page.close()
    finally:
        doc.close()
    return images


def signature_centre(pdf_bytes: bytes, issuer: str, dpi: int) -> tuple[int, float, float] | None:
    """(page index, x, y) in pixels of the last place the issuer's name is printed: the signature."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf_bytes)
    scale = dpi / 72
    found = None
    try:
        for index, page in enumerate(doc):
            text = page.get_textpage()
            searcher = text.search(issuer)
            while (hit := searcher.get_next()) is not None:
                start, count = hit
                boxes = [text.get_charbox(i) for i in range(start, start + count)]
                left, right = min(b[0] for b in boxes), max(b[2] for b in boxes)
                bottom, top = min(b[1] for b in boxes), max(b[3] for b in boxes)
                height = page.get_height()
                found = (index, (left + right) / 2 * scale, (height - (top + bottom) / 2) * scale)
            searcher.close()
            text.close()
            page.close()
    finally:
        doc.close()
    return found


def draw_seal(size: int, issuer: str, font: FontChoice):
    """A red round seal on a transparent square: ring, the issuer's name on the upper arc, a star, 样章."""
    from PIL import Image, ImageDraw, ImageFont

    seal = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(seal)
    ring = max(3, size // 36)
    draw.ellipse((ring, ring, size - ring, size - ring), outline=SEAL_RED + (235,), width=ring)
    centre = size / 2
    star_r = size * 0.15
    points = []
    for k in range(10):
        radius = star_r if k % 2 == 0 else star_r * 0.4
        angle = -math.pi / 2 + k * math.pi / 5
        points.append((centre + radius * math.cos(angle), centre + radius * math.sin(angle)))
    draw.polygon(points, fill=SEAL_RED + (235,))

    glyph = int(size * 0.12)
    face = ImageFont.truetype(str(font.path), glyph, index=font.index)
    text_r = centre - ring * 2.5 - glyph * 0.7
    span = math.radians(210)  # the name runs over the top of the seal, from lower left to lower right
    for k, ch in enumerate(issuer):
        angle = -math.pi / 2 - span / 2 + span * (k + 0.5) / len(issuer)
        tile = Image.new("RGBA", (glyph * 2, glyph * 2), (0, 0, 0, 0))
        ImageDraw.Draw(tile).text((glyph, glyph), ch, font=face, fill=SEAL_RED + (235,), anchor="mm")
        tile = tile.rotate(-math.degrees(angle) - 90, resample=Image.BICUBIC)
        x = centre + text_r * math.cos(angle) - glyph
        y = centre + text_r * math.sin(angle) - glyph
        seal.alpha_composite(tile, (int(x), int(y)))
    small = ImageFont.truetype(str(font.path), int(glyph * 0.8), index=font.index)
    draw.text((centre, centre + size * 0.3), "样章", font=small, fill=SEAL_RED + (235,), anchor="mm")
    return seal


def stamp(page, seal, centre: tuple[float, float]):
    """Multiply the seal onto the page, as ink would: black text under it stays black."""
    from PIL import Image, ImageChops

    layer = Image.new("RGB", page.size, (255, 255, 255))
    rgb = Image.new("RGB", seal.size, (255, 255, 255))
    rgb.paste(seal, (0, 0), seal)
    layer.paste(rgb, (int(centre[0] - seal.width / 2), int(centre[1] - seal.height / 2)))
    return ImageChops.multiply(page, layer)


def age(page, look: ScanLook, rng):
    """Tilt, paper grain and specks: what a flatbed scan of a printed page adds."""
    import numpy as np
    from PIL import Image, ImageDraw

    tilted = page.rotate(look.tilt_degrees, resample=Image.BICUBIC, fillcolor=(255, 255, 255))
    pixels = np.asarray(tilted).astype(np.float32)
    pixels += rng.normal(0.0, look.grain, size=pixels.shape[:2])[..., None]
    pixels -= 6.0  # scanned paper is never quite white
    out = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(out)
    for _ in range(look.specks):
        x, y = rng.uniform(0, out.width), rng.uniform(0, out.height)
        r = rng.uniform(0.6, 2.0)
        grey = int(rng.uniform(40, 120))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(grey, grey, grey))
    return out


def scan(src: Source, font: FontChoice, look: ScanLook) -> list:
    import numpy as np

    pdf_bytes = Renderer(src, font).render()
    images = render_pages(pdf_bytes, look.dpi)
    where = signature_centre(pdf_bytes, str(src.meta["issuer"]), look.dpi)
    if where is not None:
        index, x, y = where
        size = int(look.seal_mm / MM_PER_INCH * look.dpi)
        images[index] = stamp(images[index], draw_seal(size, str(src.meta["issuer"]), font), (x, y))
    rng = np.random.default_rng(look.seed)
    return [age(image, look, rng) for image in images]


def write_pdf(images: list, src: Source, path: Path, look: ScanLook) -> None:
    # A fixed date keeps regenerated files byte-identical unless the source changes.
    effective = dt.datetime.fromisoformat(str(src.meta["effective"]))
    images[0].save(path, "PDF", save_all=True, append_images=images[1:], resolution=float(look.dpi),
                   quality=look.jpeg_quality, title=str(src.meta["title"]), author=str(src.meta["issuer"]),
                   creator="tools/make_scanned_pdf.py (scanned sample)", producer="Pillow",
                   creationDate=effective.timetuple(), modDate=effective.timetuple())


def build(sources: list[Source], font: FontChoice, out_dir: Path, look: ScanLook) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for src in sources:
        pdf_path = out_dir / f"{src.stem}.pdf"
        write_pdf(scan(src, font, look), src, pdf_path, look)
        side = out_dir / f"{src.stem}.meta.yaml"
        write_sidecar(src.meta, side)
        side.write_text(side.read_text(encoding="utf-8").replace(
            "tools/make_pdfs.py from tools/pdf_sources/", "tools/make_scanned_pdf.py from tools/scan_sources/"),
            encoding="utf-8")
        written.append(pdf_path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = source_parser(__doc__.split("\n\n")[0], DEFAULT_SOURCES)
    parser.add_argument("--dpi", type=int, default=ScanLook.dpi, help="scan resolution")
    args = parser.parse_args(argv)
    sources, font = sources_and_font(args, "make_scanned_pdf")
    print_written(build(sources, font, args.out, ScanLook(dpi=args.dpi)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
