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

from difpy_tk.scan.poses import Pose
from difpy_tk.scan.result import Chained, FileRecord, Group, Match, quality_key
from difpy_tk.scan.search import Matches


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
    for a, b, sse, pose in zip(
        matches.first.tolist(), matches.second.tolist(), matches.sse.tolist(), matches.poses.tolist()
    ):
        neighbours[a].append((b, sse, pose, True))
        neighbours[b].append((a, sse, pose, False))
    order = sorted((i for i in range(n) if neighbours[i]), key=lambda i: quality_key(records[i]))
    taken = np.zeros(n, dtype=bool)
    groups = []
    for kept in order:
        if taken[kept]:
            continue
        members = []
        for other, sse, pose, other_is_second in neighbours[kept]:
            if not taken[other]:
                posed = Pose.of_match(pose, other_is_second)
                members.append(Match(records[other].path, sse / element_count, posed.degrees, posed.mirrored))
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
            other, sse, pose, other_is_second = min(
                neighbours[index], key=lambda item: (item[1], records[item[0]].path)
            )
            posed = Pose.of_match(pose, not other_is_second)
            chained.append(
                Chained(records[index].path, records[other].path, sse / element_count, posed.degrees, posed.mirrored)
            )
    chained.sort(key=lambda item: item.path)
    return groups, chained
