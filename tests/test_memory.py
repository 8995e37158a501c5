"""A pixel size whose tensors would not fit in memory is refused before anything is decoded."""

import sys

import pytest
from imagegen import picture, save

from difpy_tk.scan import engine, memory
from difpy_tk.scan.engine import run_search
from difpy_tk.scan.memory import check_tensor_memory, physical_memory
from difpy_tk.scan.options import OptionError, SearchOptions

GB = 10**9


def test_this_computer_reports_its_memory():
    assert physical_memory() > 256 * 10**6


def test_a_pixel_size_too_large_for_the_memory_is_refused_with_one_that_fits():
    check_tensor_memory(10_000, 50, 16 * GB)  # the default: 0.2 GB
    with pytest.raises(OptionError) as refused:
        check_tensor_memory(10_000, 600, 16 * GB)  # 10.8 GB of tensors, 21.6 GB at the peak
    assert refused.value.parameter == "px_size"
    assert "pixel size 600 needs about 21.6 GB of memory for 10,000 images" in str(refused.value)
    fitting = int(str(refused.value).rsplit("pixel size of ", 1)[1].split()[0])
    check_tensor_memory(10_000, fitting, 16 * GB)
    with pytest.raises(OptionError):
        check_tensor_memory(10_000, fitting + 1, 16 * GB)
    with pytest.raises(OptionError, match="search fewer images at once"):
        check_tensor_memory(100_000_000, 10, 16 * GB)
    check_tensor_memory(10_000, 5000, 0)  # memory unknown: no guess


def test_the_search_refuses_before_decoding(tmp_path, monkeypatch):
    save(picture(1), tmp_path / "a.jpg")
    save(picture(2), tmp_path / "b.jpg")
    monkeypatch.setattr(memory, "physical_memory", lambda: 40 * 10**6)
    monkeypatch.setattr(engine, "decode_files", lambda *args, **kwargs: pytest.fail("decoded"))
    with pytest.raises(OptionError, match=r"pixel size 2000 needs about 48\.0 MB"):
        run_search(SearchOptions(inputs=(str(tmp_path),), px_size=2000, processes=1, use_cache=False))


@pytest.mark.skipif(sys.platform == "win32", reason="sysconf is POSIX")
def test_memory_the_os_cannot_tell_is_unknown_not_negative(monkeypatch):
    monkeypatch.setattr(memory.os, "sysconf", lambda name: -1)  # "no such limit"
    assert physical_memory() is None
    check_tensor_memory(10_000, 5000)  # then nothing is refused
