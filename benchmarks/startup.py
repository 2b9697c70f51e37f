"""`python app.py` start-up time with an existing index, and its memory after 100 questions.

    python -m benchmarks.startup [--data-dir data/bench-quality/e5] [--embedder e5] [--questions 100]

Targets (issue): ready to answer in ≤ 15 s with an existing index; RSS ≤ 1 GB after 100 questions.
The index in --data-dir must exist (e.g. made by `python -m benchmarks.quality`); nothing is re-built."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from assistant.index import IndexPaths

ROOT = Path(__file__).resolve().parent.parent


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def questions(limit: int) -> list[str]:
    rows = [json.loads(x) for x in (ROOT / "tests/eval/questions.jsonl").read_text(encoding="utf-8").splitlines()]
    out = [r["question"] for r in rows]
    return (out * (limit // len(out) + 1))[:limit]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", type=Path, default=ROOT / "data/bench-quality/e5")
    ap.add_argument("--embedder", default="e5", choices=["e5", "fake"])
    ap.add_argument("--questions", type=int, default=100)
    args = ap.parse_args()
    if IndexPaths(args.data_dir / "index").current_id() is None:
        print(f"no index in {args.data_dir}: run `python -m benchmarks.quality --embedder {args.embedder}` first")
        return 2
    from assistant.web import free_port  # here: the web stack is slow to import, and --help need not wait

    port = free_port()
    # One client asks every question: the per-client rate limit would refuse most of them.
    env = {**os.environ, "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1"), "ZST_STAFF__TOKEN": "bench",
           "ZST_WEB__RATE_LIMIT__ENABLED": "false"}
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "app.py", "--port", str(port), "--data-dir", str(args.data_dir),
                             "--embedder", args.embedder], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        ready = None
        with httpx.Client(timeout=30) as client:
            while time.perf_counter() - started < 120 and proc.poll() is None:
                try:
                    if client.post(f"{base}/api/chat", json={"message": "经开区工业用地价格？"}).status_code == 200:
                        ready = time.perf_counter() - started
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
            if ready is None:
                print("the app did not become ready within 120 s")
                return 1
            rss_start = rss_mb(proc.pid)
            errors = 0
            t0 = time.perf_counter()
            for i, q in enumerate(questions(args.questions)):
                r = client.post(f"{base}/api/chat", json={"message": q, "session_id": f"bench-{i % 10}"})
                errors += r.status_code != 200
            per_q = (time.perf_counter() - t0) / args.questions * 1000
            rss_end = rss_mb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    print(f"embedder {args.embedder}, OMP_NUM_THREADS={env['OMP_NUM_THREADS']}, load {os.getloadavg()[0]:.2f}")
    print(f"ready to answer after      {ready:6.1f} s   (target ≤ 15 s)")
    print(f"RSS when ready             {rss_start:6.0f} MB")
    print(f"RSS after {args.questions} questions    {rss_end:6.0f} MB   (target ≤ 1024 MB), {errors} errors, "
          f"{per_q:.0f} ms per question over HTTP")
    return 0


if __name__ == "__main__":
    sys.exit(main())
