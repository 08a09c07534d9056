#!/usr/bin/env bash
# The lessons report as a reader sees it: writes the report, then opens it in headless Chromium
# (Debian's `chromium` package) and saves a screenshot of the top of the page.
#
#   scripts/report_screenshot.sh [OUT_DIR] [SCREENSHOT.png] [--quick]
set -euo pipefail
OUT="${1:-report}"
SHOT="${2:-$OUT/screenshot.png}"
QUICK="${3:-}"
command -v chromium >/dev/null || { echo "report_screenshot: needs chromium (sudo apt-get install -y chromium)" >&2; exit 2; }
python -m explorer report --out "$OUT" $QUICK
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1200,1800 \
  --screenshot="$(realpath -m "$SHOT")" "file://$(realpath "$OUT")/index.html" 2>/dev/null
echo "screenshot: $SHOT"
