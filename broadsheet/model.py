"""The site graph: articles, authors, tags and pages, related to each other.

Pure: takes the records `load` produced, returns a `Site` and the problems found while
relating them (unknown authors, tag spelling variants, slug clashes). No I/O.
"""

from __future__ import annotations

import hashlib
import heapq
import re
from bisect import bisect_left
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import chain, combinations
from typing import Any, Callable, Mapping, Sequence

from .config import SiteConfig
from .errors import Packed, PackedField, Problem, SourceLoc, did_you_mean, error, positional_reduce, warning
from .load import ArticleRecord, AuthorRecord, PageRecord, Records, name_slug, slugify

PUBLISHED, DRAFT, SCHEDULED = "published", "draft", "scheduled"
RELATED_COUNT = 3


@dataclass(frozen=True, slots=True)
class Author:
    id: str
    name: str
    role: str | None
    avatar: str | None
    links: tuple[tuple[str, str], ...]
    record: AuthorRecord | None
    """The profile, or None for an author generated from a byline."""

    __reduce__ = positional_reduce

    @property
    def is_generated(self) -> bool:
        return self.record is None


@dataclass(frozen=True, slots=True)
class Tag:
    slug: str
    """The tag's identity."""
    name: str
    """The most used spelling."""

    __reduce__ = positional_reduce


@dataclass(frozen=True, slots=True)
class Article:
    """One built article: its place in the site, and its record (`record`)."""

    src_path: str
    slug: str
    date: datetime
    """Its record's, kept beside it: the site's order and URLs are read without the record."""
    author_ids: tuple[str, ...]
    tag_slugs: tuple[str, ...]
    status: str
    edition: str
    """The code of the edition (language) it is published in: '' for the site's own."""
    _record: ArticleRecord | Packed
    """`Packed` as the build cache loaded it: a rebuild unpacks only the records it reads."""

    __reduce__ = positional_reduce
    packed = "_record"
    record = PackedField("_record")
    """The article's record (the front matter as read)."""

    @classmethod
    def of(cls, record: ArticleRecord, author_ids: tuple[str, ...], tag_slugs: tuple[str, ...],
           status: str, edition: str) -> Article:
        return cls(record.src_path, record.slug, record.date, author_ids, tag_slugs, status, edition, record)

    @property
    def key(self) -> str:
        """Its identity in the site: the slug, prefixed with the edition's code outside the
        site's own language (`de/haushalt`): translations may share a slug."""
        return item_key(self.edition, self.slug)


def item_key(edition: str, slug: str) -> str:
    """Return the identity of an article or page of `edition` with `slug` (see `Article.key`)."""
    return f"{edition}/{slug}" if edition else slug


@dataclass(frozen=True, slots=True)
class EditionContents:
    """What one edition (language) of the site publishes, by identity. A site in one
    language has one edition, '', holding everything."""

    code: str
    articles: tuple[int, ...]
    """Indexes into `Site.articles` of the edition's articles, newest first."""
    by_author: Mapping[str, tuple[int, ...]]
    """Author id → indexes of their articles in the edition, newest first."""
    by_tag: Mapping[str, tuple[int, ...]]
    """Tag slug → indexes of the edition's articles with the tag, newest first."""
    authors: tuple[str, ...]
    """Ids of the authors the edition lists: every profile, and each byline with articles in it."""
    pages: tuple[str, ...]
    """Keys (`item_key`) of the edition's standalone pages."""
    profiles: Mapping[str, Author] = field(default_factory=dict)
    """Author id → the author as this edition shows them, where their profile has a
    translation into its language (`content/authors/<id>.<code>.md`)."""

    __reduce__ = positional_reduce


@dataclass(frozen=True, slots=True, order=True)
class Alias:
    """An old address of a built article or page (front matter `aliases:`)."""

    old_path: str
    """The old site path as written (`urls.alias_url` gives its URL)."""
    kind: str
    """`article` or `page`."""
    key: str
    """The item's identity (`item_key`)."""
    edition: str
    """The code of the item's edition (language): '' for the site's own."""

    __reduce__ = positional_reduce


