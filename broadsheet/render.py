"""Rendering: Markdown for every body (pass A), then a view context and a template per
route (pass B). Produces `Output(out_path, data)` values and writes nothing to disk.

Templates receive plain views (dicts of text, URLs and lists), never model objects;
the README's "Template context" section is the contract.
"""

from __future__ import annotations

import functools
import hashlib
import posixpath
import re
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping
from urllib.parse import urlsplit

from . import publish
from .config import SiteConfig
from .errors import Problem, SourceLoc, error, positional_reduce, warning
from .load import NOT_XML, body_digest, strip_not_xml
from .model import PUBLISHED, Article, Author, Site
from .routes import Copy, Route, article_url, out_path_for, paginated_urls

if TYPE_CHECKING:
    import jinja2

    from .markup import MarkdownRenderer, Rendered

# Python-Markdown, Pygments and Jinja are imported on first use (`markup`, `templates`):
# a rebuild with nothing to convert or render does not pay for loading them.

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")


@dataclass(frozen=True, slots=True)
class Output:
    out_path: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Body:
    """One Markdown body rendered for this site: valid while its source has `digest` and
    every link in it still resolves as recorded in `links`."""

    digest: str
    rendered: Rendered
    links: tuple[tuple[str, Any], ...]
    """(reference as written, what `resolve_link` made of it)."""
    problems: tuple[Problem, ...]
    html_digest: str
    """Hash of the HTML: what a page showing this body depends on."""

    __reduce__ = positional_reduce


@dataclass(frozen=True, slots=True)
class BodySource:
    src_path: str
    digest: str
    text: str
    line: int


class Links:
    """Turns site paths into the URLs pages use: prefixed with base_url's path, or absolute."""

    def __init__(self, config: SiteConfig):
        self.base_url = config.base_url
        self.base_path = config.base_path

    def url(self, path: str) -> str:
        """Return a site path (`/a/b/`) or an absolute URL as an href."""
        if _is_external(path):
            return path
        return self.base_path + path.lstrip("/")

    def abs_url(self, path: str) -> str:
        if _is_external(path):
            return path
        return self.base_url + path.lstrip("/")


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:|//|#")


def _is_external(url: str) -> bool:
    """True for a URL with a scheme or host (`https://…`, `mailto:…`, `//cdn…`) or a fragment."""
    return _SCHEME.match(url) is not None


def source_dir_path(src_path: str) -> str:
    """Return the site path of the folder holding a content file: content/a/b.md → /a/."""
    folder = posixpath.dirname(src_path.removeprefix("content"))
    return folder.rstrip("/") + "/"


def resolve_site_path(ref: str, src_path: str, assets: frozenset[str]) -> str | None:
    """Return the site path a front matter or body reference means, or None if it is not one.

    `/x` is a site path; `x` or `../x` is relative to the source file's folder when that
    file exists under content/.
    """
    if not ref or _is_external(ref) or ref.startswith(("mailto:", "tel:", "data:")):
        return None
    if ref.startswith("/"):
        return ref
    parts = urlsplit(ref)
    target = posixpath.normpath(posixpath.join(source_dir_path(src_path), parts.path))
    if target.lstrip("/") in assets:
        suffix = ("?" + parts.query if parts.query else "") + ("#" + parts.fragment if parts.fragment else "")
        return target + suffix
    return None


def digest_of(*parts: object) -> str:
    """Return a short stable hash of `parts`: strings, numbers, None, and tuples and lists
    of them (their repr is deterministic; no dicts or sets, whose order could leak)."""
    return hashlib.blake2b(repr(parts).encode(), digest_size=12).hexdigest()


def link_offset(body: str, ref: str, start: int = 0) -> int:
    """Return where `ref` is written as a link target in `body`, from `start` on (-1: nowhere).

    A target follows `(`, `<`, a quote or a reference definition's `]:`; a mention of the
    same text in prose is only a fallback.
    """
    target = re.compile(r"(?:[(<\"']|\]:[ \t]*)" + re.escape(ref))
    match = target.search(body, start)
    if match:
        return match.end() - len(ref)
    return body.find(ref, start)


def source_urls(site: Site) -> dict[str, str]:
    """Return the site path of the page each built source file becomes."""
    urls = {a.record.src_path: article_url(site, a.record) for a in site.articles}
    urls.update({a.record.src_path: f"/authors/{a.id}/" for a in site.authors.values() if a.record})
    urls.update({p.src_path: f"/{p.slug}/" for p in site.pages})
    return urls


def cut_at_word(text: str) -> str:
    from .markup import cut_at_word
    return cut_at_word(text)


def reading_minutes(words: int) -> int:
    from .markup import reading_minutes
    return reading_minutes(words)


def escaped(text: str) -> str:
    from .templates import escaped
    return escaped(text)


def format_date(when) -> str:
    """Return a locale-free display date: '4 November 2026'."""
    return f"{when.day} {MONTHS[when.month - 1]} {when.year}"


class _Recent(OrderedDict):
    """A memo that keeps the `size` most recently used entries: rendering thousands of
    pages keeps the memory of a few hundred bodies, not of all of them."""

    def __init__(self, size: int):
        super().__init__()
        self.size = size

    def get_or(self, key: Any, make: Callable[[], Any]) -> Any:
        if key in self:
            self.move_to_end(key)
            return self[key]
        value = self[key] = make()
        if len(self) > self.size:
            self.popitem(last=False)
        return value


