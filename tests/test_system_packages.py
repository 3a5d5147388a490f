"""A missing system package: its tests are skipped on a developer's machine, the run ending
with what to install; under CI the run fails. Checked on a real browser test, in a pytest
subprocess whose COMPTOIR_CHROMIUM names a Chromium that is not there."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BROWSER_TEST = "tests/browser/test_navigation.py::test_an_agent_sees_no_menu"


def run_browser_test(tmp_path: Path, *, ci: bool) -> subprocess.CompletedProcess[str]:
    # SQLite in a directory of its own: the child never touches this run's test database.
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "DATABASE_URL")}
    env["COMPTOIR_DATA_DIR"] = str(tmp_path)
    env["COMPTOIR_CHROMIUM"] = str(tmp_path / "no-chromium-here")
    if ci:
        env["CI"] = "true"
    argv = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", BROWSER_TEST]
    return subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_outside_ci_a_missing_chromium_skips_and_the_run_ends_saying_what_to_install(
    tmp_path: Path,
) -> None:
    done = run_browser_test(tmp_path, ci=False)
    assert done.returncode == 0, done.stdout + done.stderr
    last = done.stdout.strip().splitlines()[-2:]
    assert last == [
        "1 test was skipped for a missing system package: chromium (1).",
        "Install with: sudo apt-get install chromium   (or run scripts/ci-deps as root)",
    ], done.stdout


def test_under_ci_a_missing_chromium_fails_the_run(tmp_path: Path) -> None:
    done = run_browser_test(tmp_path, ci=True)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "1 error" in done.stdout
    assert "missing system package chromium" in done.stdout
    assert "CI must run these tests" in done.stdout
    assert "skipped for a missing system package" not in done.stdout
