"""The events.jsonl writer: whole lines only, fsync'd periodically (on its own thread) and at close.

Events are batched: the plugin writes everything pending before each test body runs (so a
crash or ``os._exit`` in a test loses nothing recorded before it), and a background thread
writes whatever is pending every :data:`MAX_DELAY` seconds, so every event reaches the kernel
within 50 ms. Disk trouble never raises into pytest: it warns once, keeps a bounded backlog and
retries with the TypeScript writer's backoff.

Signal handlers run on the main thread between any two bytecodes, possibly in the middle of this
writer's own work (between a write and the backlog update, or between taking a seq and queueing
its line). A handler that needs the writer calls :meth:`EventWriter.run_when_safe`: the work runs
at once, or, when the signal interrupted the writer on this thread, as soon as the writer's
critical section ends, so no byte is written twice and no seq is taken out of order.
"""

from __future__ import annotations

import errno
import json
import os
import re
import sys
import threading
import time
from typing import Any, Callable

from pytest_threepio._shared import SIMULATED_HANG_SECONDS, WRITER

# The writer's tunables are the TypeScript event log writer's (WRITER_DEFAULTS, via _shared.json).
#: fsync at most this often while there are unsynced writes (seconds).
FSYNC_INTERVAL: float = WRITER["fsyncIntervalMs"] / 1000
#: Bytes kept for retry while the disk refuses writes; newer events are dropped beyond it.
MAX_BACKLOG: int = WRITER["maxPendingBytes"]
#: ``output`` text longer than this, in UTF-16 code units as JavaScript counts, is split.
MAX_TEXT: int = WRITER["maxOutputChars"]
#: How often the writer checks that events.jsonl still exists (seconds).
CHECK_INTERVAL: float = WRITER["deletedCheckMs"] / 1000
#: Queued bytes that are written at once rather than by the next flush.
FLUSH_AT_BYTES: int = WRITER["flushAtBytes"]
#: First and longest delay between retries of a failed write, doubling in between (seconds).
RETRY_INITIAL: float = WRITER["retryDelayMs"]["initial"] / 1000
RETRY_MAX: float = WRITER["retryDelayMs"]["max"] / 1000
#: Writes tried at once when closing while the disk refuses them (no wait: it never slows the run).
CLOSE_RETRIES: int = WRITER["closeRetries"]
#: Longest time an event waits in memory before it is written (seconds). Python's own: the
#: TypeScript writer writes at the end of each task of the event loop instead.
MAX_DELAY = 0.04


def utf16_len(text: str) -> int:
    """The length of ``text`` as JavaScript counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def split_text(text: str, max_units: int = MAX_TEXT) -> list[str]:
    """``text`` in parts of at most ``max_units`` UTF-16 units, never inside a surrogate pair:
    the parts @threepio/core's ``splitText`` makes."""
    if len(text) * 2 <= max_units or utf16_len(text) <= max_units:
        return [text]
    units = text.encode("utf-16-le", "surrogatepass")
    total = len(units) // 2
    parts: list[str] = []
    start = 0
    while start < total:
        end = min(start + max_units, total)
        last = int.from_bytes(units[2 * end - 2 : 2 * end], "little")
        if end < total and 0xD800 <= last <= 0xDBFF:
            end -= 1  # keep the pair together
        parts.append(units[2 * start : 2 * end].decode("utf-16-le", "surrogatepass"))
        start = end
    return parts


class FaultGate:
    """``THREEPIO_SIMULATE_FAULT=CODE[@AFTER[+COUNT]]``: fails writes as a full or failing disk does.

    For testing only; the same format as @threepio/log-writer's simulated-faults.ts. The first AFTER
    writes succeed, the next COUNT (default: all) raise ``OSError(CODE)``, or with ``HANG`` wait
    SIMULATED_HANG_SECONDS and then succeed (a disk that stops answering for a while).
    """

    def __init__(self, spec: str) -> None:
        m = re.fullmatch(r"([A-Z][A-Z0-9]*)(?:@(\d+)(?:\+(\d+))?)?", spec.strip())
        if not m or not (m.group(1) == "HANG" or hasattr(errno, m.group(1))):
            raise ValueError(f"THREEPIO_SIMULATE_FAULT={spec!r} is not CODE[@AFTER[+COUNT]] (e.g. ENOSPC@20 or EIO@5+3); unset it to write normally")
        self.errno: int | None = None if m.group(1) == "HANG" else getattr(errno, m.group(1))
        self.after = int(m.group(2) or 0)
        self.count = int(m.group(3)) if m.group(3) else None
        self.writes = 0

    def check(self) -> None:
        n, self.writes = self.writes, self.writes + 1
        if n >= self.after and (self.count is None or n - self.after < self.count):
            if self.errno is None:
                time.sleep(SIMULATED_HANG_SECONDS)
                return
            raise OSError(self.errno, os.strerror(self.errno) + " (simulated by THREEPIO_SIMULATE_FAULT)")


