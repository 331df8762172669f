"""Which pages and files the site has (their URL shapes are `urls`'s).

Plans every file the site will contain: a `Route` per rendered page and a `Copy` per
file copied as is. Checks that no two claim one output path (naming every claimant) and
that no path can leave the output folder. Pure: no I/O.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Callable

from . import urls
from .errors import Problem, SourceLoc, error, positional_reduce
from .model import Alias, EditionContents, Site
from .urls import out_path_for, paginated_urls

THEME = "theme"
NAME_MAX = 255
"""Bytes of one file or folder name on common file systems (ext4, APFS, NTFS)."""
ARCHIVE_PER_PAGE = 100
"""Articles on one page of a month of the archive (one line each: date and headline)."""
SITEMAP_URLS = 50_000
"""URLs in one sitemap file at most (the sitemaps.org limit). At under 1 KB a URL (a slug
is at most NAME_MAX bytes), a file also stays under the 50 MB limit."""
ARCHIVE_URLS_PER_YEAR = 13
"""A year's archive pages listed in its sitemap file (the year's, and one per month)."""


@dataclass(frozen=True, slots=True)
class Route:
    """One rendered page."""

    url: str
    """Site path, starting with '/', without the base_url prefix."""
    out_path: str
    """Path relative to the output folder."""
    template: str
    kind: str
    """What the page is (home, article, tag, archive-month, sitemap…): `render.KINDS` names
    each with the module of `views` that describes it."""
    key: str = ""
    """Which article, author, tag or page (slug or id); '' for site-wide pages."""
    number: int = 1
    """Page number of a paginated listing."""
    count: int = 1
    """How many pages the listing has."""
    source: str = ""
    """The file that asked for this route, for collision messages."""
    edition: str = ""
    """The code of the edition (language) the page belongs to: '' for the site's own."""

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


