"""Turning matching pairs into the groups a person reviews.

Images are visited from the best (quality_key) down; an image not yet in a group claims
every matching image that is not in one either, and becomes their kept image. So every
image is in at most one group, each member matches the kept image itself (no chains),
and the kept image is the best of its group. An image whose every match was already
claimed by other groups (A~B, B~C, A≁C with A kept: C) forms no group; it is returned
as Chained with the member it matches most closely, so no match disappears. The
outcome depends only on the pairs and the file records, never on decode or search order."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from difpy_tk.scan.result import Chained, FileRecord, Group, Match, quality_key
from difpy_tk.scan.search import Matches


def clockwise_degrees(quarter_turns: int, member_is_second: bool) -> int:
    """Degrees the member must be turned clockwise to look like the kept image.

    Matches says rot90(second, k) ≈ first, and numpy's rot90 turns counter-clockwise."""
    turns = quarter_turns if member_is_second else -quarter_turns
    return (-turns % 4) * 90


def build_groups(
    records: Sequence[FileRecord],
    matches: Matches,
    element_count: int,
    folders: Sequence[str | None] | None = None,
    low_detail: Sequence[bool] | None = None,
) -> tuple[list[Group], list[Chained]]:
    """Groups sorted by the kept image's path, members by MSE, then path; and the
    chained images (matching only members of other groups), sorted by path. A group is
    low_detail when its kept image or any member is (low_detail per record): a plain sky
    matches a kite in that sky at a loose threshold, and only the sky is near-flat."""
    n = len(records)
    neighbours: list[list[tuple[int, int, int, bool]]] = [[] for _ in range(n)]
    for a, b, sse, turns in zip(
        matches.first.tolist(), matches.second.tolist(), matches.sse.tolist(), matches.quarter_turns.tolist()
    ):
        neighbours[a].append((b, sse, turns, True))
        neighbours[b].append((a, sse, turns, False))
    order = sorted((i for i in range(n) if neighbours[i]), key=lambda i: quality_key(records[i]))
    taken = np.zeros(n, dtype=bool)
    groups = []
    for kept in order:
        if taken[kept]:
            continue
        members = [
            Match(records[other].path, sse / element_count, clockwise_degrees(turns, other_is_second))
            for other, sse, turns, other_is_second in neighbours[kept]
            if not taken[other]
        ]
        if not members:
            continue  # all its matches are in groups already: it is chained (below)
        taken[kept] = True
        joined = [other for other, *_ in neighbours[kept] if not taken[other]]
        taken[joined] = True
        members.sort(key=lambda match: (match.mse, match.path))
        folder = folders[kept] if folders is not None else None
        flat = low_detail is not None and any(low_detail[index] for index in (kept, *joined))
        groups.append(Group(records[kept].path, tuple(members), folder, flat))
    groups.sort(key=lambda group: group.kept)
    chained = []
    for index in order:
        if not taken[index]:
            other, sse, turns, other_is_second = min(
                neighbours[index], key=lambda item: (item[1], records[item[0]].path)
            )
            rotation = clockwise_degrees(turns, not other_is_second)
            chained.append(Chained(records[index].path, records[other].path, sse / element_count, rotation))
    chained.sort(key=lambda item: item.path)
    return groups, chained
