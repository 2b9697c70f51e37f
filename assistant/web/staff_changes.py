"""What staff change in the console, and its review before investors see it: uploads, deletions and lexicon
edits wait in the staging area and are built into a STAGED index; staff read its report, try questions against
it (a ChatService over the staged build: the same code path as investors) and then publish or discard it.

Only one staged build at a time, and changes add to it: a second upload while one is staged joins the pending
changes and the staged build is made again with both (staff review everything together, and publish cannot
serve half of it). While a re-index runs, a change is refused (409): wait or cancel it."""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.answering import ChatService
from assistant.build import build_chat_service
from assistant.chat_types import Answer
from assistant.index import IndexPaths, SearchIndex, read_json
from assistant.ingest import StagingArea, StagingError, StaleStage, UnsafePath, checked_doc_id, staged_report
from assistant.lexicon import LEXICON_FILE, LexiconError, parse_lexicon
from assistant.settings import Settings
from assistant.web.shared import SharedState
from assistant.web.staff_reindex import ReindexJob, UploadError, upload_doc_id

log = logging.getLogger(__name__)
BUSY = "a re-index is running: wait for it to finish or cancel it"
CHANGES_LEASE = "staff-changes"
CHANGES_LEASE_S = 120.0  # far above a change's few file writes; a holder that died frees it after this
EXCLUSIVE_WAIT_S = 10.0


@dataclass
class ConsoleError(Exception):
    """A refused staff action: the HTTP status and the reason staff see (``message``, English, for the JSON
    API; ``key`` and ``values`` name its words in the console's languages, where it has them)."""

    status: int
    message: str
    key: str = ""
    values: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.message


