#!/usr/bin/env python3
"""Where a rebuild spends its time: cProfile of a no-op, a body edit, a title edit and a
live-preview save, on a site that was built before.

    python3 benchmarks/profile.py SITE [--output OUT] [--engine DIR] [--kinds noop,body,title,preview]
                                  [--top 30] [--save DIR]

SITE must be a working copy (never a shared corpus: the edits write to one of its
articles, and put it back after) that was built into OUT by the same engine, so that its
cache is warm (a copy made with `cp -a` keeps it warm: the cache is keyed by the output
folder, not the site folder; one unprofiled build settles it first); for `preview`, SITE must also hold the preview's cache (run
`build.py serve --site SITE` once, or benchmarks/preview.py on it). Each kind runs in a
fresh interpreter whose working folder is the engine (so its `broadsheet` is imported):
the build under cProfile, then the wall time, the files written and the top entries by
cumulative time. Only the build process is profiled (not its forked workers; a forked
walk of the output folder shows as the time the parent waits for it). After an edit
the article is put back and the site built again unprofiled, so that the next kind
starts from a settled cache. `preview` profiles one save as the preview handles it: a
`Session` that loaded the preview's cache, one build to settle, then the edit and a
build told which file was touched (a first save, unprofiled, imports what a running
preview has imported; the second is profiled).
"""

from __future__ import annotations

import argparse
import io
import os
import pstats
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
import corpus  # noqa: E402

ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}  # as run.py

# One build through the command line, profiled; argv: stats file, then build.py's arguments.
BUILD = """
import cProfile, sys, time
stats = sys.argv[1]
sys.argv = ["build.py"] + sys.argv[2:]
from broadsheet import cli
profiler = cProfile.Profile()
started = time.perf_counter()
profiler.enable()
code = cli.main()
profiler.disable()
print(f"WALL {time.perf_counter() - started:.3f}", file=sys.stderr)
profiler.dump_stats(stats)
sys.exit(code)
"""

# One preview save: argv: stats file, site, article (site-relative), kind of edit.
PREVIEW = """
import cProfile, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[5])
import corpus
from broadsheet.pipeline import BuildOptions, Session
from broadsheet.serve import PREVIEW_DIR
stats, site, article, kind = sys.argv[1], Path(sys.argv[2]), sys.argv[3], sys.argv[4]
started = time.perf_counter()
session = Session(site, BuildOptions(out_dir=site / PREVIEW_DIR, preview=True, jobs=1))
loaded = time.perf_counter()
session.build()
settled = time.perf_counter()
print(f"LOAD {loaded - started:.3f} SETTLE {settled - loaded:.3f}", file=sys.stderr)
original = (site / article).read_bytes()
try:
    edit = corpus.edit_body if kind == "body" else corpus.edit_title
    edit(site / article, 1)  # a first save, unprofiled: the preview has imported the renderer by then
    session.build(touched=frozenset({article}))
    edit(site / article, 2)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    result = session.build(touched=frozenset({article}))
    profiler.disable()
    print(f"WALL {time.perf_counter() - started:.3f}", file=sys.stderr)
    print(f"{len(result.report.written)} written")
finally:
    (site / article).write_bytes(original)
profiler.dump_stats(stats)
"""


def top(stats_file: Path, count: int) -> str:
    out = io.StringIO()
    stats = pstats.Stats(str(stats_file), stream=out)
    stats.strip_dirs().sort_stats("cumulative").print_stats(count)
    text = out.getvalue()
    return text[text.index("   ncalls"):] if "   ncalls" in text else text


def run(engine: Path, script: str, *args: str) -> tuple[float, str, str]:
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", script, *args], cwd=engine, capture_output=True, text=True, env=ENV)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"the profiled run failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return wall, proc.stdout, proc.stderr


def build_quietly(engine: Path, site: Path, out: Path) -> None:
    subprocess.run([sys.executable, "build.py", "--site", str(site), "--output", str(out)], cwd=engine,
                   capture_output=True, check=True, env=ENV)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site", type=Path, help="a working copy of a corpus, built before into --output")
    parser.add_argument("--output", type=Path, help="the output folder it was built into (not needed for preview)")
    parser.add_argument("--engine", type=Path, default=REPO, help="the checkout whose code runs (default: this one)")
    parser.add_argument("--kinds", default="noop,body,title", help="of noop, body, title, preview")
    parser.add_argument("--top", type=int, default=30, help="entries shown, by cumulative time")
    parser.add_argument("--save", type=Path, help="keep the .prof files here")
    args = parser.parse_args()
    kinds = [kind.strip() for kind in args.kinds.split(",") if kind.strip()]
    unknown = [kind for kind in kinds if kind not in ("noop", "body", "title", "preview")]
    if unknown:
        parser.error(f"unknown kind {unknown[0]!r}: noop, body, title or preview")
    if args.output is None and kinds != ["preview"] * len(kinds):
        parser.error("--output is needed for noop, body and title")
    site, engine = args.site.resolve(), args.engine.resolve()
    out = args.output.resolve() if args.output else site / "output"
    save = args.save or Path(os.environ.get("TMPDIR", "/tmp"))
    save.mkdir(parents=True, exist_ok=True)
    paths = corpus.article_paths(site)
    article = paths[len(paths) // 2]  # the article run.py edits
    src_path = article.relative_to(site).as_posix()
    if any(kind != "preview" for kind in kinds):
        started = time.perf_counter()
        build_quietly(engine, site, out)  # settle: a copied site's files have new stat signatures
        print(f"settling build: {time.perf_counter() - started:.2f} s")
    for kind in kinds:
        stats_file = save / f"{site.name}-{kind}.prof"
        if kind == "preview":
            preview_article = paths[len(paths) // 3].relative_to(site).as_posix()  # the one preview.py edits
            wall, stdout, stderr = run(engine, PREVIEW, str(stats_file), str(site), preview_article, "body", str(HERE))
        else:
            original = article.read_bytes()
            try:
                if kind == "body":
                    corpus.edit_body(article, 1)
                elif kind == "title":
                    corpus.edit_title(article, 1)
                wall, stdout, stderr = run(engine, BUILD, str(stats_file), "--site", str(site), "--output", str(out))
            finally:
                if kind != "noop":  # (written back, even unchanged, it would be a change to the next build)
                    article.write_bytes(original)
            if kind != "noop":
                build_quietly(engine, site, out)  # settle: the next kind starts from the article as it was
        inner = [line for line in stderr.splitlines() if line.startswith(("WALL", "LOAD"))]
        print(f"## {kind} ({src_path if kind != 'preview' else 'preview save'}): process {wall:.2f} s; "
              f"{'; '.join(inner)}\n{stdout.strip()}")
        print(top(stats_file, args.top))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
