#!/usr/bin/env bash
# The Debian mirror this machine's apt uses (the first non-security archive URL), for debootstrap.
#
#   scripts/debian_mirror.sh [APT_DIR]     # default /etc/apt; prints the URL, or nothing
#
# Reads both layouts: one-line "deb URL suite ..." entries (sources.list, *.list) and deb822
# "URIs: URL" stanzas (*.sources, Debian 12's default); comment lines never count (a snapshot
# URL left in a comment is not the mirror apt uses).  Files that are absent are simply skipped.
set -uo pipefail
APT_DIR="${1:-/etc/apt}"
shopt -s nullglob
for file in "$APT_DIR/sources.list" "$APT_DIR"/sources.list.d/*.list "$APT_DIR"/sources.list.d/*.sources; do
  [ -r "$file" ] || continue
  sed -e 's/#.*$//' "$file" \
    | grep -oE '^[[:space:]]*(deb([[:space:]]+\[[^]]*\])?|URIs:)[[:space:]]+https?://[^[:space:]]+' \
    | grep -oE 'https?://[^[:space:]]+' \
    | grep -v -- '-security' \
    | grep -E '/debian/?$'
done | head -1
