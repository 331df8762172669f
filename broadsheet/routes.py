"""Which pages and files the site has (their URL shapes are `urls`'s).

Plans every file the site will contain: a `Route` per rendered page and a `Copy` per
file copied as is. Checks that no two claim one output path (naming every claimant) and
that no path can leave the output folder. Pure: no I/O.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from . import urls
from .errors import Problem, SourceLoc, error, positional_reduce
from .model import Site
from .urls import out_path_for, paginated_urls

THEME = "theme"
NAME_MAX = 255
"""Bytes of one file or folder name on common file systems (ext4, APFS, NTFS)."""


@dataclass(frozen=True, slots=True)
class Route:
    """One rendered page."""

    url: str
    """Site path, starting with '/', without the base_url prefix."""
    out_path: str
    """Path relative to the output folder."""
    template: str
    kind: str
    """home, article, author, authors, tag, tags, archive, page, 404."""
    key: str = ""
    """Which article, author, tag or page (slug or id); '' for site-wide pages."""
    number: int = 1
    """Page number of a paginated listing."""
    count: int = 1
    """How many pages the listing has."""
    source: str = ""
    """The file that asked for this route, for collision messages."""

    __reduce__ = positional_reduce


@dataclass(frozen=True, slots=True)
class Copy:
    """One file copied as is: from content/ or a theme's static/ folder."""

    out_path: str
    origin: str
    """`content`, `layouts` or `theme`."""
    src_path: str
    """Path relative to its origin's folder."""

    __reduce__ = positional_reduce


def article_url(site: Site, record) -> str:
    return urls.article_url(site.config, record)


def page_count(items: int, per_page: int) -> int:
    return max(1, -(-items // per_page))


def plan_routes(site: Site, theme_static: list[str], layout_static: list[str]) -> tuple[list[Route], list[Copy], list[Problem]]:
    """Return every page route and file copy of `site`, and collision/containment problems."""
    per_page = site.config.paginate
    routes: list[Route] = []

    def listing(first: str, template: str, kind: str, key: str, items: int, source: str) -> None:
        count = page_count(items, per_page)
        for number, url in enumerate(paginated_urls(first, count), start=1):
            routes.append(Route(url, out_path_for(url), template, kind, key, number, count, source))

    listing(urls.HOME, "home.html", "home", "", len(site.articles), "the home page")
    for article in site.articles:
        url = article_url(site, article.record)
        routes.append(Route(url, out_path_for(url), "article.html", "article", article.slug,
                            source=article.record.src_path))
    routes.append(Route(urls.AUTHORS, out_path_for(urls.AUTHORS), "authors.html", "authors", source="the authors index"))
    for author in site.authors.values():
        source = author.record.src_path if author.record else f"the generated author '{author.name}'"
        listing(urls.author_url(author.id), "author.html", "author", author.id,
                len(site.by_author.get(author.id, ())), source)
    routes.append(Route(urls.TAGS, out_path_for(urls.TAGS), "tags.html", "tags", source="the tags index"))
    for tag in site.tags.values():
        listing(urls.tag_url(tag.slug), "tag.html", "tag", tag.slug, len(site.by_tag[tag.slug]), f"the tag '{tag.name}'")
    routes.append(Route(urls.ARCHIVE, out_path_for(urls.ARCHIVE), "archive.html", "archive", source="the archive"))
    for page in site.pages:
        url = urls.page_url(page.slug)
        routes.append(Route(url, out_path_for(url), "page.html", "page", page.slug, source=page.src_path))
    routes.append(Route(urls.NOT_FOUND, out_path_for(urls.NOT_FOUND), "404.html", "404", source="the not-found page"))
    routes += plan_feed_routes(site)
    routes.append(Route(urls.SITEMAP, out_path_for(urls.SITEMAP), "sitemap.xml", "sitemap", source="the sitemap"))
    routes.append(Route(urls.ROBOTS, out_path_for(urls.ROBOTS), "robots.txt", "robots", source="robots.txt"))

    copies = [Copy(f"static/{p}", THEME, p) for p in theme_static]
    copies = [c for c in copies if c.src_path not in set(layout_static)]
    copies += [Copy(f"static/{p}", "layouts", p) for p in layout_static]
    copies += [Copy(p, "content", p) for p in site.assets]
    copies.sort(key=lambda c: c.out_path)
    return routes, copies, check_routes(routes, copies)


def plan_feed_routes(site: Site) -> list[Route]:
    """Return the Atom feeds (site, each tag, each author with articles), RSS and JSON Feed."""
    routes = [Route(urls.ATOM_FEED, out_path_for(urls.ATOM_FEED), "feeds/atom.xml", "feed", source="the site feed"),
              Route(urls.RSS_FEED, out_path_for(urls.RSS_FEED), "feeds/rss.xml", "rss", source="the RSS feed"),
              Route(urls.JSON_FEED, out_path_for(urls.JSON_FEED), "", "json-feed", source="the JSON feed")]
    for tag in site.tags.values():
        url = urls.tag_feed_url(tag.slug)
        routes.append(Route(url, out_path_for(url), "feeds/atom.xml",
                            "tag-feed", tag.slug, source=f"the feed of tag '{tag.name}'"))
    for author_id in site.by_author:
        url = urls.author_feed_url(author_id)
        routes.append(Route(url, out_path_for(url), "feeds/atom.xml",
                            "author-feed", author_id, source=f"the feed of author '{author_id}'"))
    return routes


def check_routes(routes: list[Route], copies: list[Copy]) -> list[Problem]:
    """Report every output path claimed twice (naming each claimant) or escaping the folder."""
    claims: dict[str, list[str]] = defaultdict(list)
    for route in routes:
        claims[route.out_path].append(route.source)
    for copy in copies:
        claims[copy.out_path].append(f"{copy.origin}/{copy.src_path}" if copy.origin != "content"
                                     else f"content/{copy.src_path}")
    problems = []
    for out_path, sources in sorted(claims.items()):
        if not is_contained(out_path):
            problems.append(error(SourceLoc(sources[0]), f"output path '{out_path}' would leave the output folder"))
        elif max(len(part.encode()) for part in out_path.split("/")) > NAME_MAX:
            problems.append(error(SourceLoc(_first_file(sources)),
                                  f"output path '{out_path}' has a name longer than {NAME_MAX} bytes",
                                  "shorten the slug, or the text around {slug} in the permalink pattern"))
        if len(sources) > 1:
            problems.append(error(SourceLoc(_first_file(sources)),
                                  f"'{out_path}' would be written by " + " and ".join(sources),
                                  "change a slug or the permalink pattern so each page has its own URL"))
    return problems


def _first_file(sources: list[str]) -> str:
    files = [s for s in sources if s.startswith("content/")]
    return files[0] if files else sources[0]


def is_contained(out_path: str) -> bool:
    """True when `out_path` is a plain relative path that stays inside its folder."""
    parts = out_path.split("/")
    return (bool(out_path) and not out_path.startswith("/") and "\\" not in out_path and "\0" not in out_path
            and all(part not in ("", ".", "..") for part in parts))
