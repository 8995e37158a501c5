"""difpy_tk: find duplicate and similar images by their pixels, and clean them up safely."""

__version__ = "0.1.0"
