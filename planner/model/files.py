"""Atomic file writes, for every output legplan writes (``-o FILE`` and batch directories)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path


def write_atomic(path: Path, text: str, *, durable: bool = True) -> None:
    """Write ``text`` to ``path`` so that readers see the old file or the whole new one, never a
    half, empty or truncated file: a fresh temporary file in the same directory, then
    ``os.replace``. An existing file keeps its permissions; a new one follows the umask (read by
    the kernel via ``O_EXCL`` and mode 0o666, so this is safe from several threads).
    ``durable`` also fsyncs before the rename (survives a power cut, at a cost per file).
    Raises ``OSError``; the temporary file never outlives a failure.
    """
    tmp = path.parent / f".{path.name}.{uuid.uuid4().hex}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
