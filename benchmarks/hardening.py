"""Hardening benchmark: the cost of a repeated question, of a maximum-length question, and what one client's
burst of long questions does to another visitor.

    OMP_NUM_THREADS=1 python -m benchmarks.hardening [--data-dir data/bench-hardening/e5] [--embedder e5]
                                                     [--asks 50] [--stop-after-s 10] [--others 10]
                                                     [--bombs-only] [--unbounded-s 0]

(a) One question (the page's suggested 博士来贵阳有什么补贴？) asked --asks times through ChatService: p50 / p95
    seconds and the process's RSS before and after. Asking stops early once one ask takes over --stop-after-s
    (a repeated question once grew ~3x slower with each ask); the report then says where.
(b) CPU seconds (process time) of one 2,000-character Chinese question through ChatService, beside the mean of
    ordinary questions.
(c) Over real HTTP (the app under uvicorn on a free 127.0.0.1 port, rate limits on): one address sends its burst
    of 10 different 2,000-character questions at once while another visitor asks --others ordinary questions
    one after another; reported: the other visitor's p50 / p95 / max seconds and status codes, and the burst's.
    Visitors are told apart by X-Forwarded-For (loopback is a trusted proxy, uvicorn's default).
(d) Two .docx bombs, 500,000 and 5,000,000 empty paragraphs (built in a temporary folder), read through the
    loader (load_file) in a fresh process each: seconds, peak RSS and the skip reason, with the default
    budgets and with the zip checks lifted (so the streamed paragraph count is what stops it). Before the
    budgets the first took 410 s to re-index and the second was still reading after 19 minutes at 2.45 GB.
    --unbounded-s N adds a run with every budget lifted, stopped after N seconds. --bombs-only runs (d) alone
    (no index needed).

The index of corpus/ is built in --data-dir when missing (the e5 embedder: minutes on 2 cores; not counted in
the figures). Every request goes to the loopback port only; every loop is bounded by a count and a timeout.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import multiprocessing
import os
import statistics
import tempfile
import time
import zipfile
from datetime import date
from pathlib import Path

import httpx

from benchmarks.load import percentile, serve

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "tests" / "eval" / "questions.jsonl"
REPEATED = "博士来贵阳有什么补贴？"
LONG_CHARS = 2000
BURST = 10  # the per-client chat burst of the default rate limit: all of it is let through at once
REQUEST_TIMEOUT_S = 75.0  # past the default answer deadline (60 s): a 504 is seen as a 504


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def zh_questions() -> list[str]:
    rows = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r["question"] for r in rows if r.get("lang") == "zh" and r.get("topic") not in ("injection",)]


def long_question(start: int = 0) -> str:
    """2,000 characters of real Chinese questions run together, from the ``start``-th on (each start differs)."""
    qs = zh_questions()
    text = ""
    i = start
    while len(text) < LONG_CHARS:
        text += qs[i % len(qs)]
        i += 1
    return text[:LONG_CHARS]


def make_settings(embedder: str, data_dir: Path) -> object:
    from assistant.settings import Settings

    return Settings(corpus_dir=ROOT / "corpus", data_dir=data_dir, embeddings={"backend": embedder},
                    retrieval={"today": date(2026, 11, 25)}, staff={"enabled": False}, llm={"enabled": False})


def warm(service: object) -> None:
    """The model, jieba's dictionaries (both tokenizers) and Chroma loaded: ordinary questions asked once."""
    for q in zh_questions()[:10]:
        service.ask(q)  # type: ignore[attr-defined]


def repeated(service: object, asks: int, stop_after_s: float) -> None:
    warm(service)
    before = rss_mib()
    times: list[float] = []
    stopped = ""
    for n in range(1, asks + 1):
        began = time.perf_counter()
        service.ask(REPEATED)  # type: ignore[attr-defined]
        times.append(time.perf_counter() - began)
        if times[-1] > stop_after_s:
            stopped = f"; stopped after ask {n} of {asks}: it took {times[-1]:.1f} s (> {stop_after_s:g} s)"
            break
    after = rss_mib()
    tail = ", ".join(f"#{i}: {t:.2f}" for i, t in enumerate(times, 1) if i > len(times) - 4)
    print(f"(a) {len(times)} asks of {REPEATED}: p50 {percentile(times, 50):.3f} s, p95 {percentile(times, 95):.3f} s, "
          f"max {max(times):.3f} s; RSS {before:.0f} -> {after:.0f} MiB{stopped}")
    print(f"    last asks (s): {tail}")


