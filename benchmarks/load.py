"""Load test of the web app: concurrent chat clients against 1 and then 2 workers, then a burst of concurrent
lead submissions.

    python -m benchmarks.load [--workers 1,2] [--clients 20] [--seconds 20] [--leads 1000]
                              [--lead-concurrency 50] [--embedder fake|e5] [--data-dir D] [--keep-alive]
                              [--ports 7940-7949] [--limits]

Each configuration is ``python app.py --workers N`` (extractive mode, staff console off) in a process of its own
on a free loopback port of --ports (default 7940–7949), over one data folder (data/bench-load/<embedder>; the index is built there
first when missing or stale); this process is only the load generator. Every loop is bounded by a count or
a deadline.

Chat: N clients each POST /api/chat in a loop for --seconds, with questions from tests/eval/questions.jsonl
(each client starts at a different one), after every question was asked 2 × N times untimed, so that each
worker's caches are warm, as a server's that has run a while are. Reported per configuration: requests, req/s,
p50/p95/p99 latency, errors (non-2xx or an exception), requests per worker, the server's CPU seconds per
answer and the cores it and the load generator used (from /proc), and the last configuration's req/s and
p95 against the first's. Leads:
--leads POST /api/leads to the last configuration, at most --lead-concurrency in flight; afterwards the database
is read (assistant.web.store) and every lead answered 201 must be stored. Exit status 1 when a chat request
failed or an accepted lead is missing; the targets (issue 17: 2 workers ≥ 1.4× the req/s of one, p95 ≤ 0.6 s
for 20 clients) are reported, not enforced: they depend on the machine and what else runs on it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "tests" / "eval" / "questions.jsonl"
P95_TARGET_S = 0.6
SPEEDUP_TARGET = 1.4
REQUEST_TIMEOUT_S = 60.0
START_TIMEOUT_S = 300.0
PORTS = range(7940, 7950)


@dataclass
class ChatStats:
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests only
    errors: int = 0
    statuses: dict[str, int] = field(default_factory=dict)  # "200", "500", "ReadTimeout" … → count
    seconds: float = 0.0
    server_cpu_s: float = math.nan  # CPU seconds the server's processes used meanwhile
    client_cpu_s: float = math.nan  # and this process, the load generator
    workers: dict[str, int] = field(default_factory=dict)  # X-Served-By → requests (several workers only)

    def count(self, what: str) -> None:
        self.statuses[what] = self.statuses.get(what, 0) + 1


@dataclass
class LeadStats:
    sent: int = 0
    accepted_ids: list[int] = field(default_factory=list)
    errors: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (no interpolation): the value p% of requests were at or under."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def load_questions(path: Path = QUESTIONS) -> list[str]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line)["question"] for line in f if line.strip()]


def _cpu_seconds(root: int) -> float:
    """User + system CPU seconds of ``root`` and every process under it, from /proc (Linux); NaN elsewhere."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    used: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone since the listing
        pid = int(stat.parent.name)
        parents[pid] = int(fields[1])
        used[pid] = (int(fields[11]) + int(fields[12])) / ticks
    if root not in used:
        return math.nan
    tree, grew = {root}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= more
        grew = bool(more)
    return sum(used[pid] for pid in tree)


def _free_port(ports: range = PORTS) -> int:
    for port in ports:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SystemExit(f"no free port in {ports.start}–{ports.stop - 1}")


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


SERVER_ENV = {  # capacity is measured from one address: the per-client limits would refuse most of it
    "ZST_WEB__RATE_LIMIT__ENABLED": "false", "ZST_WEB__ANSWERS_PER_CLIENT": "10000",
    "ZST_STAFF__ENABLED": "false", "ZST_LLM__ENABLED": "false", "ZST_RETRIEVAL__TODAY": "2026-11-25"}
# --limits: the rate limits on, as in production, at rates no client reaches, so their cost is counted too.
LIMITS_ENV = {"ZST_WEB__RATE_LIMIT__ENABLED": "true", "ZST_WEB__RATE_LIMIT__CHAT_PER_MINUTE": "1e9",
              "ZST_WEB__RATE_LIMIT__CHAT_BURST": "1000000000"}


