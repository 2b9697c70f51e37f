"""Ingest benchmark: ``python -m benchmarks.ingest [--processes N] [--threads T] [--embedder e5|fake] [--profile]``.

Runs in-process on a copy of the corpus. Two full ingests, each into a fresh data folder (fresh index, fresh
embedding cache, fresh OCR cache): one embedding in N worker processes of one thread each (index.embed_processes,
default one per core), then one embedding in this process alone; printed side by side with their ratio, and
checked to give the same chunk ids and the same vectors. A small build goes before them (one file, fake
embedder), so neither pays alone for what a process's first build warms (imports, the jieba dictionary, Chroma);
the N-process run goes first, so what is left of that favours the one-process run. Then, on the N-process
data folder: a re-run with nothing changed (in-process and as ``python ingest.py``) and a re-run after one
Markdown file changed. Peak RSS is this process's ``ru_maxrss`` (the model, Chroma and the BM25 build together)
and the largest embedding worker's (its VmHWM, sampled from /proc while the N-process run lasts). Scanned PDFs are OCR'd in each full ingest: the table gives the pages, seconds per page
and the character accuracy of the OCR text against the scanned sample's source (tools/scan_sources/). The fake
embedder never uses workers (as in the builder): with it both full ingests run in this process."""

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
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.index import IndexPaths, chroma_client, read_chunks, worker_count
from assistant.ingest import BuildReport, IndexBuilder
from assistant.settings import PROJECT_ROOT, Settings
from benchmarks.ocr_accuracy import char_accuracy, printed_text

CHANGED_FILE = "policies/gy-tax-policy-guide.md"
SCAN_SOURCES = PROJECT_ROOT / "tools" / "scan_sources"
TARGETS = {"full": 120.0, "no_change": 5.0, "rss_mb": 1536.0, "ratio": 0.65}


@dataclass
class StageClock:
    """Builder progress callback: remembers when each stage last reported, to split the build's time."""

    started: float = field(default_factory=time.perf_counter)
    last: dict[str, float] = field(default_factory=dict)

    def __call__(self, stage: str, done: int, total: int) -> None:
        self.last[stage] = time.perf_counter()

    def split(self, ended: float) -> list[tuple[str, float]]:
        names = {"reading": "read + chunk files (OCR included)", "embedding": "embed passages", "writing": "write Chroma",
                 "sentences": "embed sentences (those an answer may quote)"}
        out, mark = [], self.started
        for stage in ("reading", "embedding", "writing", "sentences"):
            if stage in self.last:
                out.append((names[stage], self.last[stage] - mark))
                mark = self.last[stage]
        out.append(("BM25 (jieba) + files + GC", ended - mark))
        return out


class WorkerMemory:
    """Samples the peak resident memory (VmHWM) of this process's children, the embedding workers, from /proc
    while it is entered. (RUSAGE_CHILDREN is no use: a child started by vfork + exec carries its parent's.)"""

    def __init__(self, every_s: float = 0.5) -> None:
        self.every_s = every_s
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> WorkerMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.wait(self.every_s):
            for pid in _child_pids():
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue  # ended meanwhile
                for line in status.splitlines():
                    if line.startswith("VmHWM:"):
                        self.peak_mb = max(self.peak_mb, int(line.split()[1]) / 1024)


def _child_pids() -> set[str]:
    """From /proc, not multiprocessing.active_children(), which reaps children and would race the pool's joins."""
    pids: set[str] = set()
    for listing in Path(f"/proc/{os.getpid()}/task").glob("*/children"):
        try:
            pids.update(listing.read_text().split())
        except OSError:
            continue
    return pids


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


@dataclass
class FullRun:
    """One full ingest into a fresh data folder, with its time, CPU (workers included) and stage split."""

    settings: Settings
    report: BuildReport
    seconds: float
    cpu_s: float
    stages: list[tuple[str, float]]

    @property
    def rate(self) -> float:
        return self.report.chunks / self.seconds


