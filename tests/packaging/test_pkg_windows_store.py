"""MSIX staging and the winget manifests (the packing itself needs Windows' makeappx)."""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET

from PIL import Image
from pkg_helpers import load_script

make_msix = load_script("installer/windows/make_msix.py")
make_winget = load_script("installer/windows/make_winget.py")
APPX = "{http://schemas.microsoft.com/appx/manifest/foundation/windows10}"


def test_msix_stage_has_the_app_a_valid_manifest_and_tiles(tmp_path):
    onedir = tmp_path / "difpy_tk"
    (onedir / "_internal").mkdir(parents=True)
    (onedir / "difpy_tk.exe").write_bytes(b"MZ")
    staging = make_msix.stage(onedir, tmp_path / "stage", "1.2.3rc1")
    assert (staging / "difpy_tk.exe").is_file() and (staging / "_internal").is_dir()
    root = ET.parse(staging / "AppxManifest.xml").getroot()
    identity = root.find(f"{APPX}Identity")
    assert identity.get("Version") == "1.2.3.0"  # MSIX wants four numbers
    assert identity.get("Publisher") == make_msix.DEFAULT_PUBLISHER
    app = root.find(f"{APPX}Applications/{APPX}Application")
    assert app.get("Executable") == "difpy_tk.exe" and app.get("EntryPoint") == "Windows.FullTrustApplication"
    for name, size in make_msix.LOGOS.items():
        with Image.open(staging / "Assets" / name) as logo:
            assert logo.size == (size, size)


def test_store_publisher_goes_into_the_manifest(tmp_path):
    text = make_msix.manifest("2.0", "12345Example.difpy-tk", 'CN=1A2B3C4D-"x"', "Example")
    identity = ET.fromstring(text).find(f"{APPX}Identity")
    assert identity.get("Name") == "12345Example.difpy-tk" and identity.get("Publisher") == 'CN=1A2B3C4D-"x"'


def test_winget_manifests_carry_version_url_and_hash(tmp_path):
    setup = tmp_path / "difpy_tk-1.2.3-windows-setup.exe"
    setup.write_bytes(b"MZ an installer")
    url = "https://example.invalid/difpy_tk-1.2.3-windows-setup.exe"
    paths = make_winget.render(setup, url, tmp_path / "winget", version="1.2.3")
    assert sorted(p.name for p in paths) == [
        "difpy-tk.difpy-tk.installer.yaml",
        "difpy-tk.difpy-tk.locale.en-US.yaml",
        "difpy-tk.difpy-tk.yaml",
    ]
    installer = (tmp_path / "winget" / "difpy-tk.difpy-tk.installer.yaml").read_text(encoding="utf-8")
    assert f"InstallerSha256: {hashlib.sha256(b'MZ an installer').hexdigest().upper()}" in installer
    assert f"InstallerUrl: {url}" in installer and "PackageVersion: 1.2.3" in installer
    assert "InstallerType: nullsoft" in installer and "Silent: /S" in installer
    for path in paths:
        assert "{" not in path.read_text(encoding="utf-8")