def long_cpu(service: object) -> None:
    warm(service)
    ordinary = zh_questions()[:10]
    cpu = []
    for q in ordinary:
        began = time.process_time()
        service.ask(q)  # type: ignore[attr-defined]
        cpu.append(time.process_time() - began)
    question = long_question()
    began = time.process_time()
    answer = service.ask(question)  # type: ignore[attr-defined]
    seconds = time.process_time() - began
    print(f"(b) one {len(question)}-character Chinese question: {seconds:.2f} CPU s (status {answer.status}); "
          f"the same ordinary questions again: median {statistics.median(cpu):.3f}, max {max(cpu):.3f} CPU s")


async def _post(client: httpx.AsyncClient, message: str) -> tuple[str, float]:
    began = time.perf_counter()
    try:
        response = await client.post("/api/chat", json={"message": message})
        status = str(response.status_code)
    except httpx.HTTPError as exc:
        status = type(exc).__name__
    return status, time.perf_counter() - began


async def burst_and_visitor(base: str, others: int) -> None:
    limits = httpx.Limits(max_connections=BURST + 2, max_keepalive_connections=BURST + 2)
    async with (httpx.AsyncClient(base_url=base, timeout=REQUEST_TIMEOUT_S, limits=limits,
                                  headers={"X-Forwarded-For": "198.51.100.1"}) as heavy,
                httpx.AsyncClient(base_url=base, timeout=REQUEST_TIMEOUT_S,
                                  headers={"X-Forwarded-For": "198.51.100.2"}) as visitor,
                httpx.AsyncClient(base_url=base, timeout=REQUEST_TIMEOUT_S,
                                  headers={"X-Forwarded-For": "198.51.100.3"}) as warm):
        status, _ = await _post(warm, "经开区工业用地价格是多少？")  # model, jieba, Chroma warm
        if status != "200":
            raise RuntimeError(f"warm-up request failed: {status}")
        questions = zh_questions()

        async def the_visitor() -> list[tuple[str, float]]:
            await asyncio.sleep(0.2)  # the burst is in first
            return [await _post(visitor, questions[i % len(questions)]) for i in range(others)]

        began = time.monotonic()
        burst, seen = await asyncio.gather(
            asyncio.gather(*(_post(heavy, long_question(start=7 * i)) for i in range(BURST))), the_visitor())
        seconds = time.monotonic() - began
    ok = [t for s, t in seen if s == "200"]
    print(f"(c) another visitor's {others} questions during one address's burst of {BURST} x {LONG_CHARS}-character "
          f"questions ({seconds:.1f} s in all):")
    print(f"    visitor: p50 {percentile(ok, 50):.2f} s, p95 {percentile(ok, 95):.2f} s, "
          f"max {max(t for _s, t in seen):.2f} s; statuses {_count(s for s, _t in seen)}")
    print(f"    burst:   statuses {_count(s for s, _t in burst)}, slowest {max(t for _s, t in burst):.2f} s")


def docx_bomb(path: Path, paragraphs: int) -> Path:
    """A .docx as python-docx writes one, its body ``paragraphs`` empty paragraphs."""
    from docx import Document

    buffer = io.BytesIO()
    Document().save(buffer)
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                data = data.split(b"<w:body>")[0] + b"<w:body>" + b"<w:p/>" * paragraphs + b"</w:body></w:document>"
            out.writestr(info.filename, data)
    return path


def peak_rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _read_bomb(path: Path, budgets: dict[str, float], results: multiprocessing.Queue) -> None:
    from assistant.ingest.loaders import LoaderError, load_file
    from assistant.settings import IngestBudgets

    before = peak_rss_mib()  # the interpreter and the imports, before the file is touched
    began = time.perf_counter()
    try:
        doc = load_file(path, path.parent, budgets=IngestBudgets(**budgets))
        outcome = f"loaded, {len(doc.blocks)} blocks"
    except LoaderError as exc:
        outcome = f"[{exc.status}] {exc}"
    results.put((time.perf_counter() - began, before, peak_rss_mib(), outcome))


