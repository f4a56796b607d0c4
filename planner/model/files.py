"""Atomic file writes, for every output legplan writes (``-o FILE`` and batch directories).

legplan writes only regular files. A write replaces the file at the path by renaming a complete
temporary file over it, so it must never meet a FIFO, a device, a socket or a directory there:
renamed over, those would be gone (as root, ``-o /dev/full`` replaced the device node by a file).
Such a path is refused with :class:`NotARegularFileError`. A symlink is followed to the file it
names (``-o``: the link stays and the file it points to is replaced), or, inside a batch's
output directory, replaced itself (``follow_symlinks=False``: nothing is written outside it).
"""

from __future__ import annotations

import errno
import os
import signal
import stat
import threading
import uuid
from collections.abc import Generator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REGULAR_FILES_ONLY = "legplan writes only regular files"


class NotARegularFileError(OSError):
    """The path names something that is not a regular file; nothing was written."""


def file_kind(mode: int) -> str:
    """What ``mode`` (from ``os.stat``) is, in words: "a directory", "a FIFO (named pipe)" …"""
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def output_target(path: str | Path, *, follow_symlinks: bool = True) -> Path:
    """The file a write to ``path`` replaces: ``path`` itself, or with ``follow_symlinks`` the
    file its symlinks lead to (which need not exist yet). Raises ``NotARegularFileError`` when
    something other than a regular file (or, not following, a symlink) is there, and for an
    empty path. Other problems (a missing directory, no permission) are left to the write,
    which names them."""
    if str(path) == "":
        raise NotARegularFileError(errno.ENOENT, "the file name is empty", "")
    path = Path(path)
    try:
        # following: os.stat sees through every link, also /dev/stdout's to a pipe or terminal
        mode = os.stat(path).st_mode if follow_symlinks else os.lstat(path).st_mode
    except OSError:  # nothing there yet (or a dangling symlink, whose file will be created)
        mode = None
    if mode is not None and not stat.S_ISREG(mode) and not (
            stat.S_ISLNK(mode) and not follow_symlinks):
        target = os.path.realpath(path)
        shown = f"{path} (-> {target})" if target != os.path.abspath(path) else str(path)
        raise NotARegularFileError(errno.EEXIST, f"{shown} is {file_kind(mode)}, not a regular "
                                                 f"file; {REGULAR_FILES_ONLY}", str(path))
    return Path(os.path.realpath(path)) if follow_symlinks else path


def write_atomic(path: Path, text: str, *, durable: bool = True,
                 follow_symlinks: bool = True) -> None:
    """Write ``text`` to ``path`` so that readers see the old file or the whole new one, never a
    half, empty or truncated file: a fresh temporary file in the same directory, then
    ``os.replace``. An existing file keeps its permissions; a new one follows the umask (read by
    the kernel via ``O_EXCL`` and mode 0o666, so this is safe from several threads).
    ``durable`` also fsyncs before the rename (survives a power cut, at a cost per file).
    ``follow_symlinks``: see the module docstring and :func:`output_target`.
    Raises ``OSError`` (``NotARegularFileError`` for a path that is not a regular file); the
    temporary file never outlives a failure.
    """
    target = output_target(path, follow_symlinks=follow_symlinks)
    tmp = target.parent / f".{target.name}.{uuid.uuid4().hex}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        try:
            mode = os.lstat(target).st_mode
        except FileNotFoundError:
            pass
        else:
            if stat.S_ISREG(mode):
                os.chmod(tmp, mode & 0o7777)
            elif not stat.S_ISLNK(mode):  # appeared while writing: refuse it all the same
                output_target(target, follow_symlinks=False)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


DEFERRED_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def signals_deferred() -> Generator[None, None, None]:
    """Writes that belong together (a batch athlete's plan files and the record that marks it
    done) are not split by Ctrl-C or SIGTERM: a signal arriving inside the block is held and
    handed to the handler that was in place as soon as the block ends, so the signal still ends
    the run, only after the last of these writes. Only the main thread has signal handlers
    (elsewhere this does nothing), and a handler installed outside Python (``getsignal`` gives
    None) could not be put back, so then it does nothing either."""
    previous = {s: signal.getsignal(s) for s in DEFERRED_SIGNALS}
    if (threading.current_thread() is not threading.main_thread()
            or any(h is None for h in previous.values())):
        yield
        return
    held: list[int] = []
    # The old handlers are noted before any is swapped, and swapped inside the try: a SIGTERM
    # that the old handler raises right after SIGINT's swap (even before ``signal.signal``'s
    # result is stored) must not leave SIGINT held for ever, every later Ctrl-C ignored. Putting
    # them back is the same at the other end (``_restore``).
    try:
        for s in DEFERRED_SIGNALS:
            signal.signal(s, lambda signum, frame: held.append(signum))
        yield
    finally:
        _restore(list(previous.items()))
        for signum in held:  # the first one the handler raises for ends the loop, as it should
            handler = previous[signum]
            if callable(handler):
                handler(signum, None)
            elif handler == signal.SIG_DFL:
                signal.raise_signal(signum)


def _restore(handlers: list[tuple[int, Any]]) -> None:
    """Put every handler back, even when one put back raises at once (a Ctrl-C arriving just
    after SIGINT's handler is back): each next one is put back in a ``finally``."""
    if handlers:
        (signum, handler), *rest = handlers
        try:
            signal.signal(signum, handler)
        finally:
            _restore(rest)
