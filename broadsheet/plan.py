"""Planning a build: config → load → model → routes, before anything renders.

Owns `BuildOptions`, the `Plan` (the checked site and every output it will have), the
`Summary` the command line reports, `plan_site` (everything afresh) and `patch_plan` (the
previous plan with the edited sources applied, while the site's structure holds). Reads
source files; writes nothing. Raises SiteErrors with every problem found.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from stat import S_ISREG
from typing import Callable, Iterable, Mapping

from .config import SiteConfig, load_config
from .errors import ERROR, Problem, SiteErrors, raise_if_errors
from .load import (SourceEntry, Walk, is_markdown, load_records, load_source, section_of, stat_signature,
                   unproven_sources, walk)
from .model import PUBLISHED, Indexes, Site, build_site_graph, patch_site, structure_of
from .routes import Copy, Route, plan_routes
from .source import SourceError
from .templates import list_static


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
    sources: dict[str, SourceEntry] = field(default_factory=dict)
    """Every Markdown source loaded, by src_path, for the cache."""
    texts: dict[str, str] = field(default_factory=dict)
    """The Markdown bodies read by this build (others are read again when needed)."""
    fixed_problems: tuple[Problem, ...] = ()
    """The problems of the site's structure (configuration, folders, relations, URLs)."""
    changed: frozenset[str] | None = None
    """When the plan was derived from the previous build's (its structure unchanged): the
    sources whose bytes changed since. None when everything was planned afresh."""
    assets: dict[str, tuple | None] = field(default_factory=dict)
    """Stat signature of each file under content/ that is not Markdown."""
    source_problems: tuple[Problem, ...] | None = None
    """The problems of the sources (`sources`' entries), when `patch_plan` has them."""
    indexes: Indexes = field(default_factory=Indexes, compare=False, repr=False)
    """`out_paths` and `route_positions`, made on first use; `patch_plan` hands them on
    with the routes and copies."""

    def out_paths(self) -> frozenset[str]:
        """Every file the site will hold: its routes' and its copies'."""
        return self.indexes.made("out paths", lambda: frozenset(
            [r.out_path for r in self.routes] + [c.out_path for c in self.copies]))

    def route_positions(self) -> Mapping[str, int]:
        """A route's out_path → its index in `routes`."""
        return self.indexes.made("route positions", lambda: {r.out_path: i for i, r in enumerate(self.routes)})

    def content_signatures(self) -> dict[str, tuple | None]:
        """Return the stat signature of every file under content/, by its path there."""
        signatures = {src_path.removeprefix("content/"): entry.signature for src_path, entry in self.sources.items()}
        signatures.update(self.assets)
        return signatures


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
            return article.date
    return None