def docx_bombs(unbounded_s: float) -> None:
    lifted_zip = {"max_compression_ratio": 1e12, "max_member_mb": 1e6, "max_package_mb": 1e6}
    runs: list[tuple[str, dict[str, float], float]] = [("default budgets", {}, 600.0),
                                                       ("zip checks lifted", lifted_zip, 600.0)]
    if unbounded_s > 0:
        runs.append(("every budget lifted", lifted_zip | {"max_paragraphs": 10**12, "max_chars": 10**15}, unbounded_s))
    spawn = multiprocessing.get_context("spawn")  # a fresh interpreter each: its peak RSS is the read's own
    print("(d) .docx bombs through the loader (a fresh process each; peak RSS of that process, imports included):")
    with tempfile.TemporaryDirectory() as folder:
        for paragraphs in (500_000, 5_000_000):
            path = docx_bomb(Path(folder) / f"empty-{paragraphs}.docx", paragraphs)
            xml = zipfile.ZipFile(path).getinfo("word/document.xml").file_size
            print(f"    {paragraphs:,} empty paragraphs: {path.stat().st_size / 1024:.1f} KB on disk, "
                  f"word/document.xml {xml / 1024 / 1024:.1f} MB")
            for label, budgets, limit_s in runs:
                results: multiprocessing.Queue = spawn.Queue()
                child = spawn.Process(target=_read_bomb, args=(path, budgets, results))
                child.start()
                child.join(limit_s)
                if child.is_alive():
                    child.kill()
                    child.join()
                    print(f"      {label}: still reading after {limit_s:g} s; stopped")
                    continue
                seconds, before, peak, outcome = results.get(timeout=10)
                print(f"      {label}: {seconds:.3f} s, peak RSS {peak:.0f} MiB ({before:.0f} before reading); {outcome}")


def _count(statuses: object) -> dict[str, int]:
    out: dict[str, int] = {}
    for s in statuses:  # type: ignore[attr-defined]
        out[s] = out.get(s, 0) + 1
    return dict(sorted(out.items()))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", type=Path, default=ROOT / "data" / "bench-hardening" / "e5")
    ap.add_argument("--embedder", default="e5", choices=["e5", "fake"])
    ap.add_argument("--asks", type=int, default=50)
    ap.add_argument("--stop-after-s", type=float, default=10.0)
    ap.add_argument("--others", type=int, default=10)
    ap.add_argument("--bombs-only", action="store_true", help="run (d), the .docx bombs, alone: no index needed")
    ap.add_argument("--unbounded-s", type=float, default=0.0,
                    help="also read each bomb with every budget lifted, stopped after this many seconds")
    args = ap.parse_args(argv)
    if args.asks < 1 or args.others < 1 or args.stop_after_s <= 0:
        ap.error("--asks and --others must be >= 1, --stop-after-s > 0")
    os.environ.setdefault("OMP_NUM_THREADS", "1")  # before the embedder loads: 1 thread is fastest on 2 cores
    if args.bombs_only:
        docx_bombs(args.unbounded_s)
        return 0

    from assistant.answering.service import ChatService
    from assistant.ingest.builder import IndexBuilder

    settings = make_settings(args.embedder, args.data_dir)
    began = time.monotonic()
    report = IndexBuilder(settings).build()  # type: ignore[arg-type]
    print(f"index ({args.embedder}): {report.chunks} chunks, {'built' if report.changed else 'up to date'} in "
          f"{time.monotonic() - began:.1f} s; OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']}", flush=True)
    began = time.monotonic()
    service = ChatService.from_settings(settings)  # type: ignore[arg-type]
    repeated(service, args.asks, args.stop_after_s)
    # A fresh service: (a) may have left the one above slowed down for good.
    long_cpu(ChatService.from_settings(settings))  # type: ignore[arg-type]
    with serve(settings) as base:
        asyncio.run(burst_and_visitor(base, args.others))
    print(f"total {time.monotonic() - began:.1f} s (index excluded)")
    docx_bombs(args.unbounded_s)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