class Indexes(dict):
    """Indexes of a value made on first use (name → index; `made`), kept beside it in the
    value. A value derived from another of the same shape (a site patched after an edit of a
    body, its plan) shares them: a rebuild in a watch does not make them again over 50,000
    articles. Never pickled: made again after the cache is loaded."""

    def made(self, name: str, make: Callable[[], Any]) -> Any:
        """Return the index `name`, made by `make()` the first time it is asked for."""
        found = self.get(name)
        if found is None:
            found = self[name] = make()
        return found

    def __reduce__(self):
        return (Indexes, ())


@dataclass(frozen=True, slots=True)
class Site:
    """Everything that is built, ordered: articles newest first, authors and tags by id/slug."""

    config: SiteConfig
    articles: tuple[Article, ...]
    authors: Mapping[str, Author]
    tags: Mapping[str, Tag]
    pages: tuple[PageRecord, ...]
    assets: tuple[str, ...]
    editions: Mapping[str, EditionContents] = field(default_factory=dict)
    """Edition code → what it publishes: '' (the site's own language) first, then each of
    config.yaml's `languages:`."""
    related: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    """Article key → indexes of up to three related articles (of its edition)."""
    aliases: tuple[Alias, ...] = ()
    """Every alias (front matter `aliases:`) of a built article or page, by old path:
    each is published as a redirect."""
    translations: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Article or page key → the keys of it and its translations (`translation_key`),
    the site's editions' order, for those that have one: articles as `article:<key>`,
    pages as `page:<key>`."""
    next_scheduled: ArticleRecord | None = None
    """The scheduled (future-dated, not draft) article that falls due first, if any."""
    indexes: Indexes = field(default_factory=Indexes, compare=False, repr=False)
    """`article_index` and `article_positions`, made on first use; `patch_site` hands them
    on (the articles keep their order, keys and sources)."""

    def article_index(self) -> Mapping[str, int]:
        """Article key (`Article.key`) → its index in `articles`."""
        return self.indexes.made("by key", lambda: {a.key: i for i, a in enumerate(self.articles)})

    def article_positions(self) -> Mapping[str, int]:
        """Article src_path → its index in `articles`, in that order."""
        return self.indexes.made("by source", lambda: {a.src_path: i for i, a in enumerate(self.articles)})

    def author(self, author_id: str, code: str) -> Author:
        """Return the author as the edition `code` shows them: their profile's translation
        into its language, or their profile."""
        return self.editions[code].profiles.get(author_id) or self.authors[author_id]

    def page_key(self, page: PageRecord) -> str:
        return item_key(self.config.edition_for(page.language), page.slug)


def article_order(record: ArticleRecord) -> tuple:
    """Sort key: newest first, then title, then slug."""
    return (-record.date.timestamp(), record.title, record.slug)


def build_site_graph(records: Records, config: SiteConfig, *, now: datetime, drafts: bool = False,
                     future: bool = False, memo: dict | None = None) -> tuple[Site, list[Problem]]:
    """Relate the records into a `Site`; return it with every cross-reference problem.

    `memo` (kept by the caller between builds) remembers the related articles of the last
    build, reused when no article's place or tags changed (most edits).
    """
    problems: list[Problem] = []
    _check_unique_slugs(records, config, problems)
    own_profiles = tuple(a for a in records.authors if a.language is None)
    profiles = {a.id: a for a in own_profiles}
    style = config.slugs
    resolve = _author_resolver(own_profiles, style)

    built: list[tuple[ArticleRecord, str]] = []
    upcoming = []
    seen_slugs: set[str] = set()
    for record in records.articles:
        key = item_key(config.edition_for(record.language), record.slug)
        if key in seen_slugs:
            continue  # a clash, reported above: one error per file, not a second one per URL
        seen_slugs.add(key)
        status = DRAFT if record.draft else SCHEDULED if record.date > now else PUBLISHED
        if status == SCHEDULED:
            upcoming.append(record)
        if status == PUBLISHED or (status == DRAFT and drafts) or (status == SCHEDULED and future):
            built.append((record, status))
    built.sort(key=lambda pair: article_order(pair[0]))
    next_scheduled = min(upcoming, key=lambda r: (r.date, r.src_path), default=None)

    _warn_tag_variants(records.articles, problems, style)
    used_spellings: dict[str, Counter] = defaultdict(Counter)
    authors: dict[str, Author] = {a.id: Author(a.id, a.name, a.role, a.avatar, a.links, a) for a in own_profiles}
    articles: list[Article] = []
    bylines: dict[str, str] = {}  # generated author id → the byline that made it
    reported: set[str] = set()
    for record, status in built:
        ids: dict[str, None] = {}
        for ref in record.author_refs:
            author_id = resolve(ref)
            if author_id is None:
                author_id = name_slug(ref, style)
                if not author_id:
                    continue  # reported below: it has no page URL (it would be /authors//)
                authors.setdefault(author_id, Author(author_id, ref, None, None, (), None))
                first = bylines.setdefault(author_id, ref)
                if _tag_words(first) != _tag_words(ref) and ref not in reported:
                    reported.add(ref)  # (at its first use: a byline may have thousands)
                    problems.append(error(
                        SourceLoc(record.src_path, record.key_lines.get("authors", record.key_lines.get("author"))),
                        f"byline '{ref}' and byline '{first}' are different names with one URL, "
                        f"/authors/{author_id}/: their articles would be merged on one page",
                        "add a profile for one of them (content/authors/<id>.md with its name), or tell the "
                        f"names apart"))
            ids[author_id] = None
        slugs: dict[str, None] = {}  # ordered and deduplicated in linear time (issue 10: 5,000 tags)
        for name in record.tags:
            slug = name_slug(name, style)
            used_spellings[slug][name] += 1
            slugs[slug] = None
        articles.append(Article.of(record, tuple(ids), tuple(slugs), status, config.edition_for(record.language)))
    for record in records.articles:
        for ref in record.author_refs:
            if resolve(ref) is None and not slugify(ref, style):
                problems.append(error(SourceLoc(record.src_path, record.key_lines.get(
                    "authors", record.key_lines.get("author"))), f"author {ref!r} has no letters or digits to "
                    "make a URL from", "write the author's id (the file name in content/authors/) or name"))
            elif resolve(ref) is None:
                guess = did_you_mean(ref, list(profiles) + [a.name for a in own_profiles])
                problems.append(warning(SourceLoc(record.src_path, record.key_lines.get(
                    "authors", record.key_lines.get("author"))), f"unknown author '{ref}': a page is generated for them",
                    f"did you mean '{guess}'?" if guess else f"add content/authors/{name_slug(ref, style)}.md with a name and bio"))

    tags = {slug: Tag(slug, _most_used(counter)) for slug, counter in sorted(used_spellings.items())}
    authors = {k: authors[k] for k in sorted(authors)}
    pages = _built_pages(records.pages, config, drafts)
    editions = _editions(config, articles, authors, pages, _translated_profiles(records.authors, authors, problems))
    site = Site(
        config=config,
        articles=tuple(articles),
        authors=authors,
        tags=tags,
        pages=pages,
        assets=records.assets,
        editions=editions,
        related=_memo_related(articles, editions, memo if memo is not None else {}),
        aliases=_aliases(config, articles, pages),
        translations=_translations(records, config, articles, pages, problems),
        next_scheduled=next_scheduled,
    )
    return site, problems


def _aliases(config: SiteConfig, articles: list[Article], pages: tuple[PageRecord, ...]) -> tuple[Alias, ...]:
    """Return every alias of the built articles and pages, by old path (see `Site.aliases`)."""
    found = [Alias(alias, "article", a.key, a.edition) for a in articles for alias in a.record.aliases]
    for page in pages:
        code = config.edition_for(page.language)
        found += [Alias(alias, "page", item_key(code, page.slug), code) for alias in page.aliases]
    return tuple(sorted(found))


def _built_pages(records: tuple[PageRecord, ...], config: SiteConfig, drafts: bool) -> tuple[PageRecord, ...]:
    """Return the pages to build, by key (one per key: a clash is reported elsewhere)."""
    by_key: dict[str, PageRecord] = {}
    for page in records:
        if drafts or not page.draft:
            by_key.setdefault(item_key(config.edition_for(page.language), page.slug), page)
    return tuple(page for _, page in sorted(by_key.items()))


def _translated_profiles(records: tuple[AuthorRecord, ...], authors: Mapping[str, Author],
                         problems: list[Problem]) -> dict[str, dict[str, Author]]:
    """Return edition code → author id → the author as their profile's translation into
    its language shows them; a translation of no profile is a warning."""
    found: dict[str, dict[str, Author]] = defaultdict(dict)
    for record in records:
        if record.language is None:
            continue
        if record.id not in authors or authors[record.id].record is None:
            problems.append(warning(SourceLoc(record.src_path, 1), f"{record.src_path} translates no profile: "
                                    f"there is no content/authors/{record.id}.md", "add the profile, or rename the file"))
            continue
        found[record.language][record.id] = translated_author(record, authors[record.id])
    return found


def translated_author(record: AuthorRecord, profile: Author) -> Author:
    """Return the author as a translation of their profile shows them: its name, role, bio
    and, where it gives none, the profile's role, avatar and links."""
    return Author(record.id, record.name, record.role or profile.role, record.avatar or profile.avatar,
                  record.links or profile.links, record)


