"""App state that outlives a run: where files live (config, data, cache folders) and the
user's settings. No tkinter."""
