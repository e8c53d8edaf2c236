#!/usr/bin/env bash
# Install, migrate an SQLite database in the instance folder, load demo data, serve.
set -euo pipefail
cd "$(dirname "$0")/.."
BACKPACK_EXTRAS="" source scripts/setup.sh
export FLASK_APP=backpack
.venv/bin/flask init
.venv/bin/flask demo
echo
echo "Backpack is running at http://localhost:5000 (listening on 127.0.0.1:5000)."
echo "Open it as http://localhost:5000, not 127.0.0.1: passkeys need a host name."
echo "To sign in, open one of the invite links above and create a passkey."
echo
exec .venv/bin/flask run --host 127.0.0.1 --port 5000