def build_time() -> datetime:
    """Return now, or SOURCE_DATE_EPOCH when set (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return datetime.fromtimestamp(int(epoch), timezone.utc)
    return datetime.now(timezone.utc)


def plan_site(site_dir: Path, options: BuildOptions, now: datetime | None = None,
              known_sources: dict[str, SourceEntry] | None = None, memo: dict | None = None,
              walked: Walk | None = None, map_sources: Callable[[Callable, list], Iterable] = map) -> Plan:
    """Load, check and relate every source, and plan every output file (`walked`: the
    content folder's walk, when the caller has made it; `map_sources`: `load_records`').

    Raises SiteErrors with every problem found (exit 2 for configuration problems).
    """
    try:
        config, problems = load_config(site_dir, options.base_url)
    except SourceError as exc:
        raise SiteErrors([exc.problem], exit_code=2) from None
    raise_if_errors(strict(problems, options), exit_code=2)

    loaded = load_records(site_dir, config, known_sources, walked, map_sources)
    site, model_problems = build_site_graph(loaded.records, config, now=now or build_time(),
                                            drafts=options.drafts or options.preview,
                                            future=options.future or options.preview, memo=memo)
    theme_static, layout_static, static_problems = list_static(site_dir)
    routes, copies, route_problems = plan_routes(site, theme_static, layout_static)
    route_problems += static_problems
    fixed = problems + loaded.site_problems + model_problems + route_problems
    problems = strict(problems + loaded.problems + model_problems + route_problems, options)
    raise_if_errors(problems)
    return Plan(config, site, routes, copies, sorted(problems, key=Problem.sort_key), loaded.sources,
                loaded.texts, tuple(fixed), assets=loaded.assets,
                source_problems=tuple(p for entry in loaded.sources.values() for p in entry.problems))


def patch_plan(site_dir: Path, options: BuildOptions, previous: Plan, now: datetime,
               touched: frozenset[str] | None = None, walked: Walk | None = None,
               unproven: list[tuple[str, os.stat_result]] | None = None) -> Plan | None:
    """Return the plan of the site as it is now, derived from the previous build's plan, when
    no change since touched the site's structure (`model.structure_of`): no file added,
    removed or renamed, no article moved, retagged or reattributed, no scheduled article
    fallen due, no published one made scheduled again by a clock set back. Return None
    when the site must be planned afresh (`plan_site`).

    `touched` (from the live preview's watcher) lists every site-relative path changed since
    the previous build: when they are all existing Markdown files, only those are looked at.
    `walked`: the content folder's walk, when the caller has made it; `unproven`, its files
    whose stat signatures are not those of the build that made `previous` (only those are
    looked at), when the caller knows.

    This is what makes an edit cost the pages it touches rather than the whole site; the
    property test in tests/test_incremental.py checks the result against clean builds.
    """
    if Summary.of(previous).is_due_again(now):  # an article fell due, or the clock moved back past one
        return None
    content = site_dir / "content"
    now_ns = time.time_ns()
    markdown = _touched_sources(content, previous, touched) if touched is not None else None
    if markdown is None:
        files, walk_problems = walked or walk(content)
        markdown = [(rel, stat) for rel, stat in files if is_markdown(rel)]
        if walk_problems or len(markdown) != len(previous.sources) or \
                len(files) - len(markdown) != len(previous.assets):
            return None
        assets = {rel: stat_signature(stat, now_ns) for rel, stat in files if not is_markdown(rel)}
        if any(rel not in previous.assets for rel in assets):
            return None
        if unproven is None:
            signatures = {src_path: entry.signature for src_path, entry in previous.sources.items()}
            markdown = unproven_sources(markdown, signatures, now_ns, "content/")  # the others: as last read
        elif all("content/" + rel in previous.sources for rel, _ in markdown):
            markdown = [(rel, stat) for rel, stat in unproven if is_markdown(rel)]
        else:
            markdown = None
        if markdown is None:  # a file the last build did not have
            return None
    else:
        assets = previous.assets
    sources = dict(previous.sources)
    texts: dict[str, str] = {}
    changed: dict[str, object] = {}
    same_problems = previous.source_problems is not None
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
        same_problems = same_problems and entry.problems == old.problems
        if entry.digest == old.digest:
            continue
        record = entry.record
        if record is None or old.record is None or entry.has_errors() \
                or structure_of(record) != structure_of(old.record):
            return None
        if record.key_lines != old.record.key_lines and \
                any(p.loc and p.loc.src_path == src_path for p in previous.fixed_problems):
            return None  # a problem of the structure found in its front matter: on which line now?
        changed[src_path] = record
        texts[src_path] = text or ""
    site = patch_site(previous.site, changed)
    if site is None:
        return None
    # (not a look at every source's entry when no problem of the edited ones changed)
    source_problems = previous.source_problems if same_problems else \
        tuple(p for entry in sources.values() for p in entry.problems)
    problems = strict(list(previous.fixed_problems + source_problems), options)
    raise_if_errors(problems)
    return Plan(previous.config, site, previous.routes, previous.copies, sorted(problems, key=Problem.sort_key),
                sources, texts, previous.fixed_problems, frozenset(changed), assets, source_problems,
                indexes=previous.indexes)


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


def strict(problems: list[Problem], options: BuildOptions) -> list[Problem]:
    """Under --strict, every warning is an error."""
    if not options.strict:
        return problems
    return [Problem(p.loc, ERROR, p.message, p.hint) for p in problems]
