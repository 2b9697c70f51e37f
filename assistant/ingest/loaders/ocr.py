"""OCR of scanned PDF pages: render with pypdfium2, read with RapidOCR (its Chinese PP-OCR models ship inside
the package, so nothing is downloaded), put the text boxes back into reading order, and cache each page's
lines by a hash of the rendered image, so a re-ingest never reads the same page twice."""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.ingest.loaders.errors import Unreadable

if TYPE_CHECKING:
    from assistant.settings import Settings

ASSEMBLY_VERSION = 2  # bump when page_lines changes, so cached pages are read again
_LOGGER = "RapidOCR"
OcrProgress = Callable[[int, int], None]  # pages done, pages to do (both grow as files arrive)


@dataclass(frozen=True)
class TextBox:
    """One detected line fragment, in image pixels (y grows downwards)."""

    text: str
    left: float
    top: float
    right: float
    bottom: float
    score: float = 1.0

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @classmethod
    def from_quad(cls, text: str, quad: Sequence[Sequence[float]], score: float = 1.0) -> TextBox:
        xs, ys = [float(p[0]) for p in quad], [float(p[1]) for p in quad]
        return cls(text, min(xs), min(ys), max(xs), max(ys), float(score))


def _is_cjk(ch: str) -> bool:
    return "\u2e80" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" or "\u3000" <= ch <= "\u303f"


def _join(left: str, right: str) -> str:
    """Chinese runs join without a space; Latin words and numbers keep one."""
    if not left or not right or _is_cjk(left[-1]) or _is_cjk(right[0]):
        return left + right
    return f"{left} {right}"


def _line_groups(boxes: Sequence[TextBox]) -> list[list[TextBox]]:
    """Boxes grouped into lines, top to bottom, each line left to right.

    A box joins the current line when its vertical centre falls inside the line's band, which tolerates
    the slight tilt of a scan; table cells and a signature beside a seal come out as one line each."""
    lines: list[list[TextBox]] = []
    for box in sorted((b for b in boxes if b.text.strip()), key=lambda b: (b.top + b.bottom) / 2):
        centre = (box.top + box.bottom) / 2
        if lines:
            line = lines[-1]
            top = sum(b.top for b in line) / len(line)
            bottom = sum(b.bottom for b in line) / len(line)
            if top < centre < bottom and abs(box.height - (bottom - top)) < max(box.height, bottom - top):
                line.append(box)
                continue
        lines.append([box])
    return [sorted(line, key=lambda b: b.left) for line in lines]


def _text(line: list[TextBox]) -> str:
    text = ""
    for box in line:
        text = _join(text, box.text.strip())
    return text


