"""A SQLite VFS (through apsw) that simulates a power cut.

Every write to a file is held in memory, in an overlay that this process's reads see,
until SQLite syncs the file (``xSync``): only then is it written to the real file and
fsync'ed. A process killed with SIGKILL therefore loses exactly what a power cut would
lose: whatever was written but not yet synced. A clean exit writes the overlays out
(without fsync), as the OS would eventually write back its page cache.

Sizes and truncation follow the overlay (a truncate reaches the real file at the next
sync); shared memory (the WAL index) and locks go straight to the default VFS: after a
cut the first connection rebuilds the WAL index from the WAL file, as after a real one.
Files are created and deleted at once (directory entries are not simulated).

``leak`` (0 to 1) makes the cut harsher: each write also reaches the real file at once
with that probability, unsynced, so a cut leaves a random subset of the unsynced writes
on disk (the OS may write dirty pages back early, in any order).

``cut_at`` = N cuts the power itself, reproducibly, at the N-th file operation of the
process (a write, a truncate, a sync, or one block written out during a sync: a cut in the
middle of a sync leaves part of it on disk, never fsync'ed): the process SIGKILLs itself
before doing it.

Usage::

    register()                                  # once per process
    APSWDatabase(path, vfs=VFS_NAME, ...)       # or ready_counter(home, make=APSWDatabase,
                                                #                  vfs=VFS_NAME)

One process at a time: another process does not see this one's unsynced writes.
"""

from __future__ import annotations

import atexit
import os
import random
import signal
import sys
import threading
from typing import TYPE_CHECKING

import apsw

if TYPE_CHECKING:
    from typing_extensions import Buffer

VFS_NAME = "powercut"
BLOCK = 4096

_OVERLAID = (
    apsw.SQLITE_OPEN_MAIN_DB
    | apsw.SQLITE_OPEN_MAIN_JOURNAL
    | apsw.SQLITE_OPEN_WAL
    | apsw.SQLITE_OPEN_SUPER_JOURNAL
)