def page_count(items: int, per_page: int) -> int:
    return max(1, -(-items // per_page))


def archive_months(site: Site, code: str = "") -> dict[tuple[int, int], tuple[int, ...]]:
    """Return (year, month) → indexes of the articles of edition `code` dated then in the
    site's time zone, newest first (articles are newest first, so each month's are together)."""
    tz = site.config.tz
    articles = site.articles
    months: dict[tuple[int, int], list[int]] = {}
    for index in site.editions[code].articles:
        when = articles[index].date.astimezone(tz)
        months.setdefault((when.year, when.month), []).append(index)
    return {key: tuple(indexes) for key, indexes in months.items()}


def archive_years(months: dict[tuple[int, int], tuple[int, ...]]) -> dict[int, tuple[tuple[int, tuple[int, ...]], ...]]:
    """Return year → ((month, article indexes), …), newest first, from `archive_months`."""
    years: dict[int, list[tuple[int, tuple[int, ...]]]] = {}
    for (year, month), indexes in months.items():
        years.setdefault(year, []).append((month, indexes))
    return {year: tuple(months_of) for year, months_of in years.items()}


def sitemap_page_entries(site: Site, code: str = "") -> list[tuple]:
    """Return what the sitemap's file of pages of edition `code` lists (other than articles
    and the archive's years and months), before leaving out what is not published: the
    home page, the indexes, each author and tag, and each standalone page."""
    edition = site.editions[code]
    entries: list[tuple] = [("home",), ("authors",)]
    entries += [("author", a, site.authors[a].is_generated, tuple(edition.by_author.get(a, ())))
                for a in edition.authors]
    entries.append(("tags",))
    entries += [("tag", slug, tuple(indexes)) for slug, indexes in edition.by_tag.items()]
    entries.append(("archive",))
    pages = {site.page_key(p): p for p in site.pages}
    entries += [("page", pages[key].slug, pages[key].draft) for key in edition.pages]
    return entries


def plan_sitemap_routes(site: Site, months_by_edition: dict[str, dict[tuple[int, int], tuple[int, ...]]],
                        limit: int = SITEMAP_URLS) -> list[Route]:
    """Return the sitemap files under the index, for each edition: one per year of
    articles (with the year's archive pages), then the other pages; each split into parts
    of at most `limit` URLs."""
    routes = []
    per_part = limit - ARCHIVE_URLS_PER_YEAR
    for code, months in months_by_edition.items():
        for year, months_of in archive_years(months).items():
            count = page_count(sum(len(indexes) for _, indexes in months_of), per_part)
            for part in range(1, count + 1):
                url = urls.in_edition(code, urls.sitemap_file_url(f"{year:04d}", part))
                routes.append(Route(url, out_path_for(url), "sitemaps/urls.xml", "sitemap-articles", f"{year:04d}",
                                    part, count, f"the sitemap of {year:04d}", code))
        count = page_count(len(sitemap_page_entries(site, code)), limit)
        for part in range(1, count + 1):
            url = urls.in_edition(code, urls.sitemap_file_url("pages", part))
            routes.append(Route(url, out_path_for(url), "sitemaps/urls.xml", "sitemap-pages", "pages", part, count,
                                "the sitemap of pages", code))
    return routes


def plan_routes(site: Site, theme_static: list[str], layout_static: list[str]) -> tuple[list[Route], list[Copy], list[Problem]]:
    """Return every page route and file copy of `site`, and collision/containment problems."""
    routes: list[Route] = []
    months_by_edition = {}
    for code, edition in site.editions.items():
        months_by_edition[code] = months = archive_months(site, code)
        routes += plan_edition_routes(site, edition, months)
    routes.append(Route(urls.NOT_FOUND, out_path_for(urls.NOT_FOUND), "404.html", "404", source="the not-found page"))
    routes.append(Route(urls.SITEMAP, out_path_for(urls.SITEMAP), "sitemap.xml", "sitemap", source="the sitemap index"))
    routes += plan_sitemap_routes(site, months_by_edition)
    routes.append(Route(urls.ROBOTS, out_path_for(urls.ROBOTS), "robots.txt", "robots", source="robots.txt"))
    routes += plan_redirect_routes(site, {(r.kind, r.key): r.url for r in routes if r.kind in ("article", "page")})

    copies = [Copy(f"static/{p}", THEME, p) for p in theme_static]
    copies = [c for c in copies if c.src_path not in set(layout_static)]
    copies += [Copy(f"static/{p}", "layouts", p) for p in layout_static]
    copies += [Copy(p, "content", p) for p in site.assets]
    copies.sort(key=lambda c: c.out_path)
    return routes, copies, check_routes(routes, copies)


REDIRECT_FILES = {"netlify": urls.NETLIFY_REDIRECTS, "apache": urls.APACHE_REDIRECTS, "nginx": urls.NGINX_REDIRECTS}
"""The files that tell web servers and hosts each redirect (one per kind of server)."""


def plan_redirect_routes(site: Site, url_of: dict[tuple[str, str], str]) -> list[Route]:
    """Return a redirect page for each alias of an article or page (its key: the site path
    it redirects to; `url_of` gives each article's and page's by kind and key), and the
    redirect files of the hosts when there is any. An alias that is its own item's URL is
    left out."""
    routes: list[Route] = []
    if not site.aliases:
        return routes
    sources = {("article", a.key): a.src_path for a in site.articles}
    sources.update({("page", site.page_key(p)): p.src_path for p in site.pages})
    for alias, url, target in alias_redirects(site, lambda kind, key: url_of[(kind, key)]):
        routes.append(Route(url, out_path_for(url), "redirect.html", "redirect", target,
                            source=f"{sources[(alias.kind, alias.key)]} (its alias {alias.old_path})",
                            edition=alias.edition))
    if routes:
        routes += [Route(url, out_path_for(url), "", "redirects", name, source=f"the redirects for {name}")
                   for name, url in REDIRECT_FILES.items()]
    return routes


def alias_redirects(site: Site, url_of: Callable[[str, str], str]) -> list[tuple[Alias, str, str]]:
    """Return (alias, its URL, the site path it redirects to) of every alias of `site`, by
    old path, leaving out an alias that is its own item's URL; `url_of(kind, key)` gives
    each article's and page's site path."""
    found = []
    for alias in site.aliases:
        url = urls.alias_url(alias.old_path)
        target = url_of(alias.kind, alias.key)
        if url != target:
            found.append((alias, url, target))
    return found


def plan_edition_routes(site: Site, edition: EditionContents, months: dict[tuple[int, int], tuple[int, ...]],
                        ) -> list[Route]:
    """Return the pages of one edition (language): its home, articles, authors, tags,
    archive, standalone pages and feeds, under its prefix."""
    per_page = site.config.paginate
    code = edition.code
    routes: list[Route] = []
    where = f" ({code})" if code else ""

    def add(url: str, template: str, kind: str, key: str = "", source: str = "") -> None:
        url = urls.in_edition(code, url)
        routes.append(Route(url, out_path_for(url), template, kind, key, source=source, edition=code))

    def listing(first: str, template: str, kind: str, key: str, items: int, source: str,
                per_page: int = per_page) -> None:
        count = page_count(items, per_page)
        for number, url in enumerate(paginated_urls(urls.in_edition(code, first), count), start=1):
            routes.append(Route(url, out_path_for(url), template, kind, key, number, count, source, code))

    listing(urls.HOME, "home.html", "home", "", len(edition.articles), "the home page" + where)
    config = site.config
    articles = site.articles
    for index in edition.articles:
        article = articles[index]
        url = urls.permalink(config, code, article.date, article.slug)
        routes.append(Route(url, out_path_for(url), "article.html", "article", article.key, source=article.src_path,
                            edition=code))
    add(urls.AUTHORS, "authors.html", "authors", source="the authors index" + where)
    for author_id in edition.authors:
        author = site.authors[author_id]
        source = author.record.src_path if author.record else f"the generated author '{author.name}'"
        listing(urls.author_url(author.id), "author.html", "author", author.id,
                len(edition.by_author.get(author.id, ())), source)
    add(urls.TAGS, "tags.html", "tags", source="the tags index" + where)
    for slug, indexes in edition.by_tag.items():
        listing(urls.tag_url(slug), "tag.html", "tag", slug, len(indexes), f"the tag '{site.tags[slug].name}'{where}")
    add(urls.ARCHIVE, "archive.html", "archive", source="the archive" + where)
    for year, months_of in archive_years(months).items():
        add(urls.archive_year_url(year), "archive_year.html", "archive-year", f"{year:04d}",
            f"the archive of {year:04d}{where}")
        for month, indexes in months_of:
            listing(urls.archive_month_url(year, month), "archive_month.html", "archive-month",
                    f"{year:04d}/{month:02d}", len(indexes), f"the archive of {year:04d}/{month:02d}{where}",
                    ARCHIVE_PER_PAGE)
    pages = {site.page_key(p): p for p in site.pages}
    for key in edition.pages:
        page = pages[key]
        add(urls.page_url(page.slug), "page.html", "page", key, page.src_path)
    add(urls.ATOM_FEED, "feeds/atom.xml", "feed", source="the site feed" + where)
    add(urls.RSS_FEED, "feeds/rss.xml", "rss", source="the RSS feed" + where)
    add(urls.JSON_FEED, "", "json-feed", source="the JSON feed" + where)
    for slug in edition.by_tag:
        add(urls.tag_feed_url(slug), "feeds/atom.xml", "tag-feed", slug,
            f"the feed of tag '{site.tags[slug].name}'{where}")
    for author_id in edition.by_author:
        add(urls.author_feed_url(author_id), "feeds/atom.xml", "author-feed", author_id,
            f"the feed of author '{author_id}'{where}")
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
    files = [s.split(" (its alias ", 1)[0] for s in sources if s.startswith("content/")]
    return files[0] if files else sources[0]


def is_contained(out_path: str) -> bool:
    """True when `out_path` is a plain relative path that stays inside its folder."""
    parts = out_path.split("/")
    return (bool(out_path) and not out_path.startswith("/") and "\\" not in out_path and "\0" not in out_path
            and all(part not in ("", ".", "..") for part in parts))
