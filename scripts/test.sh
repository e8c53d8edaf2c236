#!/usr/bin/env bash
# Install everything the tests need (Python packages, Chromium, npm tools), then run them all.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
if [ ! -x /usr/bin/chromium ]; then
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

BACKPACK_EXTRAS="test" source scripts/setup.sh
for dir in tests/browser tests/credentials/verifier; do
  if [ -f "$dir/package-lock.json" ]; then
    npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
  fi
done

exec .venv/bin/python -m pytest "$@"