def _editions(config: SiteConfig, articles: list[Article], authors: Mapping[str, Author],
              pages: tuple[PageRecord, ...], translated: Mapping[str, Mapping[str, Author]],
              ) -> dict[str, EditionContents]:
    """Return what each edition publishes (one edition, '', for a site in one language)."""
    codes = [edition.code for edition in config.editions]
    in_edition: dict[str, list[int]] = {code: [] for code in codes}
    by_author: dict[str, dict[str, list[int]]] = {code: defaultdict(list) for code in codes}
    by_tag: dict[str, dict[str, list[int]]] = {code: defaultdict(list) for code in codes}
    for index, article in enumerate(articles):
        in_edition[article.edition].append(index)
        for author_id in article.author_ids:
            by_author[article.edition][author_id].append(index)
        for slug in article.tag_slugs:
            by_tag[article.edition][slug].append(index)
    page_keys: dict[str, list[str]] = {code: [] for code in codes}
    for page in pages:
        edition = config.edition_for(page.language)
        page_keys[edition].append(item_key(edition, page.slug))
    return {code: EditionContents(
        code, tuple(in_edition[code]),
        {k: tuple(v) for k, v in sorted(by_author[code].items())},
        {k: tuple(v) for k, v in sorted(by_tag[code].items())},
        tuple(a for a, author in authors.items() if author.record is not None or a in by_author[code]),
        tuple(page_keys[code]), {k: v for k, v in sorted(translated.get(code, {}).items())}) for code in codes}


