"""The app's persisted settings: advanced search parameters, theme and the last wizard choices.

Stored as JSON in appdirs.config_dir(), so a portable build keeps them on its stick.
A damaged or hand-edited file must never stop the app from starting: a file that is not a
JSON object (garbage, deep nesting, huge, a FIFO or a folder) is set aside and the
defaults are used; a single value that cannot be used falls back to its default. Either
way the reason goes to the log."""

from __future__ import annotations

import json
import logging
from dataclasses import MISSING, asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from difpy_tk.humanize import plural
from difpy_tk.review.keeper import DEFAULT_ORDER, Criterion, KeeperRule, with_new_criteria
from difpy_tk.scan.options import OptionError, SearchOptions
from difpy_tk.state.appdirs import config_dir, say_once
from difpy_tk.state.safe_files import DamagedFile, load_state, parse_json, write_atomic

log = logging.getLogger("difpy_tk.settings")

SETTINGS_FILE = "settings.json"
THEMES = ("light", "dark")
WINDOW_SIDE = (200, 20_000)
"""The range of a remembered window side, at 96 DPI: anything else is not a window size."""
CACHE_LIMIT_MB = (50, 1_000_000)
"""The range of the cache size limit in (decimal) megabytes: 50 MB to 1 TB."""
OPTION_FIELDS = (
    "recursive",
    "exclude",
    "in_folder",
    "px_size",
    "similarity",
    "rotate",
    "mirror",
    "same_dim",
    "processes",
    "chunksize",
    "thorough",
)
"""Settings that are SearchOptions parameters of the same name; SearchOptions validates them."""

_OPTION_DEFAULTS = {option.name: option for option in fields(SearchOptions)}


def _option_default(name: str) -> Any:
    """The default of SearchOptions.<name>, so the app and the CLI start from the same values."""
    option = _OPTION_DEFAULTS[name]
    if option.default_factory is not MISSING:
        return field(default_factory=option.default_factory)
    return field(default=option.default)


@dataclass
class Settings:
    processes: int = _option_default("processes")
    chunksize: int | None = _option_default("chunksize")
    theme: str = "light"
    folders: list[str] = field(default_factory=list)
    recursive: bool = _option_default("recursive")
    exclude: list[str] = field(default_factory=list)
    """SearchOptions.exclude, kept as a list (JSON has no tuples)."""
    in_folder: bool = _option_default("in_folder")
    px_size: int = _option_default("px_size")
    similarity: str | float = _option_default("similarity")
    rotate: bool = _option_default("rotate")
    mirror: bool = _option_default("mirror")
    same_dim: bool = _option_default("same_dim")
    thorough: bool = _option_default("thorough")
    cache_limit_mb: int = 1000
    """The tensor cache's size limit: beyond it the least recently used images are dropped."""
    keeper_criteria: list[str] = field(default_factory=lambda: [criterion.value for criterion in DEFAULT_ORDER])
    """The viewer's keeper rule: which image of a group to keep, criteria in order."""
    keeper_folders: list[str] = field(default_factory=list)
    """The keeper rule's folder priority list, first preferred."""
    protected_folders: list[str] = field(default_factory=list)
    """Folders whose images the review never marks, moves or trashes (KeeperRule.protected)."""
    window_size: list[int] = field(default_factory=list)
    viewer_size: list[int] = field(default_factory=list)
    """The main window's and the Image Viewer's size when they were last closed, [width,
    height] at 96 DPI (gui.widgets.size_to_remember); empty: the default size."""

    def keeper_rule(self) -> KeeperRule:
        return KeeperRule.from_settings(with_new_criteria(self.keeper_criteria), self.keeper_folders,
                                        self.protected_folders)

    def search_options(self) -> SearchOptions:
        """The search these settings describe; raises OptionError like SearchOptions does."""
        parameters = {name: getattr(self, name) for name in OPTION_FIELDS}
        return SearchOptions(inputs=tuple(self.folders), **parameters)


DEFAULTS_MEAN = ("Your protected folders, Leave out list and keeper order are back to the defaults until you set "
                 "them again: check Settings › Protected before cleaning up.")
