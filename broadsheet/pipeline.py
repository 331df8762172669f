"""The build, stage by stage: plan → convert bodies → check links → render → output.

`build` is the one function that names the stages in order; reading it is reading the
architecture. Nothing reaches the site's files until every page has rendered (pages are
staged, then committed), so a failed build leaves the previous output exactly as it was.
What the last build learned (`incremental.py`) lets a rebuild redo only what its changes
require; the proof that the result equals a clean build is tests/test_incremental.py.

Where each stage lives: planning in `plan`, Markdown bodies, links and pages in `render`,
the worker processes in `workers`, the output folder in `output`, the cache in `cache`.
"""

from __future__ import annotations

import errno
import hashlib
import os
import time
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Callable

from .cache import CACHE_DIR, Cache, CacheState
from .errors import Problem, SiteErrors, raise_if_errors
from .incremental import (Built, InMemory, LastBuild, OnDisk, PagesToRender, Snapshot, cache_for, decide_pages,
                          forget_sources_changed_while_building, have_same_templates, state_of, template_signatures)
from .keystore import KeyStoreUnreadable
from .load import Walk, read_body
from .output import REFUSED_WRITES, BuildLock, OutputFolder, Staged, WriteReport
from .plan import BuildOptions, Plan, Summary, build_time, patch_plan, plan_site, strict
from .render import Output, Renderer
from .routes import Route
from .templates import static_origin
from .workers import Progress, WorkerPool

__all__ = ["BuildOptions", "BuildResult", "BuildStats", "Plan", "Progress", "Session", "Summary", "build",
           "check", "plan_site", "render_site"]


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


class Session:
    """Builds of one site, one after another, in one process (the live preview): what the
    last build learned stays in memory between builds (`incremental.InMemory`) and is
    written to disk only by `save`."""

    def __init__(self, site_dir: Path, options: BuildOptions):
        self.site_dir = site_dir
        self.options = options
        self.memory = InMemory(cache_for(site_dir, options.out_dir or site_dir / "output", options),
                               site_dir, options)

    @property
    def state(self) -> CacheState:
        """The state of the last completed build (during a build: the one it works on)."""
        return self.memory.state

    def build(self, *, parallel: bool = False, touched: frozenset[str] | None = None,
              progress: Progress | None = None) -> BuildResult:
        """Build incrementally from the state the last build left in memory; `parallel`
        uses every core whatever the session's options say. `touched`: every site-relative
        path changed since the last build, when the caller knows (a watcher); the caller
        later builds once without it, to catch what a watcher could miss. `progress` is
        called between bodies and between pages: an exception it raises stops the build,
        which then leaves the output folder and the session as they were."""
        options = replace(self.options, jobs=None) if parallel else self.options
        self.memory.begin(self.site_dir)
        try:
            result = build(self.site_dir, options, session=self, touched=touched, progress=progress)
        except BaseException:
            self.memory.abandon()
            raise
        self.memory.commit()
        return result

    def save(self) -> None:
        """Write the state of the last completed build, if it is not on disk yet."""
        self.memory.save()


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
    lock = BuildLock(lock_path(site_dir, folder), waiting)
    try:
        lock.acquire()
    except OSError as exc:
        if exc.errno not in REFUSED_WRITES | {errno.ENOTDIR, errno.EEXIST}:  # EEXIST: .cache is a file
            raise
        if session is not None:  # the preview's cache is in memory: build it unlocked
            return _build(site_dir, options, folder, session.memory, progress, touched)
        import tempfile  # here: a build that can save its cache does not load it

        with tempfile.TemporaryDirectory(prefix="broadsheet-cache-") as scratch:
            last = OnDisk(cache_for(Path(scratch), out_dir, options))
            result = _build_trusting_keys(site_dir, options, folder, last, progress, touched)
            note = (f"the cache folder {site_dir / CACHE_DIR} cannot be written ({os.strerror(exc.errno)}): "
                    "built without the build cache, nothing saved, and not guarded against a second build "
                    "at the same time")
            return replace(result, stats=replace(result.stats, cache_note=note))
    try:
        if out_dir.is_dir():
            folder.remove_leftovers()
        if session is not None:
            return _build(site_dir, options, folder, session.memory, progress, touched)
        folder.stamp_when_written = lock.written_stamp  # (a watch of this folder then looks at all of it)
        return _build_trusting_keys(site_dir, options, folder, OnDisk(cache_for(site_dir, out_dir, options)),
                                    progress, touched)
    finally:
        lock.release()