# Made once: json.dumps with options builds a new encoder on every call.
_ENCODER = json.JSONEncoder(ensure_ascii=False, default=str, separators=(",", ":"))

#: A str as a JSON string literal (C-accelerated; non-ASCII kept as is, like _ENCODER).
quote: Callable[[str], str] = json.encoder.encode_basestring


def members(event: dict[str, Any]) -> str:
    """An event's fields but ``type`` and ``time``, as JSON object members (no braces)."""
    return _ENCODER.encode({k: v for k, v in event.items() if k != "type" and k != "time"})[1:-1]


class EventWriter:
    """Appends events to one events.jsonl; assigns ``seq`` and ``time``."""

    def __init__(self, path: str) -> None:
        spec = os.environ.get("THREEPIO_SIMULATE_FAULT")
        self.gate = FaultGate(spec) if spec else None
        self.path = path
        # Readable too: if the run directory is deleted, what was written is copied back from it.
        self.fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        self.last_check = time.monotonic()
        self.seq = 0
        self.backlog = b""  # being written: what a partial or failed write left
        self.queue: list[bytes] = []  # encoded lines not yet handed to the writer
        self.queued = 0  # bytes in queue
        self.dropped = 0
        self.retry_delay = RETRY_INITIAL  # the wait after the next failed write
        self.retry_at = 0.0  # no write before this (monotonic) while the disk refuses them
        self.dirty = False
        self.last_sync = time.monotonic()
        self.warned = False
        self.closed = False
        self.lock = threading.RLock()
        self.holder = 0  # thread id of the lock's holder while depth > 0
        self.depth = 0  # critical sections entered by the holder
        self.deferred: list[Callable[[], None]] = []  # signal-handler work waiting for depth 0
        self.deferrals = 0  # how often a signal landed inside the writer (for tests)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._background, name="threepio-writer", daemon=True)
        self.thread.start()

    def _enter(self) -> None:
        self.lock.acquire()
        self.holder = threading.get_ident()
        self.depth += 1

    def _leave(self) -> None:
        self.depth -= 1
        try:
            while self.depth == 0 and self.deferred:
                self.deferred.pop(0)()
        finally:
            self.lock.release()

    def run_when_safe(self, fn: Callable[[], None]) -> None:
        """Runs ``fn`` now, or right after the writer's critical section that a signal handler
        on this thread interrupted (see the module docstring)."""
        if self.depth and self.holder == threading.get_ident():
            self.deferrals += 1
            self.deferred.append(fn)
        else:
            fn()

    def _background(self) -> None:
        # Wakes every MAX_DELAY: whatever is pending then is at most that old. (The plugin
        # flushes before each test, so there is rarely anything left for this thread.) The
        # periodic fsync happens here too, outside the lock, so pytest's thread never waits on it.
        while not self.stop.wait(MAX_DELAY):
            if self.queue or self.backlog:
                self.flush()
            if self.dirty and time.monotonic() - self.last_sync >= FSYNC_INTERVAL:
                self._sync_beside()

    def _sync_beside(self) -> None:
        """fsync on the writer thread while the main thread goes on writing (the kernel orders
        the two). A write after this starts marks the file dirty again for the next round."""
        fd = self.fd
        self.dirty = False
        self.last_sync = time.monotonic()
        try:
            os.fsync(fd)
        except OSError as err:
            # The file was closed or recreated meanwhile: close() and the new file sync themselves.
            if fd == self.fd and not self.closed:
                self.dirty = True
                self._warn(f"fsync of {self.path} failed: {err.strerror}")

    def emit(self, event: dict[str, Any]) -> None:
        """Writes one event (long output is split). Never raises."""
        if self.closed:
            return
        text = event.get("text")
        if event.get("type") == "output" and isinstance(text, str) and len(text) * 2 > MAX_TEXT:
            parts = split_text(text)
            if len(parts) > 1:
                for part in parts:
                    self.emit({**event, "text": part})
                return
        try:
            body = members(event)
        except Exception as err:  # never into pytest
            self._warn(f"could not record a {event.get('type')} event: {err}")
            return
        self.emit_json(str(event["type"]), body, event.get("time"))

    def emit_json(self, kind: str, body: str, at: float | None = None, flush: bool = False) -> None:
        """Writes one event of type ``kind`` whose other fields are ``body``: JSON object members,
        encoded by the caller (the per-test events are put together from cached parts). ``seq``
        and ``time`` (``at``, default now) go first, after ``type``. With ``flush``, everything
        pending reaches the kernel before this returns. Never raises."""
        if self.closed:
            return
        try:
            if len(self.backlog) + self.queued > MAX_BACKLOG:
                self.dropped += 1
                return
            self._enter()
            try:
                seq = self.seq + 1
                if at is None:
                    us = time.time_ns() // 1000  # milliseconds with three decimals, no float repr
                    stamp = f"{us // 1000}.{us % 1000:03d}"
                else:
                    stamp = repr(at)
                text = f'{{"type":"{kind}","seq":{seq},"time":{stamp}{"," if body else ""}{body}}}\n'
                # Lone surrogates (undecodable bytes in a test's output) become JSON escapes.
                line = text.encode("utf-8", "backslashreplace")
                self.seq = seq
                self.queue.append(line)
                self.queued += len(line)
                if flush or self.queued > FLUSH_AT_BYTES:
                    self._flush()
            finally:
                self._leave()
        except Exception as err:  # never into pytest
            self._warn(f"could not record a {kind} event: {err}")

    def flush(self) -> None:
        """Hands every pending event to the kernel now. Never raises."""
        self._enter()
        try:
            if not self.closed:
                self._flush()
        finally:
            self._leave()

    def _flush(self, check: bool = False) -> None:
        """Writes the backlog. After a failed write the next waits RETRY_INITIAL, doubling up to
        RETRY_MAX while writes keep failing; ``check`` (at close) writes at once and checks
        that the file still exists."""
        now = time.monotonic()
        if check or now - self.last_check >= CHECK_INTERVAL:
            self._check_deleted()
        if self.queue:
            self.backlog += b"".join(self.queue)
            self.queue.clear()
            self.queued = 0
        if not check and now < self.retry_at:
            return
        while self.backlog:
            try:
                if self.gate is not None:
                    self.gate.check()
                n = os.write(self.fd, self.backlog)
            except OSError as err:
                self._warn(f"could not write {self.path} ({err.strerror}); events are kept in memory (up to {MAX_BACKLOG // 1048576} MiB) and retried. Free disk space or fix permissions.")
                self.retry_at = time.monotonic() + self.retry_delay
                self.retry_delay = min(self.retry_delay * 2, RETRY_MAX)
                return
            self.backlog = self.backlog[n:]
            self.dirty = True
            self.retry_delay = RETRY_INITIAL

    def _check_deleted(self) -> None:
        """If events.jsonl was unlinked (its run directory deleted), recreate it with its contents."""
        self.last_check = time.monotonic()
        try:
            if os.fstat(self.fd).st_nlink > 0:
                return
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
            pos = 0
            while chunk := os.pread(self.fd, 1 << 16, pos):
                view = memoryview(chunk)
                while view:
                    view = view[os.write(fd, view) :]
                pos += len(chunk)
            os.close(self.fd)
            self.fd = fd
            self._warn(f"{self.path} was deleted during the run; recreated it with the {self.seq} events written so far")
            self.emit({"type": "diagnostic", "level": "warn", "message": "events.jsonl was deleted during the run and recreated.", "code": "ENOENT"})
        except OSError as err:
            self._warn(f"{self.path} was deleted during the run and could not be recreated: {err.strerror}")

    def _sync(self) -> None:
        try:
            os.fsync(self.fd)
            self.dirty = False
        except OSError as err:
            self._warn(f"fsync of {self.path} failed: {err.strerror}")
        self.last_sync = time.monotonic()

    def close(self) -> None:
        """Writes what is left, fsyncs and closes. Never raises; runs once."""
        if self.closed:
            return
        self.stop.set()
        if self.dropped:
            dropped, self.dropped = self.dropped, 0
            self.emit(
                {
                    "type": "diagnostic",
                    "level": "error",
                    "message": f"threepio dropped {dropped} event(s) while the disk refused writes; the run's record is incomplete.",
                    "code": "EVENTS_DROPPED",
                }
            )
        self._enter()
        try:
            self._flush(check=True)
            # A disk that refused writes a moment ago may take them now: a few tries, at once.
            for _ in range(CLOSE_RETRIES):
                if not self.backlog:
                    break
                self._flush(check=True)
            self._sync()
            self.closed = True
        finally:
            self._leave()
        try:
            os.close(self.fd)
        except OSError:
            pass

    @property
    def complete(self) -> bool:
        """Closed with every event on disk (so the log writer can see run-end)."""
        return self.closed and not self.backlog and not self.queue and not self.dropped

    def _warn(self, message: str) -> None:
        self.warn(f"threepio: warning: {message} (the test run goes on)\n")

    def warn(self, line: str) -> None:
        """Writes a warning line to stderr: the first one only, for the plugin and its log writer alike."""
        if self.warned:
            return
        self.warned = True
        sys.stderr.write(line)
