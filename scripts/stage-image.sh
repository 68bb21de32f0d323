#!/usr/bin/env bash
# Stages what the production image holds into DEST, from a tree where `npm ci`,
# `npm run build:native` and `npm run build` have run: production dependencies only, without
# the files node never loads at run time, plus dist/, package.json, LICENSE and the native UDP
# addon (build/Release/geosteer_udp.node alone, none of node-gyp's intermediate files). The
# Dockerfile's build stage runs it; scripts/image-contents-check.sh runs it outside Docker and
# starts the result.
#   scripts/stage-image.sh DEST
# Changes node_modules in place (npm prune): run it on a copy or in the image build.
set -euo pipefail
dest=${1:?usage: scripts/stage-image.sh DEST}
cd "$(dirname "$0")/.."

# The image serves UDP through the native batched path: without the addon geosteer would fall
# back to node:dgram without failing, so a missing addon stops the staging (and the image build).
addon=build/Release/geosteer_udp.node
[ -f "$addon" ] || { echo "stage-image: $addon is missing: run npm run build:native (it needs python3, make and g++)" >&2; exit 1; }

npm prune --omit=dev --no-audit --no-fund
# Type declarations, source maps and TypeScript sources are read by editors and tsc, never by
# node: about 150 of the 255 MB that `npm ci --omit=dev` installs, most of it the Cloudflare
# SDK's (its resources/ tree ships each module as .js, .mjs, two .d.ts and four .map files).
find node_modules -type f \( -name '*.ts' -o -name '*.mts' -o -name '*.cts' -o -name '*.map' \) -delete
rm -rf node_modules/@types node_modules/cloudflare/src
# geosteer opens geolite2-country.mmdb (src/geo/bundled-database.ts); the package also ships
# the same data split per address family (9 MB), which nothing reads.
rm -f node_modules/@ip-location-db/geolite2-country-mmdb/geolite2-country-ipv4.mmdb \
  node_modules/@ip-location-db/geolite2-country-mmdb/geolite2-country-ipv6.mmdb

mkdir -p "$dest/build/Release"
cp -R dist node_modules package.json LICENSE "$dest/"
cp "$addon" "$dest/build/Release/"
