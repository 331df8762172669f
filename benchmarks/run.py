#!/usr/bin/env python3
"""Broadsheet's benchmark: cold build, no-op rebuild, one-article edits, peak memory,
and the floor — Python-Markdown alone converting every body on one core.

    python3 benchmarks/run.py [--sizes 1000,4000,10000] [--runs 3] [--work DIR]

Generates each corpus once (benchmarks/corpus.py; cached in --work, default
/tmp/broadsheet-bench), then times real `build.py` runs in fresh processes, as a user
runs them. Reports medians of --runs runs (one run for sizes above 5,000) and prints a
Markdown table for benchmarks/README.md. A script, not a test: machines are shared and
noisy; compare ratios measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
import corpus  # noqa: E402

# Runs one build in a fresh interpreter, as build.py does, and reports its own peak RSS and
# its workers' once the build is done.
BUILD = """
import resource, sys
sys.argv = ["build.py"] + sys.argv[1:]
from broadsheet import cli
build_main = cli.main
def main():
    code = build_main()
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"RSS {me} {workers}", file=sys.stderr)
    return code
cli.main = main
cli.run()
"""

# A user's interpreter caches compiled modules (.pyc); some sandboxes switch that off,
# which would add the compilation of every module to every build measured.
ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}

# Converts every body with the converter the build uses, on one core, no links resolved.
FLOOR = """
import sys, time
from pathlib import Path
from broadsheet.markup import MarkdownRenderer
from broadsheet.source import parse_document
paths = sorted(Path(sys.argv[1], "content", "articles").rglob("*.md"))
bodies = [parse_document(p.read_text(encoding="utf-8"), str(p)).body for p in paths]
renderer = MarkdownRenderer()
if sys.argv[2] == "smarty":
    import markdown
    md = markdown.Markdown(extensions=["tables", "footnotes", "fenced_code", "codehilite", "toc", "smarty",
                                       "sane_lists", "attr_list"],
                           extension_configs={"codehilite": {"css_class": "highlight", "guess_lang": False}})
    convert = lambda text: (md.reset(), md.convert(text))
else:
    convert = renderer.render
started = time.perf_counter()
for body in bodies:
    convert(body)
print(time.perf_counter() - started)
"""


def run_build(site: Path, out: Path, *extra: str) -> dict:
    """Run one build; return wall seconds, files written, peak RSS (MB) of build and workers."""
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", BUILD, "--site", str(site), "--output", str(out), *extra],
                          cwd=REPO, capture_output=True, text=True, env=ENV)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"build failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    written = int(re.search(r"(\d+) written", proc.stdout).group(1))
    me, workers = (int(x) for x in re.search(r"RSS (\d+) (\d+)", proc.stderr).groups())
    return {"wall": wall, "written": written, "rss": me / 1024, "worker_rss": workers / 1024}


def floor(site: Path, variant: str) -> float:
    proc = subprocess.run([sys.executable, "-c", FLOOR, str(site), variant], cwd=REPO,
                          capture_output=True, text=True, check=True, env=ENV)
    return float(proc.stdout.strip())


def median(runs: list[dict], key: str) -> float:
    return statistics.median(run[key] for run in runs)


def bench(size: int, runs: int, work: Path) -> dict:
    site = work / f"corpus-{size}"
    if not (site / "config.yaml").exists():
        print(f"generating {size} articles…", file=sys.stderr)
        corpus.generate(site, size, seed=1)
    out = work / f"out-{size}"
    article = corpus.article_paths(site)[size // 2]
    original = article.read_bytes()
    result: dict = {"size": size}
    try:
        result["floor"] = statistics.median(floor(site, "ours") for _ in range(runs))
        result["floor_smarty"] = floor(site, "smarty")
        cold = []
        for _ in range(runs):
            shutil.rmtree(out, ignore_errors=True)
            shutil.rmtree(site / ".cache", ignore_errors=True)
            cold.append(run_build(site, out))
        result["cold"] = cold
        result["cold_jobs1"] = []
        if size <= 4000:
            shutil.rmtree(out, ignore_errors=True)
            shutil.rmtree(site / ".cache", ignore_errors=True)
            result["cold_jobs1"].append(run_build(site, out, "--jobs", "1"))
        result["noop"] = [run_build(site, out) for _ in range(runs)]
        body, title = [], []
        for n in range(1, runs + 1):
            corpus.edit_body(article, n)
            body.append(run_build(site, out))
        for n in range(1, runs + 1):
            corpus.edit_title(article, n)
            title.append(run_build(site, out))
        result["body"], result["title"] = body, title
    finally:
        article.write_bytes(original)
    return result


def table(results: list[dict]) -> str:
    lines = ["| articles | Markdown floor (1 core) | cold build | cold / floor | cold, --jobs 1 | no-op rebuild "
             "| body edit | title edit | peak RSS (build / worker) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        cold = median(r["cold"], "wall")
        jobs1 = f"{median(r['cold_jobs1'], 'wall'):.2f} s" if r["cold_jobs1"] else "–"
        lines.append(
            f"| {r['size']:,} | {r['floor']:.2f} s (smarty: {r['floor_smarty']:.2f} s) "
            f"| {cold:.2f} s, {r['cold'][0]['written']:,} files | {cold / r['floor']:.2f} | {jobs1} "
            f"| {median(r['noop'], 'wall'):.2f} s, {r['noop'][-1]['written']} files "
            f"| {median(r['body'], 'wall'):.2f} s, {r['body'][-1]['written']} files "
            f"| {median(r['title'], 'wall'):.2f} s, {r['title'][-1]['written']} files "
            f"| {max(run['rss'] for run in r['cold']):.0f} / {max(run['worker_rss'] for run in r['cold']):.0f} MB |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,4000,10000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path("/tmp/broadsheet-bench"))
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        runs = args.runs if size <= 5000 else 1
        results.append(bench(size, runs, args.work))
        print(table(results[-1:]).splitlines()[-1], file=sys.stderr)
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load average at the end {os.getloadavg()[0]:.2f}")
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
