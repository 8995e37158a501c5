"""The benchmark's corpus builder, on a few generated sources (no network, no packages).

Recall figures are only as good as the truth file, so it must describe exactly the files
on disk, and the same parameters must give the same bytes."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

CORPUS_PY = Path(__file__).resolve().parent / "benchmarks" / "corpus.py"


@pytest.fixture(scope="module")
def corpus():
    spec = importlib.util.spec_from_file_location("bench_corpus", CORPUS_PY)
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_corpus"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> list[str]:
    """Three photo-like sources: smooth colour fields with fine noise, different shapes."""
    folder = tmp_path_factory.mktemp("sources")
    rng = np.random.default_rng(7)
    paths = []
    for number, (width, height) in enumerate([(800, 600), (600, 900), (1000, 640)]):
        coarse = rng.uniform(0, 255, size=(6, 8, 3)).astype(np.uint8)
        field = np.asarray(Image.fromarray(coarse).resize((width, height), Image.Resampling.BICUBIC), dtype=np.int16)
        field += rng.integers(-6, 7, size=field.shape, dtype=np.int16)
        path = folder / f"source{number}.png"
        Image.fromarray(np.clip(field, 0, 255).astype(np.uint8)).save(path)
        paths.append(str(path))
    return paths


@pytest.fixture(scope="module")
def built(corpus, sources, tmp_path_factory) -> tuple[Path, dict]:
    """One corpus where every base has a variant, shared by the read-only tests."""
    out = tmp_path_factory.mktemp("corpus")
    return out, corpus.build_corpus(str(out), sources, n=10, seed=5, planted=1.0, processes=1)


def image_files(folder: Path) -> set[str]:
    return {
        os.path.relpath(os.path.join(root, name), folder)
        for root, _dirs, names in os.walk(folder)
        for name in names
        if name != "truth.json"
    }


def digest(folder: Path) -> dict[str, str]:
    return {rel: hashlib.sha256((folder / rel).read_bytes()).hexdigest() for rel in image_files(folder)}


def test_truth_lists_exactly_the_files_on_disk(corpus, built):
    out, truth = built
    assert len(truth["bases"]) == 10
    assert len(truth["planted"]) == 10
    assert image_files(out) == set(corpus.truth_paths(truth))
    for entry in truth["planted"]:
        assert entry["base"] in truth["bases"]
        assert entry["kind"] in corpus.KINDS
        assert entry["variant"] != entry["base"]


def test_bases_are_jpegs_within_the_edge_range(corpus, built):
    out, truth = built
    low, high = corpus.EDGE_RANGE
    for rel in truth["bases"]:
        with Image.open(out / rel) as image:
            assert image.format == "JPEG"
            assert low <= min(image.size) and max(image.size) <= high, (rel, image.size)


def test_variants_are_what_their_kind_says(corpus, built):
    out, truth = built
    for entry in truth["planted"]:
        with Image.open(out / entry["base"]) as base, Image.open(out / entry["variant"]) as variant:
            kind = entry["kind"]
            if kind == "copy":
                assert (out / entry["base"]).read_bytes() == (out / entry["variant"]).read_bytes()
            elif kind in ("rot90", "rot270"):
                assert variant.size == (base.height, base.width)
            elif kind == "half_size":
                assert variant.size == (base.width // 2, base.height // 2)
            else:
                assert variant.size == base.size
            if kind in ("png", "webp"):
                assert variant.format == kind.upper()


def test_same_parameters_give_the_same_bytes_and_are_reused(corpus, sources, tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    corpus.build_corpus(str(first), sources, n=4, seed=3, planted=0.5, processes=1)
    corpus.build_corpus(str(second), sources, n=4, seed=3, planted=0.5, processes=1)
    assert digest(first) == digest(second)
    stamp = (first / "truth.json").stat().st_mtime_ns
    corpus.build_corpus(str(first), sources, n=4, seed=3, planted=0.5, processes=1)
    assert (first / "truth.json").stat().st_mtime_ns == stamp


def test_other_parameters_replace_the_old_corpus(corpus, sources, tmp_path):
    out = tmp_path / "corpus"
    corpus.build_corpus(str(out), sources, n=4, seed=1, planted=0.5, processes=1)
    truth = corpus.build_corpus(str(out), sources, n=3, seed=2, planted=0.5, processes=1)
    assert truth["parameters"]["n"] == 3
    assert image_files(out) == set(corpus.truth_paths(truth))
