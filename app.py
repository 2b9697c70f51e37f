"""Serve the investor page and the API: ``python app.py [--host H] [--port P] [--data-dir D] [--corpus C]``.

Builds the index first when there is none (or when --corpus is given: incremental, quick when nothing
changed), loads everything and answers one warm-up question before listening, so the first visitor
does not wait for the model to load."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.settings import Settings

if TYPE_CHECKING:
    from assistant.answering import ChatService


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description="筑商通 / Invest Guiyang Assistant: web page and API.")
    p.add_argument("--host", help="interface to listen on (default 127.0.0.1; 0.0.0.0 = every interface)")
    p.add_argument("--port", type=int, help="port (default 7860)")
    p.add_argument("--data-dir", type=Path, help="index, caches and the database (default ./data)")
    p.add_argument("--corpus", type=Path, help="corpus folder to ingest and serve (default ./corpus)")
    p.add_argument("--embedder", choices=["e5", "sentence-transformers", "fake"],
                   help="embeddings backend (default e5); must match the index")
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
    web = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    if web:
        update["web"] = settings.web.model_copy(update=web)
    return settings.model_copy(update=update)


def warm_up(service: ChatService) -> None:
    """Load the model, tokeniser and vector index now, not on the first visitor's question."""
    service.index.embeddings.embed_query("贵阳贵安投资")
    service.ask("研发费用加计扣除比例是多少？")  # a policy question goes through dense and lexical retrieval


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    settings = settings_from(args)
    started = time.perf_counter()
    # Heavy imports here, not at module level: `--help` stays instant.
    import uvicorn

    from assistant.build import build_chat_service
    from assistant.index import SearchIndex, make_embeddings
    from assistant.ingest import IndexBuilder
    from assistant.lexicon import LexiconError
    from assistant.web import Store, create_app

    embeddings = make_embeddings(settings.embeddings)  # one model, shared by the builder and the service
    if args.corpus or SearchIndex.needs_build(settings):
        print(f"Indexing {settings.corpus_dir} into {settings.index_dir} …", flush=True)
        try:
            report = IndexBuilder(settings, embeddings=embeddings, show_progress=True).build()
        except (FileNotFoundError, LexiconError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(report.summary(), flush=True)
    service = build_chat_service(settings, embeddings=embeddings)
    warm_up(service)
    store = Store.from_settings(settings)
    app = create_app(settings, service, store=store)
    url = f"http://{settings.web.host}:{settings.web.port}/"
    print(f"筑商通 ready in {time.perf_counter() - started:.1f} s: {url}  (API docs: {url}docs)", flush=True)
    try:
        uvicorn.run(app, host=settings.web.host, port=settings.web.port, log_level="warning",
                    proxy_headers=True, forwarded_allow_ips=settings.web.forwarded_allow_ips)
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
