"""Who may open the staff console: one shared token, login sessions, a per-IP limit on login attempts,
and the ASGI gate that sends every /staff request through that check.

The token comes from settings (``ZST_STAFF__TOKEN``); without one, the first start generates a random token,
keeps only its scrypt hash in ``<data_dir>/staff_token.json`` and hands the plaintext back once to be printed.
Sessions are random ids kept with their expiry (in memory, or in the database that several workers share);
the cookie carries the id plus an HMAC of it, so a forged or truncated cookie is refused before the session
table is consulted."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.settings import Settings
from assistant.web.body_limit import limit_body
from assistant.web.rate_limit import Counters, MemoryCounters

TOKEN_FILE = "staff_token.json"
COOKIE = "zst_staff"
PREFIX = "/staff"
LOGIN_PATH = "/staff/login"
MAX_ATTEMPTS = 5  # failed (or still being checked) logins per client IP within ATTEMPT_WINDOW_S
ATTEMPT_WINDOW_S = 300.0
# Sent with every /staff response: no framing, no foreign scripts, staff URLs never sent to other sites
# ("no-referrer" would make Chrome send "Origin: null" on the console's own form posts).
SECURITY_HEADERS = [(b"content-security-policy", b"default-src 'self'; style-src 'self' 'unsafe-inline'; "
                     b"frame-ancestors 'none'; form-action 'self'; base-uri 'none'"),
                    (b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"),
                    (b"x-frame-options", b"DENY")]
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}  # about 16 MiB and tens of ms per try: cheap to check, slow to guess


def _scrypt(token: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(token.encode(), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024, dklen=32)


@dataclass(frozen=True)
class TokenHash:
    salt: bytes
    digest: bytes
    n: int = _SCRYPT["n"]
    r: int = _SCRYPT["r"]
    p: int = _SCRYPT["p"]

    @classmethod
    def of(cls, token: str) -> TokenHash:
        salt = secrets.token_bytes(16)
        return cls(salt, _scrypt(token, salt, **_SCRYPT))

    def matches(self, candidate: str) -> bool:
        return hmac.compare_digest(_scrypt(candidate, self.salt, self.n, self.r, self.p), self.digest)

    def to_json(self) -> dict[str, Any]:
        return {"algorithm": "scrypt", "n": self.n, "r": self.r, "p": self.p, "salt": self.salt.hex(),
                "hash": self.digest.hex(), "created": time.strftime("%Y-%m-%dT%H:%M:%S")}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TokenHash:
        return cls(bytes.fromhex(data["salt"]), bytes.fromhex(data["hash"]), int(data["n"]), int(data["r"]),
                   int(data["p"]))


def load_or_create_token(settings: Settings) -> tuple[TokenHash, str | None]:
    """The hash to check logins against, and the plaintext token only when it was generated just now."""
    configured = settings.staff.token.get_secret_value() if settings.staff.token else ""
    if configured:
        return TokenHash.of(configured), None
    path = settings.data_dir / TOKEN_FILE
    if path.exists():
        return TokenHash.from_json(json.loads(path.read_text(encoding="utf-8"))), None
    token = secrets.token_urlsafe(24)
    stored = TokenHash.of(token)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Created with owner-only permissions from the start: the hash is not for other users to brute-force.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker starting at the same moment made it first: use that one
        time.sleep(0.2)
        return TokenHash.from_json(json.loads(path.read_text(encoding="utf-8"))), None
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(stored.to_json(), fh)
    return stored, token


class TooManyAttempts(Exception):
    """The client IP has used its MAX_ATTEMPTS login tries of the last ATTEMPT_WINDOW_S."""


class SessionTable(Protocol):
    """Login sessions by a digest of their id, with their expiry: one process's memory or the shared database."""

    def add_session(self, key: str, expires: float, now: float) -> None: ...

    def session_expiry(self, key: str) -> float | None: ...

    def remove_session(self, key: str) -> None: ...


@dataclass
class MemorySessions:
    _expiry: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add_session(self, key: str, expires: float, now: float) -> None:
        with self._lock:
            for gone in [k for k, until in self._expiry.items() if until <= now]:  # never grows without bound
                del self._expiry[gone]
            self._expiry[key] = expires

    def session_expiry(self, key: str) -> float | None:
        with self._lock:
            return self._expiry.get(key)

    def remove_session(self, key: str) -> None:
        with self._lock:
            self._expiry.pop(key, None)


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()  # a copy of the table holds no usable cookie


