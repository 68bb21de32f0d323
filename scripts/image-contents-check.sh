#!/usr/bin/env bash
# Proves the production image's contents start and answer, without Docker: in a temporary
# folder it runs the Dockerfile's build-stage commands (npm ci, npm run build:native, npm run
# build, scripts/stage-image.sh), then starts the staged folder the way the image's ENTRYPOINT
# does, with config/geosteer.container.yaml changed only in its listen addresses (free loopback
# ports instead of 0.0.0.0:53, [::]:53, 127.0.0.1:8053 and 0.0.0.0:8054), and checks: the
# native UDP addon staged alone and serving both DNS addresses (`udp: recvmmsg` in the start
# log, geosteer_build_info{udp="recvmmsg"}), a DNS answer over UDP and TCP with dig, /healthz
# through the image's own HEALTHCHECK command, /readyz and /metrics on the open listener
# without a token (and nothing else there), the token API on its own port, the query counters,
# no warning at start, and a clean exit on SIGTERM. Everything it starts is stopped and the
# folder removed on exit; every wait is bounded.
#   bash scripts/image-contents-check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

# The build context the Dockerfile copies (its COPY lines; test/deploy/dockerfile.test.ts
# checks that this list and the Dockerfile agree). Optional ones may be absent.
BUILD_CONTEXT=(package.json package-lock.json binding.gyp native scripts/build-native.mjs tsconfig.json tsconfig.build.json LICENSE src scripts/stage-image.sh)

for tool in node npm dig; do
  command -v "$tool" >/dev/null || { echo "image-contents-check: $tool is not on PATH (dig: apt-get install dnsutils)" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/geosteer-image.XXXXXX")
server_pid=
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "image-contents-check: FAILED: $*" >&2; [ -f "$work/server.log" ] && tail -n 40 "$work/server.log" >&2; exit 1; }

echo "== build stage in $work/src"
mkdir -p "$work/src/scripts"
for item in "${BUILD_CONTEXT[@]}"; do cp -R "$repo/$item" "$work/src/$item"; done
node_prefix=$(dirname "$(dirname "$(command -v node)")")
# As in the image: node-gyp takes the headers of the node that runs it, when they are there.
[ -d "$node_prefix/include/node" ] && export npm_config_nodedir=$node_prefix
(cd "$work/src" && GEOSTEER_SKIP_NATIVE=1 timeout 300 npm ci --no-audit --no-fund --loglevel=error >/dev/null && timeout 120 npm run build:native --silent >/dev/null \
  && timeout 120 npm run build --silent && timeout 120 scripts/stage-image.sh "$work/app" >/dev/null) || fail "the build stage failed (output above)"

app=$work/app
echo "== staged image contents: $(du -sh "$app" | cut -f1) ($(du -sh "$app/node_modules" | cut -f1) node_modules)"
for dev in typescript vitest autocannon fast-check @types; do
  [ ! -e "$app/node_modules/$dev" ] || fail "dev dependency $dev is in the staged node_modules"
done
[ -f "$app/dist/cli.js" ] || fail "dist/cli.js is missing"
# node-gyp leaves objects, makefiles and a second copy under build/: the image takes the addon alone.
staged_build=$(cd "$app" && find build -type f | sort | tr '\n' ' ')
[ "$staged_build" = "build/Release/geosteer_udp.node " ] || fail "the staged build/ holds '$staged_build', expected build/Release/geosteer_udp.node alone"
echo "   native UDP addon: build/Release/geosteer_udp.node ($(du -k "$app/build/Release/geosteer_udp.node" | cut -f1) KiB)"
# The trimmed Cloudflare SDK still loads and builds a client (the sync imports it this way).
(cd "$app" && node --input-type=module -e "const { default: Cloudflare } = await import('cloudflare'); new Cloudflare({ apiToken: 'x' });") || fail "the trimmed cloudflare package does not load"

