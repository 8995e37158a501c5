"""The scan pipeline: list files → decode tensors (cached) → search pairs → form groups →
a SearchResult. Nothing here imports tkinter, so the CLI, the tests and the worker
processes of a frozen build can use it without a display."""
