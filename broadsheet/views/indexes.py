"""The indexes of every author and of every tag."""

from __future__ import annotations

from typing import Any

from ..routes import Route
from .shared import PageInputs, Shown, Structure, add_social_head, page_context, titled


def inputs(route: Route, structure: Structure) -> PageInputs:
    site = structure.site
    if route.kind == "authors":
        return PageInputs(authors=tuple(site.authors))
    return PageInputs(tags=tuple(site.tags))


def context(route: Route, shown: Shown) -> dict[str, Any]:
    ctx, page = page_context(route, shown)
    site_title, text = shown.config.title, shown.language.text
    if route.kind == "authors":
        ctx["authors"] = sorted(shown.authors(), key=lambda a: (a["name"].casefold(), a["id"]))
        page["title"] = page["social_title"] = titled(shown, text("authors"))
        page["description"] = text("description_authors", site=site_title)
    else:
        ctx["tags"] = sorted(shown.tags(), key=lambda t: (t["name"].casefold(), t["slug"]))
        page["title"] = page["social_title"] = titled(shown, text("topics"))
        page["description"] = text("description_topics", site=site_title)
    return add_social_head(ctx, shown)
