"""Marking rules: which images of one group a rule marks, relative to its keeper.

Rules only mark; acting on marks is a separate, confirmed step. Each rule compares a
member with the group's keeper and never marks the keeper itself, so no rule can mark a
whole group (czkawka K#317). "Lower resolution" means strictly fewer pixels: in a group
whose images share one resolution it marks nothing (the old "delete all lower-resolution
matches" deleted every copy whatever its size)."""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum

from difpy_tk.humanize import plural
from difpy_tk.review.locations import is_inside
from difpy_tk.scan.result import FileRecord


class MarkRule(str, Enum):
    LOWER_RESOLUTION = "lower resolution"
    SMALLER_FILE = "smaller file"
    OLDER = "older"
    NEWER = "newer"
    IN_FOLDER = "in folder"
    ALL_BUT_KEEPER = "all but keeper"

    @property
    def label(self) -> str:
        """The menu entry: "Mark images with a lower resolution than the keeper"."""
        return {
            MarkRule.LOWER_RESOLUTION: "Mark images with a lower resolution than the keeper",
            MarkRule.SMALLER_FILE: "Mark images whose file is smaller than the keeper's",
            MarkRule.OLDER: "Mark images older than the keeper",
            MarkRule.NEWER: "Mark images newer than the keeper",
            MarkRule.IN_FOLDER: "Mark images in a folder…",
            MarkRule.ALL_BUT_KEEPER: "Mark all but the keeper",
        }[self]


def as_large_note(count: int, all_but_keeper: str) -> str:
    """After "lower resolution": where the copies it leaves are (ReviewSession.as_large_as_kept),
    with all_but_keeper the way to mark them in the caller's words (a menu entry, an option)."""
    if not count:
        return ""
    hold = "holds" if count == 1 else "hold"
    left = f"{plural(count, 'group')} {hold} copies as large as the keeper, left by this rule"
    return f" {left}: {all_but_keeper} marks them."


def rule_marks(
    rule: MarkRule, keeper: FileRecord, members: Sequence[FileRecord], folder: str | None = None
) -> list[str]:
    """The paths of members (the keeper may be among them) the rule marks.

    folder is required by IN_FOLDER (images inside it or its sub-folders)."""
    others = [record for record in members if record.path != keeper.path]
    if rule is MarkRule.LOWER_RESOLUTION:
        return [r.path for r in others if r.pixels < keeper.pixels]
    if rule is MarkRule.SMALLER_FILE:
        return [r.path for r in others if r.size < keeper.size]
    if rule is MarkRule.OLDER:
        return [r.path for r in others if r.mtime_ns < keeper.mtime_ns]
    if rule is MarkRule.NEWER:
        return [r.path for r in others if r.mtime_ns > keeper.mtime_ns]
    if rule is MarkRule.IN_FOLDER:
        if folder is None:
            raise ValueError("the 'in folder' rule needs a folder")
        return [r.path for r in others if is_inside(r.path, folder)]
    return [r.path for r in others]
