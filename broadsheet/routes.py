"""The URL and output-path policy, in one place.

Plans every file the site will contain: a `Route` per rendered page and a `Copy` per
file copied as is. Checks that no two claim one output path (naming every claimant) and
that no path can leave the output folder. Pure: no I/O.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from .errors import Problem, SourceLoc, error, positional_reduce
from .model import Site

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


def out_path_for(url: str) -> str:
    """Return the output file for a site path: `/a/b/` → `a/b/index.html`."""
    path = url.lstrip("/")
    if path == "" or path.endswith("/"):
        path += "index.html"
    return path


def article_url(site: Site, record) -> str:
    when = record.date.astimezone(site.config.tz)
    return site.config.permalink.format(year=f"{when.year:04d}", month=f"{when.month:02d}",
                                        day=f"{when.day:02d}", slug=record.slug)


def paginated_urls(first: str, count: int) -> list[str]:
    """Return the URL of each page of a listing: `first`, then `first` + `page/N/`."""
    return [first] + [f"{first}page/{n}/" for n in range(2, count + 1)]


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

    listing("/", "home.html", "home", "", len(site.articles), "the home page")
    for article in site.articles:
        url = article_url(site, article.record)
        routes.append(Route(url, out_path_for(url), "article.html", "article", article.slug,
                            source=article.record.src_path))
    routes.append(Route("/authors/", "authors/index.html", "authors.html", "authors", source="the authors index"))
    for author in site.authors.values():
        source = author.record.src_path if author.record else f"the generated author '{author.name}'"
        listing(f"/authors/{author.id}/", "author.html", "author", author.id,
                len(site.by_author.get(author.id, ())), source)
    routes.append(Route("/tags/", "tags/index.html", "tags.html", "tags", source="the tags index"))
    for tag in site.tags.values():
        listing(f"/tags/{tag.slug}/", "tag.html", "tag", tag.slug, len(site.by_tag[tag.slug]), f"the tag '{tag.name}'")
    routes.append(Route("/archive/", "archive/index.html", "archive.html", "archive", source="the archive"))
    for page in site.pages:
        url = f"/{page.slug}/"
        routes.append(Route(url, out_path_for(url), "page.html", "page", page.slug, source=page.src_path))
    routes.append(Route("/404.html", "404.html", "404.html", "404", source="the not-found page"))
    routes += plan_feed_routes(site)
    routes.append(Route("/sitemap.xml", "sitemap.xml", "sitemap.xml", "sitemap", source="the sitemap"))
    routes.append(Route("/robots.txt", "robots.txt", "robots.txt", "robots", source="robots.txt"))

    copies = [Copy(f"static/{p}", THEME, p) for p in theme_static]
    copies = [c for c in copies if c.src_path not in set(layout_static)]
    copies += [Copy(f"static/{p}", "layouts", p) for p in layout_static]
    copies += [Copy(p, "content", p) for p in site.assets]
    copies.sort(key=lambda c: c.out_path)
    return routes, copies, check_routes(routes, copies)


def plan_feed_routes(site: Site) -> list[Route]:
    """Return the Atom feeds (site, each tag, each author with articles), RSS and JSON Feed."""
    routes = [Route("/feed.xml", "feed.xml", "feeds/atom.xml", "feed", source="the site feed"),
              Route("/rss.xml", "rss.xml", "feeds/rss.xml", "rss", source="the RSS feed"),
              Route("/feed.json", "feed.json", "", "json-feed", source="the JSON feed")]
    for tag in site.tags.values():
        routes.append(Route(f"/tags/{tag.slug}/feed.xml", f"tags/{tag.slug}/feed.xml", "feeds/atom.xml",
                            "tag-feed", tag.slug, source=f"the feed of tag '{tag.name}'"))
    for author_id in site.by_author:
        routes.append(Route(f"/authors/{author_id}/feed.xml", f"authors/{author_id}/feed.xml", "feeds/atom.xml",
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
