"""Debian's chromium driven by Playwright, for the pages' end-to-end tests.

One browser per test session (``browser`` fixture); each test opens contexts of its own (a
phone-sized one for the committee member). Every page a test visits is saved as a screenshot
under ``var/test-artifacts/pages/`` (printed at the end of the session). Playwright's own browser
download is not used: ``/usr/bin/chromium`` comes from Debian (deploy/test.sh installs it).
"""
import os
import pathlib
import re
import shutil

import pytest
from playwright.sync_api import expect

ROOT = pathlib.Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "var" / "test-artifacts" / "pages"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 1, "is_mobile": True,
         "has_touch": True}
DESKTOP = {"viewport": {"width": 1200, "height": 900}}
# the smallest phone the pages are made for
SMALL_PHONE = {"viewport": {"width": 360, "height": 640}, "device_scale_factor": 1,
               "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="session")
def browser():
    if not pathlib.Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed: apt-get install chromium (deploy/test.sh does)")
    from playwright.sync_api import sync_playwright

    # a service worker's own requests reach context.route: a test cuts them off too (Chromium
    # does not apply context.set_offline to a service worker's fetches)
    os.environ.setdefault("PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS", "1")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    manager = sync_playwright()
    playwright = manager.start()
    launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
    try:
        yield launched
    finally:
        launched.close()
        # Playwright's stop() waits for its driver through asyncio's child watcher, which
        # never hears back under eventlet's monkey-patching: end the driver process directly
        manager._client._transport._proc.kill()
        print(f"\npage screenshots: {ARTIFACTS}")


def screenshot(page, name, full_page=True):
    """Save the whole page (or what the screen shows) as ``<name>.png`` among the test
    artifacts."""
    path = ARTIFACTS / f"{re.sub(r'[^a-z0-9_-]+', '-', name.lower())}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def sign_in(page, base_url, username, password):
    page.goto(f"{base_url}/app/sign-in")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(re.compile(r".*/app/(?!sign-in).*"))


def signed_in(browser, system, username, device=DESKTOP):
    """A new browser context (``device``'s screen, Vietnamese), signed in as ``username``."""
    context = browser.new_context(**device, locale="vi-VN")
    page = context.new_page()
    sign_in(page, system.base_url, username, system.passwords[username])
    return context, page
