"""Rendering: Markdown for every body (pass A), then a view context and a template per
route (pass B). Produces `Output(out_path, data)` values and writes nothing to disk.

`KINDS` maps each route kind to the module of `views` that describes it: what its pages
read (`inputs`) and the template data made of exactly that (`context`). `Renderer` is the
build's facade over the parts: `bodies` (Markdown), `links` (links and media),
`views` (what templates get), `fingerprint` (what a page depends on).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping

from .bodies import MEMO_SIZE, SPILL_AT, Bodies, Body, BodyInfo, BodyRecords, Recent, map_in_chunks  # noqa: F401 (SPILL_AT: tests read it here)
from .errors import Problem
from .fingerprint import Fingerprints
from .links import LinkResolver
from .load import NOT_XML, ArticleRecord, strip_not_xml
from .model import Site, item_key
from .routes import Route
from .views import archive, article, feeds, indexes, listings, redirects, sitemap, standalone
from .views.shared import PageInputs, SiteViews, Structure

if TYPE_CHECKING:
    import jinja2

# Python-Markdown, Pygments and Jinja are imported on first use (`markup`, `templates`):
# a rebuild with nothing to convert or render does not pay for loading them.

KINDS = {
    "home": listings, "tag": listings, "author": listings,
    "article": article,
    "authors": indexes, "tags": indexes,
    "archive": archive, "archive-year": archive, "archive-month": archive,
    "feed": feeds, "rss": feeds, "json-feed": feeds, "tag-feed": feeds, "author-feed": feeds,
    "sitemap": sitemap, "sitemap-articles": sitemap, "sitemap-pages": sitemap, "robots": sitemap,
    "page": standalone, "404": standalone,
    "redirect": redirects, "redirects": redirects,
}
"""Route kind → the module describing its pages: `inputs(route, structure) -> PageInputs`,
`context(route, shown) -> dict`, and `document(context) -> bytes` for a route without a
template."""


CARD_MEMO_SIZE = 4096
"""Rendered cards a renderer keeps at hand (about 1 KB each): a listing shows the cards of
its neighbours in time, so the recent ones are those shown again."""


@dataclass(frozen=True, slots=True)
class Output:
    out_path: str
    data: bytes


class Renderer:
    """Pass A and pass B for one build: the facade the pipeline uses."""

    def __init__(self, site: Site, site_dir: Path, out_paths: Callable[[], frozenset[str]], *,
                 preview: bool = False, body_index: Mapping[str, BodyInfo] | None = None, body_store: Any = None,
                 read_source: Callable[[str, int], str] | None = None, texts: Mapping[str, str] | None = None,
                 known_card_token_by_inputs: Mapping[str, str] | None = None,
                 template_references: dict[str, tuple] | None = None, template_cache: Path | None = None,
                 known_link_world: str | None = None, kinds: Mapping[str, Any] = KINDS):
        self.site = site
        self.kinds = kinds
        """Route kind → the module describing it (`KINDS`; a test may describe one otherwise)."""
        self.config = site.config
        self.site_dir = site_dir
        self.preview = preview
        self.problems: list[Problem] = []
        """Warnings found while rendering: links and images that point to nothing."""
        self.resolver = LinkResolver(site, out_paths, self.problems)
        """`out_paths`: returns every file the site will hold (`Plan.out_paths`)."""
        self.links = self.resolver.links
        self.known_link_world = known_link_world
        self.records = BodyRecords(site)
        """src_path → record of every source whose Markdown body the site shows."""
        self.bodies = Bodies(self.records, self.resolver, self.problems, known_index=body_index,
                             body_store=body_store, read_source=read_source, texts=texts)
        self.views = SiteViews(site, self.resolver, self.bodies, preview)
        self.structure = Structure(site)
        self.tokens = Fingerprints(site, self.views, self.bodies, self.resolver, known_card_token_by_inputs)
        self.template_references = template_references if template_references is not None else {}
        """Template source hash → the templates it refers to (kept in the cache)."""
        self._template_digests: dict[str, str] = {}
        self._env: jinja2.Environment | None = None
        self._twin: Callable[[str], Callable[[dict], str] | None] = lambda name: None
        """Template name → its plain-Python twin, or None (set with `env`)."""
        self._template_cache = template_cache
        self._inputs = Recent(MEMO_SIZE)
        """Route → its inputs, kept at hand between its fingerprint and its rendering."""

    @property
    def env(self) -> jinja2.Environment:
        if self._env is None:
            from . import templates
            self._env = templates.make_env(self.site_dir, {"asset": lambda path: self.links.url("/" + path.lstrip("/"))},
                                           self._template_cache)
            words = templates.Words(self.views.language_of)
            templates.add_messages(self._env, words)
            theme_card = templates.ThemeCard(words)  # (its bylines serve the cards and the pages alike)
            card_markup = templates.add_card_html(self._env, Recent(CARD_MEMO_SIZE), theme_card, self.template_references)
            self._twin = templates.page_twins(self._env, theme_card, card_markup, self.template_references)
        return self._env

    # Pass A ---------------------------------------------------------------

    def render_bodies(self, map_fn: Callable = map_in_chunks, changed: set[str] | None = None) -> int:
        """Convert every body to HTML, reusing still-valid bodies of a previous build.

        `map_fn(function, sources)` does the conversion, `function` taking a list of sources
        and `map_fn` yielding one result per source (the pipeline passes a process pool's
        map for a cold build). `changed`, when given, is every source whose bytes
        changed since the previous build, the site's structure being the same: the other
        bodies are taken from it as they are. Return how many bodies were converted.
        """
        return self.bodies.convert_all(map_fn, self.convert, self.convert_and_store, changed, self.known_link_world)

    def convert(self, src_paths: list[str]) -> list[Body]:
        """Convert the bodies of some sources (run in forked workers by a large build)."""
        return [self.bodies.convert(src_path) for src_path in src_paths]

    def convert_and_store(self, src_paths: list[str]) -> list[BodyInfo]:
        """Convert the bodies of some sources and put them in the body store (run in forked
        workers by a cold build): return what the build keeps of each."""
        return self.bodies.convert_and_store(src_paths)

    def changed_while_building(self) -> list[str]:
        """Return the sources whose body this build converted from other bytes than it planned with."""
        return self.bodies.changed_while_building()

    def check_media(self, changed: set[str] | None = None, known: Mapping[str, tuple] | None = None,
                    ) -> dict[str, tuple[Problem, ...]]:
        """Report hero images and avatars that point to no file of the site (see `LinkResolver.check_media`)."""
        return self.resolver.check_media(self.records, changed, known)

    # Fingerprints: a hash of everything a route's page is made from --------

    def inputs(self, route: Route) -> PageInputs:
        """Return what the route's page shows, as its kind declares it."""
        return self._inputs.get_or(route, lambda: self.kinds[route.kind].inputs(route, self.structure))

    def fingerprint(self, route: Route) -> str:
        """Return a hash of every input of the route's page: equal hashes, equal bytes."""
        template = self._template_token(route.template) if route.template else ""
        return self.tokens.fingerprint(route, self.inputs(route), template)

    def fingerprint_and_sources(self, route: Route) -> tuple[str, frozenset[str], frozenset[str], frozenset[str]]:
        """Return the route's fingerprint and the sources whose content it was computed from:
        those whose article card it shows, those whose stamp alone it shows, and those it
        reads otherwise (a body, a profile).

        Which sources a page reads depends on the site's structure alone (which articles
        it lists, who wrote them): while the structure stays the same, an edit to a source
        changes the fingerprints of those pages only, of its card's readers only when its
        card changed, and of its stamp's only when its stamp did.
        """
        cards, stamps, direct = self.tokens.readers(route, self.inputs(route))
        return self.fingerprint(route), cards, stamps, direct

    def card_token_of(self, src_path: str) -> str | None:
        """Return the card hash of the article from `src_path`, or None when it is no built article."""
        record = self.records.get(src_path)
        if not isinstance(record, ArticleRecord):
            return None
        index = self.structure.article_index.get(item_key(self.config.edition_for(record.language), record.slug))
        if index is None or self.site.articles[index].record is not record:
            return None
        return self.tokens.card_token(index)

    def reuse_cards(self, card_token_by_source: Mapping[str, str], changed: frozenset[str],
                    cards: Mapping[str, dict] | None = None) -> None:
        """Take the card hashes (and, when given, the cards) of a previous build of the same
        structure for every article whose source is not in `changed`: what a card shows
        comes from its own source and from the structure (author and tag names, URLs) alone."""
        self.tokens.stable_cards = card_token_by_source
        self.tokens.changed = self.views.changed = changed
        self.views.known_cards = cards or {}

    def card_views_by_source(self) -> dict[str, dict]:
        """Return the cards this build made or reused, by source (for `reuse_cards`)."""
        return self.views.card_views_by_source()

    def _template_token(self, name: str) -> str:
        if name not in self._template_digests:
            from . import templates
            self._template_digests[name] = templates.template_digest(self.env, name, self.template_references)
        return self._template_digests[name]

    # Pass B ---------------------------------------------------------------

    def context(self, route: Route) -> dict[str, Any]:
        """Return the template context of one route, made from its declared inputs only."""
        return self.kinds[route.kind].context(route, self.views.shown(route, self.inputs(route)))

    def render_route(self, route: Route) -> Output:
        """Render one route to bytes. Jinja errors propagate to `render_routes`."""
        context = self.context(route)
        if not route.template:
            return Output(route.out_path, self.kinds[route.kind].document(context))
        env = self.env
        twin = self._twin(route.template)  # (the theme's template in plain Python, when the site keeps it)
        text = twin(context) if twin is not None else env.get_template(route.template).render(context)
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
