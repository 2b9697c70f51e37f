"""Changes made in the staff console wait here until staff publish them: uploaded files, deletions and a new
lexicon, kept in ``<data_dir>/staging`` (never in the corpus folder) with the staged build made from the corpus
plus them.

Why a pending folder and not the corpus: the corpus folder and the served index must agree, whatever happens.
A file saved into the corpus before review would be read by the next ``python ingest.py`` (which publishes
directly) and, after a restart, sit in the corpus with nothing serving it. Here the corpus changes only at
Publish, in the same step that points CURRENT at the staged build; Discard deletes the pending files and the
staged build, and the corpus was never touched. Publish is journaled (``publishing`` is written before the
first file moves) and every step can be repeated, so a crash half-way is finished at the next start
(``recover``)."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from assistant.index import IndexPaths, read_json, remove_build
from assistant.ingest.changes import CorpusChanges
from assistant.ingest.loaders.metadata import sidecar_path
from assistant.lexicon import LEXICON_FILE
from assistant.settings import Settings

CHANGES_FILE = "changes.json"
FILES = "files"  # the pending files, each at its doc_id's path
MAX_DOC_ID = 500


class StagingError(ValueError):
    """A change or a publish that cannot be made; the message is for staff."""


class UnsafePath(StagingError):
    """A doc_id that is not a plain path inside the corpus folder (``..``, absolute, a drive, a backslash)."""


class StaleStage(StagingError):
    """The staged build does not match the pending changes or the served build any more: build it again."""


def checked_doc_id(doc_id: str) -> str:
    """``doc_id`` when it names a path inside the corpus (relative, posix, no ``..``); else UnsafePath."""
    if not doc_id or len(doc_id) > MAX_DOC_ID or "\\" in doc_id or "\x00" in doc_id or ":" in doc_id:
        raise UnsafePath("not a document path of the corpus")
    parts = PurePosixPath(doc_id).parts
    if doc_id.startswith("/") or any(p in ("", ".", "..") for p in parts) or doc_id != "/".join(parts):
        raise UnsafePath("not a document path of the corpus")
    return doc_id


def _inside(folder: Path, doc_id: str) -> Path:
    """The path of ``doc_id`` under ``folder``; its parent folders must not lead out of it (links)."""
    root = folder.resolve()
    path = folder / checked_doc_id(doc_id)
    if not path.parent.resolve().is_relative_to(root):
        raise UnsafePath(f"{doc_id}: its folder is a link outside the corpus folder")
    return path


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".staging-")  # hidden: a build running now ignores it
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass
class ChangeSet:
    added: list[str] = field(default_factory=list)  # doc_ids of files added or replaced
    removed: list[str] = field(default_factory=list)  # doc_ids of corpus files to delete (with their sidecars)
    lexicon: bool = False  # a new lexicon.yaml waits in the files folder
    built: str | None = None  # the staged build made from exactly these changes, if one is
    base: str | None = None  # the served build that staged build was made over
    publishing: bool = False  # publish began: finish it at the next start

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.lexicon)


class StagingArea:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.folder = settings.staging_dir
        self.files = self.folder / FILES
        self.corpus = Path(settings.corpus_dir)
        self.paths = IndexPaths(settings.index_dir)

    # ---- the pending changes ----
    def state(self) -> ChangeSet:
        data = read_json(self.folder / CHANGES_FILE, {}) or {}
        return ChangeSet(**{k: v for k, v in data.items() if k in ChangeSet.__dataclass_fields__})

    def _save(self, changes: ChangeSet) -> None:
        _write_atomic(self.folder / CHANGES_FILE, json.dumps(asdict(changes), ensure_ascii=False).encode())

    def changes(self) -> CorpusChanges | None:
        """What the builder reads over the corpus folder, or None when nothing is pending."""
        state = self.state()
        if state.empty:
            return None
        return CorpusChanges(self.files, tuple(state.added), tuple(state.removed), state.lexicon)

    def add_file(self, doc_id: str, data: bytes) -> None:
        """A new or replacing file, kept here until publish."""
        _inside(self.corpus, doc_id)  # where it will go must be a plain place in the corpus
        _write_atomic(_inside(self.files, doc_id), data)
        state = self.state()
        state.added = sorted({*state.added, doc_id})
        state.removed = [d for d in state.removed if d != doc_id]
        state.built = None
        self._save(state)

    def remove(self, doc_id: str) -> None:
        """Delete a document at publish; a pending file of that name is dropped now."""
        path = _inside(self.corpus, doc_id)
        state = self.state()
        pending = doc_id in state.added
        if pending:
            _inside(self.files, doc_id).unlink(missing_ok=True)
            state.added = [d for d in state.added if d != doc_id]
        if not pending or path.is_file() or path.is_symlink():  # a new upload dropped again leaves nothing
            state.removed = sorted({*state.removed, doc_id})
        state.built = None
        self._save(state)

    def set_lexicon(self, text: str) -> None:
        """A new lexicon (checked by the caller), written to the corpus at publish."""
        _write_atomic(self.files / LEXICON_FILE, text.encode("utf-8"))
        state = self.state()
        state.lexicon, state.built = True, None
        self._save(state)

    def lexicon_text(self) -> str:
        """The lexicon as it will be after publish: the pending one, else the corpus's own."""
        pending = self.files / LEXICON_FILE
        path = pending if self.state().lexicon and pending.is_file() else self.corpus / LEXICON_FILE
        return path.read_text(encoding="utf-8") if path.is_file() else ""

    def _clear(self) -> None:
        """Forget the pending changes: the folder, or only what is in it when the folder is a link or a mount
        (storage several hosts share; ``rmtree`` refuses a link and left every change pending). The journal goes
        last, so an interrupted clear of a publish is finished by ``recover``."""
        if not self.folder.is_dir():
            return
        for child in sorted(self.folder.iterdir(), key=lambda p: p.name == CHANGES_FILE):
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child, ignore_errors=True)
            else:
                child.unlink(missing_ok=True)
        if not (self.folder.is_symlink() or os.path.ismount(self.folder)):
            shutil.rmtree(self.folder, ignore_errors=True)

    def record_build(self, build_id: str) -> None:
        """The staged build now made from exactly the pending changes, over the served build."""
        state = self.state()
        state.built, state.base = build_id, self.paths.current_id()
        self._save(state)

    # ---- publish and discard ----
    def ready(self) -> str:
        """The staged build publish would serve; StaleStage when it is missing or out of date."""
        state = self.state()
        staged = self.paths.staged_id()
        if staged is None or state.empty:
            raise StaleStage("nothing is staged")
        if state.built != staged:
            raise StaleStage("the staged build does not hold the latest changes (its re-index was cancelled or "
                             "failed): re-index, or discard the changes")
        if state.base != self.paths.current_id():
            raise StaleStage("the published index changed since this build was staged (someone re-indexed): "
                             "re-index to stage the changes again over it")
        return staged

    def publish(self) -> str:
        """Move the pending changes into the corpus and serve the staged build; its id."""
        staged = self.ready()
        state = self.state()
        state.publishing = True
        self._save(state)
        self._finish(staged, state)
        return staged

    def _finish(self, staged: str, state: ChangeSet) -> None:
        for doc_id in state.removed:
            path = _inside(self.corpus, doc_id)
            for p in (path, sidecar_path(path)):
                if p.is_symlink() or p.is_file():
                    p.unlink()  # a link is removed itself, never what it points at
        for doc_id in state.added:
            source = _inside(self.files, doc_id)
            if source.is_file():
                _write_atomic(_inside(self.corpus, doc_id), source.read_bytes())
        pending_lexicon = self.files / LEXICON_FILE
        if state.lexicon and pending_lexicon.is_file():
            _write_atomic(self.corpus / LEXICON_FILE, pending_lexicon.read_bytes())
        self.paths.switch_to(staged)
        self.paths.unstage()
        self._clear()
        for stale in self.paths.stale_builds(self.settings.index.keep_builds):
            remove_build(self.paths, stale, self.settings.index)

    def discard(self) -> None:
        """Forget the pending changes and delete the staged build; the corpus was never changed."""
        staged = self.paths.staged_id()
        self.paths.unstage()
        if staged and staged != self.paths.current_id():
            remove_build(self.paths, staged, self.settings.index)
        self._clear()

    def recover(self) -> bool:
        """Finish a publish a crash interrupted (True), at start-up, before anything is served."""
        state = self.state()
        if not state.publishing:
            return False
        built = state.built
        if built and (self.paths.build_dir(built) / "COMPLETE").exists():
            self._finish(built, state)
        else:
            self._clear()
        return True