MEMO_SIZE = 512
"""Bodies and feed entries a renderer keeps at hand."""
SPILL_AT = 256
"""A build converting more bodies than this puts them in the store as they come, rather
than holding them all (a cold build of 10,000 articles would hold hundreds of megabytes)."""


class _Bodies:
    """The rendered bodies of a build, as a mapping that loads each on first use."""

    def __init__(self, renderer: "Renderer"):
        self._renderer = renderer
        self._loaded = _Recent(MEMO_SIZE)

    def __getitem__(self, src_path: str) -> Rendered:
        return self._loaded.get_or(src_path, lambda: self._renderer.load_body(src_path))


class Renderer:
    """Pass A and pass B for one build. Holds the Markdown output of every body."""

    def __init__(self, site: Site, site_dir: Path, routes: list[Route], copies: list[Copy], *,
                 preview: bool = False, body_index: Mapping[str, tuple] | None = None, body_store: Any = None,
                 read_source: Callable[[str, int], str] | None = None, texts: Mapping[str, str] | None = None,
                 known_card_tokens: Mapping[str, str] | None = None,
                 template_references: dict[str, tuple] | None = None, template_cache: Path | None = None,
                 known_link_world: str | None = None):
        self.site = site
        self.config = site.config
        self.site_dir = site_dir
        self.preview = preview
        self.links = Links(site.config)
        self.assets = frozenset(site.assets)
        self._routes, self._copies = routes, copies
        self.problems: list[Problem] = []
        """Warnings found while rendering: links and images that point to nothing."""
        self.origin = publish.origin_of(site.config.base_url)
        self.known_link_world = known_link_world
        self._md: MarkdownRenderer | None = None
        self.known_index = body_index or {}
        """A previous build's bodies: src_path → (digest, html_digest, problems, links,
        first paragraph, word count): what cards need, without loading the HTML."""
        self.body_store = body_store
        """Where those bodies are kept (`get(src_path, digest)`), or None."""
        self.read_source = read_source
        """Reads a source's Markdown text again (records do not keep it)."""
        self.texts = texts or {}
        """src_path → Markdown body of the sources read by this build."""
        self.body_info: dict[str, tuple] = {}
        """This build's bodies, in the form of `known_index`."""
        self.fresh_bodies: dict[str, Body] = {}
        """Bodies converted by this build and not yet in the store (the cache stores them)."""
        self.fresh_paths: set[str] = set()
        """Every source whose body this build converted."""
        self._unsaved: dict[str, Body] = {}
        self.bodies = _Bodies(self)
        """src_path → Rendered, fetched from the store on first use."""
        self._card_reads: set[str] = set()
        self._direct_reads: set[str] = set()
        self._tokens: dict[tuple, str] = {}
        self._entries = _Recent(MEMO_SIZE)
        self.known_card_tokens = known_card_tokens or {}
        """A previous build's card hashes, by the hash of what each card is made from."""
        self.card_tokens: dict[str, str] = {}
        """This build's card hashes, for the cache."""
        self.card_by_source: dict[str, str] = {}
        """src_path → card hash of each article whose card this build looked at."""
        self.stable_cards: Mapping[str, str] = {}
        self.changed: frozenset[str] = frozenset()
        """Set by `reuse_cards`."""
        self.template_references = template_references if template_references is not None else {}
        """Template source hash → the templates it refers to (kept in the cache)."""
        self._article_index = {a.slug: i for i, a in enumerate(site.articles)}
        self._page_index = {p.slug: p for p in site.pages}
        self._site_view: dict | None = None
        self._template_digests: dict[str, str] = {}
        self._env: jinja2.Environment | None = None
        self._template_cache = template_cache
        self._cards: dict[int, dict] = {}
        self.known_cards: Mapping[str, dict] = {}
        self._refs: dict[tuple[str, str], dict] = {}
        self._authors: dict[str, dict] = {}

    @functools.cached_property
    def out_paths(self) -> frozenset[str]:
        """Every file the site will hold: what a link may point to."""
        return frozenset([r.out_path for r in self._routes] + [c.out_path for c in self._copies])

    @functools.cached_property
    def source_urls(self) -> dict[str, str]:
        """content/… source path → site path of its page, for links written as `other.md`."""
        return source_urls(self.site)

    @functools.cached_property
    def link_world(self) -> str:
        """What links resolve against: when a previous build had the same, its bodies' links still hold."""
        return digest_of(sorted(self.source_urls.items()), sorted(self.out_paths), sorted(self.assets))

    @property
    def env(self) -> jinja2.Environment:
        if self._env is None:
            from . import templates
            self._env = templates.make_env(self.site_dir, {"asset": lambda path: self.links.url("/" + path.lstrip("/"))},
                                           self._template_cache)
        return self._env

    # Pass A ---------------------------------------------------------------

    @functools.cached_property
    def records(self) -> dict[str, Any]:
        """src_path → record of every source whose Markdown body the site shows: articles,
        author bios, pages, in that order."""
        records = {a.record.src_path: a.record for a in self.site.articles}
        records.update({a.record.src_path: a.record for a in self.site.authors.values() if a.record})
        records.update({p.src_path: p for p in self.site.pages})
        return records

    def body_source(self, src_path: str) -> BodySource:
        """Return a body to convert, with its Markdown text (read again when this build did not
        read it) and the hash of that text: the file may have changed since it was planned,
        and a body is stored under the hash of what was converted (issue 10)."""
        record = self.records[src_path]
        text = self.texts.get(src_path)
        if text is None:
            text = self.read_source(src_path, record.body_line) if self.read_source else ""
            return BodySource(src_path, body_digest(record.body_line, text), text, record.body_line)
        return BodySource(src_path, record.body_digest, text, record.body_line)

    def changed_while_building(self) -> list[str]:
        """Return the sources whose body this build converted from other bytes than it
        planned with (edited in between): the page shows the newer text, the plan the older."""
        return sorted(src_path for src_path in self.fresh_paths
                      if self.body_info[src_path][0] != self.records[src_path].body_digest)

    def render_bodies(self, map_fn: Callable = map, changed: set[str] | None = None) -> int:
        """Convert every body to HTML, reusing still-valid bodies of a previous build.

        `map_fn(render_body, sources)` does the conversion (the pipeline passes a process
        pool's map for a cold build). `changed`, when given, is every source whose bytes
        changed since the previous build, the site's structure being the same: the other
        bodies are taken from it as they are. Return how many bodies were converted.
        """
        todo = []
        if changed is not None and self.known_link_world:
            self.link_world = self.known_link_world  # the structure, hence every URL, is the previous build's
        same_world = self.known_link_world == self.link_world
        if changed is not None and same_world:
            self.body_info = dict(self.known_index)
            candidates = [src for src in changed if src in self.body_info]
            for src_path in candidates:
                del self.body_info[src_path]
        else:
            candidates = list(self.records)
        for src_path in candidates:
            known = self.known_index.get(src_path)
            if known is not None and known[0] == self.records[src_path].body_digest and (same_world or all(
                    self.resolve_link(ref, src_path) == result for ref, result in known[3])):
                self.body_info[src_path] = known
            else:
                todo.append(src_path)
        spill = self.body_store is not None and len(todo) > SPILL_AT
        for src_path, body in zip(todo, map_fn(self.convert, todo)):
            self._keep_fresh(src_path, body, spill)
        self._spill()
        for info in self.body_info.values():
            self.problems.extend(info[2])
        return len(todo)

    def convert(self, src_path: str) -> Body:
        """Convert the body of one source (reading its text when this build has not kept it)."""
        return self.render_body(self.body_source(src_path))

    def _keep_fresh(self, src_path: str, body: Body, spill: bool = False) -> None:
        self.fresh_paths.add(src_path)
        self.body_info[src_path] = (body.digest, body.html_digest, body.problems, body.links,
                                    body.rendered.first_paragraph, body.rendered.word_count)
        if spill:
            self._unsaved[src_path] = body
            if len(self._unsaved) >= SPILL_AT:
                self._spill()
        else:
            self.fresh_bodies[src_path] = body

    def _spill(self) -> None:
        if self._unsaved:
            self.body_store.put(self._unsaved, forget=set())
            self._unsaved = {}

    def load_body(self, src_path: str) -> Rendered:
        """Return a body's HTML: converted this build, or from the store (checked against
        its recorded hash; a missing or damaged one is converted again)."""
        fresh = self.fresh_bodies.get(src_path)
        if fresh is not None:
            return fresh.rendered
        digest, html_digest = self.body_info[src_path][:2]
        stored = self.body_store.get(src_path, digest) if self.body_store else None
        if stored is not None and digest_of(stored.rendered.html) == html_digest:
            return stored.rendered
        body = self.convert(src_path)
        self._keep_fresh(src_path, body)
        return body.rendered

    def render_body(self, source: BodySource) -> Body:
        """Convert one body, recording how each link resolved and which ones are broken."""
        from .markup import MarkdownRenderer, MarkupError, Rendered
        if self._md is None:
            self._md = MarkdownRenderer()
        links: list[tuple[str, Any]] = []
        problems: list[Problem] = []
        searched: dict[str, int] = {}  # ref → where its next occurrence starts: links come in document order
        body, src_path = source.text, source.src_path

        def resolve(ref: str) -> str:
            target = self.resolve_link(ref, src_path)
            links.append((ref, target))
            if target is False:
                offset = link_offset(body, ref, searched.get(ref, 0))
                searched[ref] = offset + 1 if offset >= 0 else 0
                line = source.line + body.count("\n", 0, offset) if offset >= 0 else source.line
                problems.append(warning(SourceLoc(src_path, line), f"link to '{ref}' points to nothing in the site",
                                        "check the spelling; link to other articles by their file, e.g. other.md"))
                return self.links.url(ref) if ref.startswith("/") else ref
            return ref if target is None else self.links.url(target)

        try:
            rendered = self._md.render(body, resolve)
        except MarkupError as exc:  # issue 10: nested thousands of levels deep, and the like
            problems.append(error(SourceLoc(src_path, source.line + exc.line - 1), exc.message, exc.hint))
            rendered = Rendered("", "", 0)
        return Body(source.digest, rendered, tuple(links), tuple(problems), digest_of(rendered.html))

    def resolve_link(self, ref: str, src_path: str) -> str | None | bool:
        """Return the site path a link means, None to leave it alone, or False when broken.

        `other.md` and `../authors/jane.md` are resolved against the source file, as
        MkDocs does; `/x/` must be a page or file of the site; an absolute URL is left alone.
        """
        if not ref or _is_external(ref) or ref.startswith(("mailto:", "tel:", "data:", "javascript:")):
            return None
        parts = urlsplit(ref)
        suffix = ("?" + parts.query if parts.query else "") + ("#" + parts.fragment if parts.fragment else "")
        if parts.path.endswith(".md"):
            if parts.path.startswith("/"):
                source = posixpath.normpath("content" + parts.path)
            else:
                source = posixpath.normpath(posixpath.join(posixpath.dirname(src_path), parts.path))
            url = self.source_urls.get(source)
            return url + suffix if url else False
        if parts.path.startswith("/"):
            return ref if self._exists(parts.path) else False
        target = resolve_site_path(ref, src_path, self.assets)
        if target is None and posixpath.splitext(parts.path)[1] and not parts.path.endswith((".html", ".htm")):
            return False
        return target

    def _exists(self, site_path: str) -> bool:
        out_path = out_path_for(site_path)
        return out_path in self.out_paths or out_path + "/index.html" in self.out_paths

    def media_url(self, ref: str | None, src_path: str, key: str | None = None, lines=None) -> str | None:
        """Return the href of an image or avatar path written in front matter.

        A site path that is no file of the site is reported (at `key`'s line) when `key` is given.
        """
        if not ref:
            return None
        target = resolve_site_path(ref, src_path, self.assets)
        if key and (target is None and not _is_external(ref) or target is not None and not self._exists(
                target.split("?")[0].split("#")[0])):
            line = (lines or {}).get(key)
            self.problems.append(warning(SourceLoc(src_path, line), f"'{key}': '{ref}' points to nothing in the site",
                                         "put the file under content/, e.g. content/images/, and write /images/…"))
        return self.links.url(target) if target is not None else ref

    def check_media(self, changed: set[str] | None = None, known: Mapping[str, tuple] | None = None,
                    ) -> dict[str, tuple[Problem, ...]]:
        """Report hero images and avatars that point to no file of the site; return the
        problems by source. With `changed` (the structure unchanged), only those sources
        are checked again and the others' problems are taken from `known`."""
        found: dict[str, tuple[Problem, ...]] = {}
        if changed is not None and known is not None:
            found = {src: problems for src, problems in known.items() if src not in changed}
            sources = [self.records[src] for src in changed if src in self.records]
        else:
            sources = list(self.records.values())
        for record in sources:
            before = len(self.problems)
            if getattr(record, "image", None):
                self.media_url(record.image.src, record.src_path, "image", record.key_lines)
            elif getattr(record, "avatar", None):
                self.media_url(record.avatar, record.src_path, "avatar", record.key_lines)
            if len(self.problems) > before:
                found[record.src_path] = tuple(self.problems[before:])
                del self.problems[before:]
        for problems in found.values():
            self.problems.extend(problems)
        return found

    # Views ----------------------------------------------------------------

    def card(self, index: int) -> dict:
        """Return the listing view of the article at `index` (cached)."""
        if index not in self._cards:
            record = self.site.articles[index].record
            known = self.known_cards.get(record.src_path)
            if known is not None and record.src_path not in self.changed:
                self._cards[index] = known
            else:
                self._cards[index] = self._make_card(self.site.articles[index])
        return self._cards[index]

    def cards_by_source(self) -> dict[str, dict]:
        """Return the cards this build made or reused, by source (for `reuse_cards`)."""
        return {self.site.articles[index].record.src_path: card for index, card in self._cards.items()}

    def _make_card(self, article: Article) -> dict:
        record = article.record
        tz = self.config.tz
        url = article_url(self.site, record)
        info = self.body_info[record.src_path]  # the card's summary and reading time, not the HTML
        image = None
        if record.image:
            image = {"src": self.media_url(record.image.src, record.src_path), "alt": record.image.alt,
                     "caption": record.image.caption, "credit": record.image.credit}
        date = record.date.astimezone(tz)
        updated = record.updated.astimezone(tz) if record.updated else None
        return {
            "slug": record.slug, "title": record.title, "subtitle": record.subtitle,
            "summary": record.summary or cut_at_word(info[4]),
            "url": self.links.url(url), "abs_url": self.links.abs_url(url),
            "date": date, "date_iso": date.isoformat(), "date_display": format_date(date),
            "updated": updated, "updated_iso": updated.isoformat() if updated else None,
            "updated_display": format_date(updated) if updated else None,
            "authors": [self.author_ref(a) for a in article.author_ids],
            "tags": [self.tag_ref(t) for t in article.tag_slugs],
            "image": image, "status": article.status,
            "reading_minutes": reading_minutes(info[5]),
            "canonical_url": record.canonical_url,
        }

    def author_ref(self, author_id: str) -> dict:
        key = ("author", author_id)
        if key not in self._refs:
            author = self.site.authors[author_id]
            self._refs[key] = {"id": author.id, "name": author.name,
                               "url": self.links.url(f"/authors/{author.id}/")}
        return self._refs[key]

    def tag_ref(self, slug: str) -> dict:
        key = ("tag", slug)
        if key not in self._refs:
            tag = self.site.tags[slug]
            self._refs[key] = {"name": tag.name, "slug": tag.slug, "url": self.links.url(f"/tags/{tag.slug}/")}
        return self._refs[key]

    def tag_view(self, slug: str) -> dict:
        return {**self.tag_ref(slug), "count": len(self.site.by_tag[slug]),
                "feed_url": self.links.url(f"/tags/{slug}/feed.xml")}

    def author_view(self, author_id: str) -> dict:
        """Return the view of an author (cached): profile, bio and links."""
        if author_id not in self._authors:
            self._authors[author_id] = self._make_author(self.site.authors[author_id])
        return self._authors[author_id]

    def _make_author(self, author: Author) -> dict:
        src_path = author.record.src_path if author.record else ""
        return {
            "id": author.id, "name": author.name, "role": author.role,
            "url": self.links.url(f"/authors/{author.id}/"), "abs_url": self.links.abs_url(f"/authors/{author.id}/"),
            "avatar": self.media_url(author.avatar, src_path),
            "bio_html": self.bodies[src_path].html if author.record else "",
            "links": [link for kind, value in author.links if (link := social_link(kind, value))],
            "count": len(self.site.by_author.get(author.id, ())),
            "feed_url": self.links.url(f"/authors/{author.id}/feed.xml") if author.id in self.site.by_author else None,
            "is_generated": author.is_generated,
        }

    def site_view(self) -> dict:
        if self._site_view is None:
            config = self.config
            self._site_view = {
                "title": config.title, "tagline": config.tagline, "description": config.description,
                "language": config.language, "url": self.links.url("/"), "abs_url": config.base_url,
                "logo": self.media_url(config.logo, "content/x"),
                "nav": [{"title": link.title, "url": self.links.url(link.url)} for link in config.nav],
                "copyright": config.copyright, "extra": dict(config.extra),
                "publisher_name": str(config.publisher.get("name") or config.title),
            }
        return self._site_view

    def _abs_media(self, url: str | None) -> str | None:
        """Return an image URL from a view as an absolute URL."""
        if not url:
            return None
        return url if _is_external(url) else self.origin + url

    def _site_feeds(self) -> list[dict]:
        title = self.config.title
        return [{"title": f"{title} (Atom)", "url": self.links.url("/feed.xml"), "type": "application/atom+xml"},
                {"title": f"{title} (RSS)", "url": self.links.url("/rss.xml"), "type": "application/rss+xml"},
                {"title": f"{title} (JSON Feed)", "url": self.links.url("/feed.json"), "type": "application/feed+json"}]

    # Pass B ---------------------------------------------------------------

    def context(self, route: Route) -> dict[str, Any]:
        """Return the template context of one route."""
        site_title = self.config.title
        site = self.site_view()
        page = {"kind": route.kind, "title": site_title, "social_title": site_title,
                "description": self.config.description or site_title,
                "url": self.links.url(route.url), "abs_url": self.links.abs_url(route.url),
                "feeds": self._site_feeds(), "head_html": ""}
        ctx: dict[str, Any] = {"site": site, "page": page, "preview": self.preview}
        suffix = f" — page {route.number}" if route.number > 1 else ""
        kind = route.kind
        og_type, image, jsonld, article = "website", None, None, None
        if kind == "home":
            page["title"] = f"{site_title}{suffix}"
            self._listing(ctx, route, range(len(self.site.articles)))
        elif kind == "article":
            index = self._article_index[route.key]
            article = ctx["article"] = self._article_view(index)
            page["title"] = f"{article['title']} — {site_title}"
            page["social_title"] = article["title"]
            page["description"] = article["description"]
            if article["canonical_url"]:
                page["abs_url"] = article["canonical_url"]
            og_type = "article"
            image = self._abs_image(article["image"])
            jsonld = publish.news_article_ld(article, site, self._publisher_logo(), image)
        elif kind == "author":
            author = self.author_view(route.key)
            ctx["author"] = author
            page["title"] = f"{author['name']}{suffix} — {site_title}"
            page["social_title"] = author["name"]
            page["description"] = f"Articles by {author['name']}" + (f", {author['role']}" if author["role"] else "")
            if route.key in self.site.by_author:
                page["feeds"] = page["feeds"] + [{"title": f"{author['name']} — {site_title} (Atom)",
                                                  "url": author["feed_url"], "type": "application/atom+xml"}]
            self._listing(ctx, route, self.site.by_author.get(route.key, ()))
            og_type = "profile"
            avatar = self._abs_media(author["avatar"])
            image = {"abs_src": avatar, "alt": author["name"]} if avatar else None
            if route.number == 1:
                jsonld = publish.profile_page_ld(author, avatar)
        elif kind == "tag":
            tag = self.tag_view(route.key)
            ctx["tag"] = tag
            page["title"] = f"{tag['name']}{suffix} — {site_title}"
            page["social_title"] = tag["name"]
            page["description"] = f"Articles tagged {tag['name']} in {site_title}"
            page["feeds"] = page["feeds"] + [{"title": f"{tag['name']} — {site_title} (Atom)",
                                              "url": tag["feed_url"], "type": "application/atom+xml"}]
            self._listing(ctx, route, self.site.by_tag[route.key])
        elif kind == "authors":
            ctx["authors"] = sorted((self.author_view(a) for a in self.site.authors),
                                    key=lambda a: (a["name"].casefold(), a["id"]))
            page["title"] = page["social_title"] = f"Authors — {site_title}"
            page["description"] = f"Everyone who writes for {site_title}"
        elif kind == "tags":
            ctx["tags"] = sorted((self.tag_view(t) for t in self.site.tags),
                                 key=lambda t: (t["name"].casefold(), t["slug"]))
            page["title"] = page["social_title"] = f"Topics — {site_title}"
            page["description"] = f"Every topic {site_title} covers"
        elif kind == "archive":
            ctx["years"] = self._archive()
            page["title"] = page["social_title"] = f"Archive — {site_title}"
            page["description"] = f"Every article of {site_title}, by month"
        elif kind == "page":
            record = self._page_index[route.key]
            rendered = self.bodies[record.src_path]
            ctx["doc"] = {"title": record.title, "slug": record.slug, "url": page["url"], "body_html": rendered.html}
            page["title"] = f"{record.title} — {site_title}"
            page["social_title"] = record.title
            page["description"] = cut_at_word(rendered.first_paragraph) or record.title
        elif kind == "404":
            page["title"] = f"Page not found — {site_title}"
            return ctx
        elif kind in ("feed", "tag-feed", "author-feed", "rss", "json-feed"):
            ctx["feed"] = self.feed_view(route)
            return ctx
        elif kind == "sitemap":
            ctx["urls"] = self._sitemap()
            return ctx
        elif kind == "robots":
            ctx["sitemap_url"] = self.links.abs_url("/sitemap.xml")
            return ctx
        if image is None and site["logo"]:
            image = {"abs_src": self._abs_media(site["logo"]), "alt": site_title}
        page["head_html"] = publish.social_head(page, site, og_type=og_type, image=image, article=article,
                                                jsonld=jsonld)
        return ctx

    def _abs_image(self, image: dict | None) -> dict | None:
        if not image:
            return None
        abs_src = self._abs_media(image["src"])
        return {**image, "abs_src": abs_src, "type": publish.media_type(abs_src)}

    def _publisher_logo(self) -> str | None:
        logo = self.config.publisher.get("logo") or self.config.logo
        return self._abs_media(self.media_url(str(logo), "content/x")) if logo else None

    # Feeds and sitemap ----------------------------------------------------

    def feed_view(self, route: Route) -> dict:
        """Return the view of a feed: its metadata and the latest published entries."""
        site_title = self.config.title
        if route.kind == "tag-feed":
            tag = self.tag_view(route.key)
            indexes, title, home = self.site.by_tag[route.key], f"{tag['name']} — {site_title}", f"/tags/{route.key}/"
        elif route.kind == "author-feed":
            author = self.site.authors[route.key]
            indexes, title, home = self.site.by_author[route.key], f"{author.name} — {site_title}", \
                f"/authors/{route.key}/"
        else:
            indexes, title, home = range(len(self.site.articles)), site_title, "/"
        published = [i for i in indexes if self.site.articles[i].status == PUBLISHED][:publish.FEED_LIMIT]
        entries = [self._entry(i) for i in published]
        newest = max((e["modified"] for e in entries), default=None)
        return {
            "title": title, "subtitle": self.config.description or self.config.tagline,
            "language": self.config.language,
            "home_url": self.links.abs_url(home), "self_url": self.links.abs_url(route.url),
            "id": self.links.abs_url(home),
            "updated_iso": newest.isoformat() if newest else None,
            "updated_rfc822": publish.rfc822(newest) if newest else None,
            "entries": entries,
            "logo": self._publisher_logo(),
        }

    def _entry(self, index: int) -> dict:
        """Return the feed view of an article (cached: one article is in many feeds)."""
        return self._entries.get_or(index, lambda: self._make_entry(index))

    def _make_entry(self, index: int) -> dict:
        record = self.site.articles[index].record
        card = self.card(index)
        modified = card["updated"] or card["date"]
        image = self._abs_image(card["image"])
        content = publish.absolutize_html(self.bodies[record.src_path].html, self.origin, card["abs_url"])
        if image:
            content = publish.figure_html(image) + content
        return {
            **card,
            "id": publish.entry_id(self.config.base_url, record.slug, card["date"]),
            "content_html": content,
            "content_xml": escaped(content),
            "modified": modified, "modified_iso": modified.isoformat(),
            "date_rfc822": publish.rfc822(card["date"]),
            "authors": [{"name": a["name"], "abs_url": self.links.abs_url(f"/authors/{a['id']}/")}
                        for a in card["authors"]],
            "tags": [{**t, "abs_url": self._abs_media(t["url"])} for t in card["tags"]],
            "image": image,
            "external_url": record.canonical_url,
        }

    def _sitemap(self) -> list[dict]:
        """Every published article, tag, author and page, with lastmod from updated/date."""
        articles = self.site.articles

        def newest(indexes) -> str | None:
            dates = [(articles[i].record.updated or articles[i].record.date) for i in indexes
                     if articles[i].status == PUBLISHED]
            return max(dates).astimezone(self.config.tz).isoformat() if dates else None

        everything = range(len(articles))
        urls = [{"loc": self.links.abs_url("/"), "lastmod": newest(everything)}]
        for index, article in enumerate(articles):
            # Syndicated copies (canonical_url elsewhere) are left out: a sitemap lists canonical URLs.
            if article.status == PUBLISHED and article.record.canonical_url in (None, self.card(index)["abs_url"]):
                card = self.card(index)
                urls.append({"loc": card["abs_url"], "lastmod": card["updated_iso"] or card["date_iso"]})
        published_authors = [a for a in self.site.authors if newest(self.site.by_author.get(a, ()))
                             or not self.site.authors[a].is_generated]
        urls.append({"loc": self.links.abs_url("/authors/"), "lastmod": newest(everything)})
        for author_id in published_authors:
            urls.append({"loc": self.links.abs_url(f"/authors/{author_id}/"),
                         "lastmod": newest(self.site.by_author.get(author_id, ()))})
        urls.append({"loc": self.links.abs_url("/tags/"), "lastmod": newest(everything)})
        for slug, indexes in self.site.by_tag.items():
            lastmod = newest(indexes)
            if lastmod:
                urls.append({"loc": self.links.abs_url(f"/tags/{slug}/"), "lastmod": lastmod})
        urls.append({"loc": self.links.abs_url("/archive/"), "lastmod": newest(everything)})
        for page in self.site.pages:
            if not page.draft:
                urls.append({"loc": self.links.abs_url(f"/{page.slug}/"), "lastmod": None})
        return urls

    def _description(self, index: int) -> str:
        record = self.site.articles[index].record
        return record.summary or record.subtitle or cut_at_word(self.body_info[record.src_path][4]) \
            or record.title

    def _article_view(self, index: int) -> dict:
        article = self.site.articles[index]
        record = article.record
        rendered = self.bodies[record.src_path]
        view = dict(self.card(index))
        view.update({
            "body_html": rendered.html, "credits": record.credits, "canonical_url": record.canonical_url,
            "word_count": rendered.word_count, "extra": dict(record.extra),
            "description": self._description(index),
            "authors": [self.author_view(a) for a in article.author_ids],
            "related": [self.card(i) for i in self.site.related.get(record.slug, ())],
            "newer": self.card(index - 1) if index > 0 else None,
            "older": self.card(index + 1) if index + 1 < len(self.site.articles) else None,
        })
        return view

    def _listing(self, ctx: dict, route: Route, indexes) -> None:
        per_page = self.config.paginate
        start = (route.number - 1) * per_page
        ctx["articles"] = [self.card(i) for i in list(indexes)[start:start + per_page]]
        first = route.url if route.number == 1 else route.url.rsplit("page/", 1)[0]
        urls = [self.links.url(u) for u in paginated_urls(first, route.count)]
        ctx["pagination"] = {
            "number": route.number, "count": route.count,
            "prev_url": urls[route.number - 2] if route.number > 1 else None,
            "next_url": urls[route.number] if route.number < route.count else None,
            "pages": [{"number": n, "url": u, "current": n == route.number} for n, u in enumerate(urls, start=1)],
        }

    def _archive(self) -> list[dict]:
        years: list[dict] = []
        for index, article in enumerate(self.site.articles):
            when = article.record.date.astimezone(self.config.tz)
            if not years or years[-1]["year"] != when.year:
                years.append({"year": when.year, "count": 0, "months": []})
            year = years[-1]
            if not year["months"] or year["months"][-1]["month"] != when.month:
                year["months"].append({"month": when.month, "name": MONTHS[when.month - 1],
                                       "anchor": f"{when.year:04d}-{when.month:02d}", "articles": []})
            year["months"][-1]["articles"].append(self.card(index))
            year["count"] += 1
        return years

    # Fingerprints: a hash of everything a route's page is made from --------

    def fingerprint(self, route: Route) -> str:
        """Return a hash of every input of the route's page: equal hashes, equal bytes.

        Mirrors `context`: each view contributes a token computed from the data it is
        built from (sources, rendered bodies, names, counts). The property test in
        tests/test_incremental.py checks the mirror against clean builds.
        """
        template = self._template_token(route.template) if route.template else ""
        return digest_of(template, route.kind, route.key, route.number, route.count, route.url,
                         self._route_inputs(route))

    def fingerprint_and_sources(self, route: Route) -> tuple[str, frozenset[str], frozenset[str]]:
        """Return the route's fingerprint and the sources whose content it was computed from:
        those whose article card it shows, and those it reads otherwise (a body, a profile).

        Which sources a page reads depends on the site's structure alone (which articles
        it lists, who wrote them): while the structure stays the same, an edit to a source
        changes the fingerprints of those pages only, and of its card's readers only when
        its card changed.
        """
        self._card_reads, self._direct_reads = set(), set()
        fingerprint = self.fingerprint(route)
        return fingerprint, frozenset(self._card_reads), frozenset(self._direct_reads)

    def card_token_of(self, src_path: str) -> str | None:
        """Return the card hash of the article from `src_path`, or None when it is no built article."""
        record = self.records.get(src_path)
        index = self._article_index.get(getattr(record, "slug", None))
        if index is None or self.site.articles[index].record is not record:
            return None
        return self._card_token(index)

    def _template_token(self, name: str) -> str:
        if name not in self._template_digests:
            from . import templates
            self._template_digests[name] = templates.template_digest(self.env, name, self.template_references)
        return self._template_digests[name]

    def _route_inputs(self, route: Route) -> object:
        kind, site = route.kind, self.site
        if kind == "article":
            index = self._article_index[route.key]
            article = site.articles[index]
            self._direct_reads.add(article.record.src_path)
            # The body's HTML as well as the source: a link to another file renders
            # differently when that file is renamed or deleted, the source unchanged.
            return (self._card_token(index), article.record.digest,
                    self.body_info[article.record.src_path][1],
                    [self._author_token(a) for a in article.author_ids],
                    [self._card_token(i) for i in site.related.get(article.slug, ())],
                    self._card_token(index - 1) if index > 0 else None,
                    self._card_token(index + 1) if index + 1 < len(site.articles) else None)
        if kind in ("home", "tag", "author"):
            indexes = {"home": range(len(site.articles)), "tag": site.by_tag.get(route.key, ()),
                       "author": site.by_author.get(route.key, ())}[kind]
            start = (route.number - 1) * self.config.paginate
            shown = list(indexes)[start:start + self.config.paginate]
            owner = self._tag_token(route.key) if kind == "tag" else \
                self._author_token(route.key) if kind == "author" else None
            return owner, [self._card_token(i) for i in shown]
        if kind == "authors":
            return [self._author_token(a) for a in site.authors]
        if kind == "tags":
            return [self._tag_token(t) for t in site.tags]
        if kind == "archive":
            return [self._card_token(i) for i in range(len(site.articles))]
        if kind == "page":
            record = self._page_index[route.key]
            self._direct_reads.add(record.src_path)
            return record.digest, self.body_info[record.src_path][1]
        if kind in ("feed", "tag-feed", "author-feed", "rss", "json-feed"):
            indexes = site.by_tag[route.key] if kind == "tag-feed" else site.by_author[route.key] \
                if kind == "author-feed" else range(len(site.articles))
            published = [i for i in indexes if site.articles[i].status == PUBLISHED][:publish.FEED_LIMIT]
            owner = self._tag_token(route.key) if kind == "tag-feed" else \
                self._author_token(route.key) if kind == "author-feed" else None
            self._direct_reads.update(site.articles[i].record.src_path for i in published)
            return owner, [(self._card_token(i), self.body_info[site.articles[i].record.src_path][1],
                            site.articles[i].record.canonical_url) for i in published]
        if kind == "sitemap":
            # All of it is in the cards (slug, dates, canonical URL, status): a card reader.
            self._card_reads.update(a.record.src_path for a in site.articles)
            return ([(a.slug, a.record.date, a.record.updated, a.record.canonical_url) for a in site.articles
                     if a.status == PUBLISHED],
                    [(a.id, a.is_generated, site.by_author.get(a.id, ())) for a in site.authors.values()],
                    list(site.by_tag.items()), [(p.slug, p.draft) for p in site.pages])
        return None  # 404, robots: the template alone

    def _card_token(self, index: int) -> str:
        """Return a hash of what the article's card shows (not of its whole body: a body
        edit that keeps the summary and reading time re-renders no listing)."""
        key = ("card", index)
        src_path = self.site.articles[index].record.src_path
        self._card_reads.add(src_path)
        if key not in self._tokens and src_path in self.stable_cards and src_path not in self.changed:
            self._tokens[key] = self.stable_cards[src_path]
        if key not in self._tokens:
            article = self.site.articles[index]
            record = article.record
            image = self.media_url(record.image.src, record.src_path) if record.image else None
            # The slug too: it comes from the file name unless the front matter sets it, so two
            # files with equal bytes (or one file renamed) have equal digests but other cards.
            inputs = digest_of(record.slug, record.digest, self.body_info[record.src_path][1],
                               article.status, image,
                               [(a, self.site.authors[a].name) for a in article.author_ids],
                               [(t, self.site.tags[t].name) for t in article.tag_slugs])
            token = self.known_card_tokens.get(inputs)
            if token is None:
                token = digest_of(sorted(self.card(index).items()))
            self.card_tokens[inputs] = token
            self._tokens[key] = self.card_by_source[src_path] = token
        return self._tokens[key]

    def reuse_cards(self, card_by_source: Mapping[str, str], changed: frozenset[str],
                    cards: Mapping[str, dict] | None = None) -> None:
        """Take the card hashes (and, when given, the cards) of a previous build of the same
        structure for every article whose source is not in `changed`: what a card shows
        comes from its own source and from the structure (author and tag names, URLs) alone."""
        self.stable_cards = card_by_source
        self.changed = changed
        self.known_cards = cards or {}

    def _author_token(self, author_id: str) -> str:
        key = ("author", author_id)
        author = self.site.authors[author_id]
        if author.record:
            self._direct_reads.add(author.record.src_path)
        if key not in self._tokens:
            source = author.record.src_path if author.record else ""
            self._tokens[key] = digest_of(
                author.id, author.name, author.record.digest if author.record else "",
                self.body_info[source][1] if author.record else "",
                self.media_url(author.avatar, source), len(self.site.by_author.get(author_id, ())),
                author_id in self.site.by_author)
        return self._tokens[key]

    def _tag_token(self, slug: str) -> str:
        return digest_of(slug, self.site.tags[slug].name, len(self.site.by_tag[slug]))

    def render_route(self, route: Route) -> Output:
        """Render one route to bytes. Jinja errors propagate to `render_routes`."""
        if route.kind == "json-feed":
            return Output(route.out_path, publish.json_feed(self.feed_view(route)))
        template = self.env.get_template(route.template)
        text = template.render(self.context(route))
        if route.template.endswith(".xml") and NOT_XML.search(text):
            # Content is cleaned when loaded (with a warning); this catches the rest (config.yaml
            # values, a theme's own text), which would make the whole feed unreadable.
            text = strip_not_xml(text)
        return Output(route.out_path, text.encode("utf-8"))

    def render_routes(self, routes: list[Route], keep: Callable[[Output], Any] = lambda output: output,
                      ) -> tuple[list, list[Problem]]:
        """Render every route and pass each page to `keep` (which may write it somewhere).

        Return what `keep` returned, and one problem per distinct template error; any
        other exception is a bug and propagates with its traceback.
        """
        kept, problems, seen = [], [], set()
        for route in routes:
            try:
                output = self.render_route(route)
            except Exception as exc:  # mapped to a template line, or re-raised as a bug
                from . import templates
                problem = templates.template_problem(exc, self.site_dir, route.template)
                if problem is None:
                    raise
                if problem.format() not in seen:
                    seen.add(problem.format())
                    problems.append(problem)
                continue
            kept.append(keep(output))
        return kept, problems


def social_link(kind: str, value: str) -> dict | None:
    """Return `{kind, label, url}` for an author's link, or None when it is not a usable link."""
    value = value.strip()
    label = {"twitter": "Twitter", "x": "X", "mastodon": "Mastodon", "website": "Website", "email": "Email",
             "bluesky": "Bluesky", "github": "GitHub", "linkedin": "LinkedIn"}.get(kind, kind.replace("_", " ").title())
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
