#!/usr/bin/env python3
"""Broadsheet's benchmark: cold build, no-op rebuild, one-article edits, peak memory,
and the floor — Python-Markdown alone converting every body on one core.

    python3 benchmarks/run.py [--sizes 1000,4000,10000,50000] [--runs 3] [--work DIR]
                              [--engine DIR [--engine DIR ...]] [--json FILE] [--rebuilds-only]

Generates each corpus once (benchmarks/corpus.py; cached in --work, default
/tmp/broadsheet-bench, as corpus-<size>, never modified afterwards), copies it to a
working site per engine, then times real `build.py` runs in fresh processes, as a user
runs them. Up to 5,000 articles every figure is the median of --runs runs; above, the
cold build and the floor run once (and the smarty floor and the `--jobs 1` build not at
all above 10,000 and 4,000), the no-op and the edits stay medians of --runs.

--engine names a checkout of Broadsheet whose code is timed (default: this repository);
given several times, each size is run with each engine back to back, on the same corpus,
each in its own working site, cache and output folder. Prints a Markdown table for
benchmarks/README.md. A script, not a test: machines are shared and noisy; compare
ratios measured in the same run.

Nothing is deleted while the run lasts: the output folder and cache of the last build, and
the working site of the last run, are moved into <work>/trash, which is emptied when the
run ends. On a file system like this machine's (ext4 without a journal), a file created
within minutes of the deletion of many others in the same block group costs up to 0.6 ms
of kernel time (the allocator passes over every inode freed in the last minutes,
`recently_deleted` in fs/ext4/ialloc.c): a cold build right after deleting the last one's
7,100 files spent 2-3 s more at 4,000 articles. Each build's CPU time, and the kernel's
share of it, is reported with it.

--cold-only times the floor and the cold build alone, --runs rounds at every size, the
engines taking turns round by round (the order swapped every other round), each cold build
into a new folder; its table gives the median of each run's cold / floor. Use it to compare
engines: the machine's speed drifts over the minutes that one engine's cold builds take.

--rebuilds-only times the no-op and the edits alone, on the working sites an earlier run
left (a 50,000-article cold build and floor are minutes each), the engines taking turns
run by run (edits numbered from 101, so each is a new text). With --watch, a
`build.py watch` of each engine runs on its site meanwhile and answers the builds timed:
each figure is still a fresh `build.py` process, from the edit to its exit (the edit is
saved just before it starts: the watch may be building the save already, and the build
waits for that), and the files written are the watch's since the edit. The watch's
start-up (its first build) and its memory are reported too.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
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
    me, workers = (resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    print(f"RSS {me.ru_maxrss} {workers.ru_maxrss}", file=sys.stderr)
    print(f"CPU {me.ru_utime + workers.ru_utime} {me.ru_stime + workers.ru_stime}", file=sys.stderr)
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


SINGLE_RUN_ABOVE = 5000
"""Above this many articles the cold build and the floor run once."""
SMARTY_UP_TO = 10_000
"""The smarty floor (minutes at 50,000) only up to this many articles."""
JOBS1_UP_TO = 4000
"""The `--jobs 1` cold build only up to this many articles."""


def run_build(engine: Path, site: Path, out: Path, *extra: str) -> dict:
    """Run one build with the engine in `engine` (a `python -c` script imports the
    `broadsheet` package of its working folder); return wall seconds, files written,
    peak RSS (MB) of build and workers."""
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", BUILD, "--site", str(site), "--output", str(out), *extra],
                          cwd=engine, capture_output=True, text=True, env=ENV)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"build failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    written = int(re.search(r"(\d+) written", proc.stdout).group(1))
    me, workers = (int(x) for x in re.search(r"RSS (\d+) (\d+)", proc.stderr).groups())
    user, kernel = (float(x) for x in re.search(r"CPU ([\d.]+) ([\d.]+)", proc.stderr).groups())
    return {"wall": wall, "written": written, "rss": me / 1024, "worker_rss": workers / 1024,
            "cpu": user + kernel, "kernel": kernel, "by_watch": " by the watch (pid " in proc.stdout}


def floor(engine: Path, site: Path, variant: str) -> float:
    proc = subprocess.run([sys.executable, "-c", FLOOR, str(site), variant], cwd=engine,
                          capture_output=True, text=True, check=True, env=ENV)
    return float(proc.stdout.strip())


def median(runs: list[dict], key: str) -> float:
    return statistics.median(run[key] for run in runs)


def describe_engine(engine: Path) -> str:
    """The commit of an engine checkout (with `+` if it has changes), or its folder."""
    try:
        head = subprocess.run(["git", "-C", str(engine), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(engine), "status", "--porcelain", "--", "broadsheet"],
                               capture_output=True, text=True, check=True).stdout.strip()
        return head + ("+" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return engine.name  # an exported tree (git archive) has no history


def set_aside(path: Path, work: Path) -> None:
    """Move `path` (if there) into work/trash instead of deleting it: see the module's docstring."""
    if path.exists() or path.is_symlink():
        trash = work / "trash"
        trash.mkdir(exist_ok=True)
        path.rename(trash / f"{path.name}-{time.time_ns()}")


