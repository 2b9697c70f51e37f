"""The background re-index of the staff console: it stages the corpus plus the pending changes (uploads,
deletions, a new lexicon: see ``assistant.ingest.staging``) for review, and never switches the served build.

One builder run at a time, in a thread, with a cancel flag the builder checks between files, OCR pages and
embedding batches: a cancelled or failed run removes its half-made build and leaves the served (and any staged)
build as it was. A file the builder cannot read is recorded as skipped while everything else is indexed."""

from __future__ import annotations

import logging
import os
import re
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assistant.answering import ChatService
from assistant.ingest import BuildCancelled, CorpusChanges, IndexBuilder, StagingArea
from assistant.web.shared import SharedState

log = logging.getLogger(__name__)
UPLOAD_FOLDER = "uploads"  # no leading "_" or ".": the loaders skip such folders
ALLOWED_SUFFIXES = (".pdf", ".md", ".txt", ".docx", ".csv", ".xlsx", ".yaml", ".yml")
_UNSAFE = re.compile(r"[^\w.\-]+")
FINISHED = ("done", "failed", "cancelled")
LEASE = "reindex"
LEASE_S = 60.0  # a holder renews every LEASE_S / 6; one silent this long has died


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


class _CancelFlag:
    """The builder's cancel flag (``is_set``): this process's event, or a cancel asked on another worker, read
    from the job's lease at most once a second."""

    def __init__(self, local: threading.Event, asked_elsewhere: Callable[[], bool]) -> None:
        self.local, self.asked_elsewhere = local, asked_elsewhere
        self._next = 0.0

    def is_set(self) -> bool:
        if self.local.is_set():
            return True
        if time.monotonic() >= self._next:
            self._next = time.monotonic() + 1.0
            if self.asked_elsewhere():
                self.local.set()
        return self.local.is_set()


@dataclass
class ReindexJob:
    """One builder run at a time. With ``shared`` (several workers) the run holds the ``reindex`` lease in the
    database: whichever worker a request reaches, a second run is refused while one holds it, every worker
    reports the holder's progress, and a cancel reaches it. A holder that dies stops renewing; its lease runs
    out after LEASE_S and the job reads as failed."""

    service: ChatService
    staging: StagingArea
    shared: SharedState | None = None
    _state: JobState = field(default_factory=JobState)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _cancel: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _owner: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}")
    _pushed: float = 0.0

    def status(self) -> dict[str, Any]:
        with self._lock:
            out = asdict(self._state)
        if self.shared is not None and not self._mine():
            lease = self.shared.lease(LEASE)
            if lease is not None and lease.data:
                out = {**asdict(JobState()), **lease.data}
                if out["state"] in ("running", "cancelling") and not lease.held(time.time()):
                    out |= {"state": "failed", "stage": "failed",
                            "message": "the worker running the re-index stopped: start it again"}
        out["percent"] = round(100 * out["done"] / out["total"]) if out["total"] else (
            100 if out["state"] == "done" else 0)
        return out

    def _mine(self) -> bool:
        """This process runs the job now (its own state is the freshest)."""
        return self._thread is not None and self._thread.is_alive()

    def running(self) -> bool:
        return self.status()["state"] in ("running", "cancelling")

    def start(self, changes: CorpusChanges | None, action: str, doc_id: str = "") -> bool:
        """Stage the corpus plus ``changes`` in the background; False when a run is already going (anywhere)."""
        with self._lock:
            if self._state.state in ("running", "cancelling"):
                return False
            runs = self._state.runs
            if self.shared is not None:
                lease = self.shared.lease(LEASE)
                runs = max(runs, int(lease.data.get("runs", 0)) if lease else 0)
            state = JobState("running", action, "starting", doc_id=doc_id, started=time.time(), runs=runs + 1)
            if self.shared is not None and not self.shared.acquire(LEASE, self._owner, LEASE_S, time.time(),
                                                                   asdict(state)):
                return False
            self._cancel.clear()
            self._state = state
        self._thread = threading.Thread(target=self._run, args=(changes,), name="staff-reindex", daemon=True)
        self._thread.start()
        if self.shared is not None:
            threading.Thread(target=self._heartbeat, args=(self._thread,), name="reindex-lease", daemon=True).start()
        return True

    def cancel(self) -> bool:
        """Ask the running build to stop (at its next file, page or batch); False when none is running."""
        with self._lock:
            if self._state.state == "running":
                self._state.state = "cancelling"
                self._cancel.set()
                local = True
            else:
                local = self._state.state == "cancelling"
        if local or self.shared is None:
            self._push()
            return local
        return self.running() and self.shared.request_cancel(LEASE, time.time())

    def wait(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def _push(self, release: bool = False) -> None:
        """The state into the lease, for the other workers (and the lease renewed)."""
        if self.shared is None:
            return
        with self._lock:
            data = asdict(self._state)
        try:
            self.shared.renew(LEASE, self._owner, LEASE_S, time.time(), data, release=release)
        except Exception:  # the build goes on; the others see its state when the database is back
            log.exception("could not record the re-index state")

    def _heartbeat(self, thread: threading.Thread) -> None:
        while thread.is_alive():
            thread.join(LEASE_S / 6)
            if thread.is_alive():
                self._push()

    def _asked_elsewhere(self) -> bool:
        lease = self.shared.lease(LEASE) if self.shared is not None else None
        return bool(lease and lease.cancel and lease.owner == self._owner)

    def _progress(self, stage: str, done: int, total: int) -> None:
        with self._lock:
            self._state.stage, self._state.done, self._state.total = stage, done, total
        if time.monotonic() - self._pushed > 1.0:  # at most once a second to the database
            self._pushed = time.monotonic()
            self._push()

    def _end(self, state: str, message: str, **fields: Any) -> None:
        with self._lock:
            self._state.state, self._state.stage, self._state.message = state, state, message
            for key, value in fields.items():
                setattr(self._state, key, value)

    def _run(self, changes: CorpusChanges | None) -> None:
        service = self.service
        try:
            cancel = _CancelFlag(self._cancel, self._asked_elsewhere)
            builder = IndexBuilder(service.settings, embeddings=service.index.embeddings, on_progress=self._progress,
                                   cancel=cancel)  # type: ignore[arg-type]
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
            self._push(release=True)
