"""What feed readers, search engines and social networks read.

Owns the pieces of publishing that are pure functions of views: absolute URLs inside
article HTML, stable entry ids, RFC 822 and RFC 3339 dates, OpenGraph and Twitter card
tags, JSON-LD (escaped so that no text can close its `<script>`), and the JSON Feed
document. Knows nothing of the model: it takes the dicts `render` builds.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from email.utils import format_datetime
from html import escape
from typing import Any, Iterable
from urllib.parse import urlsplit

FEED_LIMIT = 20
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
_ROOT_RELATIVE = re.compile(r'="(?:(?<=\shref=")|(?<=\ssrc=")|(?<=\sposter="))(?=/(?!/))')
"""The `="` before a root-relative URL of an href, src or poster attribute. The pattern
begins with the `="` itself, which the regex engine finds by a fast search: one that
began with the whitespace before the name tried every space of the text (72 us for an
article's HTML against 10)."""
_FRAGMENT_ONLY = re.compile(r'="(?<=\shref=")(?=#)')


def origin_of(base_url: str) -> str:
    """Return `scheme://host[:port]` of a URL."""
    parts = urlsplit(base_url)
    return f"{parts.scheme}://{parts.netloc}"


def absolutize_html(body_html: str, origin: str, page_url: str | None = None) -> str:
    """Make every root-relative href/src in `body_html` absolute (feeds are read off-site).

    With `page_url`, fragment-only links (`#results`, footnotes) point into that page too:
    in a feed they would otherwise resolve against the feed's own URL.
    """
    body_html = _ROOT_RELATIVE.sub(lambda match: '="' + origin, body_html)
    if page_url:
        page = escape(page_url)
        body_html = _FRAGMENT_ONLY.sub(lambda match: '="' + page, body_html)
    return body_html


def figure_html(image: dict) -> str:
    """Return the hero image as HTML for a feed entry's content."""
    return f'<figure><img src="{escape(image["abs_src"])}" alt="{escape(image.get("alt") or "")}"></figure>'


def entry_id(base_url: str, slug: str, published: datetime) -> str:
    """Return a tag: URI (RFC 4151) for an article: stable when its title or URL changes."""
    parts = urlsplit(base_url)
    return f"tag:{parts.hostname},{published.date().isoformat()}:{parts.path}{slug}"


IMAGE_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
               ".gif": "image/gif", ".webp": "image/webp", ".avif": "image/avif"}


def media_type(url: str) -> str:
    """Return the MIME type of an image URL by its extension (a fixed table: no system files)."""
    path = urlsplit(url).path.lower()
    return next((kind for ext, kind in IMAGE_TYPES.items() if path.endswith(ext)), "image/*")


def rfc822(when: datetime) -> str:
    return format_datetime(when)


