"""The command line: `build`, `check`, `new`, `import`. The only module that prints or exits.

Exit status: 0 success (warnings allowed), 1 content errors, 2 usage or configuration
errors. Problems print compiler-style on stderr, sorted by file and line; a summary line
closes every build.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import NoReturn

from . import __version__
from .channel import ask

COMMANDS = ("build", "check", "import", "new", "next", "serve", "watch")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="broadsheet",
        description="Build a news site from Markdown articles with YAML front matter.",
        epilog="Without a command, 'build' runs. 'broadsheet COMMAND --help' tells more.",
    )
    parser.add_argument("--version", action="version", version=f"broadsheet {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def site_option(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--site", type=Path, default=Path("."), metavar="DIR",
                         help="the site folder (default: the current folder)")

    def content_options(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--drafts", action="store_true", help="include articles and pages marked draft: true")
        sub.add_argument("--future", action="store_true", help="include articles dated in the future")
        sub.add_argument("--base-url", metavar="URL", help="override base_url of config.yaml for this build")
        sub.add_argument("--strict", action="store_true", help="treat warnings as errors")

    sub = commands.add_parser("build", help="render the site into the output folder (the default)",
                              description="Render the site into the output folder. Nothing is written unless "
                                          "every page renders; files whose bytes did not change are not rewritten.")
    site_option(sub)
    sub.add_argument("--output", type=Path, metavar="DIR", help="the output folder (default: <site>/output)")
    content_options(sub)
    sub.add_argument("--jobs", type=int, metavar="N", help="worker processes for rendering (default: one per core)")
    sub.add_argument("--clean", action="store_true",
                     help="ignore the build cache and render every page (unchanged files are still not rewritten)")
    sub.add_argument("--verbose", action="store_true", help="say where the build cache is and what was redone")

    sub = commands.add_parser("check", help="report every problem without writing anything",
                              description="Load, check and render the whole site in memory, print every "
                                          "error and warning, and write nothing.")
    site_option(sub)
    content_options(sub)

    sub = commands.add_parser("new", help="start a new article",
                              description="Write content/articles/<slug>.md with its front matter filled in "
                                          "(a draft dated now). Never overwrites a file.")
    sub.add_argument("title", help="the headline")
    site_option(sub)
    sub.add_argument("--author", metavar="ID", help="author id (the file name in content/authors/)")
    sub.add_argument("--tags", metavar="A,B", help="comma-separated tags")

    sub = commands.add_parser("serve", help="live preview: build, serve, rebuild on save, reload the browser",
                              description="Build the site (drafts and scheduled articles included, badged) into a "
                                          "private preview folder, serve it, and rebuild and reload open tabs "
                                          "on every save. Errors show in the terminal and in the browser.")
    site_option(sub)
    sub.add_argument("--host", default="127.0.0.1", help="address to serve on (default: 127.0.0.1)")
    sub.add_argument("--port", type=int, default=8000, help="port (default: 8000; the next free one if taken)")
    sub.add_argument("--poll", action="store_true",
                     help="poll for changes instead of using the OS's file events (network drives, containers)")

    sub = commands.add_parser("watch", help="build, then build each save; answer `build` at once meanwhile",
                              description="Build the site into the output folder, then stay: each save is built "
                                          "when the burst of saves is over, and a 'build' of the same site, output "
                                          "folder and options, run meanwhile, is built by this watch from what it "
                                          "holds in memory (only the changed files are read). Ctrl-C to stop.")
    site_option(sub)
    sub.add_argument("--output", type=Path, metavar="DIR", help="the output folder (default: <site>/output)")
    content_options(sub)
    sub.add_argument("--poll", action="store_true",
                     help="poll for changes instead of using the OS's file events (network drives, containers)")
    sub.add_argument("--verify-after", type=float, metavar="SECONDS",
                     help="look at every source and output file once after this long without a build "
                          "(default: 30)")

    sub = commands.add_parser("next", help="print when the next scheduled article is due (ISO 8601)",
                              description="Print the time (ISO 8601) at which the next future-dated article "
                                          "becomes due, so that a cron job or CI schedule can rebuild then. "
                                          "Prints nothing when none is scheduled.")
    site_option(sub)

    sub = commands.add_parser("import", help="import another system's export into the site",
                              description="Turn another system's export into articles, pages, author profiles "
                                          "and images of the site, and write IMPORT-REPORT.md listing what needs "
                                          "a person's eye. Never overwrites a file unless --force.")
    sources = sub.add_subparsers(dest="source", metavar="SOURCE", required=True)
    wordpress = sources.add_parser("wordpress", help="a WordPress export (WXR: Tools → Export → All content)",
                                   description="Import a WordPress export (WXR): posts become articles, pages "
                                               "pages, users author profiles; old addresses become aliases.")
    wordpress.add_argument("export", type=Path, metavar="EXPORT.xml", help="the export file")
    wordpress.add_argument("--uploads", type=Path, metavar="DIR",
                           help="a copy of wp-content/uploads: the media the posts use are copied into content/images/")
    wordpress.add_argument("--force", action="store_true", help="overwrite files of the site the import writes")
    site_option(wordpress)
    for name, system, where in (("jekyll", "Jekyll", "_posts/, _drafts/, pages, _config.yml's permalink"),
                                ("hugo", "Hugo", "content/, page bundles, the configuration's permalinks")):
        static = sources.add_parser(name, help=f"a {system} site's source folder",
                                    description=f"Import a {system} site from its source folder ({where}): posts "
                                                "become articles, other pages pages; old addresses become aliases.")
        static.add_argument("folder", type=Path, metavar="DIR", help=f"the {system} site's root folder")
        static.add_argument("--force", action="store_true", help="overwrite files of the site the import writes")
        site_option(static)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    try:
        return _main(argv)
    except BrokenPipeError:
        # The reader went away (`broadsheet build | head`): stop quietly, as Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


def _main(argv: list[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help", "--version")):
        argv.insert(0, "build")
    parser = make_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    site_dir = args.site
    if not site_dir.is_dir():
        return _fail(f"error: the site folder {site_dir} does not exist", 2)
    if args.command == "build" and (args.jobs is None or args.jobs >= 1):
        # A watch of this site and these options builds it at once, from what it holds in
        # memory (the engine is not even imported here).
        answer = ask(site_dir, args.output, drafts=args.drafts, future=args.future, base_url=args.base_url,
                     strict=args.strict, clean=args.clean, verbose=args.verbose)
        if answer is not None:
            code, out, err = answer
            sys.stderr.write(err)
            sys.stdout.write(out)
            return code
    from .reports import Terminal, report_failure

    try:
        return _run(args, site_dir)
    except BaseException as exc:
        code = report_failure(exc, args.command, site_dir, Terminal(sys.stdout, sys.stderr))
        if code is None:
            raise
        return code


def _run(args: argparse.Namespace, site_dir: Path) -> int:
    """Run a parsed command (but a build a watch answered)."""
    from .pipeline import build, check
    from .plan import BuildOptions, plan_site
    from .reports import Terminal, print_problems, report_build, summary_line

    if args.command == "new":
        return run_new(args)
    if args.command == "import":
        return run_import(args)
    if args.command == "serve":
        from .serve import serve

        return serve(site_dir, args.host, args.port, polling=args.poll,
                     log=lambda text: print(text, flush=True))
    if args.command == "next":
        plan = plan_site(site_dir, BuildOptions())
        print_problems(plan.warnings, site_dir)
        if plan.site.next_scheduled:
            print(plan.site.next_scheduled.date.astimezone(plan.config.tz).isoformat())
        return 0
    if getattr(args, "jobs", None) is not None and args.jobs < 1:
        return _fail("error: --jobs must be at least 1", 2)
    options = BuildOptions(drafts=args.drafts, future=args.future, base_url=args.base_url,
                           strict=args.strict, out_dir=getattr(args, "output", None),
                           clean=getattr(args, "clean", False), jobs=getattr(args, "jobs", None))
    if args.command == "watch":
        from .daemon import VERIFY_AFTER, watch

        if args.verify_after is not None and not args.verify_after > 0:
            return _fail("error: --verify-after must be more than 0 seconds", 2)
        return watch(site_dir, options, polling=args.poll, verify_after=args.verify_after or VERIFY_AFTER,
                     log=lambda text: print(text, flush=True))
    if args.command == "check":
        result = check(site_dir, options)
        print_problems(result.warnings, site_dir)
        print(summary_line(result, "checked"))
        return 0
    result = build(site_dir, options, progress=_progress if sys.stderr.isatty() else None,
                   waiting=lambda pid: _waiting(pid, options.out_dir or site_dir / "output"))
    return report_build(result, site_dir, args.verbose, Terminal(sys.stdout, sys.stderr))


def _waiting(pid: int | None, out_dir: Path) -> None:
    """Say why a build does not start: another one is writing the same output folder."""
    holder = f" (pid {pid})" if pid else ""
    print(f"waiting for another build of this site into {os.path.relpath(out_dir)}{holder} to finish…",
          file=sys.stderr, flush=True)


def _progress(what: str, done: int, total: int) -> None:
    """Show a long build's progress on the terminal, on one line that the summary replaces."""
    end = "\r\033[K" if done == total else ""
    doing = "reading" if what == "sources" else "rendering"
    print(f"\r  {doing} {what}: {done:,} of {total:,}", end=end, file=sys.stderr, flush=True)


