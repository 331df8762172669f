"""Feeds of the latest published articles: Atom, RSS and JSON Feed for the site, an
Atom feed per tag and per author. Each holds at most `publish.FEED_LIMIT` entries."""

from __future__ import annotations

from typing import Any

from .. import publish, urls
from ..model import PUBLISHED
from ..routes import Route
from .shared import PageInputs, Shown, Structure, page_context


def inputs(route: Route, structure: Structure) -> PageInputs:
    """Return what a feed shows: the card and body of each entry, and its tag or author."""
    site = structure.site
    edition = structure.edition(route.edition)
    if route.kind == "tag-feed":
        indexes = edition.by_tag[route.key]
    elif route.kind == "author-feed":
        indexes = edition.by_author[route.key]
    else:
        indexes = edition.articles
    published = tuple(i for i in indexes if site.articles[i].status == PUBLISHED)[:publish.FEED_LIMIT]
    return PageInputs(cards={"entries": published}, bodies=tuple(site.articles[i].src_path for i in published),
                      tags=(route.key,) if route.kind == "tag-feed" else (),
                      authors=(route.key,) if route.kind == "author-feed" else ())


def feed_view(route: Route, shown: Shown) -> dict[str, Any]:
    """Return the view of a feed: its metadata and the latest published entries."""
    site_title = shown.edition.title
    if route.kind == "tag-feed":
        title, home = f"{shown.tag(route.key)['name']} — {site_title}", urls.tag_url(route.key)
    elif route.kind == "author-feed":
        title, home = f"{shown.author(route.key)['name']} — {site_title}", urls.author_url(route.key)
    else:
        title, home = site_title, urls.HOME
    home = urls.in_edition(route.edition, home)
    entries = shown.entries("entries")
    newest = max((e["modified"] for e in entries), default=None)
    links = shown.links
    return {
        "title": title, "subtitle": shown.edition.description or shown.edition.tagline,
        "language": shown.edition.language,
        "home_url": links.abs_url(home), "self_url": links.abs_url(route.url),
        "id": links.abs_url(home),
        "updated_iso": newest.isoformat() if newest else None,
        "updated_rfc822": publish.rfc822(newest) if newest else None,
        "entries": entries,
        "logo": shown.publisher_logo(),
    }


def context(route: Route, shown: Shown) -> dict[str, Any]:
    ctx, _ = page_context(route, shown)
    ctx["feed"] = feed_view(route, shown)
    return ctx


def document(ctx: dict[str, Any]) -> bytes:
    """Return the bytes of a feed without a template: the JSON Feed."""
    return publish.json_feed(ctx["feed"])
