#!/usr/bin/env bash
# Install everything the tests need (Python packages, Chromium, PostgreSQL, Redis, npm tools), then run them all.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
updated=
apt_install() {
  [ -n "$updated" ] || as_root apt-get update -qq
  updated=1
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
if [ ! -x /usr/bin/chromium ]; then
  apt_install chromium
fi

# Real servers for tests/scale: the tests start their own on free ports and stop them.
servers=()
compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || servers+=(postgresql)
command -v redis-server >/dev/null || servers+=(redis-server)
if [ ${#servers[@]} -gt 0 ]; then
  # Keep apt from starting the system-wide services: the tests need none of them.
  if [ -e /usr/sbin/policy-rc.d ]; then
    apt_install --no-install-recommends "${servers[@]}"
  else
    printf '#!/bin/sh\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d >/dev/null
    as_root chmod +x /usr/sbin/policy-rc.d
    trap 'as_root rm -f /usr/sbin/policy-rc.d' EXIT
    apt_install --no-install-recommends "${servers[@]}"
    as_root rm -f /usr/sbin/policy-rc.d
    trap - EXIT
  fi
fi

BACKPACK_EXTRAS="test" source scripts/setup.sh
for dir in tests/browser tests/credentials/verifier tests/wallet/client; do
  if [ -f "$dir/package-lock.json" ]; then
    npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
  fi
done

# The layering contracts (pyproject.toml) and the linter: a forbidden import or a lint error fails the run.
.venv/bin/ruff check --quiet backpack tests
.venv/bin/lint-imports --no-cache >/dev/null || .venv/bin/lint-imports --no-cache

# The slowest tests are listed at the end, to keep the whole run well under 15 minutes on 2 cores.
exec .venv/bin/python -m pytest --durations=20 "$@"
