"""Command line of ``python ingest.py``: build or check the index of a corpus folder."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from assistant.index import EmbeddingWorkerError
from assistant.ingest.builder import IndexBuilder
from assistant.ingest.check import check_corpus
from assistant.lexicon import LexiconError
from assistant.settings import Settings


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ingest.py", description="Build the searchable index of a corpus folder.")
    p.add_argument("corpus", nargs="?", type=Path, help="folder to ingest (default: settings corpus_dir, ./corpus)")
    p.add_argument("--data-dir", type=Path, help="where index builds and caches live (default: ./data)")
    p.add_argument("--rebuild", action="store_true", help="start over instead of reusing unchanged files")
    p.add_argument("--check", action="store_true", help="validate metadata, listings and rules; embed nothing")
    p.add_argument("--embedder", choices=["e5", "sentence-transformers", "fake"], help="embedding backend")
    p.add_argument("--model", help="model name or directory for the sentence-transformers backend")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    return p


def settings_from(args: argparse.Namespace) -> Settings:
    settings = Settings()
    updates: dict = {}
    if args.corpus:
        updates["corpus_dir"] = args.corpus
    if args.data_dir:
        updates["data_dir"] = args.data_dir
    emb = settings.embeddings.model_copy(update={k: v for k, v in
                                                 (("backend", args.embedder), ("model", args.model)) if v})
    return settings.model_copy(update={**updates, "embeddings": emb})


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    settings = settings_from(args)
    if args.check:
        report = check_corpus(settings.corpus_dir, settings.index.budgets)
        if args.json:
            print(json.dumps({"ok": report.ok, "files": report.files, "warnings": report.warnings,
                              "problems": [asdict(p) | {"text": str(p)} for p in report.problems]},
                             ensure_ascii=False, indent=1))
        else:
            print(report.summary())
        return 0 if report.ok else 1
    try:
        report = IndexBuilder(settings, show_progress=not args.quiet).build(rebuild=args.rebuild)
    except (FileNotFoundError, NotADirectoryError, LexiconError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except EmbeddingWorkerError as exc:
        print(f"error: {exc}\nthe index being served is unchanged", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted: the index being served is unchanged", file=sys.stderr)
        return 130
    if args.json:
        print(json.dumps(asdict(report) | {"skipped": [asdict(f) for f in report.skipped]}, ensure_ascii=False,
                         indent=1))
    else:
        print(report.summary())
    return 0