@contextmanager
def serve(settings: object) -> Iterator[str]:
    """The app in this process, on a free loopback port in a daemon thread (benchmarks.hardening)."""
    from assistant.web import create_app, serve_in_thread

    app = create_app(settings, ui=False)  # type: ignore[arg-type]
    with serve_in_thread(app, start_timeout=120, stop_timeout=30, access_log=False) as url:
        yield url


@contextmanager
def serve_workers(data_dir: Path, embedder: str, workers: int, log: Path, ports: range = PORTS,
                  limits: bool = False) -> Iterator[tuple[str, int]]:
    """``python app.py --workers N`` in a process of its own; yields its base URL and process id once every
    worker is ready."""
    port = _free_port(ports)
    env = os.environ | SERVER_ENV | (LIMITS_ENV if limits else {}) | {"ZST_CORPUS_DIR": str(ROOT / "corpus")}
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "app.py", "--data-dir", str(data_dir), "--embedder", embedder,
                                 "--port", str(port), "--workers", str(workers)], cwd=ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT)
    ready = "筑商通 ready in" if workers == 1 else " ready, serving "
    deadline = time.monotonic() + START_TIMEOUT_S
    try:
        # The line is printed before uvicorn binds the port (one worker): connections are refused until it has.
        while log.read_text(errors="replace").count(ready) < (1 if workers == 1 else workers) or not _listening(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the app did not start ({workers} workers):\n"
                                 + log.read_text(errors="replace")[-2000:])
            time.sleep(0.5)
        yield f"http://127.0.0.1:{port}", proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


async def _chat_client(client: aiohttp.ClientSession, questions: list[str], start: int, deadline: float,
                       stats: ChatStats, max_requests: int) -> None:
    session = f"bench-{uuid.uuid4().hex[:12]}"
    for n in range(max_requests):  # bounded by count as well as by time
        if time.monotonic() >= deadline:
            return
        question = questions[(start + n) % len(questions)]
        began = time.perf_counter()
        try:
            # a fresh session every few turns, so follow-up context stays realistic but bounded
            body = {"message": question, "session_id": f"{session}-{n // 5}"}
            async with client.post("/api/chat", json=body) as response:
                await response.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            stats.errors += 1
            stats.count(type(exc).__name__)
            continue
        stats.count(str(response.status))
        worker = response.headers.get("x-served-by")
        if worker:
            stats.workers[worker] = stats.workers.get(worker, 0) + 1
        if 200 <= response.status < 300:
            stats.latencies.append(time.perf_counter() - began)
        else:
            stats.errors += 1


async def run_chat(base: str, clients: int, seconds: float, questions: list[str],
                   server_cpu: Callable[[], float] = lambda: math.nan, warm_passes: int = 1,
                   keep_alive: bool = False) -> ChatStats:
    stats = ChatStats()
    # A connection per request, as a reverse proxy's to its upstream often is: the kernel hands each to either
    # worker; kept-alive connections would stay with whichever worker accepted them in the first burst.
    # aiohttp, not httpx: the generator shares the server's two cores, and httpx cost 0.9 ms of CPU a request
    # against aiohttp's 0.3 (0.2 of a core at 120 answers a second, taken from the workers).
    async with _session(base, clients, keep_alive) as client:
        # Each worker's model, jieba, Chroma and its caches of question vectors: every question several times
        # (on connections either worker may hold), so both configurations are timed warm, as a server that
        # has run a while is, and not by how many workers each embedded the same question.
        gate = asyncio.Semaphore(clients)

        async def warm(question: str) -> None:
            async with gate, client.post("/api/chat", json={"message": question}) as response:
                response.raise_for_status()
                await response.read()

        await asyncio.gather(*(warm(q) for q in questions * warm_passes))
        began, cpu, mine = time.monotonic(), server_cpu(), time.process_time()
        deadline = began + seconds
        step = max(1, len(questions) // max(1, clients))
        await asyncio.gather(*(_chat_client(client, questions, i * step, deadline, stats, max_requests=100_000)
                               for i in range(clients)))
        stats.seconds = time.monotonic() - began
        stats.server_cpu_s = server_cpu() - cpu
        stats.client_cpu_s = time.process_time() - mine
    return stats


def _session(base: str, connections: int, keep_alive: bool) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(base, timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S),
                                 connector=aiohttp.TCPConnector(limit=connections, force_close=not keep_alive))


