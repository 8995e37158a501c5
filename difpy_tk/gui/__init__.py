"""The Tkinter desktop app. Only this package (and its viewer) imports tkinter; the
engine in difpy_tk.scan, .review and .state stays usable without a display."""
