"""The Markdown bodies of one build: conversion to HTML, reuse of a previous build's
bodies by digest, and the body store they spill into.

Knows which sources have a body (articles, author bios, pages) and how their links
resolved (through `links.LinkResolver`); knows nothing of pages or templates. Markdown
is imported on first conversion: a rebuild that converts nothing does not load it.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping, MutableMapping

from .digest import text_digest
from .errors import LineCounter, Problem, SourceLoc, error, positional_reduce, warning
from .keystore import StoredMap, with_changes
from .links import LinkResolver, link_offset
from .load import body_digest
from .model import Site

if TYPE_CHECKING:
    from .markup import MarkdownRenderer, Rendered


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
class BodyInfo:
    """What a build knows of a body without loading its HTML (kept in the build cache)."""

    digest: str
    """Hash of the Markdown text it was converted from."""
    html_digest: str
    """Hash of the HTML."""
    problems: tuple[Problem, ...]
    """Broken links found while converting it."""
    links: tuple[tuple[str, Any], ...]
    """(reference as written, what it resolved to): still valid while each resolves the same."""
    first_paragraph: str
    """Plain text of the first paragraph: a card's summary when the front matter has none."""
    word_count: int
    characters: int
    """Chinese and Japanese characters, of `word_count`: they set the reading time apart."""

    __reduce__ = positional_reduce

    @classmethod
    def of(cls, body: Body) -> BodyInfo:
        return cls(body.digest, body.html_digest, body.problems, body.links, body.rendered.first_paragraph,
                   body.rendered.word_count, body.rendered.characters)


@dataclass(frozen=True, slots=True)
class BodySource:
    src_path: str
    digest: str
    text: str
    line: int


class Recent(OrderedDict):
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
"""Bodies and feed entries a build keeps at hand."""
SPILL_AT = 256
"""A build converting more bodies than this puts them in the store as they are converted
(by the workers that convert them), rather than holding them all (a cold build of 10,000
articles would hold hundreds of megabytes)."""


CONVERTED_TOGETHER = 32
"""Bodies converted in this process at a time (`map_in_chunks`): when they are many, the
store takes each such chunk in one transaction."""


def chunked(items: list, size: int) -> list[list]:
    """Cut `items` into lists of `size` (the last one shorter), in order."""
    return [items[start:start + size] for start in range(0, len(items), size)]


def map_in_chunks(function: Callable[[list], list], items: Iterable, size: int = CONVERTED_TOGETHER) -> Iterator:
    """The `map_fn` of `Bodies.convert_all` in this process: `function` over lists of
    `size` items, one result per item."""
    for chunk in chunked(list(items), size):
        yield from function(chunk)


class BodyRecords(Mapping[str, Any]):
    """src_path → record of every source whose Markdown body the site shows: articles,
    author bios, pages, in that order. An article's record is read from its `Article` when
    asked for (a rebuild from the cache reads only the few it needs)."""

    def __init__(self, site: Site):
        self._articles, self._positions = site.articles, site.article_positions()
        self._others = {a.record.src_path: a.record for a in site.authors.values() if a.record}
        self._others.update({a.record.src_path: a.record for edition in site.editions.values()
                             for a in edition.profiles.values()})
        self._others.update({p.src_path: p for p in site.pages})

    def __getitem__(self, src_path: str) -> Any:
        position = self._positions.get(src_path)
        return self._articles[position].record if position is not None else self._others[src_path]

    def __contains__(self, src_path: object) -> bool:
        return src_path in self._positions or src_path in self._others

    def __iter__(self) -> Iterator[str]:
        yield from self._positions
        yield from self._others

    def __len__(self) -> int:
        return len(self._positions) + len(self._others)


