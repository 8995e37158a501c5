"""The record of every file action: a log file the user can read later, the move journal
that lets an interrupted move be finished or rolled back at the next start and lets
`difpy-tk undo` work across runs, and the list of this session's moves that can be undone.

Every move is journalled BEFORE it starts (where from, where to, the name of its partial
copy, and the size, mtime and content digest of the file), and its end after. A move
killed half-way therefore leaves a trail that says exactly which files are ours. The
journal is untrusted input like every state file: a damaged one is set aside."""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import tempfile
import threading
from dataclasses import asdict, dataclass, field
from enum import Enum
from pathlib import Path

from difpy_tk.scan.result import now_iso
from difpy_tk.state import appdirs
from difpy_tk.state.safe_files import DamagedFile, append_line, load_state

LOG_NAME = "actions.log"
MOVES_NAME = "moves.jsonl"
MAX_JOURNAL_BYTES = 64 * 1024 * 1024
COMPACT_OVER = 4 * 1024 * 1024
"""A journal larger than this is rewritten at start without the moves that are over with."""
log = logging.getLogger("difpy_tk")


class Outcome(str, Enum):
    OK = "ok"
    SKIPPED = "skipped"
    """Not attempted: the file changed or vanished since the search."""
    FAILED = "failed"


@dataclass(frozen=True)
class ActionResult:
    """What happened to one file; reason says why in plain words when it is not ok."""

    action: str
    """"open", "move", "trash", "delete" (permanent), "undo move" or "recover"."""
    source: str
    outcome: Outcome
    destination: str | None = None
    reason: str = ""
    trash_unavailable: bool = False
    """A trash failure where a permanent delete could still work, if the user agrees."""
    created_folders: tuple[str, ...] = ()
    """Folders a move keeping the folder structure created under its target, outermost
    first; undoing moves removes them again once they are empty."""
    op: str = ""
    """The move journal's id of a move (see MoveIntent): undo finds its evidence by it."""
    time: str = field(default_factory=now_iso)

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.OK

    def line(self) -> str:
        """One human-readable log line."""
        target = f" -> {self.destination}" if self.destination else ""
        why = f" ({self.reason})" if self.reason else ""
        return f"{self.time} {self.action} {self.outcome.value}: {self.source}{target}{why}"


@dataclass(frozen=True)
class Evidence:
    """What the moved file was: undo moves back only a file that still matches."""

    size: int
    mtime_ns: int
    digest: str
    """SHA-256 of the content, hex."""


@dataclass(frozen=True)
class MoveIntent:
    """One move (or the move back of an undo), written to the journal before it starts."""

    op: str
    kind: str
    """"move", or "undo" (moving a moved file back; undoes names the move)."""
    source: str
    destination: str
    partial: str
    """The copy's name across drives: hidden, random, created exclusively, so it is ours."""
    evidence: Evidence
    created_folders: tuple[str, ...] = ()
    undoes: str = ""
    copied: tuple[int, ...] = ()
    """(device, inode) of the complete partial copy, journalled before it is renamed to the
    destination: recovery removes a copy only when it is this very file."""
    pid: int = field(default_factory=os.getpid)
    started: int = field(default_factory=lambda: process_start(os.getpid()))
    """When process pid started (see process_start): tells it from a later process that
    got the same id, e.g. the app itself in a container that always gives it id 2."""
    run: str = field(default_factory=lambda: RUN_ID)
    """The run (app or CLI process) that journalled the move; empty in journals written
    before runs had ids, which are told apart by pid and started alone."""
    time: str = field(default_factory=now_iso)

    def run_key(self) -> tuple[int, int, str]:
        """What tells one run's moves from another's: RUN_ID, because outside Linux
        there is no start time and a later process may get an earlier one's id."""
        return self.pid, self.started, self.run


RUN_ID = secrets.token_hex(8)
"""This process's run id, random: written with each move it journals."""


