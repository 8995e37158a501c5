"""difpy_tk: find duplicate and similar images by their pixels, and clean them up safely."""

__version__ = "0.1.0"

APP_NAME = "difpy_tk"
"""The one product name people see: window titles, About, installers and the desktop entry.
The same as the package and the data folders, so the name a user searches for on disk,
in a menu or in a shop is the name on the window."""
