"""Browser tests: Playwright's sync API driving the machine's Chromium at phone size.

Reusable fixtures:
- `browser`: one Chromium per test session (skipped without Chromium, failed in CI);
- `browser_page`: a fresh 360 x 740 page (a cheap phone), in Vietnamese, closed after.
Use them with pytest-django's `live_server` (which needs `transactional_db`).
"""

import os

import pytest

from tests.services import require_chromium

# Playwright's sync API runs an asyncio loop in this thread; Django's ORM refuses to
# run inside one unless told. The live server runs in this process too.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE_VIEWPORT = {"width": 360, "height": 740}


@pytest.fixture(scope="session")
def browser():
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def browser_page(browser):
    context = browser.new_context(viewport=PHONE_VIEWPORT, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def screenshot_dir() -> "os.PathLike":
    """Where browser tests leave screenshots (E2E_SCREENSHOTS, default /tmp/e2e-screenshots)."""
    from pathlib import Path

    path = Path(os.environ.get("E2E_SCREENSHOTS", "/tmp/e2e-screenshots"))
    path.mkdir(parents=True, exist_ok=True)
    return path