def page_lines(boxes: Sequence[TextBox]) -> list[str]:
    """The page's lines in reading order, with an empty line after each line that stops well short of the
    text's right margin: the end of a paragraph, or a title or document number standing on its own line.
    Without it the PDF loader, which joins lines broken inside a sentence, would run a heading into the
    paragraph after it."""
    groups = _line_groups(boxes)
    if not groups:
        return []
    margin = max(line[-1].right for line in groups)
    heights = sorted(b.height for line in groups for b in line)
    slack = 2 * heights[len(heights) // 2]  # about two characters
    out: list[str] = []
    for line in groups:
        out.append(_text(line))
        if line[-1].right < margin - slack:
            out.append("")
    return out


class OcrEngine:
    """RapidOCR behind one method. The models load on the first page read (about 2 s), not before."""

    def __init__(self, threads: int = 1) -> None:
        self.threads = threads
        self._engine: Any = None

    @property
    def version(self) -> str:
        """Changes when the results could: the package, its models and our settings of it."""
        from importlib.metadata import version

        return f"rapidocr {version('rapidocr')} PP-OCRv6 small det+rec, no cls, assembly {ASSEMBLY_VERSION}"

    @property
    def loaded(self) -> bool:
        return self._engine is not None

    def load(self) -> Any:
        """The RapidOCR engine, created on first call."""
        if self._engine is None:
            logging.getLogger(_LOGGER).setLevel(logging.ERROR)  # it logs every step at INFO
            from rapidocr import RapidOCR

            self._engine = RapidOCR(params={
                "Global.log_level": "error",
                # Policy scans are upright: the 180° line classifier would only cost time.
                "Global.use_cls": False,
                "EngineConfig.onnxruntime.intra_op_num_threads": self.threads,
                "EngineConfig.onnxruntime.inter_op_num_threads": 1,
            })
        return self._engine

    def read(self, image: Any) -> list[TextBox]:
        """Text boxes found on a PIL image; empty when there is nothing legible."""
        result = self.load()(image)
        if not result.txts:
            return []
        return [TextBox.from_quad(t, b, s) for t, b, s in zip(result.txts, result.boxes, result.scores, strict=True)]


class OcrCache:
    """Page lines by key, in SQLite under the data folder."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path)
        self._db.execute("CREATE TABLE IF NOT EXISTS pages (key TEXT PRIMARY KEY, lines TEXT NOT NULL)")

    def get(self, key: str) -> list[str] | None:
        row = self._db.execute("SELECT lines FROM pages WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, key: str, lines: list[str]) -> None:
        with self._db:
            self._db.execute("INSERT OR REPLACE INTO pages VALUES (?, ?)", (key, json.dumps(lines, ensure_ascii=False)))

    def close(self) -> None:
        self._db.close()


@dataclass
class OcrStats:
    read: int = 0  # pages the engine read in this build
    cached: int = 0  # pages whose lines came from the cache
    seconds: float = 0.0  # time the engine spent reading pages (model loading, rendering, cache excluded)


@dataclass
class PageOcr:
    """What the PDF loader calls for pages without a usable text layer; one per build.

    ``min_text_chars`` is the PDF loader's threshold for a usable page; ``scale`` the render scale
    (1 = 72 dpi)."""

    cache_path: Path
    scale: float = 2.0
    min_text_chars: int = 15
    engine: OcrEngine = field(default_factory=OcrEngine)
    on_progress: OcrProgress | None = None
    stats: OcrStats = field(default_factory=OcrStats)
    _cache: OcrCache | None = field(default=None, init=False, repr=False)
    _done: int = field(default=0, init=False, repr=False)
    _total: int = field(default=0, init=False, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings, engine: OcrEngine | None = None,
                      on_progress: OcrProgress | None = None) -> PageOcr | None:
        """None when OCR is turned off (scanned files are then skipped as needing OCR)."""
        ocr = settings.index.ocr
        if not ocr.enabled:
            return None
        cache_dir = ocr.cache_dir or settings.cache_dir
        return cls(cache_dir / "ocr.sqlite3", scale=ocr.scale, min_text_chars=ocr.min_text_chars,
                   engine=engine or OcrEngine(ocr.threads), on_progress=on_progress)

    def read_pages(self, path: Path, numbers: Sequence[int]) -> dict[int, list[str]]:
        """Lines of each requested page (1-based), in reading order; [] for a page with nothing legible."""
        import pypdfium2 as pdfium

        self._total += len(numbers)
        self._report()
        try:
            doc = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError as exc:
            raise Unreadable(f"corrupt or unreadable PDF: {exc}") from exc
        out: dict[int, list[str]] = {}
        try:
            for number in numbers:
                page = doc[number - 1]
                try:
                    image = page.render(scale=self.scale).to_pil().convert("RGB")
                finally:
                    page.close()
                out[number] = self._read_image(image)
                self._done += 1
                self._report()
        finally:
            doc.close()
        return out

    def _read_image(self, image: Any) -> list[str]:
        digest = hashlib.sha256(f"{self.engine.version}\x00{image.size}\x00".encode())
        digest.update(image.tobytes())
        key = digest.hexdigest()
        if self._cache is None:
            self._cache = OcrCache(self.cache_path)
        cached = self._cache.get(key)
        if cached is not None:
            self.stats.cached += 1
            return cached
        self.engine.load()  # before the clock starts: ``seconds`` leaves out model loading
        started = time.perf_counter()
        lines = page_lines(self.engine.read(image))
        self.stats.seconds += time.perf_counter() - started
        self.stats.read += 1
        self._cache.put(key, lines)
        return lines

    def _report(self) -> None:
        if self.on_progress:
            self.on_progress(self._done, self._total)

    def close(self) -> None:
        if self._cache is not None:
            self._cache.close()
            self._cache = None
