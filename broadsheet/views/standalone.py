"""Pages that stand alone: a Markdown page (about, contact) and the not-found page."""

from __future__ import annotations

from typing import Any

from ..routes import Route
from .shared import PageInputs, Shown, Structure, add_alternates, add_social_head, cut_at_word, page_context, titled


def inputs(route: Route, structure: Structure) -> PageInputs:
    if route.kind == "page":
        return PageInputs(bodies=(structure.pages[route.key].src_path,),
                          facts={"alternates": structure.alternates(f"page:{route.key}")})
    return PageInputs()  # 404: the template alone


def context(route: Route, shown: Shown) -> dict[str, Any]:
    ctx, page = page_context(route, shown)
    if route.kind == "404":
        page["title"] = titled(shown, shown.language.text("not_found"))
        return ctx
    src_path = shown.inputs.bodies[0]
    record = shown.record(src_path)
    rendered = shown.body(src_path)
    ctx["doc"] = {"title": record.title, "slug": record.slug, "url": page["url"],
                  "body_html": shown.language.titled(rendered.html),
                  **shown.language_marks(record.language)}
    page["title"] = titled(shown, record.title)
    page["social_title"] = record.title
    page["description"] = cut_at_word(rendered.first_paragraph) or record.title
    add_alternates(page, shown)
    return add_social_head(ctx, shown)
