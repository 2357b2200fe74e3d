"""Writing a rendered document to disk."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_pdf(pdf: bytes, path: Path) -> Path:
    """Write a rendered document to ``path`` atomically (``write_atomic``)."""
    return write_atomic(pdf, path)


def write_atomic(data: bytes, path: Path) -> Path:
    """Write ``data`` to ``path`` atomically and return the path.

    A temp file in the same directory, fsync, then os.replace (and an fsync of the
    directory on POSIX): a crash, a full disk or a file locked by a viewer never leaves
    a half-written document at ``path`` — the previous file stays intact and the temp
    file is removed.
    """
    path = Path(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    if os.name == "posix":  # make the rename itself durable; Windows cannot open a dir
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    return path


__all__ = ["write_atomic", "write_pdf"]
