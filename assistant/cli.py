"""``python -m assistant``: the staff command line over the same ChatService as the web surfaces."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from assistant.answering import ChatService
from assistant.build import build_chat_service
from assistant.chat_types import Answer
from assistant.index import EmbedderMismatch, IndexNotFound
from assistant.settings import Settings
from assistant.text_input import is_blank


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m assistant", description="Ask the Invest Guiyang Assistant.")
    sub = p.add_subparsers(dest="command", required=True)
    ask = sub.add_parser("ask", help="answer one question, or a JSONL file of questions")
    ask.add_argument("question", nargs="?", help="the question (omit with --jsonl)")
    ask.add_argument("--json", action="store_true", help="print one JSON object")
    ask.add_argument("--jsonl", type=Path, help='file of {"id", "question", "session"?} lines; prints one JSON line each')
    ask.add_argument("--lang", choices=["zh", "en"], help="answer language (default: the question's)")
    ask.add_argument("--session", help="conversation id, so follow-ups refer to earlier questions")
    ask.add_argument("--data-dir", type=Path, help="where the index lives (default: ./data)")
    ask.add_argument("--embedder", choices=["e5", "sentence-transformers", "fake"],
                     help="must match the embedder the index was built with")
    match = sub.add_parser("match", help="match a company profile (JSON file) against every incentive rule")
    match.add_argument("profile", type=Path, help='a JSON file: the profile, or {"profile": {...}}')
    match.add_argument("--lang", choices=["zh", "en"], default="zh", help="language of the result (default zh)")
    match.add_argument("--json", action="store_true", help="print the result as JSON")
    match.add_argument("--corpus", type=Path, help="corpus folder with rules/ and listings/ (default: the settings')")
    purge = sub.add_parser("purge", help="delete leads and logged conversations past their retention period "
                                         "(settings.privacy; the app also does this while it runs)")
    purge.add_argument("--data-dir", type=Path, help="where the SQLite database lives (default: ./data)")
    return p


def purge(settings: Settings) -> int:
    from assistant.web import Store  # the web store only here: asking needs none of it

    store = Store.from_settings(settings, purge=False)  # purged below, to print what went
    try:
        erased = store.purge_expired()
        print(json.dumps(erased.to_dict()))
    finally:
        store.close()
    return 0


def match(args: argparse.Namespace) -> int:
    """The profile's matching rules, amounts and costs; read from the corpus folder, no index needed."""
    from pydantic import ValidationError

    from assistant.matching import Profile, load_matcher
    from assistant.matching import render as render_match

    try:
        data = json.loads(args.profile.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        print(f"error: cannot read {args.profile}: {exc}", file=sys.stderr)
        return 2
    if isinstance(data, dict) and isinstance(data.get("profile"), dict):
        data = data["profile"]
    try:
        profile = Profile.model_validate(data)
    except ValidationError as exc:
        for e in exc.errors(include_url=False):
            where = ".".join(str(p) for p in e["loc"]) or "profile"
            print(f"error: {args.profile}: {where}: {e['msg']}", file=sys.stderr)
        return 2
    settings = Settings()
    try:
        matcher = load_matcher(args.corpus or Path(settings.corpus_dir), settings.match)
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    result = matcher.match(profile, args.lang)
    print(result.model_dump_json(indent=1) if args.json else render_match(result))
    return 0


def render(answer: Answer) -> str:
    lines = [answer.answer, ""]
    if answer.sources:
        lines.append("来源 / Sources:" if answer.language == "zh" else "Sources:")
        for n, source in enumerate(answer.sources, start=1):
            lines.append(f"  [{n}] 《{source.title}》 {source.locator}".rstrip())
    lines.append(f"(status: {answer.status}{', handoff' if answer.handoff else ''})")
    return "\n".join(lines)


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings()
    if args.data_dir:
        settings = settings.model_copy(update={"data_dir": args.data_dir})
    if getattr(args, "embedder", None):
        settings = settings.model_copy(update={"embeddings": settings.embeddings.model_copy(
            update={"backend": args.embedder})})
    return settings


def _jsonl(service: ChatService, path: Path) -> int:
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                question = str(item["question"])
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                print(f"{path}:{number}: bad line: {exc}", file=sys.stderr)
                return 2
            if is_blank(question):
                print(f"{path}:{number}: the question is empty", file=sys.stderr)
                return 2
            qid = item.get("id", number)
            session = item.get("session")
            answer = service.ask(question, session_id=str(session) if session is not None else None,
                                 lang=item.get("lang"))
            print(json.dumps(answer.public_dict(qid), ensure_ascii=False), flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command == "purge":
        return purge(_settings(args))
    if args.command == "match":
        return match(args)
    if not args.jsonl:
        if args.question is None:
            print("error: give a question or --jsonl FILE", file=sys.stderr)
            return 2
        if is_blank(args.question):
            print("error: the question is empty (only whitespace, control or format characters)", file=sys.stderr)
            return 2
    try:
        service = build_chat_service(_settings(args))
    except (IndexNotFound, EmbedderMismatch) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.jsonl:
        return _jsonl(service, args.jsonl)
    answer = service.ask(args.question, session_id=args.session, lang=args.lang)
    print(json.dumps(answer.public_dict(), ensure_ascii=False, indent=1) if args.json else render(answer))
    return 0