def lock_path(site_dir: Path, folder: OutputFolder) -> Path:
    """Return the `BuildLock` file of an output folder (in the site's cache folder)."""
    name = hashlib.blake2b(str(folder.root).encode(), digest_size=8).hexdigest()
    return site_dir / CACHE_DIR / f"build-{name}.lock"


def _build_trusting_keys(site_dir: Path, options: BuildOptions, folder: OutputFolder, last: OnDisk,
                         progress: Progress | None, touched: frozenset[str] | None) -> BuildResult:
    """`_build`; when the cache's key store fails half-way through it (damaged where the
    load did not read), set the store aside and build again from nothing, with a note."""
    try:
        return _build(site_dir, options, folder, last, progress, touched)
    except KeyStoreUnreadable as exc:
        last.cache.set_keys_aside(exc)
    stamp = folder.stamp_when_written  # (None once the first try wrote it)
    folder = OutputFolder.claim(folder.root, site_dir, create=False)  # surveyed afresh: the first try may have written
    folder.stamp_when_written = stamp
    return _build(site_dir, replace(options, clean=True), folder, OnDisk(last.cache), progress, touched)


def _build(site_dir: Path, options: BuildOptions, folder: OutputFolder, last: LastBuild,
           progress: Progress | None, touched: frozenset[str] | None) -> BuildResult:
    """`build`, once it holds the output folder; `last` is what the last build knows."""
    started = time.perf_counter()
    now = build_time()
    out_dir = options.out_dir or site_dir / "output"
    snapshot = last.nothing_changed(site_dir, folder, options, now)
    if snapshot is not None:
        return _nothing_to_do(snapshot, out_dir, last.cache, started)
    state = last.recall(site_dir, options)
    templates = template_signatures(site_dir)
    pool = WorkerPool(options.jobs or os.cpu_count() or 1, progress)
    plan = _plan(site_dir, options, state, templates, now, touched, last.walked, last.unproven, pool)
    renderer = _renderer_for(site_dir, options, plan, state, last.cache)
    # Workers render the pages of a cold build, and the command line keeps no cards for the
    # next build: the cards made to fingerprint the pages need not be kept.
    workers_make_cards = not isinstance(last, InMemory) and pool.can_fork(len(plan.routes))
    renderer.tokens.keep_cards = not workers_make_cards
    bodies = renderer.render_bodies(pool.map_for(renderer), plan.changed)
    plan.texts.clear()  # converted: a cold build need not hold 50,000 bodies' Markdown while it renders
    media_problems = _check_render_problems(plan, renderer, options, plan.changed, state.media_problems)
    folder.create()
    folder.write_in_place_if_empty()
    try:
        if workers_make_cards and plan.changed is None:  # planned afresh: every page fingerprinted
            pool.fork_ahead(renderer, folder, len(plan.routes))
        pages, staged = _decide_and_render(plan, renderer, last, pool, folder)
    finally:
        pool.close()
    forget_sources_changed_while_building(plan, renderer)
    kept = len(plan.routes) - len(pages.todo)
    report = folder.finish(staged, _copies(site_dir, plan), (route.out_path for route in plan.routes), kept,
                           previous=last.produced_before(), same_files=plan.changed is not None)
    result = BuildResult(plan, report, time.perf_counter() - started, out_dir,
                         stats=BuildStats(bodies, len(pages.todo), last.cache.note, last.cache.path,
                                          plan.changed is not None))
    built = Built(plan, renderer, pages, media_problems, templates, folder, staged, kept, report, result.summary,
                  wrote_anything=bool(bodies or pages.todo or report.written or report.removed))
    del renderer, pages, staged  # `built` alone holds them: `remember` may let go of them
    last.remember(built)
    return result


def _plan(site_dir: Path, options: BuildOptions, state: CacheState, templates: dict, now: datetime,
          touched: frozenset[str] | None, walked: Walk | None, unproven: list | None, pool: WorkerPool) -> Plan:
    """Return the last build's plan with the edits since applied, when the site's structure
    and its templates are unchanged; otherwise plan the site afresh (still without parsing
    what did not change; what must be parsed, in the pool's workers when there is much)."""
    if state.plan is not None and have_same_templates(templates, state):
        plan = patch_plan(site_dir, options, state.plan, now, touched, walked, unproven)
        if plan is not None:
            return plan
    return plan_site(site_dir, options, now=now, known_sources=state.sources, memo=state.model_memo, walked=walked,
                     map_sources=pool.map_sources)


