"""Page fingerprints and readers, computed from the inputs each page kind declares.

The fingerprint of a page is a hash of its template, its route and the tokens of its
declared inputs (`views.shared.PageInputs`): a card token per card, the source and HTML
digests per body, an author or tag token per author or tag, and the facts as they are.
Equal fingerprints, equal bytes. The sources a page reads (through a card, or directly:
a body, a profile) come from the same declaration. Pure but for memos; no I/O.
"""

from __future__ import annotations

from typing import Mapping

from .bodies import Bodies
from .digest import digest_of
from .links import LinkResolver
from .load import ArticleRecord
from .model import Site
from .routes import Route
from .views.shared import PageInputs, SiteViews


class Fingerprints:
    """Tokens of the views one build shows, and page fingerprints made of them."""

    def __init__(self, site: Site, views: SiteViews, bodies: Bodies, resolver: LinkResolver,
                 known_card_token_by_inputs: Mapping[str, str] | None = None):
        self.site = site
        self.views = views
        self.bodies = bodies
        self.resolver = resolver
        self.known_card_token_by_inputs = {} if known_card_token_by_inputs is None else known_card_token_by_inputs
        """A previous build's card hashes, by the hash of what each card is made from."""
        self.card_token_by_inputs: dict[str, str] = {}
        """This build's card hashes, by the hash of what each card is made from (for the cache)."""
        self.card_token_by_source: dict[str, str] = {}
        """src_path → card hash of each article whose card this build looked at."""
        self.stable_cards: Mapping[str, str] = {}
        """A previous build's card hashes by source, valid for sources not in `changed`."""
        self.changed: frozenset[str] = frozenset()
        self._cards: dict[int, str] = {}
        self._authors: dict[tuple[str, str], str] = {}
        self.keep_cards = True
        """Keep the card views made for their hash, for the pages this process renders; a
        cold build whose pages forked workers render does not (each worker makes the cards
        of its own pages): 100 MB at 50,000 articles, in the build and in every worker."""

    def fingerprint(self, route: Route, inputs: PageInputs, template_token: str) -> str:
        """Return a hash of every input of the route's page: equal hashes, equal bytes."""
        records, info = self.bodies.records, self.bodies.info
        return digest_of(
            template_token, route.kind, route.key, route.number, route.count, route.url,
            [(group, [self.card_token(i) for i in indexes]) for group, indexes in inputs.cards.items()],
            [(group, [self.stamp_token(i) for i in indexes]) for group, indexes in inputs.stamps.items()],
            # The body's HTML as well as the source: a link to another file renders
            # differently when that file is renamed or deleted, the source unchanged.
            [(records[src].digest, info[src].html_digest) for src in inputs.bodies],
            [self.author_token(a, route.edition) for a in inputs.authors],
            [self.tag_token(t, route.edition) for t in inputs.tags],
            list(inputs.facts.items()))

    def readers(self, route: Route, inputs: PageInputs) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
        """Return the sources a page reads through their article card, those it reads
        through their stamp alone (a sitemap: a headline edit leaves it alone), and those it
        reads otherwise (a body, an author's profile and its translation)."""
        articles = self.site.articles
        cards = frozenset(articles[i].src_path for indexes in inputs.cards.values() for i in indexes)
        stamps = frozenset(articles[i].src_path for indexes in inputs.stamps.values() for i in indexes) - cards
        profiles = [self.site.authors[a].record for a in inputs.authors]
        profiles += [self.site.author(a, route.edition).record for a in inputs.authors]
        direct = frozenset(inputs.bodies) | {record.src_path for record in profiles if record}
        return cards, stamps, direct

    def card_token(self, index: int) -> str:
        """Return a hash of what the article's card shows (not of its whole body: a body
        edit that keeps the summary and reading time re-renders no listing)."""
        token = self._cards.get(index)
        if token is not None:
            return token
        article = self.site.articles[index]
        src_path = article.src_path
        if src_path in self.stable_cards and src_path not in self.changed:
            token = self._cards[index] = self.stable_cards[src_path]
            return token
        record = article.record
        image = self.resolver.media_url(record.image.src, src_path) if record.image else None
        # The slug too: it comes from the file name unless the front matter sets it, so two
        # files with equal bytes (or one file renamed) have equal digests but other cards.
        inputs = digest_of(record.slug, article.edition, record.digest, self.bodies.info[src_path].html_digest,
                           article.status, image,
                           [(a, self.site.author(a, article.edition).name) for a in article.author_ids],
                           [(t, self.site.tags[t].name) for t in article.tag_slugs])
        token = self.known_card_token_by_inputs.get(inputs)
        if token is None:
            token = digest_of(sorted(self.views.card(index, keep=self.keep_cards).items()))
        self.card_token_by_inputs[inputs] = token
        self._cards[index] = self.card_token_by_source[src_path] = token
        return token

    def stamp_token(self, index: int) -> tuple:
        """Return what an article's stamp is made from (the slug and date make its URL)."""
        article = self.site.articles[index]
        return stamp_of(article.record) + (article.status,)

    def author_token(self, author_id: str, code: str) -> str:
        """Return a hash of what an author's view in edition `code` shows (profile, bio,
        avatar, counts)."""
        key = (author_id, code)
        if key not in self._authors:
            author = self.site.author(author_id, code)
            source = author.record.src_path if author.record else ""
            written = self.site.editions[code].by_author
            profile = self.site.authors[author_id].record  # what a translation does not say, its profile does
            self._authors[key] = digest_of(
                author.id, author.name, author.role, author.links, profile.digest if profile else "",
                author.record.digest if author.record else "",
                self.bodies.info[source].html_digest if author.record else "",
                self.resolver.media_url(author.avatar, source), len(written.get(author_id, ())),
                author_id in written)
        return self._authors[key]

    def tag_token(self, slug: str, code: str) -> str:
        """Return a hash of what a tag's view in edition `code` shows (name, slug, count)."""
        return digest_of(slug, self.site.tags[slug].name, len(self.site.editions[code].by_tag[slug]))


def stamp_of(record: ArticleRecord) -> tuple:
    """Return what of a record an article's stamp shows (its status aside, a matter of the
    site's structure): an edit that keeps these rewrites no page that shows only stamps."""
    return record.slug, record.date, record.updated, record.canonical_url