class StagedChanges:
    """With ``shared`` (several workers) a change, publish or discard also holds the ``staff-changes`` lease, so
    two workers never edit the staging area at once, and the re-index job is the one ``ReindexJob`` lease."""

    def __init__(self, service: ChatService, settings: Settings, shared: SharedState | None = None) -> None:
        self.service, self.settings, self.shared = service, settings, shared
        self.staging = StagingArea(settings)
        self._lock = threading.Lock()  # one change, publish or discard at a time, never during a build's start
        self._owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        with self._exclusive():
            if self.staging.recover():  # a publish a crash interrupted is finished before anything is served
                log.warning("finished a publish that was interrupted")
                service.reload_if_stale()
        self.paths = IndexPaths(settings.index_dir)
        self.job = ReindexJob(service, self.staging, shared)
        self.upload_limit = int(settings.staff.max_upload_mb * 1024 * 1024)
        self._staged: tuple[str, ChatService] | None = None
        self._staged_lock = threading.Lock()

    @contextlib.contextmanager
    def _exclusive(self) -> Iterator[None]:
        """This process's lock, and with several workers the lease every worker takes for the same work."""
        with self._lock:
            if self.shared is None:
                yield
                return
            deadline = time.monotonic() + EXCLUSIVE_WAIT_S
            while not self.shared.acquire(CHANGES_LEASE, self._owner, CHANGES_LEASE_S, time.time(), {}):
                if time.monotonic() > deadline:
                    raise ConsoleError(409, "another change is being made: try again", "err_busy")
                time.sleep(0.05)
            try:
                yield
            finally:
                self.shared.renew(CHANGES_LEASE, self._owner, 0, time.time(), {}, release=True)

    # ---- changes: each starts a staged re-index ----
    def _change(self, action: str, doc_id: str, apply: Any) -> dict[str, Any]:
        with self._exclusive():
            if self.job.running():
                raise ConsoleError(409, BUSY, "err_busy")
            try:
                apply()
            except UnsafePath as exc:
                raise ConsoleError(400, str(exc)) from None
            except StagingError as exc:
                raise ConsoleError(422, str(exc)) from None
            state = self.staging.state()
            if state.empty and action != "reindex":  # e.g. the only pending upload deleted again
                self.staging.discard()
                return {"doc_id": doc_id, "staged": False, "job": self.job.status()}
            if not self.job.start(self.staging.changes(), action, doc_id):  # another worker's run began first
                raise ConsoleError(409, BUSY, "err_busy")
        return {"doc_id": doc_id, "job": self.job.status()}

    def upload(self, filename: str, data: bytes) -> dict[str, Any]:
        try:
            doc_id = upload_doc_id(filename, data, self.upload_limit)
        except UploadError as exc:
            raise ConsoleError(409 if self.job.running() else 422, str(exc), exc.key, exc.values) from None
        return self._change("upload", doc_id, lambda: self.staging.add_file(doc_id, data))

    def known(self, doc_id: str) -> bool:
        """A file of the published build (indexed or skipped) or a pending upload: what may be deleted."""
        return (doc_id in {f["doc_id"] for f in self.service.index.files()}
                or doc_id in self.staging.state().added)

    def check_deletable(self, doc_id: str) -> str:
        try:
            checked_doc_id(doc_id)
        except UnsafePath as exc:
            raise ConsoleError(400, f"{exc}: {doc_id[:200]!r}") from None
        if doc_id == LEXICON_FILE or not self.known(doc_id):
            raise ConsoleError(404, f"no document {doc_id[:200]!r} in the corpus", "err_no_document",
                               {"doc": repr(doc_id[:200])})
        return doc_id

    def delete(self, doc_id: str) -> dict[str, Any]:
        doc_id = self.check_deletable(doc_id)
        return self._change("delete", doc_id, lambda: self.staging.remove(doc_id))

    def lexicon_text(self) -> str:
        return self.staging.lexicon_text()

    def set_lexicon(self, text: str) -> dict[str, Any]:
        text = text.replace("\r\n", "\n")  # a browser's textarea posts CRLF line ends
        if len(text.encode("utf-8")) > self.upload_limit:
            raise ConsoleError(413, "the lexicon is larger than the upload limit", "err_lexicon_size")
        try:
            parse_lexicon(text, Path(LEXICON_FILE))  # the file name only: no server path in the message
        except LexiconError as exc:
            raise ConsoleError(422, str(exc)) from None
        return self._change("lexicon", "", lambda: self.staging.set_lexicon(text))

    def reindex(self) -> dict[str, Any]:
        """Stage the corpus as it is on disk plus the pending changes (after editing files on disk)."""
        return self._change("reindex", "", lambda: None)

    def cancel(self) -> dict[str, Any]:
        if not self.job.cancel():
            raise ConsoleError(409, "no re-index is running", "err_not_running")
        return {"job": self.job.status()}

    # ---- review ----
    def staged_id(self) -> str | None:
        return self.paths.staged_id()

    def info(self) -> dict[str, Any]:
        """The staged build's report against the published one, whether it can be published, the job."""
        staged = self.staged_id()
        state = self.staging.state()
        pending = {"added": state.added, "removed": state.removed, "lexicon": state.lexicon}
        out: dict[str, Any] = {"staged": staged is not None, "build_id": staged, "ready": False, "problem": "",
                               "pending": pending, "report": None, "job": self.job.status()}
        if staged is None:
            out["problem"] = "nothing is staged" if state.empty else "the pending changes are not built yet"
            out["problem_key"] = "problem_nothing" if state.empty else "problem_not_built"
            return out
        try:
            self.staging.ready()
            out["ready"] = True
        except StaleStage as exc:
            out["problem"] = str(exc)
        staged_manifest = read_json(self.paths.build_dir(staged) / "manifest.json", {})
        out["report"] = staged_report(self.service.index.manifest, staged_manifest, state)
        return out

    def staged_service(self) -> ChatService:
        """A ChatService over the staged build (built as investors' is), kept until the staged build changes."""
        staged = self.staged_id()
        if staged is None:
            raise ConsoleError(409, "nothing is staged: upload, delete or edit first", "err_nothing_staged")
        with self._staged_lock:
            if self._staged is None or self._staged[0] != staged:
                index = SearchIndex(self.settings, staged, self.service.index.embeddings)
                self._staged = (staged, build_chat_service(self.settings, index=index))
            return self._staged[1]

    def ask_staged(self, question: str) -> Answer:
        return self.staged_service().ask(question)  # no session, not logged: staff questions are not gaps

    def publish(self) -> dict[str, Any]:
        with self._exclusive():
            if self.job.running():
                raise ConsoleError(409, BUSY, "err_busy")
            try:
                build_id = self.staging.publish()
            except StaleStage as exc:
                raise ConsoleError(409, str(exc)) from None
            self._staged = None
            self.service.reload_if_stale()  # investors get it with their next question, as after any re-index
        log.info("staff published build %s", build_id)
        return {"build_id": build_id, "published": True}

    def discard(self) -> dict[str, Any]:
        with self._exclusive():
            if self.job.running():
                raise ConsoleError(409, BUSY, "err_busy")
            if self.staged_id() is None and self.staging.state().empty:
                raise ConsoleError(409, "nothing is staged", "err_nothing_staged")
            self.staging.discard()
            self._staged = None
        return {"discarded": True}