def empty_trash(work: Path) -> None:
    """Delete what the run set aside, once nothing more is timed."""
    if (work / "trash").is_dir():
        print("emptying the trash…", file=sys.stderr)
        shutil.rmtree(work / "trash", ignore_errors=True)


def prepare_site(size: int, work: Path, label: str) -> Path:
    """Return a fresh working copy of the corpus of `size` articles for one engine.

    The corpus itself (work/corpus-<size>) is generated once and never written to again
    (other processes may copy it); the builds, their cache and the edits use the copy."""
    corpus_dir = work / f"corpus-{size}"
    if not (corpus_dir / "config.yaml").exists():
        print(f"generating {size} articles…", file=sys.stderr)
        corpus.generate(corpus_dir, size, seed=1)
    site = work / f"site-{size}-{label}"
    set_aside(site, work)
    shutil.copytree(corpus_dir, site, ignore=shutil.ignore_patterns(".cache", "output"))
    return site


def bench(size: int, runs: int, work: Path, engine: Path, label: str) -> dict:
    site = prepare_site(size, work, label)
    out = work / f"out-{size}-{label}"
    article = corpus.article_paths(site)[size // 2]
    original = article.read_bytes()
    once = runs if size <= SINGLE_RUN_ABOVE else 1
    result: dict = {"size": size, "engine_label": label, "engine_commit": describe_engine(engine),
                    "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    try:
        print(f"{size} / {label}: floor…", file=sys.stderr)
        result["floor"] = statistics.median(floor(engine, site, "ours") for _ in range(once))
        result["floor_smarty"] = floor(engine, site, "smarty") if size <= SMARTY_UP_TO else None
        print(f"{size} / {label}: cold build…", file=sys.stderr)
        cold = []
        for _ in range(once):
            set_aside(out, work)
            set_aside(site / ".cache", work)
            cold.append(run_build(engine, site, out))
        result["cold"] = cold
        result["cold_jobs1"] = []
        if size <= JOBS1_UP_TO:
            set_aside(out, work)
            set_aside(site / ".cache", work)
            result["cold_jobs1"].append(run_build(engine, site, out, "--jobs", "1"))
        print(f"{size} / {label}: no-op and edits…", file=sys.stderr)
        result["noop"] = [run_build(engine, site, out) for _ in range(runs)]
        body, title = [], []
        for n in range(1, runs + 1):
            corpus.edit_body(article, n)
            body.append(run_build(engine, site, out))
        for n in range(1, runs + 1):
            corpus.edit_title(article, n)
            title.append(run_build(engine, site, out))
        result["body"], result["title"] = body, title
    finally:
        article.write_bytes(original)
    result["load_average"] = os.getloadavg()[0]
    return result


class Watching:
    """`build.py watch` of one engine on one site, its terminal read line by line."""

    def __init__(self, engine: Path, site: Path, out: Path):
        started = time.perf_counter()
        self.proc = subprocess.Popen([sys.executable, "build.py", "watch", "--site", str(site), "--output", str(out)],
                                     cwd=engine, env={**ENV, "PYTHONUNBUFFERED": "1"}, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                     start_new_session=True)
        self.lines: list[str] = []
        self.ready = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()
        if not self.ready.wait(1800) or self.proc.poll() is not None:
            self.stop()
            raise SystemExit("the watch did not start:\n" + "\n".join(self.lines[-30:]))
        self.start_seconds = time.perf_counter() - started

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))
            if line.startswith("Watching "):
                self.ready.set()
        self.ready.set()

    def written_since(self, mark: int) -> int:
        """Files the watch's own builds (of saves) wrote since line `mark`."""
        return sum(int(m.group(1)) for line in self.lines[mark:] if (m := re.search(r"(\d+) written", line)))

    def memory(self) -> tuple[float, float]:
        """The watch's resident memory now and at its peak (MB), from /proc."""
        fields = dict(line.split(":", 1) for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines()
                      if ":" in line)
        return (int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(600)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)


