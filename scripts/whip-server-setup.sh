#!/usr/bin/env bash
# Prepares Meetecho's simple-whip-server (a WHIP front end for Janus) for the stream tests.
# Debian's package cannot be installed beside our Node (it depends on Debian's nodejs), so its
# JavaScript is unpacked from the .deb and its npm dependencies are installed next to it.
# Idempotent: a prepared folder is left as it is. Usage: whip-server-setup.sh [folder]
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-.tmp/simple-whip-server}"
if [ -f "$dir/src/server.js" ] && [ -d "$dir/node_modules/express" ] && [ -d "$dir/node_modules/websocket" ]; then
  echo "$dir"; exit 0
fi
command -v janus >/dev/null 2>&1 || { echo "janus is missing: apt-get install janus janus-tools" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# apt-get download needs the package lists; a bare machine may not have fetched them yet.
if ! (cd "$work" && apt-get download simple-whip-server >/dev/null 2>&1); then
  apt-get update -qq
  (cd "$work" && apt-get download simple-whip-server >/dev/null)
fi
dpkg-deb -x "$work"/simple-whip-server_*.deb "$work/x"

rm -rf "$dir"
mkdir -p "$dir"
# src/config.js is a link to /etc in the package: the tests write their own.
cp -r "$work/x/usr/share/simple-whip-server/src" "$dir/src"
rm -f "$dir/src/config.js"
cp "$work/x/usr/share/doc/simple-whip-server/copyright" "$dir/COPYRIGHT"
# The versions Debian packages (express 4: the server uses its API); npm registry only.
cat > "$dir/package.json" <<'EOF'
{
  "name": "simple-whip-server-test-copy",
  "private": true,
  "description": "Meetecho simple-whip-server (GPLv3) unpacked from Debian for the stream tests",
  "dependencies": {
    "async": "^3.2.4", "body-parser": "^1.20.2", "colors": "1.4.0", "cors": "^2.8.5",
    "debug": "^4.3.4", "express": "^4.18.2", "websocket": "^1.0.34"
  }
}
EOF
(cd "$dir" && npm install --no-audit --no-fund --ignore-scripts --omit=dev --loglevel=error >/dev/null)
echo "$dir"