def json_for_script(data: Any) -> str:
    """Return `data` as JSON safe inside `<script>`: `<`, `>` and `&` are escaped."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def meta_tags(pairs: Iterable[tuple[str, str, str | None]]) -> str:
    """Return `<meta>` tags for (attribute, name, content) triples; empty content is skipped."""
    lines = []
    for attr, name, content in pairs:
        if content:
            lines.append(f'<meta {attr}="{escape(name)}" content="{escape(content)}">')
    return "\n".join(lines)


def social_head(page: dict, site: dict, *, og_type: str, image: dict | None,
                article: dict | None = None, jsonld: dict | None = None) -> str:
    """Return the OpenGraph, Twitter card, article:* and JSON-LD markup of one page."""
    pairs: list[tuple[str, str, str | None]] = [
        ("property", "og:type", og_type),
        ("property", "og:site_name", site["title"]),
        ("property", "og:title", page["social_title"]),
        ("property", "og:description", page["description"]),
        ("property", "og:url", page["abs_url"]),
        ("property", "og:locale", site["language"].replace("-", "_")),
    ]
    if image:
        pairs += [("property", "og:image", image["abs_src"]), ("property", "og:image:alt", image.get("alt"))]
    pairs += [
        ("name", "twitter:card", "summary_large_image" if image else "summary"),
        ("name", "twitter:title", page["social_title"]),
        ("name", "twitter:description", page["description"]),
    ]
    if image:
        pairs += [("name", "twitter:image", image["abs_src"]), ("name", "twitter:image:alt", image.get("alt"))]
    if article:
        pairs.append(("property", "article:published_time", article["date_iso"]))
        pairs.append(("property", "article:modified_time", article["updated_iso"] or article["date_iso"]))
        pairs += [("property", "article:author", author["abs_url"]) for author in article["authors"]]
        pairs += [("property", "article:tag", tag["name"]) for tag in article["tags"]]
    head = meta_tags(pairs)
    if jsonld:
        head += f'\n<script type="application/ld+json">{json_for_script(jsonld)}</script>'
    return head


def publisher_ld(site: dict, publisher_logo: str | None) -> dict:
    data: dict[str, Any] = {"@type": "Organization", "name": site["publisher_name"], "url": site["abs_url"]}
    if publisher_logo:
        data["logo"] = {"@type": "ImageObject", "url": publisher_logo}
    return data


def news_article_ld(article: dict, site: dict, publisher_logo: str | None, image: dict | None) -> dict:
    """Return schema.org NewsArticle data with every author as a Person."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article["title"],
        "description": article["description"],
        "datePublished": article["date_iso"],
        "dateModified": article["updated_iso"] or article["date_iso"],
        "author": [{"@type": "Person", "name": a["name"], "url": a["abs_url"]} for a in article["authors"]],
        "publisher": publisher_ld(site, publisher_logo),
        "mainEntityOfPage": {"@type": "WebPage", "@id": article["abs_url"]},
        "url": article["abs_url"],
        "inLanguage": article.get("language") or site["language"],
    }
    if image:
        data["image"] = [image["abs_src"]]
    if article["tags"]:
        data["keywords"] = [tag["name"] for tag in article["tags"]]
    if article.get("word_count"):
        data["wordCount"] = article["word_count"]
    return data


def profile_page_ld(author: dict, avatar_abs: str | None) -> dict:
    """Return schema.org ProfilePage data for an author page."""
    person: dict[str, Any] = {"@type": "Person", "name": author["name"], "url": author["abs_url"]}
    if author["role"]:
        person["jobTitle"] = author["role"]
    if avatar_abs:
        person["image"] = avatar_abs
    same_as = [link["url"] for link in author["links"] if link["url"].startswith(("http://", "https://"))]
    if same_as:
        person["sameAs"] = same_as
    return {"@context": "https://schema.org", "@type": "ProfilePage", "mainEntity": person,
            "url": author["abs_url"]}


def json_feed(feed: dict) -> bytes:
    """Return a JSON Feed 1.1 document for a feed view (see `Renderer.feed_view`)."""
    items = []
    for entry in feed["entries"]:
        item: dict[str, Any] = {
            "id": entry["id"], "url": entry["abs_url"], "title": entry["title"],
            "content_html": entry["content_html"], "summary": entry["summary"],
            "date_published": entry["date_iso"], "date_modified": entry["modified_iso"],
            "authors": [{"name": a["name"], "url": a["abs_url"]} for a in entry["authors"]],
            "tags": [t["name"] for t in entry["tags"]],
        }
        if entry["image"]:
            item["image"] = entry["image"]["abs_src"]
        if entry["external_url"]:
            item["external_url"] = entry["external_url"]
        if entry["language"]:  # an article in another language than its feed's
            item["language"] = entry["language"]
        items.append(item)
    document: dict[str, Any] = {
        "version": JSON_FEED_VERSION, "title": feed["title"], "home_page_url": feed["home_url"],
        "feed_url": feed["self_url"], "language": feed["language"], "items": items,
    }
    if feed["subtitle"]:
        document["description"] = feed["subtitle"]
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
