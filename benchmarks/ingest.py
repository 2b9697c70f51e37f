"""Ingest benchmark: ``python -m benchmarks.ingest [--threads N] [--embedder e5|fake] [--profile]``.

Runs in-process on a copy of the corpus with a fresh data folder (fresh index AND fresh embedding cache):
a full ingest, a re-run with nothing changed (in-process and as ``python ingest.py``), and a re-run after
one Markdown file changed. Prints a table with the issue's targets and where the full ingest spent its time.
Peak RSS is this process's ``ru_maxrss``, so it covers the model, Chroma and the BM25 build together.
Scanned PDFs are OCR'd in the full ingest (fresh OCR cache too): the table gives the pages, seconds per page
and the character accuracy of the OCR text against the scanned sample's source (tools/scan_sources/)."""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from assistant.ingest.builder import BuildReport, IndexBuilder
from assistant.settings import PROJECT_ROOT, Settings
from benchmarks.ocr_accuracy import char_accuracy, printed_text

CHANGED_FILE = "policies/gy-tax-policy-guide.md"
SCAN_SOURCES = PROJECT_ROOT / "tools" / "scan_sources"
TARGETS = {"full": 120.0, "no_change": 5.0, "rss_mb": 1536.0}


@dataclass
class StageClock:
    """Builder progress callback: remembers when each stage last reported, to split the build's time."""

    started: float = field(default_factory=time.perf_counter)
    last: dict[str, float] = field(default_factory=dict)

    def __call__(self, stage: str, done: int, total: int) -> None:
        self.last[stage] = time.perf_counter()

    def split(self, ended: float) -> list[tuple[str, float]]:
        names = {"reading": "read + chunk files (OCR included)", "embedding": "embed", "writing": "write Chroma"}
        out, mark = [], self.started
        for stage in ("reading", "embedding", "writing"):
            if stage in self.last:
                out.append((names[stage], self.last[stage] - mark))
                mark = self.last[stage]
        out.append(("BM25 (jieba) + files + GC", ended - mark))
        return out


def _timed(build: Callable[[], BuildReport]) -> tuple[BuildReport, float]:
    start = time.perf_counter()
    report = build()
    return report, time.perf_counter() - start


def _change_one_file(corpus: Path) -> None:
    path = corpus / CHANGED_FILE
    path.write_text(path.read_text(encoding="utf-8") + "\n第十一条　本指引由贵阳市投资促进局负责解释（基准测试改动）。\n",
                    encoding="utf-8")


def _cli_rerun(corpus: Path, data: Path, embedder: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, str(PROJECT_ROOT / "ingest.py"), str(corpus), "--data-dir", str(data),
                    "--embedder", embedder, "--quiet"], check=True, capture_output=True, cwd=PROJECT_ROOT)
    return time.perf_counter() - start