def _nothing_to_do(snapshot: Snapshot, out_dir: Path, cache: Cache, started: float) -> BuildResult:
    """Return the result of a build that its snapshot proved has nothing to do."""
    report = WriteReport((), snapshot.file_count - 1, ())  # the marker file is not the site's
    return BuildResult(None, report, time.perf_counter() - started, out_dir, summary=snapshot.summary,
                       stats=BuildStats(cache_path=cache.path, patched=True))


def _renderer_for(site_dir: Path, options: BuildOptions, plan: Plan, state: CacheState, cache: Cache) -> Renderer:
    return Renderer(plan.site, site_dir, plan.out_paths, preview=options.preview,
                    body_index=state.body_index, body_store=cache.bodies,
                    read_source=lambda src_path, line: read_body(site_dir, src_path, line), texts=plan.texts,
                    known_card_token_by_inputs=state.card_token_by_inputs,
                    template_references=state.template_references,
                    template_cache=cache.folder / "templates" / cache.engine,
                    known_link_world=state.link_world)


def _decide_and_render(plan: Plan, renderer: Renderer, last: LastBuild, pool: WorkerPool,
                       folder: OutputFolder) -> tuple[PagesToRender, list[Staged]]:
    """Decide the pages to render (`decide_pages`) and render them. A build that renders
    every page whatever their fingerprints (planned afresh, and the last build's unknown: a
    cold build) fingerprints them while the workers render (0.45 s at 4,000 articles)."""
    if plan.changed is None and type(last.state.fingerprints) is dict and not last.state.fingerprints:
        decided: list[PagesToRender] = []
        staged = _render_pages(plan, renderer, pool, folder, plan.routes,
                               meanwhile=lambda: decided.append(decide_pages(plan, renderer, last, folder)))
        return decided[0], staged
    pages = decide_pages(plan, renderer, last, folder)
    return pages, _render_pages(plan, renderer, pool, folder, pages.todo)


def _render_pages(plan: Plan, renderer: Renderer, pool: WorkerPool, folder: OutputFolder, todo: list[Route],
                  meanwhile: Callable[[], None] = lambda: None) -> list[Staged]:
    """Render the pages to do into the staging folder (calling `meanwhile` while they
    render); on any error (or interruption), throw every staged page away and raise."""
    try:
        staged, problems = pool.render_pages(renderer, folder, todo, meanwhile)
        if problems:
            raise SiteErrors(plan.warnings + problems)
    except BaseException:
        folder.rollback()
        raise
    return staged


def _copies(site_dir: Path, plan: Plan) -> list[tuple[str, Path]]:
    """Return each static file to copy: (out_path, the file)."""
    return [(c.out_path, static_origin(c.origin, site_dir) / c.src_path) for c in plan.copies]


def check(site_dir: Path, options: BuildOptions = BuildOptions()) -> BuildResult:
    """Do everything a build does except writing; raise SiteErrors for any problem."""
    started = time.perf_counter()
    out_dir = options.out_dir or site_dir / "output"
    cache = cache_for(site_dir, out_dir, options)
    state = state_of(cache, site_dir, options)
    plan = plan_site(site_dir, options, known_sources=state.sources)
    try:
        outputs = render_site(plan, site_dir, options, state, cache)
    except KeyStoreUnreadable as exc:  # damaged where the load did not read: check without it
        cache.set_keys_aside(exc)
        outputs = render_site(plan, site_dir, options)  # (the plan reads no key store)
    return BuildResult(plan, None, time.perf_counter() - started, None, outputs)


def render_site(plan: Plan, site_dir: Path, options: BuildOptions, state: CacheState | None = None,
                cache: Cache | None = None) -> list[Output]:
    """Render every page of the plan in memory. Raises SiteErrors for any problem."""
    renderer = Renderer(plan.site, site_dir, plan.out_paths, preview=options.preview,
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
    found = strict(renderer.problems, options)
    raise_if_errors(plan.warnings + found)
    plan.warnings[:] = sorted(plan.warnings + found, key=Problem.sort_key)
    return media
