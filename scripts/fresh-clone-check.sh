#!/usr/bin/env bash
# Clones the repository into a temporary directory and runs the README's two Quick start
# commands there, as a new user would: the server must answer a query, the tests must pass.
# Bounded: the server gets 120 s to come up, every dig 2 s.
set -euo pipefail
repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill -- -"$server_pid" 2>/dev/null || kill "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
git clone --quiet "$repo" "$work/geosteer"
cd "$work/geosteer"
# the shared bench folder sits beside the repo in CI; nothing here needs it

# Quick start, command 1: install and start the server on the example config.
set -m
( npm ci --no-audit --no-fund && npm start ) >"$work/serve.log" 2>&1 &
server_pid=$!
set +m
answer=""
for _ in $(seq 1 120); do
  # dig prints transport errors on stdout too: keep only an address line
  answer=$(dig +short +time=2 +tries=1 @127.0.0.1 -p 5353 api.example.com A +subnet=202.32.0.0/24 2>/dev/null | grep -E '^[0-9.]+$' || true)
  [ -n "$answer" ] && break
  sleep 1
done
if [ "$answer" != "198.51.100.30" ]; then
  echo "fresh clone: server did not answer api.example.com A for a Japanese client with tokyo (got '$answer')" >&2
  tail -n 30 "$work/serve.log" >&2
  exit 1
fi
echo "fresh clone: npm ci && npm start answers: api.example.com A (JP) -> $answer"
kill -TERM -- -"$server_pid" 2>/dev/null || true
wait "$server_pid" 2>/dev/null || true
server_pid=""

# Quick start, command 2: install and run every test.
npm ci --no-audit --no-fund && npm test
echo "fresh clone: npm ci && npm test passed"
