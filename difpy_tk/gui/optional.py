"""Pieces of the app that another package provides and that may be absent from a build.

The image viewer (difpy_tk.gui.viewer) is developed separately; the results screen and
the settings dialog use it when it is there and say so plainly when it is not."""

from __future__ import annotations

import importlib
from typing import Any

VIEWER_PACKAGE = "difpy_tk.gui.viewer"


def viewer_part(module: str, name: str) -> Any | None:
    """`name` from the viewer package's `module`, or None when the viewer does not provide it.

    Only the viewer's own absence counts: an import error raised from inside the viewer
    (a missing dependency, a bug) propagates and is reported like any other error."""
    try:
        return getattr(importlib.import_module(module), name)
    except ImportError as exc:
        if (exc.name or "").startswith(VIEWER_PACKAGE):
            return None
        raise
    except AttributeError:
        return None