def process_start(pid: int) -> int:
    """The start time of process pid in clock ticks since boot (Linux /proc); 0 where
    unknown (other systems, no such process)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stream:
            fields = stream.read().rsplit(b")", 1)[1].split()
        return int(fields[19])  # field 22 of stat; the first two (pid, name) are cut off
    except (OSError, IndexError, ValueError):
        return 0


class End(str, Enum):
    """How a journalled move ended."""

    DONE = "done"
    FAILED = "failed"
    """Nothing moved (the error was caught as it happened)."""
    ROLLED_BACK = "rolled back"
    """Interrupted, and at the next start put back as it was."""
    FINISHED = "finished"
    """Interrupted after the file was complete at its destination; completed at the next start."""
    UNRESOLVED = "unresolved"
    """Interrupted, and the files were not as the journal expected: left alone."""


MOVED = (End.DONE, End.FINISHED)
ENDINGS = frozenset(end.value for end in End)

_OP = re.compile(r"[0-9a-f]{16,64}\Z")
_HEX64 = re.compile(r"[0-9a-f]{64}\Z")
_ENTRY_START = b'{"event": "'
_LONGEST_LINE = 1024 * 1024
_RUN = re.compile(r"[0-9A-Za-z_-]{1,64}\Z")
"""A run id: this version writes 16 hex digits, a later one may write others."""
_LONGEST_NAME = 100


def _text(value: object, what: str) -> str:
    if not isinstance(value, str) or not value or "\x00" in value:
        raise DamagedFile(f"{what} is not a path or text: {value!r:.80}")
    return value


LARGEST_PID = 2**31 - 1
"""No system gives a larger process id; a larger one in the journal would overflow os.kill."""


def _number(value: object, what: str, largest: int | None = None) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise DamagedFile(f"{what} is not a number: {value!r:.80}")
    if largest is not None and value > largest:
        raise DamagedFile(f"{what} is out of range: {value!r:.80}")
    return value


def _run(value: object) -> str:
    if value == "" or (isinstance(value, str) and _RUN.match(value)):
        return value
    raise DamagedFile(f"a run id is not a short name: {value!r:.80}")


def _intent(line: dict) -> MoveIntent:
    evidence = line.get("evidence")
    folders = line.get("created_folders", [])
    if not isinstance(evidence, dict) or not isinstance(folders, list):
        raise DamagedFile("a move entry lacks its evidence")
    digest = evidence.get("digest")
    if not isinstance(digest, str) or not _HEX64.match(digest):
        raise DamagedFile(f"a digest is not SHA-256: {digest!r:.80}")
    kind = line.get("kind")
    if kind not in ("move", "undo"):
        raise DamagedFile(f"unknown kind of move: {kind!r:.80}")
    copied = line.get("copied", [])
    if not isinstance(copied, list) or len(copied) not in (0, 2):
        raise DamagedFile(f"a copy's identity is not a device and inode: {copied!r:.80}")
    undoes = line.get("undoes", "")
    if not isinstance(undoes, str) or (undoes and not _OP.match(undoes)):
        raise DamagedFile(f"an undo names no move: {undoes!r:.80}")
    return MoveIntent(
        op=line["op"],
        kind=kind,
        source=_text(line.get("source"), "a source"),
        destination=_text(line.get("destination"), "a destination"),
        partial=_text(line.get("partial"), "a partial name"),
        evidence=Evidence(
            _number(evidence.get("size"), "a size"), _number(evidence.get("mtime_ns"), "an mtime"), digest
        ),
        created_folders=tuple(_text(folder, "a folder") for folder in folders),
        undoes=undoes,
        copied=tuple(_number(number, "a device or inode") for number in copied),
        pid=_number(line.get("pid"), "a process id", LARGEST_PID),
        started=_number(line.get("started", 0), "a process start"),
        run=_run(line.get("run", "")),
        time=_text(line.get("time"), "a time"),
    )


def parse_moves(data: bytes) -> dict[str, tuple[MoveIntent, End | None]]:
    """Every journalled move by id: its latest intent and how it ended (None: unfinished).
    See read_moves, which also says what was skipped."""
    return read_moves(data)[0]


def read_moves(data: bytes) -> tuple[dict[str, tuple[MoveIntent, End | None]], set[str]]:
    """parse_moves, and the kinds of entries skipped as a later version's.

    A line cut short by a crash (the start of an entry, not valid JSON) is skipped, and so
    is an entry this version does not know (a later version's: another event, kind of
    move or end), with a log line: setting the journal aside for it would lose every
    earlier move's undo. Anything else that is not a journal line makes the whole
    journal DamagedFile."""
    moves: dict[str, tuple[MoveIntent, End | None]] = {}
    unknown: set[str] = set()
    skipped: set[str] = set()
    for raw in filter(None, data.split(b"\n")):
        try:
            line = json.loads(raw.decode("ascii"))
        except (UnicodeDecodeError, ValueError, RecursionError) as error:
            if raw.startswith(_ENTRY_START) and len(raw) < _LONGEST_LINE:
                continue
            raise DamagedFile(f"a line is not a journal entry ({error})") from error
        if not isinstance(line, dict) or not isinstance(line.get("op"), str) or not _OP.match(line["op"]):
            raise DamagedFile(f"a line is not a journal entry: {raw[:80]!r}")
        op, event = line["op"], line.get("event")
        if not isinstance(event, str) or len(event) > _LONGEST_NAME:
            raise DamagedFile(f"a line is not a journal entry: {raw[:80]!r}")
        if event == "begin" and line.get("kind") not in ("move", "undo") and _is_name(line.get("kind")):
            unknown.add(f"a move of kind {line['kind']}")
            skipped.add(op)
        elif event == "begin":
            moves[op] = (_intent(line), None)
        elif event == "end" and op in moves:
            ending = line.get("end")
            if ending in ENDINGS:
                moves[op] = (moves[op][0], End(ending))
            elif _is_name(ending):
                unknown.add(f"an end {ending}")
            else:
                raise DamagedFile(f"unknown end of a move: {ending!r:.80}")
        elif event == "end" and op in skipped:
            pass  # the end of a move of a kind skipped above
        elif event == "end":
            raise DamagedFile(f"a line is not a journal entry: {raw[:80]!r}")
        else:
            unknown.add(event)
    if unknown:
        log.info(
            "The move journal holds entries this version does not know (%s); skipped.", ", ".join(sorted(unknown))
        )
    return moves, unknown


def _is_name(value: object) -> bool:
    """A later version's name for something (a kind, an end): short text, no damage."""
    return isinstance(value, str) and 0 < len(value) <= _LONGEST_NAME and value.isprintable()


