"""The archive: every article, by year and month."""

from __future__ import annotations

from typing import Any

from ..routes import Route
from .shared import MONTHS, PageInputs, Shown, Structure, add_social_head, html_page


def inputs(route: Route, structure: Structure) -> PageInputs:
    return PageInputs(cards={"articles": tuple(range(len(structure.site.articles)))})


def context(route: Route, shown: Shown) -> dict[str, Any]:
    ctx, page = html_page(route, shown)
    years: list[dict] = []
    for card in shown.cards("articles"):
        when = card["date"]  # in the site's time zone
        if not years or years[-1]["year"] != when.year:
            years.append({"year": when.year, "count": 0, "months": []})
        year = years[-1]
        if not year["months"] or year["months"][-1]["month"] != when.month:
            year["months"].append({"month": when.month, "name": MONTHS[when.month - 1],
                                   "anchor": f"{when.year:04d}-{when.month:02d}", "articles": []})
        year["months"][-1]["articles"].append(card)
        year["count"] += 1
    ctx["years"] = years
    site_title = shown.config.title
    page["title"] = page["social_title"] = f"Archive — {site_title}"
    page["description"] = f"Every article of {site_title}, by month"
    return add_social_head(ctx, shown)
