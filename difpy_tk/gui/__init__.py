"""The Tkinter desktop app. Only this package (and its viewer) imports tkinter; the
engine in difpy_tk.core stays usable without a display."""
