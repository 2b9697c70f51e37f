"""Answers run on a bounded pool of worker threads with a deadline, so no visitor waits without end, and with a
cap on the answers each client has in progress, so no visitor can take every worker.

A thread cannot be killed: an answer that overruns (a hung LLM endpoint) goes on in its worker until its own
HTTP timeout, but the visitor gets a clear error at the deadline and the request thread is free again. The
pool's size also caps how many answers compete for the CPU at once; waiting for a worker counts against the
deadline.

Every answer is for a client (its address, ``rate_limit.client_key``): a client may have ``per_client`` answers
in progress at once, over every surface together (the JSON API, its event streams, the page); one more is
refused at once with TooManyAnswers. An answer is in progress from the moment it is asked for until its work
on the worker has ended: queued, computing, or (a stream) producing until its consumer has gone. The places are
counted on the rate limits' ``Counters``: this process's memory, or the database every worker shares (then a
client's answers are counted once across workers and hosts; a place a dead worker never gave back lapses after
twice the deadline). Should that database fail, the worker counts in its own memory until it is back."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TypeVar

from assistant.web.rate_limit import Counters, MemoryCounters

T = TypeVar("T")
log = logging.getLogger(__name__)
BUSY_RETRY_AFTER_S = 2  # an extractive answer takes well under a second: the client's next slot is soon free


class AnswerTimeout(Exception):
    def __init__(self, seconds: float) -> None:
        super().__init__(f"no answer within {seconds:g} s")
        self.seconds = seconds


class TooManyAnswers(Exception):
    """The client already has ``limit`` answers in progress."""

    def __init__(self, limit: int, retry_after_s: int = BUSY_RETRY_AFTER_S) -> None:
        super().__init__(f"{limit} answers already in progress for this client")
        self.limit = limit
        self.retry_after_s = retry_after_s


def _key(client: str) -> str:
    return f"answers:{client}"


class _Slot:
    """One answer's place among its client's allowance; given back once, whoever lets go of it first."""

    def __init__(self, counters: Counters, key: str, ticket: float) -> None:
        self._counters = counters
        self._key = key
        self._ticket = ticket
        self._held = True
        self._lock = threading.Lock()

    def release(self) -> None:
        with self._lock:
            if not self._held:
                return
            self._held = False
        try:
            self._counters.release(self._key, self._ticket)
        except Exception:  # the database is gone: the place lapses on its own
            log.exception("could not give back an answer's place for %s", self._key)


class AnswerRunner:
    def __init__(self, workers: int, timeout_s: float, per_client: int = 2, counters: Counters | None = None) -> None:
        if per_client < 1:
            raise ValueError("per_client must be at least 1")
        self.timeout_s = timeout_s
        self.per_client = per_client
        self.counters: Counters = counters or MemoryCounters()
        self._local = MemoryCounters()  # when shared counters cannot be reached
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="answer")

    def in_progress(self, client: str) -> int:
        """Answers the client has in progress now (across workers, with shared counters)."""
        return self.counters.claimed(_key(client), time.time())

    def _claim(self, client: str) -> _Slot:
        if not client:
            raise ValueError("an answer needs the key of the client it is for")
        key, counters = _key(client), self.counters
        # Wall-clock time: shared counters compare it between processes and hosts.
        try:
            ticket = counters.claim(key, self.per_client, 2 * self.timeout_s, time.time())
        except Exception:
            log.exception("could not count %s's answers in the database; counting in this worker", key)
            counters = self._local
            ticket = counters.claim(key, self.per_client, 2 * self.timeout_s, time.time())
        if ticket is None:
            raise TooManyAnswers(self.per_client)
        return _Slot(counters, key, ticket)

    def _submit(self, slot: _Slot, work: Callable[[], T]) -> Future[T]:
        """``work`` on a worker; the slot is given back when it has run, or when it is cancelled unstarted."""

        def run() -> T:
            try:
                return work()
            finally:
                slot.release()

        try:
            future = self._pool.submit(run)
        except BaseException:  # the pool is shut down: nothing will run
            slot.release()
            raise
        future.add_done_callback(lambda f: slot.release() if f.cancelled() else None)
        return future

    def call(self, client: str, fn: Callable[[], T]) -> T:
        """``fn()`` on a worker for ``client``; TooManyAnswers at once when the client has ``per_client`` answers
        in progress, AnswerTimeout when it has not returned by the deadline."""
        future = self._submit(self._claim(client), fn)
        try:
            return future.result(timeout=self.timeout_s)
        except FutureTimeout:
            future.cancel()  # still queued: never starts
            raise AnswerTimeout(self.timeout_s) from None

    def iterate(self, client: str, make: Callable[[], Iterator[T]]) -> AnswerStream[T]:
        """The items of ``make()`` produced on a worker for ``client``, passed on as they come; AnswerTimeout at
        the deadline. The client's slot is claimed and the work started here, before the first item is asked
        for, so TooManyAnswers comes before a response has begun. Close the stream when the visitor has gone: the
        producer stops after its current item (and at the deadline in any case)."""
        slot = self._claim(client)
        items: queue.Queue[tuple[str, object]] = queue.Queue()
        stop = threading.Event()
        deadline = time.monotonic() + self.timeout_s

        def produce() -> None:
            made: Iterator[T] | None = None
            try:
                made = make()
                for item in made:
                    # The visitor is gone, or past the deadline (also when nobody reads on: a stalled stream):
                    # stop working for them.
                    if stop.is_set() or time.monotonic() > deadline:
                        return
                    items.put(("item", item))
                items.put(("end", None))
            except BaseException as exc:  # handed to the consumer, which re-raises it in the request
                items.put(("error", exc))
            finally:
                close = getattr(made, "close", None)
                if close is not None:
                    try:
                        close()  # a generator left part-way runs its clean-up now, on this worker
                    except Exception:
                        log.exception("closing an answer's producer failed")

        future = self._submit(slot, produce)
        return AnswerStream(items, stop, future, deadline, self.timeout_s)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


class AnswerStream(Iterator[T]):
    """The consuming end of ``AnswerRunner.iterate``. Unlike a generator, ``close()`` works from any thread,
    also while another is waiting in ``next()`` and before the first item was asked for: it only tells the
    producer to stop."""

    POLL_S = 0.25  # a waiting next() notices close() this soon

    def __init__(self, items: queue.Queue[tuple[str, object]], stop: threading.Event, future: Future[None],
                 deadline: float, timeout_s: float) -> None:
        self._items = items
        self._stop = stop
        self._future = future
        self._deadline = deadline
        self._timeout_s = timeout_s

    def __iter__(self) -> AnswerStream[T]:
        return self

    def __next__(self) -> T:
        while not self._stop.is_set():
            left = self._deadline - time.monotonic()
            try:
                kind, value = self._items.get(timeout=max(0.0, min(left, self.POLL_S)))
            except queue.Empty:
                if left <= 0:
                    self.close()
                    raise AnswerTimeout(self._timeout_s) from None
                continue
            if kind == "item":
                return value  # type: ignore[return-value]
            self.close()
            if kind == "error":
                raise value  # type: ignore[misc]
            break  # the end
        raise StopIteration

    @property
    def closed(self) -> bool:
        return self._stop.is_set()

    def close(self) -> None:
        self._stop.set()
        self._future.cancel()  # still queued: never starts, and its slot is given back
