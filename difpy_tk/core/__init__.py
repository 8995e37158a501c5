"""The engine of difpy_tk. Nothing under this package imports tkinter, so the CLI, the
tests and the worker processes of a frozen build can use it without a display."""
