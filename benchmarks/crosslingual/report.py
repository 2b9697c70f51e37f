"""The report: the score table printed, and every score and per-question result as JSON."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from benchmarks.crosslingual.data import SEED
from benchmarks.crosslingual.runner import DatasetRun
from benchmarks.crosslingual.scoring import Score
from benchmarks.crosslingual.systems import CHUNK_K


def _cell(value: float | None) -> str:
    return "     -" if value is None else f"{value:6.3f}"


def print_scores(scores: Sequence[Score]) -> None:
    print(f"\n{'set':<6} {'dir':<6} {'system':<10} {'n':>5} {'R@1':>6} {'R@5':>6} {'R@10':>6} "
          f"{'top1∋gold':>9} {'answer∋gold':>11} {'cites gold':>10} {'ms/q':>6}")
    last = ""
    for s in scores:
        head = f"{s.dataset:<6} {s.direction.replace('-', '→'):<6}" if (s.dataset, s.direction) != last else " " * 13
        last = (s.dataset, s.direction)
        print(f"{head} {s.system:<10} {s.n:>5} {_cell(s.r1)} {_cell(s.r5)} {_cell(s.r10)} "
              f"{_cell(s.top1_gold):>9} {_cell(s.answer_gold):>11} {_cell(s.cites_gold):>10} {s.ms:6.1f}")
    print("R@k: the gold paragraph in the target language among the top k paragraphs. answer∋gold: the target "
          "language's gold span inside ChatService's answer (refusals count as misses); cites gold: the answer cites "
          "the gold paragraph. top1∋gold (reference, not an answer): the span inside the whole top-ranked paragraph. "
          "ms/q: search only (query vectors computed once beforehand); ours asks for "
          f"{CHUNK_K} chunks (the service asks for retrieval.top_k), so its near-duplicate pass costs more here.")


def write_json(path: Path, runs: Sequence[DatasetRun], args: argparse.Namespace) -> None:
    data: dict[str, Any] = {"options": {"limit": args.limit, "directions": list(args.directions),
                                        "embedder": args.embedder, "seed": SEED,
                                        "lexicon": str(args.lexicon) if args.lexicon else None},
                            "scores": [asdict(s) for s in runs for s in s.scores],
                            "timings": {r.name: r.timings for r in runs}, "questions": {}}
    for run in runs:
        rows = []
        asked = {(q.qid, q.lang): q for qs in run.questions.values() for q in qs}
        for (qid, lang), _ in run.ranked.get("ours", {}).items():
            q = asked[(qid, lang)]
            row: dict[str, Any] = {"id": qid, "lang": lang, "question": q.question, "paragraph": q.key,
                                   "ranked": {name: list(run.ranked[name][(qid, lang)].docs) for name in run.ranked}}
            if (qid, lang) in run.answers:
                a = run.answers[(qid, lang)]
                row["answer"] = {"status": a.status, "handoff": a.handoff, "text": a.answer, "cited": list(a.cited)}
            rows.append(row)
        data["questions"][run.name] = rows
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
