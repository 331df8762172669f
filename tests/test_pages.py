"""What every rendered page holds: listings, articles, indexes, URLs, links and escaping.

Real sites in temporary folders, built through the Python API (`pipeline.build`) or the
real command line (`run_cli`). HTML is checked through a small tree built with the
standard library's `html.parser`, not with regular expressions.
"""

from __future__ import annotations

import json
import posixpath
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from broadsheet.pipeline import BuildOptions, build
from conftest import REPO, article, make_site, run_cli, snapshot

# --------------------------------------------------------------------------- HTML tree

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Node:
    """One element of a parsed page: tag, attributes (unescaped), children (nodes and text)."""

    def __init__(self, tag: str, attrs: dict[str, str | None], parent: "Node | None"):
        self.tag = tag
        self.attrs = attrs
        self.parent = parent
        self.children: list[Node | str] = []

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default)

    @property
    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    def iter(self):
        """Yield every descendant element, document order."""
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, *, cls: str | None = None, **attrs: str) -> list["Node"]:
        found = []
        for node in self.iter():
            if tag is not None and node.tag != tag:
                continue
            if cls is not None and cls not in node.classes:
                continue
            if any(node.attrs.get(k.rstrip("_")) != v for k, v in attrs.items()):
                continue
            found.append(node)
        return found

    def find(self, tag: str | None = None, **kwargs) -> "Node | None":
        found = self.find_all(tag, **kwargs)
        return found[0] if found else None

    def one(self, tag: str | None = None, **kwargs) -> "Node":
        found = self.find_all(tag, **kwargs)
        assert len(found) == 1, f"expected exactly one <{tag}> {kwargs}, found {len(found)}"
        return found[0]

    def raw_text(self) -> str:
        return "".join(c if isinstance(c, str) else c.raw_text() for c in self.children)

    def text(self) -> str:
        """Text content with runs of white space collapsed."""
        return " ".join(self.raw_text().split())

    def hrefs(self, prefix: str = "") -> list[str]:
        """Every a[href] starting with `prefix`, document order, without repeats."""
        seen: list[str] = []
        for a in self.find_all("a"):
            href = a.get("href") or ""
            if href.startswith(prefix) and href not in seen:
                seen.append(href)
        return seen

    def __repr__(self) -> str:
        return f"<{self.tag} {self.attrs}>"


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {}, None)
        self.stack = [self.root]
        self.errors: list[str] = []
        self.start_tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.start_tags.append(tag)
        node = Node(tag, dict(attrs), self.stack[-1])
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.start_tags.append(tag)
        self.stack[-1].children.append(Node(tag, dict(attrs), self.stack[-1]))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        open_tags = [n.tag for n in self.stack]
        if tag not in open_tags[1:]:
            self.errors.append(f"stray </{tag}> (open: {'/'.join(open_tags[1:])})")
            return
        while self.stack[-1].tag != tag:
            self.errors.append(f"<{self.stack.pop().tag}> not closed before </{tag}>")
        self.stack.pop()

    def handle_data(self, data):
        self.stack[-1].children.append(data)


class Page(Node):
    """A parsed HTML document, with the parse problems found on the way."""

    errors: list[str]
    start_tags: list[str]


def parse_html(text: str) -> Page:
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    for node in builder.stack[1:]:
        builder.errors.append(f"<{node.tag}> never closed")
    page = builder.root
    page.__class__ = Page
    page.errors = builder.errors
    page.start_tags = builder.start_tags
    return page


def load(out: Path, rel: str) -> Page:
    path = out / rel
    assert path.is_file(), f"{rel} was not written; the output has: {sorted(p.relative_to(out).as_posix() for p in out.rglob('*') if p.is_file())}"
    return parse_html(path.read_text(encoding="utf-8"))


def main_of(page: Page) -> Node:
    return page.one("main")


def section_titled(root: Node, heading: str) -> Node:
    """The element whose own heading (h2/h3) reads `heading`."""
    for node in root.iter():
        for child in node.children:
            if isinstance(child, Node) and child.tag in ("h2", "h3") and child.text().casefold() == heading.casefold():
                return node
    raise AssertionError(f"no section headed {heading!r}")