async def run_leads(base: str, count: int, concurrency: int, tag: str) -> LeadStats:
    stats = LeadStats()
    gate = asyncio.Semaphore(concurrency)

    async def one(client: aiohttp.ClientSession, i: int) -> None:
        lead = {"name": f"压测{i}", "company": "Bench Co.", "phone": f"139{i % 100_000_000:08d}",
                "interest": "standard factories", "message": f"load test lead {i}", "session_id": f"{tag}-{i}"}
        async with gate:
            stats.sent += 1
            try:
                async with client.post("/api/leads", json=lead) as response:
                    status, body = response.status, await response.read()
            except (aiohttp.ClientError, TimeoutError) as exc:
                stats.errors += 1
                stats.statuses[type(exc).__name__] = stats.statuses.get(type(exc).__name__, 0) + 1
                return
        stats.statuses[str(status)] = stats.statuses.get(str(status), 0) + 1
        if status == 201:
            stats.accepted_ids.append(int(json.loads(body)["id"]))
        else:
            stats.errors += 1

    began = time.monotonic()
    async with _session(base, concurrency, keep_alive=True) as client:
        await asyncio.gather(*(one(client, i) for i in range(count)))
    stats.seconds = time.monotonic() - began
    return stats


def stored_leads(settings: object, tag: str, ids: list[int]) -> tuple[int, int]:
    """(leads of this run in the database, accepted ids found there), read afresh through assistant.web.store."""
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from assistant.web import Lead, Store

    store = Store.from_settings(settings)  # type: ignore[arg-type]
    try:
        with Session(store.engine) as session:
            tagged = session.scalar(select(func.count()).select_from(Lead).where(Lead.session_id.like(f"{tag}-%")))
            found = 0
            for batch in _batched(ids, 500):  # itertools.batched is 3.12+
                found += session.scalar(select(func.count()).select_from(Lead).where(Lead.id.in_(batch))) or 0
    finally:
        store.close()
    return int(tagged or 0), found


