#!/usr/bin/env python3
"""Save-to-reload latency of the live preview.

    python3 benchmarks/preview.py [--sizes 1000,4000,50000] [--saves 30] [--kinds body,title]
                                  [--work DIR] [--engine DIR [--engine DIR ...]] [--json FILE]

For each corpus (benchmarks/corpus.py, cached in --work as corpus-<size> and never
modified; the preview runs on a working copy per engine), starts `build.py serve` as a
user would, and reports: the time from starting the command to the first page served
(cold: no cache; warm: with the cache a previous run left), and for --saves body edits
and --saves title edits of one article, the time from the file write to the reload
event reaching a connected client (median, 90th and 95th percentile). --engine names a
checkout of Broadsheet whose code is timed (default: this repository); repeated, each
size runs with each engine back to back. A script, not a test.
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
from run import engine_labels  # noqa: E402  (one labelling for both scripts' working sites)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


START_LIMIT = 1800
"""Seconds a preview may take to serve its first page (a cold start at 50,000 articles
builds the whole site)."""
RELOAD_LIMIT = 300
"""Seconds a save may take to reach the client before the run gives up."""


def start(engine: Path, site: Path, port: int) -> tuple[subprocess.Popen, float]:
    """Start the preview of the engine in `engine`; return the process and the seconds until a page was served."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(engine / "build.py"), "serve", "--site", str(site), "--port", str(port)],
                            cwd=engine, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"})  # as run.py
    deadline = started + START_LIMIT
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
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=RELOAD_LIMIT)
        # The preview answers only requests addressed to it (its Host check against DNS rebinding).
        self.sock.sendall(f"GET /__broadsheet/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        self.file = self.sock.makefile("rb")
        status = self.file.readline()
        if b" 200 " not in status:
            raise SystemExit(f"the event stream answered {status.decode(errors='replace').strip()!r}")
        while self.file.readline() not in (b"\r\n", b"\n", b""):
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


def prepare_site(size: int, work: Path, label: str) -> Path:
    """Return a fresh working copy of the corpus of `size` articles (generated once in
    work/corpus-<size> and never written to again) for one engine's preview."""
    corpus_dir = work / f"corpus-{size}"
    if not (corpus_dir / "config.yaml").exists():
        corpus.generate(corpus_dir, size, seed=1)
    site = work / f"preview-{size}-{label}"
    shutil.rmtree(site, ignore_errors=True)
    shutil.copytree(corpus_dir, site, ignore=shutil.ignore_patterns(".cache", "output"))
    return site


def measure(engine: Path, site: Path, saves: int, kinds: list[str]) -> dict:
    port = free_port()
    shutil.rmtree(site / ".cache", ignore_errors=True)
    proc, cold_start = start(engine, site, port)
    proc.send_signal(2)
    proc.wait(timeout=120)
    proc, warm_start = start(engine, site, port)
    article = corpus.article_paths(site)[len(corpus.article_paths(site)) // 3]
    original = article.read_bytes()
    result = {"articles": len(corpus.article_paths(site)), "cold_start": cold_start, "warm_start": warm_start}
    edits = {"body": corpus.edit_body, "title": corpus.edit_title}
    try:
        events = Events(port)
        events.next()  # the current state
        for kind in kinds:
            latencies = []
            for n in range(1, saves + 1):
                time.sleep(0.15)  # a person does not save twice in the same instant
                written = time.perf_counter()
                edits[kind](article, n)
                data, arrived = events.next()
                if data["problems"]:
                    raise SystemExit(data["problems"])
                latencies.append(arrived - written)
            result[kind] = {"median": statistics.median(latencies), "p90": percentile(latencies, 0.90),
                            "p95": percentile(latencies, 0.95), "saves": latencies}
    finally:
        article.write_bytes(original)
        proc.send_signal(2)
        proc.wait(timeout=120)
    result["load_average"] = os.getloadavg()[0]
    return result


def latency(r: dict, kind: str) -> str:
    if kind not in r:
        return "–"
    k = r[kind]
    return f"{k['median'] * 1000:.0f} ms, {k['p90'] * 1000:.0f} ms, {k['p95'] * 1000:.0f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,4000", help="article counts, comma-separated (e.g. 1000,4000,50000)")
    parser.add_argument("--saves", type=int, default=30, help="saves of each kind")
    parser.add_argument("--kinds", default="body,title", help="which edits to time: body, title or both")
    parser.add_argument("--work", type=Path, default=Path("/tmp/broadsheet-bench"))
    parser.add_argument("--engine", type=Path, action="append", metavar="DIR",
                        help="a checkout of Broadsheet whose code is timed (default: this repository); "
                             "repeat to run several engines back to back")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    args = parser.parse_args()
    kinds = [kind.strip() for kind in args.kinds.split(",") if kind.strip()]
    if not kinds or any(kind not in ("body", "title") for kind in kinds):
        parser.error("--kinds takes body, title or body,title")
    engines = [engine.resolve() for engine in (args.engine or [REPO])]
    for engine in engines:
        if not (engine / "build.py").is_file():
            parser.error(f"--engine {engine}: no build.py there")
    several = len(engines) > 1
    rows = ["| articles | " + ("engine | " if several else "") + "first page served (no cache / cache) "
            "| body edit: median, p90, p95 | title edit: median, p90, p95 |",
            "|---|" + ("---|" if several else "") + "---|---|---|"]
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        for engine, label in zip(engines, engine_labels(engines)):
            site = prepare_site(size, args.work, label)
            r = measure(engine, site, args.saves, kinds)
            r.update(size=size, engine_label=label,
                     date=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()))
            results.append(r)
            rows.append(f"| {size:,} | " + (f"{label} | " if several else "")
                        + f"{r['cold_start']:.2f} s / {r['warm_start']:.2f} s "
                        f"| {latency(r, 'body')} | {latency(r, 'title')} |")
            print(rows[-1], file=sys.stderr)
            if args.json:
                args.json.write_text(json.dumps(results, indent=2))
    print(f"Machine: {os.cpu_count()} cores, load average at the end {os.getloadavg()[0]:.2f}")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
