"""Driving a real Chromium for the browser tests: the one place that knows how to start it.

Chromium comes from the system (Debian's `chromium` package). Without it the browser tests are
skipped with a message saying how to install it, unless REQUIRE_BROWSER=1, as in CI.
"""

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .measurements import ARTIFACTS, SUMMARY  # noqa: F401 - browser tests report through them

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}

# Flags that keep Chromium from calling home on a machine that has no network but our own.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
]


def chromium_path():
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return configured if Path(configured).exists() else None
    for candidate in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if Path(candidate).exists():
            return candidate
    return shutil.which("chromium")


def require_chromium():
    path = chromium_path()
    if path is None:
        message = (
            "Chromium is not installed, so the browser tests cannot run. Install it with "
            "`apt-get install chromium` (Debian/Ubuntu), or point CHROMIUM_PATH at a Chromium."
        )
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return path


def select_back(page, words):
    """Select the `words` just typed before the caret, as a person would with Shift+Left.

    The selection is checked after each press rather than the presses counted: on a loaded
    machine the editor can drop or delay a press while it settles. Then one frame passes, so
    the editor has read the browser's selection before a toolbar button acts on it.
    """
    for _ in range(3 * len(words)):
        if page.evaluate("getSelection().toString()") == words:
            break
        page.keyboard.press("Shift+ArrowLeft")
    assert page.evaluate("getSelection().toString()") == words
    page.evaluate("new Promise(done => requestAnimationFrame(() => setTimeout(done, 50)))")


def link_words(page, field, words, url):
    """Make the `words` just typed before the caret a link to `url` through the editor's
    link dialog, then wait until the editor holds the link and has the focus back: a key
    pressed while the dialog is still closing would miss the text, and the next one typed
    would replace the still-selected words."""
    from playwright.sync_api import expect

    select_back(page, words)
    field.locator('button[data-name="link"]').click()
    dialog = page.locator("dialog[open]")
    dialog.get_by_label("URL").fill(url)
    dialog.get_by_role("button", name="Update").click()
    expect(dialog).to_have_count(0)
    editable = field.locator('[contenteditable="true"]')
    expect(editable.locator(f'a[href="{url}"]')).to_have_text(words)
    expect(editable).to_be_focused()


class RequestLog:
    """Every request a page makes, so a test can show none left the site's own origin."""

    def __init__(self, origin):
        self.origin = origin
        self.urls = []

    def record(self, request):
        self.urls.append(request.url)

    def foreign(self):
        own = urlsplit(self.origin).netloc
        return [
            url
            for url in self.urls
            if urlsplit(url).scheme in {"http", "https", "ws", "wss"}
            and urlsplit(url).netloc != own
        ]


def screenshot(page, name):
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"]
    page.screenshot(path=folder / f"{name}-{width}.png", full_page=True)
