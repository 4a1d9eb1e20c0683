"""Run extraction of untrusted input in a persistent child process with a per-item CPU-time limit.

A hang inside C code or a regex cannot be interrupted by a signal handler in the same process, so
each worker process keeps one child per extraction function (started on first use, reused for every
shard). Items are pipelined: up to ``window`` requests are in flight, so the parent reads, decodes
and writes while the child extracts, and no item waits for a round trip. The child answers in order.

Time limits are CPU time, so the output does not depend on machine load or the worker count
(``cpu_limit``): an item that uses ``timeout`` seconds of CPU is a ``timeout`` (the child stays, or is
stopped by the kernel when stuck in C code). Only a generous wall-clock guard (``wall_guard``: ten
times the limit plus a minute) remains for true hangs that use no CPU (blocked I/O): the child is
killed with SIGKILL and the items queued behind it are sent again to a fresh child.

The child runs ``python -m roots.sources.sandbox MODULE:FUNCTION PARENT_PID MEMORY_MB`` and answers
length-prefixed pickled requests on stdin/stdout; stray prints of the libraries go to stderr.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import importlib
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from roots.sources import cpu_limit

_HEADER = struct.Struct("<Q")
STARTUP_TIMEOUT = 300.0
WINDOW = 16
_READ_SIZE = 1 << 20
_DETAIL_LIMIT = 500
WALL_FACTOR = 10
WALL_SLACK = 60.0


def wall_guard(cpu_seconds: float) -> float:
    """Wall-clock seconds after which an item that used less than its CPU time is taken for a hang."""
    return cpu_seconds * WALL_FACTOR + WALL_SLACK


@dataclass(frozen=True)
class Outcome:
    """The result of one item: ``status`` is ``ok``, ``exception``, ``timeout`` or ``crashed``.

    An extractor that catches ``CpuTimeExceeded`` and returns what it finished gives ``ok``."""

    status: str
    value: Any = None
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"


class SandboxStartError(RuntimeError):
    """The child process could not start (the extraction library is missing or broken)."""


@dataclass
class _Job:
    frame: bytes  # the length-prefixed request
    end: int = 0  # position of the frame's last byte in the stream written to the current child


class Sandbox:
    """One persistent child process running ``target`` (``"module:function"``) on payloads."""

    def __init__(self, target: str, memory_limit_mb: int | None = None) -> None:
        self.target = target
        self.memory_limit_mb = memory_limit_mb
        self._proc: subprocess.Popen[bytes] | None = None
        self._out = bytearray()  # request bytes not yet written to the child
        self._in = bytearray()  # answer bytes read but not yet parsed
        self._written = 0  # request bytes written to the current child
        self._answered_at = 0.0  # when the child last answered (it then starts on the next item)
        self.restarts = 0

    def call(self, payload: Any, timeout: float) -> Outcome:
        """Run ``target(payload)`` in the child; never raises for what the payload does to the child."""
        return next(iter(self.imap([payload], timeout)))

    def imap(self, payloads: Iterable[Any], timeout: float, window: int = WINDOW) -> Iterator[Outcome]:
        """``target`` over ``payloads``, one ``Outcome`` per payload, in order; ``timeout`` is CPU seconds."""
        source = iter(payloads)
        pending: deque[_Job] = deque()
        exhausted = False
        try:
            while True:
                while not exhausted and len(pending) < window:
                    try:
                        payload = next(source)
                    except StopIteration:
                        exhausted = True
                        break
                    request = pickle.dumps((payload, timeout), protocol=pickle.HIGHEST_PROTOCOL)
                    pending.append(self._queue(_frame(request)))
                if not pending:
                    return
                outcome = self._answer(pending[0], timeout)
                pending.popleft()
                if self._proc is None:  # the child was killed or died: the queued items go to the next one
                    self._requeue(pending)
                yield outcome
        finally:
            if pending:  # abandoned with answers still due: they must not reach the next caller
                self._kill()
                self._out.clear()

    def _queue(self, frame: bytes) -> _Job:
        self._ensure_started()
        self._out += frame
        return _Job(frame, self._written + len(self._out))

    def _requeue(self, pending: deque[_Job]) -> None:
        """After a kill, the items behind the failed one go to the next child."""
        self._out.clear()
        for job in pending:
            self._out += job.frame
            job.end = len(self._out)

    def _answer(self, head: _Job, cpu_seconds: float) -> Outcome:
        """Pump requests out and answers in until the answer to ``head`` (the oldest item) arrives."""
        timeout = wall_guard(cpu_seconds)
        self._ensure_started()
        assert self._proc is not None and self._proc.stdin is not None and self._proc.stdout is not None
        stdin, stdout = self._proc.stdin.fileno(), self._proc.stdout.fileno()
        started = self._answered_at if head.end <= self._written else None
        while True:
            answer = self._pop_answer()
            if answer is not None:
                self._answered_at = time.monotonic()
                status, value = answer
                if status == "ok":
                    return Outcome("ok", value)
                return Outcome("timeout" if status == "timeout" else "exception", detail=str(value))
            now = time.monotonic()
            if started is None and head.end <= self._written:
                started = max(now, self._answered_at)
            remaining = (started if started is not None else now) + timeout - now
            if remaining <= 0:
                self._kill()
                detail = (
                    f"no result within {timeout:g} s of wall-clock time (a hang); extractor process killed"
                )
                return Outcome("timeout", detail=detail)
            readable, writable, _ = select.select([stdout], [stdin] if self._out else [], [], remaining)
            if not readable and not writable:
                if started is None:  # no progress at all: the child does not even read
                    started = now
                continue
            try:
                if writable:
                    with memoryview(self._out) as pending, pending[:_READ_SIZE] as chunk:  # no copy
                        written = os.write(stdin, chunk)
                    del self._out[:written]
                    self._written += written
                if readable:
                    data = os.read(stdout, _READ_SIZE)
                    if not data:
                        raise EOFError
                    self._in += data
            except BlockingIOError:
                continue
            except (EOFError, OSError):
                code = self._kill()
                if code == -signal.SIGXCPU:  # the CPU-time backstop: stuck in code that never returned
                    return Outcome("timeout", detail=f"over {cpu_seconds:g} s of CPU time; extractor stopped")
                return Outcome("crashed", detail=f"extractor process died (exit status {code})")

    def _pop_answer(self) -> tuple[str, Any] | None:
        if len(self._in) < _HEADER.size:
            return None
        (size,) = _HEADER.unpack_from(self._in)
        if len(self._in) < _HEADER.size + size:
            return None
        answer = pickle.loads(bytes(self._in[_HEADER.size : _HEADER.size + size]))
        del self._in[: _HEADER.size + size]
        return answer

    def _ensure_started(self) -> None:
        if self._proc is not None:
            return
        self._proc = _spawn(self.target, self.memory_limit_mb)
        assert self._proc.stdin is not None
        os.set_blocking(self._proc.stdin.fileno(), False)
        self._in.clear()
        self._written = 0
        self._answered_at = time.monotonic()

    def _kill(self) -> int | None:
        proc, self._proc = self._proc, None
        if proc is None:
            return None
        self.restarts += 1
        proc.kill()
        for stream in (proc.stdin, proc.stdout):
            if stream is not None:
                stream.close()
        return proc.wait()

    def close(self) -> None:
        """Stop the child (closing its stdin ends its loop; kill it if it does not exit promptly)."""
        proc, self._proc = self._proc, None
        self._out.clear()
        if proc is None:
            return
        assert proc.stdin is not None and proc.stdout is not None  # opened with PIPE
        try:
            proc.stdin.close()
            proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()
        proc.stdout.close()


def _frame(data: bytes) -> bytes:
    return _HEADER.pack(len(data)) + data


def _spawn(target: str, memory_limit_mb: int | None) -> subprocess.Popen[bytes]:
    package_parent = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_parent, env.get("PYTHONPATH")) if p)
    args = [
        sys.executable,
        "-m",
        "roots.sources.sandbox",
        target,
        str(os.getpid()),
        str(memory_limit_mb or 0),
    ]
    proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
    assert proc.stdin is not None and proc.stdout is not None
    for stream in (proc.stdin, proc.stdout):
        _widen_pipe(stream)
    try:
        _write_frame(proc.stdin, pickle.dumps(list(sys.path)))
        status, value = pickle.loads(_read_frame(proc.stdout.fileno(), time.monotonic() + STARTUP_TIMEOUT))
    except (TimeoutError, EOFError, OSError) as exc:
        proc.kill()
        proc.wait()
        raise SandboxStartError(f"the extraction process for {target} did not start ({exc!r})") from None
    if status != "ready":
        proc.wait()
        raise SandboxStartError(f"the extraction process for {target} failed to start: {value}")
    return proc


def _widen_pipe(stream: IO[bytes] | None) -> None:
    """Ask Linux for a 1 MiB pipe buffer (default 64 KiB): a web page then crosses in one write, not several
    rounds of select and write. Best effort: other systems and a lower ``pipe-max-size`` keep the default."""
    set_size = getattr(fcntl, "F_SETPIPE_SZ", None)
    if stream is None or set_size is None:
        return
    with contextlib.suppress(OSError):
        fcntl.fcntl(stream.fileno(), set_size, _READ_SIZE)


def _write_frame(stream: IO[bytes] | None, data: bytes) -> None:
    assert stream is not None
    stream.write(_HEADER.pack(len(data)))
    stream.write(data)
    stream.flush()


def _read_exact(fd: int, size: int, deadline: float) -> bytes:
    chunks: list[bytes] = []
    while size:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
            raise TimeoutError
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _read_frame(fd: int, deadline: float) -> bytes:
    (size,) = _HEADER.unpack(_read_exact(fd, _HEADER.size, deadline))
    return _read_exact(fd, size, deadline)


# ------------------------------------------------------------------ keeping input order
@dataclass(frozen=True)
class Pending:
    """An input item waiting for the sandbox: ``finish`` turns the outcome into the items to emit."""

    payload: Any
    finish: Callable[[Outcome], Iterable[Any]]


def in_order(entries: Iterable[Any], sandbox: Sandbox, timeout: float) -> Iterator[Any]:
    """Emit ``entries`` in order, where each ``Pending`` is replaced by what its outcome finishes into.

    Payloads go to the sandbox ahead of the consumer (the sandbox's window), so the reading and
    decoding of the next items overlaps with the extraction of the current one.
    """
    queue: deque[Any] = deque()

    def payloads() -> Iterator[Any]:
        for entry in entries:
            queue.append(entry)
            if isinstance(entry, Pending):
                yield entry.payload

    for outcome in sandbox.imap(payloads(), timeout):
        while not isinstance(queue[0], Pending):
            yield queue.popleft()
        yield from queue.popleft().finish(outcome)
    yield from queue


# ------------------------------------------------------------------ per-process registry
_SANDBOXES: dict[tuple[str, int | None], Sandbox] = {}


def get_sandbox(target: str, memory_limit_mb: int | None = None) -> Sandbox:
    """This process's sandbox for ``target`` (created on first use, reused by every later shard)."""
    key = (target, memory_limit_mb)
    box = _SANDBOXES.get(key)
    if box is None:
        box = _SANDBOXES[key] = Sandbox(target, memory_limit_mb)
    return box


def close_all() -> None:
    for box in list(_SANDBOXES.values()):
        box.close()
    _SANDBOXES.clear()


atexit.register(close_all)
if hasattr(os, "register_at_fork"):  # a forked process must not talk to its parent's children
    os.register_at_fork(after_in_child=_SANDBOXES.clear)


# ------------------------------------------------------------------ the child
def _die_with_parent(parent_pid: int) -> None:
    """Ask Linux to kill this process when its parent dies, so a hung child never outlives a run."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent_pid:
        os._exit(0)


def _limit_memory(megabytes: int) -> None:
    if megabytes > 0:
        import resource

        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _resolve(target: str) -> Any:
    module_name, _, attr = target.partition(":")
    return getattr(importlib.import_module(module_name), attr)


def _child_main(target: str, parent_pid: int, memory_limit_mb: int) -> None:
    import logging
    import signal
    import warnings

    signal.signal(
        signal.SIGINT, signal.SIG_IGN
    )  # Ctrl-C reaches the whole group: the parent stops this child
    _die_with_parent(parent_pid)
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # library prints must not corrupt the protocol
    inp = sys.stdin.buffer
    sys.path[:] = pickle.loads(_child_recv(inp))
    logging.disable(logging.CRITICAL)
    warnings.simplefilter("ignore")
    try:
        fn = _resolve(target)
    except Exception as exc:
        _child_send(out, ("failed", f"{type(exc).__name__}: {exc}"))
        return
    _limit_memory(memory_limit_mb)
    cpu_limit.install()
    _child_send(out, ("ready", None))
    while True:
        try:
            payload, cpu_seconds = pickle.loads(_child_recv(inp))
        except EOFError:
            return
        _child_send(out, _run_item(fn, payload, cpu_seconds))


def _run_item(fn: Callable[[Any], Any], payload: Any, cpu_seconds: float) -> tuple[str, Any]:
    """``fn(payload)`` within ``cpu_seconds`` of CPU time, as the reply to send."""
    try:
        cpu_limit.arm(cpu_seconds)
        try:
            return ("ok", fn(payload))
        except Exception as exc:
            return ("exception", f"{type(exc).__name__}: {exc}"[:_DETAIL_LIMIT])
        finally:
            cpu_limit.disarm()
    except cpu_limit.CpuTimeExceeded:
        return ("timeout", f"over {cpu_seconds:g} s of CPU time")


def _child_recv(stream: IO[bytes]) -> bytes:
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError
    (size,) = _HEADER.unpack(header)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return data


def _child_send(stream: IO[bytes], reply: tuple[str, Any]) -> None:
    try:
        data = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # an unpicklable result is the extractor's bug, reported per call
        data = pickle.dumps(("exception", f"unpicklable result: {exc}"))
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


if __name__ == "__main__":
    _child_main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
