#!/usr/bin/env python3
"""Save-to-reload latency of the live preview.

    python3 benchmarks/preview.py [--sizes 1000,4000] [--saves 30] [--work DIR]

For each corpus (benchmarks/corpus.py), starts `build.py serve` as a user would, and
reports: the time from starting the command to the first page served (cold: no cache;
warm: with the cache a previous run left), and for --saves body edits and --saves title
edits of one article, the time from the file write to the reload event reaching a
connected client (median and 95th percentile). A script, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
import corpus  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(site: Path, port: int) -> tuple[subprocess.Popen, float]:
    """Start the preview; return the process and the seconds until a page was served."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(REPO / "build.py"), "serve", "--site", str(site), "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"})  # as run.py
    deadline = started + 600
    while time.perf_counter() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                response.read()
                return proc, time.perf_counter() - started
        except OSError:
            time.sleep(0.02)
    proc.kill()
    raise SystemExit("the preview did not start")


class Events:
    """A server-sent-events client on a raw socket: yields each event's data with its arrival time."""

    def __init__(self, port: int):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        self.sock.sendall(b"GET /__broadsheet/events HTTP/1.1\r\nHost: x\r\n\r\n")
        self.file = self.sock.makefile("rb")
        while self.file.readline() not in (b"\r\n", b"\n"):
            pass  # headers

    def next(self) -> tuple[dict, float]:
        while True:
            line = self.file.readline()
            if not line:
                raise SystemExit("the event stream closed")
            if line.startswith(b"data: "):
                return json.loads(line[6:]), time.perf_counter()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(site: Path, saves: int) -> dict:
    port = free_port()
    shutil.rmtree(site / ".cache", ignore_errors=True)
    proc, cold_start = start(site, port)
    proc.send_signal(2)
    proc.wait(timeout=60)
    proc, warm_start = start(site, port)
    article = corpus.article_paths(site)[len(corpus.article_paths(site)) // 3]
    original = article.read_bytes()
    result = {"articles": len(corpus.article_paths(site)), "cold_start": cold_start, "warm_start": warm_start}
    try:
        events = Events(port)
        events.next()  # the current state
        for kind, edit in (("body", corpus.edit_body), ("title", corpus.edit_title)):
            latencies = []
            for n in range(1, saves + 1):
                time.sleep(0.15)  # a person does not save twice in the same instant
                written = time.perf_counter()
                edit(article, n)
                data, arrived = events.next()
                if data["problems"]:
                    raise SystemExit(data["problems"])
                latencies.append(arrived - written)
            result[kind] = {"median": statistics.median(latencies), "p95": percentile(latencies, 0.95)}
    finally:
        article.write_bytes(original)
        proc.send_signal(2)
        proc.wait(timeout=60)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,4000")
    parser.add_argument("--saves", type=int, default=30)
    parser.add_argument("--work", type=Path, default=Path("/tmp/broadsheet-bench"))
    args = parser.parse_args()
    rows = ["| articles | first page served (no cache / cache) | body edit: median, p95 | title edit: median, p95 |",
            "|---|---|---|---|"]
    for size in (int(s) for s in args.sizes.split(",")):
        site = args.work / f"corpus-{size}"
        if not (site / "config.yaml").exists():
            corpus.generate(site, size, seed=1)
        r = measure(site, args.saves)
        rows.append(f"| {size:,} | {r['cold_start']:.2f} s / {r['warm_start']:.2f} s "
                    f"| {r['body']['median'] * 1000:.0f} ms, {r['body']['p95'] * 1000:.0f} ms "
                    f"| {r['title']['median'] * 1000:.0f} ms, {r['title']['p95'] * 1000:.0f} ms |")
        print(rows[-1], file=sys.stderr)
    print(f"Machine: {os.cpu_count()} cores, load average at the end {os.getloadavg()[0]:.2f}")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
