"""Moving one file so that nothing can be lost, and recovering a move that was killed.

The rules, each of which a fault-injection test checks:
- The destination is never overwritten: the rename itself refuses a taken name
  (safe_files.rename_no_replace); a taken name makes the move try the next free one.
- Across drives the data goes to a partial file with a random hidden name, created
  exclusively without following links, so it is ours; it is renamed to the destination
  (again refusing a taken name) and only then is the source removed. On any failure the
  partial, or the copy, is removed only after checking it is still the file we created.
- The move is journalled before it starts (Journal.begin), so at the next start
  recover_interrupted finishes it (the file is complete at its destination and the source
  is gone) or rolls it back (the source is intact: our copy or second link is removed).
- Undo moves back only the file the move put there: same size, mtime and content digest."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import logging
import os
import stat
import sys
import uuid
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from difpy_tk.review.journal import ActionResult, End, Evidence, Journal, MoveIntent, Outcome, process_start
from difpy_tk.review.locations import same_entry
from difpy_tk.state.safe_files import rename_no_replace

log = logging.getLogger("difpy_tk")
PARTIAL_PREFIX = ".difpy-partial-"
CHUNK = 1024 * 1024


class PartialNameTaken(OSError):
    """The random partial name exists: something is wrong there, so the move stops
    (unlike a taken destination name, which just moves on to the next name)."""


def new_op() -> str:
    return uuid.uuid4().hex[:16]


def partial_path(folder: Path, op: str) -> Path:
    """The partial copy's name in folder: short (a long file name cannot make it too long)."""
    return folder / f"{PARTIAL_PREFIX}{op}"


def evidence_of(path: str | os.PathLike) -> Evidence:
    """Size, mtime and SHA-256 of a file, read through one open handle."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        info = os.fstat(stream.fileno())
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return Evidence(info.st_size, info.st_mtime_ns, digest.hexdigest())


def mismatch(path: str | os.PathLike, evidence: Evidence, content: bool = True) -> str | None:
    """Why the file at path is not the file evidence describes (None: it is). content=False
    compares size and mtime only."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return "there is no file there"
    except OSError as error:
        return f"it cannot be read: {(error.strerror or str(error)).lower()}"
    if not stat.S_ISREG(info.st_mode):
        return "it is no longer a file"
    if info.st_size != evidence.size or info.st_mtime_ns != evidence.mtime_ns:
        return "it was changed or replaced since it was moved"
    if content:
        try:
            if evidence_of(path).digest != evidence.digest:
                return "its content is not what was moved"
        except OSError as error:
            return f"it cannot be read: {(error.strerror or str(error)).lower()}"
    return None


def _identity(info: os.stat_result) -> tuple[int, int]:
    return info.st_dev, info.st_ino


def _same_file(one: Sequence[int], other: Sequence[int]) -> bool:
    """Two identities name one file. A drive that gives no inode numbers (0: some network
    shares) cannot tell: then never, so nothing is removed on the strength of it."""
    return tuple(one) == tuple(other) and one[1] != 0


def _remove_if_ours(path: Path, identity: tuple[int, int]) -> None:
    """Remove path only when it is still the file we created (same device and inode)."""
    try:
        info = os.lstat(path)
    except OSError:
        return
    if stat.S_ISREG(info.st_mode) and _same_file(_identity(info), identity):
        with contextlib.suppress(OSError):
            os.unlink(path)


def _copy_extras(source: int, target: int, info: os.stat_result) -> None:
    """What a rename keeps and a copy would drop, where the system lets us copy it: the
    extended attributes (tags, a download's origin; Linux) and the owner (only root may
    give a file away). Best effort: the picture itself is what a move must keep."""
    if hasattr(os, "listxattr"):
        with contextlib.suppress(OSError):
            for name in os.listxattr(source):
                with contextlib.suppress(OSError):
                    os.setxattr(target, name, os.getxattr(source, name))
    if hasattr(os, "fchown") and (info.st_uid, info.st_gid) != (os.getuid(), os.getgid()):
        with contextlib.suppress(OSError):
            os.fchown(target, info.st_uid, info.st_gid)


