"""What search engines read: the sitemap and robots.txt."""

from __future__ import annotations

from typing import Any

from .. import urls
from ..model import PUBLISHED
from ..routes import Route
from .shared import PageInputs, Shown, Structure, html_page


def inputs(route: Route, structure: Structure) -> PageInputs:
    """Return what the sitemap shows: every article's card (its URL, dates, status and
    canonical URL), and which authors, tags and pages exist and what they list."""
    site = structure.site
    if route.kind == "robots":
        return PageInputs()
    return PageInputs(
        cards={"articles": tuple(range(len(site.articles)))},
        facts={"authors": tuple((a.id, a.is_generated, tuple(site.by_author.get(a.id, ())))
                                for a in site.authors.values()),
               "tags": tuple((slug, tuple(indexes)) for slug, indexes in site.by_tag.items()),
               "pages": tuple((p.slug, p.draft) for p in site.pages)})


def sitemap_urls(shown: Shown) -> list[dict]:
    """Every published article, tag, author and page, with lastmod from updated/date."""
    cards = shown.cards("articles")  # all of them: cards[i] is the card of article i
    tz, links = shown.config.tz, shown.links

    def newest(indexes) -> str | None:
        dates = [(cards[i]["updated"] or cards[i]["date"]) for i in indexes if cards[i]["status"] == PUBLISHED]
        return max(dates).astimezone(tz).isoformat() if dates else None

    everything = range(len(cards))
    found = [{"loc": links.abs_url(urls.HOME), "lastmod": newest(everything)}]
    for card in cards:
        # Syndicated copies (canonical_url elsewhere) are left out: a sitemap lists canonical URLs.
        if card["status"] == PUBLISHED and card["canonical_url"] in (None, card["abs_url"]):
            found.append({"loc": card["abs_url"], "lastmod": card["updated_iso"] or card["date_iso"]})
    authors = shown.fact("authors")
    found.append({"loc": links.abs_url(urls.AUTHORS), "lastmod": newest(everything)})
    for author_id, is_generated, indexes in authors:
        lastmod = newest(indexes)
        if lastmod or not is_generated:
            found.append({"loc": links.abs_url(urls.author_url(author_id)), "lastmod": lastmod})
    found.append({"loc": links.abs_url(urls.TAGS), "lastmod": newest(everything)})
    for slug, indexes in shown.fact("tags"):
        lastmod = newest(indexes)
        if lastmod:
            found.append({"loc": links.abs_url(urls.tag_url(slug)), "lastmod": lastmod})
    found.append({"loc": links.abs_url(urls.ARCHIVE), "lastmod": newest(everything)})
    for slug, draft in shown.fact("pages"):
        if not draft:
            found.append({"loc": links.abs_url(urls.page_url(slug)), "lastmod": None})
    return found


def context(route: Route, shown: Shown) -> dict[str, Any]:
    ctx, _ = html_page(route, shown)
    if route.kind == "robots":
        ctx["sitemap_url"] = shown.links.abs_url(urls.SITEMAP)
    else:
        ctx["urls"] = sitemap_urls(shown)
    return ctx
