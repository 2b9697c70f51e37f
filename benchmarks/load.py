"""Load test of the web app: concurrent chat clients, then a burst of concurrent lead submissions.

    python -m benchmarks.load [--clients 20] [--seconds 20] [--leads 1000] [--lead-concurrency 50]
                              [--embedder fake|e5] [--profile FILE]

The app (create_app, extractive mode) runs under uvicorn in a background thread on a free 127.0.0.1 port, over
its own data folder data/bench-load/<embedder> (the index is built there when missing or stale). Every request
goes to that loopback port only, and every loop is bounded by a count or a deadline.

Chat: N clients each POST /api/chat in a loop for --seconds, with questions from tests/eval/questions.jsonl
(each client starts at a different one); reported: requests, req/s, p50/p95/p99 latency, errors (non-2xx or an
exception). Leads: --leads POST /api/leads, at most --lead-concurrency in flight; afterwards the database is
read (assistant.web.store) and every lead answered 201 must be stored. Exit status 1 when a chat request failed or
an accepted lead is missing; the latency target is reported, not enforced (it depends on the machine).
The clients share the process (and the GIL) with the server, as a small deployment's reverse proxy does not:
figures are a little pessimistic.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import math
import os
import pstats
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "tests" / "eval" / "questions.jsonl"
P95_TARGET_S = 1.0
REQUEST_TIMEOUT_S = 60.0


@dataclass
class ChatStats:
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests only
    errors: int = 0
    statuses: dict[str, int] = field(default_factory=dict)  # "200", "500", "ReadTimeout" … → count
    seconds: float = 0.0

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


@contextmanager
def serve(settings: object, profile: Path | None = None) -> Iterator[str]:
    """The app on a free loopback port in a daemon thread; yields its base URL and stops it afterwards."""
    from assistant.web import create_app, serve_in_thread

    app = create_app(settings, ui=False)  # type: ignore[arg-type]
    profiler = cProfile.Profile() if profile else None

    @contextmanager
    def profiling() -> Iterator[None]:
        if profiler:
            profiler.enable()  # the event-loop thread only; worker threads are not seen by cProfile
        try:
            yield
        finally:
            if profiler:
                profiler.disable()

    try:
        with serve_in_thread(app, start_timeout=120, stop_timeout=30, around_run=profiling, access_log=False) as url:
            yield url
    finally:
        if profiler and profile:
            profiler.dump_stats(str(profile))
            pstats.Stats(str(profile)).sort_stats("cumulative").print_stats(25)


async def _chat_client(client: httpx.AsyncClient, questions: list[str], start: int, deadline: float,
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
            response = await client.post("/api/chat", json=body)
        except httpx.HTTPError as exc:
            stats.errors += 1
            stats.count(type(exc).__name__)
            continue
        stats.count(str(response.status_code))
        if 200 <= response.status_code < 300:
            stats.latencies.append(time.perf_counter() - began)
        else:
            stats.errors += 1


async def run_chat(base: str, clients: int, seconds: float, questions: list[str]) -> ChatStats:
    stats = ChatStats()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=REQUEST_TIMEOUT_S, limits=limits) as client:
        warm = await client.post("/api/chat", json={"message": questions[0]})  # model, jieba, Chroma caches
        warm.raise_for_status()
        began = time.monotonic()
        deadline = began + seconds
        step = max(1, len(questions) // max(1, clients))
        await asyncio.gather(*(_chat_client(client, questions, i * step, deadline, stats, max_requests=100_000)
                               for i in range(clients)))
        stats.seconds = time.monotonic() - began
    return stats


async def run_leads(base: str, count: int, concurrency: int, tag: str) -> LeadStats:
    stats = LeadStats()
    gate = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async def one(client: httpx.AsyncClient, i: int) -> None:
        lead = {"name": f"压测{i}", "company": "Bench Co.", "phone": f"139{i % 100_000_000:08d}",
                "interest": "standard factories", "message": f"load test lead {i}", "session_id": f"{tag}-{i}"}
        async with gate:
            stats.sent += 1
            try:
                response = await client.post("/api/leads", json=lead)
            except httpx.HTTPError as exc:
                stats.errors += 1
                stats.statuses[type(exc).__name__] = stats.statuses.get(type(exc).__name__, 0) + 1
                return
        stats.statuses[str(response.status_code)] = stats.statuses.get(str(response.status_code), 0) + 1
        if response.status_code == 201:
            stats.accepted_ids.append(int(response.json()["id"]))
        else:
            stats.errors += 1

    began = time.monotonic()
    async with httpx.AsyncClient(base_url=base, timeout=REQUEST_TIMEOUT_S, limits=limits) as client:
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


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def report_chat(stats: ChatStats, clients: int) -> None:
    done = len(stats.latencies)
    lat = stats.latencies
    print(f"chat: {clients} clients, {stats.seconds:.1f} s, {done + stats.errors} requests, "
          f"{done / stats.seconds if stats.seconds else 0:.1f} req/s")
    print(f"  latency p50 {_ms(percentile(lat, 50))}, p95 {_ms(percentile(lat, 95))}, "
          f"p99 {_ms(percentile(lat, 99))}, max {_ms(max(lat) if lat else math.nan)}")
    print(f"  errors {stats.errors}  statuses {dict(sorted(stats.statuses.items()))}")
    p95 = percentile(lat, 95)
    verdict = "met" if stats.errors == 0 and p95 <= P95_TARGET_S else "MISSED"
    print(f"  target (0 errors, p95 ≤ {P95_TARGET_S:g} s): {verdict}")


def report_leads(stats: LeadStats, tagged: int, found: int) -> None:
    accepted = len(stats.accepted_ids)
    print(f"leads: {stats.sent} sent in {stats.seconds:.1f} s ({stats.sent / stats.seconds if stats.seconds else 0:.0f}"
          f"/s), accepted (201) {accepted}, errors {stats.errors}, statuses {dict(sorted(stats.statuses.items()))}")
    verdict = "met" if found == accepted == stats.sent and tagged == accepted else "MISSED"
    print(f"  stored {tagged} (accepted ids found: {found}/{accepted}); target (every lead stored): {verdict}")


def make_settings(embedder: str, data_dir: Path) -> object:
    from assistant.settings import Settings

    return Settings(corpus_dir=ROOT / "corpus", data_dir=data_dir, embeddings={"backend": embedder},
                    retrieval={"today": date(2026, 11, 25)}, staff={"enabled": False},
                    llm={"enabled": False},
                    # Capacity is measured from one address: the per-client limits (the rate, and the answers in
                    # progress at once) would refuse most of it.
                    web={"rate_limit": {"enabled": False}, "answers_per_client": 10_000})


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--leads", type=int, default=1000)
    ap.add_argument("--lead-concurrency", type=int, default=50)
    ap.add_argument("--embedder", default="fake", choices=["fake", "e5"])
    ap.add_argument("--data-dir", type=Path, default=None, help="default: data/bench-load/<embedder>")
    ap.add_argument("--profile", type=Path, default=None,
                    help="cProfile the server's event-loop thread into this file (prints the top 25)")
    args = ap.parse_args(argv)
    if args.clients < 1 or args.seconds <= 0 or args.leads < 0 or args.lead_concurrency < 1:
        ap.error("--clients and --lead-concurrency must be ≥ 1, --seconds > 0, --leads ≥ 0")
    os.environ.setdefault("OMP_NUM_THREADS", "1")  # before the embedder loads: 1 thread is fastest on 2 cores

    from assistant.ingest import IndexBuilder

    settings = make_settings(args.embedder, args.data_dir or ROOT / "data" / "bench-load" / args.embedder)
    began = time.monotonic()
    report = IndexBuilder(settings).build()  # type: ignore[arg-type]
    print(f"index ({args.embedder}): {report.chunks} chunks, {'built' if report.changed else 'up to date'} "
          f"in {time.monotonic() - began:.1f} s; OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']}", flush=True)
    questions = load_questions()
    tag = f"bench-{uuid.uuid4().hex[:8]}"
    failed = False
    with serve(settings, args.profile) as base:
        chat = asyncio.run(run_chat(base, args.clients, args.seconds, questions))
        report_chat(chat, args.clients)
        failed |= chat.errors > 0
        if args.leads:
            leads = asyncio.run(run_leads(base, args.leads, args.lead_concurrency, tag))
    if args.leads:
        tagged, found = stored_leads(settings, tag, leads.accepted_ids)
        report_leads(leads, tagged, found)
        failed |= not (found == len(leads.accepted_ids) == leads.sent and tagged == found)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
