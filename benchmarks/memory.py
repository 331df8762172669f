#!/usr/bin/env python3
"""Where a build's memory goes: runs one build of SITE (a cold one unless --warm) in this
process and prints the build process's resident memory, now and at its peak, after each
step of `pipeline._build` (and of what `remember` does: the cache's key store, its state
file, the output folder's snapshot); at the end, the peak of each worker it forked (their
VmHWM, looked at every tenth of a second while they live).

    python3 benchmarks/memory.py SITE --output DIR [--engine DIR] [--warm]

SITE is changed by the build (its `.cache/`): use a copy of a corpus (`cp -a`), never the
shared one. A script, not a test.
"""

from __future__ import annotations

import argparse
import functools
import os
import resource
import shutil
import sys
import threading
import time
from pathlib import Path


def megabytes_now() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def megabytes_peak() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def watch_workers(peaks: dict[int, int]) -> None:
    """Record in `peaks` the peak resident memory (kB) of every descendant of this process, for ever."""
    def descendants(pid: int) -> list[int]:
        found = []
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as children:
                for child in map(int, children.read().split()):
                    found += [child, *descendants(child)]
        return found

    while True:
        try:
            pids = descendants(os.getpid())
        except OSError:  # a process ended while it was looked at
            pids = []
        for pid in pids:
            try:
                with open(f"/proc/{pid}/status", encoding="ascii") as status:
                    for line in status:
                        if line.startswith("VmHWM:"):
                            peaks[pid] = max(peaks.get(pid, 0), int(line.split()[1]))
            except OSError:
                pass
        time.sleep(0.1)


def report_after(owner: object, name: str) -> None:
    """Wrap `owner.name` so that memory is printed each time it returns."""
    function = getattr(owner, name)

    @functools.wraps(function)
    def reported(*args, **kwargs):
        result = function(*args, **kwargs)
        print(f"after {name:<40} now {megabytes_now():7.0f} MB   peak {megabytes_peak():7.0f} MB", file=sys.stderr)
        return result

    setattr(owner, name, reported)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site", type=Path)
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--engine", type=Path, default=Path(__file__).resolve().parent.parent,
                        help="a checkout of Broadsheet whose code is measured (default: this repository)")
    parser.add_argument("--warm", action="store_true", help="keep the cache and output: measure a rebuild")
    args = parser.parse_args()
    if not args.warm:
        shutil.rmtree(args.output, ignore_errors=True)
        shutil.rmtree(args.site / ".cache", ignore_errors=True)
    sys.path.insert(0, str(args.engine.resolve()))
    from broadsheet import cache, cli, incremental, output, pipeline

    for name in ("_plan", "_renderer_for", "_check_render_problems", "decide_pages", "_render_pages"):
        report_after(pipeline, name)
    for name in ("_update", "_changes"):  # remember's steps
        report_after(incremental, name)
    report_after(output.OutputFolder, "finish")
    report_after(output.OutputFolder, "state_now")
    for name in ("_write_keys", "save", "save_delta", "write_snapshot"):
        report_after(cache.Cache, name)
    report_after(incremental.OnDisk, "remember")
    os.chdir(args.site)
    sys.argv = ["build.py", "--out", str(args.output.resolve())]
    peaks: dict[int, int] = {}
    threading.Thread(target=watch_workers, args=(peaks,), daemon=True).start()
    code = cli.main()
    for pid, peak in peaks.items():
        print(f"worker {pid:<33} peak {peak / 1024:7.0f} MB", file=sys.stderr)
    print(f"build process{'':29} peak {megabytes_peak():7.0f} MB", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
