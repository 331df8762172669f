"""The build, stage by stage: config → load → model → routes → render → output.

`build` is the one function that names the stages in order; reading it is reading the
architecture. Nothing reaches the site's files until every page has rendered (pages are
staged, then committed), so a failed build leaves the previous output exactly as it was.
A cache (`cache.py`) lets a rebuild redo only what its changes require; the proof that
the result equals a clean build is tests/test_incremental.py.
"""

from __future__ import annotations

import errno
import hashlib
import os
import signal
import sys
import time
from stat import S_ISREG
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

from .cache import CACHE_DIR, Cache, CacheState, cache_key, engine_digest
from .config import CONFIG_FILE, SiteConfig, load_config
from .errors import ERROR, Problem, SiteErrors, raise_if_errors
from .load import Walk, load_records, load_source, read_body, section_of, stat_signature, walk
from .model import PUBLISHED, Site, build_site_graph, patch_site, structure_of
from .output import REFUSED_WRITES, BuildLock, OutputFolder, Staged, WriteReport
from .render import Output, Renderer
from .routes import Copy, Route, plan_routes
from .source import SourceError
from .templates import THEME_DIR, list_static, static_origin

PARALLEL_MIN = 48
"""Below this many bodies or pages, worker processes cost more than they save."""
PAGES_PER_STEP = 8
"""Pages rendered in this process between two progress reports."""


@dataclass(frozen=True, slots=True)
class BuildOptions:
    drafts: bool = False
    """Include articles and pages with `draft: true`."""
    future: bool = False
    """Include articles dated in the future."""
    base_url: str | None = None
    """Overrides config.yaml's base_url."""
    out_dir: Path | None = None
    """Default: <site>/output."""
    strict: bool = False
    """Treat warnings as errors."""
    preview: bool = False
    """Render for the live preview (drafts and scheduled articles included, badged)."""
    clean: bool = False
    """Ignore the build cache: render every page (unchanged files are still not rewritten)."""
    jobs: int | None = None
    """Worker processes for rendering; None: one per core."""


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything a build knows before it renders: the checked site and its routes."""

    config: SiteConfig
    site: Site
    routes: list[Route]
    copies: list[Copy]
    warnings: list[Problem]
    sources: dict[str, Any] = field(default_factory=dict)
    """Every Markdown source loaded (`load.SourceEntry`), for the cache."""
    texts: dict[str, str] = field(default_factory=dict)
    """The Markdown bodies read by this build (others are read again when needed)."""
    fixed_problems: tuple[Problem, ...] = ()
    """The problems of the site's structure (configuration, folders, relations, URLs)."""
    changed: frozenset[str] | None = None
    """When the plan was derived from the previous build's (its structure unchanged): the
    sources whose bytes changed since. None when everything was planned afresh."""
    assets: dict[str, Any] = field(default_factory=dict)
    """Stat signature of each file under content/ that is not Markdown."""

    def content_signatures(self) -> dict[str, Any]:
        """Return the stat signature of every file under content/, by its path there."""
        signatures = {src_path.removeprefix("content/"): entry[3] for src_path, entry in self.sources.items()}
        signatures.update(self.assets)
        return signatures


@dataclass(frozen=True, slots=True)
class BuildStats:
    bodies_rendered: int = 0
    pages_rendered: int = 0
    cache_note: str | None = None
    cache_path: Path | None = None
    patched: bool = False
    """The site's structure was unchanged: the previous plan was reused, patched."""


@dataclass(frozen=True, slots=True)
class BuildResult:
    plan: Plan | None
    """None when the build found nothing changed without planning (`Snapshot`)."""
    report: WriteReport | None
    seconds: float
    out_dir: Path | None = None
    outputs: list[Output] = field(default_factory=list)
    stats: BuildStats = BuildStats()
    summary: Summary | None = None

    def __post_init__(self) -> None:
        if self.summary is None and self.plan is not None:
            object.__setattr__(self, "summary", Summary.of(self.plan))

    @property
    def warnings(self) -> list[Problem]:
        return self.summary.warnings

    @property
    def page_count(self) -> int:
        return self.summary.pages