def rebuilds(size: int, runs: int, work: Path, engines: list[Path], labels: list[str],
             watch: bool = False) -> list[dict]:
    """Time the no-op and the two edits of each engine on the working sites an earlier run
    left (`site-<size>-<label>`, built into `out-<size>-<label>`), the engines taking turns
    run by run: on a noisy machine, each pair of figures is measured in the same minutes.
    With `watch`, a `build.py watch` of each engine answers the builds."""
    sites = []
    for label in labels:
        site, out = work / f"site-{size}-{label}", work / f"out-{size}-{label}"
        if not (site / ".cache").is_dir() or not out.is_dir():
            raise SystemExit(f"--rebuilds-only: {site} was not built into {out} (run without it first)")
        article = corpus.article_paths(site)[size // 2]
        sites.append((site, out, article, article.read_bytes()))
    results = [{"size": size, "engine_label": label, "engine_commit": describe_engine(engine),
                "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "noop": [], "body": [], "title": [],
                "watch": watch} for engine, label in zip(engines, labels)]
    watches: list[Watching] = []
    try:
        for engine, (site, out, _, _) in zip(engines, sites):  # settle: the last edit of an earlier run
            run_build(engine, site, out)
        if watch:
            for engine, (site, out, _, _), result in zip(engines, sites, results):
                print(f"{size}: starting the watch of {engine.name}…", file=sys.stderr)
                watches.append(Watching(engine, site, out))
                result["watch_start"] = watches[-1].start_seconds
        for kind, edit in (("noop", None), ("body", corpus.edit_body), ("title", corpus.edit_title)):
            print(f"{size}: {kind}…", file=sys.stderr)
            for n in range(1, runs + 1):
                for index, (engine, (site, out, article, _), result) in enumerate(zip(engines, sites, results)):
                    mark = len(watches[index].lines) if watch else 0
                    if edit is not None:
                        edit(article, 100 + n)
                    run = run_build(engine, site, out)
                    if watch:
                        if not run["by_watch"]:
                            raise SystemExit(f"the build was not answered by the watch of {engine.name}")
                        time.sleep(0.2)  # (a save's build that the command did not wait for prints by now)
                        run["written"] += watches[index].written_since(mark)
                    result[kind].append(run)
        for result, running in zip(results, watches):
            result["watch_rss"], result["watch_peak_rss"] = running.memory()
    finally:
        for running in watches:
            running.stop()
        for site, out, article, original in sites:
            article.write_bytes(original)
    for result in results:
        result["load_average"] = os.getloadavg()[0]
    return results


def rebuild_table(results: list[dict]) -> str:
    lines = ["| articles | engine | no-op rebuild | body edit | title edit | each run (no-op; body; title) |",
             "|---|---|---|---|---|---|"]
    for r in results:
        each = "; ".join(" / ".join(f"{run['wall']:.2f}" for run in r[kind]) for kind in ("noop", "body", "title"))
        if r.get("watch"):
            each += (f" (watch: first build {r['watch_start']:.1f} s, memory {r['watch_rss']:.0f} MB, "
                     f"peak {r['watch_peak_rss']:.0f} MB)")
        lines.append(f"| {r['size']:,} | {engine_name(r)}{' + watch' if r.get('watch') else ''} "
                     f"| {median(r['noop'], 'wall'):.2f} s, {r['noop'][-1]['written']} files "
                     f"| {median(r['body'], 'wall'):.2f} s, {r['body'][-1]['written']} files "
                     f"| {median(r['title'], 'wall'):.2f} s, {r['title'][-1]['written']} files | {each} |")
    return "\n".join(lines)


def cold_turns(size: int, runs: int, work: Path, engines: list[Path], labels: list[str]) -> list[dict]:
    """Time the floor and the cold build of each engine `runs` times, the engines taking
    turns round by round (the order swapped every other round), each cold build into a new
    output folder: an engine's cold builds are not all measured in the same minutes, on a
    machine whose speed, and kernel's share, drift by more than the change compared."""
    results = []
    for engine, label in zip(engines, labels):
        results.append({"size": size, "engine_label": label, "engine_commit": describe_engine(engine),
                        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                        "site": prepare_site(size, work, label), "floors": [], "cold": []})
    for round_ in range(runs):
        print(f"{size}: round {round_ + 1} of {runs}…", file=sys.stderr)
        for engine, result in list(zip(engines, results))[::1 if round_ % 2 == 0 else -1]:
            site, out = result["site"], work / f"out-{size}-{result['engine_label']}"
            result["floors"].append(floor(engine, site, "ours"))
            set_aside(out, work)
            set_aside(site / ".cache", work)
            result["cold"].append(run_build(engine, site, out))
    for result in results:
        del result["site"]  # (a path of this machine: not for results kept in the repository)
        result["load_average"] = os.getloadavg()[0]
    return results


def cold_table(results: list[dict]) -> str:
    lines = ["| articles | engine | runs | Markdown floor (1 core) | cold build | cold / floor (median of the runs') "
             "| cold build's CPU (kernel) | peak RSS (build / worker) |", "|---|---|---|---|---|---|---|---|"]
    for r in results:
        ratios = [run["wall"] / floor_seconds for run, floor_seconds in zip(r["cold"], r["floors"])]
        lines.append(f"| {r['size']:,} | {engine_name(r)} | {len(r['cold'])} | {statistics.median(r['floors']):.2f} s "
                     f"| {median(r['cold'], 'wall'):.2f} s | {statistics.median(ratios):.2f} "
                     f"| {median(r['cold'], 'cpu'):.1f} s ({median(r['cold'], 'kernel'):.1f} s) "
                     f"| {max(run['rss'] for run in r['cold']):.0f} / {max(run['worker_rss'] for run in r['cold']):.0f} MB |")
    return "\n".join(lines)


def table(results: list[dict]) -> str:
    engines = len({r["engine_label"] for r in results}) > 1
    lines = ["| articles | " + ("engine | " if engines else "") + "Markdown floor (1 core) | cold build | cold / floor "
             "| cold build's CPU (kernel) | cold, --jobs 1 | no-op rebuild | body edit | title edit "
             "| peak RSS (build / worker) |",
             "|---|" + ("---|" if engines else "") + "---|---|---|---|---|---|---|---|---|"]
    for r in results:
        cold = median(r["cold"], "wall")
        jobs1 = f"{median(r['cold_jobs1'], 'wall'):.2f} s" if r["cold_jobs1"] else "–"
        smarty = f" (smarty: {r['floor_smarty']:.2f} s)" if r["floor_smarty"] is not None else ""
        runs = "" if len(r["cold"]) > 1 else " (1 run)"
        lines.append(
            f"| {r['size']:,} | " + (f"{engine_name(r)} | " if engines else "")
            + f"{r['floor']:.2f} s{smarty} "
            f"| {cold:.2f} s{runs}, {r['cold'][0]['written']:,} files | {cold / r['floor']:.2f} "
            f"| {median(r['cold'], 'cpu'):.1f} s ({median(r['cold'], 'kernel'):.1f} s) | {jobs1} "
            f"| {median(r['noop'], 'wall'):.2f} s, {r['noop'][-1]['written']} files "
            f"| {median(r['body'], 'wall'):.2f} s, {r['body'][-1]['written']} files "
            f"| {median(r['title'], 'wall'):.2f} s, {r['title'][-1]['written']} files "
            f"| {max(run['rss'] for run in r['cold']):.0f} / {max(run['worker_rss'] for run in r['cold']):.0f} MB |")
    return "\n".join(lines)


def engine_name(result: dict) -> str:
    label, commit = result["engine_label"], result["engine_commit"]
    return label if commit == label else f"{label} ({commit})"


def engine_labels(engines: list[Path]) -> list[str]:
    """A folder-name label per engine, made unique, for its working site and output folder."""
    labels: list[str] = []
    for engine in engines:
        label = re.sub(r"[^A-Za-z0-9_.-]", "_", engine.name) or "engine"
        labels.append(label if label not in labels else f"{label}-{len(labels)}")
    return labels


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,4000,10000", help="article counts, comma-separated (e.g. 1000,4000,10000,50000)")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (medians); above 5,000 articles the cold build and floor run once")
    parser.add_argument("--work", type=Path, default=Path("/tmp/broadsheet-bench"),
                        help="where the corpora, working sites and output folders live")
    parser.add_argument("--engine", type=Path, action="append", metavar="DIR",
                        help="a checkout of Broadsheet whose code is timed (default: this repository); "
                             "repeat to run several engines back to back")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument("--rebuilds-only", action="store_true",
                        help="time only the no-op and the edits, on the working sites an earlier run built, "
                             "the engines taking turns run by run")
    parser.add_argument("--cold-only", action="store_true",
                        help="time only the floor and the cold build, the engines taking turns round by round "
                             "(--runs rounds at every size)")
    parser.add_argument("--watch", action="store_true",
                        help="with --rebuilds-only: a `build.py watch` of each engine answers the builds timed")
    args = parser.parse_args()
    engines = [engine.resolve() for engine in (args.engine or [REPO])]
    for engine in engines:
        if not (engine / "broadsheet" / "cli.py").is_file():
            parser.error(f"--engine {engine}: no broadsheet/cli.py there")
    labels = engine_labels(engines)
    args.work.mkdir(parents=True, exist_ok=True)
    results = []
    try:
        return measure(args, engines, labels, results)
    finally:
        empty_trash(args.work)


def measure(args: argparse.Namespace, engines: list[Path], labels: list[str], results: list[dict]) -> int:
    if args.rebuilds_only or args.cold_only:  # (the engines taking turns: every engine at once, size by size)
        if args.rebuilds_only:
            series, shown = lambda size: rebuilds(size, args.runs, args.work, engines, labels, watch=args.watch), \
                rebuild_table
        else:
            series, shown = lambda size: cold_turns(size, args.runs, args.work, engines, labels), cold_table
        for size in (int(s) for s in args.sizes.split(",")):
            results.extend(series(size))
            if args.json:
                args.json.write_text(json.dumps(results, indent=2))
        print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
              f"load average at the end {os.getloadavg()[0]:.2f}")
        print(shown(results))
        return 0
    for size in (int(s) for s in args.sizes.split(",")):
        for engine, label in zip(engines, labels):
            results.append(bench(size, args.runs, args.work, engine, label))
            print(f"{label}: " + table(results[-1:]).splitlines()[-1], file=sys.stderr)
            if args.json:  # after each size: a long series interrupted keeps what it measured
                args.json.write_text(json.dumps(results, indent=2))
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load average at the end {os.getloadavg()[0]:.2f}")
    print(table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
