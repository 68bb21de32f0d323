#!/bin/sh
# Fetch GeoLite2-Country with geoipupdate into a directory geosteer reads from.
# Usage: geo/update-geoip.sh [GeoIP.conf] [database directory]
# geoipupdate renames the new file into place atomically; geosteer's watcher reloads it.
set -eu

conf="${1:-/etc/GeoIP.conf}"
dir="${2:-/usr/share/GeoIP}"

if ! command -v geoipupdate >/dev/null 2>&1; then
  echo "update-geoip: geoipupdate not found; install it (apt install geoipupdate, or https://github.com/maxmind/geoipupdate/releases)" >&2
  exit 1
fi
if [ ! -r "$conf" ]; then
  echo "update-geoip: $conf not readable; create it with AccountID, LicenseKey and 'EditionIDs GeoLite2-Country' (see geo/README.md)" >&2
  exit 1
fi

mkdir -p "$dir"
geoipupdate -f "$conf" -d "$dir" -v

db="$dir/GeoLite2-Country.mmdb"
if [ ! -s "$db" ]; then
  echo "update-geoip: $db missing or empty after geoipupdate; check EditionIDs in $conf" >&2
  exit 1
fi
echo "update-geoip: $db updated; set geoip.database: $db in the geosteer config"
