"""``digestgen serve`` in a real browser: headless Chromium (Debian's ``chromium`` package)
driven by Playwright's Python package, which only drives the browser and never downloads one.

Skipped, with the reason, when either is missing (failed instead when DIGESTGEN_REQUIRE_BROWSER
is set, as CI does). Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import pytest
from conftest import browser_unavailable

from digestgen.config import Paths
from digestgen.serve import Preview
from digestgen.serve.inject import OVERLAY_ID

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
RELOAD_BUDGET_MS = 2000  # from saving a file to the new text on screen


def chromium_path() -> str | None:
    for candidate in (os.environ.get("DIGESTGEN_CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture(scope="module")
def browser():
    """Skipped with the reason when Playwright or Chromium is missing (failing instead under
    DIGESTGEN_REQUIRE_BROWSER, which CI sets), via conftest's browser_unavailable."""
    try:
        from playwright import sync_api
    except ImportError:
        browser_unavailable("the Python package playwright is not installed (pip install -e '.[test]')")
    executable = chromium_path()
    if executable is None:
        browser_unavailable("Chromium is not installed (apt-get install chromium, or set DIGESTGEN_CHROMIUM)")
    with sync_api.sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        except sync_api.Error as exc:
            browser_unavailable(f"Playwright could not start Chromium at {executable}: {exc.message.splitlines()[0]}")
        try:
            yield chromium
        finally:
            chromium.close()


from test_serve import site  # noqa: E402,F401  (the same small site as the in-process tests)


@pytest.fixture
def preview(site: Paths):  # noqa: F811
    with Preview(site, port=0, debounce=0.05) as running:
        yield running


def story_url(preview: Preview, text: str) -> str:
    from test_serve import story_page

    return preview.url.rstrip("/") + story_page(preview.root, text)


def test_an_edit_appears_in_an_open_tab_within_two_seconds(browser, preview: Preview, site: Paths) -> None:
    from playwright.sync_api import expect

    page = browser.new_page()
    try:
        page.goto(story_url(preview, "Miller Street"))
        expect(page.locator("body")).to_contain_text("Miller Street")
        page.evaluate("window.notReloadedYet = true")

        bakery = site.content / "bakery.md"
        saved = time.perf_counter()
        bakery.write_text(bakery.read_text().replace("Miller Street", "Baker Lane"), encoding="utf-8")
        expect(page.locator("body")).to_contain_text("Baker Lane", timeout=RELOAD_BUDGET_MS)
        elapsed = time.perf_counter() - saved

        assert page.evaluate("typeof window.notReloadedYet") == "undefined"  # the script reloaded the tab
        assert "Miller Street" not in page.inner_text("body")
        assert elapsed < RELOAD_BUDGET_MS / 1000
        _screenshot(page, "serve-after-edit.png")
    finally:
        page.close()


def test_a_tab_follows_its_article_to_the_address_a_new_title_gives_it(browser, preview: Preview, site: Paths) -> None:
    """Before its address is in the story lock, a title edit moves an article's page: the
    tab goes there (as Hugo's server sends it), not to "Page not found"."""
    from playwright.sync_api import expect

    page = browser.new_page()
    try:
        page.goto(preview.url.rstrip("/") + "/articles/town-bakery-wins-national-prize-for-sourdough-loaf/")
        expect(page.locator("h1")).to_contain_text("Town bakery wins")
        bakery = site.content / "bakery.md"
        bakery.write_text(bakery.read_text().replace("Town bakery wins", "Town bakery takes"), encoding="utf-8")
        expect(page.locator("h1")).to_contain_text("Town bakery takes", timeout=RELOAD_BUDGET_MS * 2)
        assert page.url.endswith("/articles/town-bakery-takes-national-prize-for-sourdough-loaf/")
    finally:
        page.close()


def test_a_build_error_shows_over_the_page_and_goes_away_when_fixed(browser, preview: Preview, site: Paths) -> None:
    from playwright.sync_api import expect

    page = browser.new_page()
    try:
        page.goto(story_url(preview, "Miller Street"))
        overlay = page.locator(f"#{OVERLAY_ID}")
        expect(overlay).to_have_count(0)

        broken = site.templates / "story.html"
        broken.parent.mkdir(exist_ok=True)
        broken.write_text('{% extends "base.html" %}\n\n{% if %}\n', encoding="utf-8")
        expect(overlay).to_be_visible(timeout=RELOAD_BUDGET_MS)
        expect(overlay).to_contain_text("story.html:3:")
        expect(page.locator("body")).to_contain_text("Miller Street")  # the last good page beneath it
        _screenshot(page, "serve-error-overlay.png")

        broken.unlink()
        expect(overlay).to_have_count(0, timeout=RELOAD_BUDGET_MS)
    finally:
        page.close()


