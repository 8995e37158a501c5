import pytest

from difpy_tk.scan.options import OptionError, SearchOptions, cpu_count, parse_similarity


def test_defaults_follow_difpy():
    options = SearchOptions(inputs=("a",))
    assert (options.recursive, options.in_folder, options.px_size) == (True, False, 50)
    assert (options.rotate, options.same_dim, options.threshold) == (True, False, 0.0)
    assert options.processes == cpu_count()


@pytest.mark.parametrize(("value", "expected"), [("duplicates", 0.0), ("similar", 5.0), (7, 7.0), ("2.5", 2.5)])
def test_similarity_presets_and_numbers(value, expected):
    assert parse_similarity(value) == expected


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("px_size", 9),
        ("px_size", 5001),
        ("px_size", 50.0),
        ("similarity", -1),
        ("similarity", "close"),
        ("similarity", float("nan")),
        ("processes", 0),
        ("processes", cpu_count() + 1),
        ("chunksize", 0),
        ("rotate", "yes"),
        ("inputs", ()),
    ],
)
def test_invalid_values_name_the_parameter(field, value):
    kwargs = {"inputs": ("a",), field: value}
    with pytest.raises(OptionError) as caught:
        SearchOptions(**kwargs)
    assert caught.value.parameter == field
    assert field in str(caught.value)


def test_sse_limit_is_exact_rational_floor():
    # The verdict compares integers: SSE <= floor(exact value of the threshold * count).
    options = SearchOptions(inputs=("a",), similarity=5)
    assert options.sse_limit == 5 * 50 * 50 * 3
    tiny = SearchOptions(inputs=("a",), similarity=1e-9)
    assert tiny.sse_limit == 0
    odd = SearchOptions(inputs=("a",), similarity=1 / 3, px_size=10)
    # The float 1/3 is slightly below one third, so SSE 100 (MSE exactly 1/3) is above it.
    assert odd.sse_limit == 99
