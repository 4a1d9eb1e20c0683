"""One command at a time per stage of a run folder: an advisory lock file holding the holder's pid and host.

``RUN/.<stage>.lock`` is locked with ``flock`` for as long as a command runs the stage; the kernel releases
the lock when the holder exits, even on SIGKILL, so a lock file left by a dead process is stale and taken
over. A second command on the same stage gets one line naming the holder. The file is deleted on release.
Run folders on object stores (``s3://`` …) are not locked.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

from roots.errors import UserError

log = logging.getLogger(__name__)


def lock_path(run_root: Path, stage: str) -> Path:
    return run_root / f".{stage}.lock"


def _holder(path: Path) -> str:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return f"pid {data['pid']} on {data['host']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "another process"


def _note_stale(path: Path) -> None:
    log.warning("roots: %s: stale lock of %s, which is gone; taken over", path, _holder(path))


@contextlib.contextmanager
def stage_lock(run_root: Path, stage: str) -> Iterator[None]:
    """Hold the lock of ``stage`` in ``run_root``; a ``UserError`` if another live process holds it.

    A run folder on an object store has no locks: there, one command per stage is up to the user."""
    from roots.storage import is_remote

    if is_remote(run_root):
        yield
        return
    path = lock_path(run_root, stage)
    run_root.mkdir(parents=True, exist_ok=True)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise UserError(
                f"{run_root}: the {stage} stage is being run by {_holder(path)} (lock {path}); wait for that "
                "command to finish, or stop it, then run this one again"
            ) from None
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)  # the holder deleted the file between our open and our lock: lock the new one
    try:
        stale = os.read(fd, 4096)
        if stale:
            _note_stale(path)
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        holder = {"pid": os.getpid(), "host": socket.gethostname(), "since": int(time.time())}
        os.write(fd, json.dumps(holder).encode())
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        os.close(fd)
