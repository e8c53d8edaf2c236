#!/usr/bin/env bash
# Serve Backpack in production with gunicorn (gunicorn.conf.py): migrations applied first.
# Set BACKPACK_ORIGIN (required), and usually DATABASE_URL, REDIS_URL, BACKPACK_PROXIES.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${BACKPACK_ORIGIN:-}" ]; then
  echo "Set BACKPACK_ORIGIN to the public origin, e.g. https://badges.example.org" >&2
  exit 2
fi
BACKPACK_EXTRAS="production" source scripts/setup.sh
export FLASK_APP=backpack
.venv/bin/flask init
exec .venv/bin/gunicorn --config gunicorn.conf.py "backpack:create_app()"
