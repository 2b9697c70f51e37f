"""Serve the investor page and the API: ``python app.py [--host H] [--port P] [--data-dir D] [--corpus C]
[--workers N]``.

Builds the index first when there is none (or when --corpus is given: incremental, quick when nothing
changed), loads everything and answers one warm-up question before listening, so the first visitor
does not wait for the model to load. With --workers N (web.workers) N processes share the port, each
built by ``assistant.web.workers`` (see there for what they share)."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from assistant.settings import Settings


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description="筑商通 / Invest Guiyang Assistant: web page and API.")
    p.add_argument("--host", help="interface to listen on (default 127.0.0.1; 0.0.0.0 = every interface)")
    p.add_argument("--port", type=int, help="port (default 7860)")
    p.add_argument("--data-dir", type=Path, help="index, caches and the database (default ./data)")
    p.add_argument("--corpus", type=Path, help="corpus folder to ingest and serve (default ./corpus)")
    p.add_argument("--embedder", choices=["e5", "sentence-transformers", "fake"],
                   help="embeddings backend (default e5); must match the index")
    p.add_argument("--workers", type=int, help="processes serving on the one port (default 1)")
    return p


def settings_from(args: argparse.Namespace) -> Settings:
    settings = Settings()
    update: dict[str, object] = {}
    if args.data_dir:
        update["data_dir"] = args.data_dir.resolve()
    if args.corpus:
        update["corpus_dir"] = args.corpus.resolve()
    if args.embedder:
        update["embeddings"] = settings.embeddings.model_copy(update={"backend": args.embedder})
    web = {k: v for k, v in (("host", args.host), ("port", args.port), ("workers", args.workers)) if v is not None}
    if web:
        update["web"] = settings.web.model_copy(update=web)
    return settings.model_copy(update=update)


def _staff_token(settings: Settings) -> None:
    if settings.staff.enabled:
        from assistant.web.staff_auth import load_or_create_token

        _hash, new_token = load_or_create_token(settings)
        if new_token is not None:
            print(f"Staff console token (shown once; only its hash is kept in {settings.data_dir}): {new_token}",
                  flush=True)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    from pydantic import ValidationError

    try:
        settings = settings_from(args)
    except ValidationError as exc:  # a ZST_… variable out of range or of the wrong type
        for e in exc.errors(include_url=False):
            where = "__".join(str(p) for p in e["loc"]).upper()
            print(f"error: setting ZST_{where}: {e['msg']}", file=sys.stderr)  # not its value: it may be a secret
        return 2
    started = time.perf_counter()
    if settings.web.workers < 1:
        print("error: --workers must be at least 1", file=sys.stderr)
        return 2
    # Heavy imports here, not at module level: `--help` stays instant.
    import uvicorn

    from assistant.index import SearchIndex, make_embeddings
    from assistant.ingest import IndexBuilder
    from assistant.lexicon import LexiconError
    from assistant.web.workers import FACTORY, SETTINGS_ENV, StartFailures, build_app, settings_env, start_failure

    embeddings = None
    if args.corpus or SearchIndex.needs_build(settings):
        embeddings = make_embeddings(settings.embeddings)  # one model, shared by the builder and one worker
        print(f"Indexing {settings.corpus_dir} into {settings.index_dir} …", flush=True)
        try:
            report = IndexBuilder(settings, embeddings=embeddings, show_progress=True).build()
        except (FileNotFoundError, LexiconError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(report.summary(), flush=True)
    web = settings.web
    run: dict[str, object] = {"host": web.host, "port": web.port, "log_level": "warning", "proxy_headers": True,
                              "forwarded_allow_ips": web.forwarded_allow_ips}
    url = f"http://{web.host}:{web.port}/"
    if web.workers == 1:
        from assistant.build import build_chat_service

        try:
            app = build_app(settings, build_chat_service(settings, embeddings=embeddings))
        except Exception as exc:
            print(f"error: the app could not start: {start_failure(exc)}", file=sys.stderr)
            return 1
        print(f"筑商通 ready in {time.perf_counter() - started:.1f} s: {url}  (API docs: {url}docs)", flush=True)
        uvicorn.run(app, **run)  # type: ignore[arg-type]
        return 0
    del embeddings  # the workers load their own
    _staff_token(settings)  # generated (and printed) once here, not raced by the workers
    os.environ[SETTINGS_ENV] = settings_env(settings)
    print(f"筑商通 starting {web.workers} workers: {url}  (API docs: {url}docs)", flush=True)
    with StartFailures() as failures:  # a worker that cannot start stops them all, not restarted without end
        uvicorn.run(FACTORY, factory=True, workers=web.workers, **run)  # type: ignore[arg-type]
    if failures.reason:
        print(f"error: a worker could not start: {failures.reason}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