class BodyIndex(MutableMapping[str, BodyInfo]):
    """src_path → `BodyInfo` of every body, in memory (a watch's, the preview's, a cold
    build's), knowing those with problems to report (`flagged_values`) without looking at
    the others. Its `layer()` is a map over it with changes of its own, as `StoredMap.layer`
    is over the cache's store: a build's work leaves the index it started from as it was,
    until `fold` writes the layer into it in place."""

    def __init__(self, items: Mapping[str, BodyInfo] | None = None):
        self._items: dict[str, BodyInfo] = dict(items or {})
        self._flagged = {src_path for src_path, info in self._items.items() if info.problems}

    def layer(self) -> BodyIndexLayer:
        return BodyIndexLayer(self)

    def fold(self, layer: BodyIndexLayer) -> None:
        """Write the changes of a layer of this index into it."""
        for src_path, info in layer.changes.items():
            if info is None:
                self.pop(src_path, None)
            else:
                self[src_path] = info

    def flagged(self) -> dict[str, BodyInfo]:
        """Return the bodies with problems to report, by source."""
        return {src_path: self._items[src_path] for src_path in sorted(self._flagged)}

    def flagged_values(self) -> list[BodyInfo]:
        return list(self.flagged().values())

    def __getitem__(self, src_path: str) -> BodyInfo:
        return self._items[src_path]

    def __setitem__(self, src_path: str, info: BodyInfo) -> None:
        self._items[src_path] = info
        if info.problems:
            self._flagged.add(src_path)
        else:
            self._flagged.discard(src_path)

    def __delitem__(self, src_path: str) -> None:
        del self._items[src_path]
        self._flagged.discard(src_path)

    def __contains__(self, src_path: object) -> bool:
        return src_path in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)


class BodyIndexLayer(MutableMapping[str, BodyInfo]):
    """A `BodyIndex` with changes of its own (`BodyIndex.layer`)."""

    def __init__(self, under: BodyIndex):
        self.under = under
        self.changes: dict[str, BodyInfo | None] = {}
        """src_path → its body set by this layer, or None: removed."""

    def get(self, src_path: str, default: Any = None) -> Any:
        if src_path in self.changes:
            info = self.changes[src_path]
            return default if info is None else info
        return self.under.get(src_path, default)

    def __getitem__(self, src_path: str) -> BodyInfo:
        info = self.get(src_path)
        if info is None:
            raise KeyError(src_path)
        return info

    def __contains__(self, src_path: object) -> bool:
        return self.get(src_path) is not None  # type: ignore[arg-type]

    def __setitem__(self, src_path: str, info: BodyInfo) -> None:
        self.changes[src_path] = info

    def __delitem__(self, src_path: str) -> None:
        if src_path not in self:
            raise KeyError(src_path)
        self.changes[src_path] = None

    def flagged_values(self) -> list[BodyInfo]:
        """Return the bodies with problems to report, without looking at the others."""
        found = with_changes(self.under.flagged(), self.changes, None, lambda info: bool(info.problems))
        return [found[src_path] for src_path in sorted(found)]

    def _merged(self) -> dict[str, BodyInfo]:
        return with_changes(self.under, self.changes, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._merged())

    def __len__(self) -> int:
        return len(self._merged())


