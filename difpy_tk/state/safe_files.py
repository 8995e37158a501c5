"""State files treated as untrusted input, and files written so a crash never leaves half.

Everything the app keeps between runs (settings, the not-a-duplicate list, the move
journal, the cache) can be damaged by a crash, a full disk, a hand edit or a hostile
user: garbage, wrong types, nesting deep enough to exhaust the stack, a file too large
to read, or no file at all but a FIFO (opening it would block for ever) or a folder.
The one rule: such a file is set aside as `<name>.damaged-<time>` (never overwriting an
earlier one), one line goes to the log, and the caller uses its defaults.

Also the one no-replace rename (link/rename semantics that fail when the target exists)
that moves and set-asides share."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import logging
import os
import stat
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from difpy_tk.humanize import describe_error, display_path

log = logging.getLogger("difpy_tk")
_set_aside: list[tuple[Path, Path, str]] = []
"""(file, its new name, what the defaults undo: load_state's lost) of each file set aside."""
_unreadable: dict[Path, tuple[str, str]] = {}
"""State files load_state could not read (no permission), with why and what the defaults
undo: never replaced in this process (write_atomic), since what they hold is the user's
and only hidden from us."""
_set_aside_lock = threading.Lock()
T = TypeVar("T")

DEFAULT_LIMIT = 4 * 1024 * 1024
"""Bytes a settings-sized state file may have; anything larger is not ours."""


class DamagedFile(ValueError):
    """A state file that must not be used; str() says why in plain words."""


def _nonblocking_flags() -> int:
    # O_NONBLOCK: opening a FIFO must not wait for a writer. O_NOCTTY: a device is no terminal.
    return getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def read_bounded(path: str | os.PathLike, limit: int = DEFAULT_LIMIT) -> bytes | None:
    """The bytes of a regular file of at most limit bytes; None when there is no file.

    Raises DamagedFile for a folder, FIFO, socket or device (without blocking on a FIFO)
    and for a file larger than limit; OSError when it cannot be read (permissions)."""
    try:
        before = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):  # NotADirectory: a file where its folder should be
        return None
    if not stat.S_ISREG(before.st_mode):
        raise DamagedFile(f"it is {_kind(before.st_mode)}, not a file")
    if before.st_size > limit:
        raise DamagedFile(f"it is too large ({before.st_size} bytes, at most {limit} expected)")
    try:
        fd = os.open(path, os.O_RDONLY | _nonblocking_flags())
    except FileNotFoundError:
        return None
    with os.fdopen(fd, "rb") as stream:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):  # swapped between the stat and the open
            raise DamagedFile(f"it is {_kind(mode)}, not a file")
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise DamagedFile(f"it is too large (more than {limit} bytes)")
    return data


def parse_json(data: bytes) -> object:
    """JSON from a state file's bytes; DamagedFile for invalid text or absurd nesting."""
    try:
        return json.loads(data.decode("utf-8"))
    except RecursionError as error:
        raise DamagedFile("it is nested too deeply") from error
    except (UnicodeDecodeError, ValueError) as error:
        raise DamagedFile(f"it is not valid JSON ({error})") from error


