"""Run the wallets of tests/wallet/client (independent OpenID4VCI and VC-API clients) in Node."""
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

CLIENT = Path(__file__).resolve().parent.parent / "wallet" / "client"


def run_client(script: str, payload: dict) -> dict:
    """Run a wallet script of tests/wallet/client in Node; return its JSON output."""
    node = shutil.which("node")
    if node is None or not (CLIENT / "node_modules" / "@openid4vc" / "openid4vci").is_dir():
        message = "the wallet clients are not installed: run npm ci --prefix tests/wallet/client"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    completed = subprocess.run(
        [node, str(CLIENT / script)], input=json.dumps(payload), capture_output=True, text=True, timeout=120
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)
