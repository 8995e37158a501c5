"""Saving, loading and describing a SearchResult.

The JSON holds difPy 4.2.1's `result`, `lower_quality` and `stats` with the same keys,
so scripts written for difPy read it (its number and timestamp formats, and its file
names: relative below a relative input folder), plus our richer form (groups with MSE and rotation,
file sizes and resolutions, invalid and skipped files with reasons, phase timings),
which is what load_json reads back. Files are written to a temporary name and renamed,
so an interrupted export never leaves half a file behind. File names that are not valid
UTF-8 round-trip through the JSON; in the CSV they show as escapes, and no cell can be
run as a formula by a spreadsheet."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import os
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from difpy_tk.humanize import display_path, plural
from difpy_tk.scan.poses import Pose
from difpy_tk.scan.result import Chained, FileRecord, Group, Match, Problem, SearchResult, Verification
from difpy_tk.state.safe_files import write_atomic

FORMAT_NAME = "difpy_tk-result"
FORMAT_VERSION = 3
"""Bumped when a reader of the previous version cannot take what this one writes, so it
says "saved by a newer version" instead of "damaged". 2: files[].frames. 3: a match or
chained image found mirrored ("mirrored": true), which a version-2 reader would take for
an unmirrored one; a result without one is still written as version 2 (written_version)."""


def written_version(result: SearchResult) -> int:
    """The oldest format that holds the result, so older versions of the app still open
    every result that needs nothing newer."""
    items = [*(match for group in result.groups for match in group.matches), *result.chained]
    return FORMAT_VERSION if any(item.mirrored for item in items) else 2


def _difpy_time(iso: str, seconds: float = 0.0) -> str:
    """difPy's timestamp: datetime.now().isoformat() with microseconds, local time, no
    offset ("2026-12-02T11:11:49.888361"); ours carry the offset."""
    moment = datetime.fromisoformat(iso).astimezone() + timedelta(seconds=seconds)
    return moment.replace(tzinfo=None).isoformat(timespec="microseconds")


def _difpy_number(value: float | int | None) -> float | int | None:
    """difPy writes a whole threshold as an int (0, 5) and a fraction as a float (0.3)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _difpy_path(p: dict) -> Callable[[str], str]:
    """difPy names files as its glob finds them: below a relative input, relative. We
    list absolute paths; this turns them back into the input's spelling."""
    relative = [
        (typed, resolved)
        for typed, resolved in zip(p.get("directory", []), p.get("directory_resolved", []))
        if not os.path.isabs(os.path.expanduser(typed))
    ]
    relative.sort(key=lambda pair: len(pair[1]), reverse=True)

    def spelled(path: str) -> str:
        for typed, resolved in relative:
            if path == resolved:
                return typed
            if path.startswith(resolved.rstrip(os.sep) + os.sep):
                return os.path.join(typed, os.path.relpath(path, resolved))
        return path

    return spelled


def _difpy_result(result: SearchResult, spelled: Callable[[str], str]) -> dict:
    def entries(group: Group) -> list:
        return [[spelled(match.path), match.mse] for match in group.matches]

    if not result.parameters.get("in_folder"):
        return {spelled(group.kept): entries(group) for group in result.groups}
    nested: dict[str, dict] = {}
    for group in result.groups:
        nested.setdefault(spelled(group.folder or ""), {})[spelled(group.kept)] = entries(group)
    return nested


def _difpy_stats(result: SearchResult, spelled: Callable[[str], str]) -> dict:
    p = result.parameters
    build_seconds = result.timings.get("listing", 0.0) + result.timings.get("decoding", 0.0)
    search_seconds = sum(result.timings.values()) - build_seconds
    # What the user's list left out is no invalid file (difPy has no such list).
    problems = {spelled(problem.path): problem.reason for problem in result.invalid + result.skipped
                if not problem.left_out}
    return {
        "directory": p.get("directory", []),
        "total_files": result.files_searched + len(problems),
        "invalid_files": {"count": len(problems), "logs": problems},
        "process": {
            "build": {
                "duration": {
                    "start": _difpy_time(result.started),
                    "end": _difpy_time(result.started, build_seconds),
                    "seconds_elapsed": round(build_seconds, 4),
                },
                "parameters": {
                    key: p.get(key) for key in ("recursive", "in_folder", "limit_extensions", "px_size", "processes")
                },
            },
            "search": {
                "duration": {
                    "start": _difpy_time(result.started, build_seconds),
                    # From the start and the timings too: "finished" is in whole seconds and
                    # would come before a start with microseconds.
                    "end": _difpy_time(result.started, build_seconds + search_seconds),
                    "seconds_elapsed": round(search_seconds, 4),
                },
                "parameters": {
                    "similarity_mse": _difpy_number(p.get("similarity_mse")),
                    **{key: p.get(key) for key in ("rotate", "same_dim", "processes", "chunksize")},
                },
                "files_searched": result.files_searched,
                "matches_found": {"duplicates": result.duplicate_count, "similar": result.similar_count},
            },
        },
    }


