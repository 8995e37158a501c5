"""The words the app shows for counts and sizes."""

from __future__ import annotations

import pytest

from difpy_tk.humanize import first_few, format_bytes, plural


@pytest.mark.parametrize(
    ("count", "word", "plural_word", "expected"),
    [
        (0, "image", None, "0 images"),
        (1, "image", None, "1 image"),
        (2, "image", None, "2 images"),
        (1234, "group", None, "1,234 groups"),
        (1, "match", None, "1 match"),
        (3, "match", None, "3 matches"),
        (2, "box", None, "2 boxes"),
        (1, "copy", "copies", "1 copy"),
        (5, "copy", "copies", "5 copies"),
    ],
)
def test_plural(count, word, plural_word, expected):
    assert plural(count, word, plural_word) == expected


def test_format_bytes_says_byte_once():
    assert (format_bytes(1), format_bytes(999), format_bytes(1536)) == ("1 byte", "999 bytes", "1.5 KB")


def test_first_few_names_a_few_and_says_there_are_more():
    assert first_few(["a", "b"], 4) == "a, b"
    assert first_few(["a", "b", "c", "d", "e"], 4) == "a, b, c, d …"
    assert first_few([], 4) == ""