def _fail(message: str, code: int) -> int:
    print(message, file=sys.stderr)
    return code


def run_new(args: argparse.Namespace) -> int:
    """Write a new draft article and print its path."""
    from .config import load_config
    from .errors import SiteErrors, UsageError
    from .load import MAX_SLUG_LENGTH, slugify
    from .plan import build_time
    from .source import SourceError

    try:
        config, _problems = load_config(args.site)
    except SourceError as exc:
        raise SiteErrors([exc.problem], exit_code=2) from None
    slug = slugify(args.title, config.slugs)
    if not slug:
        raise UsageError(f"cannot make a file name from the headline {args.title!r}: use letters or digits")
    if len(slug) > MAX_SLUG_LENGTH:  # a long headline: the file name is cut at a word
        slug = slug[:MAX_SLUG_LENGTH + 1].rsplit("-", 1)[0] if "-" in slug[:MAX_SLUG_LENGTH] else slug[:MAX_SLUG_LENGTH]
    rel = f"content/articles/{slug}.md"
    path = args.site / rel
    if path.exists():
        raise UsageError(f"{rel} already exists: choose another headline or edit that file")
    now = build_time().astimezone(config.tz).replace(second=0, microsecond=0)
    lines = ["---", f"title: {json.dumps(args.title, ensure_ascii=False)}",
             f"date: {now.strftime('%Y-%m-%d %H:%M')}"]
    if args.author:
        lines.append(f"authors: [{json.dumps(args.author, ensure_ascii=False)}]")
    tags = [t.strip() for t in (args.tags or "").split(",") if t.strip()]
    if tags:
        lines.append("tags: [" + ", ".join(json.dumps(t, ensure_ascii=False) for t in tags) + "]")
    lines += ["subtitle: \"\"", "draft: true", "---", "", "Write the first paragraph here.", ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8") as handle:
        handle.write("\n".join(lines))
    print(f"Created {os.path.relpath(path)} (a draft: set draft: false, or delete the line, to publish)")
    return 0


def run_import(args: argparse.Namespace) -> int:
    """Import an export into the site and print the summary."""
    # Imported here, not at the top: a build never loads the importers (nor markdownify).
    from .importers.common import summary_lines

    if args.source == "wordpress":
        from .importers.wordpress import import_wordpress
        plan = import_wordpress(args.site, args.export, uploads=args.uploads, force=args.force,
                                shown=os.path.relpath(args.export))
    else:
        from .importers.staticsite import import_static_site
        if args.source == "jekyll":
            from .importers.jekyll import read_jekyll as read
        else:
            from .importers.hugo import read_hugo as read
        plan = import_static_site(args.site, args.folder, read, force=args.force, shown=os.path.relpath(args.folder))
    for line in summary_lines(plan):
        print(line)
    return 0


def run() -> NoReturn:
    """Console-script entry point (and build.py's): run, then leave without tearing down.

    Freeing the build's objects one by one on the way out (the cache alone is tens of
    thousands) costs a rebuild 40–100 ms; every file is written and closed by then, and
    the body store committed, so the process ends at once.
    """
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)
