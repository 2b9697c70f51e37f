"""Answers run on a bounded pool of worker threads with a deadline, so no visitor waits without end.

A thread cannot be killed: an answer that overruns (a hung LLM endpoint) goes on in its worker until its own
HTTP timeout, but the visitor gets a clear error at the deadline and the request thread is free again. The
pool's size also caps how many answers compete for the CPU at once; waiting for a worker counts against the
deadline."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TypeVar

T = TypeVar("T")


class AnswerTimeout(Exception):
    def __init__(self, seconds: float) -> None:
        super().__init__(f"no answer within {seconds:g} s")
        self.seconds = seconds


class AnswerRunner:
    def __init__(self, workers: int, timeout_s: float) -> None:
        self.timeout_s = timeout_s
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="answer")

    def call(self, fn: Callable[[], T]) -> T:
        """``fn()`` on a worker; AnswerTimeout when it has not returned by the deadline."""
        future = self._pool.submit(fn)
        try:
            return future.result(timeout=self.timeout_s)
        except FutureTimeout:
            future.cancel()  # still queued: never starts
            raise AnswerTimeout(self.timeout_s) from None

    def iterate(self, make: Callable[[], Iterator[T]]) -> Iterator[T]:
        """The items of ``make()`` produced on a worker, passed on as they come; AnswerTimeout at the deadline."""
        items: queue.Queue[tuple[str, object]] = queue.Queue()
        stop = threading.Event()
        deadline = time.monotonic() + self.timeout_s

        def produce() -> None:
            try:
                for item in make():
                    if stop.is_set():  # the visitor is gone or timed out: stop working for them
                        return
                    items.put(("item", item))
                items.put(("end", None))
            except BaseException as exc:  # handed to the consumer, which re-raises it in the request
                items.put(("error", exc))

        future = self._pool.submit(produce)
        try:
            while True:
                try:
                    kind, value = items.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    raise AnswerTimeout(self.timeout_s) from None
                if kind == "end":
                    return
                if kind == "error":
                    raise value  # type: ignore[misc]
                yield value  # type: ignore[misc]
        finally:
            stop.set()
            future.cancel()

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
