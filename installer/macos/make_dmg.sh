#!/usr/bin/env bash
# Wrap dist/difpy_tk.app into a compressed .dmg with an Applications link and the
# licences (LICENCES: one text file, shown beside the app).
# Usage: installer/macos/make_dmg.sh APP ICNS OUT.dmg LICENCES
# Runs on macOS only (dmgbuild and hdiutil are macOS tools). Uses dmgbuild when it is
# installed (pip install dmgbuild: nicer window layout), else hdiutil alone.
set -euo pipefail
app=${1:?APP path (dist/difpy_tk.app)}
icns=${2:-}
out=${3:?output .dmg}
licences=${4:?licence text file (Licences.txt)}
here=$(cd "$(dirname "$0")" && pwd)
rm -f "$out"
if command -v dmgbuild >/dev/null 2>&1; then
    dmgbuild -s "$here/dmg_settings.py" -D app="$app" -D licences="$licences" ${icns:+-D icon="$icns"} "difpy_tk" "$out"
else
    staging=$(mktemp -d)
    trap 'rm -rf "$staging"' EXIT
    # ditto keeps the bundle's symlinks, extended attributes and code signature intact.
    ditto "$app" "$staging/$(basename "$app")"
    ln -s /Applications "$staging/Applications"
    cp "$licences" "$staging/"
    hdiutil create -volname "difpy_tk" -srcfolder "$staging" -fs HFS+ -format UDZO -ov "$out"
fi
echo "$out"