def _copy_to_partial(source: Path, partial: Path, evidence: Evidence) -> tuple[int, int]:
    """Copy source into a new partial file (exclusive, no links followed) with its mode and
    times; its identity. Raises OSError if the source is not the evidence's file."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(partial, flags, 0o600)
    except FileExistsError as error:  # not ours (even a link to elsewhere): left alone, the move stops
        raise PartialNameTaken(errno.EEXIST, "the name for its partial copy is taken", str(partial)) from error
    identity = _identity(os.fstat(fd))
    try:
        digest = hashlib.sha256()
        with open(source, "rb") as stream:
            info = os.fstat(stream.fileno())
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
                view = memoryview(chunk)
                while view:
                    view = view[os.write(fd, view) :]
            if digest.hexdigest() != evidence.digest or info.st_mtime_ns != evidence.mtime_ns:
                raise OSError(errno.EAGAIN, "the file changed while it was being moved", str(source))
            _copy_extras(stream.fileno(), fd, info)
        if sys.platform != "win32":
            os.fchmod(fd, stat.S_IMODE(info.st_mode))
        os.fsync(fd)
        times = (info.st_atime_ns, info.st_mtime_ns)
        if os.utime in os.supports_fd:
            os.utime(fd, ns=times)
        else:
            os.close(fd)
            fd = -1
            os.utime(partial, ns=times)
    except BaseException:
        if fd >= 0:
            os.close(fd)
            fd = -1
        _remove_if_ours(partial, identity)
        raise
    finally:
        if fd >= 0:
            os.close(fd)
    return identity


def move_exclusive(
    source: Path,
    names: Iterable[Path],
    partial: Path,
    evidence: Evidence,
    announce: Callable[[Path, tuple[int, ...]], None],
) -> Path:
    """Move source to the first of names that is free, never over anything; the name used.

    announce(destination, copied) is called before each attempt and once the partial copy
    is complete, with its (device, inode) (journal the intent there).
    All names and the partial are in one folder. Raises FileExistsError when every name
    is taken, OSError on failure; then the source is where it was and nothing of ours is left."""
    copied: tuple[int, int] | None = None
    for destination in names:
        if os.path.lexists(destination):
            continue
        announce(destination, copied or ())
        try:
            if copied is None:
                try:
                    rename_no_replace(source, destination)
                    return destination
                except OSError as error:
                    if error.errno != errno.EXDEV:
                        raise
                copied = _copy_to_partial(source, partial, evidence)
                announce(destination, copied)
            rename_no_replace(partial, destination)
        except FileExistsError:
            continue
        except BaseException:
            if copied is not None:
                _remove_if_ours(partial, copied)
            raise
        try:
            if mismatch(source, evidence, content=False):
                raise OSError(errno.EAGAIN, "the file changed while it was being moved", str(source))
            os.remove(source)
        except BaseException:
            _remove_if_ours(destination, copied)
            raise
        return destination
    if copied is not None:
        _remove_if_ours(partial, copied)
    raise FileExistsError(errno.EEXIST, "every name for it is taken", str(source))


def _process_alive(pid: int, started: int) -> bool:
    """Whether the process that journalled a move still runs (the move may be in progress).
    started (see journal.process_start) tells it from a later process with the same id."""
    if started and process_start(pid) != started:
        return False
    if pid == os.getpid():
        return True
    if sys.platform == "win32":
        import ctypes

        synchronize, wait_timeout = 0x00100000, 0x102
        kernel = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel.OpenProcess(synchronize, False, pid)
        if not handle:
            return False
        try:
            return kernel.WaitForSingleObject(handle, 0) == wait_timeout
        finally:
            kernel.CloseHandle(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: alive, someone else's
        return True
    return True


def remove_empty_folders(folders: Iterable[str]) -> None:
    """Remove each folder that is empty, innermost first; a folder with files stays."""
    for folder in sorted(folders, key=len, reverse=True):
        with contextlib.suppress(OSError):
            os.rmdir(folder)


def _is_ours(path: Path, intent: MoveIntent) -> bool:
    """Whether path is a file this move created: its partial (random name of this op) or
    its complete copy (the journalled device and inode); never a user's file."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    if not stat.S_ISREG(info.st_mode):
        return False
    if path == Path(intent.partial) and path.name == PARTIAL_PREFIX + intent.op:
        return info.st_size <= intent.evidence.size
    return bool(intent.copied) and _same_file(_identity(info), intent.copied)


def _second_name(source: Path, destination: Path) -> bool:
    """destination is another name of the file at source (the hard link a move without
    an atomic no-replace rename makes first), not source's own name reached another way:
    the same path, a folder link, a case variant. Only then may a roll-back remove it;
    removing source's own name would delete the file. The journal is untrusted input."""
    try:
        here, there = os.lstat(source), os.lstat(destination)
        same_folder = same_entry(source.parent, destination.parent)
    except OSError:
        return False
    if not _same_file(_identity(here), _identity(there)) or here.st_nlink < 2:
        return False
    return not (same_folder and source.name.casefold() == destination.name.casefold())


def _recover_one(intent: MoveIntent) -> tuple[End, str]:
    source, destination, partial = Path(intent.source), Path(intent.destination), Path(intent.partial)
    if _is_ours(partial, intent):
        with contextlib.suppress(OSError):
            os.unlink(partial)
    if mismatch(source, intent.evidence) is None:
        with contextlib.suppress(OSError):
            if _second_name(source, destination) or _is_ours(destination, intent):
                os.unlink(destination)  # a second link to the intact source, or our copy of it
        remove_empty_folders(intent.created_folders)
        return End.ROLLED_BACK, f"rolled back: the file is at {source} as before"
    if not os.path.lexists(source) and mismatch(destination, intent.evidence) is None:
        return End.FINISHED, f"finished: the file is at {destination}"
    return End.UNRESOLVED, f"left as found: neither {source} nor {destination} is the file as journalled"


def interrupted_moves(journal: Journal) -> list[tuple[str, MoveIntent]]:
    """(op, intent) of every journalled move that never ended and whose process is gone:
    what recover_interrupted finishes or rolls back."""
    return [
        (op, intent)
        for op, (intent, end) in journal.moves().items()
        if end is None and not _process_alive(intent.pid, intent.started)
    ]


def recover_interrupted(journal: Journal) -> list[ActionResult]:
    """Finish or roll back every journalled move whose process died half-way (call at start).

    Moves of processes still running are left to them. Each recovery is journalled and
    returned as a "recover" result (ok when finished or rolled back). Then a journal grown
    large is compacted (Journal.compact)."""
    results = []
    for op, intent in interrupted_moves(journal):
        outcome, reason = _recover_one(intent)
        journal.end(op, outcome)
        what = "interrupted move" if intent.kind == "move" else "interrupted undo"
        log.warning("%s of %s: %s", what, intent.source, reason)
        result = ActionResult(
            "recover",
            intent.source,
            Outcome.FAILED if outcome is End.UNRESOLVED else Outcome.OK,
            destination=intent.destination,
            reason=f"{what}, {reason}",
            op=op,
        )
        results.append(journal.record(result))
    journal.compact()
    return results
