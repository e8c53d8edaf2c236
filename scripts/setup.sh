# Shared by demo.sh and test.sh: a local virtual environment with the project installed.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
if [ -n "${BACKPACK_EXTRAS:-}" ]; then
  .venv/bin/python -m pip install --quiet -e ".[${BACKPACK_EXTRAS}]"
else
  .venv/bin/python -m pip install --quiet -e .
fi
