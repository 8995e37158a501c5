"""GUI tests: the real Tk app under Xvfb."""