class JournalUnwritable(Exception):
    """A move's intent could not be journalled, so the move must not start: unjournalled,
    it could not be undone in a later run nor recovered after a crash."""


class Journal:
    """Appends each result to the log file, each move to the move journal, and remembers
    this session's moves for undo.

    Thread-safe: bulk actions run in a worker thread while the viewer reads lines."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path if path is not None else appdirs.data_dir() / LOG_NAME
        self.moves_path = self.path.with_name(MOVES_NAME)
        self.write_error: str | None = None
        """Why the log or journal could not be written, if it could not (the actions still run)."""
        self._lock = threading.Lock()
        self._results: list[ActionResult] = []
        self._undone: set[int] = set()
        self._intents: dict[str, MoveIntent] = {}

    def _append(self, path: Path, line: str) -> None:
        try:
            append_line(path, line)
        except OSError as error:
            self._note_write_error(f"cannot write {path}: {error.strerror or error}")

    def _note_write_error(self, message: str) -> None:
        """Each file that could not be written named once in write_error (the journal's
        end of a move as well as the log: a warning naming only the log hid the first)."""
        if self.write_error is None:
            self.write_error = message
        elif message not in self.write_error:
            self.write_error += f"; {message}"

    def take_write_error(self) -> str | None:
        """write_error, cleared: reported once, it does not stand beside later actions
        that wrote well (a review: the message stayed after space was freed)."""
        with self._lock:
            error, self.write_error = self.write_error, None
        return error

    def record(self, result: ActionResult) -> ActionResult:
        line = result.line()
        with self._lock:
            self._results.append(result)
            self._append(self.path, line)
        return result

    def _begin_line(self, intent: MoveIntent) -> str:
        return json.dumps({"event": "begin", **asdict(intent)})

    def _end_line(self, op: str, end: End) -> str:
        return json.dumps({"event": "end", "op": op, "end": end.value, "time": now_iso()})

    def begin(self, intent: MoveIntent) -> None:
        """Journal a move before it starts (again with the new name if its first name was
        taken); raises JournalUnwritable, in words for the user, when it cannot be written."""
        with self._lock:
            try:
                append_line(self.moves_path, self._begin_line(intent))
            except OSError as error:
                why = error.strerror or str(error)
                self._note_write_error(f"cannot write {self.moves_path}: {why}")
                raise JournalUnwritable(f"the journal {self.moves_path} cannot be written ({why})") from error
            self._intents[intent.op] = intent

    def end(self, op: str, end: End) -> None:
        with self._lock:
            self._append(self.moves_path, self._end_line(op, end))

    def intent(self, op: str) -> MoveIntent | None:
        """The latest intent of move op: this session's, else the journal file's."""
        with self._lock:
            known = self._intents.get(op)
        if known is not None:
            return known
        entry = self.moves().get(op)
        return entry[0] if entry else None

    def moves(self) -> dict[str, tuple[MoveIntent, End | None]]:
        """The journal file (see parse_moves); a damaged one is set aside and reads as empty."""
        with self._lock:
            return load_state(self.moves_path, parse_moves, limit=MAX_JOURNAL_BYTES) or {}

    def compact(self) -> bool:
        """Once the journal has grown past COMPACT_OVER, rewrite it with only what may
        still be needed: moves that can be undone and moves not finished. True if it was.

        The rewrite replaces the file only if it did not grow meanwhile (another run
        appending), so no line of a running move is dropped."""
        with self._lock:
            try:
                size = os.stat(self.moves_path).st_size
            except OSError:
                return False
            if size <= COMPACT_OVER:
                return False
            moves, unknown = load_state(self.moves_path, read_moves, limit=MAX_JOURNAL_BYTES) or ({}, set())
            if unknown:  # a rewrite would drop a later version's entries, which that version needs
                log.info("move journal not compacted: it holds entries of a later version")
                return False
            keep = {intent.op for intent in journalled_moves_of(moves)}
            keep |= {op for op, (_intent, end) in moves.items() if end is None}
            lines = []
            for op, (intent, end) in moves.items():
                if op not in keep:
                    continue
                lines.append(self._begin_line(intent))
                if end is not None:
                    lines.append(self._end_line(op, end))
            try:
                fd, temporary = tempfile.mkstemp(prefix=f".{MOVES_NAME}.", dir=self.moves_path.parent)
                with os.fdopen(fd, "w", encoding="ascii") as stream:
                    stream.write("".join(line + "\n" for line in lines))
                if os.stat(self.moves_path).st_size != size:
                    os.unlink(temporary)
                    return False
                os.replace(temporary, self.moves_path)
            except OSError as error:
                log.warning("could not compact the move journal %s: %s", self.moves_path, error.strerror or error)
                return False
        log.info("move journal compacted: %d of %d moves kept", len(keep), len(moves))
        return True

    def lines(self) -> list[str]:
        """This session's log lines, oldest first."""
        with self._lock:
            return [result.line() for result in self._results]

    def undoable_moves(self) -> list[tuple[int, ActionResult]]:
        """Successful moves of this session not yet undone, oldest first, with their ids."""
        with self._lock:
            return [
                (index, result)
                for index, result in enumerate(self._results)
                if result.action == "move" and result.ok and index not in self._undone
            ]

    def created_folders(self) -> set[str]:
        """Every folder this session's moves created (see ActionResult.created_folders)."""
        with self._lock:
            return {folder for result in self._results for folder in result.created_folders}

    def mark_undone(self, index: int) -> None:
        with self._lock:
            self._undone.add(index)