def _no_replace_syscall() -> Callable[[bytes, bytes], int] | None:
    """The C call that renames only when the target name is free (Linux, macOS), or None."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None
    if sys.platform.startswith("linux") and hasattr(libc, "renameat2"):
        at_fdcwd, rename_noreplace = -100, 1
        return lambda source, target: libc.renameat2(at_fdcwd, source, at_fdcwd, target, rename_noreplace)
    if sys.platform == "darwin" and hasattr(libc, "renamex_np"):
        rename_excl = 0x4
        return lambda source, target: libc.renamex_np(source, target, rename_excl)
    return None


_NO_REPLACE = None if sys.platform == "win32" else _no_replace_syscall()
_UNSUPPORTED = {errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EPERM, errno.EMLINK}


def rename_no_replace(source: str | os.PathLike, target: str | os.PathLike) -> None:
    """Rename source to target; FileExistsError when target exists, never overwriting it.

    Windows' rename refuses an existing target by itself. Elsewhere the kernel's
    no-replace rename, else a hard link then unlink (the link fails when the name is
    taken). Only a file system with neither (some network shares) is left with a check
    just before the rename, the one race that cannot be avoided there. Raises OSError
    with EXDEV between file systems."""
    if sys.platform == "win32":
        os.rename(source, target)
        return
    source_bytes, target_bytes = os.fsencode(source), os.fsencode(target)
    if _NO_REPLACE is not None:
        if _NO_REPLACE(source_bytes, target_bytes) == 0:
            return
        code = ctypes.get_errno()
        if code not in _UNSUPPORTED:
            raise OSError(code, os.strerror(code), os.fsdecode(source), None, os.fsdecode(target))
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError as error:
        if error.errno not in _UNSUPPORTED or os.path.isdir(source):
            if error.errno == errno.EPERM and os.path.isdir(source) and not os.path.lexists(target):
                os.rename(source, target)  # a folder cannot be hard-linked
                return
            raise
        if os.path.lexists(target):
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), os.fsdecode(target)) from error
        os.rename(source, target)
        return
    try:
        os.unlink(source)
    except OSError:
        # Its folder lets no file go (locked, read-only): the link just made is ours, and
        # leaving it would give the file a second name the journal does not know.
        with contextlib.suppress(OSError):
            made, kept = os.lstat(target), os.lstat(source)
            if made.st_ino and os.path.samestat(made, kept):  # inode 0: a drive that cannot tell
                os.unlink(target)
        raise


def _damaged_name(path: Path) -> Path:
    return path.with_name(f"{path.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")


def set_aside(path: str | os.PathLike, reason: str, lost: str = "") -> Path | None:
    """Rename a damaged state file (or folder, FIFO…) to `<name>.damaged-<time>`, with
    `-2`, `-3`… when that exists, so an earlier one is never overwritten; one log line.
    lost: what the defaults undo, for the notice (load_state). Returns the new name, or
    None when it could not be renamed (also logged)."""
    path = Path(path)
    base = _damaged_name(path)
    for number in range(1, 1000):
        aside = base if number == 1 else base.with_name(f"{base.name}-{number}")
        try:
            rename_no_replace(path, aside)
        except FileExistsError:
            continue
        except FileNotFoundError:
            return None
        except OSError as error:
            log.warning("%s is unusable (%s) and could not be set aside: %s", path, reason, error.strerror or error)
            return None
        log.warning("%s is unusable (%s); set aside as %s, using the defaults", path, reason, aside.name)
        with _set_aside_lock:
            _set_aside.append((path, aside, lost))
        return aside
    log.warning("%s is unusable (%s); too many earlier damaged copies to set it aside", path, reason)
    return None


def set_aside_notices() -> list[str]:
    """What set_aside did in this process, and the state files that could not be read, in
    plain words for the app to show (a reset that only a log line tells of looks like
    settings forgotten, hidden pairs back): one notice however many files were set aside,
    so a few damaged ones still fit the start screen."""
    with _set_aside_lock:
        done = list(_set_aside)
        unreadable = list(_unreadable.items())
    notices = [
        _with_loss(lost, f"{path.name} cannot be read ({why}, in {display_path(str(path.parent))}): difpy_tk "
                         "uses defaults in its place for now and leaves the file as it is.")
        for path, (why, lost) in unreadable
    ]
    losses = " ".join(dict.fromkeys(lost for _path, _aside, lost in done if lost))
    if len(done) == 1:
        (path, aside, _lost), = done
        notices.append(_with_loss(losses, f"{path.name} was damaged and has been put aside as {aside.name} (in "
                                          f"{display_path(str(path.parent))}); difpy_tk uses defaults in its place."))
    elif done:
        names = ", ".join(dict.fromkeys(path.name for path, _aside, _lost in done))
        notices.append(_with_loss(losses, f"{len(done)} damaged files were put aside as <name>.damaged-<time> "
                                          f"beside them ({names}); difpy_tk uses defaults in their place."))
    return notices


def _with_loss(lost: str, notice: str) -> str:
    """The notice, then what the defaults undo (load_state's lost), when there is any."""
    return f"{notice} {lost}" if lost else notice


def load_state(
    path: str | os.PathLike, parse: Callable[[bytes], T], limit: int = DEFAULT_LIMIT, lost: str = ""
) -> T | None:
    """Read and parse a state file; None when it is missing or unusable.

    parse turns the bytes into the caller's objects, raising DamagedFile, ValueError,
    TypeError, KeyError, AttributeError or ArithmeticError (1e400 is valid JSON, and
    infinity as an int overflows) for anything its schema does not allow; an unusable
    file is set aside. A file that cannot be read at all (no permission) is left where
    it is, with a log line and a notice, and write_atomic will not replace it: saving the
    defaults over it lost a user's settings. lost: what the defaults undo, in words the
    notice adds (the settings' protected folders are gone with them)."""
    try:
        data = read_bounded(path, limit)
        return None if data is None else parse(data)
    except (DamagedFile, ValueError, TypeError, KeyError, AttributeError, ArithmeticError, RecursionError) as error:
        set_aside(path, str(error) or type(error).__name__, lost)
    except OSError as error:
        why = describe_error(error)
        log.warning("cannot read %s (%s); using the defaults, and leaving the file as it is", path, why)
        with _set_aside_lock:
            _unreadable[Path(path)] = (why, lost)
    return None


def can_create_file_in(folder: str | os.PathLike) -> bool:
    """Whether a new file can be made in folder, proved by making one (a random, hidden
    name created exclusively, so only our own file is removed again): permission bits
    say nothing on a read-only medium, to root, or of an append-only folder."""
    try:
        fd, probe = tempfile.mkstemp(prefix=".write-test-", dir=folder)
    except OSError:
        return False
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(probe)
    return True


def write_atomic(path: str | os.PathLike, data: bytes | str) -> None:
    """Write the whole file or nothing: a temporary file in the same folder, flushed to
    disk, then renamed over path. Raises OSError (the old file, if any, is untouched),
    also for a state file load_state could not read."""
    path = Path(path)
    with _set_aside_lock:
        unreadable = _unreadable.get(path)
    if unreadable is not None:
        raise PermissionError(errno.EACCES, f"not replaced, as it could not be read ({unreadable[0]})", str(path))
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(payload)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _write_whole(fd: int, payload: bytes, size_before: int, path: str | os.PathLike) -> None:
    """Write all of payload or none of it: a disk that fills up takes part of a write
    without an error, and half a journal line is one its reader skips, so a move would
    go ahead unrecorded. On failure the file is cut back to size_before."""
    written = 0
    try:
        while written < len(payload):
            count = os.write(fd, payload[written:])
            if count <= 0:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
            written += count
    except OSError:
        with contextlib.suppress(OSError):
            os.ftruncate(fd, size_before)
        raise


def append_line(path: str | os.PathLike, line: str) -> None:
    """Append one line to a log file, creating it; never blocks and never writes through
    a link or into a FIFO or device: such a thing is set aside and a new file started.
    A last line cut short by a crash is ended first, so it cannot swallow this one.
    The text is written as UTF-8; names the OS gave us that are not valid UTF-8 appear
    as backslash escapes (b"\\xff"). Raises OSError when the folder cannot be written."""
    payload = display_path(line + "\n").encode("utf-8")
    flags = os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | _nonblocking_flags()
    for _attempt in range(2):
        try:
            fd = os.open(path, flags, 0o644)
        except OSError as error:
            if error.errno not in (errno.ELOOP, errno.ENXIO, errno.EISDIR, errno.EWOULDBLOCK) and not (
                os.path.isdir(path) or os.path.islink(path)
            ):
                raise
            set_aside(path, "it is not a regular file")
            continue
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                os.close(fd)
                fd = -1
                set_aside(path, "it is not a regular file")
                continue
            if info.st_size:
                os.lseek(fd, info.st_size - 1, os.SEEK_SET)
                if os.read(fd, 1) != b"\n":
                    payload = b"\n" + payload
            _write_whole(fd, payload, info.st_size, path)
            return
        finally:
            if fd >= 0:
                os.close(fd)
    raise OSError(errno.EEXIST, "a non-file is in the way of the log", str(path))