def _translations(records: Records, config: SiteConfig, articles: list[Article], pages: tuple[PageRecord, ...],
                  problems: list[Problem]) -> dict[str, tuple[str, ...]]:
    """Return each built article's and page's translations (see `Site.translations`), and
    report a `translation_key` that no other file shares (a warning) and two files of one
    language sharing one (an error naming both)."""
    found: dict[str, tuple[str, ...]] = {}
    built_pages = [(page, config.edition_for(page.language)) for page in pages]
    order = {edition.code: n for n, edition in enumerate(config.editions)}
    for kind, written, built in (
            ("article", records.articles, [(a.record, a.edition, a.key) for a in articles]),
            ("page", records.pages, [(page, code, item_key(code, page.slug)) for page, code in built_pages])):
        groups = _check_translation_keys(kind, written, config, problems)
        shared: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for record, code, key in built:
            if len(groups.get(record.translation_key, ())) > 1:
                shared[record.translation_key].append((order[code], key))
        for members in shared.values():
            if len(members) > 1:
                keys = tuple(f"{kind}:{key}" for _, key in sorted(members))
                found.update((member, keys) for member in keys)
    return found


def _check_translation_keys(kind: str, records: tuple, config: SiteConfig, problems: list[Problem],
                            ) -> dict[str, list]:
    """Return the records of each `translation_key` (built or not), reporting a key of one
    file alone and two files of one language with one key."""
    groups: dict[str, list] = defaultdict(list)
    for record in records:
        if record.translation_key:
            groups[record.translation_key].append(record)
    for key, members in groups.items():
        if len(members) == 1:
            problems.append(warning(SourceLoc(members[0].src_path, members[0].key_lines.get("translation_key")),
                                    f"translation_key '{key}' matches no other {kind}",
                                    f"give each translation of the {kind} the same translation_key"))
            continue
        by_language: dict[str, list] = defaultdict(list)
        for member in members:
            by_language[(member.language or config.language).casefold()].append(member)
        for same in by_language.values():
            for member in same if len(same) > 1 else ():
                others = ", ".join(o.src_path for o in same if o is not member)
                problems.append(error(SourceLoc(member.src_path, member.key_lines.get("translation_key")),
                                      f"translation_key '{key}': {member.src_path} and {others} are both "
                                      f"translations in '{member.language or config.language}'",
                                      "a translation_key joins one file per language: give one of them "
                                      "another key, or set its 'language:'"))
    return groups


