"""The views every page kind shares, and the contract between a page kind and the engine.

A page kind (one module of this package per family) declares what a page reads,
`inputs(route, site) -> PageInputs`, and builds its template data from a `Shown`, which
hands out exactly those inputs as views: cards, bodies, author and tag views, facts.
`SiteViews` makes the views (cards, authors, tags, the site, feed entries) from the
model, once per build. The fingerprint of a page (`fingerprint.py`) is made from the
same `PageInputs`, so what a page shows and what it is invalidated by cannot drift.

Templates receive plain views (dicts of text, URLs and lists), never model objects; the
README's "Templates and the template context" section is the contract.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping

from .. import publish, urls
from ..bodies import MEMO_SIZE, Bodies, BodyInfo, Recent
from ..config import Edition
from ..i18n import Language, direction_of
from ..links import LinkResolver
from ..model import Article, Author, EditionContents, Site
from ..routes import alias_redirects, archive_months, archive_years
from ..urls import is_external

if TYPE_CHECKING:
    from ..markup import Rendered
    from ..routes import Route

def cut_at_word(text: str) -> str:
    from ..markup import cut_at_word
    return cut_at_word(text)


def reading_minutes(words: int, characters: int) -> int:
    from ..markup import reading_minutes
    return reading_minutes(words, characters)


def escaped(text: str) -> str:
    from ..templates import escaped
    return escaped(text)


@dataclass(frozen=True, slots=True)
class PageInputs:
    """Everything one page shows, by identity: what its fingerprint hashes and what its
    `Shown` hands out. Depends on the site's structure only (which articles, in what
    order, who wrote them), never on what a source says."""

    cards: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    """Named groups of article cards, by index into `site.articles` (`articles`, `related`…)."""
    stamps: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    """Named groups of article stamps (URL, dates, status, canonical URL: what a sitemap
    shows), by index: cheaper to make than cards, and a headline edit leaves them alone."""
    bodies: tuple[str, ...] = ()
    """Sources (src_path) whose whole record and body HTML the page shows."""
    authors: tuple[str, ...] = ()
    """Author ids whose full view (profile, bio, links) the page shows."""
    tags: tuple[str, ...] = ()
    """Tag slugs whose view (name, count, feed) the page shows."""
    facts: Mapping[str, object] = field(default_factory=dict)
    """Plain values of the structure the page shows (counts, which authors are listed…):
    tuples of strings, numbers and None, hashed as they are."""


class Structure:
    """The site's structure as page kinds look it up: the model, and indexes by identity."""

    def __init__(self, site: Site):
        self.site = site
        self.config = site.config
        self.article_index = site.article_index()
        """Article key (`Article.key`) → its index in `site.articles`."""
        self.pages = {site.page_key(p): p for p in site.pages}
        """Page key → its record."""
        self._archives: dict[str, dict] = {}

    def edition(self, code: str) -> EditionContents:
        """Return what the edition `code` publishes ('' for the site's own language)."""
        return self.site.editions[code]

    def neighbours(self, index: int, code: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """Return the next newer and the next older article of the article at `index` in
        its edition (each a tuple of one index, or empty at either end)."""
        articles = self.edition(code).articles
        position = index if len(self.site.editions) == 1 else self._positions(code)[index]
        return (articles[position - 1],) if position > 0 else (), \
            (articles[position + 1],) if position + 1 < len(articles) else ()

    def _positions(self, code: str) -> dict[int, int]:
        return self._archive(code, "positions", lambda: {i: n for n, i in enumerate(self.edition(code).articles)})

    def archive_months(self, code: str) -> dict[tuple[int, int], tuple[int, ...]]:
        """(year, month) → indexes of the edition's articles, newest first."""
        return self._archive(code, "months", lambda: archive_months(self.site, code))

    def archive_years(self, code: str) -> dict[int, tuple[tuple[int, tuple[int, ...]], ...]]:
        """year → ((month, indexes of the edition's articles), …), newest first."""
        return self._archive(code, "years", lambda: archive_years(self.archive_months(code)))

    def archive_counts(self, code: str) -> tuple[tuple[int, tuple[tuple[int, int], ...]], ...]:
        """((year, ((month, how many articles), …)), …), newest first: the archive's navigation."""
        return self._archive(code, "counts", lambda: tuple(
            (year, tuple((month, len(indexes)) for month, indexes in months_of))
            for year, months_of in self.archive_years(code).items()))

    def _archive(self, code: str, what: str, make):
        key = f"{what}:{code}"
        if key not in self._archives:
            self._archives[key] = make()
        return self._archives[key]

    @functools.cached_property
    def redirects(self) -> tuple[tuple[str, str], ...]:
        """(old site path, the site path it redirects to) of every alias, by old path (an
        alias that is its own item's URL is none)."""
        return tuple((alias.old_path, target) for alias, _url, target in alias_redirects(self.site, self.url_of))

    def url_of(self, kind: str, key: str) -> str:
        """Return the site path of the article or page (`kind`) of `key`."""
        if kind == "article":
            article = self.site.articles[self.article_index[key]]
            return urls.permalink(self.config, article.edition, article.date, article.slug)
        return urls.page_url_of(self.config, self.pages[key])

    def alternates(self, item: str) -> tuple[tuple[str, str], ...]:
        """Return the language versions of an article (`article:<key>`) or a page
        (`page:<key>`) with translations: (hreflang, site path) of each, then
        ('x-default', the one in the site's own language) when there is one; else ()."""
        members = self.site.translations.get(item)
        if not members:
            return ()
        config = self.config
        found = []
        for member in members:
            kind, key = member.split(":", 1)
            language = self.site.articles[self.article_index[key]].record.language if kind == "article" \
                else self.pages[key].language
            found.append((language or config.language, self.url_of(kind, key)))
        default = [path for language, path in found if language == config.language]
        return tuple(found) + ((("x-default", default[0]),) if default else ())

    def edition_alternates(self, path: str) -> tuple[tuple[str, str], ...]:
        """Return the language versions of a page every edition has (its home, its
        indexes): (hreflang, site path) of each, then 'x-default'; () for a site in one language."""
        editions = self.config.editions
        if len(editions) == 1:
            return ()
        return tuple((e.language, urls.in_edition(e.code, path)) for e in editions) + (("x-default", path),)


class UndeclaredInput(LookupError):
    """A page kind asked for something its `inputs` did not declare: a bug in that kind."""


class Shown:
    """What one page may show: exactly its declared inputs, handed out as views."""

    def __init__(self, views: SiteViews, route: Route, inputs: PageInputs):
        self._views = views
        self.route = route
        self.inputs = inputs
        self.site = views.site_view(route.edition)
        """The site's view (config only: the same for every page of an edition)."""
        self.links = views.links
        self.config = views.config
        self.edition = views.edition(route.edition)
        """The page's edition (language): its title, tagline, description, nav and words."""
        self.preview = views.preview
        self.language = views.language_of(route.edition)
        """The edition's words and locale: `language.text(name, count=…, …)`, dates, months."""

    def cards(self, group: str) -> list[dict]:
        """Return the cards of a declared group, in its order."""
        return [self._views.card(index) for index in self._group(group)]

    def stamps(self, group: str) -> list[dict]:
        """Return the stamps of a declared group, in its order."""
        indexes = self._declared(self.inputs.stamps, group, f"shows stamps '{group}'")
        return [self._views.stamp(index) for index in indexes]

    def card(self, group: str) -> dict | None:
        """Return the only card of a declared group, or None when the group is empty."""
        indexes = self._group(group)
        return self._views.card(indexes[0]) if indexes else None

    def entries(self, group: str) -> list[dict]:
        """Return the feed entries (card and absolute body HTML) of a declared group."""
        indexes = self._group(group)
        for index in indexes:
            self._body_declared(self._views.site.articles[index].src_path)
        return [self._views.entry(index) for index in indexes]

    def record(self, src_path: str) -> Any:
        """Return the whole record (front matter) of a declared body's source."""
        self._body_declared(src_path)
        return self._views.record(src_path)

    def body(self, src_path: str) -> Rendered:
        """Return the HTML of a declared body."""
        self._body_declared(src_path)
        return self._views.body(src_path)

    def body_info(self, src_path: str) -> BodyInfo:
        """Return what is known of a declared body without its HTML (first paragraph, words)."""
        self._body_declared(src_path)
        return self._views.body_info(src_path)

    def author(self, author_id: str) -> dict:
        if author_id not in self.inputs.authors:
            raise self._undeclared(f"shows author '{author_id}'")
        return self._views.author_view(author_id, self.route.edition)

    def authors(self) -> list[dict]:
        """Return every declared author's view, in the declared order."""
        return [self._views.author_view(a, self.route.edition) for a in self.inputs.authors]

    def tag(self, slug: str) -> dict:
        if slug not in self.inputs.tags:
            raise self._undeclared(f"shows tag '{slug}'")
        return self._views.tag_view(slug, self.route.edition)

    def tags(self) -> list[dict]:
        """Return every declared tag's view, in the declared order."""
        return [self._views.tag_view(t, self.route.edition) for t in self.inputs.tags]

    def language_marks(self, language: str | None) -> dict:
        """Return `language` and `direction` of an item written in `language` (each None
        when it is the page's edition's language)."""
        return self._views.language_marks(language, self.route.edition)

    def fact(self, name: str) -> Any:
        return self._declared(self.inputs.facts, name, f"uses fact '{name}'")

    def abs_media(self, url: str | None) -> str | None:
        return self._views.abs_media(url)

    def abs_image(self, image: dict | None) -> dict | None:
        return self._views.abs_image(image)

    def publisher_logo(self) -> str | None:
        return self._views.publisher_logo()

    def _group(self, group: str) -> tuple[int, ...]:
        return self._declared(self.inputs.cards, group, f"shows cards '{group}'")

    def _body_declared(self, src_path: str) -> None:
        if src_path not in self.inputs.bodies:
            raise self._undeclared(f"shows the body of {src_path}")

    def _declared(self, inputs: Mapping[str, Any], name: str, what: str) -> Any:
        """Return the input `name` of a declared group of inputs; raise UndeclaredInput saying `what` if none."""
        try:
            return inputs[name]
        except KeyError:
            raise self._undeclared(what) from None

    def _undeclared(self, what: str) -> UndeclaredInput:
        return UndeclaredInput(f"{self.route.kind} page {self.route.url} {what} undeclared")


def social_link(kind: str, value: str, language: Language) -> dict | None:
    """Return `{kind, label, url}` for an author's link, or None when it is not a usable link."""
    value = value.strip()
    label = {"twitter": "Twitter", "x": "X", "mastodon": "Mastodon", "bluesky": "Bluesky", "github": "GitHub",
             "linkedin": "LinkedIn"}.get(kind) or \
        (language.text(f"link_{kind}") if kind in ("website", "email") else kind.replace("_", " ").title())
    if value.startswith(("http://", "https://")):
        url = value
    elif kind == "email" or ("@" in value and "." in value.split("@")[-1] and kind not in ("mastodon", "twitter", "x")):
        url = "mailto:" + value.removeprefix("mailto:")
    elif kind in ("twitter", "x"):
        url = "https://twitter.com/" + value.lstrip("@") if kind == "twitter" else "https://x.com/" + value.lstrip("@")
    elif kind == "mastodon" and value.count("@") == 2:
        user, host = value.lstrip("@").split("@")
        url = f"https://{host}/@{user}"
    elif kind == "bluesky":
        url = "https://bsky.app/profile/" + value.lstrip("@")
    elif kind == "github":
        url = "https://github.com/" + value.lstrip("@")
    else:
        return None
    return {"kind": kind, "label": label, "url": url, "text": value}


class SiteViews:
    """The views of one build's model, each made once (cards, authors) or kept at hand
    (feed entries). Page kinds never call this directly: they get a `Shown`."""

    def __init__(self, site: Site, resolver: LinkResolver, bodies: Bodies, preview: bool):
        self.site = site
        self.config = site.config
        self.links = resolver.links
        self.resolver = resolver
        self.bodies = bodies
        self.preview = preview
        self.origin = publish.origin_of(site.config.base_url)
        self.known_cards: Mapping[str, dict] = {}
        """A previous build's cards by source, valid for sources not in `changed`."""
        self.changed: frozenset[str] = frozenset()
        self._cards: dict[int, dict] = {}
        self._refs: dict[tuple[str, str], dict] = {}
        self._authors: dict[str, dict] = {}
        self._entries = Recent(MEMO_SIZE)
        self._site_views: dict[str, dict] = {}
        self._editions: dict[str, Edition] = {e.code: e for e in site.config.editions}
        self._languages: dict[str, Language] = {}

    def edition(self, code: str) -> Edition:
        """The edition `code` of the site's config ('' for the site's own language): looked
        up per page and per card, so made once (`SiteConfig.edition` makes them all)."""
        return self._editions[code]

    def language_of(self, code: str) -> Language:
        """The words and locale of edition `code` (made when a page of it is first rendered:
        Babel loads then)."""
        if code not in self._languages:
            edition = self.edition(code)
            self._languages[code] = Language(edition.language, edition.messages, self.config.tz)
        return self._languages[code]

    def shown(self, route: Route, inputs: PageInputs) -> Shown:
        return Shown(self, route, inputs)

    # What a `Shown` hands out -----------------------------------------------

    def record(self, src_path: str) -> Any:
        return self.bodies.records[src_path]

    def body(self, src_path: str) -> Rendered:
        return self.bodies[src_path]

    def body_info(self, src_path: str) -> BodyInfo:
        return self.bodies.info[src_path]

    def card(self, index: int, keep: bool = True) -> dict:
        """Return the listing view of the article at `index` (cached unless `keep` is False:
        one made only for its hash, in a build whose pages forked workers render)."""
        card = self._cards.get(index)
        if card is None:
            src_path = self.site.articles[index].src_path
            known = self.known_cards.get(src_path)
            card = known if known is not None and src_path not in self.changed else \
                self._make_card(self.site.articles[index])
            if keep:
                self._cards[index] = card
        return card

    def stamp(self, index: int) -> dict:
        """Return what a sitemap shows of the article at `index`: its URL, dates, status and
        canonical URL (each also in its card)."""
        article = self.site.articles[index]
        record = article.record
        tz = self.config.tz
        date = record.date.astimezone(tz)
        updated = record.updated.astimezone(tz) if record.updated else None
        url = urls.permalink(self.config, article.edition, record.date, record.slug)
        return {"abs_url": self.links.abs_url(url), "date": date,
                "date_iso": date.isoformat(), "updated": updated, "updated_iso": updated.isoformat() if updated else None,
                "status": article.status, "canonical_url": record.canonical_url}

    def forget_cards(self) -> None:
        """Drop the cards made so far (at 50,000 articles about 100 MB): a build whose pages
        are rendered and which keeps no cards for the next one needs them no more."""
        self._cards = {}

    def card_views_by_source(self) -> dict[str, dict]:
        """Return the cards this build made or reused, by source."""
        return {self.site.articles[index].src_path: card for index, card in self._cards.items()}

    def _make_card(self, article: Article) -> dict:
        record = article.record
        tz = self.config.tz
        code = article.edition
        url = urls.permalink(self.config, code, record.date, record.slug)
        language = self.language_of(code)
        info = self.bodies.info[record.src_path]  # the card's summary and reading time, not the HTML
        image = None
        if record.image:
            image = {"src": self.resolver.media_url(record.image.src, record.src_path), "alt": record.image.alt,
                     "caption": record.image.caption, "credit": record.image.credit}
        date = record.date.astimezone(tz)
        updated = record.updated.astimezone(tz) if record.updated else None
        return {
            "slug": record.slug, "title": record.title, "subtitle": record.subtitle,
            "summary": record.summary or cut_at_word(info.first_paragraph),
            "url": self.links.url(url), "abs_url": self.links.abs_url(url),
            "date": date, "date_iso": date.isoformat(), "date_display": language.date(date),
            "date_time_display": language.date_time(date),
            "updated": updated, "updated_iso": updated.isoformat() if updated else None,
            "updated_display": language.date_time(updated) if updated else None,
            "authors": [self.author_ref(a, code) for a in article.author_ids],
            "tags": [self.tag_ref(t, code) for t in article.tag_slugs],
            "image": image, "status": article.status,
            "reading_minutes": reading_minutes(info.word_count, info.characters),
            "canonical_url": record.canonical_url,
            # Marked where it is not its page's (an article in French on an English site).
            **self.language_marks(record.language, code),
        }

    def language_marks(self, language: str | None, code: str) -> dict:
        """Return `language` and `direction` of an item written in `language`, each None
        when it is the language of the edition `code` it is shown in."""
        if language is None or language == self.edition(code).language:
            return {"language": None, "direction": None}
        return {"language": language, "direction": direction_of(language)}

    def author_ref(self, author_id: str, code: str) -> dict:
        key = ("author", author_id, code)
        if key not in self._refs:
            author = self.site.author(author_id, code)
            self._refs[key] = {"id": author.id, "name": author.name,
                               "url": self.links.url(urls.in_edition(code, urls.author_url(author.id)))}
        return self._refs[key]

    def tag_ref(self, slug: str, code: str) -> dict:
        key = ("tag", slug, code)
        if key not in self._refs:
            tag = self.site.tags[slug]
            self._refs[key] = {"name": tag.name, "slug": tag.slug,
                               "url": self.links.url(urls.in_edition(code, urls.tag_url(tag.slug)))}
        return self._refs[key]

    def tag_view(self, slug: str, code: str) -> dict:
        return {**self.tag_ref(slug, code), "count": len(self.site.editions[code].by_tag[slug]),
                "feed_url": self.links.url(urls.in_edition(code, urls.tag_feed_url(slug)))}

    def author_view(self, author_id: str, code: str) -> dict:
        """Return the view of an author in an edition (cached): profile, bio and links."""
        key = (author_id, code)
        if key not in self._authors:
            self._authors[key] = self._make_author(self.site.author(author_id, code), code)
        return self._authors[key]

    def _make_author(self, author: Author, code: str) -> dict:
        src_path = author.record.src_path if author.record else ""
        written = self.site.editions[code].by_author
        avatar = self.resolver.media_url(author.avatar, src_path)
        bio_html = self.language_of(code).titled(self.bodies[src_path].html) if author.record else ""
        links = [link for kind, value in author.links if (link := social_link(kind, value, self.language_of(code)))]
        url = urls.in_edition(code, urls.author_url(author.id))
        return {
            "id": author.id, "name": author.name, "role": author.role,
            "url": self.links.url(url), "abs_url": self.links.abs_url(url),
            "avatar": avatar, "bio_html": bio_html, "links": links,
            "has_profile": bool(author.role or avatar or bio_html.strip() or links),
            "count": len(written.get(author.id, ())),
            "feed_url": self.links.url(urls.in_edition(code, urls.author_feed_url(author.id)))
            if author.id in written else None,
            "is_generated": author.is_generated,
        }

    def site_view(self, code: str = "") -> dict:
        """Return the site's view in the edition `code`: its title, words, home and nav."""
        if code not in self._site_views:
            config = self.config
            edition = self.edition(code)
            self._site_views[code] = {
                "title": edition.title, "tagline": edition.tagline, "description": edition.description,
                "language": edition.language, "direction": self.language_of(code).direction, "edition": code,
                "url": self.links.url(urls.in_edition(code, urls.HOME)),
                "abs_url": self.links.abs_url(urls.in_edition(code, urls.HOME)),
                "logo": self.resolver.media_url(config.logo, "content/x"),
                "nav": [{"title": link.title, "url": self.links.url(link.url)} for link in edition.nav],
                "copyright": config.copyright, "extra": dict(config.extra),
                "publisher_name": str(config.publisher.get("name") or config.title),
            }
        return self._site_views[code]

    def abs_media(self, url: str | None) -> str | None:
        """Return an image URL from a view as an absolute URL."""
        if not url:
            return None
        return url if is_external(url) else self.origin + url

    def abs_image(self, image: dict | None) -> dict | None:
        if not image:
            return None
        abs_src = self.abs_media(image["src"])
        return {**image, "abs_src": abs_src, "type": publish.media_type(abs_src)}

    def publisher_logo(self) -> str | None:
        logo = self.config.publisher.get("logo") or self.config.logo
        return self.abs_media(self.resolver.media_url(str(logo), "content/x")) if logo else None

    def entry(self, index: int) -> dict:
        """Return the feed view of an article (kept at hand: one article is in many feeds)."""
        return self._entries.get_or(index, lambda: self._make_entry(index))

    def _make_entry(self, index: int) -> dict:
        article = self.site.articles[index]
        record = article.record
        card = self.card(index)
        modified = card["updated"] or card["date"]
        image = self.abs_image(card["image"])
        html = self.language_of(article.edition).titled(self.bodies[record.src_path].html)
        content = publish.absolutize_html(html, self.origin, card["abs_url"])
        if image:
            content = publish.figure_html(image) + content
        return {
            **card,
            "id": publish.entry_id(self.config.base_url, article.key, card["date"]),
            "content_html": content,
            "content_xml": escaped(content),
            "modified": modified, "modified_iso": modified.isoformat(),
            "date_rfc822": publish.rfc822(card["date"]),
            "authors": [{"name": a["name"],
                         "abs_url": self.links.abs_url(urls.in_edition(article.edition, urls.author_url(a["id"])))}
                        for a in card["authors"]],
            "tags": [{**t, "abs_url": self.abs_media(t["url"])} for t in card["tags"]],
            "image": image,
            "external_url": record.canonical_url,
        }


FEED_FORMATS = {"atom": ("Atom", "application/atom+xml"), "rss": ("RSS", "application/rss+xml"),
                "json": ("JSON Feed", "application/feed+json")}


def feed_view(shown: Shown, name: str | None, url: str, format: str = "atom") -> dict:
    """Return a feed of a tag or author (`name`), or of the whole site (None), as pages
    offer it: `title` names it in `<link rel=alternate>`, which is what a feed reader
    shows; `name` and `label` say in the page what it holds and what it is ('All stories',
    'Atom feed')."""
    shown_format, media_type = FEED_FORMATS[format]
    return {"title": titled(shown, name) + f" ({shown_format})" if name else f"{shown.edition.title} ({shown_format})",
            "name": name or shown.language.text("all_stories"), "format": format,
            "label": shown.language.text(f"feed_{format}"), "url": url, "type": media_type}


def site_feeds(shown: Shown) -> list[dict]:
    """Return the site's feeds, as `<link rel=alternate>` entries of every HTML page."""
    links, code = shown.links, shown.route.edition
    return [feed_view(shown, None, links.url(urls.in_edition(code, url)), format)
            for url, format in ((urls.ATOM_FEED, "atom"), (urls.RSS_FEED, "rss"), (urls.JSON_FEED, "json"))]


def page_context(route: Route, shown: Shown) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return the context every template gets (`site`, `page`, `preview`) and its `page`
    entry, with the site's defaults for an HTML page."""
    site_title = shown.edition.title
    page = {"kind": route.kind, "title": site_title, "social_title": site_title,
            "description": shown.edition.description or site_title,
            "url": shown.links.url(route.url), "abs_url": shown.links.abs_url(route.url),
            "feeds": site_feeds(shown), "head_html": "", "alternates": [], "translations": []}
    return {"site": shown.site, "page": page, "preview": shown.preview}, page


def add_alternates(page: dict[str, Any], shown: Shown) -> None:
    """Fill `page.alternates` (each language version's `hreflang` and `abs_url`, for
    `<link rel=alternate>`) and `page.translations` (the language switcher: `language`,
    `name`, `url`, `current`) from the page's declared fact `alternates`."""
    from ..i18n import language_names

    found = shown.fact("alternates")
    links = shown.links
    page["alternates"] = [{"hreflang": language, "abs_url": links.abs_url(path)} for language, path in found]
    versions = [(language, path) for language, path in found if language != "x-default"]
    names = language_names([language for language, _ in versions])
    page["translations"] = [{"language": language, "name": names[language], "url": links.url(path),
                             "current": path == shown.route.url} for language, path in versions]


def title_suffix(route: Route, shown: Shown) -> str:
    """Return ' — page N' for page N > 1 of a listing, in the site's language."""
    return f" — {shown.language.text('page_number', number=route.number)}" if route.number > 1 else ""


def titled(shown: Shown, *parts: str) -> str:
    """Return a page's `<title>`: its own words, then the site's name, joined by dashes."""
    return " — ".join([*parts, shown.edition.title])


def add_social_head(ctx: dict[str, Any], shown: Shown, *, og_type: str = "website", image: dict | None = None,
                    article: dict | None = None, jsonld: dict | None = None) -> dict[str, Any]:
    """Fill `page.head_html` (OpenGraph, Twitter card, JSON-LD); the site's logo is the
    image of pages without their own. Return `ctx`."""
    site = shown.site
    if image is None and site["logo"]:
        image = {"abs_src": shown.abs_media(site["logo"]), "alt": shown.edition.title}
    ctx["page"]["head_html"] = publish.social_head(ctx["page"], site, og_type=og_type, image=image, article=article,
                                                   jsonld=jsonld)
    return ctx