# ---- what staff review before publishing ----
def staged_report(published: dict[str, Any], staged: dict[str, Any], changes: ChangeSet) -> dict[str, Any]:
    """Files added, changed, removed and skipped, chunk counts and flagged sentences: the staged build's
    manifest against the published one's."""
    before = {f["doc_id"]: f for f in published.get("files", [])}
    after = {f["doc_id"]: f for f in staged.get("files", [])}

    def row(f: dict[str, Any]) -> dict[str, Any]:
        return {"doc_id": f["doc_id"], "status": f.get("status", ""), "chunks": f.get("chunks", 0),
                "reason": f.get("reason", ""), "flags": len(f.get("flags") or [])}

    added = [row(f) for d, f in after.items() if d not in before]
    changed = [row(f) for d, f in after.items() if d in before and before[d].get("sha256") != f.get("sha256")]
    removed = [row(f) for d, f in before.items() if d not in after]
    new = {r["doc_id"] for r in added + changed}
    flags = [{"doc_id": d, "new": d in new, **flag} for d, f in after.items() for flag in f.get("flags") or []]
    return {"build_id": staged.get("build_id"), "published_build": published.get("build_id"),
            "added": added, "changed": changed, "removed": removed,
            "skipped": [r for r in added + changed if r["status"] != "indexed"],
            "chunks": {"published": published.get("chunks", 0), "staged": staged.get("chunks", 0)},
            "lexicon_changed": published.get("lexicon") != staged.get("lexicon"),
            "flags": sorted(flags, key=lambda f: (not f["new"], f["doc_id"])),
            "pending": {"added": changes.added, "removed": changes.removed, "lexicon": changes.lexicon}}
