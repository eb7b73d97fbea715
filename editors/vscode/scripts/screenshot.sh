#!/usr/bin/env bash
# Renders a sample's highlighting to a PNG: the grammar's tokens as coloured HTML
# (scripts/render-html.js), photographed by headless Chromium (Debian: apt-get install chromium).
# Usage: scripts/screenshot.sh [FILE.sla] [OUT.png]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
file="${1:-$here/../../samples/payments-api.sla}"
out="${2:-$here/../../docs/images/vscode-highlighting.png}"
browser="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
[ -n "$browser" ] || { echo "screenshot.sh: no chromium on PATH" >&2; exit 2; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
node "$here/scripts/render-html.js" "$file" "$tmp/page.html"
lines=$(wc -l < "$file")
width=${WIDTH:-920}
height=$(( lines * 17 + 50 ))
mkdir -p "$(dirname "$out")"
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=1 \
    --user-data-dir="$tmp/profile" --window-size="$width,$height" \
    --screenshot="$out" "file://$tmp/page.html" >/dev/null 2>&1
# fewer colours, a much smaller file: only where Pillow is at hand (e.g. the project's venv)
"${PYTHON:-python3}" - "$out" <<'PY' 2>/dev/null || true
import sys
from PIL import Image
image = Image.open(sys.argv[1]).convert("RGB")
image.quantize(colors=96, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(sys.argv[1], optimize=True)
PY
echo "wrote $out (${width}x${height})"
