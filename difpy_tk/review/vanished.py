"""The images of a search result no longer where the search found them (moved or trashed
by an earlier review, or by the user), and the result as it stands without them.

A saved result opened again must count what is there: its results screen counted the
files a review had since trashed, while the viewer, which leaves them out of its groups
(ReviewSession.leave_out_vanished), showed fewer. Both now count with still_there's rules."""

from __future__ import annotations

import os
from collections.abc import Collection
from dataclasses import replace

from difpy_tk.humanize import plural
from difpy_tk.scan.poses import Pose
from difpy_tk.scan.result import Match, SearchResult


def find_vanished(result: SearchResult) -> list[str]:
    """The group members no longer where the search found them. Looks at every file, so a
    view runs it off its UI thread (a network drive takes a while); it changes nothing. A
    file that cannot be looked at (a share offline) has not vanished."""
    vanished = []
    for group in result.groups:
        for path in group.paths:
            try:
                os.lstat(path)
            except (FileNotFoundError, NotADirectoryError):
                vanished.append(path)
            except OSError:
                pass
    return vanished


def still_there(result: SearchResult, vanished: Collection[str]) -> SearchResult:
    """A copy of result whose groups hold only the images still there, as the viewer shows
    them: a group down to one image leaves; a group whose kept image is gone is led by the
    image matched closest to it (first in the viewer's order), and the others keep their
    error to the image gone, which is what the viewer shows of them, with their pose
    against the new leader (the keeper's orientation criterion compares poses: one left
    against the image gone chose another keeper than the viewer). Chained images gone
    leave too. The files searched stay: how many the search compared."""
    gone = set(vanished)
    if not gone:
        return result
    groups = []
    for group in result.groups:
        matches = [match for match in group.matches if match.path not in gone]
        kept = group.kept
        if kept in gone and matches:
            leader = min(matches, key=lambda match: (match.mse, match.path))
            kept = leader.path
            matches.remove(leader)
            matches = [_posed_against(match, leader.pose) for match in matches]
        if matches:
            groups.append(replace(group, kept=kept, matches=tuple(matches)))
    chained = [item for item in result.chained if item.path not in gone]
    return replace(result, groups=groups, chained=chained)


def vanished_notice(count: int, left_out_of: str) -> str:
    """What a view says when images of its result are gone ("" if none): "2 images of
    this result are no longer where the search found them (…): left out of the groups"."""
    if not count:
        return ""
    one = count == 1
    where = f"no longer where the search found {'it' if one else 'them'} (moved, renamed or deleted since)"
    return f"{plural(count, 'image')} of this result {'is' if one else 'are'} {where}: left out of {left_out_of}."


def _posed_against(match: Match, leader: Pose) -> Match:
    """match, whose pose is against the image gone, posed against the leader instead."""
    pose = match.pose.then(leader.inverse())
    return replace(match, rotation=pose.degrees, mirrored=pose.mirrored)