def to_dict(result: SearchResult) -> dict:
    spelled = _difpy_path(result.parameters)
    return {
        "format": FORMAT_NAME,
        "format_version": written_version(result),
        "result": _difpy_result(result, spelled),
        "lower_quality": [spelled(path) for path in result.lower_quality],
        "stats": _difpy_stats(result, spelled),
        "parameters": result.parameters,
        "started": result.started,
        "finished": result.finished,
        "timings": result.timings,
        "cache_hits": result.cache_hits,
        "groups": [
            {
                "kept": group.kept,
                "folder": group.folder,
                "kind": "duplicate" if group.is_duplicate else "similar",
                "low_detail": group.low_detail,
                "matches": [
                    {"path": m.path, "mse": m.mse, "rotation": m.rotation, "mirrored": m.mirrored}
                    for m in group.matches
                ],
            }
            for group in result.groups
        ],
        "verification": dataclasses.asdict(result.verification),
        "chained": [
            {"path": c.path, "other": c.other, "mse": c.mse, "rotation": c.rotation, "mirrored": c.mirrored}
            for c in result.chained
        ],
        "files": {
            path: {
                "size": r.size,
                "mtime_ns": r.mtime_ns,
                "width": r.width,
                "height": r.height,
                "frames": r.frames,
                "ctime_ns": r.ctime_ns,
                "inode": r.inode,
            }
            for path, r in result.files.items()
        },
        "invalid": [{"path": p.path, "reason": p.reason} for p in result.invalid],
        "skipped": [{"path": p.path, "reason": p.reason, **({"folder": True} if p.folder else {}),
                     **({"left_out": True} if p.left_out else {})} for p in result.skipped],
        "links": {path: list(names) for path, names in result.links.items()},
    }


NUMBER = (int, float)
ROTATIONS = (0, 90, 180, 270)


def _typed(value: object, kind: type | tuple[type, ...], what: str) -> Any:
    """value when it is of kind (a bool is no number here), else a ValueError naming what:
    a saved result is untrusted input, and a wrong type must not surface later as a crash."""
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise ValueError(f"{what} should be {_KIND_NAMES.get(kind, 'something else')}, not {value!r:.60}")
    return value


_KIND_NAMES = {
    str: "a text",
    int: "a whole number",
    NUMBER: "a number",
    bool: "true or false",
    dict: "an object",
    list: "a list",
}


def _record(path: str, fields: object) -> FileRecord:
    fields = _typed(fields, dict, f"the entry of {path}")
    numbers = {
        name: _typed(fields[name], int, f"the {name} of {path}") for name in ("size", "mtime_ns", "width", "height")
    }
    return FileRecord(
        path,
        **numbers,
        frames=_typed(fields.get("frames", 1), int, f"the frames of {path}"),
        ctime_ns=_typed(fields.get("ctime_ns", 0), int, f"the ctime of {path}"),
        inode=_typed(fields.get("inode", 0), int, f"the file number of {path}"),
    )


def _member(path: object, files: dict[str, FileRecord], seen: set[str]) -> str:
    path = _typed(path, str, "an image of a group")
    if path not in files:
        raise ValueError(f"{path} is in a group but not among the files")
    if path in seen:
        raise ValueError(f"{path} is listed twice among the groups")
    seen.add(path)
    return path


def _match(m: object, files: dict[str, FileRecord], seen: set[str]) -> Match:
    m = _typed(m, dict, "a match")
    return Match(_member(m.get("path"), files, seen), float(_typed(m["mse"], NUMBER, "an MSE")), *_pose(m))


def _pose(item: dict) -> tuple[int, bool]:
    """(rotation, mirrored) of a match or chained image; results saved before mirrored
    copies were searched for have no "mirrored"."""
    return _rotation(item.get("rotation", 0)), _typed(item.get("mirrored", False), bool, "a match's mirrored")


def _rotation(value: object) -> int:
    rotation = _typed(value, int, "a rotation")
    if rotation not in ROTATIONS:
        raise ValueError(f"a rotation is not one of {ROTATIONS}: {rotation}")
    return rotation


def _chained(c: object, files: dict[str, FileRecord]) -> Chained:
    c = _typed(c, dict, "a chained image")
    path, other = _typed(c["path"], str, "a chained image"), _typed(c["other"], str, "the image a chained one matches")
    for name in (path, other):
        if name not in files:
            raise ValueError(f"{name} is chained to a group but not among the files")
    return Chained(path, other, float(_typed(c["mse"], NUMBER, "an MSE")), *_pose(c))


