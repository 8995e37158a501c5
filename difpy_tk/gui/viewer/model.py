"""What the viewer shows, kept apart from the widgets so it can be tested without Tk.

The SearchResult stays as the search produced it; the model adds what happened since:
files moved or deleted (gone from their group until an undo), failures to show on
their cards, and groups or pairs the user hid as "not a duplicate"."""

from __future__ import annotations

from collections.abc import Iterable

from difpy_tk.review.journal import ActionResult, Outcome
from difpy_tk.scan.result import FileRecord, Group, Match, SearchResult, quality_key

KINDS = ("all", "duplicates", "similar")


class ViewerModel:
    def __init__(self, result: SearchResult) -> None:
        self.result = result
        self.kind = "all"
        self.gone: dict[str, str] = {}
        """Path -> where it went ("moved to …", "in the Trash")."""
        self.failures: dict[str, str] = {}
        """Path -> why the last action on it did not happen."""
        self.hidden_groups: set[int] = set()
        self.hidden_matches: set[str] = set()
        self._group_of = {path: number for number, group in enumerate(result.groups) for path in group.paths}
        self._matches = {match.path: match for group in result.groups for match in group.matches}

    @property
    def files(self) -> dict[str, FileRecord]:
        return self.result.files

    def group(self, number: int) -> Group:
        return self.result.groups[number]

    def group_of(self, path: str) -> int | None:
        return self._group_of.get(path)

    def match(self, path: str) -> Match | None:
        """The member's match to its kept image; None for a kept image."""
        return self._matches.get(path)

    def badge(self, path: str) -> str:
        """What a card and a preview say about the image: why it is kept, or how close it
        is to the kept image and whether it matched turned."""
        match = self.match(path)
        if match is None:
            number = self.group_of(path)
            return "KEPT" if number is None else f"KEPT ({self.kept_reason(number)})"
        turned = f", turned {match.rotation}°" if match.rotation else ""
        return f"MSE {match.mse:.2f} to kept{turned}" if match.mse else f"identical to kept{turned}"

    def kept_reason(self, number: int) -> str:
        """Which rule of quality_key chose the kept image over the next best one (most
        pixels, larger file, older, path). Copies often share a resolution, and then the
        badge must not claim a higher one."""
        group = self.group(number)
        kept = self.files[group.kept]
        others = [self.files[match.path] for match in group.matches if match.path in self.files]
        if not others:
            return "highest resolution"
        runner_up = min(others, key=quality_key)
        if kept.pixels != runner_up.pixels:
            return "highest resolution"
        if kept.size != runner_up.size:
            return "largest file"
        if kept.mtime_ns != runner_up.mtime_ns:
            return "oldest file"
        return "first by path"

    def visible_groups(self) -> list[int]:
        """Group numbers the list shows: of the chosen kind and not hidden."""
        wanted = {"all": None, "duplicates": True, "similar": False}[self.kind]
        return [
            number
            for number, group in enumerate(self.result.groups)
            if number not in self.hidden_groups and (wanted is None or group.is_duplicate == wanted)
        ]

    def members(self, number: int) -> list[str]:
        """The group's images still in place and not hidden: kept first, then by MSE."""
        group = self.result.groups[number]
        matches = sorted(group.matches, key=lambda match: (match.mse, match.path))
        paths = [group.kept, *(match.path for match in matches)]
        return [path for path in paths if path not in self.gone and path not in self.hidden_matches]

    def apply(self, results: Iterable[ActionResult]) -> set[int]:
        """Take action outcomes into the view; returns the group numbers that changed.

        Only a success removes a file from its group; a failure or skip leaves it there
        with its reason, so nothing disappears from view without having happened."""
        changed: set[int] = set()
        for result in results:
            if result.action == "undo move":
                path = result.destination or ""
                if result.ok:
                    self.gone.pop(path, None)
                    self.failures.pop(path, None)
            else:
                path = result.source
                if result.ok and result.action != "open":
                    self.gone[path] = {
                        "move": f"moved to {result.destination}",
                        "trash": "in the Trash",
                        "delete": "deleted permanently",
                    }[result.action]
                    self.failures.pop(path, None)
                elif result.ok:
                    self.failures.pop(path, None)
                else:
                    verdict = "Skipped" if result.outcome is Outcome.SKIPPED else f"{result.action.capitalize()} failed"
                    self.failures[path] = f"{verdict}: {result.reason}"
            number = self._group_of.get(path)
            if number is not None:
                changed.add(number)
        return changed