def run(corpus_src: Path, embedder: str, threads: int, profile: bool) -> int:
    os.environ["OMP_NUM_THREADS"] = str(threads)  # before any engine loads; E5Embeddings sets it too
    load_before = os.getloadavg()
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    with tempfile.TemporaryDirectory(prefix="zst-bench-") as tmp:
        corpus = Path(tmp) / "corpus"
        shutil.copytree(corpus_src, corpus)
        settings = Settings(corpus_dir=corpus, data_dir=Path(tmp) / "data",
                            embeddings={"backend": embedder, "threads": threads})
        clock = StageClock()
        profiler = cProfile.Profile() if profile else None
        if profiler:
            profiler.enable()
        full, full_s = _timed(lambda: IndexBuilder(settings, on_progress=clock).build())
        stages = clock.split(time.perf_counter())
        if profiler:
            profiler.disable()
        cpu_after = resource.getrusage(resource.RUSAGE_SELF)
        accuracy = _ocr_accuracy(corpus, settings)
        same, same_s = _timed(lambda: IndexBuilder(settings).build())
        cli_s = _cli_rerun(corpus, settings.data_dir, embedder)
        _change_one_file(corpus)
        one, one_s = _timed(lambda: IndexBuilder(settings).build())
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB
    cpu_s = (cpu_after.ru_utime + cpu_after.ru_stime) - (cpu_before.ru_utime + cpu_before.ru_stime)

    assert full.changed and not same.changed and one.changed, "unexpected build results"
    model = _embedder_name(settings)
    rows = [
        ("embedder", f"{model}, OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}", ""),
        ("files / chunks", f"{len(full.files)} / {full.chunks}", ""),
        ("full ingest (fresh index + cache)", f"{full_s:.1f} s  (CPU {cpu_s:.1f} s)", _target(full_s, "full")),
        ("chunks per second", f"{full.chunks / full_s:.1f}", ""),
        ("OCR pages (scanned PDFs)", _ocr_pages(full), ""),
        ("OCR character accuracy", accuracy, ""),
        ("re-run, nothing changed (in-process)", f"{same_s:.2f} s", _target(same_s, "no_change")),
        ("re-run, nothing changed (python ingest.py)", f"{cli_s:.2f} s", _target(cli_s, "no_change")),
        ("one file changed", f"{one_s:.1f} s  ({one.embedded} chunks embedded, {one.reused_files} files reused)",
         ""),
        ("peak RSS", f"{rss_mb:.0f} MB", _target(rss_mb, "rss_mb")),
    ]
    print(f"ingest benchmark: {corpus_src}, {os.cpu_count()} CPUs, load average before "
          f"{' '.join(f'{x:.2f}' for x in load_before)}, after {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    _table(["measure", "value", "target"], rows)
    print("\nfull ingest by stage:")
    _table(["stage", "seconds", "share"], [(n, f"{s:.1f}", f"{100 * s / full_s:.0f}%") for n, s in stages])
    if profiler:
        print("\nprofile of the full ingest (top 20 by cumulative time):")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(20)
    return 0


def _ocr_pages(report: BuildReport) -> str:
    read = report.ocr_pages - report.ocr_cached
    if not report.ocr_pages:
        return "0"
    per_page = f"{report.ocr_seconds / read:.1f} s per page" if read else "all from the cache"
    return f"{report.ocr_pages} pages, {per_page} (engine model load excluded)"


def _ocr_accuracy(corpus: Path, settings: Settings) -> str:
    """Each scanned sample's OCR text (from the OCR cache the full ingest filled) against its source."""
    from assistant.ingest.loaders import LoaderError, load_file
    from assistant.ingest.loaders.ocr import PageOcr

    ocr = PageOcr.from_settings(settings)
    if ocr is None:
        return "OCR off"
    scores = []
    try:
        for source in sorted(SCAN_SOURCES.glob("*.md")):
            pdf = corpus / "policies" / f"{source.stem}.pdf"
            if not pdf.exists():
                continue
            try:
                doc = load_file(pdf, corpus, ocr)
            except LoaderError as exc:
                scores.append(f"{pdf.name}: {exc}")
                continue
            accuracy = char_accuracy("\n".join(b.text for b in doc.blocks), printed_text(source))
            scores.append(f"{pdf.name} {100 * accuracy:.1f}%")
    finally:
        ocr.close()
    return "; ".join(scores) or "no scanned sample"


def _embedder_name(settings: Settings) -> str:
    from assistant.index.embeddings import make_embeddings

    return str(getattr(make_embeddings(settings.embeddings), "name", settings.embeddings.backend))


def _target(value: float, key: str) -> str:
    limit = TARGETS[key]
    shown = f"{limit / 1024:.1f} GB" if key == "rss_mb" else f"{limit:.0f} s"
    return f"≤ {shown} {'ok' if value <= limit else 'MISSED'}"


def _table(header: list[str], rows: list[tuple[str, str, str]]) -> None:
    widths = [max(len(str(r[i])) for r in [tuple(header), *rows]) for i in range(len(header))]
    line = "+-" + "-+-".join("-" * w for w in widths) + "-+"
    print(line)
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |")
    print(line)
    for row in rows:
        print("| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
    print(line)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.ingest", description=__doc__.split("\n\n")[0])
    p.add_argument("--threads", type=int, default=1, help="embedder threads (OMP_NUM_THREADS); default 1")
    p.add_argument("--embedder", choices=["e5", "fake"], default="e5", help="default e5 (the shipped default)")
    p.add_argument("--corpus", type=Path, default=PROJECT_ROOT / "corpus", help="folder to ingest (copied first)")
    p.add_argument("--profile", action="store_true", help="also print a cProfile of the full ingest")
    args = p.parse_args(argv)
    return run(args.corpus, args.embedder, args.threads, args.profile)


if __name__ == "__main__":
    sys.exit(main())
