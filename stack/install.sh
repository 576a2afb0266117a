#!/usr/bin/env bash
# Installs what the project needs on a fresh Debian 12 machine with Node 20 and Go: Debian's PostgreSQL and
# Redis servers, the npm packages, and the Temporal CLI (built once from the Go module proxy, then cached).
# Idempotent: each step is skipped when its result is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '[install] %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else say "need root for: $*"; return 1; fi; }

missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql)
# The SSO browser test drives Debian's Chromium; no browser is downloaded by npm.
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
fi

if [ -z "${TEMPORAL_ADDRESS:-}" ] && [ -z "${TEMPORAL_BIN:-}" ]; then
  cache="${XDG_CACHE_HOME:-$HOME/.cache}/cloud-bridge/bin"
  if [ ! -x "$cache/temporal" ] && ! command -v temporal >/dev/null; then
    command -v go >/dev/null || { say "Go is needed to build the Temporal CLI (or set TEMPORAL_BIN / TEMPORAL_ADDRESS)"; exit 1; }
    say "building the Temporal CLI v1.5.1 from the Go module proxy into $cache (a few minutes, once)"
    mkdir -p "$cache"
    GOBIN="$cache" GOFLAGS="${GOFLAGS:-} -buildvcs=false" go install github.com/temporalio/cli/cmd/temporal@v1.5.1
  fi
fi
say "ready"
