"""Listings of article cards, paginated: the home page, a tag's page, an author's page."""

from __future__ import annotations

from typing import Any, Sequence

from .. import publish, urls
from ..routes import Route
from .shared import (PageInputs, Shown, Structure, add_alternates, add_social_head, feed_view, page_context,
                     title_suffix, titled)


def listed(route: Route, structure: Structure) -> Sequence[int]:
    """Return the indexes of every article the listing shows over all its pages."""
    edition = structure.edition(route.edition)
    if route.kind == "tag":
        return edition.by_tag.get(route.key, ())
    if route.kind == "author":
        return edition.by_author.get(route.key, ())
    return edition.articles


def inputs(route: Route, structure: Structure) -> PageInputs:
    """Return what one page of a listing shows: its slice of cards, and the tag or author
    (the home page: its versions in the site's other languages)."""
    per_page = structure.config.paginate
    start = (route.number - 1) * per_page
    cards = {"articles": tuple(listed(route, structure)[start:start + per_page])}
    if route.kind == "tag":
        return PageInputs(cards=cards, tags=(route.key,))
    if route.kind == "author":
        return PageInputs(cards=cards, authors=(route.key,))
    return PageInputs(cards=cards, facts={
        "alternates": structure.edition_alternates(urls.HOME) if route.number == 1 else ()})


PAGINATION_AROUND = 2
"""Page numbers shown either side of the current one (besides the first and the last)."""


def pagination(route: Route, shown: Shown) -> dict[str, Any]:
    """Return the page-number navigation of one page of a listing: a bounded window of
    pages (the first, the last, and `PAGINATION_AROUND` either side of the current one),
    however many pages the listing has."""
    first = urls.first_page_url(route.url, route.number)
    number, count = route.number, route.count

    def href(n: int) -> str:
        return shown.links.url(urls.paginated_url(first, n))

    window = sorted({1, count} | set(range(max(1, number - PAGINATION_AROUND), min(count, number + PAGINATION_AROUND) + 1)))
    return {
        "number": number, "count": count,
        "prev_url": href(number - 1) if number > 1 else None,
        "next_url": href(number + 1) if number < count else None,
        "pages": [{"number": n, "url": href(n), "current": n == number} for n in window],
    }


def context(route: Route, shown: Shown) -> dict[str, Any]:
    ctx, page = page_context(route, shown)
    site_title = shown.edition.title
    suffix = title_suffix(route, shown)
    text = shown.language.text
    og_type, image, jsonld = "website", None, None
    if route.kind == "home":
        page["title"] = f"{site_title}{suffix}"
        add_alternates(page, shown)
    elif route.kind == "author":
        author = ctx["author"] = shown.author(route.key)
        page["title"] = titled(shown, author["name"] + suffix)
        page["social_title"] = author["name"]
        page["description"] = text("articles_by", name=author["name"]) + (f", {author['role']}" if author["role"] else "")
        if author["feed_url"]:
            page["feeds"] = page["feeds"] + [feed_view(shown, author["name"], author["feed_url"])]
        og_type = "profile"
        avatar = shown.abs_media(author["avatar"])
        image = {"abs_src": avatar, "alt": author["name"]} if avatar else None
        if route.number == 1:
            jsonld = publish.profile_page_ld(author, avatar)
    elif route.kind == "tag":
        tag = ctx["tag"] = shown.tag(route.key)
        page["title"] = titled(shown, tag["name"] + suffix)
        page["social_title"] = tag["name"]
        page["description"] = text("description_tag", name=tag["name"], site=site_title)
        page["feeds"] = page["feeds"] + [feed_view(shown, tag["name"], tag["feed_url"])]
    ctx["articles"] = shown.cards("articles")
    ctx["pagination"] = pagination(route, shown)
    return add_social_head(ctx, shown, og_type=og_type, image=image, jsonld=jsonld)
