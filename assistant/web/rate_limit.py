"""Per-client rate limits on the public API: a token bucket per (client, route group), refilled continuously.

A burst of questions from one visitor is served at once; a client that keeps going faster than the refill rate
gets 429 with Retry-After, while every other visitor is unaffected. Buckets live in memory: a restart forgets
them, which only ever errs on the side of the visitor."""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import Request


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


class RateLimiter:
    """Thread-safe token buckets; the oldest idle clients are forgotten beyond ``max_clients``."""

    def __init__(self, limits: dict[str, Limit], max_clients: int = 100_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.max_clients = max_clients
        self.clock = clock
        self._buckets: OrderedDict[tuple[str, str], tuple[float, float]] = OrderedDict()  # key -> (tokens, at)
        self._lock = threading.Lock()

    def acquire(self, group: str, client: str) -> float:
        """Take one request from the client's bucket: 0.0 when allowed, else seconds until one is free."""
        limit = self.limits.get(group)
        if limit is None:
            return 0.0
        key, now = (group, client), self.clock()
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


def client_key(request: Request) -> str:
    """The client's address. Behind a trusted reverse proxy uvicorn has already put the forwarded address here
    (``web.forwarded_allow_ips``); a header from anyone else was ignored."""
    return request.client.host if request.client else "unknown"


def retry_after_header(wait: float) -> str:
    return str(max(1, math.ceil(wait)))
