"""Browser journeys: Playwright (sync API) driving Debian's Chromium against the Daphne subprocess.

A missing /usr/bin/chromium skips these tests, unless FLAXU_REQUIRE_BROWSER=1 (CI), which fails them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("FLAXU_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-proxy-server",  # the app runs on 127.0.0.1; never route it through a proxy from the environment
]
DEFAULT_TIMEOUT_MS = 15_000


@pytest.fixture(autouse=True)
def _orm_beside_playwright(monkeypatch):
    """Playwright's sync API keeps an asyncio loop running in this thread while it is started, which makes
    Django refuse ORM calls ("from an async context"), including pytest-django's flush after each test.
    Nothing here runs concurrently with that loop, so the check is switched off, for browser tests only."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="package")
def browser() -> Iterator:
    """One headless Chromium for the browser tests (package scope: stopped before other tests run,
    whose async code would otherwise meet Playwright's loop)."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is not installed (apt-get install chromium)"
        if os.environ.get("FLAXU_REQUIRE_BROWSER") == "1":
            pytest.fail(f"FLAXU_REQUIRE_BROWSER=1 but {message}.", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser, live_asgi_server) -> Iterator:
    """A fresh browser context (no cookies) whose relative URLs go to the Daphne subprocess.

    `page.errors` collects uncaught JavaScript errors; journeys assert it stays empty.
    """
    context = browser.new_context(base_url=str(live_asgi_server))
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    new_page = context.new_page()
    new_page.errors = []
    new_page.on("pageerror", lambda error: new_page.errors.append(str(error)))
    try:
        yield new_page
    finally:
        context.close()


@pytest.fixture
def full_user(transactional_db):
    """A user with FULL access, committed so the live server sees it."""
    from tests.factories import UserFactory
    from tests.trading.factories import grant_full

    user = UserFactory()
    grant_full(user)
    return user
