"""The app's full-window screens: the main menu, the two wizard steps, progress, results."""
