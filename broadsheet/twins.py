"""The theme's most rendered templates in plain Python: the same bytes as Jinja makes of
them, in a fraction of the time (issue 11: the pages of a cold build cost about as much as
their Markdown, most of it in Jinja's machinery rather than in the text).

Each twin stands for a template and every template it includes: `ThemeCard` for
partials/card.html (byline, badge); `ThemePages.article` for article.html in base.html
(figure, author box, author links, card list); `ThemePages.home`, `.tag` and `.author`
for the listings (pagination, sidebar, card list); `ThemePages.atom` for the Atom feeds
(feeds/atom.xml). `templates` uses one only while those
files are the theme's own; a site that overrides one of them gets its templates, which may
read anything. A change to one of those templates is a change to its twin too: tests
render both on every page of varied sites and compare the bytes.

Whitespace follows the theme's Jinja settings (`trim_blocks`, `lstrip_blocks`, the `-`
of `{%-`): the strings below are what those leave of each line.
"""

from __future__ import annotations

from typing import Any, Callable, Protocol

from markupsafe import Markup
from markupsafe import escape as markup_escape

BYLINES_KEPT = 4096
"""Bylines a card twin keeps made (each a few hundred bytes)."""


def escape(value: Any) -> str:
    """markupsafe's `escape` as text, a quarter of its time for the plain text most values
    are (a cold build of 4,000 articles escapes 700,000 of them here)."""
    if type(value) is str and not ("&" in value or "<" in value or ">" in value or '"' in value or "'" in value):
        return value
    return markup_escape(value)


class Words(Protocol):
    """The site's words by edition (`templates.Words`)."""

    def message(self, code: str, key: str, count: int | None = None, **values: Any) -> Markup: ...

    def joined(self, code: str, items: Any) -> Markup: ...


def edition_of(site: Any) -> str:
    """The edition a page's `site` view is of ("" for a site of one language)."""
    return site.get("edition", "") if isinstance(site, dict) else ""


class ThemeCard:
    """partials/card.html with the byline and badge it includes (7.5 us where Jinja takes
    40: a card is rendered on the listings of every worker, 20,000 times in a cold build of
    4,000 articles)."""

    def __init__(self, words: Words):
        self.words = words
        self._bylines: dict[tuple, str] = {}
        """The byline of each edition and list of authors (the same few hundred come again)."""

    def render(self, card: dict, level: Any, preview: bool, code: str) -> str:
        image, status = card["image"], card["status"]
        out = ['<article class="card', " card--image" if image else "",
               f" card--{escape(status)}" if status != "published" else "", '">']
        if image:
            out.append(f'  <div class="card__media"><img src="{escape(image["src"])}" alt="{escape(image["alt"])}" '
                       'loading="lazy" decoding="async"></div>')
        out.append('  <div class="card__body">\n')
        out.append(self.badge(status, preview, code))
        own_language = _own_language(card)
        out.append(f'    <h{escape(level)} class="card__title"{own_language}><a href="{escape(card["url"])}">'
                   f'{escape(card["title"])}</a></h{escape(level)}>')
        dek = card["summary"] or card["subtitle"]
        if dek:
            out.append(f'    <p class="card__summary"{own_language}>{escape(dek)}</p>')
        out.append('    <p class="card__meta">')
        if card["authors"]:
            out.append(self.byline(card["authors"], code) + ' <span class="sep" aria-hidden="true">·</span> ')
        out.append(f'<time datetime="{escape(card["date_iso"])}">{escape(card["date_display"])}</time>\n'
                   '    </p>\n  </div>\n</article>\n')
        return "".join(out)

    def badge(self, status: str, preview: bool, code: str) -> str:
        """partials/badge.html: the preview's "Draft", "Scheduled"."""
        if not preview or status == "published":
            return ""
        label = self.words.message(code, status) if status in ("draft", "scheduled") else escape(str(status).capitalize())
        return f'<span class="badge badge--{escape(status)}">{label}</span>'

    def byline(self, authors: list[dict], code: str) -> str:
        """partials/byline.html: "By A, B and C", each name linking to the author's page."""
        if not authors:
            return ""
        key = (code, *((author["url"], author["name"]) for author in authors))
        byline = self._bylines.get(key)
        if byline is None:
            names = [Markup(f'<a class="byline__author" href="{escape(author["url"])}">{escape(author["name"])}</a>')
                     for author in authors]
            authors_html = self.words.joined(code, names)
            byline = f'<span class="byline">{self.words.message(code, "byline", authors=authors_html)}</span>'
            if len(self._bylines) >= BYLINES_KEPT:
                self._bylines.clear()
            self._bylines[key] = byline
        return byline