@dataclass
class StaffAuth:
    """Logins against the token. ``sessions`` and ``counters`` are this process's memory by default; with several
    workers both are the shared database and ``key`` (the cookie's HMAC key) its shared secret, so a login made
    on one worker is honoured by every other, and the tries of one address are counted together."""

    token: TokenHash
    session_seconds: float
    now: Callable[[], float] = time.time  # wall clock: shared sessions are compared across processes
    key: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    sessions: SessionTable = field(default_factory=MemorySessions)
    counters: Counters = field(default_factory=MemoryCounters)

    def _sign(self, session_id: str) -> str:
        return hmac.new(self.key, session_id.encode(), hashlib.sha256).hexdigest()

    # ---- login attempts ----
    def blocked(self, ip: str) -> bool:
        return self.counters.attempts(_attempt_key(ip), ATTEMPT_WINDOW_S, self.now()) >= MAX_ATTEMPTS

    def login(self, ip: str, candidate: str) -> str | None:
        """A new cookie value for the right token, else None; ``TooManyAttempts`` once ``ip`` has used its tries.

        The try is counted against ``ip`` before the token is checked (scrypt takes tens of ms), so concurrent
        tries cannot all pass the check before any is counted: at most MAX_ATTEMPTS are checked per window.
        A right token takes its try back, so only failures stay counted."""
        ticket = self.counters.attempt(_attempt_key(ip), MAX_ATTEMPTS, ATTEMPT_WINDOW_S, self.now())
        if ticket is None:
            raise TooManyAttempts(ip)
        if not (candidate and self.token.matches(candidate)):
            return None
        self.counters.give_back(_attempt_key(ip), ticket)
        session_id = secrets.token_urlsafe(32)
        now = self.now()
        self.sessions.add_session(_digest(session_id), now + self.session_seconds, now)
        return f"{session_id}.{self._sign(session_id)}"

    # ---- sessions ----
    def _session_id(self, cookie: str | None) -> str | None:
        session_id, _, signature = (cookie or "").partition(".")
        if not session_id or not hmac.compare_digest(signature, self._sign(session_id)):
            return None
        return session_id

    def valid(self, cookie: str | None) -> bool:
        session_id = self._session_id(cookie)  # a forged cookie is refused before any table is read
        if session_id is None:
            return False
        expiry = self.sessions.session_expiry(_digest(session_id))
        if expiry is None or expiry <= self.now():
            if expiry is not None:
                self.sessions.remove_session(_digest(session_id))
            return False
        return True

    def logout(self, cookie: str | None) -> None:
        session_id = self._session_id(cookie)
        if session_id is not None:
            self.sessions.remove_session(_digest(session_id))


def _attempt_key(ip: str) -> str:
    return f"staff-login:{ip}"


def under_staff(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


def wants_data(path: str) -> bool:
    """JSON and CSV endpoints answer 401; pages redirect to the login."""
    return path.startswith(PREFIX + "/api/") or path.endswith(".csv")


class StaffGate:
    """Outermost ASGI middleware of the app: every /staff request goes to the console app, and only with a
    valid session (the login page excepted); nothing under /staff ever reaches the public app or Gradio.
    Being outermost also lets uploads past the public API's small body limit, with a limit of their own."""

    def __init__(self, app: ASGIApp, staff: ASGIApp, auth: StaffAuth, max_body: int) -> None:
        self.app, self.staff, self.auth, self.max_body = app, staff, auth, max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or not under_staff(scope["path"]):
            await self.app(scope, receive, send)
            return
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *SECURITY_HEADERS]}
            await send(message)

        refusal = self._refusal(HTTPConnection(scope))
        if refusal is not None:
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
                return
            await refusal(scope, receive, send_with_headers)
            return
        # Declared and streamed (chunked) bodies alike: an upload is cut at the console's own limit.
        await limit_body(self.staff, scope, receive, send_with_headers, self.max_body, _too_large)

    def _refusal(self, conn: HTTPConnection) -> Response | None:
        path = conn.url.path
        length = conn.headers.get("content-length", "")
        if length.isdigit() and int(length) > self.max_body:
            return _too_large(self.max_body)
        origin = conn.headers.get("origin")
        if origin and origin.split("://", 1)[-1] != conn.headers.get("host"):  # "null" is refused too
            return JSONResponse({"detail": "cross-origin request refused"}, status_code=403)
        if path == LOGIN_PATH or self.auth.valid(conn.cookies.get(COOKIE)):
            return None
        if wants_data(path):
            return JSONResponse({"detail": "login required"}, status_code=401,
                                headers={"WWW-Authenticate": 'Cookie realm="staff"'})
        return RedirectResponse(LOGIN_PATH, status_code=303)


def _too_large(limit: int) -> Response:
    return JSONResponse({"detail": f"request body over {limit} bytes"}, status_code=413)


def client_ip(conn: HTTPConnection) -> str:
    return conn.client.host if conn.client else "unknown"
