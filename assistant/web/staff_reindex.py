"""Documents uploaded by staff, and the background re-index that makes them answerable.

An upload is saved under ``uploads/`` in the corpus folder being served, then one builder run (a thread)
indexes it; the builder is atomic, so a failed run leaves the served build as it was, and a file it cannot
read is recorded as skipped while everything else is indexed. When the run ends the service switches to the
new build (``reload_if_stale``)."""

from __future__ import annotations

import logging
import os
import re
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assistant.answering import ChatService
from assistant.ingest import IndexBuilder

log = logging.getLogger(__name__)
UPLOAD_FOLDER = "uploads"  # no leading "_" or ".": the loaders skip such folders
ALLOWED_SUFFIXES = (".pdf", ".md", ".txt", ".docx", ".csv", ".xlsx", ".yaml", ".yml")
_UNSAFE = re.compile(r"[^\w.\-]+")


class UploadError(ValueError):
    pass


def safe_name(filename: str) -> str:
    """The file's own name, reduced to word characters (CJK included), dots and dashes."""
    base = Path(filename.replace("\\", "/")).name
    name = _UNSAFE.sub("_", base).lstrip("._-")
    stem, suffix = os.path.splitext(name)
    if suffix.lower() not in ALLOWED_SUFFIXES:
        raise UploadError(f"unsupported file type '{suffix or base}' (allowed: {', '.join(ALLOWED_SUFFIXES)})")
    if not stem or stem.lower().endswith(".meta"):
        raise UploadError("not a usable file name")
    return stem[:120] + suffix.lower()


def corpus_dir(service: ChatService) -> Path:
    """The corpus folder of the settings; the manifest's record of where a build was made is not followed."""
    return Path(service.settings.corpus_dir)


def save_upload(service: ChatService, filename: str, data: bytes, limit: int) -> str:
    """Write the file into the served corpus (atomically) and return its doc_id."""
    if not data:
        raise UploadError("the file is empty")
    if len(data) > limit:
        raise UploadError(f"the file is larger than {limit // (1024 * 1024)} MB")
    name = safe_name(filename)
    corpus = corpus_dir(service).resolve()
    folder = corpus / UPLOAD_FOLDER
    if not folder.resolve().is_relative_to(corpus):  # a link out of the corpus: ingest would not follow it
        raise UploadError(f"the {UPLOAD_FOLDER} folder is a link outside the corpus folder")
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".upload-")  # hidden: a build running now ignores it
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, folder / name)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return f"{UPLOAD_FOLDER}/{name}"


@dataclass
class JobState:
    state: str = "idle"  # idle | running | done | failed
    stage: str = ""
    done: int = 0
    total: int = 0
    doc_id: str = ""  # the upload this run is for
    doc_status: str = ""  # its ingest status in the new build: indexed, unreadable, needs_ocr, ...
    doc_reason: str = ""
    build_id: str = ""
    message: str = ""
    started: float = 0.0
    finished: float = 0.0
    runs: int = 0


@dataclass
class ReindexJob:
    service: ChatService
    _state: JobState = field(default_factory=JobState)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _thread: threading.Thread | None = None

    def status(self) -> dict[str, Any]:
        with self._lock:
            out = asdict(self._state)
        out["percent"] = round(100 * out["done"] / out["total"]) if out["total"] else (
            100 if out["state"] == "done" else 0)
        return out

    def running(self) -> bool:
        with self._lock:
            return self._state.state == "running"

    def start(self, doc_id: str) -> bool:
        """Start a run in the background; False when one is already running."""
        with self._lock:
            if self._state.state == "running":
                return False
            self._state = JobState("running", "starting", doc_id=doc_id, started=time.time(),
                                   runs=self._state.runs + 1)
        self._thread = threading.Thread(target=self._run, name="staff-reindex", daemon=True)
        self._thread.start()
        return True

    def wait(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def _progress(self, stage: str, done: int, total: int) -> None:
        with self._lock:
            self._state.stage, self._state.done, self._state.total = stage, done, total

    def _run(self) -> None:
        service = self.service
        try:
            builder = IndexBuilder(service.settings, embeddings=service.index.embeddings, on_progress=self._progress)
            report = builder.build(corpus_dir(service))
            service.reload_if_stale()
            record = next((f for f in report.files if f.doc_id == self._state.doc_id), None)
            with self._lock:
                self._state.state, self._state.stage = "done", "done"
                self._state.build_id = report.build_id or ""
                self._state.message = report.summary().splitlines()[0]
                if record is None:
                    self._state.doc_status, self._state.doc_reason = "missing", "the file was not found"
                else:
                    self._state.doc_status, self._state.doc_reason = record.status, record.reason
        except Exception as exc:  # the served build is untouched; staff see why
            log.exception("staff re-index failed")
            with self._lock:
                self._state.state, self._state.message = "failed", f"{type(exc).__name__}: {exc}"
        finally:
            with self._lock:
                self._state.finished = time.time()