def journalled_moves(journal: Journal) -> list[MoveIntent]:
    """Moves of every run that are done and not undone, oldest first: what `difpy-tk undo` offers."""
    return journalled_moves_of(journal.moves())


def journalled_moves_of(moves: dict[str, tuple[MoveIntent, End | None]]) -> list[MoveIntent]:
    """journalled_moves of a parsed journal (see parse_moves)."""
    undone = {intent.undoes for intent, end in moves.values() if intent.kind == "undo" and end in MOVED}
    return [
        intent for op, (intent, end) in moves.items() if intent.kind == "move" and end in MOVED and op not in undone
    ]


def last_run_moves(moves: list[MoveIntent]) -> list[MoveIntent]:
    """Of journalled_moves, those of the latest run that has any left (see
    MoveIntent.run_key: in a container every run may get the same process id)."""
    if not moves:
        return []
    last = moves[-1].run_key()
    return [intent for intent in moves if intent.run_key() == last]


def earlier_run_moves(journal: Journal) -> list[MoveIntent]:
    """last_run_moves among the runs before this process whose moved files are still where
    they were moved to: what the app's menu offers to put back (this run's own moves are
    the viewer's Undo; a folder of moved copies emptied since is nothing to put back)."""
    earlier = [intent for intent in journalled_moves(journal) if intent.run != RUN_ID]
    return [intent for intent in last_run_moves(earlier) if os.path.lexists(intent.destination)]


_session: Journal | None = None
_session_lock = threading.Lock()


def session_journal() -> Journal:
    """The journal of this app run, shared by every viewer window so "Undo all" covers the
    whole session. Created on first use, so DIFPY_TK_HOME set by tests is honoured."""
    global _session
    with _session_lock:
        if _session is None:
            _session = Journal()
        return _session
