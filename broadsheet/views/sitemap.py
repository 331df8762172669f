"""What search engines read: robots.txt, which names the sitemap index; the index
(`/sitemap.xml`), which names every sitemap file; a file per year of articles with the
year's archive pages (`/sitemaps/2024.xml`), and a file of the other pages
(`/sitemaps/pages.xml`). Each file holds at most `routes.SITEMAP_URLS` URLs (split into
`-2`, `-3`… parts beyond), so one edit rewrites one bounded file."""

from __future__ import annotations

from typing import Any, Callable, Iterable

from .. import urls
from ..model import PUBLISHED, item_key
from ..routes import ARCHIVE_URLS_PER_YEAR, SITEMAP_URLS, Route, plan_sitemap_routes, sitemap_page_entries
from .shared import PageInputs, Shown, Structure, page_context


def inputs(route: Route, structure: Structure) -> PageInputs:
    site = structure.site
    code = route.edition
    if route.kind == "robots":
        return PageInputs()
    if route.kind == "sitemap":
        files = plan_sitemap_routes(site, {c: structure.archive_months(c) for c in site.editions})
        return PageInputs(facts={"files": tuple(r.url for r in files)})
    if route.kind == "sitemap-pages":
        # The lastmod of the home page, the indexes, an author's or a tag's page is its newest article's.
        entries = sitemap_page_entries(site, code)[(route.number - 1) * SITEMAP_URLS:route.number * SITEMAP_URLS]
        pages = [entry[1] for entry in entries if entry[0] == "page"]
        alternates = {what: structure.edition_alternates(path) for what, path in INDEXES.items()}
        alternates.update({f"page:{slug}": found for slug in pages
                           if (found := structure.alternates(f"page:{item_key(code, slug)}"))})
        return PageInputs(stamps={"articles": structure.edition(code).articles},
                          facts={"entries": tuple(entries), "alternates": tuple(alternates.items())})
    year = int(route.key)
    months_of = structure.archive_years(code)[year]
    indexes = tuple(i for _, month_indexes in months_of for i in month_indexes)
    per_part = SITEMAP_URLS - ARCHIVE_URLS_PER_YEAR
    shown = indexes[(route.number - 1) * per_part:route.number * per_part]
    stamps = {"articles": shown}
    alternates = (("alternates", tuple((i, found) for i in shown if (found := _article_alternates(structure, i)))),) \
        if site.translations else ()
    if route.number > 1:
        return PageInputs(stamps=stamps, facts=dict(alternates))
    # Part 1 lists the year's archive pages too, with their newest article's date.
    return PageInputs(stamps={**stamps, "year": indexes},
                      facts={"months": tuple((month, month_indexes) for month, month_indexes in months_of),
                             **dict(alternates)})


INDEXES = {"home": urls.HOME, "authors": urls.AUTHORS, "tags": urls.TAGS, "archive": urls.ARCHIVE}
"""The pages every edition has, which the file of pages lists first."""


def _article_alternates(structure: Structure, index: int) -> tuple:
    return structure.alternates(f"article:{structure.site.articles[index].key}")


def alternate_views(shown: Shown, found: tuple) -> list[dict]:
    return [{"hreflang": language, "abs_url": shown.links.abs_url(path)} for language, path in found]


def newest_of(stamps: dict[int, dict], tz) -> Callable[[Iterable[int]], str | None]:
    """Return a function giving the newest date (updated or published) of the published
    articles among some indexes, as the sitemap writes it."""
    def newest(indexes: Iterable[int]) -> str | None:
        dates = [(stamps[i]["updated"] or stamps[i]["date"]) for i in indexes if stamps[i]["status"] == PUBLISHED]
        return max(dates).astimezone(tz).isoformat() if dates else None
    return newest


def stamps_by_index(shown: Shown, group: str) -> dict[int, dict]:
    return dict(zip(shown.inputs.stamps[group], shown.stamps(group)))


def article_urls(shown: Shown) -> list[dict]:
    """Return the published articles of one part of a year, then (part 1) the year's archive pages."""
    found = []
    alternates = dict(shown.fact("alternates")) if "alternates" in shown.inputs.facts else {}
    for index, stamp in zip(shown.inputs.stamps["articles"], shown.stamps("articles")):
        # Syndicated copies (canonical_url elsewhere) are left out: a sitemap lists canonical URLs.
        if stamp["status"] == PUBLISHED and stamp["canonical_url"] in (None, stamp["abs_url"]):
            found.append({"loc": stamp["abs_url"], "lastmod": stamp["updated_iso"] or stamp["date_iso"],
                          "alternates": alternate_views(shown, alternates.get(index, ()))})
    if shown.route.number == 1:
        year, code = int(shown.route.key), shown.route.edition
        newest = newest_of(stamps_by_index(shown, "year"), shown.config.tz)
        found.append({"loc": shown.links.abs_url(urls.in_edition(code, urls.archive_year_url(year))),
                      "lastmod": newest(shown.inputs.stamps["year"]), "alternates": []})
        for month, indexes in shown.fact("months"):
            found.append({"loc": shown.links.abs_url(urls.in_edition(code, urls.archive_month_url(year, month))),
                          "lastmod": newest(indexes), "alternates": []})
    return found


def page_urls(shown: Shown) -> list[dict]:
    """Return the published pages of the part: home, indexes, authors, tags, pages."""
    everything = shown.inputs.stamps["articles"]  # all of the edition's
    newest = newest_of(stamps_by_index(shown, "articles"), shown.config.tz)
    links, code = shown.links, shown.route.edition
    alternates = dict(shown.fact("alternates"))

    def add(path: str, lastmod: str | None, alternates_of: str = "") -> None:
        found.append({"loc": links.abs_url(urls.in_edition(code, path)), "lastmod": lastmod,
                      "alternates": alternate_views(shown, alternates.get(alternates_of, ()))})
    found: list[dict] = []
    for entry in shown.fact("entries"):
        what = entry[0]
        if what in INDEXES:
            add(INDEXES[what], newest(everything), what)
        elif what == "author":
            _, author_id, is_generated, indexes = entry
            lastmod = newest(indexes)
            if lastmod or not is_generated:
                add(urls.author_url(author_id), lastmod)
        elif what == "tag":
            _, slug, indexes = entry
            lastmod = newest(indexes)
            if lastmod:
                add(urls.tag_url(slug), lastmod)
        elif not entry[2]:  # a page, unless a draft
            add(urls.page_url(entry[1]), None, f"page:{entry[1]}")
    return found


def context(route: Route, shown: Shown) -> dict[str, Any]:
    ctx, _ = page_context(route, shown)
    if route.kind == "robots":
        ctx["sitemap_url"] = shown.links.abs_url(urls.SITEMAP)
    elif route.kind == "sitemap":
        ctx["sitemaps"] = [{"loc": shown.links.abs_url(url)} for url in shown.fact("files")]
    elif route.kind == "sitemap-pages":
        ctx["urls"] = page_urls(shown)
    else:
        ctx["urls"] = article_urls(shown)
    return ctx