def _full_run(corpus: Path, data: Path, embedder: str, threads: int, processes: int,
              profiler: cProfile.Profile | None) -> FullRun:
    settings = Settings(corpus_dir=corpus, data_dir=data, embeddings={"backend": embedder, "threads": threads},
                        index={"embed_processes": processes})
    clock = StageClock()
    before = _cpu()
    if profiler:
        profiler.enable()
    report, seconds = _timed(lambda: IndexBuilder(settings, on_progress=clock).build())
    stages = clock.split(time.perf_counter())
    if profiler:
        profiler.disable()
    return FullRun(settings, report, seconds, _cpu() - before, stages)


def _warm_up(corpus: Path, folder: Path) -> None:
    """One file with its lexicon, fake embedder, in this process: loads what every first build loads."""
    (folder / "corpus" / Path(CHANGED_FILE).parent).mkdir(parents=True)
    for name in (CHANGED_FILE, "lexicon.yaml"):
        if (corpus / name).is_file():
            shutil.copy(corpus / name, folder / "corpus" / name)
    IndexBuilder(Settings(corpus_dir=folder / "corpus", data_dir=folder / "data", embeddings={"backend": "fake"},
                          index={"embed_processes": 1})).build()


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the embedding workers)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def run(corpus_src: Path, embedder: str, threads: int, processes: int, profile: bool) -> int:
    os.environ["OMP_NUM_THREADS"] = str(threads)  # before any engine loads; E5Embeddings sets it too
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="zst-bench-") as tmp:
        corpus = Path(tmp) / "corpus"
        shutil.copytree(corpus_src, corpus)
        profiler = cProfile.Profile() if profile else None
        _warm_up(corpus, Path(tmp) / "warm-up")
        with WorkerMemory() as workers:
            many = _full_run(corpus, Path(tmp) / "data-n", embedder, threads, processes, None)
        one = _full_run(corpus, Path(tmp) / "data-1", embedder, threads, 1, profiler)
        same_ids, max_diff = _compare(one, many)
        settings = many.settings
        accuracy = _ocr_accuracy(corpus, settings)
        same, same_s = _timed(lambda: IndexBuilder(settings).build())
        cli_s = _cli_rerun(corpus, settings.data_dir, embedder)
        _change_one_file(corpus)
        changed, changed_s = _timed(lambda: IndexBuilder(settings).build())
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB

    assert one.report.changed and many.report.changed and not same.changed and changed.changed, "unexpected builds"
    ratio = many.seconds / one.seconds
    full = one.report
    rows = [
        ("embedder", f"{_embedder_name(settings)}, OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')} in this "
                     "process" + (", 1 in each worker" if embedder != "fake" else "; fake never uses workers"), ""),
        ("files / chunks", f"{len(full.files)} / {full.chunks}", ""),
        (f"full ingest, {processes} processes", _full_cell(many), _target(many.seconds, "full")),
        ("full ingest, 1 process", _full_cell(one), ""),
        (f"time ratio {processes} / 1", f"{ratio:.2f}  (speed-up {1 / ratio:.2f}x)", _target(ratio, "ratio")),
        ("same chunk ids, in order", "yes" if same_ids else "NO", ""),
        ("vectors: max abs difference", f"{max_diff:.2e}", "≤ 1e-06 " + ("ok" if max_diff <= 1e-6 else "MISSED")),
        ("OCR pages (scanned PDFs), per run", _ocr_pages(full), ""),
        ("OCR character accuracy", accuracy, ""),
        ("re-run, nothing changed (in-process)", f"{same_s:.2f} s", _target(same_s, "no_change")),
        ("re-run, nothing changed (python ingest.py)", f"{cli_s:.2f} s", _target(cli_s, "no_change")),
        (f"one file changed ({processes} processes)",
         f"{changed_s:.1f} s  ({changed.embedded} chunks embedded, {changed.reused_files} files reused)", ""),
        ("peak RSS (this process / largest worker)", f"{rss_mb:.0f} MB / {workers.peak_mb:.0f} MB",
         _target(rss_mb, "rss_mb")),
    ]
    print(f"ingest benchmark: {corpus_src}, {os.cpu_count()} CPUs, load average before "
          f"{' '.join(f'{x:.2f}' for x in load_before)}, after {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    _table(["measure", "value", "target"], rows)
    print("\nfull ingest by stage (seconds):")
    _table(["stage", f"{processes} processes", "1 process"],
           [(name, f"{a:.1f} ({100 * a / many.seconds:.0f}%)", f"{b:.1f} ({100 * b / one.seconds:.0f}%)")
            for (name, a), (_, b) in zip(many.stages, one.stages, strict=False)])
    if profiler:
        print("\nprofile of the 1-process full ingest (top 20 by cumulative time):")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(20)
    return 0 if same_ids and max_diff <= 1e-6 else 1


def _full_cell(run: FullRun) -> str:
    return (f"{run.seconds:.1f} s, {run.rate:.1f} chunks/s, {run.report.embedded} embedded "
            f"(CPU {run.cpu_s:.1f} s)")


def _compare(a: FullRun, b: FullRun) -> tuple[bool, float]:
    """Whether two builds hold the same chunk ids in the same order, and the largest difference between
    their vectors (read back from Chroma, matched by chunk id; inf when the id sets differ)."""
    ids = [[c.chunk_id for c in read_chunks(_build_dir(r))] for r in (a, b)]
    vectors = [_stored_vectors(r) for r in (a, b)]
    if ids[0] != ids[1] or vectors[0].keys() != vectors[1].keys():
        return False, float("inf")
    diffs = [float(np.max(np.abs(vectors[0][k] - vectors[1][k]))) for k in vectors[0]]
    return True, max(diffs, default=0.0)


def _build_dir(run: FullRun) -> Path:
    return IndexPaths(run.settings.index_dir).build_dir(str(run.report.build_id))


def _stored_vectors(run: FullRun) -> dict[str, np.ndarray]:
    client = chroma_client(run.settings.index, _build_dir(run))
    out: dict[str, np.ndarray] = {}
    for collection in client.list_collections():
        got = client.get_collection(collection.name).get(include=["embeddings"])
        out |= {i: np.asarray(v, dtype=np.float64) for i, v in zip(got["ids"], got["embeddings"], strict=True)}
    return out


def _ocr_pages(report: BuildReport) -> str:
    read = report.ocr_pages - report.ocr_cached
    if not report.ocr_pages:
        return "0"
    per_page = f"{report.ocr_seconds / read:.1f} s per page" if read else "all from the cache"
    return f"{report.ocr_pages} pages, {per_page} (engine model load excluded)"


def _ocr_accuracy(corpus: Path, settings: Settings) -> str:
    """Each scanned sample's OCR text (from the OCR cache the full ingest filled) against its source."""
    from assistant.ingest import LoaderError, load_file
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
    from assistant.index import make_embeddings

    return str(getattr(make_embeddings(settings.embeddings), "name", settings.embeddings.backend))


def _target(value: float, key: str) -> str:
    limit = TARGETS[key]
    shown = {"rss_mb": f"{limit / 1024:.1f} GB", "ratio": f"{limit:.2f}"}.get(key, f"{limit:.0f} s")
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
    p.add_argument("--processes", type=int, default=worker_count(0),
                   help="embedding processes of the parallel run; default one per core")
    p.add_argument("--threads", type=int, default=1,
                   help="embedder threads of the 1-process run (OMP_NUM_THREADS); default 1")
    p.add_argument("--embedder", choices=["e5", "fake"], default="e5", help="default e5 (the shipped default)")
    p.add_argument("--corpus", type=Path, default=PROJECT_ROOT / "corpus", help="folder to ingest (copied first)")
    p.add_argument("--profile", action="store_true", help="also print a cProfile of the 1-process full ingest")
    args = p.parse_args(argv)
    if args.processes < 2:
        p.error("--processes must be at least 2 (the other run has 1)")
    return run(args.corpus, args.embedder, args.threads, args.processes, args.profile)


if __name__ == "__main__":
    sys.exit(main())
