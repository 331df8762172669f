"""The archive, bounded at any size: an index of years and months with their counts
(`/archive/`), a page per year listing its months (`/archive/2024/`), and a page per
month listing its articles (`/archive/2024/03/`), paginated by `routes.ARCHIVE_PER_PAGE`."""

from __future__ import annotations

from typing import Any

from .. import urls
from ..routes import ARCHIVE_PER_PAGE, Route
from .listings import pagination
from .shared import (PageInputs, Shown, Structure, add_alternates, add_social_head, page_context, title_suffix,
                     titled)


def inputs(route: Route, structure: Structure) -> PageInputs:
    """Return what an archive page shows: every year's months and their counts (its
    navigation), and for a month, its page of cards."""
    years = structure.archive_counts(route.edition)
    if route.kind == "archive":
        return PageInputs(facts={"years": years, "alternates": structure.edition_alternates(urls.ARCHIVE)})
    if route.kind != "archive-month":
        return PageInputs(facts={"years": years})
    year, month = (int(part) for part in route.key.split("/"))
    start = (route.number - 1) * ARCHIVE_PER_PAGE
    months = structure.archive_months(route.edition)
    return PageInputs(cards={"articles": months[(year, month)][start:start + ARCHIVE_PER_PAGE]},
                      facts={"years": years})


def year_views(shown: Shown) -> list[dict]:
    """Return each year with its count, URL and months (name, the month and year as a
    heading says it, count, URL), newest first, in the site's language."""
    views = []
    language = shown.language
    code = shown.route.edition
    for year, months_of in shown.fact("years"):
        months = [{"month": month, "name": language.month(month), "heading": language.month_year(year, month),
                   "count": count,
                   "url": shown.links.url(urls.in_edition(code, urls.archive_month_url(year, month)))}
                  for month, count in months_of]
        views.append({"year": year, "count": sum(m["count"] for m in months), "months": months,
                      "url": shown.links.url(urls.in_edition(code, urls.archive_year_url(year)))})
    return views


def context(route: Route, shown: Shown) -> dict[str, Any]:
    ctx, page = page_context(route, shown)
    site_title, text = shown.edition.title, shown.language.text
    years = ctx["years"] = year_views(shown)
    ctx["archive_url"] = shown.links.url(urls.in_edition(route.edition, urls.ARCHIVE))
    ctx["year"] = ctx["month"] = None
    if route.kind == "archive":
        page["title"] = page["social_title"] = titled(shown, text("archive"))
        page["description"] = text("description_archive", site=site_title)
        add_alternates(page, shown)
        return add_social_head(ctx, shown)
    year_number = int(route.key.split("/")[0])
    year = ctx["year"] = next(y for y in years if y["year"] == year_number)
    if route.kind == "archive-year":
        page["title"] = page["social_title"] = titled(shown, str(year["year"]), text("archive"))
        page["description"] = text("description_archive_year", site=site_title, year=year["year"])
        return add_social_head(ctx, shown)
    month_number = int(route.key.split("/")[1])
    month = ctx["month"] = next(m for m in year["months"] if m["month"] == month_number)
    ctx["articles"] = shown.cards("articles")
    ctx["pagination"] = pagination(route, shown)
    page["title"] = titled(shown, month["heading"] + title_suffix(route, shown), text("archive"))
    page["social_title"] = month["heading"]
    page["description"] = text("description_archive_month", site=site_title, month=month["heading"])
    return add_social_head(ctx, shown)
