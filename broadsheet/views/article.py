"""The article page: the whole article, its authors' profiles, related articles and
its neighbours in time."""

from __future__ import annotations

from typing import Any

from .. import publish
from ..routes import Route
from .shared import PageInputs, Shown, Structure, add_alternates, add_social_head, cut_at_word, page_context, titled


def inputs(route: Route, structure: Structure) -> PageInputs:
    """Return what an article page shows: its own card, record and body, its authors,
    the cards of related articles and of the next newer and older ones."""
    site = structure.site
    index = structure.article_index[route.key]
    article = site.articles[index]
    newer, older = structure.neighbours(index, route.edition)
    return PageInputs(
        cards={"self": (index,), "related": tuple(site.related.get(article.key, ())), "newer": newer, "older": older},
        bodies=(article.src_path,), authors=article.author_ids,
        facts={"alternates": structure.alternates(f"article:{article.key}")})


def context(route: Route, shown: Shown) -> dict[str, Any]:
    ctx, page = page_context(route, shown)
    src_path = shown.inputs.bodies[0]
    record = shown.record(src_path)
    rendered = shown.body(src_path)
    article = ctx["article"] = dict(shown.card("self"))
    article.update({
        "body_html": shown.language.titled(rendered.html), "credits": record.credits,
        "canonical_url": record.canonical_url,
        "word_count": rendered.word_count, "extra": dict(record.extra),
        "description": record.summary or record.subtitle or cut_at_word(shown.body_info(src_path).first_paragraph)
        or record.title,
        "authors": shown.authors(),
        "related": shown.cards("related"),
        "newer": shown.card("newer"),
        "older": shown.card("older"),
    })
    page["title"] = titled(shown, article["title"])
    page["social_title"] = article["title"]
    page["description"] = article["description"]
    if article["canonical_url"]:
        page["abs_url"] = article["canonical_url"]
    image = shown.abs_image(article["image"])
    jsonld = publish.news_article_ld(article, shown.site, shown.publisher_logo(), image)
    add_alternates(page, shown)
    return add_social_head(ctx, shown, og_type="article", image=image, article=article, jsonld=jsonld)