free_port() {
  # a port free for both UDP and TCP on 127.0.0.1 and ::1 (DNS binds both transports)
  node -e '
    const net = require("node:net"), dgram = require("node:dgram");
    const tryPort = (left) => {
      const t = net.createServer().listen(0, "127.0.0.1", () => {
        const port = t.address().port;
        const u = dgram.createSocket("udp4");
        u.once("error", () => { t.close(); u.close(); left > 0 ? tryPort(left - 1) : process.exit(1); });
        u.bind(port, "127.0.0.1", () => { u.close(); t.close(() => console.log(port)); });
      });
    };
    tryPort(20);'
}
dns_port=$(free_port)
admin_port=$(free_port)
open_port=$(free_port)
sed -e "/^ *listen:/s/\"0\.0\.0\.0:53\"/\"127.0.0.1:$dns_port\"/" -e "/^ *listen:/s/\"\[::\]:53\"/\"[::1]:$dns_port\"/" \
  -e "/^ *listen:/s/\"127\.0\.0\.1:8053\"/\"127.0.0.1:$admin_port\"/" -e "/^ *open_listen:/s/\"0\.0\.0\.0:8054\"/\"127.0.0.1:$open_port\"/" \
  config/geosteer.container.yaml >"$work/geosteer.yaml"
[ "$(diff config/geosteer.container.yaml "$work/geosteer.yaml" | grep -c '^>')" = 3 ] || fail "the container config's listen lines were not where this script expects them"

echo "== start: node dist/cli.js serve (DNS 127.0.0.1:$dns_port and [::1]:$dns_port, admin API 127.0.0.1:$admin_port, open listener 127.0.0.1:$open_port)"
token=$(node -e 'console.log(require("node:crypto").randomBytes(24).toString("hex"))')
# GEOSTEER_UDP(_ADDON) from the caller's shell would choose another UDP path than the image's.
(cd "$app" && exec env -u GEOSTEER_UDP -u GEOSTEER_UDP_ADDON NODE_ENV=production GEOSTEER_ADMIN_TOKEN="$token" \
  node dist/cli.js serve --config "$work/geosteer.yaml") >"$work/server.log" 2>&1 &
server_pid=$!

