"""Fast checks of the build scripts and installer definitions (no PyInstaller run)."""

from __future__ import annotations

import ast
import gzip
import os
import shutil
import stat
import subprocess
import sys
import tarfile

import pytest
from PIL import Image
from pkg_helpers import BUILD_DIR, ROOT, load_script

import difpy_tk

make_icons = load_script("build/make_icons.py")
version_info = load_script("build/version_info.py")
build = load_script("build/build.py")
make_deb = load_script("installer/linux/make_deb.py")


@pytest.mark.parametrize(
    ("version", "expected"),
    [("0.1.0", (0, 1, 0, 0)), ("1.2", (1, 2, 0, 0)), ("2.0.1rc1", (2, 0, 1, 0)), ("3.4.5+local7", (3, 4, 5, 0))],
)
def test_version_tuple_has_four_numbers(version, expected):
    assert version_info.version_tuple(version) == expected


def test_version_file_follows_package_version_and_parses(tmp_path):
    assert version_info.read_version() == difpy_tk.__version__
    path = version_info.write(tmp_path / "v.txt")
    text = path.read_text(encoding="utf-8")
    assert f"StringStruct('ProductVersion', '{difpy_tk.__version__}')" in text
    ast.parse(text)  # PyInstaller eval()s it
    pytest.importorskip("pefile")  # PyInstaller's loader needs it (Windows only by default)
    from PyInstaller.utils.win32.versioninfo import load_version_info_from_text_file

    major, minor, *_ = version_info.version_tuple(difpy_tk.__version__)
    assert load_version_info_from_text_file(str(path)).ffi.fileVersionMS == (major << 16) | minor


def test_release_tag_must_equal_the_package_version():
    assert version_info.tag_problem("v1.2.3", "1.2.3") is None
    assert version_info.tag_problem("refs/tags/v1.2.3", "1.2.3") is None
    assert "does not match" in version_info.tag_problem("v1.2.4", "1.2.3")
    assert "does not match" in version_info.tag_problem("1.2.3", "1.2.3")  # the v is part of the scheme
    ok = subprocess.run([sys.executable, str(BUILD_DIR / "version_info.py"), "--check-tag", f"v{difpy_tk.__version__}"])
    bad = subprocess.run(
        [sys.executable, str(BUILD_DIR / "version_info.py"), "--check-tag", "v0.0.0-not"], capture_output=True
    )
    assert (ok.returncode, bad.returncode) == (0, 1)


def test_icons_come_from_one_square_master(tmp_path):
    master = make_icons.master_path()
    with Image.open(master) as image:
        assert image.width == image.height >= 256
    paths = make_icons.make_icons(tmp_path)
    with Image.open(paths["png"]) as png:
        assert png.size == (256, 256)
    with Image.open(paths["ico"]) as ico:
        assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= set(ico.info["sizes"])
    with Image.open(paths["icns"]) as icns:
        assert icns.format == "ICNS"


def test_drawn_master_is_reproducible():
    first, second = make_icons.draw_master(64), make_icons.draw_master(64)
    assert first.tobytes() == second.tobytes()
    assert first.getpixel((32, 32))[3] == 255 and first.getpixel((0, 0))[3] == 0  # tile, transparent corner


def test_all_means_what_this_os_can_build():
    targets = build.expand(["all"])
    assert targets[0] == "app"
    if sys.platform.startswith("linux"):
        assert targets == ["app", "portable", "deb", "tar"]
    assert build.expand(["deb", "app"]) == ["app", "deb"]