def structure_of(record: ArticleRecord | AuthorRecord | PageRecord) -> tuple:
    """Return what of a record the site's structure is made from: which articles exist and
    in what order, who wrote them, how they are tagged, and every URL. An edit that keeps it
    (a body, a headline, a summary, an image, a bio) changes the content of some pages and
    the shape of none. (The headline is part of the order only between equal dates:
    `patch_site` checks that.)"""
    if isinstance(record, ArticleRecord):
        return ("article", record.src_path, record.slug, record.date, record.draft, record.author_refs,
                record.tags, record.language, record.translation_key, record.aliases)
    if isinstance(record, AuthorRecord):
        return ("author", record.src_path, record.id, record.name, record.language)
    return ("page", record.src_path, record.slug, record.draft, record.language, record.translation_key,
            record.aliases)


def patch_site(site: Site, changed: Mapping[str, ArticleRecord | AuthorRecord | PageRecord]) -> Site | None:
    """Return `site` with records replaced by edited ones of the same structure, or None
    when the edit moves an article in the order (then the site must be built again).

    `changed` maps src_path → edited record, each with the `structure_of` of the record it
    replaces. The result equals what `build_site_graph` would return for the edited records.
    """
    articles = list(site.articles)
    authors = dict(site.authors)
    translated = {code: {author_id: author.record for author_id, author in edition.profiles.items()}
                  for code, edition in site.editions.items()}
    pages = list(site.pages)
    next_scheduled = site.next_scheduled
    moved: list[int] = []
    for src_path, new in changed.items():
        if isinstance(new, ArticleRecord):
            if next_scheduled is not None and next_scheduled.src_path == src_path:
                next_scheduled = new
            index = _position_of(site.articles, src_path, new.date)
            if index is None:
                continue  # not built (a draft or scheduled article in a published build)
            article = articles[index]
            articles[index] = Article.of(new, article.author_ids, article.tag_slugs, article.status, article.edition)
            moved.append(index)
        elif isinstance(new, AuthorRecord) and new.language is None:
            authors[new.id] = Author(new.id, new.name, new.role, new.avatar, new.links, new)
        elif isinstance(new, AuthorRecord):
            translated[new.language][new.id] = new
        else:
            pages = [new if page.src_path == src_path else page for page in pages]
    for index in moved:
        order = article_order(articles[index].record)
        if (index > 0 and not article_order(articles[index - 1].record) < order) or (
                index + 1 < len(articles) and not order < article_order(articles[index + 1].record)):
            return None
    editions = site.editions
    if any(translated.values()):  # made again from their records: a translation shows some of its profile
        editions = {code: replace(edition, profiles={
            author_id: translated_author(record, authors[author_id]) for author_id, record in translated[code].items()})
            for code, edition in site.editions.items()}
    return replace(site, articles=tuple(articles), authors=authors, pages=tuple(pages), editions=editions,
                   next_scheduled=next_scheduled, indexes=site.indexes)