"""Said with the notice of a settings file that cannot be used: what a clean-up relies on."""


def settings_path() -> Path:
    return config_dir() / SETTINGS_FILE


def validate_setting(name: str, value: object) -> None:
    """Raise OptionError when `value` cannot be stored as setting `name`.

    Search parameters are checked by SearchOptions itself, so the rules live in one place."""
    if name == "theme":
        if value not in THEMES:
            raise OptionError(name, f"expected one of {', '.join(THEMES)}, got {value!r}")
    elif name in ("folders", "keeper_folders", "protected_folders"):
        if not (isinstance(value, list) and all(isinstance(item, str) for item in value)):
            raise OptionError(name, "expected a list of folder paths")
    elif name in ("window_size", "viewer_size"):
        low, high = WINDOW_SIDE
        sides = value if isinstance(value, list) else [None]
        if value != [] and not (len(sides) == 2 and all(type(side) is int and low <= side <= high for side in sides)):
            raise OptionError(name, f"expected [width, height] from {low} to {high:,} pixels, got {value!r}")
    elif name == "cache_limit_mb":
        low, high = CACHE_LIMIT_MB
        if type(value) is not int or not low <= value <= high:
            raise OptionError(name, f"expected a whole number of megabytes from {low:,} to {high:,}, got {value!r}")
    elif name == "keeper_criteria":
        known = [criterion.value for criterion in Criterion]
        if not (isinstance(value, list) and all(item in known for item in value) and len(set(value)) == len(value)):
            raise OptionError(name, f"expected a list of distinct criteria from {', '.join(known)}")
    else:
        SearchOptions(inputs=(".",), **{name: value})


def _parse_object(data: bytes) -> dict:
    raw = parse_json(data)
    if not isinstance(raw, dict):
        raise DamagedFile("it does not hold a JSON object")
    return raw


LISTS_KEPT_ITEM_BY_ITEM = ("exclude", "protected_folders", "keeper_folders", "folders")
"""Lists whose unusable items are dropped one by one: one entry an older version took
("Phone/@eaDir") dropped a whole Leave-out list, and the next save wrote it empty."""


def _usable_items(name: str, items: list, path: Path, ignored: list[str]) -> list:
    usable = []
    for item in items:
        try:
            validate_setting(name, [item])
        except (OptionError, TypeError, ValueError) as exc:
            log.warning("settings file %s: ignoring %.80r in %s (%s)", path, item, name, exc)
            ignored.append(f"{item!r:.40} in {name.replace('_', ' ')}")
        else:
            usable.append(item)
    return usable


def load_settings(path: Path | None = None) -> Settings:
    """The stored settings; a missing file gives the defaults, an unusable one is set aside."""
    path = path or settings_path()
    raw = load_state(path, _parse_object, lost=DEFAULTS_MEAN)
    if raw is None:
        return Settings()
    usable: dict = {}
    ignored: list[str] = []
    for setting in fields(Settings):
        if setting.name not in raw:
            continue
        value = raw[setting.name]
        if setting.name in LISTS_KEPT_ITEM_BY_ITEM and isinstance(value, list):
            value = _usable_items(setting.name, value, path, ignored)
        try:
            validate_setting(setting.name, value)
        except (OptionError, TypeError, ValueError) as exc:
            log.warning("settings file %s: ignoring %s=%.80r (%s)", path, setting.name, value, exc)
            ignored.append(setting.name.replace("_", " "))
        else:
            usable[setting.name] = value
    if ignored:  # said, not only logged: a theme or keeper order quietly back to its default looks forgotten
        say_once("settings values", path, f"{path.name} holds {plural(len(ignored), 'value')} difpy_tk cannot use "
                 f"({', '.join(ignored)}): {'its default applies' if len(ignored) == 1 else 'their defaults apply'}.")
    return replace(Settings(), **usable)


def save_settings(settings: Settings, path: Path | None = None) -> None:
    """Write atomically, so a crash mid-write leaves the previous file, not half of one."""
    path = path or settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps(asdict(settings), indent=2))