# The image's HEALTHCHECK command, taken from the Dockerfile and run as Docker would.
healthcheck=$(node -e '
  const text = require("node:fs").readFileSync("Dockerfile", "utf8").replace(/\\\n/g, " ");
  const m = /^HEALTHCHECK .*? CMD (\[.*\])\s*$/m.exec(text);
  if (!m) process.exit(1);
  process.stdout.write(JSON.parse(m[1]).map((a) => JSON.stringify(a)).join(" "));') || fail "no exec-form HEALTHCHECK in the Dockerfile"
healthy=
for _ in $(seq 100); do
  kill -0 "$server_pid" 2>/dev/null || fail "geosteer exited during start-up"
  if (cd "$app" && eval "GEOSTEER_HEALTHCHECK_URL=http://127.0.0.1:$open_port/healthz $healthcheck"); then healthy=1; break; fi
  sleep 0.2
done
[ -n "$healthy" ] || fail "HEALTHCHECK did not pass within 20 s"
echo "   HEALTHCHECK: healthy"

# GET URL [TOKEN]: the HTTP status, or "error" when nothing answers within 2 s.
http_status() {
  node -e 'const [url, token] = process.argv.slice(1);
    fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: AbortSignal.timeout(2000) }).then((r) => console.log(r.status), () => console.log("error"))' "$@"
}
[ "$(http_status "http://127.0.0.1:$open_port/readyz")" = 200 ] || fail "/readyz on the open listener is not 200"
[ "$(http_status "http://127.0.0.1:$open_port/v1/regions" "$token")" = 404 ] || fail "the open listener serves /v1/regions; it should serve /healthz, /readyz and /metrics only"
[ "$(http_status "http://127.0.0.1:$admin_port/v1/regions")" = 401 ] || fail "the admin API answers /v1/regions without a token"
[ "$(http_status "http://127.0.0.1:$admin_port/v1/regions" "$token")" = 200 ] || fail "the admin API does not answer /v1/regions with the token"
echo "   open listener: /healthz, /readyz 200, /v1/regions 404; admin API: /v1/regions 401 without the token, 200 with it"

# Both DNS addresses are served by the native batched path: dns-server.ts logs one line per
# address with the path it chose (and why).
node -e '
  const [file, ...want] = process.argv.slice(1);
  const lines = require("node:fs").readFileSync(file, "utf8").split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
  const udp = lines.filter((l) => typeof l.msg === "string" && l.msg.startsWith("dns: UDP on "));
  const got = udp.map((l) => `${l.host}:${l.port} ${l.udp}`).sort();
  const expected = want.map((a) => `${a} recvmmsg`).sort();
  if (JSON.stringify(got) !== JSON.stringify(expected)) { console.error(`UDP paths in the start log: ${JSON.stringify(got)}, expected ${JSON.stringify(expected)}; reasons: ${JSON.stringify(udp.map((l) => l.reason))}`); process.exit(1); }
  const warnings = lines.filter((l) => l.level >= 40);
  if (warnings.length > 0) { console.error(`warnings at start: ${warnings.map((l) => l.msg).join("; ")}`); process.exit(1); }' \
  "$work/server.log" "127.0.0.1:$dns_port" "::1:$dns_port" || fail "the start log does not show udp: recvmmsg on both DNS addresses and no warning"
echo "   start log: udp: recvmmsg on 127.0.0.1:$dns_port and [::1]:$dns_port, no warning"

# Taiwan (1.34.5.0/24 is in TW) -> the taiwan region's address in the example config.
udp=$(timeout 10 dig @127.0.0.1 -p "$dns_port" api.example.com A +subnet=1.34.5.0/24 +short +tries=1 +time=2)
tcp=$(timeout 10 dig @::1 -p "$dns_port" api.example.com A +subnet=1.34.5.0/24 +short +tcp +tries=1 +time=2)
[ "$udp" = 198.51.100.10 ] || fail "dig over UDP answered '$udp', expected 198.51.100.10"
[ "$tcp" = 198.51.100.10 ] || fail "dig over TCP (::1) answered '$tcp', expected 198.51.100.10"
echo "   dig api.example.com A (UDP 127.0.0.1, TCP ::1): $udp"

metrics=$(node -e 'fetch(process.argv[1], { signal: AbortSignal.timeout(2000) }).then((r) => r.text()).then((t) => process.stdout.write(t))' "http://127.0.0.1:$open_port/metrics")
grep -qE '^geosteer_build_info\{.*udp="recvmmsg".*\} 1$' <<<"$metrics" || fail "/metrics has no geosteer_build_info{udp=\"recvmmsg\"}: $(grep '^geosteer_build_info' <<<"$metrics")"
for transport in udp tcp; do
  grep -qx "geosteer_dns_queries_total{zone=\"example.com\",qtype=\"A\",rcode=\"NOERROR\",transport=\"$transport\"} 1" <<<"$metrics" \
    || fail "/metrics does not count exactly one $transport query"
done
rss_kb=$(ps -o rss= --ppid "$server_pid" --pid "$server_pid" | awk '{ s += $1 } END { print s }')
echo "   /metrics (no token): geosteer_build_info{udp=\"recvmmsg\"}, both queries counted; RSS of geosteer and its DNS workers: $((rss_kb / 1024)) MiB"

kill -TERM "$server_pid"
for _ in $(seq 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$server_pid" 2>/dev/null && fail "geosteer did not exit within 10 s of SIGTERM"
status=0; wait "$server_pid" || status=$?
server_pid=
[ "$status" = 0 ] || fail "geosteer exited with $status after SIGTERM"
echo "image-contents-check: ok (staged image with the native UDP addon starts, answers DNS over UDP (recvmmsg) and TCP, passes its HEALTHCHECK, keeps the token API apart from the open listener, exits 0 on SIGTERM)"