def _position_of(articles: tuple[Article, ...], src_path: str, date: datetime) -> int | None:
    """Return the index of the article of `src_path` dated `date` in `articles` (sorted by
    `article_order`, whose first key is the date), or None when it is not built. A binary
    search: the live preview patches the site on every save, and a map of every article's
    position made that cost the whole site each time."""
    key = -date.timestamp()
    index = bisect_left(articles, key, key=lambda article: -article.date.timestamp())
    while index < len(articles) and -articles[index].date.timestamp() == key:
        if articles[index].src_path == src_path:
            return index
        index += 1
    return None


def _most_used(counter: Counter) -> str:
    return min(counter.items(), key=lambda item: (-item[1], item[0]))[0]


def _author_resolver(profiles: tuple[AuthorRecord, ...], style: str):
    """Return a function from a byline reference to an author id (or None)."""
    index: dict[str, str] = {}
    for author in sorted(profiles, key=lambda a: a.id):
        index.setdefault(author.name.casefold(), author.id)
    for author in profiles:
        index[author.id.casefold()] = author.id
    ids = {a.id for a in profiles}

    def resolve(ref: str) -> str | None:
        found = index.get(ref.strip().casefold())
        if found is None and slugify(ref, style) in ids:
            found = slugify(ref, style)
        return found
    return resolve


def _warn_tag_variants(records: tuple[ArticleRecord, ...], problems: list[Problem], style: str) -> None:
    """Warn, at each article's tags line, where one tag is spelled in several ways (case,
    spaces, punctuation: `Budget`, `budget`); an error where two different names would
    share one tag page (`Ærø` and `aero`: other letters, one slug)."""
    spellings: dict[str, Counter] = defaultdict(Counter)
    for record in records:
        for name in record.tags:
            spellings[name_slug(name, style)][name] += 1
    conflicts: dict[str, list[str]] = {}  # name → the names of other words with its slug
    for counter in spellings.values():
        if len(counter) > 1:
            words = {name: _tag_words(name) for name in counter}
            for name in counter:
                if others := sorted(other for other in counter if words[other] != words[name]):
                    conflicts[name] = others
    described: dict[str, tuple[str, str]] = {}  # slug → (chosen, variants): once per tag, not per use
    reported: set[str] = set()
    for record in records:
        for name in record.tags:
            slug = name_slug(name, style)
            counter = spellings[slug]
            if name in conflicts:
                if name in reported:  # (at its first use: a tag may have thousands)
                    continue
                reported.add(name)
                named = " and ".join(f"'{other}'" for other in conflicts[name])
                problems.append(error(SourceLoc(record.src_path, record.key_lines.get("tags")),
                                      f"tag '{name}' and tag {named} are different names with one URL, "
                                      f"/tags/{slug}/: their articles would be merged on one page",
                                      "rename one of them wherever it is used (a name's letters are spelled in "
                                      "a-z for its URL: add a word that tells them apart)"))
            elif len(counter) > 1:
                if slug not in described:
                    described[slug] = (_most_used(counter),
                                       ", ".join(f"'{n}' ({c})" for n, c in sorted(counter.items())))
                chosen, variants = described[slug]
                if name != chosen:
                    problems.append(warning(SourceLoc(record.src_path, record.key_lines.get("tags")),
                                            f"tag '{name}' is spelled in several ways: {variants}; "
                                            f"they are one tag, shown as '{chosen}'",
                                            f"write '{chosen}' everywhere"))


def _tag_words(name: str) -> tuple[str, ...]:
    """What makes two spellings one tag: their words, case aside (`New York`, `new-york`)."""
    return tuple(re.findall(r"[^\W_]+", name.casefold()))


def _check_unique_slugs(records: Records, config: SiteConfig, problems: list[Problem]) -> None:
    """Report two articles, or two pages, of one edition with one slug (translations in
    two editions may share one: their URLs differ by the edition's prefix)."""
    for kind, items in (("article", records.articles), ("page", records.pages)):
        owners: dict[str, list] = defaultdict(list)
        for item in items:
            owners[item_key(config.edition_for(item.language), item.slug)].append(item)
        for key, same in owners.items():
            if len(same) > 1:
                for item in same:
                    others = ", ".join(o.src_path for o in same if o is not item)
                    problems.append(error(SourceLoc(item.src_path, item.key_lines.get("slug", 1)),
                                          f"{kind} slug '{item.slug}' is also used by {others}",
                                          "give one of them a different 'slug:' or file name"))