def test_spec_refuses_a_workpath_inside_build(tmp_path):
    """PyInstaller's default ./build work folder is where the spec lives; the spec must
    stop before anything is written there. Run on a copy, so nothing lands in the repo."""
    pytest.importorskip("PyInstaller", reason="PyInstaller comes with the [build] extra")
    copy = tmp_path / "build"
    copy.mkdir()
    for name in ("difpy_tk.spec", "make_icons.py", "version_info.py"):
        shutil.copy2(BUILD_DIR / name, copy / name)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            str(copy / "difpy_tk.spec"),
            "--noconfirm",
            "--workpath",
            str(copy / "work"),
            "--distpath",
            str(tmp_path / "dist"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode != 0
    assert "pass --workpath .cache/pyi" in proc.stderr + proc.stdout


def test_spec_and_rthook_carry_the_frozen_app_essentials():
    spec = (BUILD_DIR / "difpy_tk.spec").read_text(encoding="utf-8")
    for needle in (
        '"PIL._tkinter_finder"',
        "upx=False",
        "console=False",
        'collect_submodules("difpy_tk")',
        "pyi_rth_difpy_tk_streams.py",
        "difpy_tk.portable",
    ):
        assert needle in spec
    hook = BUILD_DIR / "rthooks" / "pyi_rth_difpy_tk_streams.py"
    code = hook.read_text(encoding="utf-8")
    namespace = {"__name__": "hook"}
    saved = sys.stdout, sys.stderr
    try:
        sys.stdout = sys.stderr = None
        exec(compile(code, str(hook), "exec"), namespace)
        assert sys.stdout is not None and sys.stderr is not None
        print("a windowed build may print now")
    finally:
        for stream in (sys.stdout, sys.stderr):
            if stream not in saved:
                stream.close()
        sys.stdout, sys.stderr = saved


@pytest.mark.skipif(not shutil.which("makensis"), reason="makensis (Debian package nsis) not installed")
def test_nsis_script_compiles_against_a_stand_in_payload(tmp_path):
    payload = tmp_path / "payload"
    (payload / "_internal").mkdir(parents=True)
    (payload / "difpy_tk.exe").write_bytes(b"MZ stand-in")
    (payload / "_internal" / "base_library.zip").write_bytes(b"stand-in")
    licences = payload / "_internal" / "licences"
    licences.mkdir()
    (licences / "LICENSE").write_text("MIT License\n", encoding="utf-8")
    (licences / "THIRD-PARTY-NOTICES.txt").write_text("Pillow – MIT-CMU\n", encoding="utf-8")
    icon = make_icons.make_icons(tmp_path / "icons")["ico"]
    out = tmp_path / "difpy_tk-1.2.3-windows-setup.exe"
    licence = build.licence_file(licences, tmp_path / "licence.txt", windows=True)
    assert licence.read_bytes().startswith(b"\xef\xbb\xbfMIT License\r\n")
    cmd = build.nsis_command(shutil.which("makensis"), payload, icon, out, "1.2.3", licence)
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert out.read_bytes()[:2] == b"MZ"


def test_nsis_script_is_per_user_and_registers_an_uninstaller():
    script = (ROOT / "installer" / "windows" / "difpy_tk.nsi").read_text(encoding="utf-8")
    for needle in (
        "RequestExecutionLevel user",
        "$LOCALAPPDATA\\Programs",
        "WriteUninstaller",
        'WriteRegStr HKCU "${UNINSTKEY}" "UninstallString"',
        'CreateShortCut "$SMPROGRAMS',
    ):
        assert needle in script
    # licence page, optional (unticked) desktop shortcut, running-copy and downgrade guards
    assert 'MUI_PAGE_LICENSE "${LICENSEFILE}"' in script
    assert 'Section /o "Desktop shortcut"' in script and 'Delete "$DESKTOP\\${APPNAME}.lnk"' in script
    assert 'FileOpen $0 "$INSTDIR\\${EXENAME}" a' in script and "Call RefuseWhileRunning" in script
    assert '${VersionCompare} "${VERSION4}" "$0" $R0' in script and "/ALLOWDOWNGRADE" in script
    assert "HKLM" not in script
    assert 'RMDir /r "$INSTDIR"' not in script  # never wipe a folder the user may have chosen


@pytest.fixture
def fake_onedir(tmp_path):
    """The shape of a PyInstaller 6 onedir build: executable + _internal/, with a symlink."""
    onedir = tmp_path / "difpy_tk"
    internal = onedir / "_internal"
    internal.mkdir(parents=True)
    exe = onedir / "difpy_tk"
    exe.write_text("#!/bin/sh\necho frozen\n")
    exe.chmod(0o700)
    (internal / "libfoo.so.1").write_bytes(b"\x7fELF")
    (internal / "libfoo.so.1").chmod(0o755)  # as PyInstaller leaves them
    (internal / "data.txt").write_text("data")
    os.symlink("libfoo.so.1", internal / "libfoo.so")
    licences = internal / "licences"
    licences.mkdir()
    rule = "=" * 78
    (licences / "THIRD-PARTY-NOTICES.txt").write_text(f"intro\n{rule}\nlibfoo 1.0 (MIT)\n{rule}\n\nlicence text\n")
    return onedir


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux packages")
def test_deb_tree_layout(fake_onedir, tmp_path):
    icon = make_icons.make_icons(tmp_path / "icons")["png"]
    root = make_deb.stage_deb(fake_onedir, icon, "1.2.3", tmp_path / "root")
    app = root / "opt" / "difpy-tk"
    assert os.readlink(root / "usr" / "bin" / "difpy-tk") == "/opt/difpy-tk/difpy_tk"
    assert (app / "_internal" / "libfoo.so").is_symlink()
    assert stat.S_IMODE((app / "difpy_tk").stat().st_mode) == 0o755
    assert stat.S_IMODE((app / "_internal" / "data.txt").stat().st_mode) == 0o644
    assert stat.S_IMODE((app / "_internal" / "libfoo.so.1").stat().st_mode) == 0o644  # lintian: not executable
    docs = root / "usr" / "share" / "doc" / "difpy-tk"
    copyright_file = (docs / "copyright").read_text()
    assert copyright_file.startswith("difpy_tk\n\nMIT License") and " - libfoo 1.0 (MIT)" in copyright_file
    assert "/opt/difpy-tk/_internal/licences/THIRD-PARTY-NOTICES.txt" in copyright_file
    with gzip.open(docs / "changelog.gz", "rt") as changelog:
        assert changelog.readline() == "difpy-tk (1.2.3) unstable; urgency=medium\n"
    metainfo = root / "usr" / "share" / "metainfo" / f"{make_deb.COMPONENT_ID}.metainfo.xml"
    assert '<release version="1.2.3"' in metainfo.read_text()
    assert (root / "usr" / "share" / "man" / "man1" / "difpy-tk.1.gz").is_file()
    desktop = (root / "usr" / "share" / "applications" / "difpy-tk.desktop").read_text()
    assert "Exec=difpy-tk" in desktop and "Icon=difpy-tk" in desktop
    assert (root / "usr" / "share" / "icons" / "hicolor" / "256x256" / "apps" / "difpy-tk.png").is_file()
    control = (root / "DEBIAN" / "control").read_text()
    assert "Package: difpy-tk\nVersion: 1.2.3\n" in control
    assert f"Architecture: {make_deb.deb_arch()}" in control
    assert "Depends: libc6 (>= 2.17), " in control  # the fake bundle has no real ELF symbols


@pytest.mark.skipif(not shutil.which("desktop-file-validate"), reason="desktop-file-utils not installed")
def test_desktop_entry_is_valid_with_one_main_category():
    desktop = ROOT / "installer" / "linux" / "difpy-tk.desktop"
    proc = subprocess.run(["desktop-file-validate", str(desktop)], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout == "", proc.stdout


@pytest.mark.skipif(not shutil.which("appstreamcli"), reason="appstream not installed")
def test_appstream_metainfo_validates(tmp_path):
    path = tmp_path / f"{make_deb.COMPONENT_ID}.metainfo.xml"
    path.write_text(make_deb.metainfo("1.2.3", 1_700_000_000), encoding="utf-8")
    proc = subprocess.run(["appstreamcli", "validate", "--no-net", str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout
    assert not [line for line in proc.stdout.splitlines() if line.startswith(("E:", "W:"))], proc.stdout


@pytest.mark.skipif(not shutil.which("dpkg-deb"), reason="dpkg-deb not installed")
def test_deb_and_tarball_build(fake_onedir, tmp_path):
    icon = make_icons.make_icons(tmp_path / "icons")["png"]
    deb = make_deb.build_deb(fake_onedir, icon, "1.2.3", tmp_path / "out", tmp_path / "work")
    info = subprocess.run(
        ["dpkg-deb", "--field", str(deb), "Package", "Version"], capture_output=True, text=True, check=True
    ).stdout
    assert "Package: difpy-tk" in info and "Version: 1.2.3" in info
    listing = subprocess.run(["dpkg-deb", "-c", str(deb)], capture_output=True, text=True, check=True).stdout
    assert "./usr/bin/difpy-tk -> /opt/difpy-tk/difpy_tk" in listing
    assert "root/root" in listing
    tarball = make_deb.build_tarball(fake_onedir, icon, "1.2.3", tmp_path / "out")
    with tarfile.open(tarball) as tar:
        names = tar.getnames()
        assert "difpy_tk-1.2.3/difpy_tk" in names
        assert tar.getmember("difpy_tk-1.2.3/_internal/libfoo.so").issym()
