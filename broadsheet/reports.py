"""What a build says: its problems, notes and summary, or why it failed, as the command
line prints them (`Terminal`: which streams, shown relative to which folder). The command
line prints a build's report with it, and so does a watch for the command it builds for.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from .errors import BroadsheetError, Problem, SiteErrors
from .output import REFUSED_WRITES, describe_refusal

if TYPE_CHECKING:
    from .pipeline import BuildResult


@dataclass(frozen=True, slots=True)
class Terminal:
    """Where a command's report goes, and the folder its paths are shown relative to (a
    watch reports a build to the command line that asked for it, in that one's folder)."""

    out: TextIO
    err: TextIO
    cwd: str | None = None
    """None: this process's working folder."""

    def rel(self, path: Path | str) -> str:
        return os.path.relpath(path, self.cwd)


def report_build(result: BuildResult, site_dir: Path, verbose: bool, terminal: Terminal, by: str = "") -> int:
    """Print a build's problems, notes and summary; return its exit status (0). `by`: who
    built, when not the command itself (a watch)."""
    print_problems(result.warnings, site_dir, terminal)
    stats = result.stats
    if stats.cache_note:
        print(f"note: {stats.cache_note}", file=terminal.err)
    if verbose:
        how = ("nothing changed since the last build" if result.plan is None else
               "structure unchanged" if stats.patched else "site planned afresh")
        print(f"cache: {terminal.rel(stats.cache_path)}; {how}; {stats.bodies_rendered} Markdown bodies "
              f"converted, {stats.pages_rendered} of {result.page_count} pages rendered", file=terminal.out)
    print(summary_line(result, "built", terminal) + (f" by {by}" if by else ""), file=terminal.out)
    upcoming = result.summary.next_due
    if upcoming:
        print(f"Next scheduled article: {upcoming[0]} is due at {upcoming[1].isoformat()}: rebuild then",
              file=terminal.out)
    return 0


def report_failure(exc: BaseException, command: str, site_dir: Path, terminal: Terminal) -> int | None:
    """Print why a command failed; return its exit status, or None for a bug (whose
    traceback the caller keeps)."""
    def fail(message: str, code: int) -> int:
        print(message, file=terminal.err)
        return code

    if isinstance(exc, SiteErrors):
        print_problems(exc.problems, site_dir, terminal)
        errors = sum(p.is_error for p in exc.problems)
        nothing = "nothing was written" if command in ("build", "import") else "nothing to write"
        return fail(f"{errors} error{'s' if errors != 1 else ''}: {nothing}", exc.exit_code)
    if isinstance(exc, BroadsheetError):
        return fail(f"error: {exc}", exc.exit_code)
    if isinstance(exc, FileNotFoundError):  # a source deleted or renamed while the build read it
        gone = terminal.rel(exc.filename) if exc.filename else "a file"
        return fail(f"error: {gone} went away while the site was being built: build again", 1)
    if isinstance(exc, OSError):
        if exc.errno not in REFUSED_WRITES:  # anything else is a bug: keep its traceback
            return None
        shown = terminal.rel(exc.filename) if exc.filename else "a file"
        return fail(f"error: {describe_refusal(exc, shown)}", 1)
    if isinstance(exc, sqlite3.OperationalError):  # the build cache's body store, on a full or read-only disk
        if getattr(exc, "sqlite_errorcode", None) not in (sqlite3.SQLITE_FULL, sqlite3.SQLITE_READONLY):
            return None
        return fail(f"error: cannot write the build cache in {terminal.rel(site_dir / '.cache')}: {exc}\n"
                    "  hint: free some space and build again (deleting .cache/ is always safe)", 1)
    if isinstance(exc, KeyboardInterrupt):
        return fail("interrupted", 130)
    return None


def print_problems(problems: list[Problem], site_dir: Path, terminal: Terminal | None = None) -> None:
    terminal = terminal or Terminal(sys.stdout, sys.stderr)
    here = Path(terminal.cwd or os.getcwd()).resolve()
    prefix = "" if site_dir.resolve() == here else terminal.rel(site_dir) + "/"
    for problem in problems:
        text = problem.format()
        if prefix and problem.loc and problem.loc.src_path.startswith(("content/", "layouts/", "config.yaml")):
            text = prefix + text
        print(text, file=terminal.err)


def summary_line(result: BuildResult, verb: str, terminal: Terminal | None = None) -> str:
    site = result.summary
    counts = (f"{site.articles} article{'s' if site.articles != 1 else ''}, "
              f"{site.authors} author{'s' if site.authors != 1 else ''}, "
              f"{site.tags} tag{'s' if site.tags != 1 else ''}")
    warnings = len(result.warnings)
    warned = f", {warnings} warning{'s' if warnings != 1 else ''}" if warnings else ""
    if result.report is None:
        return f"{verb.capitalize()} {result.page_count} pages: {counts}{warned} in {result.seconds:.2f} s"
    report = result.report
    shown = terminal.rel(result.out_dir) if terminal else os.path.relpath(result.out_dir)
    return (f"{verb.capitalize()} {result.page_count} pages into {shown}: "
            f"{len(report.written)} written, {report.unchanged} unchanged, {len(report.removed)} removed; "
            f"{counts}{warned} in {result.seconds:.2f} s")