class Bodies:
    """Every body of one build: converted here, or reused from a previous build."""

    def __init__(self, records: Mapping[str, Any], resolver: LinkResolver, problems: list[Problem], *,
                 known_index: Mapping[str, BodyInfo] | None = None, body_store: Any = None,
                 read_source: Callable[[str, int], str] | None = None, texts: Mapping[str, str] | None = None):
        self.records = records
        self.resolver = resolver
        self.problems = problems
        self.known_index = {} if known_index is None else known_index  # (not `or`: that reads a stored map whole)
        """A previous build's bodies: what cards need, without loading the HTML."""
        self.body_store = body_store
        """Where those bodies are kept (`get(src_path, digest)`), or None."""
        self.read_source = read_source
        """Reads a source's Markdown text again (records do not keep it)."""
        self.texts = texts or {}
        """src_path → Markdown body of the sources read by this build."""
        self.info: BodyIndex | BodyIndexLayer | StoredMap = BodyIndex()
        """This build's bodies, in the form of `known_index`."""
        self.fresh: dict[str, Body] = {}
        """Bodies converted by this build and not yet in the store (the cache stores them)."""
        self.fresh_paths: set[str] = set()
        """Every source whose body this build converted."""
        self._loaded = Recent(MEMO_SIZE)
        self._md: MarkdownRenderer | None = None

    def source(self, src_path: str) -> BodySource:
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
                      if self.info[src_path].digest != self.records[src_path].body_digest)

    def convert_all(self, map_fn: Callable, convert: Callable[[list[str]], list[Body]],
                    convert_and_store: Callable[[list[str]], list[BodyInfo]], changed: set[str] | None,
                    known_link_world: str | None) -> int:
        """Convert every body to HTML, reusing still-valid bodies of a previous build; return
        how many were converted (see `Renderer.render_bodies`). `map_fn(function, src_paths)`
        yields one result per source, `function` taking a list of them: `convert`, or when
        there are many, `convert_and_store` (the workers put the bodies in the store
        themselves, and this process takes in only what it keeps of each)."""
        todo = []
        if changed is not None and known_link_world:
            self.resolver.link_world = known_link_world  # the structure, hence every URL, is the previous build's
        same_world = known_link_world == self.resolver.link_world
        if changed is not None and same_world:
            known = self.known_index  # (a layer of its own: not a copy of every body's)
            self.info = known.layer() if isinstance(known, (StoredMap, BodyIndex)) else BodyIndex(known)
            candidates = [src for src in changed if src in self.info]
            for src_path in candidates:
                del self.info[src_path]
        else:
            candidates = list(self.records)
        for src_path in candidates:
            known = self.known_index.get(src_path)
            if known is not None and known.digest == self.records[src_path].body_digest and (same_world or all(
                    self.resolver.resolve_link(ref, src_path) == result for ref, result in known.links)):
                self.info[src_path] = known
            else:
                todo.append(src_path)
        if self.body_store is not None and len(todo) > SPILL_AT:
            self.body_store.open_for_writing()
            for src_path, info in zip(todo, map_fn(convert_and_store, todo)):
                self.fresh_paths.add(src_path)
                self.info[src_path] = info
        else:
            for src_path, body in zip(todo, map_fn(convert, todo)):
                self._keep_fresh(src_path, body)
        for info in self.info.flagged_values():
            self.problems.extend(info.problems)
        return len(todo)

    def convert(self, src_path: str) -> Body:
        """Convert the body of one source (reading its text when this build has not kept it)."""
        return self.render_body(self.source(src_path))

    def convert_and_store(self, src_paths: list[str]) -> list[BodyInfo]:
        """Convert the bodies of `src_paths` and put them in the store in one transaction;
        return what a build keeps of each (a store that fails loses them: each is converted
        again when a page needs it)."""
        bodies = {src_path: self.convert(src_path) for src_path in src_paths}
        self.body_store.put(bodies, forget=set())
        return [BodyInfo.of(body) for body in bodies.values()]

    def _keep_fresh(self, src_path: str, body: Body) -> None:
        self.fresh_paths.add(src_path)
        self.info[src_path] = BodyInfo.of(body)
        self.fresh[src_path] = body

    def __getitem__(self, src_path: str) -> Rendered:
        """Return a body's HTML (kept at hand for the next few pages that show it)."""
        return self._loaded.get_or(src_path, lambda: self.load(src_path))

    def load(self, src_path: str) -> Rendered:
        """Return a body's HTML: converted this build, or from the store (checked against
        its recorded hash; a missing or damaged one is converted again)."""
        fresh = self.fresh.get(src_path)
        if fresh is not None:
            return fresh.rendered
        info = self.info[src_path]
        stored = self.body_store.get(src_path, info.digest) if self.body_store else None
        if stored is not None and text_digest(stored.rendered.html) == info.html_digest:
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
        searched: dict[str, int] = {}  # ref → where its next occurrence starts
        cursor = [0]  # where the last link found is: links come in document order
        body, src_path = source.text, source.src_path
        line_of = LineCounter(body)
        resolver = self.resolver

        def resolve(ref: str) -> str:
            target = resolver.resolve_link(ref, src_path)
            links.append((ref, target))
            if target is False:
                start = searched.get(ref)
                offset = link_offset(body, ref, cursor[0] if start is None else start)
                if offset < 0 and start is None and cursor[0]:  # (before the others: a reference definition)
                    offset = link_offset(body, ref, 0)
                searched[ref] = offset + 1 if offset >= 0 else 0
                if offset >= 0:
                    cursor[0] = offset
                line = source.line + line_of(offset) - 1 if offset >= 0 else source.line
                problems.append(warning(SourceLoc(src_path, line), f"link to '{ref}' points to nothing in the site",
                                        "check the spelling; link to other articles by their file, e.g. other.md"))
                return resolver.links.url(ref) if ref.startswith("/") else ref
            return ref if target is None else resolver.links.url(target)

        try:
            rendered = self._md.render(body, resolve)
        except MarkupError as exc:  # issue 10: nested thousands of levels deep, and the like
            problems.append(error(SourceLoc(src_path, source.line + exc.line - 1), exc.message, exc.hint))
            rendered = Rendered("", "", 0)
        return Body(source.digest, rendered, tuple(links), tuple(problems), text_digest(rendered.html))
