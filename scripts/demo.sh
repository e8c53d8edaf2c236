#!/usr/bin/env bash
# Install, migrate an SQLite database, load demo data, serve on PORT (default 5000).
#
# The public origin is configuration, not read from requests: it is set here from PORT, and
# every badge, status list and invite link is signed or printed with it. Each port gets its
# own instance folder, so a demo started again on another port is a demo whose badges all
# verify there (status-list URLs are fixed when a list is made).
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-5000}
export BACKPACK_ORIGIN=${BACKPACK_ORIGIN:-http://localhost:$PORT}
export BACKPACK_INSTANCE_PATH=${BACKPACK_INSTANCE_PATH:-$PWD/instance/demo-$PORT}
BACKPACK_EXTRAS="" source scripts/setup.sh
export FLASK_APP=backpack
.venv/bin/flask init
.venv/bin/flask demo
echo
echo "Backpack is running at $BACKPACK_ORIGIN (listening on 127.0.0.1:$PORT)."
echo "Open it as $BACKPACK_ORIGIN, not 127.0.0.1: passkeys need a host name, and the app"
echo "answers only requests for the host of its origin."
echo "To sign in, open one of the invite links above and create a passkey."
echo
exec .venv/bin/flask run --host 127.0.0.1 --port "$PORT"
