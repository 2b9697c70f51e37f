"""The background re-index of the staff console: it stages the corpus plus the pending changes (uploads,
deletions, a new lexicon: see ``assistant.ingest.staging``) for review, and never switches the served build.

One builder run at a time, in a thread, with a cancel flag the builder checks between files, OCR pages and
embedding batches: a cancelled or failed run removes its half-made build and leaves the served (and any staged)
build as it was. A file the builder cannot read is recorded as skipped while everything else is indexed."""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assistant.answering import ChatService
from assistant.ingest import BuildCancelled, CorpusChanges, IndexBuilder, StagingArea

log = logging.getLogger(__name__)
UPLOAD_FOLDER = "uploads"  # no leading "_" or ".": the loaders skip such folders
ALLOWED_SUFFIXES = (".pdf", ".md", ".txt", ".docx", ".csv", ".xlsx", ".yaml", ".yml")
_UNSAFE = re.compile(r"[^\w.\-]+")
FINISHED = ("done", "failed", "cancelled")


class UploadError(ValueError):
    """Why an upload is refused; ``key`` and ``values`` name the console's words for it (staff_text)."""

    def __init__(self, message: str, key: str = "", **values: str) -> None:
        super().__init__(message)
        self.key, self.values = key, values


def safe_name(filename: str) -> str:
    """The file's own name, reduced to word characters (CJK included), dots and dashes."""
    base = Path(filename.replace("\\", "/")).name
    name = _UNSAFE.sub("_", base).lstrip("._-")
    stem, suffix = os.path.splitext(name)
    if suffix.lower() not in ALLOWED_SUFFIXES:
        allowed = ", ".join(ALLOWED_SUFFIXES)
        raise UploadError(f"unsupported file type '{suffix or base}' (allowed: {allowed})", "err_unsupported",
                          suffix=suffix or base, allowed=allowed)
    if not stem or stem.lower().endswith(".meta"):
        raise UploadError("not a usable file name", "err_file_name")
    return stem[:120] + suffix.lower()


def upload_doc_id(filename: str, data: bytes, limit: int) -> str:
    """The doc_id an upload will have in the corpus (``uploads/<name>``); UploadError says why not."""
    if not data:
        raise UploadError("the file is empty", "err_empty_file")
    if len(data) > limit:
        mb = str(limit // (1024 * 1024))
        raise UploadError(f"the file is larger than {mb} MB", "err_too_large", mb=mb)
    return f"{UPLOAD_FOLDER}/{safe_name(filename)}"


@dataclass
class JobState:
    state: str = "idle"  # idle | running | cancelling | done | failed | cancelled
    action: str = ""  # what started it: upload, delete, lexicon, reindex
    stage: str = ""
    done: int = 0
    total: int = 0
    doc_id: str = ""  # the document this run is for (upload or delete)
    doc_status: str = ""  # an upload's ingest status in the staged build: indexed, unreadable, needs_ocr, ...
    doc_reason: str = ""
    build_id: str = ""  # the staged build made, if any
    staged: bool = False  # the run left a build awaiting review
    message: str = ""
    started: float = 0.0
    finished: float = 0.0
    runs: int = 0


@dataclass
class ReindexJob:
    service: ChatService
    staging: StagingArea
    _state: JobState = field(default_factory=JobState)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _cancel: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def status(self) -> dict[str, Any]:
        with self._lock:
            out = asdict(self._state)
        out["percent"] = round(100 * out["done"] / out["total"]) if out["total"] else (
            100 if out["state"] == "done" else 0)
        return out

    def running(self) -> bool:
        with self._lock:
            return self._state.state in ("running", "cancelling")

    def start(self, changes: CorpusChanges | None, action: str, doc_id: str = "") -> bool:
        """Stage the corpus plus ``changes`` in the background; False when a run is already going."""
        with self._lock:
            if self._state.state in ("running", "cancelling"):
                return False
            self._cancel.clear()
            self._state = JobState("running", action, "starting", doc_id=doc_id, started=time.time(),
                                   runs=self._state.runs + 1)
        self._thread = threading.Thread(target=self._run, args=(changes,), name="staff-reindex", daemon=True)
        self._thread.start()
        return True

    def cancel(self) -> bool:
        """Ask the running build to stop (at its next file, page or batch); False when none is running."""
        with self._lock:
            if self._state.state != "running":
                return self._state.state == "cancelling"
            self._state.state = "cancelling"
            self._cancel.set()
            return True

    def wait(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def _progress(self, stage: str, done: int, total: int) -> None:
        with self._lock:
            self._state.stage, self._state.done, self._state.total = stage, done, total

    def _end(self, state: str, message: str, **fields: Any) -> None:
        with self._lock:
            self._state.state, self._state.stage, self._state.message = state, state, message
            for key, value in fields.items():
                setattr(self._state, key, value)

    def _run(self, changes: CorpusChanges | None) -> None:
        service = self.service
        try:
            builder = IndexBuilder(service.settings, embeddings=service.index.embeddings, on_progress=self._progress,
                                   cancel=self._cancel)
            report = builder.build(Path(service.settings.corpus_dir), changes=changes, stage=True)
            if not report.changed:
                self.staging.discard()  # the changes make no difference: nothing to review
                self._end("done", "no difference from the published index: nothing staged")
                return
            self.staging.record_build(report.build_id or "")
            record = next((f for f in report.files if f.doc_id == self._state.doc_id), None)
            fields: dict[str, Any] = {"build_id": report.build_id or "", "staged": True}
            if self._state.action == "upload":
                fields |= ({"doc_status": "missing", "doc_reason": "the file was not found"} if record is None
                           else {"doc_status": record.status, "doc_reason": record.reason})
            self._end("done", "staged for review: " + report.summary().splitlines()[0], **fields)
        except BuildCancelled:
            log.info("staff re-index cancelled")
            self._end("cancelled", "cancelled: the published index is unchanged and nothing new was staged")
        except Exception as exc:  # the served build is untouched; staff see why
            log.exception("staff re-index failed")
            self._end("failed", f"{type(exc).__name__}: {exc}")
        finally:
            with self._lock:
                self._state.finished = time.time()
