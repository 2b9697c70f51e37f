"""Embedding in worker processes of one thread each, for a build's passages (``index.embed_processes``).

The model's speed on one thread is the ingest's limit, and threads inside one process were seen ten times
slower on a busy machine, so each core gets a process of its own. Workers are started with "spawn" (the e5
engine holds native state that must not be forked), load the model once and take batches from one queue,
so a slow batch does not hold the others back. They only embed: the parent keeps the order of the vectors and
writes the content-hash cache (``CachedEmbeddings``)."""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
import signal
import traceback
from collections.abc import Callable, Iterator
from multiprocessing.process import BaseProcess
from multiprocessing.queues import Queue
from typing import Any

from langchain_core.embeddings import Embeddings

Batch = list[str]
Vectors = list[list[float]]


class EmbeddingWorkerError(RuntimeError):
    """An embedding worker raised, could not load its model, or died; the build using it stops."""


def worker_count(configured: int) -> int:
    """``configured`` processes, or one per core this process may run on when it is 0."""
    if configured > 0:
        return configured
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # no affinity on macOS or Windows
        return os.cpu_count() or 1


class EmbeddingPool:
    """Calling it with batches starts the workers, yields ``(batch, vectors)`` as batches finish (in any
    order) and stops the workers when the batches are done or the caller stops early (a cancel, an error).
    ``factory`` builds the embedder in each worker and must be picklable (a module-level function or a
    ``functools.partial`` of one)."""

    def __init__(self, factory: Callable[[], Embeddings], processes: int, start_method: str = "spawn",
                 poll_s: float = 0.5, stop_s: float = 5.0) -> None:
        if processes < 1:
            raise ValueError("an embedding pool needs at least one process")
        self.factory = factory
        self.processes = processes
        self.start_method = start_method
        self.poll_s = poll_s  # how often a wait for results checks that the workers are alive
        self.stop_s = stop_s  # how long a finished worker may take to exit before it is terminated

    def __call__(self, batches: list[Batch]) -> Iterator[tuple[Batch, Vectors]]:
        if not batches:
            return
        ctx = mp.get_context(self.start_method)
        tasks: Queue = ctx.Queue()
        results: Queue = ctx.Queue()
        workers = [ctx.Process(target=_serve, args=(self.factory, tasks, results), daemon=True,
                               name=f"zst-embed-{i + 1}") for i in range(min(self.processes, len(batches)))]
        for n, batch in enumerate(batches):
            tasks.put((n, batch))
        for _ in workers:
            tasks.put(None)  # one stop mark each, after the batches
        finished = False
        try:
            for worker in workers:
                worker.start()
            for _ in batches:
                n, vectors = self._next(results, workers)
                yield batches[n], vectors
            finished = True
        finally:
            _stop(workers, self.stop_s if finished else 0.0)
            for q in (tasks, results):
                q.cancel_join_thread()  # batches no worker took must not hold this process at exit
                q.close()

    def _next(self, results: Queue, workers: list[BaseProcess]) -> tuple[int, Vectors]:
        while True:
            try:
                n, vectors, error = results.get(timeout=self.poll_s)
            except queue.Empty:
                _check_alive(workers, results, self.poll_s)
                continue
            if error is not None:
                raise EmbeddingWorkerError(f"an embedding worker failed{f' on batch {n + 1}' if n >= 0 else ''}: "
                                           f"{error.strip().splitlines()[-1]}\n{error}")
            return n, vectors


def _check_alive(workers: list[BaseProcess], results: Queue, poll_s: float) -> None:
    dead = [w for w in workers if w.exitcode not in (None, 0)]
    if dead:
        raise EmbeddingWorkerError(f"embedding worker {dead[0].name} (pid {dead[0].pid}) died with exit code "
                                   f"{dead[0].exitcode} before its batches were done")
    if all(w.exitcode == 0 for w in workers) and results.empty():
        raise EmbeddingWorkerError("the embedding workers ended before every batch came back")


def _stop(workers: list[BaseProcess], wait_s: float) -> None:
    for worker in workers:
        if worker.pid is None:
            continue  # never started
        worker.join(wait_s)
        if worker.is_alive():
            worker.terminate()
            worker.join()


def _serve(factory: Callable[[], Embeddings], tasks: Queue, results: Queue) -> None:
    """A worker: one thread, the model loaded once, batches until the stop mark. An error is sent back
    (with its traceback) rather than raised, so the parent can say what went wrong."""
    os.environ["OMP_NUM_THREADS"] = "1"  # read by the engine when it loads: set before anything imports it
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it stops the workers
    n = -1
    try:
        embedder = factory()
        while (task := tasks.get()) is not None:
            n, texts = task
            results.put((n, _plain(embedder.embed_documents(texts)), None))
    except Exception:
        results.put((n, None, traceback.format_exc()))


def _plain(vectors: Any) -> Vectors:
    return vectors.tolist() if hasattr(vectors, "tolist") else [list(v) for v in vectors]
