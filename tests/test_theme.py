"""The theme on every screen (issue 12, Deliver 5): built sites opened in a real browser
(Playwright driving Debian's Chromium) at a phone's width (390 px) and a desktop's (1280 px).

Each test measures what a reader sees: where boxes are, whether a word is split across
lines, whether the page scrolls sideways; and axe-core checks every page's accessibility.
"""

from __future__ import annotations

import functools
import http.server
import importlib.util
import os
import shutil
import threading
from pathlib import Path

import pytest

from conftest import REPO, article, make_site, require_or_skip, run_cli

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WIDTHS = (390, 1280)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        pass  # a page closed while its images load


class Served:
    """A built site's output folder on a local HTTP server, opened at a width."""

    def __init__(self, browser, output: Path):
        self.browser = browser
        self.server = _Server(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(output)))
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.contexts: list = []

    def open(self, path: str, width: int):
        context = self.browser.new_context(viewport={"width": width, "height": 900})
        self.contexts.append(context)
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{self.server.server_port}{path}")
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()
        self.server.shutdown()


@pytest.fixture
def serve(browser):
    served: list[Served] = []

    def start(site: Path) -> Served:
        result = run_cli("--site", str(site))
        assert result.returncode == 0, result.stderr
        served.append(Served(browser, site / "output"))
        return served[-1]

    yield start
    for one in served:
        one.close()


@pytest.fixture(scope="module")
def sample_output(tmp_path_factory) -> Path:
    """The repository's own sample site, built into a temporary folder."""
    site = tmp_path_factory.mktemp("sample")
    for name in ("content", "layouts", "config.yaml"):
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, site / name)
    return site


def screenshot(page, name: str, fallback: Path) -> None:
    """Keep a full-page screenshot: in $BROADSHEET_SCREENSHOTS when set (to look at them), else
    beside the test's site."""
    folder = Path(os.environ.get("BROADSHEET_SCREENSHOTS") or fallback)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / name), full_page=True)
    assert (folder / name).stat().st_size > 1000


SPLIT_WORDS = """() => {
  // Every word of every table cell, and whether it is drawn on more than one line.
  const split = [];
  for (const cell of document.querySelectorAll('.prose td, .prose th')) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.data.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
        if (lines.size > 1) split.push(match[0]);
      }
    }
  }
  return split;
}"""


@pytest.mark.parametrize("width", WIDTHS)
def test_issue_12_the_sample_site_fits_the_screen_and_its_tables_scroll_instead_of_breaking_words(
        serve, sample_output, width):
    served = serve(sample_output)
    for path in ("/", "/articles/bus-punctuality-data/", "/archive/2026/11/", "/tags/", "/authors/", "/about/",
                 "/de/", "/de/articles/ruderregatta/"):
        page = served.open(path, width)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{path} scrolls sideways at {width}px"
    page = served.open("/articles/bus-punctuality-data/", width)
    screenshot(page, f"table-article-{width}.png", sample_output)
    assert page.locator(".prose table").count() == 1
    assert page.evaluate(SPLIT_WORDS) == [], "a word of a table is broken across lines"
    box = page.evaluate("(() => { const b = document.querySelector('.table-scroll');"
                        " return [b.scrollWidth, b.clientWidth]; })()")
    if width == 390:
        assert box[0] > box[1], "the table neither fits nor scrolls"


@pytest.mark.parametrize("width", WIDTHS)
def test_issue_12_a_title_alone_keeps_its_descenders_clear_of_the_masthead_rule(serve, tmp_path, width):
    site = make_site(tmp_path / "site", {"content/articles/a.md": article("Anything")},
                     config="title: Typography Quarterly\n")
    page = serve(site).open("/", width)
    title_bottom, rule_top = page.evaluate("""(() => {
        const title = document.querySelector('.masthead__title');
        const range = document.createRange(); range.selectNodeContents(title);
        const masthead = document.querySelector('.masthead');
        const style = getComputedStyle(masthead);
        return [range.getBoundingClientRect().bottom,
                masthead.getBoundingClientRect().bottom - parseFloat(style.borderBottomWidth)];
    })()""")
    assert title_bottom + 4 <= rule_top, f"the title's glyphs reach {title_bottom}, the rule starts at {rule_top}"


NAV = "nav:\n" + "".join(f"  - {{title: Section {n}, url: /section-{n}/}}\n" for n in range(1, 11))


def test_issue_12_a_long_menu_folds_behind_a_button_on_a_phone_without_javascript(serve, tmp_path):
    site = make_site(tmp_path / "site", {"content/articles/a.md": article("Anything")},
                     config="title: Test Gazette\nbase_url: https://example.org/\n" + NAV)
    served = serve(site)
    phone = served.open("/", 390)
    phone.context.set_offline(True)
    links = phone.locator(".site-nav a")
    assert links.count() == 10
    assert not links.first.is_visible()
    assert phone.locator(".site-nav").bounding_box()["height"] < 60
    phone.get_by_text("Menu").click()
    assert all(links.nth(n).is_visible() for n in range(10))
    phone.get_by_text("Menu").click()
    assert not links.first.is_visible()
    desktop = served.open("/", 1280)
    assert all(desktop.locator(".site-nav a").nth(n).is_visible() for n in range(10))
    assert not desktop.get_by_text("Menu").is_visible()
    assert desktop.locator(".site-nav").bounding_box()["height"] < 60  # one line
    # Without JavaScript at all: the same page, the same menu.
    context = served.browser.new_context(viewport={"width": 390, "height": 900}, java_script_enabled=False)
    served.contexts.append(context)
    bare = context.new_page()
    bare.goto(phone.url)
    bare.get_by_text("Menu").click()
    assert bare.locator(".site-nav a").nth(9).is_visible()


