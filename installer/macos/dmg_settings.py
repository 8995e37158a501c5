"""dmgbuild settings: the .app and an Applications link, side by side, to drag across.

dmgbuild executes this file with `defines` (from -D name=value) already set:
    dmgbuild -s installer/macos/dmg_settings.py -D app=dist/difpy_tk.app \
        -D icon=.cache/icons/difpy_tk.icns "difpy_tk" dist/difpy_tk-0.1.0-macos-arm64.dmg
installer/macos/make_dmg.sh wraps that call (and falls back to plain hdiutil).
"""
# ruff: noqa: F821  (dmgbuild provides `defines`)

import os.path

application = defines.get("app", "dist/difpy_tk.app")
app_name = os.path.basename(application)

format = "UDZO"  # zlib-compressed, readable on every supported macOS
filesystem = "HFS+"
size = None  # let dmgbuild measure the .app
licences = defines.get("licences")  # Licences.txt: the project's and the bundled components'
files = [application, licences] if licences else [application]
symlinks = {"Applications": "/Applications"}
badge_icon = defines.get("icon") or None
icon_locations = {app_name: (140, 120), "Applications": (400, 120), "Licences.txt": (270, 250)}
background = "builtin-arrow"
show_status_bar = False
show_tab_view = False
show_toolbar = False
show_pathbar = False
show_sidebar = False
window_rect = ((200, 200), (540, 360))
default_view = "icon-view"
icon_size = 96
text_size = 13
