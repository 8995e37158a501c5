"""Licence texts: the project's LICENSE, the notice file every build ships, About's text."""

from __future__ import annotations

import shutil
import sys
import sysconfig
from pathlib import Path

import pytest
from pkg_helpers import ROOT, load_script

from difpy_tk import licensing


def _has_pyinstaller() -> bool:
    import importlib.util

    return importlib.util.find_spec("PyInstaller") is not None


notices = load_script("build/notices.py")
# The notice file ends with the bootloader's licence, read from the installed PyInstaller.
needs_pyinstaller = pytest.mark.skipif(
    not _has_pyinstaller(),
    reason="PyInstaller comes with the [build] extra",
)


def test_project_licence_is_mit_as_pyproject_says():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License")
    assert 'license = { text = "MIT" }' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert licensing.project_licence() == text


def test_every_runtime_distribution_installed_its_licence_text():
    """The check the build makes for each bundled distribution, on the app's dependencies:
    a new dependency without a licence file fails here before it fails a release build."""
    names = licensing.runtime_distributions()
    assert {"numpy", "pillow", "pillow-heif", "send2trash", "tkinterdnd2"} <= {
        n.lower().replace("_", "-") for n in names
    }
    missing = [name for name in names if licensing.distribution_notice(name) is None]
    assert missing == []


def test_about_text_from_source_has_the_project_and_each_dependency():
    text = licensing.notice_text()
    assert text.startswith(f"{licensing.RULE}\ndifpy_tk\n")
    assert text.index("MIT License") < text.index("Running from source")
    for name in licensing.runtime_distributions():
        assert f"\n{name} " in text, name
    assert "no licence file" not in text
    # Pillow's and pillow-heif's licence files carry the bundled libraries' texts
    for library in ("libjpeg", "zlib", "libpng", "libtiff", "libwebp", "freetype", "libheif", "x265"):
        assert library.lower() in text.lower(), library


def test_about_text_of_a_frozen_build_comes_from_its_licences_folder(tmp_path, monkeypatch):
    folder = tmp_path / licensing.LICENCE_DIR_NAME
    folder.mkdir()
    (folder / licensing.PROJECT_LICENSE).write_text("MIT License\nthe project\n", encoding="utf-8")
    (folder / licensing.THIRD_PARTY_NOTICES).write_text("the bundled notices\n", encoding="utf-8")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    text = licensing.notice_text()
    assert text.index("the project") < text.index("the bundled notices")


def _fake_distribution(site: Path, name: str, licence: str | None) -> None:
    """An installed distribution: a module plus its .dist-info, optionally a LICENSE."""
    (site / f"{name}.py").write_text("VALUE = 1\n", encoding="utf-8")
    info = site / f"{name}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n", encoding="utf-8")
    record = [f"{name}.py,,", f"{name}-1.0.dist-info/METADATA,,", f"{name}-1.0.dist-info/RECORD,,"]
    if licence is not None:
        (info / "LICENSE").write_text(licence, encoding="utf-8")
        record.append(f"{name}-1.0.dist-info/LICENSE,,")
    (info / "RECORD").write_text("\n".join(record) + "\n", encoding="utf-8")


@pytest.fixture
def fake_site(tmp_path, monkeypatch):
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    return site


@needs_pyinstaller
def test_a_bundled_distribution_without_licence_text_stops_the_build(fake_site, tmp_path):
    _fake_distribution(fake_site, "unlicensed_thing", None)
    _fake_distribution(fake_site, "licensed_thing", "Licensed Thing licence, all rights granted.\n")
    sources = [str(fake_site / "licensed_thing.py")]
    out = notices.write_notices(tmp_path / "ok", sources)
    text = (out / licensing.THIRD_PARTY_NOTICES).read_text(encoding="utf-8")
    assert "licensed_thing 1.0" in text and "all rights granted" in text
    assert (out / licensing.PROJECT_LICENSE).read_text(encoding="utf-8").startswith("MIT License")
    with pytest.raises(notices.NoticeError, match="unlicensed_thing"):
        notices.write_notices(tmp_path / "bad", [*sources, str(fake_site / "unlicensed_thing.py")])


@needs_pyinstaller
def test_a_bundled_file_of_unknown_origin_stops_the_build(tmp_path):
    stray = tmp_path / "libmystery.so"
    stray.write_bytes(b"\x7fELF")
    with pytest.raises(notices.NoticeError, match="libmystery"):
        notices.write_notices(tmp_path / "out", [str(stray)])


def test_trace_sorts_bundle_files_by_origin(tmp_path):
    import PIL.Image

    stdlib = Path(sysconfig.get_paths()["stdlib"]) / "json" / "__init__.py"
    generated = tmp_path / "work"
    generated.mkdir()
    (generated / "base_library.zip").write_bytes(b"PK")
    sources = [
        PIL.Image.__file__,
        str(stdlib),
        str(generated / "base_library.zip"),
        str(ROOT / "difpy_tk" / "licensing.py"),
    ]
    system_tk = next(iter(Path("/usr/lib").glob("*/libtk8.6.so")), None)
    if system_tk is not None and shutil.which("dpkg-query"):
        sources.append(str(system_tk))
    dists, packages, untraced = notices.trace(sources, generated=[str(generated)])
    assert untraced == {}
    assert {d.lower() for d in dists} == {"pillow"}
    if system_tk is not None and shutil.which("dpkg-query"):
        assert packages == {"libtk8.6"}


@needs_pyinstaller
def test_notice_sections_name_python_tcl_tk_tkdnd_and_the_bootloader():
    text = notices.third_party_text(["numpy"], [])
    for title in ("\nPython 3.", "\nTcl/Tk 8.6", "\ntkdnd ", "\nnumpy ", "\nPyInstaller bootloader"):
        assert title in text, title
    assert "Bootloader Exception" in text  # PyInstaller's exception, which lets us ship it
    assert "George Petasis" in text  # tkdnd's licence, read from the tkdnd.tcl header