class Overlay:
    """One real file and what this process wrote to it since its last sync."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.fd = os.open(name, os.O_RDWR)
        self.size = os.fstat(self.fd).st_size  # the size as this process sees it
        # The smallest size since the last sync: real bytes at or past it read as zeros.
        self.floor = self.size
        self.blocks: dict[int, bytearray] = {}
        self.lock = threading.RLock()

    # Everything below is called with ``lock`` held.

    def durable(self, start: int, end: int) -> bytes:
        """Real bytes of [start, end) below the floor, zeros elsewhere."""
        data = b""
        limit = min(end, self.floor)
        if limit > start:
            data = os.pread(self.fd, limit - start, start)
        return data + bytes(end - start - len(data))

    def read(self, amount: int, offset: int) -> bytes:
        end = min(offset + amount, self.size)
        out = bytearray()
        position = offset
        while position < end:
            index, within = divmod(position, BLOCK)
            stop = min(end, (index + 1) * BLOCK)
            block = self.blocks.get(index)
            if block is None:
                out += self.durable(position, stop)
            else:
                out += block[within : within + stop - position]
            position = stop
        return bytes(out)  # shorter than asked past the end: SQLite's short read

    def write(self, data: memoryview, offset: int) -> None:
        end = offset + len(data)
        position = offset
        while position < end:
            index, within = divmod(position, BLOCK)
            stop = min(end, (index + 1) * BLOCK)
            block = self.blocks.get(index)
            if block is None:
                start = index * BLOCK
                block = self.blocks[index] = bytearray(self.durable(start, start + BLOCK))
            block[within : within + stop - position] = data[position - offset : stop - offset]
            position = stop
        self.size = max(self.size, end)

    def truncate(self, size: int) -> None:
        if size < self.size:
            first_gone = -(-size // BLOCK)
            for index in [i for i in self.blocks if i >= first_gone]:
                del self.blocks[index]
            index, within = divmod(size, BLOCK)
            block = self.blocks.get(index)
            if block is not None:
                block[within:] = bytes(BLOCK - within)
            self.floor = min(self.floor, size)
        self.size = size

    def write_out(self) -> None:
        """Apply the pending truncation and writes to the real file (no fsync)."""
        if self.floor < os.fstat(self.fd).st_size:
            os.ftruncate(self.fd, self.floor)
        for index in sorted(self.blocks):
            start = index * BLOCK
            stop = min(start + BLOCK, self.size)
            if stop > start:
                _registry.operation("sync-write", self)
                os.pwrite(self.fd, self.blocks[index][: stop - start], start)
        if os.fstat(self.fd).st_size != self.size:
            os.ftruncate(self.fd, self.size)
        self.blocks.clear()
        self.floor = self.size

    @property
    def unsynced(self) -> bool:
        return bool(self.blocks) or self.floor != self.size

    def close(self) -> None:
        os.close(self.fd)


class _Registry:
    """Overlays by file name: kept across close and reopen, until deleted or exit."""

    def __init__(self) -> None:
        self.files: dict[str, Overlay] = {}
        self.lock = threading.Lock()
        self.writes = 0
        self.syncs = 0
        self.operations = 0
        self.cut_at: int | None = None

    def operation(self, kind: str, file: Overlay) -> None:
        """Count one file operation; the power fails before the ``cut_at``-th, and the
        process says where on stdout (``CUT <operation> <file>``) before it dies."""
        self.operations += 1
        if self.operations == self.cut_at:
            role = "wal" if file.name.endswith("-wal") else "db"
            if file.name.endswith("-journal"):
                role = "journal"
            sys.stdout.write(f"CUT {kind} {role}\n")
            sys.stdout.flush()
            os.kill(os.getpid(), signal.SIGKILL)

    def get(self, name: str) -> Overlay:
        with self.lock:
            file = self.files.get(name)
            if file is None:
                file = self.files[name] = Overlay(name)
            return file

    def forget(self, name: str) -> None:
        with self.lock:
            file = self.files.pop(name, None)
        if file is not None:
            file.close()


_registry = _Registry()


class PowerCutFile(apsw.VFSFile):
    """A file of the default VFS (locks, shared memory, fsync) with an in-memory overlay."""

    def __init__(
        self,
        name: str,
        uri_name: str | apsw.URIFilename,
        flags: list[int],
        vfs: PowerCutVFS,
    ) -> None:
        super().__init__("", uri_name, flags)  # opens (creates) the real file
        self._file = _registry.get(name)
        self._vfs = vfs

    def xRead(self, amount: int, offset: int) -> bytes:
        with self._file.lock:
            return self._file.read(amount, offset)

    def xWrite(self, data: Buffer, offset: int) -> None:
        view = memoryview(data).cast("B")
        file = self._file
        with file.lock:
            _registry.operation("write", file)
            _registry.writes += 1
            file.write(view, offset)
            if self._vfs.leaks():
                os.pwrite(file.fd, view, offset)  # reached the disk early, unsynced

    def xTruncate(self, newsize: int) -> None:
        with self._file.lock:
            _registry.operation("truncate", self._file)
            self._file.truncate(newsize)

    def xFileSize(self) -> int:
        return self._file.size

    def xSync(self, flags: int) -> None:
        with self._file.lock:
            _registry.operation("sync", self._file)
            _registry.syncs += 1
            self._file.write_out()
            super().xSync(flags)  # fsync (and the directory's, for a new file)

    def xFileControl(self, op: int, ptr: int) -> bool:
        if op == apsw.SQLITE_FCNTL_SIZE_HINT:
            return True  # sizes follow the overlay; nothing to reserve on the real file
        return bool(super().xFileControl(op, ptr))


class PowerCutVFS(apsw.VFS):
    def __init__(self, *, leak: float = 0.0, seed: int | None = None) -> None:
        self.leak = leak
        self._rng = random.Random(seed)
        self._rng_lock = threading.Lock()
        super().__init__(VFS_NAME, "")

    def leaks(self) -> bool:
        if self.leak <= 0:
            return False
        with self._rng_lock:
            return self._rng.random() < self.leak

    def xOpen(self, name: str | apsw.URIFilename | None, flags: list[int]) -> apsw.VFSFile:
        if name is None or not flags[0] & _OVERLAID or flags[0] & apsw.SQLITE_OPEN_DELETEONCLOSE:
            return apsw.VFSFile("", name, flags)  # temporary files: nothing to lose
        text = name.filename() if isinstance(name, apsw.URIFilename) else name
        return PowerCutFile(text, name, flags, self)

    def xDelete(self, filename: str, syncdir: bool) -> None:
        _registry.forget(filename)
        super().xDelete(filename, syncdir)


_vfs: PowerCutVFS | None = None


def register(
    *, leak: float = 0.0, seed: int | None = None, cut_at: int | None = None
) -> PowerCutVFS:
    """Make ``VFS_NAME`` available in this process (the first call's settings stay)."""
    global _vfs
    if _vfs is None:
        _vfs = PowerCutVFS(leak=leak, seed=seed)
        _registry.cut_at = cut_at
        atexit.register(_clean_exit)
    return _vfs


def unsynced_files() -> list[str]:
    """Files with writes a cut now would lose."""
    with _registry.lock:
        return [name for name, file in _registry.files.items() if file.unsynced]


def counts() -> tuple[int, int, int]:
    """(writes, syncs, file operations) seen so far in this process."""
    return _registry.writes, _registry.syncs, _registry.operations


def _clean_exit() -> None:
    """A normal exit is no power cut: the OS writes its page cache back."""
    with _registry.lock:
        files = list(_registry.files.values())
    for file in files:
        with file.lock:
            file.write_out()
