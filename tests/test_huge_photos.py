"""A 200-megapixel camera file decodes with bounded memory and is found as a duplicate;
images that look different (alpha shapes, palette transparency, 16-bit) are never grouped."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from imagegen import picture, save
from PIL import Image
from test_appearance import shape_mask, sixteen_bit

from difpy_tk.scan.engine import run_search
from difpy_tk.scan.options import SearchOptions
from difpy_tk.scan.tensors import REFERENCE_MAX_PIXELS

MEASURE = """
import json, sys
from pathlib import Path
from difpy_tk.scan.tensors import decode_tensor
full, width, height, _ = decode_tensor(sys.argv[1], 50, exact=True)
fast, *_ = decode_tensor(sys.argv[1], 50, exact=False)
print(json.dumps({
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the forked parent.
    "peak_mb": int(Path("/proc/self/status").read_text().split("VmHWM:")[1].split()[0]) / 1024,
    "size": [width, height],
    "fast_vs_full_mse": float(((full.astype(int) - fast.astype(int)) ** 2).mean()),
}))
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="peak memory is read from /proc (Linux)")
def test_a_200_megapixel_jpeg_decodes_in_bounded_memory_and_finds_its_copy(tmp_path):
    size = (16384, 12288)  # 201 megapixels, a phone's "high resolution" mode
    huge = picture(1, (2048, 1536)).resize(size, Image.Resampling.NEAREST)
    original = save(huge, tmp_path / "a" / "huge.jpg", quality=80)
    del huge
    copy = tmp_path / "b" / "huge copy.jpg"
    copy.parent.mkdir()
    shutil.copyfile(original, copy)

    root = Path(__file__).resolve().parent.parent
    run = subprocess.run(
        [sys.executable, "-c", MEASURE, str(original)],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(root), "PATH": ""},
    )
    figures = json.loads(run.stdout)
    assert figures["size"] == list(size)
    # A whole decode would take 16384 × 12288 × 4 bytes = 805 MB; the reference decode is
    # DCT-scaled to at most REFERENCE_MAX_PIXELS (4 bytes each) plus the interpreter.
    assert figures["peak_mb"] < REFERENCE_MAX_PIXELS * 4 / 2**20 + 150, figures
    assert figures["fast_vs_full_mse"] < 5, figures

    result = run_search(SearchOptions(inputs=(str(tmp_path),), processes=1, use_cache=False))
    assert not result.invalid
    assert [sorted(Path(p).name for p in group.paths) for group in result.groups] == [["huge copy.jpg", "huge.jpg"]]


def test_images_that_look_different_are_never_grouped(tmp_path):
    size = (331, 257)
    for colour in ("black", "white", "grey"):
        for kind in ("disc", "square", "ring"):
            icon = Image.new("RGB", size, colour)
            icon.putalpha(Image.fromarray(shape_mask(kind, size)))
            save(icon, tmp_path / f"icon_{colour}_{kind}.png")
    paletted = picture(5, size).quantize(8)
    for index in range(4):
        save(paletted, tmp_path / f"palette_{index}.png", transparency=index)
    rng = np.random.default_rng(3)
    for i in range(3):
        save(sixteen_bit(rng.integers(256, 65536, size[::-1])), tmp_path / f"noise16_{i}.png")
    ramp = np.tile(np.linspace(300, 65535, size[0]), (size[1], 1))
    for i, factor in enumerate((1.0, 0.75, 0.5)):
        save(sixteen_bit(ramp * factor), tmp_path / f"ramp16_{i}.tiff")
    for similarity in ("duplicates", 0.5):
        result = run_search(SearchOptions(inputs=(str(tmp_path),), processes=1, similarity=similarity, use_cache=False))
        assert result.files_searched == 19 and not result.invalid
        assert result.groups == []
