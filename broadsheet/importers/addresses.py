"""Addresses in an import, whatever the system: where each item goes, which of its old
addresses can redirect to it, links of the old site pointed at the new one, and tag
names made one per slug.

Every function is pure and writes its report entries to the `notes` it is given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Mapping, Sequence
from urllib.parse import parse_qs, unquote, urlsplit

from ..config import SiteConfig
from ..errors import Problem, SourceLoc, warning
from ..load import NOT_XML, load_records, name_slug
from ..urls import alias_url, article_url, page_url, page_url_of, permalink

RESERVED_PREFIXES = ("/tags/", "/authors/", "/archive/", "/page/", "/sitemaps/", "/static/", "/images/")
"""Site paths of Broadsheet's own pages and files: no page slug or alias may take one."""
RESERVED_FILES = ("/", "/404.html", "/feed.xml", "/rss.xml", "/feed.json", "/sitemap.xml", "/robots.txt",
                  "/_redirects", "/.htaccess", "/nginx-redirects.conf")


def is_reserved(url: str) -> bool:
    """True for a site path Broadsheet's own pages or files take."""
    return url in RESERVED_FILES or url.startswith(RESERVED_PREFIXES)


def is_plain_site_path(path: str) -> bool:
    """True for a site path an alias may be: no `.` or `..` part, no backslash, nothing XML forbids."""
    return (path.startswith("/") and not any(part in (".", "..") for part in path.split("/"))
            and "\\" not in path and not NOT_XML.search(path))


def old_address(link: str, site_urls: Sequence[str]) -> tuple[str | None, str | None]:
    """Return an item's old address as a site path (`/2024/05/01/flood/`, percent-decoded)
    and None; or None and the link when it has a query (`/?p=12`), which a static site
    cannot answer; or None, None when the link is not on the old site."""
    bare = re.sub(r"^https?://", "", link.strip(), flags=re.IGNORECASE)
    for site in site_urls:
        base = re.sub(r"^https?://", "", site, flags=re.IGNORECASE)
        if bare.lower() == base.lower() or bare.lower().startswith(base.lower() + ("" if base.endswith("/") else "/")):
            rest = bare[len(base):]
            parts = urlsplit("/" + rest.lstrip("/"))
            if parts.query:
                return None, link.strip()
            return unquote(parts.path), None
    return None, None


# --------------------------------------------------------------------------- where each item goes


@dataclass(frozen=True, slots=True)
class SiteAddresses:
    """What the site holds already: addresses and slugs an import must not take."""

    urls: Mapping[str, str] = field(default_factory=dict)
    """Site path (of an article, a page or an alias) → the file that has it."""
    slugs: Mapping[tuple[str, str], str] = field(default_factory=dict)
    """(section, slug) → the file that has it."""

    @classmethod
    def of_site(cls, site_dir: Path, config: SiteConfig) -> SiteAddresses:
        """Read the site's articles and pages (those that load; the import says nothing of
        the others)."""
        records = load_records(site_dir, config).records
        urls: dict[str, str] = {}
        slugs: dict[tuple[str, str], str] = {}
        for section, found, url_of in (("articles", records.articles, article_url),
                                       ("pages", records.pages, page_url_of)):
            for record in found:
                slugs.setdefault((section, record.slug), record.src_path)
                for url in (url_of(config, record), *(alias_url(a) for a in record.aliases)):
                    urls.setdefault(url, record.src_path)
        return cls(urls, slugs)

    def taken(self, places: Sequence[Place]) -> set[str]:
        """The addresses an import's items and their aliases may not take: those of `places`,
        and the site's but for the files the import writes over."""
        written = {place.src_path for place in places}
        return {place.url for place in places} | {url for url, path in self.urls.items() if path not in written}

    def other(self, section: str, slug: str, url: str, src_path: str) -> str | None:
        """The file of the site, other than `src_path`, that has the slug or address, or None."""
        found = self.slugs.get((section, slug)) or self.urls.get(url)
        return found if found and found != src_path else None


@dataclass(frozen=True, slots=True)
class Claim:
    """What an imported item asks for: a slug among its kind."""

    section: str
    """`articles` or `pages`."""
    wanted: str
    """The slug it wants ('' when it has none: `fallback` is used)."""
    fallback: str
    """The slug when `wanted` is empty: `post-12`."""
    date: datetime
    """When it was published, aware: its permalink's date."""
    label: str
    """How the report names it: `post 12 ('Flood')`, `_posts/2024-05-01-flood.md`."""
    folder: bool = False
    """Written in a folder of its own (`content/articles/flood/flood.md`) with the files it brings."""


@dataclass(frozen=True, slots=True)
class Place:
    """Where an imported item goes."""

    section: str
    slug: str
    url: str
    """Its new site path."""
    folder: bool = False

    @property
    def src_path(self) -> str:
        """Its file, relative to the site root."""
        name = f"{self.slug}/{self.slug}.md" if self.folder else f"{self.slug}.md"
        return f"content/{self.section}/{name}"