def _own_language(item: dict) -> str:
    """The `lang` and `dir` of an item written in another language than its page's."""
    return f' lang="{escape(item["language"])}" dir="{escape(item["direction"])}"' if item["language"] else ""


class ThemePages:
    """The article and listing pages in base.html, with what they include.

    `theme_card` makes the badges and bylines; `card(card, level, preview, site)` is the
    page's `card_html` (a card made once per build); `asset(path)` the templates' `asset`;
    `head_extra(context)` renders
    partials/head_extra.html, which a site may override without losing the twin (the
    theme's is empty)."""

    def __init__(self, theme_card: ThemeCard, card: Callable[[dict, Any, bool, Any], Markup],
                 asset: Callable[[str], str], head_extra: Callable[[dict], str]):
        self.words = theme_card.words
        self.theme_card = theme_card
        self.card = card
        self.asset = asset
        self.head_extra = head_extra

    def frame(self, context: dict, main: str, aside: str = "") -> str:
        """base.html around a page's `main` and `aside` blocks."""
        site, page = context["site"], context["page"]
        code = edition_of(site)
        t = self.words.message
        out = [f'<!DOCTYPE html>\n<html lang="{escape(site["language"])}" dir="{escape(site["direction"])}">\n'
               f'<head>\n<meta charset="utf-8">\n'
               f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
               f'<title>{escape(page["title"])}</title>\n']
        if page["description"]:
            out.append(f'<meta name="description" content="{escape(page["description"])}">\n')
        out.append(f'<link rel="canonical" href="{escape(page["abs_url"])}">\n')
        for alternate in page["alternates"]:
            out.append(f'<link rel="alternate" hreflang="{escape(alternate["hreflang"])}" '
                       f'href="{escape(alternate["abs_url"])}">\n')
        for feed in page["feeds"]:
            out.append(f'<link rel="alternate" type="{escape(feed["type"])}" title="{escape(feed["title"])}" '
                       f'href="{escape(feed["url"])}">\n')
        out.append(f'<meta name="color-scheme" content="light dark">\n'
                   f'<link rel="icon" href="{escape(self.asset("static/favicon.svg"))}" type="image/svg+xml">\n'
                   f'<link rel="stylesheet" href="{escape(self.asset("static/broadsheet.css"))}">\n'
                   f'{page["head_html"]}\n{self.head_extra(context)}</head>\n'
                   f'<body class="kind-{escape(page["kind"])}">\n'
                   f'<a class="skip-link" href="#main">{t(code, "skip_to_content")}</a>\n'
                   f'<header class="masthead">\n  <div class="masthead__inner">\n'
                   f'    <a class="masthead__brand" href="{escape(site["url"])}" rel="home">')
        if site["logo"]:
            out.append(f'<img class="masthead__logo" src="{escape(site["logo"])}" alt="">')
        out.append(f'<span class="masthead__title">{escape(site["title"])}</span>\n    </a>\n')
        if site["tagline"]:
            out.append(f'<p class="masthead__tagline">{escape(site["tagline"])}</p>')
        if page["translations"]:
            out.append(f'    <nav class="languages" aria-label="{t(code, "other_languages")}">\n      <ul>\n')
            for version in page["translations"]:
                language = escape(version["language"])
                current = ' aria-current="page"' if version["current"] else ""
                out.append(f'        <li><a href="{escape(version["url"])}" lang="{language}" hreflang="{language}"'
                           f'{current}>{escape(version["name"])}</a></li>\n')
            out.append('      </ul>\n    </nav>\n')
        out.append('  </div>\n')
        if site["nav"]:
            collapsible = len(site["nav"]) > 4
            out.append(f'  <nav class="site-nav{" site-nav--collapsible" if collapsible else ""}" '
                       f'aria-label="{t(code, "nav_main")}">')
            if collapsible:
                out.append(f'    <input type="checkbox" id="bs-menu" class="site-nav__toggle">\n'
                           f'    <label for="bs-menu" class="site-nav__button">{t(code, "menu")}</label>')
            out.append('    <ul>\n')
            for item in site["nav"]:
                current = ' aria-current="page"' if item["url"] == page["url"] else ""
                out.append(f'      <li><a href="{escape(item["url"])}"{current}>{escape(item["title"])}</a></li>\n')
            out.append('    </ul>\n  </nav>\n')
        url = escape(site["url"])
        out.append(f'</header>\n<div class="layout layout--{escape(page["kind"])}">\n<main id="main" tabindex="-1">\n'
                   f'{main}</main>\n{aside}</div>\n'
                   f'<footer class="site-footer">\n  <div class="site-footer__inner">\n'
                   f'    <p class="site-footer__title"><a href="{url}">{escape(site["title"])}</a></p>\n')
        if site["description"]:
            out.append(f'<p class="site-footer__description">{escape(site["description"])}</p>')
        out.append(f'    <nav class="site-footer__nav" aria-label="{t(code, "nav_site")}">\n      <ul>\n'
                   f'        <li><a href="{url}archive/">{t(code, "archive")}</a></li>\n'
                   f'        <li><a href="{url}tags/">{t(code, "topics")}</a></li>\n'
                   f'        <li><a href="{url}authors/">{t(code, "authors")}</a></li>\n'
                   f'        <li><a href="{url}feed.xml" type="application/atom+xml">{t(code, "subscribe")} '
                   f'<span class="feed-format">{t(code, "feed_atom")}</span></a></li>\n'
                   f'      </ul>\n    </nav>\n')
        if site["copyright"]:
            out.append(f'<p class="site-footer__copyright">{escape(site["copyright"])}</p>')
        out.append('  </div>\n</footer>\n</body>\n</html>\n')
        return "".join(out)

    def article(self, context: dict) -> str:
        """article.html."""
        article, preview = context["article"], context["preview"]
        code = edition_of(context["site"])
        t = self.words.message
        own_language = _own_language(article)
        status = article["status"]
        out = [f'<article class="article{f" article--{escape(status)}" if status != "published" else ""}">\n'
               f'  <header class="article__header">\n', self.theme_card.badge(status, preview, code)]
        if article["tags"]:
            first = article["tags"][0]
            out.append(f'    <p class="kicker"><a href="{escape(first["url"])}">{escape(first["name"])}</a></p>')
        out.append(f'    <h1 class="article__title"{own_language}>{escape(article["title"])}</h1>')
        if article["subtitle"]:
            out.append(f'    <p class="standfirst"{own_language}>{escape(article["subtitle"])}</p>')
        out.append('    <div class="article__meta">')
        if article["authors"]:
            out.append(f'      <p class="article__byline">{self.theme_card.byline(article["authors"], code)}</p>')
        out.append(f'      <p class="article__dateline">\n'
                   f'        <time class="published" datetime="{escape(article["date_iso"])}">'
                   f'{escape(article["date_time_display"])}</time>')
        if article["updated_display"]:
            out.append(f'        <span class="sep" aria-hidden="true">·</span> <span class="updated">{t(code, "updated")} '
                       f'<time datetime="{escape(article["updated_iso"])}">{escape(article["updated_display"])}</time>'
                       f'</span>')
        if article["reading_minutes"]:
            out.append(f'        <span class="sep" aria-hidden="true">·</span> <span class="reading-time">'
                       f'{t(code, "reading_time", count=article["reading_minutes"])}</span>')
        out.append('      </p>\n    </div>\n  </header>')
        if article["image"]:
            out.append(self.figure(article["image"]))
        out.append(f'  <div class="article__body prose"{own_language}>\n{article["body_html"]}\n  </div>\n'
                   f'  <footer class="article__footer">')
        if article["credits"]:
            out.append(f'    <p class="article__credits">{escape(article["credits"])}</p>')
        if article["canonical_url"]:
            link = Markup(f'<a href="{escape(article["canonical_url"])}">{escape(article["canonical_url"])}</a>')
            out.append(f'    <p class="article__canonical">{t(code, "originally_published", link=link)}</p>')
        if article["tags"]:
            out.append(f'    <div class="article__tags">\n'
                       f'      <h2 class="section-label" id="bs-topics">{t(code, "topics")}</h2>\n'
                       f'      <ul class="tag-list" aria-labelledby="bs-topics">')
            for tag in article["tags"]:
                out.append(f'        <li><a href="{escape(tag["url"])}" rel="tag">{escape(tag["name"])}</a></li>')
            out.append('      </ul>\n    </div>')
        profiled = [author for author in article["authors"] if author["has_profile"]]
        if profiled:
            out.append(f'    <section class="article__authors" aria-labelledby="bs-about-authors">\n'
                       f'      <h2 class="section-label" id="bs-about-authors">'
                       f'{t(code, "about_the_author", count=len(profiled))}</h2>')
            out.extend(self.author_box(author) for author in profiled)
            out.append('    </section>')
        out.append('  </footer>\n</article>')
        if article["related"]:
            out.append(f'<section class="related" aria-labelledby="bs-related">\n'
                       f'  <h2 class="section-label" id="bs-related">{t(code, "related")}</h2>\n'
                       f'{self.card_list(context, article["related"], 3, "cards--related")}</section>')
        older, newer = article["older"], article["newer"]
        if newer or older:
            out.append(f'<nav class="article-nav" aria-label="{t(code, "nav_more_stories")}">\n  <ul>')
            if older:
                out.append(f'    <li class="article-nav__older"><a href="{escape(older["url"])}" rel="prev">'
                           f'<span class="article-nav__label"><span class="arrow" aria-hidden="true">←</span> '
                           f'{t(code, "older")}</span> <span class="article-nav__title">{escape(older["title"])}</span>'
                           f'</a></li>')
            if newer:
                out.append(f'    <li class="article-nav__newer"><a href="{escape(newer["url"])}" rel="next">'
                           f'<span class="article-nav__label">{t(code, "newer")} <span class="arrow" aria-hidden="true">'
                           f'→</span></span> <span class="article-nav__title">{escape(newer["title"])}</span></a></li>')
            out.append('  </ul>\n</nav>')
        return self.frame(context, "".join(out))

    def figure(self, image: dict) -> str:
        """partials/figure.html."""
        out = [f'<figure class="hero">\n  <img src="{escape(image["src"])}" alt="{escape(image["alt"])}">']
        caption, credit = image["caption"], image["credit"]
        if caption or credit:
            out.append(f'  <figcaption>{escape(caption)}{" " if caption and credit else ""}'
                       f'{f"""<span class="credit">{escape(credit)}</span>""" if credit else ""}</figcaption>')
        out.append('</figure>\n')
        return "".join(out)

    def author_box(self, author: dict) -> str:
        """partials/author_box.html (heading level 3), with partials/author_links.html."""
        avatar = author["avatar"]
        out = [f'<div class="author-box{" author-box--avatar" if avatar else ""}">']
        if avatar:
            out.append(f'  <img class="avatar" src="{escape(avatar)}" alt="{escape(author["name"])}" width="80" '
                       f'height="80" loading="lazy" decoding="async">')
        out.append(f'  <div class="author-box__text">\n    <h3 class="author-box__name"><a href="{escape(author["url"])}">'
                   f'{escape(author["name"])}</a></h3>')
        if author["role"]:
            out.append(f'    <p class="author-box__role">{escape(author["role"])}</p>')
        if author["bio_html"]:
            out.append(f'    <div class="author-box__bio">{author["bio_html"]}</div>')
        out.append(self.author_links(author, rel_me=False) + '  </div>\n</div>\n')
        return "".join(out)

    @staticmethod
    def author_links(author: dict, rel_me: bool) -> str:
        """partials/author_links.html."""
        if not author["links"]:
            return ""
        rel = ' rel="me"' if rel_me else ""
        items = "".join(f'  <li><a class="author-links__{escape(link["kind"])}" href="{escape(link["url"])}"{rel}>'
                        f'{escape(link["label"])}</a></li>' for link in author["links"])
        return f'<ul class="author-links">{items}</ul>'

    def card_list(self, context: dict, cards: list[dict], level: Any, list_class: str = "") -> str:
        """partials/card_list.html."""
        items = "".join(f"  <li>{self.card(card, level, context['preview'], context['site'])}</li>" for card in cards)
        return f'<div class="cards-box">\n<ul class="cards{f" {escape(list_class)}" if list_class else ""}">{items}' \
               f'</ul>\n</div>\n'

    def tag(self, context: dict) -> str:
        """tag.html."""
        tag = context["tag"]
        code = edition_of(context["site"])
        t = self.words.message
        main = (f'<header class="listing-header">\n  <p class="kicker">{t(code, "topic")}</p>\n'
                f'  <h1 class="listing-title">{escape(tag["name"])}</h1>\n'
                f'  <p class="listing-count">{t(code, "articles_count", count=tag["count"])}{self.page_number(context)}'
                f'</p>\n</header>\n{self.card_list(context, context["articles"], 2)}{self.pagination(context)}')
        return self.frame(context, main, self.aside(context, t(code, "more_topics")))

    def home(self, context: dict) -> str:
        """home.html."""
        articles, pagination = context["articles"], context["pagination"]
        code = edition_of(context["site"])
        t = self.words.message
        number = ""
        if pagination["number"] > 1:
            number = (f'<span class="listing-title__page">, '
                      f'{t(code, "page_number", number=pagination["number"])}</span>')
        out = [f'<header class="listing-header">\n  <h1 class="listing-title">{t(code, "latest_stories")}{number}</h1>\n'
               f'</header>\n']
        if not articles:
            out.append(f'<p class="empty">{t(code, "nothing_published")}</p>\n')
        elif pagination["number"] == 1:
            out.append(self.card_list(context, articles[:1], 2, "cards--lead"))
            if len(articles) > 1:
                out.append(self.card_list(context, articles[1:], 2))
        else:
            out.append(self.card_list(context, articles, 2))
        out.append(self.pagination(context))
        return self.frame(context, "".join(out),
                          self.aside(context, t(code, "more_from", site=context["site"]["title"])))

    def author(self, context: dict) -> str:
        """author.html."""
        author, articles = context["author"], context["articles"]
        code = edition_of(context["site"])
        t = self.words.message
        avatar = author["avatar"]
        out = [f'<header class="listing-header profile{" profile--avatar" if avatar else ""}">']
        if avatar:
            out.append(f'  <img class="avatar avatar--large" src="{escape(avatar)}" alt="{escape(author["name"])}" '
                       f'width="128" height="128" decoding="async">')
        out.append(f'  <div class="profile__text">\n'
                   f'    <h1 class="listing-title profile__name">{escape(author["name"])}</h1>')
        if author["role"]:
            out.append(f'    <p class="profile__role">{escape(author["role"])}</p>')
        if author["bio_html"]:
            out.append(f'    <div class="profile__bio">{author["bio_html"]}</div>')
        out.append(f'{self.author_links(author, rel_me=True)}'
                   f'    <p class="listing-count">{t(code, "articles_count", count=author["count"])}'
                   f'{self.page_number(context)}</p>\n  </div>\n</header>\n')
        if articles:
            out.append(f'<h2 class="section-label">{t(code, "articles_by", name=author["name"])}</h2>\n'
                       f'{self.card_list(context, articles, 3)}')
        out.append(self.pagination(context))
        return self.frame(context, "".join(out),
                          self.aside(context, t(code, "more_from", site=context["site"]["title"])))

    @staticmethod
    def atom(context: dict) -> str:
        """feeds/atom.xml: a feed of the site, a tag or an author (20 entries with their
        whole HTML: 2.3 ms a feed with Jinja, 340 tag and author feeds at 4,000 articles)."""
        feed, site = context["feed"], context["site"]
        out = [f'<?xml version="1.0" encoding="utf-8"?>\n'
               f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{escape(feed["language"])}">\n'
               f'  <title>{escape(feed["title"])}</title>\n']
        if feed["subtitle"]:
            out.append(f'  <subtitle>{escape(feed["subtitle"])}</subtitle>\n')
        site_url = escape(site["abs_url"])
        out.append(f'  <id>{escape(feed["id"])}</id>\n'
                   f'  <link rel="self" type="application/atom+xml" href="{escape(feed["self_url"])}"/>\n'
                   f'  <link rel="alternate" type="text/html" href="{escape(feed["home_url"])}"/>\n'
                   f'  <updated>{escape(feed["updated_iso"] or "1970-01-01T00:00:00+00:00")}</updated>\n'
                   f'  <author><name>{escape(site["publisher_name"])}</name><uri>{site_url}</uri></author>\n'
                   f'  <generator uri="https://pypi.org/project/broadsheet/">Broadsheet</generator>\n')
        if feed["logo"]:
            out.append(f'  <logo>{escape(feed["logo"])}</logo>\n')
        for entry in feed["entries"]:
            language = f' xml:lang="{escape(entry["language"])}"' if entry["language"] else ""
            out.append(f'  <entry{language}>\n'
                       f'    <title>{escape(entry["title"])}</title>\n'
                       f'    <id>{escape(entry["id"])}</id>\n'
                       f'    <link rel="alternate" type="text/html" href="{escape(entry["abs_url"])}"/>\n'
                       f'    <published>{escape(entry["date_iso"])}</published>\n'
                       f'    <updated>{escape(entry["modified_iso"])}</updated>\n')
            for author in entry["authors"]:
                out.append(f'    <author><name>{escape(author["name"])}</name><uri>{escape(author["abs_url"])}</uri>'
                           f'</author>\n')
            for tag in entry["tags"]:
                out.append(f'    <category term="{escape(tag["slug"])}" label="{escape(tag["name"])}" '
                           f'scheme="{site_url}tags/"/>\n')
            if entry["image"]:
                out.append(f'    <link rel="enclosure" type="{escape(entry["image"]["type"])}" '
                           f'href="{escape(entry["image"]["abs_src"])}"/>\n')
            out.append(f'    <summary type="text">{escape(entry["summary"])}</summary>\n'
                       f'    <content type="html">{escape(entry["content_xml"])}</content>\n'
                       f'  </entry>\n')
        out.append('</feed>\n')
        return "".join(out)

    def page_number(self, context: dict) -> str:
        """" · Page N" after a listing's count, from its second page on."""
        number = context["pagination"]["number"]
        return f' · {self.words.message(edition_of(context["site"]), "page_number", number=number)}' \
            if number > 1 else ""

    def pagination(self, context: dict) -> str:
        """partials/pagination.html: first, last and two pages either side of the current one."""
        pagination = context["pagination"]
        if not (pagination["prev_url"] or pagination["next_url"]):
            return ""
        code = edition_of(context["site"])
        t = self.words.message
        pages, number = pagination["pages"], pagination["number"]
        shown = [p for n, p in enumerate(pages)
                 if n == 0 or n == len(pages) - 1 or p["current"] or abs(p["number"] - number) <= 2]
        out = [f'<nav class="pagination" aria-label="{t(code, "nav_pagination")}">\n  <ul>']
        if pagination["prev_url"]:
            out.append(f'    <li class="pagination__prev"><a href="{escape(pagination["prev_url"])}" rel="prev">'
                       f'<span class="arrow" aria-hidden="true">←</span> {t(code, "previous")}</a></li>')
        page_word = t(code, "page")
        for n, p in enumerate(shown):
            if n and p["number"] - shown[n - 1]["number"] > 1:
                out.append('    <li class="pagination__gap" aria-hidden="true">…</li>')
            current = ' aria-current="page"' if p["current"] else ""
            out.append(f'    <li><a href="{escape(p["url"])}"{current}><span class="visually-hidden">{page_word} </span>'
                       f'{escape(p["number"])}</a></li>')
        if pagination["next_url"]:
            out.append(f'    <li class="pagination__next"><a href="{escape(pagination["next_url"])}" rel="next">'
                       f'{t(code, "next")} <span class="arrow" aria-hidden="true">→</span></a></li>')
        out.append('  </ul>\n</nav>')
        return "".join(out)

    def aside(self, context: dict, label: str) -> str:
        """A listing's aside block: partials/sidebar.html in its labelled <aside>."""
        return f'<aside class="sidebar" aria-label="{label}">\n{self.sidebar(context)}</aside>\n'

    def sidebar(self, context: dict) -> str:
        """partials/sidebar.html: the page's feeds, and ways to browse."""
        site, page = context["site"], context["page"]
        code = edition_of(site)
        t = self.words.message
        out = []
        if page["feeds"]:
            out.append(f'<section class="sidebar__section" aria-labelledby="bs-subscribe">\n'
                       f'  <h2 id="bs-subscribe" class="section-label">{t(code, "subscribe")}</h2>\n'
                       f'  <p class="sidebar__hint">{t(code, "subscribe_hint")}</p>\n'
                       f'  <ul class="sidebar__links sidebar__feeds">')
            previous = None
            for n, feed in enumerate(page["feeds"]):
                if n == 0 or feed["name"] != previous["name"]:
                    out.append(f'{"</li>" if n else ""}    <li><span class="feed-name">{escape(feed["name"])}</span>')
                out.append(f' <a href="{escape(feed["url"])}" type="{escape(feed["type"])}">{escape(feed["label"])}</a>')
                previous = feed
            out.append('</li>\n  </ul>\n</section>')
        url = escape(site["url"])

        def link(path: str, word: str) -> str:
            current = ' aria-current="page"' if page["kind"] == path else ""
            return f'    <li><a href="{url}{path}/"{current}>{t(code, word)}</a></li>\n'

        links = link("archive", "archive") + link("tags", "all_topics") + link("authors", "all_authors")
        out.append(f'<section class="sidebar__section" aria-labelledby="bs-browse">\n'
                   f'  <h2 id="bs-browse" class="section-label">{t(code, "browse")}</h2>\n'
                   f'  <ul class="sidebar__links">\n{links}  </ul>\n</section>\n')
        return "".join(out)
