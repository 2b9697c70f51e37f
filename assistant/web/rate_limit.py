"""Per-client rate limits on the public API: a token bucket per (client, route group), refilled continuously;
and the per-client counts behind them and behind the cap on answers in progress (``answer_runner``).

A burst of questions from one visitor is served at once; a client that keeps going faster than the refill rate
gets 429 with Retry-After, while every other visitor is unaffected. Counts live in one process's memory (a
restart forgets them, which only ever errs on the side of the visitor), or, with several workers, in the
database they share (``DatabaseCounters``): one write per limited request and two per answer (its place taken
and given back), on SQLite a few hundred a second at most across the host's workers."""

from __future__ import annotations

import itertools
import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from starlette.requests import Request

from assistant.web.shared import SharedState


@dataclass(frozen=True)
class Limit:
    per_second: float  # refill rate
    burst: int  # bucket size: requests allowed at once

    @classmethod
    def per_minute(cls, rate: float, burst: int) -> Limit:
        return cls(rate / 60.0, burst)

    @classmethod
    def per_hour(cls, rate: float, burst: int) -> Limit:
        return cls(rate / 3600.0, burst)


class Counters(Protocol):
    """Per-client counts, in one process's memory or in the database every worker shares; ``now`` is the
    caller's clock (wall-clock seconds for the database: processes share no monotonic clock)."""

    def take(self, key: str, limit: Limit, now: float) -> float:
        """Take a token from ``key``'s bucket: 0.0 when allowed, else seconds until one is free."""
        ...

    def attempt(self, key: str, most: int, window_s: float, now: float) -> int | None:
        """Count a try against ``key``: a ticket, or None (not counted) when ``most`` tries of the last
        ``window_s`` seconds are already counted."""
        ...

    def give_back(self, key: str, ticket: int) -> None:
        """Uncount a try (a right staff token takes its try back)."""
        ...

    def attempts(self, key: str, window_s: float, now: float) -> int: ...

    def claim(self, key: str, most: int, ttl_s: float, now: float) -> float | None:
        """Take one of ``most`` places of ``key`` (an answer in progress): a ticket to release it with, or None
        when all are taken. A place its process never gives back (it died) lapses ``ttl_s`` after the last
        place of ``key`` was taken."""
        ...

    def release(self, key: str, ticket: float) -> None: ...

    def claimed(self, key: str, now: float) -> int:
        """Places of ``key`` taken now."""
        ...


class MemoryCounters:
    """Thread-safe counters of one process; the oldest idle clients are forgotten beyond ``max_clients``."""

    def __init__(self, max_clients: int = 100_000) -> None:
        self.max_clients = max_clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key -> (tokens, at)
        self._tries: OrderedDict[str, deque[tuple[float, int]]] = OrderedDict()  # key -> (at, ticket) of tries
        self._tickets = itertools.count(1)
        self._places: dict[str, int] = {}  # key -> places taken; a key with none has no entry
        self._lock = threading.Lock()

    def take(self, key: str, limit: Limit, now: float) -> float:
        with self._lock:
            tokens, at = self._buckets.pop(key, (float(limit.burst), now))
            tokens = min(float(limit.burst), tokens + (now - at) * limit.per_second)
            wait = 0.0
            if tokens >= 1.0:
                tokens -= 1.0
            else:
                wait = (1.0 - tokens) / limit.per_second
            self._buckets[key] = (tokens, now)  # most recently used last
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
        return wait

    def _recent(self, key: str, window_s: float, now: float) -> deque[tuple[float, int]]:
        tries = self._tries.pop(key, None) or deque()
        while tries and tries[0][0] <= now - window_s:
            tries.popleft()
        self._tries[key] = tries  # most recently used last
        while len(self._tries) > self.max_clients:
            self._tries.popitem(last=False)
        return tries

    def attempt(self, key: str, most: int, window_s: float, now: float) -> int | None:
        with self._lock:
            tries = self._recent(key, window_s, now)
            if len(tries) >= most:
                return None
            ticket = next(self._tickets)
            tries.append((now, ticket))
            return ticket

    def give_back(self, key: str, ticket: int) -> None:
        with self._lock:
            tries = self._tries.get(key)
            if tries is not None:
                for entry in [e for e in tries if e[1] == ticket]:
                    tries.remove(entry)

    def attempts(self, key: str, window_s: float, now: float) -> int:
        with self._lock:
            return len(self._recent(key, window_s, now))

    def claim(self, key: str, most: int, ttl_s: float, now: float) -> float | None:
        # No lapse here: the places die with the process that holds them and counts them.
        with self._lock:
            taken = self._places.get(key, 0)
            if taken >= most:
                return None
            self._places[key] = taken + 1
        return 0.0

    def release(self, key: str, ticket: float) -> None:
        with self._lock:
            taken = self._places.get(key, 0) - 1
            if taken > 0:
                self._places[key] = taken
            else:
                self._places.pop(key, None)

    def claimed(self, key: str, now: float) -> int:
        with self._lock:
            return self._places.get(key, 0)


class DatabaseCounters:
    """The same counts in the store's database, so every worker (and host) sees one bucket per client."""

    def __init__(self, shared: SharedState) -> None:
        self.shared = shared

    def take(self, key: str, limit: Limit, now: float) -> float:
        return self.shared.take(key, limit.per_second, limit.burst, now)

    def attempt(self, key: str, most: int, window_s: float, now: float) -> int | None:
        return self.shared.attempt(key, most, window_s, now)

    def give_back(self, key: str, ticket: int) -> None:
        self.shared.give_back(ticket)

    def attempts(self, key: str, window_s: float, now: float) -> int:
        return self.shared.attempts(key, window_s, now)

    def claim(self, key: str, most: int, ttl_s: float, now: float) -> float | None:
        return self.shared.claim(key, most, ttl_s, now)

    def release(self, key: str, ticket: float) -> None:
        self.shared.release(key, ticket)

    def claimed(self, key: str, now: float) -> int:
        return self.shared.claimed(key, now)


class RateLimiter:
    """Token buckets per (route group, client) on ``counters`` (this process's memory by default)."""

    def __init__(self, limits: dict[str, Limit], max_clients: int = 100_000,
                 clock: Callable[[], float] = time.monotonic, counters: Counters | None = None) -> None:
        self.limits = limits
        self.clock = clock
        self.counters: Counters = counters or MemoryCounters(max_clients)

    def acquire(self, group: str, client: str) -> float:
        """Take one request from the client's bucket: 0.0 when allowed, else seconds until one is free."""
        limit = self.limits.get(group)
        if limit is None:
            return 0.0
        return self.counters.take(f"{group}:{client}", limit, self.clock())


def client_key(request: Request) -> str:
    """The client's address. Behind a trusted reverse proxy uvicorn has already put the forwarded address here
    (``web.forwarded_allow_ips``); a header from anyone else was ignored."""
    return request.client.host if request.client else "unknown"


def retry_after_header(wait: float) -> str:
    return str(max(1, math.ceil(wait)))