def place_all(claims: Sequence[Claim], config: SiteConfig, notes: list[Problem],
              site: SiteAddresses = SiteAddresses()) -> list[Place]:
    """Return where each claim goes, in their order: a slug unique among its kind (articles
    placed first; the second of two gets `-2`, with a report entry), never one of
    Broadsheet's own addresses nor one a file of the site has (its own file, which an
    import overwrites only when forced, excepted)."""
    places: dict[int, Place] = {}
    slugs: dict[str, set[str]] = {"articles": set(), "pages": set()}
    first_of: dict[tuple[str, str], str] = {}
    urls: set[str] = set()
    for index in sorted(range(len(claims)), key=lambda i: claims[i].section != "articles"):
        claim = claims[index]
        wanted = claim.wanted or claim.fallback
        slug, number = wanted, 1
        while True:
            place = Place(claim.section, slug,
                          permalink(config, "", claim.date, slug) if claim.section == "articles" else page_url(slug),
                          claim.folder)
            if (slug not in slugs[claim.section] and place.url not in urls and not is_reserved(place.url)
                    and not site.other(claim.section, slug, place.url, place.src_path)):
                break
            first_of.setdefault((claim.section, slug), site.other(claim.section, slug, place.url, place.src_path)
                                or "")
            number += 1
            slug = f"{wanted}-{number}"
        slugs[claim.section].add(slug)
        urls.add(place.url)
        places[index] = place
        if slug != wanted:
            other = first_of.get((claim.section, wanted))
            why = (f"the slug '{wanted}' is taken by {other}" if other
                   else f"'{place.url.replace(slug, wanted)}' is an address of Broadsheet's own")
            notes.append(warning(SourceLoc(place.src_path, 1), f"{why}: this one is '{slug}'",
                                 "rename the file to change its address; the old address still redirects here"))
        first_of.setdefault((claim.section, slug), claim.label)
    return [places[i] for i in range(len(claims))]


def keep_aliases(place: Place, paths: Sequence[str], taken: set[str], notes: list[Problem]) -> list[str]:
    """Return the old site paths of `place` that can redirect to it (each once, none its new
    address), adding their addresses to `taken`; report the others (no plain path,
    Broadsheet's own address, another item's)."""
    found: list[str] = []
    loc = SourceLoc(place.src_path, 1)
    for path in paths:
        address = alias_url(path)
        if address == place.url or path in found:
            continue
        if not is_plain_site_path(path):
            notes.append(warning(loc, f"the old address {path!r} is no plain path (a '..', a backslash, a control "
                                      "character): it is not an alias",
                                 f"redirect it in the web server's configuration to {place.url}"))
            continue
        if is_reserved(address) or address in taken:
            notes.append(warning(loc, f"the old address {path} is now the address of another page: it is not an alias",
                                 "links to the old address now lead to that page; check they should"))
            continue
        taken.add(address)
        found.append(path)
    return found


def canonical_names(names_by_file: Mapping[str, Sequence[str]], style: str, shown: str,
                    notes: list[Problem]) -> dict[str, list[str]]:
    """Return each file's tag names spelled as the first file to use each slug spelled it
    (Broadsheet's tags are one per slug), without repeats or names of no slug; report the
    slugs written several ways."""
    spelling: dict[str, str] = {}
    variants: dict[str, set[str]] = {}
    result: dict[str, list[str]] = {}
    for src_path, terms in names_by_file.items():
        names: list[str] = []
        for term in terms:
            slug = name_slug(term, style)
            if not slug:
                continue
            name = spelling.setdefault(slug, term)
            variants.setdefault(slug, set()).add(term)
            if name not in names:
                names.append(name)
        result[src_path] = names
    for slug, names in sorted(variants.items()):
        if len({n.casefold() for n in names}) > 1:
            notes.append(warning(SourceLoc(shown), f"the categories and tags {', '.join(sorted(names))} make one tag "
                                 f"(/tags/{slug}/): each is written '{spelling[slug]}'"))
    return result


# --------------------------------------------------------------------------- links of the old site


TERM_ARCHIVES = ("/category/", "/categories/", "/tag/", "/tags/")
"""Where WordPress, Jekyll's plugins and Hugo put the page of a category or tag."""


def term_archives(old_slugs: Mapping[str, str], style: str) -> dict[str, str]:
    """Return the old site path (without its final `/`) of each category's or tag's page
    (`/category/harbour`, `/tags/harbour`) → the new tag page, given each old slug → its name."""
    found: dict[str, str] = {}
    for old, name in old_slugs.items():
        slug = name_slug(name, style)
        if old and slug:
            for prefix in TERM_ARCHIVES:
                found.setdefault(prefix + old.strip("/"), f"/tags/{slug}/")
    return found


@dataclass(frozen=True, slots=True)
class SiteLinks:
    """Points links to the old site's posts and pages (`https://old/2024/05/flood/`,
    `/2024/05/flood/`, WordPress's `/?p=12`) at their new addresses."""

    site_urls: tuple[str, ...]
    by_path: Mapping[str, str]
    """Old site path (without its final `/`) → new URL."""
    by_id: Mapping[str, str] = field(default_factory=dict)
    """Post id → new URL, for `?p=12` and `?page_id=12`."""

    def rewrite(self, text: str) -> str:
        """Return `text` with each link target (`](…)`, `href="…"`, `<…>`) to an imported item made its new URL."""
        return re.sub(r"(?P<lead>\]\(|href=\"|<)(?P<url>[^\s\"<>()]+)", self._replace, text)

    def _replace(self, match: re.Match) -> str:
        url = match["url"]
        fragment = "#" + url.split("#", 1)[1] if "#" in url else ""
        address = url.split("#", 1)[0]
        if address.startswith("/") and not address.startswith("//"):
            path, query = urlsplit(address).path, urlsplit(address).query
        else:
            found, with_query = old_address(address, self.site_urls)
            if found is None and with_query is None:
                return match.group()
            path, query = (found, "") if found is not None else ("/", urlsplit(with_query).query)
        target = None
        if query:
            ids = parse_qs(query)
            post = (ids.get("p") or ids.get("page_id") or [""])[0]
            target = self.by_id.get(post)
        elif path:
            target = self.by_path.get(unquote(path).rstrip("/"))
        return match["lead"] + target + fragment if target else match.group()
