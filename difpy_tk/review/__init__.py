"""Review and clean-up of a SearchResult: which image to keep, which to mark, the actions
on marked files (move, trash), the journal that makes them undoable, and the
not-a-duplicate list. No tkinter: the viewer and the `clean` command both build on it."""
