"""The system packages some tests need, which scripts/ci-deps installs (Debian's apt names).

Where one is missing, its tests are skipped on a developer's machine, and the run ends with a
line saying how many and what to install (tests/conftest.py, pytest_sessionfinish). Under CI
(CI set, as .ci/run does) they fail instead: CI's job is to run every test, and a green run
that skipped the browser or the IMAP tests would say nothing about them.
"""

import os
import re
from collections import Counter
from collections.abc import Iterable

import pytest

# Every skip reason for a missing package starts so; the summary counts them by package.
MISSING = "missing system package"
REASON = re.compile(re.escape(MISSING) + r" ([a-z0-9.+-]+):")


def under_ci() -> bool:
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


def require(package: str, present: bool, what: str) -> None:
    """Skip the test (fail it under CI) unless `present`; `what` says what is missing."""
    if present:
        return
    message = f"{MISSING} {package}: {what} (scripts/ci-deps installs it)"
    if under_ci():
        pytest.fail(f"{message}; CI must run these tests", pytrace=False)
    pytest.skip(message)


def missing_packages(skipped: Iterable[pytest.TestReport]) -> Counter[str]:
    """How many skipped tests each missing package accounts for."""
    counts: Counter[str] = Counter()
    for report in skipped:
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        found = REASON.search(reason)
        if found:
            counts[found.group(1)] += 1
    return counts


def summary_lines(counts: Counter[str]) -> list[str]:
    total = sum(counts.values())
    if not total:
        return []
    tests = "test was" if total == 1 else "tests were"
    each = ", ".join(f"{package} ({count})" for package, count in sorted(counts.items()))
    packages = " ".join(sorted(counts))
    return [
        f"{total} {tests} skipped for a missing system package: {each}.",
        f"Install with: sudo apt-get install {packages}   (or run scripts/ci-deps as root)",
    ]