def _batched(values: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _port_range(text: str) -> range:
    low, _, high = text.partition("-")
    try:
        ports = range(int(low), int(high or low) + 1)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port range like 7940-7949: {text!r}") from None
    if not ports or ports.start < 1 or ports.stop > 65536:
        raise argparse.ArgumentTypeError(f"not a port range like 7940-7949: {text!r}")
    return ports


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def report_chat(stats: ChatStats, clients: int, workers: int) -> None:
    done = len(stats.latencies)
    lat = stats.latencies
    print(f"chat, {workers} worker{'s' if workers > 1 else ''}: {clients} clients, {stats.seconds:.1f} s, "
          f"{done + stats.errors} requests, {req_per_s(stats):.1f} req/s")
    print(f"  latency p50 {_ms(percentile(lat, 50))}, p95 {_ms(percentile(lat, 95))}, "
          f"p99 {_ms(percentile(lat, 99))}, max {_ms(max(lat) if lat else math.nan)}")
    print(f"  errors {stats.errors}  statuses {dict(sorted(stats.statuses.items()))}"
          + (f"  requests per worker {sorted(stats.workers.values(), reverse=True)}" if stats.workers else ""))
    if done:  # what an answer costs, whatever else the machine runs: compare it between worker counts
        print(f"  server CPU {stats.server_cpu_s:.1f} s = {stats.server_cpu_s / done * 1000:.1f} ms per answer, "
              f"{stats.server_cpu_s / stats.seconds:.2f} cores busy on average; load generator "
              f"{stats.client_cpu_s / stats.seconds:.2f} cores; machine load average {os.getloadavg()[0]:.1f}",
              flush=True)


def req_per_s(stats: ChatStats) -> float:
    return len(stats.latencies) / stats.seconds if stats.seconds else 0.0


def report_scaling(results: list[tuple[int, ChatStats]]) -> None:
    (w0, first), (w1, last) = results[0], results[-1]
    ratio = req_per_s(last) / req_per_s(first) if req_per_s(first) else math.nan
    p95 = percentile(last.latencies, 95)
    print(f"{w1} workers / {w0}: {ratio:.2f}× the req/s (target ≥ {SPEEDUP_TARGET:g}: "
          f"{'met' if ratio >= SPEEDUP_TARGET else 'MISSED'}); p95 {_ms(p95)} (target ≤ {P95_TARGET_S:g} s: "
          f"{'met' if p95 <= P95_TARGET_S else 'MISSED'})")


def report_leads(stats: LeadStats, tagged: int, found: int) -> None:
    accepted = len(stats.accepted_ids)
    print(f"leads: {stats.sent} sent in {stats.seconds:.1f} s ({stats.sent / stats.seconds if stats.seconds else 0:.0f}"
          f"/s), accepted (201) {accepted}, errors {stats.errors}, statuses {dict(sorted(stats.statuses.items()))}")
    verdict = "met" if found == accepted == stats.sent and tagged == accepted else "MISSED"
    print(f"  stored {tagged} (accepted ids found: {found}/{accepted}); target (every lead stored): {verdict}")


def make_settings(embedder: str, data_dir: Path) -> object:
    from assistant.settings import Settings

    return Settings(corpus_dir=ROOT / "corpus", data_dir=data_dir, embeddings={"backend": embedder},
                    retrieval={"today": date(2026, 11, 25)}, staff={"enabled": False}, llm={"enabled": False})


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workers", default="1,2", help="worker counts to compare, in order (default 1,2)")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--leads", type=int, default=1000)
    ap.add_argument("--lead-concurrency", type=int, default=50)
    ap.add_argument("--embedder", default="fake", choices=["fake", "e5"])
    ap.add_argument("--keep-alive", action="store_true",
                    help="each client keeps its connection (and so its worker); default: a connection per request")
    ap.add_argument("--data-dir", type=Path, default=None, help="default: data/bench-load/<embedder>")
    ap.add_argument("--ports", type=_port_range, default=PORTS,
                    help=f"loopback ports the servers may take, LO-HI (default {PORTS.start}-{PORTS.stop - 1})")
    ap.add_argument("--limits", action="store_true",
                    help="keep the rate limits on (at rates no client reaches), so their cost is measured too")
    args = ap.parse_args(argv)
    try:
        counts = [int(w) for w in args.workers.split(",")]
    except ValueError:
        counts = []
    if not counts or min(counts) < 1 or args.clients < 1 or args.seconds <= 0 or args.leads < 0 \
            or args.lead_concurrency < 1:
        ap.error("--workers is a list like 1,2 of counts ≥ 1; --clients and --lead-concurrency must be ≥ 1, "
                 "--seconds > 0, --leads ≥ 0")
    os.environ.setdefault("OMP_NUM_THREADS", "1")  # inherited by the servers: 1 thread is fastest on 2 cores

    from assistant.ingest import IndexBuilder

    settings = make_settings(args.embedder, args.data_dir or ROOT / "data" / "bench-load" / args.embedder)
    began = time.monotonic()
    report = IndexBuilder(settings).build()  # type: ignore[arg-type]
    print(f"index ({args.embedder}): {report.chunks} chunks, {'built' if report.changed else 'up to date'} "
          f"in {time.monotonic() - began:.1f} s; OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']}", flush=True)
    questions = load_questions()
    tag = f"bench-{uuid.uuid4().hex[:8]}"
    failed = False
    results: list[tuple[int, ChatStats]] = []
    data_dir = settings.data_dir  # type: ignore[attr-defined]
    for n, workers in enumerate(counts):
        with serve_workers(data_dir, args.embedder, workers, data_dir / f"bench-load-{workers}.log",
                           args.ports, args.limits) as (base, pid):
            chat = asyncio.run(run_chat(base, args.clients, args.seconds, questions, lambda: _cpu_seconds(pid),
                                        warm_passes=2 * workers, keep_alive=args.keep_alive))
            report_chat(chat, args.clients, workers)
            results.append((workers, chat))
            failed |= chat.errors > 0
            if args.leads and n == len(counts) - 1:
                leads = asyncio.run(run_leads(base, args.leads, args.lead_concurrency, tag))
    if len(results) > 1:
        report_scaling(results)
    if args.leads:
        tagged, found = stored_leads(settings, tag, leads.accepted_ids)
        report_leads(leads, tagged, found)
        failed |= not (found == len(leads.accepted_ids) == leads.sent and tagged == found)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
