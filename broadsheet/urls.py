"""Every URL shape of the site, and the `base_url` prefix, in one place.

A *site path* (`/tags/river/`) is what routes and links are planned with; `Links` turns
one into a `url` for an href (the base_url's path prefixed) or an `abs_url` (the whole
base_url prefixed). `out_path_for` turns a site path into a file under the output folder.
Pure: no I/O, nothing of the model beyond a record's slug and date.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from .config import SiteConfig, edition_prefix

HOME = "/"
AUTHORS = "/authors/"
TAGS = "/tags/"
ARCHIVE = "/archive/"
NOT_FOUND = "/404.html"
ATOM_FEED = "/feed.xml"
RSS_FEED = "/rss.xml"
JSON_FEED = "/feed.json"
NETLIFY_REDIRECTS = "/_redirects"
"""Redirects as Netlify and Cloudflare Pages read them."""
APACHE_REDIRECTS = "/.htaccess"
NGINX_REDIRECTS = "/nginx-redirects.conf"
"""Redirects as `location` blocks, for an `include` in an nginx `server` block."""
SITEMAP = "/sitemap.xml"
"""The sitemap index: it names every file under `/sitemaps/`."""
ROBOTS = "/robots.txt"


def author_url(author_id: str) -> str:
    return f"/authors/{author_id}/"


def author_feed_url(author_id: str) -> str:
    return f"/authors/{author_id}/feed.xml"


def tag_url(slug: str) -> str:
    return f"/tags/{slug}/"


def tag_feed_url(slug: str) -> str:
    return f"/tags/{slug}/feed.xml"


def archive_year_url(year: int) -> str:
    return f"/archive/{year:04d}/"


def archive_month_url(year: int, month: int) -> str:
    return f"/archive/{year:04d}/{month:02d}/"


def sitemap_file_url(name: str, part: int = 1) -> str:
    """Return the site path of one sitemap file: `/sitemaps/2024.xml`, then `/sitemaps/2024-2.xml`…"""
    return f"/sitemaps/{name}.xml" if part == 1 else f"/sitemaps/{name}-{part}.xml"


def page_url(slug: str) -> str:
    """Return the site path of a standalone page (about, contact) of the site's own language."""
    return f"/{slug}/"


def in_edition(code: str, path: str) -> str:
    """Return the site path `path` (`/tags/x/`) in the edition `code`: `/de/tags/x/` (the
    site's own language, '', has no prefix)."""
    return edition_prefix(code) + path if code else path


def page_url_of(config: SiteConfig, record) -> str:
    """Return the site path of a standalone page, in the edition of its language."""
    return in_edition(config.edition_for(record.language), page_url(record.slug))


def article_url(config: SiteConfig, record) -> str:
    """Return the site path of an article's record, in the edition of its language."""
    return permalink(config, config.edition_for(record.language), record.date, record.slug)


def permalink(config: SiteConfig, code: str, date, slug: str) -> str:
    """Return the site path of an article of the edition `code`: the permalink pattern
    filled from its date (in the site's time zone) and slug."""
    when = date.astimezone(config.tz)
    return in_edition(code, config.permalink.format(year=f"{when.year:04d}", month=f"{when.month:02d}",
                                                    day=f"{when.day:02d}", slug=slug))


def paginated_url(first: str, number: int) -> str:
    """Return the site path of page `number` of the listing whose first page is `first`."""
    return first if number == 1 else f"{first}page/{number}/"


def paginated_urls(first: str, count: int) -> list[str]:
    """Return the URL of each page of a listing: `first`, then `first` + `page/N/`."""
    return [paginated_url(first, n) for n in range(1, count + 1)]


def first_page_url(url: str, number: int) -> str:
    """Return the site path of page 1 of the listing whose page `number` is at `url`."""
    return url if number == 1 else url.rsplit("page/", 1)[0]


def alias_url(alias: str) -> str:
    """Return the site path a redirect page of an old path is written at: the path, with a
    `/` added when its last part has no suffix (`/old` is served from `/old/index.html`)."""
    last = alias.rsplit("/", 1)[-1]
    return alias if not last or "." in last else alias + "/"


def out_path_for(url: str) -> str:
    """Return the output file for a site path: `/a/b/` → `a/b/index.html`."""
    path = url.lstrip("/")
    if path == "" or path.endswith("/"):
        path += "index.html"
    return path


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:|//|#")


def is_external(url: str) -> bool:
    """True for a URL with a scheme or host (`https://…`, `mailto:…`, `//cdn…`) or a fragment."""
    return _SCHEME.match(url) is not None


class Links:
    """Turns site paths into the URLs pages use: prefixed with base_url's path, or absolute."""

    def __init__(self, config: SiteConfig):
        self.base_url = config.base_url
        self.base_path = config.base_path

    def url(self, path: str) -> str:
        """Return a site path (`/a/b/`) or an absolute URL as an href."""
        if is_external(path):
            return path
        return self.base_path + encoded(path.lstrip("/"))

    def abs_url(self, path: str) -> str:
        """Return a site path (`/a/b/`) as an absolute URL, base_url included."""
        if is_external(path):
            return path
        return self.base_url + encoded(path.lstrip("/"))


def encoded(path: str) -> str:
    """Return a site path with every character a URL cannot hold as it is percent-encoded
    in UTF-8 (`北京/` → `%E5%8C%97%E4%BA%AC/`): a path of ASCII letters is returned as it is,
    and so are the `%`, `?`, `#` and other delimiters already in it."""
    return path if path.isascii() and " " not in path else quote(path, safe="/%?#[]@!$&'()*+,;=:~")
