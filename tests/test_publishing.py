"""Publishing: feeds, sitemap, robots.txt, search-engine and social metadata, link integrity
and scheduling (issue 3). Fast: standard library parsers only; the real validators (vnu,
RELAX NG, XML Schema) run in test_validators.py.

Every test builds a real site in a temporary folder, through the Python API (`build`) or
the real command line (`run_cli`), with a `base_url` that has a path prefix.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import datetime
from email.utils import parsedate_to_datetime
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from broadsheet import publish
from broadsheet.pipeline import BuildOptions, build
from conftest import article, make_site, run_cli, snapshot

BASE = "https://example.org/news/"
ATOM = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/elements/1.1/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="3"><rect width="4" height="3"/></svg>\n'

CONFIG = f"""\
title: The Example News
tagline: All the news that fits
description: Independent news from Example Town.
base_url: {BASE}
language: en-GB
timezone: UTC
paginate: 2
logo: /images/logo.svg
publisher:
  name: Example News Ltd
  logo: /images/logo.svg
"""

FLOOD = """\
---
title: Flood wall approved
date: 2025-03-10 09:00
updated: 2025-03-12 17:30
authors: [jane, Bob Smith]
tags: [Politics, Local News]
subtitle: After a long debate, the council says yes.
summary: The council approved the flood wall on Tuesday.
image: {src: /images/flood.svg, alt: The new wall, caption: The wall at dawn., credit: Jane Doe/Agency}
---
The council voted on Tuesday. See [the budget](budget.md), [the regatta](sub/regatta.md#results)
and [our reporter](../authors/jane.md).

![Sandbags on the quay](/images/sandbags.svg "Sandbags on Saturday. | Photo: Bob Smith")

Read [about us](/about/) or the [wire copy](https://wire.example.com/flood).
"""

NEWS_FILES: dict[str, str | bytes] = {
    "config.yaml": CONFIG,
    "content/articles/flood.md": FLOOD,
    "content/articles/budget.md": article(
        "Budget passes", "2025-03-11 08:00", "The budget passed by one vote.\n",
        author="jane", tags="Politics", image="/images/budget.svg",
        canonical_url="https://wire.example.com/budget"),
    "content/articles/sub/regatta.md": article(
        "Regatta results", "2025-03-09 14:00",
        "Rowers raced.\n\n## Results\n\nThe home crew won. Back to [the flood](../flood.md).\n",
        author="bob", tags="[Sport]"),
    "content/articles/draft.md": article(
        "Secret draft story", "2025-03-08 10:00", "Not ready.\n",
        author="jane", tags="[Secret Tag]", draft="true"),
    "content/articles/scheduled.md": article(
        "Embargoed story", "2099-06-01 07:00", "Not yet.\n", author="carol", tags="[Future Tag]"),
    "content/authors/jane.md": ("---\nname: Jane Doe\nrole: Senior Reporter\navatar: /images/jane.svg\n"
                                "links: {twitter: '@janedoe', website: 'https://jane.example.com/'}\n"
                                "---\nJane covers the council.\n"),
    "content/authors/bob.md": "---\nname: Bob Smith\nrole: Sports Editor\n---\nBob covers sport.\n",
    "content/authors/carol.md": "---\nname: Carol Future\n---\nCarol writes ahead.\n",
    "content/pages/about.md": "---\ntitle: About us\n---\nWe report on Example Town.\n",
    **{f"content/images/{name}.svg": SVG for name in ("flood", "budget", "sandbags", "logo", "jane")},
}

PUBLISHED = {"budget": "Budget passes", "flood": "Flood wall approved", "regatta": "Regatta results"}
UNPUBLISHED = {"draft": "Secret draft story", "scheduled": "Embargoed story"}


def url(path: str = "") -> str:
    return BASE + path.lstrip("/")


# --------------------------------------------------------------------------- parsing helpers


class Head(HTMLParser):
    """What a crawler reads off a page: lang, title, meta, link, JSON-LD, anchors and images."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.lang: str | None = None
        self.title: str | None = None
        self.metas: list[dict] = []
        self.links: list[dict] = []
        self.jsonld: list[str] = []
        self.hrefs: list[str] = []
        self._capture: str | None = None
        self._buffer: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        elif tag == "meta":
            self.metas.append(attrs)
        elif tag == "link":
            self.links.append(attrs)
        elif tag == "a" and attrs.get("href") is not None:
            self.hrefs.append(attrs["href"])
        elif tag == "title" and self.title is None:
            self._capture, self._buffer = "title", []
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._capture, self._buffer = "ld", []

    def handle_data(self, data):
        if self._capture:
            self._buffer.append(data)

    def handle_endtag(self, tag):
        if self._capture == "title" and tag == "title":
            self.title, self._capture = "".join(self._buffer), None
        elif self._capture == "ld" and tag == "script":
            self.jsonld.append("".join(self._buffer))
            self._capture = None

    def meta(self, key: str) -> list[str]:
        """Every content of <meta name=key> or <meta property=key>, in order."""
        return [m.get("content") or "" for m in self.metas if key in (m.get("name"), m.get("property"))]

    def one_meta(self, key: str) -> str:
        values = self.meta(key)
        assert len(values) == 1, f"expected one <meta> {key}, found {values}"
        return values[0]

    def rel(self, rel: str) -> list[dict]:
        return [link for link in self.links if rel in (link.get("rel") or "").split()]

    def ld(self, kind: str) -> dict:
        found = [data for data in map(json.loads, self.jsonld) if data.get("@type") == kind]
        assert len(found) == 1, f"expected one JSON-LD {kind}, found {[json.loads(t) for t in self.jsonld]}"
        return found[0]


def page_url(out: Path, file: Path) -> str:
    """The absolute URL a file of the output folder is served at."""
    rel = file.relative_to(out).as_posix()
    return url(rel[: -len("index.html")] if rel.endswith("index.html") else rel)


def head(out: Path, rel: str) -> Head:
    return Head((out / rel).read_text(encoding="utf-8"))


def resolved(page: str, hrefs: list[str]) -> set[str]:
    """Hrefs as absolute URLs, resolved against the page (relative or prefixed: both are fine)."""
    return {urljoin(page, href) for href in hrefs}


def atom(out: Path, rel: str) -> ET.Element:
    root = ET.parse(out / rel).getroot()
    assert root.tag == f"{ATOM}feed", f"{rel} is not an Atom feed: {root.tag}"
    return root


def entries(feed: ET.Element) -> list[ET.Element]:
    return feed.findall(f"{ATOM}entry")


def alternate(entry: ET.Element) -> str:
    links = [l for l in entry.findall(f"{ATOM}link") if l.get("rel", "alternate") == "alternate"]
    assert len(links) == 1
    return links[0].get("href")


def slug_of(entry: ET.Element) -> str:
    return alternate(entry).rstrip("/").rsplit("/", 1)[-1]


def entry_by_slug(feed: ET.Element, slug: str) -> ET.Element:
    found = [e for e in entries(feed) if slug_of(e) == slug]
    assert len(found) == 1, f"no single entry for {slug}"
    return found[0]


def html_urls(fragment: str) -> list[str]:
    """Every href/src value in an HTML fragment."""
    return [unescape(m.group(2)) for m in re.finditer(r'\s(href|src)="([^"]*)"', fragment)]


def feed_files(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*") if p.name in ("feed.xml", "rss.xml", "feed.json"))


def sitemap_files(out: Path) -> list[Path]:
    """Return the sitemap files the sitemap index names (issue 11), checking it names only files of the site."""
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    root = ET.parse(out / "sitemap.xml").getroot()
    assert root.tag == f"{ns}sitemapindex"
    files = []
    for item in root.findall(f"{ns}sitemap"):
        loc = item.findtext(f"{ns}loc")
        assert loc.startswith(BASE + "sitemaps/"), loc
        files.append(out / loc.removeprefix(BASE))
    assert sorted(files) == sorted((out / "sitemaps").glob("*.xml")), "the index names every sitemap file"
    return files


def sitemap_urls(out: Path) -> dict[str, str | None]:
    """Return every URL of every sitemap file with its lastmod."""
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    found: dict[str, str | None] = {}
    for path in sitemap_files(out):
        root = ET.parse(path).getroot()
        assert root.tag == f"{ns}urlset"
        for item in root.findall(f"{ns}url"):
            loc = item.findtext(f"{ns}loc")
            assert loc not in found, f"{loc} listed twice"
            found[loc] = item.findtext(f"{ns}lastmod")
    return found


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def news(tmp_path_factory) -> Path:
    """The published site: three articles, a draft and a scheduled one left out."""
    root = tmp_path_factory.mktemp("news")
    site = make_site(root / "site", NEWS_FILES)
    result = build(site, BuildOptions(out_dir=root / "out"))
    # The one warning allowed: Budget's hero image is written as a bare path, without alt text.
    assert [p.format().split(": warning: ")[1].splitlines()[0] for p in result.warnings] == \
        ["the image has no alt text"], "every link of the news site points to something"
    return root / "out"


@pytest.fixture(scope="module")
def news_all(tmp_path_factory) -> Path:
    """The same site built with --drafts --future: the unpublished pages exist."""
    root = tmp_path_factory.mktemp("news-all")
    site = make_site(root / "site", NEWS_FILES)
    build(site, BuildOptions(out_dir=root / "out", drafts=True, future=True))
    return root / "out"


# --------------------------------------------------------------------------- Atom feeds


def test_site_feed_is_atom_with_published_articles_newest_first(news):
    feed = atom(news, "feed.xml")
    assert feed.get(XML_LANG) == "en-GB"
    assert feed.findtext(f"{ATOM}title") == "The Example News"
    assert feed.findtext(f"{ATOM}id")
    self_links = [l.get("href") for l in feed.findall(f"{ATOM}link") if l.get("rel") == "self"]
    assert self_links == [url("feed.xml")]
    assert [slug_of(e) for e in entries(feed)] == ["budget", "flood", "regatta"]
    assert [e.findtext(f"{ATOM}title") for e in entries(feed)] == list(PUBLISHED.values())


def test_atom_entry_has_every_author_categories_dates_and_summary(news):
    entry = entry_by_slug(atom(news, "feed.xml"), "flood")
    assert alternate(entry) == url("articles/flood/")
    authors = [(a.findtext(f"{ATOM}name"), a.findtext(f"{ATOM}uri")) for a in entry.findall(f"{ATOM}author")]
    assert authors == [("Jane Doe", url("authors/jane/")), ("Bob Smith", url("authors/bob/"))]
    categories = [(c.get("term"), c.get("label")) for c in entry.findall(f"{ATOM}category")]
    assert categories == [("politics", "Politics"), ("local-news", "Local News")]
    assert entry.findtext(f"{ATOM}published") == "2025-03-10T09:00:00+00:00"
    assert entry.findtext(f"{ATOM}updated") == "2025-03-12T17:30:00+00:00"
    assert entry.findtext(f"{ATOM}summary") == "The council approved the flood wall on Tuesday."
    for other in entries(atom(news, "feed.xml")):
        assert (other.findtext(f"{ATOM}summary") or "").strip(), f"{slug_of(other)} has no summary"


def test_atom_content_is_the_full_article_with_absolute_urls(news):
    feed = atom(news, "feed.xml")
    flood = entry_by_slug(feed, "flood").find(f"{ATOM}content")
    assert flood.get("type") == "html"
    body = flood.text
    assert "The council voted on Tuesday." in body and "Read " in body, "the whole article, not an excerpt"
    urls = html_urls(body)
    for expected in (url("articles/budget/"), url("articles/regatta/#results"), url("authors/jane/"),
                     url("about/"), url("images/sandbags.svg"), url("images/flood.svg"),
                     "https://wire.example.com/flood"):
        assert expected in urls, f"{expected} missing from {urls}"
    for entry in entries(feed):
        for found in html_urls(entry.find(f"{ATOM}content").text):
            assert urlsplit(found).scheme in ("https", "mailto"), \
                f"relative URL {found!r} in the feed content of {slug_of(entry)}"


def test_tag_and_author_feeds_hold_their_articles(news):
    expected = {"tags/politics/feed.xml": ["budget", "flood"], "tags/local-news/feed.xml": ["flood"],
                "tags/sport/feed.xml": ["regatta"], "authors/jane/feed.xml": ["budget", "flood"],
                "authors/bob/feed.xml": ["flood", "regatta"]}
    for rel, slugs in expected.items():
        feed = atom(news, rel)
        assert [slug_of(e) for e in entries(feed)] == slugs, rel
        links = {l.get("rel"): l.get("href") for l in feed.findall(f"{ATOM}link")}
        assert links["self"] == url(rel)
        assert links["alternate"] == url(rel.removesuffix("feed.xml"))
    assert atom(news, "tags/politics/feed.xml").findtext(f"{ATOM}title").startswith("Politics")
    assert atom(news, "authors/jane/feed.xml").findtext(f"{ATOM}title").startswith("Jane Doe")
    assert not (news / "authors/carol/feed.xml").exists(), "Carol has only a scheduled article"
    assert not (news / "tags/future-tag/feed.xml").exists()
    assert not (news / "tags/secret-tag/feed.xml").exists()


def test_feed_updated_is_the_newest_entry_not_the_build_time(news):
    for path in news.rglob("feed.xml"):
        feed = atom(news, path.relative_to(news).as_posix())
        stamps = [datetime.fromisoformat(e.findtext(f"{ATOM}updated")) for e in entries(feed)]
        assert datetime.fromisoformat(feed.findtext(f"{ATOM}updated")) == max(stamps), path
    # Flood was updated last, though Budget is the newest article.
    assert atom(news, "feed.xml").findtext(f"{ATOM}updated") == "2025-03-12T17:30:00+00:00"
    assert atom(news, "tags/sport/feed.xml").findtext(f"{ATOM}updated") == "2025-03-09T14:00:00+00:00"


def test_feeds_are_byte_identical_whatever_the_build_time(tmp_path):
    site = make_site(tmp_path / "site", NEWS_FILES)
    outputs = []
    for name, epoch in (("a", "1893456000"), ("b", "2208988800")):  # 2030-01-01, 2040-01-01
        result = run_cli("build", "--output", str(tmp_path / name), cwd=site, env={"SOURCE_DATE_EPOCH": epoch})
        assert result.returncode == 0, result.stderr
        outputs.append(snapshot(tmp_path / name))
    first, second = outputs
    for rel in ("feed.xml", "rss.xml", "feed.json", "sitemap.xml", "tags/politics/feed.xml",
                "authors/bob/feed.xml"):
        assert first[rel] == second[rel], f"{rel} depends on the build time"
    assert first == second
    assert b"2030" not in first["feed.xml"] and b"2030" not in first["rss.xml"]


def test_feeds_hold_the_latest_20_articles(tmp_path):
    files = {f"content/articles/story-{n:02d}.md": article(f"Story {n:02d}", f"2025-01-{n:02d} 09:00",
                                                             f"Body {n}.\n", author="jane", tags="[Wire]")
             for n in range(1, 24)}
    files["content/authors/jane.md"] = "---\nname: Jane Doe\n---\nBio.\n"
    site = make_site(tmp_path / "site", {"config.yaml": CONFIG, **files})
    build(site, BuildOptions(out_dir=tmp_path / "out"))
    out = tmp_path / "out"
    newest = [f"Story {n:02d}" for n in range(23, 3, -1)]
    for rel in ("feed.xml", "tags/wire/feed.xml", "authors/jane/feed.xml"):
        assert [e.findtext(f"{ATOM}title") for e in entries(atom(out, rel))] == newest, rel
    rss = ET.parse(out / "rss.xml").getroot()
    assert [i.findtext("title") for i in rss.iter("item")] == newest
    assert [i["title"] for i in json.loads((out / "feed.json").read_text(encoding="utf-8"))["items"]] == newest
    assert len([u for u in sitemap_urls(out) if "/articles/" in u]) == 23, "the sitemap lists every article"


def test_entry_ids_are_stable_when_a_title_changes(tmp_path):
    site = make_site(tmp_path / "site", NEWS_FILES)
    out = tmp_path / "out"
    build(site, BuildOptions(out_dir=out))
    before = {slug_of(e): e.findtext(f"{ATOM}id") for e in entries(atom(out, "feed.xml"))}
    flood = site / "content/articles/flood.md"
    flood.write_text(FLOOD.replace("title: Flood wall approved", "title: Flood wall finally approved"),
                     encoding="utf-8")
    build(site, BuildOptions(out_dir=out))
    feed = atom(out, "feed.xml")
    assert entry_by_slug(feed, "flood").findtext(f"{ATOM}title") == "Flood wall finally approved"
    after = {slug_of(e): e.findtext(f"{ATOM}id") for e in entries(feed)}
    assert after == before
    assert len(set(after.values())) == len(after), "ids are unique"
    for entry_id in after.values():
        assert re.match(r"^[a-z][a-z0-9+.-]*:", entry_id), f"{entry_id} is not an absolute IRI"


# --------------------------------------------------------------------------- RSS and JSON Feed


def test_rss_feed(news):
    rss = ET.parse(news / "rss.xml").getroot()
    assert rss.tag == "rss" and rss.get("version") == "2.0"
    channel = rss.find("channel")
    assert channel.findtext("title") == "The Example News"
    assert channel.findtext("link") == url()
    assert channel.findtext("description")
    items = channel.findall("item")
    assert [i.findtext("link") for i in items] == [url(f"articles/{s}/") for s in PUBLISHED]
    atom_ids = {alternate(e): e.findtext(f"{ATOM}id") for e in entries(atom(news, "feed.xml"))}
    for item in items:
        assert item.findtext("title") and item.findtext("description")
        assert item.findtext("guid") == atom_ids[item.findtext("link")], "one id per article in every feed"
        assert parsedate_to_datetime(item.findtext("pubDate")).tzinfo is not None
    flood = items[1]
    assert [c.text for c in flood.findall(f"{DC}creator")] == ["Jane Doe", "Bob Smith"]
    assert [c.text for c in flood.findall("category")] == ["Politics", "Local News"]
    assert parsedate_to_datetime(flood.findtext("pubDate")) == datetime.fromisoformat("2025-03-10T09:00:00+00:00")
    assert url("articles/budget/") in html_urls(flood.findtext(f"{CONTENT}encoded"))


def test_json_feed(news):
    feed = json.loads((news / "feed.json").read_text(encoding="utf-8"))
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] == "The Example News"
    assert feed["home_page_url"] == url() and feed["feed_url"] == url("feed.json")
    atom_ids = {alternate(e): e.findtext(f"{ATOM}id") for e in entries(atom(news, "feed.xml"))}
    assert [item["url"] for item in feed["items"]] == [url(f"articles/{s}/") for s in PUBLISHED]
    for item in feed["items"]:
        assert item["id"] == atom_ids[item["url"]]
        assert item["content_html"].startswith("<")
        assert all(a["name"] and a["url"].startswith(BASE) for a in item["authors"])
    flood = feed["items"][1]
    assert [a["name"] for a in flood["authors"]] == ["Jane Doe", "Bob Smith"]
    assert url("articles/regatta/#results") in html_urls(flood["content_html"])
    assert flood["summary"] == "The council approved the flood wall on Tuesday."
    assert flood["image"] == url("images/flood.svg")


# --------------------------------------------------------------------------- drafts and scheduled


@pytest.mark.parametrize("which", ["news", "news_all"])
def test_drafts_and_scheduled_articles_are_in_no_feed_and_no_sitemap(which, request):
    out: Path = request.getfixturevalue(which)
    if which == "news_all":  # built with --drafts --future: the pages exist, yet they are not published
        assert (out / "articles/draft/index.html").is_file()
        assert (out / "articles/scheduled/index.html").is_file()
    for path in feed_files(out) + sitemap_files(out):
        text = path.read_text(encoding="utf-8")
        for slug, title in UNPUBLISHED.items():
            assert title not in text, f"{title!r} in {path.relative_to(out)}"
            assert f"/articles/{slug}/" not in text, f"/articles/{slug}/ in {path.relative_to(out)}"
    locs = sitemap_urls(out)
    assert url("tags/secret-tag/") not in locs and url("tags/future-tag/") not in locs
    assert [slug_of(e) for e in entries(atom(out, "feed.xml"))] == list(PUBLISHED)


# --------------------------------------------------------------------------- sitemap and robots


def test_sitemap_lists_every_published_page_with_lastmod(news):
    locs = sitemap_urls(news)
    expected = {
        url(): "2025-03-12T17:30:00+00:00",
        url("articles/flood/"): "2025-03-12T17:30:00+00:00",
        url("articles/regatta/"): "2025-03-09T14:00:00+00:00",
        url("tags/politics/"): "2025-03-12T17:30:00+00:00",
        url("tags/local-news/"): "2025-03-12T17:30:00+00:00",
        url("tags/sport/"): "2025-03-09T14:00:00+00:00",
        url("authors/jane/"): "2025-03-12T17:30:00+00:00",
        url("authors/bob/"): "2025-03-12T17:30:00+00:00",
        url("archive/2025/"): "2025-03-12T17:30:00+00:00",  # the archive's pages too (issue 11)
        url("archive/2025/03/"): "2025-03-12T17:30:00+00:00",
    }
    assert [p.relative_to(news).as_posix() for p in sitemap_files(news)] == ["sitemaps/2025.xml", "sitemaps/pages.xml"]
    for loc, lastmod in expected.items():
        assert loc in locs, f"{loc} missing from the sitemap"
        assert locs[loc] == lastmod, loc
    for loc in (url("about/"), url("tags/"), url("authors/"), url("archive/")):
        assert loc in locs
    # The budget story is a syndicated copy (canonical_url on the wire's site): a sitemap
    # lists only canonical URLs, so it is left out.
    assert url("articles/budget/") not in locs
    for loc, lastmod in locs.items():
        assert loc.startswith(BASE)
        rel = loc.removeprefix(BASE)
        assert (news / rel / "index.html").is_file() or (news / rel).is_file(), f"{loc} is no page of the site"
        if lastmod:
            assert datetime.fromisoformat(lastmod).tzinfo is not None, lastmod
    assert url("404.html") not in locs


def test_robots_txt_points_to_the_absolute_sitemap(news):
    lines = (news / "robots.txt").read_text(encoding="utf-8").splitlines()
    assert "Sitemap: https://example.org/news/sitemap.xml" in lines
    assert "User-agent: *" in lines


# --------------------------------------------------------------------------- page metadata


def html_pages(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*.html") if p.name != "404.html")


def test_every_page_has_title_description_canonical_and_social_tags(news):
    pages = html_pages(news)
    assert len(pages) >= 15, "home (2 pages), 3 articles, 4 author and 3 tag pages, 3 indexes, about"
    for path in pages:
        page = head(news, path.relative_to(news).as_posix())
        where = path.relative_to(news).as_posix()
        assert page.lang == "en-GB", where
        assert page.title and page.title.strip(), where
        assert page.one_meta("description").strip(), where
        canonical = page.rel("canonical")
        assert len(canonical) == 1, where
        expected = "https://wire.example.com/budget" if where == "articles/budget/index.html" \
            else page_url(news, path)
        assert canonical[0]["href"] == expected, where
        assert page.one_meta("og:url") == expected, where
        for key in ("og:title", "og:description", "og:type", "twitter:card"):
            assert page.one_meta(key).strip(), f"{key} missing on {where}"
        feeds = {urljoin(page_url(news, path), link["href"]): link.get("type") for link in page.rel("alternate")}
        assert feeds.get(url("feed.xml")) == "application/atom+xml", where
        assert feeds.get(url("rss.xml")) == "application/rss+xml", where
        assert feeds.get(url("feed.json")) == "application/feed+json", where


def test_not_found_page_has_title_and_language(news):
    page = head(news, "404.html")
    assert page.lang == "en-GB" and page.title


def test_article_social_and_article_meta(news):
    page = head(news, "articles/flood/index.html")
    assert page.title.startswith("Flood wall approved")
    assert page.one_meta("description") == "The council approved the flood wall on Tuesday."
    assert page.one_meta("og:type") == "article"
    assert page.one_meta("og:title") == "Flood wall approved"
    assert page.one_meta("og:image") == url("images/flood.svg")
    assert page.one_meta("twitter:card") == "summary_large_image"
    assert page.one_meta("article:published_time") == "2025-03-10T09:00:00+00:00"
    assert page.one_meta("article:modified_time") == "2025-03-12T17:30:00+00:00"
    assert page.meta("article:author") == [url("authors/jane/"), url("authors/bob/")]
    assert page.meta("article:tag") == ["Politics", "Local News"]
    budget = head(news, "articles/budget/index.html")
    assert budget.one_meta("article:modified_time") == budget.one_meta("article:published_time") \
        == "2025-03-11T08:00:00+00:00"
    assert budget.meta("article:author") == [url("authors/jane/")]


def test_canonical_url_from_front_matter_wins(news):
    page = head(news, "articles/budget/index.html")
    assert [link["href"] for link in page.rel("canonical")] == ["https://wire.example.com/budget"]
    assert page.one_meta("og:url") == "https://wire.example.com/budget"


def test_news_article_json_ld(news):
    data = head(news, "articles/flood/index.html").ld("NewsArticle")
    assert data["@context"] in ("https://schema.org", "https://schema.org/", "http://schema.org")
    assert data["headline"] == "Flood wall approved"
    assert data["datePublished"] == "2025-03-10T09:00:00+00:00"
    assert data["dateModified"] == "2025-03-12T17:30:00+00:00"
    assert data["author"] == [{"@type": "Person", "name": "Jane Doe", "url": url("authors/jane/")},
                              {"@type": "Person", "name": "Bob Smith", "url": url("authors/bob/")}]
    images = data["image"] if isinstance(data["image"], list) else [data["image"]]
    assert url("images/flood.svg") in images
    publisher = data["publisher"]
    assert publisher["@type"] == "Organization" and publisher["name"] == "Example News Ltd"
    logo = publisher["logo"]
    assert (logo["url"] if isinstance(logo, dict) else logo) == url("images/logo.svg")
    main = data["mainEntityOfPage"]
    assert (main["@id"] if isinstance(main, dict) else main) == url("articles/flood/")
    budget = head(news, "articles/budget/index.html").ld("NewsArticle")
    assert budget["author"] == [{"@type": "Person", "name": "Jane Doe", "url": url("authors/jane/")}]
    assert url("images/budget.svg") in (budget["image"] if isinstance(budget["image"], list) else [budget["image"]])
    assert budget["dateModified"] == budget["datePublished"]


def test_author_page_has_profile_page_json_ld_and_its_feed(news):
    page = head(news, "authors/jane/index.html")
    data = page.ld("ProfilePage")
    assert data["mainEntity"]["@type"] == "Person"
    assert data["mainEntity"]["name"] == "Jane Doe"
    assert data["mainEntity"]["url"] == url("authors/jane/")
    assert page.one_meta("og:type") == "profile"
    feeds = resolved(url("authors/jane/"), [link["href"] for link in page.rel("alternate")])
    assert url("authors/jane/feed.xml") in feeds
    assert url("authors/bob/feed.xml") not in feeds


def test_tag_page_links_its_feed(news):
    page = head(news, "tags/politics/index.html")
    feeds = resolved(url("tags/politics/"), [link["href"] for link in page.rel("alternate")])
    assert url("tags/politics/feed.xml") in feeds
    assert url("tags/sport/feed.xml") not in feeds
    home = resolved(url(), [link["href"] for link in head(news, "index.html").rel("alternate")])
    assert home == {url("feed.xml"), url("rss.xml"), url("feed.json")}


# --------------------------------------------------------------------------- hostile input

HOSTILE_TITLE = 'Breaking </script><script>alert(1)</script> & "quotes" <b>bold</b>'
HOSTILE_TAG = "<b>Tag</b> & co"
HOSTILE_AUTHOR = "Eve </script><script>alert(3)</script> O'Hara"


def yaml_quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    site = make_site(root / "site", {
        "config.yaml": CONFIG,
        "content/articles/bad.md": article(
            yaml_quote(HOSTILE_TITLE), "2025-03-10 09:00", "Body <i>text</i> & more.\n",
            authors="[evil]", tags=f"[{yaml_quote(HOSTILE_TAG)}]",
            summary=yaml_quote("Summary </script><script>alert(2)</script> & <em>more</em>")),
        "content/authors/evil.md": f"---\nname: {yaml_quote(HOSTILE_AUTHOR)}\n---\nBio.\n",
        "content/images/logo.svg": SVG,
    })
    build(site, BuildOptions(out_dir=root / "out"))
    return root / "out"


def test_hostile_text_cannot_break_out_of_json_ld(hostile):
    page = head(hostile, "articles/bad/index.html")
    data = page.ld("NewsArticle")
    assert data["headline"] == HOSTILE_TITLE
    assert [a["name"] for a in data["author"]] == [HOSTILE_AUTHOR]
    assert page.title.startswith(HOSTILE_TITLE)
    assert page.one_meta("og:title") == HOSTILE_TITLE
    assert page.meta("article:tag") == [HOSTILE_TAG]
    assert head(hostile, "authors/evil/index.html").ld("ProfilePage")["mainEntity"]["name"] == HOSTILE_AUTHOR
    for path in hostile.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "<script>alert" not in text, path
        assert "<b>bold</b>" not in text and "<b>Tag</b>" not in text, path


def test_hostile_text_is_exact_in_feeds_and_sitemap(hostile):
    for rel in ("feed.xml", "authors/evil/feed.xml"):
        entry = entries(atom(hostile, rel))[0]
        assert entry.findtext(f"{ATOM}title") == HOSTILE_TITLE
        assert entry.find(f"{ATOM}author").findtext(f"{ATOM}name") == HOSTILE_AUTHOR
        assert entry.find(f"{ATOM}category").get("label") == HOSTILE_TAG
    tag_feeds = list(hostile.glob("tags/*/feed.xml"))
    assert len(tag_feeds) == 1
    tag_feed = atom(hostile, tag_feeds[0].relative_to(hostile).as_posix())
    assert HOSTILE_TAG in tag_feed.findtext(f"{ATOM}title")
    item = ET.parse(hostile / "rss.xml").getroot().find("channel/item")
    assert item.findtext("title") == HOSTILE_TITLE
    assert [c.text for c in item.findall(f"{DC}creator")] == [HOSTILE_AUTHOR]
    assert [c.text for c in item.findall("category")] == [HOSTILE_TAG]
    item = json.loads((hostile / "feed.json").read_text(encoding="utf-8"))["items"][0]
    assert item["title"] == HOSTILE_TITLE and item["tags"] == [HOSTILE_TAG]
    assert [a["name"] for a in item["authors"]] == [HOSTILE_AUTHOR]
    locs = sitemap_urls(hostile)
    assert url("articles/bad/") in locs
    assert all(urlsplit(loc).path.isascii() and "<" not in loc for loc in locs)


# --------------------------------------------------------------------------- link integrity


def test_links_to_markdown_files_become_page_urls(news):
    flood = resolved(url("articles/flood/"), head(news, "articles/flood/index.html").hrefs)
    for expected in (url("articles/budget/"), url("articles/regatta/#results"), url("authors/jane/"),
                     url("about/")):
        assert expected in flood, expected
    assert not any(href.endswith(".md") for href in head(news, "articles/flood/index.html").hrefs)
    regatta = resolved(url("articles/regatta/"), head(news, "articles/regatta/index.html").hrefs)
    assert url("articles/flood/") in regatta


BROKEN = """\
---
title: Broken links
date: 2025-03-10 09:00
image: {src: /images/missing-hero.jpg, alt: Nothing}
---
First paragraph.

A link to [a missing article](nowhere.md) here.

![A missing picture](/images/x.png)

And a good one: [fine](fine.md).
"""


@pytest.fixture
def broken_site(tmp_path) -> Path:
    return make_site(tmp_path / "site", {
        "config.yaml": CONFIG,
        "content/articles/broken.md": BROKEN,
        "content/articles/fine.md": article("Fine", "2025-03-09 09:00", "Fine.\n"),
    })


BROKEN_PROBLEMS = [
    ("content/articles/broken.md:4", "/images/missing-hero.jpg"),
    ("content/articles/broken.md:8", "nowhere.md"),
    ("content/articles/broken.md:10", "/images/x.png"),
]


def problem_lines(stderr: str, severity: str) -> list[str]:
    return [line for line in stderr.splitlines() if f": {severity}: " in line]


def test_broken_links_and_images_warn_with_file_and_line(broken_site, tmp_path):
    result = run_cli("build", "--output", str(tmp_path / "out"), cwd=broken_site)
    assert result.returncode == 0, result.stderr
    warnings = problem_lines(result.stderr, "warning")
    assert len(warnings) == 3, result.stderr
    for (where, ref), line in zip(BROKEN_PROBLEMS, warnings):
        assert line.startswith(f"{where}: warning: "), line
        assert f"'{ref}'" in line, line
    assert (tmp_path / "out/articles/broken/index.html").is_file()


def test_broken_links_are_errors_under_strict(broken_site, tmp_path):
    result = run_cli("build", "--strict", "--output", str(tmp_path / "out"), cwd=broken_site)
    assert result.returncode == 1, result.stderr
    errors = problem_lines(result.stderr, "error")
    assert [line.split(": error: ")[0] for line in errors] == [where for where, _ in BROKEN_PROBLEMS]
    assert not (tmp_path / "out/articles").exists(), "a failed build writes nothing"


def test_each_broken_link_is_reported_at_its_own_line(tmp_path):
    site = make_site(tmp_path / "site", {"config.yaml": CONFIG, "content/articles/2025/repeat.md": """\
        ---
        title: Repeats
        date: 2025-03-10 09:00
        ---
        The file nowhere.md is named in prose before any link to it.

        A [first link](nowhere.md).

        A [second link](nowhere.md) to the same place.

        Reference style: [third][gone].

        [gone]: gone.md
        """})
    result = run_cli("check", cwd=site)
    assert result.returncode == 0, result.stderr
    assert [line.split(": warning: ")[0] for line in problem_lines(result.stderr, "warning")] == [
        "content/articles/2025/repeat.md:7", "content/articles/2025/repeat.md:9",
        "content/articles/2025/repeat.md:13"]


def test_check_reports_broken_links(broken_site):
    result = run_cli("check", cwd=broken_site)
    assert result.returncode == 0, result.stderr
    assert [line.split(": warning: ")[0] for line in problem_lines(result.stderr, "warning")] == \
        [where for where, _ in BROKEN_PROBLEMS]
    strict = run_cli("check", "--strict", cwd=broken_site)
    assert strict.returncode == 1
    assert len(problem_lines(strict.stderr, "error")) == 3
    assert not (broken_site / "output").exists(), "check writes nothing"


# --------------------------------------------------------------------------- scheduling


def scheduled_site(root: Path, *, with_scheduled: bool = True) -> Path:
    files = {
        "config.yaml": CONFIG.replace("timezone: UTC", "timezone: America/New_York"),
        "content/articles/out.md": article("Out now", "2025-03-10 09:00", "Out.\n"),
        "content/articles/future-draft.md": article("Future draft", "2099-01-01 08:00", "D.\n", draft="true"),
    }
    if with_scheduled:
        files["content/articles/later.md"] = article("Later", "2099-12-01 08:00", "Later.\n")
        files["content/articles/soon.md"] = article("Soon", "2099-07-04 08:00", "Soon.\n")
    return make_site(root, files)


def test_next_prints_when_the_earliest_scheduled_article_is_due(tmp_path):
    site = scheduled_site(tmp_path / "site")
    result = run_cli("next", cwd=site)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["2099-07-04T08:00:00-04:00"], "ISO 8601 in the site's time zone"
    assert datetime.fromisoformat(result.stdout.strip()) == datetime.fromisoformat("2099-07-04T12:00:00+00:00")
    elsewhere = run_cli("next", "--site", str(site), cwd=tmp_path)
    assert elsewhere.stdout == result.stdout


def test_next_prints_nothing_when_nothing_is_scheduled(tmp_path):
    site = scheduled_site(tmp_path / "site", with_scheduled=False)
    result = run_cli("next", cwd=site)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""


def test_build_says_when_the_next_article_is_due(tmp_path):
    site = scheduled_site(tmp_path / "site")
    result = run_cli("build", "--output", str(tmp_path / "out"), cwd=site)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if "Next scheduled article" in line]
    assert len(lines) == 1 and "2099-07-04T08:00:00-04:00" in lines[0] and "soon.md" in lines[0]
    none = scheduled_site(tmp_path / "none", with_scheduled=False)
    result = run_cli("build", "--output", str(tmp_path / "out-none"), cwd=none)
    assert result.returncode == 0 and "Next scheduled" not in result.stdout + result.stderr


# --------------------------------------------------------------------------- control characters


def test_issue_10_control_characters_are_left_out_of_feeds_with_a_warning(tmp_path):
    """Text pasted from a word processor brings vertical tabs and form feeds (YAML's "\\v"
    and "\\f" escapes, or raw in the body); a NUL or U+FFFF can be written too.
    XML 1.0 forbids them all: one made feed.xml and rss.xml unreadable."""
    from lxml import etree
    site = make_site(tmp_path / "site", {
        "config.yaml": CONFIG.replace("title: The Example News", 'title: "The Example\\vNews"'),
        "content/articles/pasted.md": article(
            '"Vote\\vcount\\fresult"', "2025-03-10 09:00",
            "First\x0bparagraph\x0c with a\x01 bell.\n\nSecond \x00 one.\n",
            summary='"Sum\\0mary here\\uFFFF"', tags='["Ele\\fctions", plain]', authors='["Ann\\x1bBee"]'),
    })
    result = run_cli("build", "--out", str(tmp_path / "out"), cwd=site)
    assert result.returncode == 0, result.stderr
    fix = "line and page breaks become spaces, the others are left out"
    hint = "  hint: they often come with text pasted from a word processor; feeds must be valid XML"
    assert result.stderr.splitlines() == [
        f"content/articles/pasted.md:2: warning: 'title' contains control characters (U+000B, U+000C): {fix}", hint,
        f"content/articles/pasted.md:4: warning: 'summary' contains control characters (U+0000, U+FFFF): {fix}", hint,
        f"content/articles/pasted.md:5: warning: 'tags[1]' contains control characters (U+000C): {fix}", hint,
        f"content/articles/pasted.md:6: warning: 'authors[1]' contains control characters (U+001B): {fix}", hint,
        "content/articles/pasted.md:6: warning: unknown author 'AnnBee': a page is generated for them",
        "  hint: add content/authors/annbee.md with a name and bio",
        f"content/articles/pasted.md:8: warning: the text contains control characters "
        f"(U+0000, U+0001, U+000B, U+000C): {fix}", hint]
    out = tmp_path / "out"
    xml_files = sorted(out.rglob("*.xml"))
    assert {p.relative_to(out).as_posix() for p in xml_files} >= {
        "feed.xml", "rss.xml", "sitemap.xml", "tags/ele-ctions/feed.xml", "authors/annbee/feed.xml"}
    for path in xml_files:
        etree.parse(str(path), etree.XMLParser(recover=False))  # raises on any character XML forbids
    feed = etree.parse(str(out / "feed.xml")).getroot()
    assert feed.findtext(f"{ATOM}title") == "The Example News"
    entry = feed.find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "Vote count result"
    assert entry.findtext(f"{ATOM}summary") == "Summary here"
    assert [c.get("label") for c in entry.findall(f"{ATOM}category")] == ["Ele ctions", "plain"]
    assert entry.find(f"{ATOM}author").findtext(f"{ATOM}name") == "AnnBee"  # an escape is not a space
    assert "<p>First paragraph  with a bell.</p>" in entry.findtext(f"{ATOM}content")
    item = etree.parse(str(out / "rss.xml")).getroot().find("channel/item")
    assert item.findtext("title") == "Vote count result"
    item = json.loads((out / "feed.json").read_text(encoding="utf-8"))["items"][0]
    assert (item["title"], item["summary"], item["tags"]) == ("Vote count result", "Summary here", ["Ele ctions", "plain"])
    # (config.yaml's own values reach the HTML pages as written: only feeds and sitemap are cleaned of them)
    pages = "".join(p.read_text(encoding="utf-8") for p in [*xml_files, *out.glob("articles/**/*.html")])
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", pages.replace("The Example\vNews", ""))


def test_a_feed_entry_makes_root_relative_and_fragment_links_absolute_and_no_other():
    # What a feed reader needs of an article's HTML: every href, src and poster that starts
    # with one slash gets the site's origin; a link to a fragment of the page itself (a
    # footnote) points into the article's page. The rest is left as it is: protocol-relative
    # URLs, absolute ones, and text that only looks like an attribute.
    html = ('<p><a href="/articles/a/">A</a> <a\thref="/b/#c">B</a><sup id="fnref:1"><a href="#fn:1">1</a></sup>\n'
            '<img src="/images/x.svg" alt="x"><video\nposter="/p.jpg" src="//cdn.example/v.mp4"></video>'
            '<a href="https://other.example/">O</a> data-href="/no" xhref="/no" <a href="//x">X</a> src="#not"</p>')
    assert publish.absolutize_html(html, "https://news.example", "https://news.example/articles/a/?q=1&r=2") == (
        '<p><a href="https://news.example/articles/a/">A</a> <a\thref="https://news.example/b/#c">B</a>'
        '<sup id="fnref:1"><a href="https://news.example/articles/a/?q=1&amp;r=2#fn:1">1</a></sup>\n'
        '<img src="https://news.example/images/x.svg" alt="x"><video\nposter="https://news.example/p.jpg" '
        'src="//cdn.example/v.mp4"></video><a href="https://other.example/">O</a> data-href="/no" xhref="/no" '
        '<a href="//x">X</a> src="#not"</p>')
    assert publish.absolutize_html('<a href="#x">x</a>', "https://news.example") == '<a href="#x">x</a>'
