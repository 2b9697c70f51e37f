"""``python -m benchmarks.crosslingual``: its options, the datasets read from the shared folder, and the run."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.crosslingual.data import SEED, load_squad, sample
from benchmarks.crosslingual.report import print_scores, write_json
from benchmarks.crosslingual.runner import DatasetRun, run_dataset
from benchmarks.crosslingual.systems import QueryMemo

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "benchmarks"  # beside the repository, never inside it
DEFAULT_DATA = ROOT / "data" / "bench-crosslingual"
LEXICON = ROOT / "corpus" / "lexicon.yaml"
DIRECTIONS = ("zh-zh", "en-en", "en-zh", "zh-en")


def _description() -> str:
    """The first paragraph of the package's docstring (its one line for --help)."""
    return (sys.modules["benchmarks.crosslingual"].__doc__ or "").split("\n\n")[0]


def parse_directions(text: str) -> tuple[str, ...]:
    out = tuple(dict.fromkeys(d.strip().replace("→", "-") for d in text.split(",") if d.strip()))
    bad = [d for d in out if d not in DIRECTIONS]
    if bad or not out:
        raise argparse.ArgumentTypeError(f"directions are a comma list of {', '.join(DIRECTIONS)}; got {text!r}")
    return out


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks.crosslingual", description=_description())
    p.add_argument("--limit", type=int, help=f"questions per direction, sampled with seed {SEED} (default: all)")
    p.add_argument("--directions", type=parse_directions, default=DIRECTIONS,
                   help=f"XQuAD directions, comma-separated (default: {','.join(DIRECTIONS)})")
    p.add_argument("--skip-cmrc", action="store_true", help="XQuAD only")
    p.add_argument("--skip-answers", action="store_true", help="retrieval only: no ChatService answers (faster)")
    p.add_argument("--embedder", choices=["e5", "fake"], default="e5", help="embedding backend (default: e5)")
    p.add_argument("--json", type=Path, dest="json_out", help="also write scores and per-question results here")
    p.add_argument("--data-dir", type=Path, help=f"benchmark folder (default: {DEFAULT_DATA.relative_to(ROOT)}/<embedder>)")
    p.add_argument("--source", type=Path, default=SHARED,
                   help="folder holding xquad/ and cmrc2018/ (default: ../shared/benchmarks beside the repository)")
    p.add_argument("--lexicon", default=str(LEXICON),
                   help="lexicon copied into the benchmark corpora (default: corpus/lexicon.yaml); 'none' for none")
    args = p.parse_args(argv)
    if args.limit is not None and args.limit < 1:
        p.error("--limit must be at least 1")
    args.lexicon = None if args.lexicon.lower() == "none" else Path(args.lexicon).resolve()
    args.data_root = (args.data_dir or DEFAULT_DATA / args.embedder).resolve()
    return args


def load_runs(args: argparse.Namespace) -> list[DatasetRun]:
    runs = []
    zh_paras, zh_qs = load_squad(args.source / "xquad" / "xquad.zh.json", "zh", "x")
    en_paras, en_qs = load_squad(args.source / "xquad" / "xquad.en.json", "en", "x")
    chosen = set(sample([q.qid for q in en_qs], args.limit))  # the same questions in every direction
    runs.append(DatasetRun("xquad", args.directions, zh_paras + en_paras,
                           {"zh": [q for q in zh_qs if q.qid in chosen], "en": [q for q in en_qs if q.qid in chosen]}))
    if not args.skip_cmrc:
        paras, qs = load_squad(args.source / "cmrc2018" / "cmrc2018_dev.json", "zh", "c")
        chosen = set(sample([q.qid for q in qs], args.limit))
        runs.append(DatasetRun("cmrc", ("zh-zh",), paras, {"zh": [q for q in qs if q.qid in chosen]}))
    return runs


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")  # shared 2-core machine: one thread per model
    from assistant.index import make_embeddings
    from assistant.settings import EmbeddingSettings

    began = time.perf_counter()
    runs = load_runs(args)
    embeddings = QueryMemo(make_embeddings(EmbeddingSettings(backend=args.embedder, threads=1)))
    print(f"== cross-lingual benchmark: embedder {embeddings.name}, limit {args.limit or 'all'}, "
          f"directions {', '.join(args.directions)}, lexicon {args.lexicon or 'none'}, "
          f"answers {'off' if args.skip_answers else 'on'}, source {args.source}")
    for run in runs:
        run_dataset(run, args, embeddings)
        for note in run.notes:
            print(f"  {note}")
    scores = [s for run in runs for s in run.scores]
    print_scores(scores)
    print("\ntiming: " + "; ".join(f"{run.name}: " + ", ".join(f"{k} {v:.1f} s" for k, v in run.timings.items())
                                   for run in runs) + f"; total {time.perf_counter() - began:.1f} s")
    if args.json_out:
        write_json(args.json_out, runs, args)
        print(f"results written to {args.json_out}")
    return 0
