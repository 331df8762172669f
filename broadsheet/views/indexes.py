"""The indexes of every author and of every tag."""

from __future__ import annotations

from typing import Any

from .. import urls
from ..routes import Route
from .shared import PageInputs, Shown, Structure, add_alternates, add_social_head, page_context, titled


def inputs(route: Route, structure: Structure) -> PageInputs:
    edition = structure.edition(route.edition)
    if route.kind == "authors":
        return PageInputs(authors=edition.authors, facts={"alternates": structure.edition_alternates(urls.AUTHORS)})
    return PageInputs(tags=tuple(edition.by_tag), facts={"alternates": structure.edition_alternates(urls.TAGS)})


def context(route: Route, shown: Shown) -> dict[str, Any]:
    ctx, page = page_context(route, shown)
    site_title, text = shown.edition.title, shown.language.text
    if route.kind == "authors":
        ctx["authors"] = sorted(shown.authors(), key=lambda a: (a["name"].casefold(), a["id"]))
        page["title"] = page["social_title"] = titled(shown, text("authors"))
        page["description"] = text("description_authors", site=site_title)
    else:
        ctx["tags"] = sorted(shown.tags(), key=lambda t: (t["name"].casefold(), t["slug"]))
        page["title"] = page["social_title"] = titled(shown, text("topics"))
        page["description"] = text("description_topics", site=site_title)
    add_alternates(page, shown)
    return add_social_head(ctx, shown)
