"""The live preview in a real browser: Playwright for Python driving Debian's Chromium
(/usr/bin/chromium, installed by .ci/run) against `python build.py serve` in a subprocess.

An author keeps a tab open and saves files: the tab follows without any action.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import MINIMAL_CONFIG, ServeProcess, article, make_site

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WAIT_MS = 8000
"""How long the page may take to follow a save (it normally takes well under a second)."""

BROKEN_LINE = "title: Vote: what next"


@pytest.fixture
def live(tmp_path: Path, serve_site) -> ServeProcess:
    site = make_site(tmp_path / "site", {
        "config.yaml": MINIMAL_CONFIG,
        "content/articles/alpha.md": article("Alpha story", "2026-03-03 10:00", "Alpha opening paragraph.\n"),
        "content/articles/beta.md": article("Beta story", "2026-03-02 10:00", "Beta body.\n"),
        "content/pages/about.md": "---\ntitle: About\n---\nAbout us.\n",
        "layouts/static/site.css": "body { border-top: 1px solid rgb(0, 0, 0); }\n",
        "layouts/partials/head_extra.html": "<link rel=\"stylesheet\" href=\"{{ asset('static/site.css') }}\">\n",
    })
    return serve_site(site)


@pytest.fixture
def page(browser, live: ServeProcess):
    context = browser.new_context()
    tab = context.new_page()
    tab.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def open_tab(page, live: ServeProcess, path: str) -> None:
    """Open a preview page and wait until its reload script has heard from the server."""
    page.goto(live.base + path)
    page.wait_for_function("document.documentElement.dataset.broadsheetEpoch !== undefined")


def epoch(page) -> int:
    return int(page.evaluate("document.documentElement.dataset.broadsheetEpoch"))


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_a_new_headline_shows_in_the_open_tab(page, live: ServeProcess) -> None:
    open_tab(page, live, "/articles/alpha/")
    assert page.inner_text("h1") == "Alpha story"
    write(live.site / "content/articles/alpha.md",
          article("A brand new headline", "2026-03-03 10:00", "Alpha opening paragraph.\n"))
    page.wait_for_function("document.querySelector('h1').textContent.trim() === 'A brand new headline'")
    assert "A brand new headline" in page.title()


def test_broken_front_matter_shows_the_overlay_and_the_fix_removes_it(page, live: ServeProcess) -> None:
    open_tab(page, live, "/articles/alpha/")
    assert page.locator("#broadsheet-overlay").count() == 0
    path = live.site / "content/articles/alpha.md"
    write(path, f"---\n{BROKEN_LINE}\ndate: 2026-03-03 10:00\n---\nA body that does not build.\n")
    overlay = page.locator("#broadsheet-overlay")
    overlay.wait_for(state="visible")
    text = overlay.inner_text()
    assert "content/articles/alpha.md:2" in text and "error" in text, text
    assert BROKEN_LINE in text, text  # the offending source line
    assert page.inner_text("h1") == "Alpha story"  # the last good page stays underneath
    write(path, article('"Vote: what next"', "2026-03-03 10:00", "Fixed.\n"))
    overlay.wait_for(state="detached")
    page.wait_for_function("document.querySelector('h1').textContent.trim() === 'Vote: what next'")


def test_the_overlay_shows_in_every_open_tab(browser, page, live: ServeProcess) -> None:
    other = page.context.new_page()
    other.set_default_timeout(WAIT_MS)
    open_tab(page, live, "/articles/alpha/")
    open_tab(other, live, "/about/")
    write(live.site / "layouts/partials/head_extra.html", "{% if %}\n")
    for tab in (page, other):
        tab.locator("#broadsheet-overlay").wait_for(state="visible")
        assert "layouts/partials/head_extra.html:1" in tab.locator("#broadsheet-overlay").inner_text()
    write(live.site / "layouts/partials/head_extra.html", "<meta name=\"fixed\" content=\"1\">\n")
    for tab in (page, other):
        tab.locator("#broadsheet-overlay").wait_for(state="detached")


def test_a_stylesheet_change_restyles_without_a_reload(page, live: ServeProcess) -> None:
    open_tab(page, live, "/articles/alpha/")
    assert page.evaluate("getComputedStyle(document.body).borderTopWidth") == "1px"
    page.evaluate("window.__broadsheetTestMarker = 'still here'")
    write(live.site / "layouts/static/site.css", "body { border-top: 7px solid rgb(1, 2, 3); }\n")
    page.wait_for_function("getComputedStyle(document.body).borderTopWidth === '7px'")
    assert page.evaluate("window.__broadsheetTestMarker") == "still here", "the page was reloaded"
    assert page.evaluate("getComputedStyle(document.body).borderTopColor") == "rgb(1, 2, 3)"


def test_a_tab_on_another_page_is_not_reloaded(page, live: ServeProcess) -> None:
    open_tab(page, live, "/about/")
    before = epoch(page)
    page.evaluate("window.__broadsheetTestMarker = 'still here'")
    write(live.site / "content/articles/alpha.md",
          article("Alpha story", "2026-03-03 10:00", "An edit that the about page does not show.\n"))
    page.wait_for_function(f"Number(document.documentElement.dataset.broadsheetEpoch) > {before}")
    assert page.evaluate("window.__broadsheetTestMarker") == "still here"


def test_a_tab_on_a_missing_page_shows_it_once_written(page, live: ServeProcess) -> None:
    response = page.goto(live.base + "/articles/fresh/")
    assert response.status == 404
    page.wait_for_function("document.documentElement.dataset.broadsheetEpoch !== undefined")
    write(live.site / "content/articles/fresh.md", article("Fresh story", "2026-03-04 10:00", "Just in.\n"))
    page.wait_for_function("document.querySelector('h1').textContent.trim() === 'Fresh story'")