def _problems(items: object, what: str) -> list[Problem]:
    return [
        Problem(_typed(p["path"], str, f"a path of the {what} files"), _typed(p["reason"], str, "a reason"),
                _typed(p.get("folder", False), bool, "true or false"), _typed(p.get("left_out", False), bool,
                                                                              "true or false"))
        for p in _typed(items, list, f"the {what} files")
    ]


def from_dict(data: dict) -> SearchResult:
    """Raises ValueError with a plain message for a file that is not one of our results,
    or one whose parts are not what we write (each image in one group at most, every
    group member among the files), so a review never acts on a hand-edited mix-up."""
    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
        raise ValueError("this file is not a difpy_tk search result")
    version = data.get("format_version", 0)
    if not isinstance(version, int) or isinstance(version, bool):
        raise ValueError("this result file is damaged (its format_version is not a number)")
    if version > FORMAT_VERSION:
        raise ValueError("this result was saved by a newer version of difpy_tk")
    try:
        files = {
            _typed(path, str, "a file name"): _record(path, fields)
            for path, fields in _typed(data["files"], dict, "the files").items()
        }
        seen: set[str] = set()
        groups = []
        for g in _typed(data["groups"], list, "the groups"):
            g = _typed(g, dict, "a group")
            kept = _member(g["kept"], files, seen)
            matches = tuple(_match(m, files, seen) for m in _typed(g["matches"], list, "the matches of a group"))
            folder = g.get("folder")
            groups.append(
                Group(
                    kept,
                    matches,
                    None if folder is None else _typed(folder, str, "a group's folder"),
                    _typed(g.get("low_detail", False), bool, "a low_detail flag"),
                )
            )
        parameters = _typed(data["parameters"], dict, "the parameters")
        for name in ("directory", "directory_resolved"):  # a review moves files by them
            for folder in _typed(parameters.get(name, []), list, f"the searched folders ({name})"):
                _typed(folder, str, "a searched folder")
        return SearchResult(
            parameters=parameters,
            files=files,
            groups=groups,
            invalid=_problems(data["invalid"], "invalid"),
            skipped=_problems(data["skipped"], "skipped"),
            timings={
                k: float(_typed(v, NUMBER, "a timing")) for k, v in _typed(data["timings"], dict, "the timings").items()
            },
            started=_typed(data["started"], str, "the start time"),
            finished=_typed(data["finished"], str, "the end time"),
            cache_hits=_typed(data.get("cache_hits", 0), int, "the cache hits"),
            verification=Verification(**_typed(data.get("verification", {}), dict, "the verification")),
            chained=[_chained(c, files) for c in _typed(data.get("chained", []), list, "the chained images")],
            links={
                _typed(path, str, "a linked file"): tuple(
                    _typed(name, str, "a link") for name in _typed(names, list, "links")
                )
                for path, names in _typed(data.get("links", {}), dict, "the links").items()
            },
        )
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"the result file is incomplete or damaged ({error})") from error


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def write_json(result: SearchResult, path: str | os.PathLike) -> None:
    """Readable UTF-8 JSON; a name that is not valid UTF-8 is written as the JSON escape of
    the surrogate Python keeps for each of its bytes ("\\udcff"), so load_json gives back
    exactly the name the OS gave."""
    text = json.dumps(to_dict(result), indent=1, ensure_ascii=False)
    write_atomic(path, _LONE_SURROGATE.sub(lambda found: f"\\u{ord(found[0]):04x}", text))


def load_json(path: str | os.PathLike) -> SearchResult:
    try:
        with open(path, encoding="utf-8") as stream:
            data = json.load(stream)
    except json.JSONDecodeError as error:
        raise ValueError(f"the result file is not valid JSON ({error})") from error
    return from_dict(data)


