"""The build, stage by stage: config → load → model → routes → render → output.

`build` is the one function that names the stages in order; reading it is reading the
architecture. Nothing is written until every page has rendered, so a failed build leaves
the previous output exactly as it was.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from .config import SiteConfig, load_config
from .errors import ERROR, Problem, SiteErrors, raise_if_errors
from .load import load_records
from .model import Site, build_site_graph
from .output import OutputFolder, WriteReport
from .render import Output, Renderer
from .routes import Copy, Route, plan_routes
from .source import SourceError
from .templates import list_static, static_origin


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
    """Render for the live preview (badges, reload script)."""


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything a build knows before it renders: the checked site and its routes."""

    config: SiteConfig
    site: Site
    routes: list[Route]
    copies: list[Copy]
    warnings: list[Problem]


@dataclass(frozen=True, slots=True)
class BuildResult:
    plan: Plan
    report: WriteReport | None
    seconds: float
    out_dir: Path | None = None
    outputs: list[Output] = field(default_factory=list)

    @property
    def warnings(self) -> list[Problem]:
        return self.plan.warnings


def build_time() -> datetime:
    """Return now, or SOURCE_DATE_EPOCH when set (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return datetime.fromtimestamp(int(epoch), timezone.utc)
    return datetime.now(timezone.utc)


def plan_site(site_dir: Path, options: BuildOptions, now: datetime | None = None) -> Plan:
    """Load, check and relate every source, and plan every output file.

    Raises SiteErrors with every problem found (exit 2 for configuration problems).
    """
    try:
        config, problems = load_config(site_dir, options.base_url)
    except SourceError as exc:
        raise SiteErrors([exc.problem], exit_code=2) from None
    raise_if_errors(_strict(problems, options), exit_code=2)

    records, load_problems, _parsed = load_records(site_dir, config)
    problems += load_problems
    site, model_problems = build_site_graph(records, config, now=now or build_time(),
                                            drafts=options.drafts or options.preview,
                                            future=options.future or options.preview)
    problems += model_problems
    theme_static, layout_static = list_static(site_dir)
    routes, copies, route_problems = plan_routes(site, theme_static, layout_static)
    problems += route_problems
    problems = _strict(problems, options)
    raise_if_errors(problems)
    return Plan(config, site, routes, copies, sorted(problems, key=Problem.sort_key))


def render_site(plan: Plan, site_dir: Path, options: BuildOptions) -> list[Output]:
    """Render every page of the plan in memory. Raises SiteErrors for template problems."""
    renderer = Renderer(plan.site, site_dir, plan.routes, plan.copies, preview=options.preview)
    renderer.render_bodies()
    renderer.check_media()
    link_problems = _strict(renderer.problems, options)
    raise_if_errors(plan.warnings + link_problems)
    plan.warnings[:] = sorted(plan.warnings + link_problems, key=Problem.sort_key)
    return renderer.render_routes(plan.routes)


def build(site_dir: Path, options: BuildOptions = BuildOptions()) -> BuildResult:
    """Build the site in `site_dir` into its output folder; return what was done."""
    started = time.perf_counter()
    out_dir = options.out_dir or site_dir / "output"
    OutputFolder.claim(out_dir, site_dir, create=False)
    plan = plan_site(site_dir, options)
    outputs = render_site(plan, site_dir, options)
    folder = OutputFolder.claim(out_dir, site_dir)
    copies = [(c.out_path, static_origin(c.origin, site_dir) / c.src_path) for c in plan.copies]
    report = folder.write_all(outputs, copies)
    return BuildResult(plan, report, time.perf_counter() - started, out_dir, outputs)


def check(site_dir: Path, options: BuildOptions = BuildOptions()) -> BuildResult:
    """Do everything a build does except writing; raise SiteErrors for any problem."""
    started = time.perf_counter()
    plan = plan_site(site_dir, options)
    outputs = render_site(plan, site_dir, options)
    return BuildResult(plan, None, time.perf_counter() - started, None, outputs)


def _strict(problems: list[Problem], options: BuildOptions) -> list[Problem]:
    """Under --strict, every warning is an error."""
    if not options.strict:
        return problems
    return [Problem(p.loc, ERROR, p.message, p.hint) for p in problems]