@dataclass(frozen=True, slots=True)
class Summary:
    """What the command line reports of a build."""

    pages: int
    articles: int
    authors: int
    tags: int
    warnings: list[Problem]
    next_due: tuple[str, datetime] | None
    """The scheduled article that falls due first: its source and date, in the site's time zone."""
    latest_published: datetime | None = None
    """The date of the newest article built as published (due): a clock set back before it
    makes it scheduled again (issue 10)."""

    @classmethod
    def of(cls, plan: Plan) -> "Summary":
        site = plan.site
        due = site.next_scheduled
        return cls(len(plan.routes), len(site.articles), len(site.authors), len(site.tags), plan.warnings,
                   (due.src_path, due.date.astimezone(plan.config.tz)) if due else None,
                   latest_published(site))

    def is_due_again(self, now: datetime) -> bool:
        """True when `now` changes what is scheduled: an article falls due, or one built as
        published is no longer due (the clock moved back)."""
        return (self.next_due is not None and self.next_due[1] <= now) or \
            (self.latest_published is not None and self.latest_published > now)


def latest_published(site: Site) -> datetime | None:
    """Return the date of the newest article of `site` whose status is published (due)."""
    for article in site.articles:  # newest first: drafts and scheduled articles come before it, if built
        if article.status == PUBLISHED:
            return article.record.date
    return None


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What a build saw and left: the stat signature of every input, the size and mtime of
    every file in the output folder, and its summary. The next build compares it with the
    files as they are (a walk of each folder, no file read, no cache loaded): when every
    one is unchanged, nothing is to be done (a no-op rebuild, the commonest build)."""

    config_digest: str
    content: dict[str, Any]
    templates: dict[str, Any]
    files: dict[str, Any]
    summary: Summary

    def still_holds(self, site_dir: Path, folder: OutputFolder, options: BuildOptions, now: datetime,
                    walked: Walk) -> bool:
        summary = self.summary
        if (options.strict and summary.warnings) or summary.is_due_again(now):
            return False
        if self.config_digest != _config_digest(site_dir):
            return False
        if not _same_signatures(template_signatures(site_dir), self.templates):
            return False
        files, problems = walked
        now_ns = time.time_ns()
        if problems or len(files) != len(self.content):
            return False
        for rel, stat in files:
            signature = stat_signature(stat, now_ns)
            if signature is None or self.content.get(rel) != signature:  # None: just changed, maybe again
                return False
        return folder.survey() == self.files


def build_time() -> datetime:
    """Return now, or SOURCE_DATE_EPOCH when set (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return datetime.fromtimestamp(int(epoch), timezone.utc)
    return datetime.now(timezone.utc)


def plan_site(site_dir: Path, options: BuildOptions, now: datetime | None = None,
              known_sources: dict[str, Any] | None = None, memo: dict | None = None,
              walked: Walk | None = None) -> Plan:
    """Load, check and relate every source, and plan every output file (`walked`: the
    content folder's walk, when the caller has made it).

    Raises SiteErrors with every problem found (exit 2 for configuration problems).
    """
    try:
        config, problems = load_config(site_dir, options.base_url)
    except SourceError as exc:
        raise SiteErrors([exc.problem], exit_code=2) from None
    raise_if_errors(_strict(problems, options), exit_code=2)

    loaded = load_records(site_dir, config, known_sources, walked)
    site, model_problems = build_site_graph(loaded.records, config, now=now or build_time(),
                                            drafts=options.drafts or options.preview,
                                            future=options.future or options.preview, memo=memo)
    theme_static, layout_static, static_problems = list_static(site_dir)
    routes, copies, route_problems = plan_routes(site, theme_static, layout_static)
    route_problems += static_problems
    fixed = problems + loaded.site_problems + model_problems + route_problems
    problems = _strict(problems + loaded.problems + model_problems + route_problems, options)
    raise_if_errors(problems)
    return Plan(config, site, routes, copies, sorted(problems, key=Problem.sort_key), loaded.sources,
                loaded.texts, tuple(fixed), assets=loaded.assets)


def patch_plan(site_dir: Path, options: BuildOptions, previous: Plan, now: datetime,
               touched: frozenset[str] | None = None, walked: Walk | None = None) -> Plan | None:
    """Return the plan of the site as it is now, derived from the previous build's plan, when
    no change since touched the site's structure (`model.structure_of`): no file added,
    removed or renamed, no article moved, retagged or reattributed, no scheduled article
    fallen due, no published one made scheduled again by a clock set back. Return None
    when the site must be planned afresh (`plan_site`).

    `touched` (from the live preview's watcher) lists every site-relative path changed since
    the previous build: when they are all existing Markdown files, only those are looked at.
    `walked`: the content folder's walk, when the caller has made it.

    This is what makes an edit cost the pages it touches rather than the whole site; the
    property test in tests/test_incremental.py checks the result against clean builds.
    """
    if Summary.of(previous).is_due_again(now):  # an article fell due, or the clock moved back past one
        return None
    content = site_dir / "content"
    now_ns = time.time_ns()
    markdown = _touched_sources(content, previous, touched) if touched is not None else None
    if markdown is not None:
        sources, assets = dict(previous.sources), previous.assets
    else:
        files, walk_problems = walked or walk(content)
        markdown = [(rel, stat) for rel, stat in files if rel.endswith(".md")]
        if walk_problems or len(markdown) != len(previous.sources) or \
                len(files) - len(markdown) != len(previous.assets):
            return None
        assets = {rel: stat_signature(stat, now_ns) for rel, stat in files if not rel.endswith(".md")}
        if any(rel not in previous.assets for rel in assets):
            return None
        sources = {}
    texts: dict[str, str] = {}
    changed: dict[str, Any] = {}
    for rel, stat in markdown:
        src_path = f"content/{rel}"
        old = previous.sources.get(src_path)
        if old is None or section_of(rel) is None:
            return None
        try:
            entry, text = load_source(content, rel, stat, old, previous.config, now_ns)
        except OSError:  # gone since the walk (being saved by rename, or deleted): plan afresh
            return None
        sources[src_path] = entry
        if entry[0] == old[0]:
            continue
        record = entry[1]
        if record is None or old[1] is None or any(p.is_error for p in entry[2]) \
                or structure_of(record) != structure_of(old[1]):
            return None
        changed[src_path] = record
        texts[src_path] = text or ""
    site = patch_site(previous.site, changed)
    if site is None:
        return None
    problems = list(previous.fixed_problems) + [p for entry in sources.values() for p in entry[2]]
    problems = _strict(problems, options)
    raise_if_errors(problems)
    return Plan(previous.config, site, previous.routes, previous.copies, sorted(problems, key=Problem.sort_key),
                sources, texts, previous.fixed_problems, frozenset(changed), assets)


def _touched_sources(content: Path, previous: Plan, touched: frozenset[str]) -> list[tuple[str, os.stat_result]] | None:
    """Return (path in content/, stat) of each touched file when every one is a Markdown
    source the previous build had and still there; None otherwise (walk the folder)."""
    found = []
    for path in sorted(touched):
        rel = path.removeprefix("content/")
        if not path.startswith("content/") or f"content/{rel}" not in previous.sources:
            return None
        try:
            stat = os.lstat(content / rel)
        except OSError:
            return None
        if not S_ISREG(stat.st_mode):  # a link, or no longer a file
            return None
        found.append((rel, stat))
    return found


def template_signatures(site_dir: Path) -> dict[str, Any]:
    """Return the stat signature (for a file that just changed, the hash of its bytes) of
    every file under layouts/ and the default theme: when all are unchanged, so is every
    template and static file."""
    now_ns = time.time_ns()
    signatures: dict[str, Any] = {}
    for root in (site_dir / "layouts", THEME_DIR):
        for folder, _dirs, names in os.walk(root):
            for name in names:
                path = os.path.join(folder, name)
                try:
                    signatures[path] = stat_signature(os.stat(path), now_ns) or _content_digest(path)
                except OSError:
                    signatures[path] = None
    return signatures


def _content_digest(path: str) -> tuple[str, str]:
    """Stands for a file's stat signature when that cannot be trusted (just changed)."""
    with open(path, "rb") as handle:
        return ("bytes", hashlib.blake2b(handle.read(), digest_size=16).hexdigest())


class Session:
    """Builds of one site, one after another, in one process (the live preview): the cache
    stays in memory between builds and is written to disk only by `save`."""

    def __init__(self, site_dir: Path, options: BuildOptions):
        self.site_dir = site_dir
        self.options = options
        out_dir = options.out_dir or site_dir / "output"
        self.cache, self.state = _open_cache(site_dir, out_dir, options)
        self.completed = self.state
        """The state the last completed build left (or the one loaded): what `save` writes.
        A build works on a copy, so a build that fails or is stopped half-way never leaves a
        half-updated state, and `save` may run while a build does (the preview's Ctrl-C)."""
        self.dirty = False
        self.cards: dict[str, dict] = {}
        """src_path → the article card views of the last build."""

    def build(self, *, parallel: bool = False, touched: frozenset[str] | None = None,
              progress: Progress | None = None) -> BuildResult:
        """Build incrementally from the state the last build left in memory; `parallel`
        uses every core whatever the session's options say. `touched`: every site-relative
        path changed since the last build, when the caller knows (a watcher); the caller
        later builds once without it, to catch what a watcher could miss. `progress` is
        called between bodies and between pages: an exception it raises stops the build,
        which then leaves the output folder and the session as they were."""
        completed, cards = self.completed, self.cards
        config_digest = _config_digest(self.site_dir)
        if completed.config_digest != config_digest:
            self.state = CacheState(self.cache.key, config_digest)
        else:  # `build` assigns the state's fields anew, except these two memos, which it fills in place
            self.state = replace(completed, model_memo=dict(completed.model_memo),
                                 template_references=dict(completed.template_references))
        options = replace(self.options, jobs=None) if parallel else self.options
        try:
            result = build(self.site_dir, options, session=self, touched=touched, progress=progress)
        except BaseException:
            self.state, self.cards = completed, cards
            raise
        self.completed = self.state
        self.dirty = True
        return result

    def save(self) -> None:
        """Write the state of the last completed build, if it is not on disk yet."""
        if self.dirty:
            self.cache.save(self.completed)
            self.dirty = False


Progress = Callable[[str, int, int], None]
"""Called as progress(what, done, total) while a long build renders."""


def build(site_dir: Path, options: BuildOptions = BuildOptions(), *, session: Session | None = None,
          progress: Progress | None = None, touched: frozenset[str] | None = None,
          waiting: Callable[[int | None], None] | None = None) -> BuildResult:
    """Build the site in `site_dir` into its output folder; return what was done.

    Raises SiteErrors (content, template) or UsageError (output folder); in both cases
    the output folder is left exactly as it was. One build at a time per output folder
    (and so per cache): a second one waits for the first (`waiting` is told the other's
    process id). Broadsheet's own leftovers of a killed build are removed first. When the
    site's cache folder cannot be written (read-only, full), the build runs with a cache
    in a temporary folder, thrown away after, and says so in its note.
    """
    out_dir = options.out_dir or site_dir / "output"
    folder = OutputFolder.claim(out_dir, site_dir, create=False)
    name = hashlib.blake2b(str(folder.root).encode(), digest_size=8).hexdigest()
    lock = BuildLock(site_dir / CACHE_DIR / f"build-{name}.lock", waiting)
    try:
        lock.acquire()
    except OSError as exc:
        if exc.errno not in REFUSED_WRITES | {errno.ENOTDIR, errno.EEXIST}:  # EEXIST: .cache is a file
            raise
        if session is not None:  # the preview's cache is in memory: build it unlocked
            return _build(site_dir, options, folder, session, progress, touched)
        import tempfile  # here: a build that can save its cache does not load it

        with tempfile.TemporaryDirectory(prefix="broadsheet-cache-") as scratch:
            result = _build(site_dir, options, folder, session, progress, touched, cache_root=Path(scratch))
            note = (f"the cache folder {site_dir / CACHE_DIR} cannot be written ({os.strerror(exc.errno)}): "
                    "built without the build cache, nothing saved, and not guarded against a second build "
                    "at the same time")
            return replace(result, stats=replace(result.stats, cache_note=note))
    try:
        if out_dir.is_dir():
            folder.remove_leftovers()
        return _build(site_dir, options, folder, session, progress, touched)
    finally:
        lock.release()


def _build(site_dir: Path, options: BuildOptions, folder: OutputFolder, session: Session | None,
           progress: Progress | None, touched: frozenset[str] | None, cache_root: Path | None = None,
           ) -> BuildResult:
    """`build`, once it holds the output folder (`cache_root`: where the cache is, when not the site)."""
    started = time.perf_counter()
    out_dir = options.out_dir or site_dir / "output"
    now = build_time()
    walked = None
    if session is None:
        folder.start_survey()  # on the other core, while this one reads the content folder and the cache
        cache = _cache_for(cache_root or site_dir, out_dir, options)
        snapshot = None if options.clean else cache.read_snapshot()
        if not options.clean:
            walked = walk(site_dir / "content")
        if isinstance(snapshot, Snapshot) and out_dir.is_dir() and \
                snapshot.still_holds(site_dir, folder, options, now, walked):
            report = WriteReport((), len(snapshot.files) - 1, ())  # the marker file is not the site's
            return BuildResult(None, report, time.perf_counter() - started, out_dir, summary=snapshot.summary,
                               stats=BuildStats(cache_path=cache.path, patched=True))
        state = _state_of(cache, site_dir, options)
    else:
        cache, state = session.cache, session.state

    templates = template_signatures(site_dir)
    plan = None
    if state.plan is not None and _same_signatures(templates, state.templates):
        plan = patch_plan(site_dir, options, state.plan, now, touched, walked)
    if plan is None:
        plan = plan_site(site_dir, options, now=now, known_sources=state.sources, memo=state.model_memo,
                         walked=walked)
    changed = plan.changed
    renderer = Renderer(plan.site, site_dir, plan.routes, plan.copies, preview=options.preview,
                        body_index=state.body_index, body_store=cache.bodies,
                        read_source=lambda src_path, line: read_body(site_dir, src_path, line), texts=plan.texts,
                        known_card_tokens=state.card_tokens,
                        template_references=state.template_references, template_cache=cache.folder / "templates",
                        known_link_world=state.link_world)
    pool = _Pool(options.jobs or os.cpu_count() or 1, progress)
    bodies = renderer.render_bodies(pool.map_for(renderer), changed)
    media_problems = _check_render_problems(plan, renderer, options, changed, state.media_problems)

    folder.create()
    if changed is None:
        fingerprints: dict[str, str] = {}
        dependents: dict[str, tuple[list[str], list[str]]] = {}
        for route in plan.routes:
            fingerprints[route.out_path], cards, direct = renderer.fingerprint_and_sources(route)
            for src_path in cards:
                dependents.setdefault(src_path, ([], []))[0].append(route.out_path)
            for src_path in direct:
                dependents.setdefault(src_path, ([], []))[1].append(route.out_path)
        candidates = plan.routes
    else:
        # The structure is the previous build's: only the pages that read a changed source can
        # differ, and of those that show its article card only when the card changed.
        fingerprints, dependents = dict(state.fingerprints), state.dependents
        renderer.reuse_cards(state.card_by_source, changed, session.cards if session else None)
        affected: set[str] = set()
        for src_path in changed:
            card_readers, direct_readers = dependents.get(src_path, ((), ()))
            affected.update(direct_readers)
            if renderer.card_token_of(src_path) != state.card_by_source.get(src_path):
                affected.update(card_readers)
        refingerprinted = [route for route in plan.routes if route.out_path in affected]
        for route in refingerprinted:
            fingerprints[route.out_path] = renderer.fingerprint(route)
        candidates = refingerprinted
    if session is None:
        # Anyone may have touched the output folder since the last build: look at every file
        # (one walk, which also finds what to remove).
        file_state, candidates = folder.survey().get, plan.routes
    else:
        file_state = folder.file_state
    todo = [route for route in candidates
            if state.fingerprints.get(route.out_path) != fingerprints[route.out_path]
            or file_state(route.out_path) != state.manifest.get(route.out_path)]
    try:
        staged, problems = pool.render_pages(renderer, folder, todo)
        if problems:
            raise SiteErrors(plan.warnings + problems)
    except BaseException:
        folder.rollback()
        raise
    if session is not None:  # the cards of this build, for the next one (views are the same while the structure is)
        session.cards = {**session.cards, **renderer.cards_by_source()} if changed is not None \
            else renderer.cards_by_source()
    for src_path in renderer.changed_while_building():
        # Read again by the next build, whatever its stat says: its body is stored under the
        # hash of the text converted, its record is the one planned (issue 10).
        entry = plan.sources[src_path]
        plan.sources[src_path] = ("", entry[1], entry[2], None)
    kept = {route.out_path for route in plan.routes} - {route.out_path for route in todo}
    copies = [(c.out_path, static_origin(c.origin, site_dir) / c.src_path) for c in plan.copies]
    report = folder.finish(staged, copies, kept, previous=state.produced if session else None)

    nothing_changed = (not bodies and not todo and not report.written and not report.removed
                       and _same_digests(plan.sources, state.sources))
    if not nothing_changed or session:  # a no-op rebuild does not rewrite a cache of many megabytes
        written = {item.out_path: (item.size, item.mtime_ns) for item in staged}
        if changed is not None:
            changes = {
                "sources": {src: entry for src, entry in plan.sources.items() if state.sources.get(src) is not entry},
                "body_index": {src: renderer.body_info[src] for src in renderer.fresh_paths},
                "fingerprints": {route.out_path: fingerprints[route.out_path] for route in refingerprinted},
                "card_tokens": renderer.card_tokens, "card_by_source": renderer.card_by_source,
                "manifest": written,
                "media_problems": {src: media_problems.get(src, ()) for src in changed},
                "plan_patch": {src: plan.sources[src][1] for src in changed},
            }
        state.sources = plan.sources
        cache.bodies.put(renderer.fresh_bodies, forget=set(state.body_index) - set(renderer.body_info))
        state.body_index = dict(renderer.body_info)
        state.fingerprints = fingerprints
        state.dependents = dependents
        state.media_problems = media_problems
        state.card_tokens = renderer.card_tokens if changed is None else {**state.card_tokens,
                                                                          **renderer.card_tokens}
        state.card_by_source = renderer.card_by_source if changed is None else {**state.card_by_source,
                                                                                **renderer.card_by_source}
        state.link_world = renderer.link_world
        state.produced = folder.produced
        state.manifest = {out_path: state.manifest[out_path] for out_path in kept}
        state.manifest.update(written)
        state.plan = replace(plan, texts={}, changed=None)
        state.plan_patch = {}
        state.templates = templates
        if session is None and changed is not None:
            cache.save_delta(state, changes)
        elif session is None:
            cache.save(state)
    result = BuildResult(plan, report, time.perf_counter() - started, out_dir,
                         stats=BuildStats(bodies, len(todo), cache.note, cache.path, changed is not None))
    content = plan.content_signatures() if session is None else {}
    if session is None and None not in content.values():  # a file just changed: no use before it settles
        cache.write_snapshot(Snapshot(state.config_digest, content, templates, folder.files_now(state.manifest),
                                      result.summary))
    if session is None:
        cache.bodies.close()  # folds the store's journal into it: the folder holds one file per store
    return result


def check(site_dir: Path, options: BuildOptions = BuildOptions()) -> BuildResult:
    """Do everything a build does except writing; raise SiteErrors for any problem."""
    started = time.perf_counter()
    out_dir = options.out_dir or site_dir / "output"
    cache, state = _open_cache(site_dir, out_dir, options)
    plan = plan_site(site_dir, options, known_sources=state.sources)
    outputs = render_site(plan, site_dir, options, state, cache)
    return BuildResult(plan, None, time.perf_counter() - started, None, outputs)


def render_site(plan: Plan, site_dir: Path, options: BuildOptions, state: CacheState | None = None,
                cache: Cache | None = None) -> list[Output]:
    """Render every page of the plan in memory. Raises SiteErrors for any problem."""
    renderer = Renderer(plan.site, site_dir, plan.routes, plan.copies, preview=options.preview,
                        body_index=state.body_index if state else None, body_store=cache.bodies if cache else None,
                        read_source=lambda src_path, line: read_body(site_dir, src_path, line), texts=plan.texts)
    renderer.render_bodies()
    _check_render_problems(plan, renderer, options)
    outputs, problems = renderer.render_routes(plan.routes)
    if problems:
        raise SiteErrors(plan.warnings + problems)
    return outputs


def _check_render_problems(plan: Plan, renderer: Renderer, options: BuildOptions,
                           changed: frozenset[str] | None = None, known_media: dict | None = None) -> dict:
    """Add the links and images that point to nothing to the plan's warnings (errors under
    --strict); return the image problems by source, for the next build."""
    media = renderer.check_media(changed, known_media)
    found = _strict(renderer.problems, options)
    raise_if_errors(plan.warnings + found)
    plan.warnings[:] = sorted(plan.warnings + found, key=Problem.sort_key)
    return media


def _cache_for(site_dir: Path, out_dir: Path, options: BuildOptions) -> Cache:
    engine = engine_digest()
    key = cache_key(engine, options.drafts, options.future, options.preview, options.base_url, str(out_dir.resolve()))
    return Cache(site_dir, key, engine)


def _open_cache(site_dir: Path, out_dir: Path, options: BuildOptions) -> tuple[Cache, CacheState]:
    """Return the cache for these options and its state (`_state_of`)."""
    cache = _cache_for(site_dir, out_dir, options)
    return cache, _state_of(cache, site_dir, options)


def _state_of(cache: Cache, site_dir: Path, options: BuildOptions) -> CacheState:
    """Return the cache's state: empty under --clean, after a config change, or when it
    cannot be trusted; its plan with the edits since its last full save applied."""
    config_digest = _config_digest(site_dir)
    state = CacheState(cache.key) if options.clean else cache.load()
    if state.config_digest != config_digest:
        state = CacheState(cache.key, config_digest)
    if state.plan is not None:
        site = patch_site(state.plan.site, state.plan_patch) if state.plan_patch else state.plan.site
        state.plan = replace(state.plan, site=site, sources=state.sources) if site is not None else None
        state.plan_patch = {}
    return state


def _config_digest(site_dir: Path) -> str:
    config_path = site_dir / CONFIG_FILE
    return hashlib.blake2b(config_path.read_bytes() if config_path.exists() else b"", digest_size=12).hexdigest()


def _same_signatures(new: dict[str, Any], old: dict[str, Any]) -> bool:
    """True when both hold the same files with the same trustworthy stat signatures."""
    return new == old and None not in new.values()


def _same_digests(new: dict[str, Any], old: dict[str, Any]) -> bool:
    return new.keys() == old.keys() and all(new[path][0] == old[path][0] for path in new)


def _strict(problems: list[Problem], options: BuildOptions) -> list[Problem]:
    """Under --strict, every warning is an error."""
    if not options.strict:
        return problems
    return [Problem(p.loc, ERROR, p.message, p.hint) for p in problems]


# Worker processes --------------------------------------------------------
#
# A cold build spreads Markdown and template rendering over processes forked from the
# build (they inherit the site, the renderer and the output folder; nothing is pickled
# but the work list and the results). Each page's bytes depend on the page alone, so the
# output is the same whatever the number of workers.

_WORKER: tuple[Renderer, OutputFolder | None] | None = None


def _ignore_interrupts(build_pid: int) -> None:
    """Workers leave Ctrl-C to the build, which stops them: no traceback per worker. A worker
    whose build is killed (`kill -9`) dies with it: an orphan would finish its chunk of pages
    into the staging folder, keep the build lock held, and print a broken-pipe traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the pool stops its workers with SIGTERM
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    if sys.platform.startswith("linux"):
        import ctypes  # here: only forked workers need it

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != build_pid:  # killed before the line above took effect
        os._exit(1)


def _render_body(src_path: str):
    return _WORKER[0].convert(src_path)


def _render_page_chunk(routes: list[Route]) -> tuple[list[Staged], list[Problem]]:
    renderer, folder = _WORKER
    return renderer.render_routes(routes, lambda output: folder.stage_bytes(output.out_path, output.data))


class _Pool:
    """Runs rendering work in this process or, when it is worth it, in forked workers."""

    def __init__(self, jobs: int, progress: Progress | None = None):
        self.jobs = jobs
        self.progress = progress

    def _can_fork(self, count: int) -> bool:
        if self.jobs <= 1 or count < PARALLEL_MIN:
            return False
        import multiprocessing  # here: a rebuild that converts a handful does not load it
        return "fork" in multiprocessing.get_all_start_methods()

    def _run(self, renderer: Renderer, folder: OutputFolder | None, function: Callable, items: list,
             what: str, sizes: list[int] | None = None) -> Iterator:
        """Map `function` over `items` in forked workers, in order, reporting progress; yield
        each result as it arrives (the caller need not hold them all)."""
        global _WORKER
        _WORKER = (renderer, folder)
        try:
            import multiprocessing
            context = multiprocessing.get_context("fork")
            chunk = max(1, len(items) // (self.jobs * 8))
            # Ctrl-C (and SIGTERM) are held back while the workers are forked (Ctrl-C goes to the
            # whole process group): a worker interrupted half-way through starting can hang the build.
            mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
            try:
                pool = context.Pool(self.jobs, initializer=_ignore_interrupts, initargs=(os.getpid(),))
            finally:
                signal.pthread_sigmask(signal.SIG_SETMASK, mask)
            with pool:
                yield from self._reported(pool.imap(function, items, chunksize=chunk), what, len(items), sizes)
        finally:
            _WORKER = None

    def _here(self, function: Callable, items: list, what: str, sizes: list[int] | None = None) -> Iterator:
        """Map `function` over `items` in this process, reporting progress after each item:
        a build that its progress callback stops (the preview's Ctrl-C) stops between two."""
        return self._reported(map(function, items), what, len(items), sizes)

    def _reported(self, results: Iterator, what: str, count: int, sizes: list[int] | None) -> Iterator:
        """Yield `results` (of `count` items, weighing `sizes` if given), reporting progress after each."""
        done = 0
        total = sum(sizes) if sizes else count
        for index, result in enumerate(results):
            done += sizes[index] if sizes else 1
            if self.progress:
                self.progress(what, done, total)
            yield result

    def map_for(self, renderer: Renderer) -> Callable:
        """Return a `map` for `Renderer.render_bodies`: parallel when there is enough to do."""
        def map_bodies(function: Callable, items) -> list:
            items = list(items)
            if not self._can_fork(len(items)):  # a rebuild converts a handful: no workers
                return self._here(function, items, "Markdown")
            return self._run(renderer, None, _render_body, items, "Markdown")
        return map_bodies

    def render_pages(self, renderer: Renderer, folder: OutputFolder, routes: list[Route],
                     ) -> tuple[list[Staged], list[Problem]]:
        """Render `routes` and stage their bytes; return the staged pages and template problems."""
        if self._can_fork(len(routes)):
            size = max(1, len(routes) // (self.jobs * 8))
            chunks = [routes[i:i + size] for i in range(0, len(routes), size)]
            results = self._run(renderer, folder, _render_page_chunk, chunks, "pages", [len(c) for c in chunks])
        else:
            chunks = [routes[i:i + PAGES_PER_STEP] for i in range(0, len(routes), PAGES_PER_STEP)]
            results = self._here(lambda chunk: renderer.render_routes(
                chunk, lambda output: folder.stage_bytes(output.out_path, output.data)),
                chunks, "pages", [len(c) for c in chunks])
        staged: list[Staged] = []
        problems: list[Problem] = []
        seen: set[str] = set()
        for chunk_staged, chunk_problems in results:
            staged += chunk_staged
            for problem in chunk_problems:
                if problem.format() not in seen:
                    seen.add(problem.format())
                    problems.append(problem)
        return staged, problems