CSV_COLUMNS = [
    "group",
    "role",
    "path",
    "folder",
    "name",
    "mse",
    "rotation",
    "width",
    "height",
    "frames",
    "bytes",
    "modified",
    "low_detail",
    "compared_with",
    "mirrored",
]
"""role is kept, match or chained (an image that matches a group member, named in
compared_with, but not the kept image); mse, rotation and mirrored are measured against
compared_with (the image mirrored left to right when "yes", then turned clockwise by
rotation degrees; mirrored comes last, so the columns before it stay where they were);
frames counts the file's frames or pages (only the first was compared);
low_detail is "yes" for every row of a group whose kept image or a member is near-flat."""


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""What makes a spreadsheet run a cell as a formula (CSV injection, e.g. =HYPERLINK(…))."""


def csv_cell(text: str) -> str:
    """A file name or path as a CSV cell: shown as text, never run as a formula (a leading
    apostrophe, which spreadsheets hide), bytes that are not UTF-8 as \\xff escapes."""
    text = display_path(text)
    return f"'{text}" if text.startswith(FORMULA_START) else text


def write_csv(result: SearchResult, path: str | os.PathLike) -> None:
    """One row per image of every group, each group followed by its chained images (those
    matching one of its members but not its kept image, numbered with it); UTF-8 with a
    BOM so spreadsheets show names right."""
    stream = io.StringIO(newline="")
    writer = csv.writer(stream)
    writer.writerow(CSV_COLUMNS)
    chained_to: dict[str, list] = {}
    for item in result.chained:
        chained_to.setdefault(item.other, []).append(item)
    rows = []
    for number, group in enumerate(result.groups, start=1):
        flag = "yes" if group.low_detail else "no"
        rows.append((number, "kept", group.kept, 0.0, Pose(), flag, ""))
        rows.extend((number, "match", m.path, m.mse, m.pose, flag, group.kept) for m in group.matches)
        for member in group.paths:
            rows.extend(
                (number, "chained", item.path, item.mse, item.pose, flag, item.other)
                for item in chained_to.pop(member, [])
            )
    for items in chained_to.values():  # matching no group's member: none the search makes
        rows.extend(("", "chained", item.path, item.mse, item.pose, "", item.other) for item in items)
    for number, role, file_path, mse, pose, flag, other in rows:
        record = result.files.get(file_path)
        modified = datetime.fromtimestamp(record.mtime).isoformat(timespec="seconds") if record else ""
        writer.writerow(
            [
                number,
                role,
                csv_cell(file_path),
                csv_cell(os.path.dirname(file_path)),
                csv_cell(os.path.basename(file_path)),
                f"{mse:.4f}",
                pose.degrees,
                record.width if record else "",
                record.height if record else "",
                record.frames if record else "",
                record.size if record else "",
                modified,
                flag,
                csv_cell(other),
                "yes" if pose.mirrored else "no",
            ]
        )
    write_atomic(path, stream.getvalue().encode("utf-8-sig"))


PHASE_WORDS = {
    "listing": "finding the files",
    "decoding": "reading the images",
    "searching": "comparing",
    "verifying": "checking close matches in full",
}
"""The search's phases (SearchResult.timings keys, as in the JSON) in the log's words."""


def remembered(result: SearchResult) -> str:
    """How many files the cache had, of every file read (those that failed too: "18 images
    remembered" stood beside "17 Files searched" when one was remembered as unreadable)."""
    read = result.files_searched + len(result.invalid)
    return f"{result.cache_hits:,} of {plural(read, 'file')} remembered from earlier searches"


def format_log(result: SearchResult) -> str:
    """The search log as a person reads it: what was asked, how long it took, and every
    file that was not searched, with the reason."""
    p = result.parameters
    lines = [
        f"Search started {result.started}, finished {result.finished}",
        "Folders: " + "; ".join(p.get("directory", [])),
        (
            f"Parameters: similarity={p.get('similarity')} (MSE <= {p.get('similarity_mse')}), "
            f"rotate={p.get('rotate')}, mirror={p.get('mirror', False)}, same_dim={p.get('same_dim')}, "
            f"recursive={p.get('recursive')}, "
            f"in_folder={p.get('in_folder')}, px_size={p.get('px_size')}, processes={p.get('processes')}, "
            f"chunksize={p.get('chunksize') or 'auto'}, cache={'on' if p.get('use_cache') else 'off'}"
            + (f", left out: {'; '.join(p['exclude'])}" if p.get("exclude") else "")
        ),
        "Time taken: "
        + ", ".join(f"{PHASE_WORDS.get(phase, phase)} {seconds:.2f} s" for phase, seconds in result.timings.items()),
        f"Images searched: {result.files_searched} ({remembered(result)})",
        f"Groups: {len(result.groups)}; duplicate matches: {result.duplicate_count}; "
        f"similar matches: {result.similar_count}",
        "How the matches were decided: " + result.verification.summary(),
        f"Chained images (match a group member but not its kept image; in no group): {len(result.chained)}",
        *(f"  CHAINED {c.path} ~ {c.other} (MSE {c.mse:.4f})" for c in result.chained),
        f"Invalid files: {len(result.invalid)}",
        *(f"  INVALID {problem.path}: {problem.reason}" for problem in result.invalid),
        f"Skipped: {plural(result.skipped_kinds[0], 'file')}, "
        f"{plural(result.skipped_kinds[1], 'folder')}, {result.left_out} left out by your list",
        *(f"  SKIPPED {problem.path}: {problem.reason}" for problem in result.skipped),
    ]
    return "\n".join(lines) + "\n"