def html_files(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


# --------------------------------------------------------------------------- link checker

def page_url(out: Path, path: Path, prefix: str) -> str:
    rel = path.relative_to(out).as_posix()
    if rel == "index.html":
        return prefix
    if rel.endswith("/index.html"):
        return prefix + rel[: -len("index.html")]
    return prefix + rel


def references(page: Page) -> list[tuple[str, str]]:
    """Every (tag, URL) a page points at through href or src."""
    refs = []
    for node in page.iter():
        for attr in ("href", "src"):
            value = node.get(attr)
            if value is not None:
                refs.append((node.tag, value))
    return refs


def check_links(out: Path, base_url: str) -> tuple[list[str], list[str]]:
    """Resolve every internal href/src of every HTML file under `out` to a file.

    Return (URLs without the base path prefix, URLs that lead to no file). The base
    path prefix is stripped, `x/` maps to `x/index.html`, fragments and queries are
    ignored.
    """
    base = urlsplit(base_url)
    prefix = base.path
    unprefixed, broken = [], []
    for path in html_files(out):
        here = page_url(out, path, prefix)
        for tag, value in references(parse_html(path.read_text(encoding="utf-8"))):
            where = f"{path.relative_to(out).as_posix()}: <{tag}> {value}"
            value = value.strip()
            if not value or value.startswith("#"):
                continue
            parts = urlsplit(value)
            if parts.scheme in ("mailto", "tel", "data", "javascript"):
                continue
            if parts.scheme or parts.netloc:
                if parts.netloc != base.netloc:
                    continue  # another site
                target = parts.path or "/"
            elif value.startswith("/"):
                target = parts.path
            else:
                if not parts.path:
                    continue  # only a query
                target = posixpath.normpath(posixpath.join(posixpath.dirname(here) if not here.endswith("/")
                                                          else here, parts.path))
                if parts.path.endswith("/") and not target.endswith("/"):
                    target += "/"
            if not target.startswith(prefix):
                unprefixed.append(where)
                continue
            rel = unquote(target[len(prefix):])
            if rel == "" or rel.endswith("/"):
                rel += "index.html"
            file = out / rel
            if not file.is_file() or not file.resolve().is_relative_to(out.resolve()):
                broken.append(where)
    return unprefixed, broken


# --------------------------------------------------------------------------- sites

SVG = b"<svg xmlns='http://www.w3.org/2000/svg' width='4' height='3'/>\n"

ANN = """\
    ---
    name: Ann Author
    role: Senior Reporter
    avatar: /images/ann.svg
    links:
      twitter: "@annauthor"
      website: https://ann.example.net/
    ---
    Ann covers the council and its money.
    """

BOB = """\
    ---
    name: Bob Writer
    role: Night Editor
    ---
    Bob edits the late pages.
    """

MAIN_BODY = """\
Opening paragraph of the budget story.

A second paragraph with [a page](/about/) and [another story](/articles/budget-reaction/).

![Councillors vote](/images/hero.svg "The chamber on Tuesday. | Photo: Desk Staff")

See also ![a relative chart](../images/chart.svg).
"""


def newsroom_files() -> dict[str, str | bytes]:
    return {
        "content/authors/ann.md": ANN,
        "content/authors/bob.md": BOB,
        "content/articles/council-budget.md": article(
            "Council passes budget", "2026-03-10 09:00", MAIN_BODY,
            subtitle="Spending rises for the first time in a decade",
            image="{src: /images/hero.svg, alt: Councillors raise their hands, caption: The vote on Tuesday, "
                  "credit: Jane Doe/Agency via Wire Photos}",
            authors="[ann, bob]", tags="[Politics, Budget, Council]", updated="2026-03-11 08:30",
            credits="Two news agencies contributed to this report."),
        "content/articles/budget-reaction.md": article("Budget reaction", "2026-01-05 12:00",
                                                       tags="[Politics, Budget]", authors="ann"),
        "content/articles/meeting-moved.md": article("Council meeting moved", "2026-03-08 12:00",
                                                     tags="[Council]", authors="bob"),
        "content/articles/politics-weekly.md": article("Politics weekly", "2026-02-01 12:00",
                                                       tags="[Politics]", authors="Ann Author"),
        "content/articles/old-politics.md": article("Old politics", "2025-12-20 12:00",
                                                    tags="[Politics]", authors="Carol Guest"),
        "content/articles/sport/regatta.md": article("Regatta results", "2026-03-09 12:00", tags="[Sport]",
                                                     authors="bob"),
        "content/pages/about.md": "---\ntitle: About us\n---\nWe are a small paper by the river.\n",
        "content/images/hero.svg": SVG,
        "content/images/ann.svg": SVG,
        "content/images/chart.svg": SVG,
        "content/files/report.pdf": b"%PDF-1.4\n%test\n",
    }


def build_site(root: Path, files: dict, *, config: str | None = None, **options) -> Path:
    """Write a site under `root` and build it with the Python API; return the output folder."""
    make_site(root, files, **({"config": config} if config is not None else {}))
    out = root / "output"
    build(root, BuildOptions(out_dir=out, **options))
    return out


@pytest.fixture(scope="module")
def newsroom(tmp_path_factory) -> Path:
    return build_site(tmp_path_factory.mktemp("newsroom") / "site", newsroom_files())


# --------------------------------------------------------------------------- home and ordering

def test_home_lists_newest_first(newsroom):
    main = main_of(load(newsroom, "index.html"))
    assert main.hrefs("/articles/") == [
        "/articles/council-budget/", "/articles/regatta/", "/articles/meeting-moved/",
        "/articles/politics-weekly/", "/articles/budget-reaction/", "/articles/old-politics/"]
    card_titles = [a.text() for a in main.find_all("a") if a.get("href") == "/articles/council-budget/"]
    assert "Council passes budget" in card_titles


def test_home_ties_break_by_title_then_slug(tmp_path):
    out = build_site(tmp_path, {
        "content/articles/zulu.md": article("Zulu", "2026-03-05 12:00"),
        "content/articles/beta.md": article("Beta", "2026-03-04 11:00:00+01:00"),  # the same instant
        "content/articles/alpha.md": article("Alpha", "2026-03-04 10:00"),
        "content/articles/g1.md": article("Gamma", "2026-03-04 10:00", slug="gamma-b"),
        "content/articles/g2.md": article("Gamma", "2026-03-04 10:00", slug="gamma-a"),
        "content/articles/aardvark.md": article("Aardvark", "2026-03-01 10:00"),
    })
    assert main_of(load(out, "index.html")).hrefs("/articles/") == [
        "/articles/zulu/", "/articles/alpha/", "/articles/beta/", "/articles/gamma-a/", "/articles/gamma-b/",
        "/articles/aardvark/"]


# --------------------------------------------------------------------------- the article page

def test_article_page_shows_every_part(newsroom):
    page = load(newsroom, "articles/council-budget/index.html")
    assert page.errors == []
    assert page.one("title").text() == "Council passes budget — Test Gazette"
    main = main_of(page)
    assert main.one("h1").text() == "Council passes budget"
    assert any(n.text() == "Spending rises for the first time in a decade" for n in main.iter()
               if n.tag != "main"), "the subtitle is missing"

    hero = [f for f in main.find_all("figure") if f.find("img", src="/images/hero.svg", alt="Councillors raise their hands")]
    assert hero, "no hero figure with the image and its alt text"
    caption = hero[0].one("figcaption").text()
    assert "The vote on Tuesday" in caption and "Jane Doe/Agency via Wire Photos" in caption

    # Byline: each author links to their page, before the body starts.
    text = main.text()
    byline_at = text.index("Ann Author")
    assert byline_at < text.index("Opening paragraph")
    for author_id, name in (("ann", "Ann Author"), ("bob", "Bob Writer")):
        links = [a for a in main.find_all("a", href=f"/authors/{author_id}/") if a.text() == name]
        assert len(links) >= 2, f"{name}: expected a byline link and an author box link, got {len(links)}"

    times = {t.get("datetime"): t.text() for t in main.find_all("time")}
    # The site's language is `en`: American English, as CLDR writes it; the time is the site's (UTC).
    assert times.get("2026-03-10T09:00:00+00:00") == "March 10, 2026, 9:00 AM UTC"
    updated = [t for t in main.find_all("time") if t.get("datetime") == "2026-03-11T08:30:00+00:00"]
    assert updated and updated[0].text() == "March 11, 2026, 8:30 AM UTC"
    assert "Updated" in updated[0].parent.text()

    assert "Opening paragraph of the budget story." in text
    body_figure = [f for f in main.find_all("figure") if f.find("img", src="/images/hero.svg", alt="Councillors vote")]
    assert body_figure and "Photo: Desk Staff" in body_figure[0].text()
    assert main.find("img", src="/images/chart.svg"), "a relative image path in the body is not resolved"
    assert "Two news agencies contributed to this report." in text

    for slug, name in (("politics", "Politics"), ("budget", "Budget"), ("council", "Council")):
        assert any(a.text() == name for a in main.find_all("a", href=f"/tags/{slug}/")), f"no link to tag {name}"

    # Author boxes: role, bio, avatar and links of each author.
    assert "Senior Reporter" in text and "Ann covers the council and its money." in text
    assert "Night Editor" in text and "Bob edits the late pages." in text
    assert main.find("img", src="/images/ann.svg")
    assert main.find("a", href="https://twitter.com/annauthor")
    assert main.find("a", href="https://ann.example.net/")


def test_related_articles_most_shared_tags_then_newest_max_three(newsroom):
    main = main_of(load(newsroom, "articles/council-budget/index.html"))
    related = section_titled(main, "Related")
    assert related.hrefs("/articles/") == [
        "/articles/budget-reaction/",   # shares Politics and Budget
        "/articles/meeting-moved/",     # shares one tag, newest
        "/articles/politics-weekly/",   # shares one tag
    ]  # old-politics also shares a tag but is fourth; the regatta shares none


def test_article_without_tags_has_no_related_section(tmp_path):
    out = build_site(tmp_path, {"content/articles/a.md": article("Lonely", "2026-03-01 10:00"),
                                "content/articles/b.md": article("Other", "2026-03-02 10:00")})
    main = main_of(load(out, "articles/a/index.html"))
    with pytest.raises(AssertionError):
        section_titled(main, "Related")


# --------------------------------------------------------------------------- authors and tags

def test_author_page_lists_their_articles(newsroom):
    page = load(newsroom, "authors/ann/index.html")
    main = main_of(page)
    assert main.one("h1").text() == "Ann Author"
    assert "Senior Reporter" in main.text() and "Ann covers the council and its money." in main.text()
    assert main.hrefs("/articles/") == ["/articles/council-budget/", "/articles/politics-weekly/",
                                        "/articles/budget-reaction/"]
    bob = main_of(load(newsroom, "authors/bob/index.html"))
    assert bob.hrefs("/articles/") == ["/articles/council-budget/", "/articles/regatta/",
                                       "/articles/meeting-moved/"]


def test_generated_author_gets_a_page(newsroom):
    main = main_of(load(newsroom, "authors/carol-guest/index.html"))
    assert main.one("h1").text() == "Carol Guest"
    assert main.hrefs("/articles/") == ["/articles/old-politics/"]


def test_authors_index_lists_everyone(newsroom):
    main = main_of(load(newsroom, "authors/index.html"))
    links = {a.get("href"): a.text() for a in main.find_all("a") if (a.get("href") or "").startswith("/authors/")}
    assert links == {"/authors/ann/": "Ann Author", "/authors/bob/": "Bob Writer",
                     "/authors/carol-guest/": "Carol Guest"}
    assert main.hrefs("/authors/") == ["/authors/ann/", "/authors/bob/", "/authors/carol-guest/"]  # by name


def test_tag_page_lists_tagged_articles(newsroom):
    main = main_of(load(newsroom, "tags/politics/index.html"))
    assert main.one("h1").text() == "Politics"
    assert main.hrefs("/articles/") == ["/articles/council-budget/", "/articles/politics-weekly/",
                                        "/articles/budget-reaction/", "/articles/old-politics/"]
    assert main_of(load(newsroom, "tags/sport/index.html")).hrefs("/articles/") == ["/articles/regatta/"]


def test_tags_index_with_counts(newsroom):
    main = main_of(load(newsroom, "tags/index.html"))
    counts = {}
    for a in main.find_all("a"):
        href = a.get("href") or ""
        if re.fullmatch(r"/tags/[a-z0-9-]+/", href):
            shown = [n for n in a.parent.find_all("span") if n.attrs.get("aria-hidden") == "true"]
            spoken = a.parent.find_all("span", cls="visually-hidden")
            counts[a.text()] = (int(shown[0].text()), spoken[0].text()) if shown and spoken else None
    assert counts == {"Budget": (2, "2 articles"), "Council": (2, "2 articles"), "Politics": (4, "4 articles"),
                      "Sport": (1, "1 article")}
    assert main.hrefs("/tags/") == ["/tags/budget/", "/tags/council/", "/tags/politics/", "/tags/sport/"]


def test_archive_is_an_index_of_years_and_months_with_a_page_for_each(newsroom):
    # Issue 11: no archive page grows with the archive; the index names years and months.
    index = main_of(load(newsroom, "archive/index.html"))
    listed = [href for section in index.find_all("section", cls="archive-year") for href in section.hrefs("/archive/")]
    assert listed == ["/archive/2026/", "/archive/2026/03/", "/archive/2026/02/",
                      "/archive/2026/01/", "/archive/2025/", "/archive/2025/12/"]
    # "Jump to" comes first (issue 12: on a phone the list would push it down a long page).
    assert index.one("nav", cls="archive-nav").hrefs("/archive/") == ["/archive/2026/", "/archive/2025/"]
    assert index.hrefs("/articles/") == []
    text = " ".join(section.text() for section in index.find_all("section", cls="archive-year"))
    assert text.index("2026") < text.index("March 2026") < text.index("February 2026") < text.index("2025")
    assert re.search(r"2026\s+5 articles", text) and re.search(r"March 2026\s+3", text), text
    year = main_of(load(newsroom, "archive/2026/index.html"))
    assert year.one("h1").text() == "2026"
    assert year.one("ul", cls="archive-months").hrefs("/archive/2026/") == \
        ["/archive/2026/03/", "/archive/2026/02/", "/archive/2026/01/"]
    months = {"2026/03": ["/articles/council-budget/", "/articles/regatta/", "/articles/meeting-moved/"],
              "2026/02": ["/articles/politics-weekly/"], "2026/01": ["/articles/budget-reaction/"],
              "2025/12": ["/articles/old-politics/"]}
    for month, hrefs in months.items():
        page = load(newsroom, f"archive/{month}/index.html")
        assert main_of(page).hrefs("/articles/") == hrefs, month
        assert page.errors == []
    assert main_of(load(newsroom, "archive/2025/12/index.html")).one("h1").text() == "December 2025"
    jump = load(newsroom, "archive/2026/03/index.html").one("nav", cls="archive-nav").hrefs("/archive/")
    assert jump[:5] == ["/archive/2026/", "/archive/2026/03/", "/archive/2026/02/", "/archive/2026/01/", "/archive/2025/"]


def test_a_long_month_of_the_archive_is_paginated(tmp_path):
    from broadsheet.routes import ARCHIVE_PER_PAGE
    config = "title: T\nbase_url: https://example.org/\ntimezone: UTC\npaginate: 10\n"
    files = {f"content/articles/a{i:03d}.md": article(f"Story {i}", f"2026-03-{1 + i // 8:02d} {i % 8 + 10}:00")
             for i in range(ARCHIVE_PER_PAGE + 5)}
    out = build_site(tmp_path, files, config=config)
    first = main_of(load(out, "archive/2026/03/index.html"))
    second = main_of(load(out, "archive/2026/03/page/2/index.html"))
    assert len(first.hrefs("/articles/")) == ARCHIVE_PER_PAGE and len(second.hrefs("/articles/")) == 5
    assert "/archive/2026/03/page/2/" in first.hrefs() and "/archive/2026/03/" in second.hrefs()
    assert set(first.hrefs("/articles/")).isdisjoint(second.hrefs("/articles/"))
    # A tag of 11 pages: the page-number navigation shows a window, not every page.
    hrefs = load(out, "page/6/index.html").one("nav", **{"class": "pagination"}).hrefs()
    numbers = {int(n) for href in hrefs for n in re.findall(r"^/page/(\d+)/$", href)} | ({1} if "/" in hrefs else set())
    assert sorted(numbers) == [1, 4, 5, 6, 7, 8, 11]


def test_standalone_page(newsroom):
    page = load(newsroom, "about/index.html")
    assert page.one("title").text() == "About us — Test Gazette"
    main = main_of(page)
    assert main.one("h1").text() == "About us"
    assert "We are a small paper by the river." in main.text()


def test_not_found_page(newsroom):
    page = load(newsroom, "404.html")
    assert page.errors == []
    assert page.one("title").text() == "Page not found — Test Gazette"
    assert main_of(page).find("a", href="/"), "the 404 page does not lead back to the front page"


def test_assets_under_content_are_copied(newsroom):
    assert (newsroom / "images/hero.svg").read_bytes() == SVG
    assert (newsroom / "files/report.pdf").read_bytes() == b"%PDF-1.4\n%test\n"


# --------------------------------------------------------------------------- permalinks and pagination

def test_permalink_pattern_from_config(tmp_path):
    config = "title: T\nbase_url: https://example.org/\ntimezone: UTC\npermalink: \"/{year}/{month}/{slug}/\"\n"
    out = build_site(tmp_path, {"content/articles/x.md": article("X marks", "2026-03-04 10:00"),
                                "content/articles/y.md": article("Y", "2025-11-30 23:00")}, config=config)
    assert (out / "2026/03/x/index.html").is_file()
    assert (out / "2025/11/y/index.html").is_file()
    assert not (out / "articles").exists()
    assert main_of(load(out, "index.html")).hrefs("/20") == ["/2026/03/x/", "/2025/11/y/"]
    assert load(out, "2026/03/x/index.html").one("link", rel="canonical").get("href") == "https://example.org/2026/03/x/"


def test_permalink_month_uses_site_timezone(tmp_path):
    config = "title: T\nbase_url: https://example.org/\ntimezone: Europe/London\npermalink: /{year}/{month}/{day}/{slug}/\n"
    out = build_site(tmp_path, {"content/articles/x.md": article("X", "2026-02-28T23:30:00-05:00")}, config=config)
    assert (out / "2026/03/01/x/index.html").is_file()  # 04:30 in London on 1 March


def paginated_site(tmp_path: Path, count: int) -> Path:
    config = "title: T\nbase_url: https://example.org/\ntimezone: UTC\npaginate: 2\n"
    files = {f"content/articles/a{i}.md": article(f"Story {i}", f"2026-03-{10 + i:02d} 10:00", tags="[News]",
                                                  authors="ann")
             for i in range(count)}
    files["content/authors/ann.md"] = ANN
    return build_site(tmp_path, files, config=config)


def test_pagination_exactly_one_full_page(tmp_path):
    out = paginated_site(tmp_path, 2)
    main = main_of(load(out, "index.html"))
    assert main.hrefs("/articles/") == ["/articles/a1/", "/articles/a0/"]
    assert not (out / "page").exists()
    assert not [h for h in load(out, "index.html").hrefs() if "page/" in h]


def test_pagination_second_page_with_one_card(tmp_path):
    out = paginated_site(tmp_path, 3)
    first = main_of(load(out, "index.html"))
    assert first.hrefs("/articles/") == ["/articles/a2/", "/articles/a1/"]
    assert "/page/2/" in first.hrefs()
    second = main_of(load(out, "page/2/index.html"))
    assert second.hrefs("/articles/") == ["/articles/a0/"]
    assert "/" in second.hrefs(), "page 2 does not link back to page 1"
    assert not (out / "page/3").exists() and not (out / "page/1").exists()
    assert load(out, "page/2/index.html").one("link", rel="canonical").get("href") == "https://example.org/page/2/"


def test_pagination_with_no_articles(tmp_path):
    out = build_site(tmp_path, {"content/pages/about.md": "---\ntitle: About\n---\nHello.\n"},
                     config="title: T\nbase_url: https://example.org/\npaginate: 2\n")
    page = load(out, "index.html")
    assert page.errors == []
    assert main_of(page).hrefs("/articles/") == []
    assert not (out / "page").exists()
    for rel in ("tags/index.html", "authors/index.html", "archive/index.html", "404.html", "about/index.html"):
        assert load(out, rel).errors == [], rel


def test_author_and_tag_pagination(tmp_path):
    out = paginated_site(tmp_path, 3)
    for first in ("authors/ann", "tags/news"):
        assert main_of(load(out, f"{first}/index.html")).hrefs("/articles/") == ["/articles/a2/", "/articles/a1/"]
        assert f"/{first}/page/2/" in main_of(load(out, f"{first}/index.html")).hrefs()
        second = main_of(load(out, f"{first}/page/2/index.html"))
        assert second.hrefs("/articles/") == ["/articles/a0/"]
        assert f"/{first}/" in second.hrefs()
        assert not (out / first / "page/3").exists()


# --------------------------------------------------------------------------- base_url with a path, link checking

NEWS_CONFIG = """\
title: Test Gazette
base_url: https://example.org/news/
timezone: UTC
logo: /images/ann.svg
nav:
  - {title: About, url: /about/}
  - {title: Topics, url: /tags/}
  - {title: Elsewhere, url: "https://elsewhere.example.com/"}
"""


@pytest.fixture(scope="module")
def news_prefixed(tmp_path_factory) -> Path:
    return build_site(tmp_path_factory.mktemp("prefixed") / "site", newsroom_files(), config=NEWS_CONFIG)


def test_base_path_prefixes_every_internal_link(news_prefixed):
    checked = 0
    for path in html_files(news_prefixed):
        for tag, value in references(parse_html(path.read_text(encoding="utf-8"))):
            parts = urlsplit(value)
            if parts.scheme or parts.netloc:
                if parts.netloc == "example.org":
                    assert parts.path.startswith("/news/"), f"{path}: <{tag}> {value}"
                continue
            if value.startswith("/"):
                checked += 1
                assert value.startswith("/news/"), f"{path.relative_to(news_prefixed)}: <{tag}> {value}"
    assert checked > 100


def test_base_path_applies_to_front_matter_and_body_paths(news_prefixed):
    main = main_of(load(news_prefixed, "articles/council-budget/index.html"))
    srcs = [img.get("src") for img in main.find_all("img")]
    assert "/news/images/hero.svg" in srcs and "/news/images/chart.svg" in srcs and "/news/images/ann.svg" in srcs
    hrefs = main.hrefs()
    assert "/news/about/" in hrefs and "/news/articles/budget-reaction/" in hrefs
    assert "/news/authors/ann/" in hrefs and "/news/tags/politics/" in hrefs
    page = load(news_prefixed, "articles/council-budget/index.html")
    assert page.one("link", rel="canonical").get("href") == "https://example.org/news/articles/council-budget/"


def test_link_checker_on_prefixed_site(news_prefixed):
    unprefixed, broken = check_links(news_prefixed, "https://example.org/news/")
    assert unprefixed == []
    assert broken == []


def test_link_checker_catches_a_broken_link(tmp_path):
    """The checker itself: a body link to a missing file and an unprefixed path are reported."""
    out = build_site(tmp_path, {"content/articles/a.md": article("A", body="[gone](/news/nowhere/) and "
                                                                          "[raw](https://example.org/elsewhere/)\n")},
                     config=NEWS_CONFIG.split("logo:")[0])
    unprefixed, broken = check_links(out, "https://example.org/news/")
    assert any("/elsewhere/" in u for u in unprefixed)
    assert any("/news/nowhere/" in b for b in broken)


def test_link_checker_on_root_site(newsroom):
    assert check_links(newsroom, "https://example.org/") == ([], [])


def test_link_checker_on_the_sample_site(tmp_path):
    if not (REPO / "content").is_dir():
        pytest.skip("the repository has no sample site yet")
    out = tmp_path / "out"
    result = run_cli("build", "--site", str(REPO), "--output", str(out))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    config = (REPO / "config.yaml").read_text(encoding="utf-8")
    base_url = re.search(r"^base_url:\s*(\S+)", config, re.M).group(1).strip("'\"")
    unprefixed, broken = check_links(out, base_url)
    assert unprefixed == []
    assert broken == []
    for path in html_files(out):
        assert parse_html(path.read_text(encoding="utf-8")).errors == [], path


def test_base_url_option_overrides_config(tmp_path):
    make_site(tmp_path / "site", newsroom_files())
    result = run_cli("build", "--site", str(tmp_path / "site"), "--base-url", "https://mirror.example.net/sub")
    assert result.returncode == 0, result.stderr
    out = tmp_path / "site/output"
    page = load(out, "articles/council-budget/index.html")
    assert page.one("link", rel="canonical").get("href") == "https://mirror.example.net/sub/articles/council-budget/"
    assert "/sub/authors/ann/" in main_of(page).hrefs()
    assert check_links(out, "https://mirror.example.net/sub/") == ([], [])
    assert "example.org" not in (out / "index.html").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- determinism

def test_two_clean_builds_are_byte_identical(tmp_path):
    make_site(tmp_path / "site", newsroom_files())
    outs = []
    for seed in ("1", "2"):
        out = tmp_path / f"out{seed}"
        result = run_cli("build", "--site", str(tmp_path / "site"), "--output", str(out),
                         env={"PYTHONHASHSEED": seed})
        assert result.returncode == 0, result.stderr
        outs.append(snapshot(out))
    assert sorted(outs[0]) == sorted(outs[1])
    different = [name for name in outs[0] if outs[0][name] != outs[1][name]]
    assert different == []
    assert len(outs[0]) > 20


# --------------------------------------------------------------------------- hostile text

HOSTILE = """Bold <b>move</b> & "quotes" 'single' </script><script>alert(1)</script>"""


def test_hostile_text_is_escaped_everywhere(tmp_path):
    q = json.dumps
    out = build_site(tmp_path, {
        "content/authors/eve.md": f"---\nname: {q('Eve <b>Evil</b> & ' + HOSTILE)}\nrole: {q(HOSTILE)}\n---\nBio.\n",
        "content/articles/evil.md": article(
            q("Title " + HOSTILE), "2026-03-01 10:00", "Plain body.\n",
            subtitle=q("Sub " + HOSTILE), summary=q("Sum " + HOSTILE), credits=q("Credit " + HOSTILE),
            tags=q(["Tag " + HOSTILE, "calm"]), authors=q(["eve", "Guest " + HOSTILE]),
            image=q({"src": "/images/x.svg", "alt": "Alt " + HOSTILE, "caption": "Cap " + HOSTILE,
                     "credit": "Cred " + HOSTILE})),
        "content/articles/calm.md": article("Calm", "2026-02-01 10:00", tags="[calm]"),
        "content/pages/about.md": f"---\ntitle: {q('About ' + HOSTILE)}\n---\nHi.\n",
        "content/images/x.svg": SVG,
    }, config="title: " + q("Site " + HOSTILE) + "\nbase_url: https://example.org/\ntagline: " + q(HOSTILE) + "\n")

    pages = html_files(out)
    assert len(pages) >= 10
    seen_title_text = seen_in_attribute = 0
    for path in pages:
        raw = path.read_text(encoding="utf-8")
        page = parse_html(raw)
        name = path.relative_to(out).as_posix()
        assert page.errors == [], f"{name}: {page.errors[:3]}"
        assert "b" not in page.start_tags, f"{name}: <b> from front matter became a tag"
        assert "<b>" not in raw and "<b>move" not in raw, name
        scripts = page.find_all("script")
        assert raw.lower().count("</script") == len(scripts), f"{name}: a </script> is not a real closing tag"
        for script in scripts:
            assert "alert(1)" not in script.raw_text() or script.get("type") == "application/ld+json", name
            if script.get("type") == "application/ld+json":
                json.loads(script.raw_text())  # still valid JSON
        assert page.one("title").text().endswith("Site " + HOSTILE), name  # the site title, intact
        text = page.text()
        seen_title_text += text.count("Title " + HOSTILE)
        for node in page.iter():
            for value in node.attrs.values():
                if value and HOSTILE in value:
                    seen_in_attribute += 1
    # The hostile text did reach the pages, intact, as text and in attributes.
    assert seen_title_text >= 3   # the article, the home card, the tag and author listings
    assert seen_in_attribute >= 2  # at least the image alt and the meta description
    article_page = load(out, "articles/evil/index.html")
    assert article_page.one("h1").text() == "Title " + HOSTILE
    assert article_page.one("title").text() == f"Title {HOSTILE} — Site {HOSTILE}"
    assert article_page.one("meta", name="description").get("content") == "Sum " + HOSTILE
    assert article_page.find("img", alt="Alt " + HOSTILE) is not None
    main = main_of(article_page)
    tag_links = [a for a in main.find_all("a") if a.text() == "Tag " + HOSTILE]
    assert tag_links and all(re.fullmatch(r"/tags/[a-z0-9-]+/", a.get("href")) for a in tag_links)
    assert any(a.text() == "Guest " + HOSTILE for a in main.find_all("a"))
    for xml_file in list(out.rglob("*.xml")):
        ET.parse(xml_file)  # feeds and sitemap stay well-formed
    for json_file in list(out.rglob("*.json")):
        json.loads(json_file.read_text(encoding="utf-8"))
