"""`comptoir worker` as a real process."""

import subprocess
import sys

from tests.ops.conftest import ROOT


def test_worker_once_does_what_is_due_and_exits(serve_env: dict[str, str]) -> None:
    worker = [sys.executable, "-m", "comptoir.cli", "worker", "--once"]
    done = subprocess.run(worker, env=serve_env, cwd=ROOT, capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode()
