"""A real headless Chromium (Debian's, at /usr/bin/chromium) driven by Playwright, against
Django's live server. Screenshots go to $COMPTOIR_DATA_DIR/screenshots (CI keeps the data dir).

Chromium resolves every `*.localhost` name to the loopback address, so each persona's domain
is reached by its own host name (`acme.localhost:PORT`), as in production.
"""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from tests.system_packages import require

CHROMIUM = os.environ.get("COMPTOIR_CHROMIUM", "/usr/bin/chromium")

# Playwright's sync API runs an event loop in this thread; Django then refuses ORM calls from
# it unless told that this test process knows what it does (the ORM and the browser take
# turns here, they never run at the same time).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def screenshot_dir() -> Path:
    folder = Path(settings.DATA_DIR) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    present = bool(shutil.which(CHROMIUM)) or Path(CHROMIUM).exists()
    require("chromium", present, f"{CHROMIUM} is not there (COMPTOIR_CHROMIUM names another)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
        )
        yield chromium
        chromium.close()


@pytest.fixture
def contexts(browser: object) -> Iterator[list[object]]:
    """The test's browser contexts (append what you open), closed afterwards even when the
    test fails."""
    opened: list[object] = []
    yield opened
    for context in opened:
        context.close()  # type: ignore[attr-defined]
