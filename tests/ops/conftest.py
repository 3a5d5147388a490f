"""A fresh, migrated SQLite data directory for the commands these tests start as processes.

Whatever database the rest of the suite uses: what is under test here is processes and
signals, not the database.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="package")
def serve_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["COMPTOIR_DATA_DIR"] = str(tmp_path_factory.mktemp("serve-data"))
    migrate = [sys.executable, "-m", "comptoir.cli", "migrate", "--noinput"]
    subprocess.run(migrate, env=env, cwd=ROOT, check=True, capture_output=True)
    return env