def test_every_open_tab_reloads_and_a_hidden_one_when_shown(browser, preview: Preview, site: Paths) -> None:
    from playwright.sync_api import expect

    from test_serve import version_of, wait_for_rebuild

    url = story_url(preview, "Miller Street")
    contexts = [browser.new_context() for _ in range(2)]  # two browsers, as far as the server can tell
    try:
        tabs = [context.new_page() for context in contexts for _ in range(2)]
        for tab in tabs:
            tab.goto(url)
            tab.evaluate("window.notReloadedYet = true")
        hidden = tabs[-1]
        hidden.evaluate("""() => {
            Object.defineProperty(document, "hidden", { configurable: true, get: () => true });
            document.dispatchEvent(new Event("visibilitychange"));
        }""")
        seen = version_of(tabs[0].content())

        bakery = site.content / "bakery.md"
        bakery.write_text(bakery.read_text().replace("Miller Street", "Baker Lane"), encoding="utf-8")
        for tab in tabs[:-1]:
            expect(tab.locator("body")).to_contain_text("Baker Lane", timeout=RELOAD_BUDGET_MS)
        wait_for_rebuild(preview, seen)
        assert hidden.evaluate("window.notReloadedYet") is True  # a hidden tab holds no poll open

        hidden.evaluate("""() => {
            Object.defineProperty(document, "hidden", { configurable: true, get: () => false });
            document.dispatchEvent(new Event("visibilitychange"));
        }""")
        expect(hidden.locator("body")).to_contain_text("Baker Lane", timeout=RELOAD_BUDGET_MS)
    finally:
        for context in contexts:
            context.close()


def test_a_template_edit_shows_in_the_open_tab_at_once_and_it_reloads_once(
    browser, preview: Preview, site: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The preview makes the page on screen with the new template first; the rebuild of the
    whole site that follows (held here until the tab has reloaded) has nothing new for that
    tab, which then keeps its page as it is."""
    from playwright.sync_api import expect

    import digestgen.serve as serve_module
    from digestgen.render import theme_dir
    from test_serve import settle

    go_on = threading.Event()
    real_build = serve_module.build

    def held(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        if kwargs.get("progress") is not None:  # the rebuild that follows a patch
            assert go_on.wait(30)
        return real_build(*args, **kwargs)

    monkeypatch.setattr(serve_module, "build", held)
    page = browser.new_page()
    polls: list[str] = []
    page.on("request", lambda request: polls.append(request.url) if "/__digestgen/poll" in request.url else None)

    def wait_for_poll(version: str) -> None:
        deadline = time.monotonic() + 10
        while not any(f"since={version}&" in url for url in polls):
            assert time.monotonic() < deadline, f"the tab never asked for reloads since {version}"
            page.wait_for_timeout(20)

    try:
        page.goto(story_url(preview, "Miller Street"))
        page.evaluate("window.notReloadedYet = true")
        wait_for_poll(preview.state.snapshot().version)

        template = site.templates / "base.html"
        template.write_text((theme_dir() / "base.html").read_text(encoding="utf-8").replace(
            "Skip to content", "Skip to the news"), encoding="utf-8")
        expect(page.locator(".skip-link")).to_have_text("Skip to the news", timeout=RELOAD_BUDGET_MS)
        assert page.evaluate("typeof window.notReloadedYet") == "undefined"  # reloaded, before the rebuild
        page.evaluate("window.notReloadedYet = true")
        wait_for_poll(preview.state.snapshot().version)

        go_on.set()
        settle(preview)
        wait_for_poll(preview.state.snapshot().version)  # it heard of the rebuild, and asks again from there
        assert page.evaluate("window.notReloadedYet") is True  # without reloading
    finally:
        go_on.set()
        page.close()


def _screenshot(page, name: str) -> None:  # noqa: ANN001
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)
