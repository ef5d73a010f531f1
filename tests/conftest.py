import os
from pathlib import Path

import pytest

from tests.services import require_chromium

# Playwright's sync API runs an asyncio loop in this thread; Django's ORM refuses to run
# inside one unless told. The live server runs in this process too.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE_VIEWPORT = {"width": 360, "height": 740}


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded files go to a throwaway folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _vietnamese(settings):
    settings.LANGUAGE_CODE = "vi"


# --- Browser fixtures --------------------------------------------------------------------
# Playwright's sync API driving the machine's Chromium at phone size, shared by every
# browser test: one Playwright per session (a second sync session in the same thread
# fails). `browser` skips without Chromium and fails in CI; `browser_page` is a fresh
# 360 x 740 page (a cheap phone) in Vietnamese. Use with pytest-django's `live_server`.


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
def screenshot_dir() -> Path:
    """Where browser tests leave screenshots (E2E_SCREENSHOTS, default /tmp/e2e-screenshots)."""
    path = Path(os.environ.get("E2E_SCREENSHOTS", "/tmp/e2e-screenshots"))
    path.mkdir(parents=True, exist_ok=True)
    return path

# Transactional tests (live server, real worker, concurrency) flush the database when they
# end, taking the rows migrations created (Wagtail's root page, default site, locale,
# groups) with them; they are all marked serialized_rollback=True so each starts from the
# migrated state, whatever ran before it.


@pytest.fixture(autouse=True)
def _wagtail_tree_present(request):
    """Belt and braces for transactional tests: if Wagtail's root page and default site are
    missing when one starts (seen in long runs despite serialized rollback, cause not yet
    found), recreate them as the wagtailcore migrations do."""
    marker = request.node.get_closest_marker("django_db")
    if not (marker and marker.kwargs.get("transaction")):
        return
    request.getfixturevalue("transactional_db")
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Locale, Page, Site

    if Page.get_first_root_node() is not None:
        return
    # Content type ids cached by this process may predate the flush.
    ContentType.objects.clear_cache()
    locale, _ = Locale.objects.get_or_create(language_code="vi")
    page_type = ContentType.objects.get_for_model(Page)
    root = Page.add_root(instance=Page(title="Root", slug="root", content_type=page_type, locale=locale))
    home = root.add_child(instance=Page(title="Welcome", slug="home", content_type=page_type, locale=locale))
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "port": 80, "root_page": home}
    )


def pytest_collection_modifyitems(config, items):
    """Refuse a transactional test that would leave later ones without Wagtail's tree."""
    offenders = []
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("transaction") and not marker.kwargs.get("serialized_rollback"):
            offenders.append(item.nodeid)
    if offenders:
        raise pytest.UsageError(
            "Mark transactional tests django_db(transaction=True, serialized_rollback=True): "
            + ", ".join(offenders[:5])
        )