ROWS = """() => [...document.querySelectorAll('.cards')].map(grid => {
  // For each card grid: its width, and for each row of cards the left of its first card
  // and the right of its last.
  const box = grid.getBoundingClientRect();
  const rows = {};
  for (const li of grid.children) {
    const r = li.getBoundingClientRect();
    const top = Math.round(r.top);
    rows[top] = rows[top] || [Infinity, -Infinity];
    rows[top][0] = Math.min(rows[top][0], r.left);
    rows[top][1] = Math.max(rows[top][1], r.right);
  }
  return {left: box.left, right: box.right, rows: Object.values(rows)};
})"""


def test_issue_12_card_grids_have_no_holes_at_any_count_of_cards(serve, tmp_path):
    # Tag "t<n>" has n articles (1 to 7); every article has a picture; the home page
    # shows a lead and the other seven.
    files = {f"content/articles/a{i}.md": article(f"Story {i}", f"2026-03-{i:02d} 09:00",
                                                   tags="[" + ", ".join(f"t{n}" for n in range(i, 8)) + "]",
                                                   image="/images/p.svg", summary="A few words of summary.")
             for i in range(1, 9)}
    files["content/images/p.svg"] = '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="200"/>\n'
    site = make_site(tmp_path / "site", files, config="title: Test Gazette\nbase_url: https://example.org/\npaginate: 20\n")
    served = serve(site)
    checked = 0
    for width in (390, 700, 1000, 1280):
        for path in ["/", "/articles/a4/"] + [f"/tags/t{n}/" for n in range(1, 8)]:
            page = served.open(path, width)
            for grid in page.evaluate(ROWS):
                for left, right in grid["rows"]:
                    assert abs(left - grid["left"]) < 1.5 and abs(right - grid["right"]) < 1.5, \
                        f"{path} at {width}px: a row of cards from {left} to {right} in a grid from " \
                        f"{grid['left']} to {grid['right']}"
                    checked += 1
            page.context.close()
            served.contexts.remove(page.context)
    assert checked > 50


def test_issue_12_the_archive_offers_jump_to_before_its_long_list_on_a_phone(serve, sample_output):
    page = serve(sample_output).open("/archive/2026/11/", 390)
    jump = page.locator(".archive-nav").bounding_box()
    first = page.locator(".archive-list li").first.bounding_box()
    assert jump["y"] + jump["height"] <= first["y"]


RTL_TABLE = "| المدينة | السكان |\n|---|---:|\n| القاهرة الكبرى | 22٬183٬000 |\n| الإسكندرية | 5٬588٬000 |\n"


def test_issue_12_a_right_to_left_site_mirrors_its_layout(serve, tmp_path):
    site = make_site(tmp_path / "site", {
        "content/articles/a.md": article("القاهرة", body="> اقتباس من المقال.\n\nنص المقال.\n\n" + RTL_TABLE,
                                         tags="[مصر]"),
    }, config="title: الجريدة\nbase_url: https://example.org/\nlanguage: ar\n")
    served = serve(site)
    for width in WIDTHS:
        page = served.open("/articles/a/", width)
        screenshot(page, f"rtl-article-{width}.png", tmp_path)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"scrolls sideways at {width}px"
        assert page.evaluate(SPLIT_WORDS) == [], "a word of a table is broken across lines"
    home = served.open("/", 1280)
    main, sidebar = home.locator("main").bounding_box(), home.locator(".sidebar").bounding_box()
    assert sidebar["x"] + sidebar["width"] <= main["x"], "the sidebar is not on the left of a right-to-left page"
    story = served.open("/articles/a/", 1280)
    quote = story.evaluate("(() => { const s = getComputedStyle(document.querySelector('.prose blockquote'));"
                           " return [s.borderRightWidth, s.borderLeftWidth]; })()")
    assert quote == ["4px", "0px"], "the quote's rule is not on its starting (right) side"


@pytest.mark.parametrize("width", WIDTHS)
def test_issue_12_axe_finds_no_serious_accessibility_problem(serve, sample_output, tmp_path, width):
    require_or_skip(importlib.util.find_spec("axe_playwright_python") is not None,
                    "axe-playwright-python is not installed (pip install -e '.[test]')")
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    arabic = make_site(tmp_path / "ar", {"content/articles/a.md": article("القاهرة", tags="[مصر]")},
                       config="title: الجريدة\nbase_url: https://example.org/\nlanguage: ar\n" + NAV)
    problems = []
    for served, paths in ((serve(sample_output), ("/", "/articles/bus-punctuality-data/", "/archive/2026/11/",
                                                  "/tags/transport/", "/authors/", "/404.html", "/de/",
                                                  "/de/articles/ruderregatta/")),
                          (serve(arabic), ("/", "/articles/a/"))):
        for path in paths:
            page = served.open(path, width)
            results = axe.run(page)
            problems += [(path, v["id"], v["help"], [n["target"] for n in v["nodes"]][:3])
                         for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert problems == [], "\n".join(map(str, problems))
