"""On-disk layout of index builds and the atomic pointer to the one being served.

    data/index/CURRENT            id of the served build (replaced atomically, written last)
    data/index/STAGED             id of a build awaiting review in the staff console (not served)
    data/index/builds/<id>/       manifest.json, chunks.jsonl, bm25.*, structured.json, chroma/ (embedded)

A build is made beside the served one and only becomes current once complete, so a crash or a bad file
mid-way leaves the previous build serving, whole."""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.documents import Chunk
from assistant.settings import IndexSettings

COMPLETE = "COMPLETE"


def new_build_id() -> str:
    """UTC second, then microseconds, then pid: ids sort by creation time, which ``stale_builds`` relies on."""
    now = time.time_ns()
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(now // 1_000_000_000))
    return f"{stamp}-{now // 1000 % 1_000_000:06d}-{os.getpid()}"


def collection_name(build_id: str, language: str) -> str:
    """One Chroma collection per build and passage language: dense search runs per language, and a metadata
    filter over one shared collection cost ten times the search itself at 50,000 chunks."""
    return f"zst-{build_id}-{language}"


@dataclass(frozen=True)
class IndexPaths:
    root: Path

    @property
    def current_file(self) -> Path:
        return self.root / "CURRENT"

    @property
    def builds(self) -> Path:
        return self.root / "builds"

    def build_dir(self, build_id: str) -> Path:
        return self.builds / build_id

    @property
    def staged_file(self) -> Path:
        return self.root / "STAGED"

    def _read_pointer(self, pointer: Path) -> str | None:
        try:
            build_id = pointer.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return build_id if build_id and (self.build_dir(build_id) / COMPLETE).exists() else None

    def _write_pointer(self, pointer: Path, build_id: str) -> None:
        """Write a temp file, fsync, rename over (atomic on POSIX)."""
        tmp = self.root / f".{pointer.name}.{os.getpid()}"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(build_id)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, pointer)

    def current_id(self) -> str | None:
        return self._read_pointer(self.current_file)

    def staged_id(self) -> str | None:
        """The complete build awaiting review, if any: made like any build, but CURRENT does not name it."""
        return self._read_pointer(self.staged_file)

    def mark_complete(self, build_id: str) -> None:
        (self.build_dir(build_id) / COMPLETE).write_text("ok", encoding="utf-8")

    def switch_to(self, build_id: str) -> None:
        """Point CURRENT at a complete build, atomically: the running app reopens it between questions."""
        self._write_pointer(self.current_file, build_id)

    def stage(self, build_id: str) -> None:
        """Point STAGED at a complete build; publishing it is ``switch_to`` then ``unstage``."""
        self._write_pointer(self.staged_file, build_id)

    def unstage(self) -> None:
        self.staged_file.unlink(missing_ok=True)

    def stale_builds(self, keep: int) -> list[str]:
        """Builds to delete: incomplete ones (crashed) and complete ones beyond the newest ``keep``; the served
        and the staged build always stay."""
        if not self.builds.exists():
            return []
        pinned = {b for b in (self.current_id(), self.staged_id()) if b}
        complete = sorted(d.name for d in self.builds.iterdir() if (d / COMPLETE).exists())
        kept = set(complete[-keep:]) | pinned
        return [d.name for d in self.builds.iterdir() if d.is_dir() and d.name not in kept]


def chroma_client(settings: IndexSettings, build_dir: Path):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_mode == "server":
        return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings)
    return chromadb.PersistentClient(path=str(build_dir / "chroma"), settings=chroma_settings)


def chroma_reader(settings: IndexSettings, build_dir: Path):
    """The client a serving process searches a build with: with ``chroma_copy`` (several web workers on embedded
    Chroma, which is not safe to open from several processes) a private copy of the build's vectors."""
    if settings.chroma_mode == "server" or not settings.chroma_copy:
        return chroma_client(settings, build_dir)
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    return chromadb.PersistentClient(path=str(_private_copy(build_dir)),
                                     settings=ChromaSettings(anonymized_telemetry=False))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _private_copy(build_dir: Path) -> Path:
    """``<index>/replicas/<build>.<pid>``: copied under a temporary name, then renamed, so it is whole. Removed
    first: copies of processes that are gone, and this process's copies of builds neither served nor staged
    but its newest (a question may still be reading the build it is replacing)."""
    replicas = build_dir.parent.parent / "replicas"
    replicas.mkdir(parents=True, exist_ok=True)
    paths, pid = IndexPaths(build_dir.parent.parent), os.getpid()
    pinned = {f"{b}.{pid}" for b in (paths.current_id(), paths.staged_id()) if b}
    mine = sorted(replicas.glob(f"*.{pid}"), key=lambda p: p.stat().st_mtime)
    for old in replicas.iterdir():
        owner = old.name.removesuffix(".tmp").rsplit(".", 1)[-1]  # another worker may be copying right now
        if not owner.isdigit() or (int(owner) != pid and not _alive(int(owner))) or (
                old in mine[:-1] and old.name not in pinned):
            shutil.rmtree(old, ignore_errors=True)
    target = replicas / f"{build_dir.name}.{pid}"
    if not target.exists():
        tmp = replicas / f".{build_dir.name}.{pid}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.copytree(build_dir / "chroma", tmp)
        os.replace(tmp, target)
    return target


def remove_build(paths: IndexPaths, build_id: str, settings: IndexSettings) -> None:
    if settings.chroma_mode == "server":
        try:
            client = chroma_client(settings, paths.build_dir(build_id))
            for collection in client.list_collections():
                if collection.name.startswith(f"zst-{build_id}-"):
                    client.delete_collection(collection.name)
        except Exception:  # already gone, or the server is down: the local files still go
            pass
    shutil.rmtree(paths.build_dir(build_id), ignore_errors=True)


def write_chunks(folder: Path, chunks: list[Chunk]) -> None:
    with open(folder / "chunks.jsonl", "w", encoding="utf-8") as fh:
        for chunk in chunks:
            fh.write(json.dumps(chunk.to_dict(), ensure_ascii=False) + "\n")


def read_chunks(folder: Path) -> list[Chunk]:
    with open(folder / "chunks.jsonl", encoding="utf-8") as fh:
        return [Chunk(**json.loads(line)) for line in fh if line.strip()]


def write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str), encoding="utf-8")


def read_json(path: Path, default: Any = None) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return default