def _memo_related(articles: list[Article], editions: Mapping[str, EditionContents], memo: dict) -> dict:
    key = hashlib.blake2b(repr([(a.key, a.tag_slugs) for a in articles]).encode(), digest_size=16).digest()
    if memo.get("related_key") != key:
        memo["related"] = {}
        for edition in editions.values():
            memo["related"].update(_related(articles, edition.articles, edition.by_tag))
        memo["related_key"] = key
    return memo["related"]


def _related(articles: list[Article], indexes: Sequence[int], by_tag: Mapping[str, Sequence[int]],
             ) -> dict[str, tuple[int, ...]]:
    """Up to three articles per article of `indexes` (one edition's, whose tags are
    `by_tag`): most shared tags, then newest (lowest index).

    Comparing every pair is quadratic (a tag like 'Politics' is on half of all articles).
    Instead, for an article with k tags: the articles sharing m of them are those in the
    intersection of some m of its tag lists, so the levels m = k, k-1, … 2 are set
    intersections (done in C), taken until three are found; articles sharing one tag are
    then the newest of each list. That is about 2^k intersections: above SET_LEVELS_MAX_TAGS
    tags, the shared tags of every candidate are counted instead, walking each tag's list
    once (issue 10: one article with 500 tags took a machine's memory; 30 tags, a billion
    intersections). Both give the same articles.

    The intersection of each pair of tags is kept (at 50,000 articles and 300 tags a pair
    is met seven times): a group's intersection starts from its pair's, a few articles,
    not from two lists of hundreds.
    """
    sets: dict[str, frozenset[int]] = {}
    pairs: dict[tuple[str, str], frozenset[int]] = {}

    def common(group: tuple[str, ...]) -> frozenset[int]:
        pair = group[:2]
        both = pairs.get(pair)
        if both is None:
            both = pairs[pair] = sets[pair[0]] & sets[pair[1]]
        return both.intersection(*(sets[slug] for slug in group[2:])) if len(group) > 2 else both

    related = {}
    for index in indexes:
        article = articles[index]
        if not article.tag_slugs:
            related[article.key] = ()
            continue
        if len(article.tag_slugs) > SET_LEVELS_MAX_TAGS:
            related[article.key] = _related_by_counting(index, article, by_tag)
            continue
        for slug in article.tag_slugs:
            if slug not in sets:
                sets[slug] = frozenset(by_tag[slug])
        tags = sorted(article.tag_slugs, key=lambda slug: len(sets[slug]))
        best: list[int] = []
        chosen = {index}
        for shared in range(len(tags), 1, -1):
            level = set().union(*(common(group) for group in combinations(tags, shared)))
            level -= chosen  # those sharing more tags are already in `best`: every one of them
            taken = sorted(level)[:RELATED_COUNT - len(best)]
            best += taken
            chosen.update(taken)
            if len(best) == RELATED_COUNT:
                break
        if len(best) < RELATED_COUNT:
            singles = []
            for slug in article.tag_slugs:
                taken = 0
                for other in by_tag[slug]:
                    if other not in chosen:
                        singles.append(other)
                        taken += 1
                        if taken == RELATED_COUNT:
                            break
            best += sorted(set(singles))[:RELATED_COUNT - len(best)]
        related[article.key] = tuple(best)
    return related


SET_LEVELS_MAX_TAGS = 8
"""Tags up to which `_related` intersects sets level by level (at most 2^8 intersections,
faster than counting for the usual three to five tags)."""


def _related_by_counting(index: int, article: Article, by_tag: Mapping[str, list[int]]) -> tuple[int, ...]:
    """Return the related articles of `article` (at `index`) by counting the shared tags of
    every article that shares one: time proportional to the length of its tags' lists."""
    shared = Counter(chain.from_iterable(by_tag[slug] for slug in article.tag_slugs))
    del shared[index]
    best = heapq.nsmallest(RELATED_COUNT, shared.items(), key=lambda item: (-item[1], item[0]))
    return tuple(other for other, _ in best)
