"""Shared helpers: real temp sites, the real CLI in a subprocess, and the skip policy."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from importlib import metadata
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

NESTS_EMPHASIS = tuple(int(part) for part in metadata.version("markdown").split(".")[:3]) >= (3, 11, 1)
"""Python-Markdown nests a run of '*' one element per pair from 3.11.1 (2,000 of them are an
error, too deep); before, it made a flat row of <strong><em>, fast and shallow: no error."""

MINIMAL_CONFIG = "title: Test Gazette\nbase_url: https://example.org/\ntimezone: UTC\n"


def make_site(root: Path, files: dict[str, str | bytes], *, config: str | None = MINIMAL_CONFIG) -> Path:
    """Write a site under `root`: `files` maps site paths to text (dedented) or bytes."""
    root.mkdir(parents=True, exist_ok=True)
    if config is not None and "config.yaml" not in files:
        (root / "config.yaml").write_text(config, encoding="utf-8")
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return root


def article(title: str = "A headline", date: str = "2026-03-01 09:00", body: str = "First paragraph.\n",
            **fields: str) -> str:
    """Return the text of an article file; extra fields are raw YAML values."""
    lines = ["---", f"title: {title}", f"date: {date}"]
    lines += [f"{key}: {value}" for key, value in fields.items()]
    return "\n".join(lines + ["---", body])


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run `python build.py ARGS` in a subprocess, as a user would."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, str(REPO / "build.py"), *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=120)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Return every file under `folder` with its bytes (relative posix paths)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def require_or_skip(condition: bool, reason: str) -> None:
    """Skip when a tool is missing, unless BROADSHEET_REQUIRE_ALL=1 (CI), where it fails."""
    if condition:
        return
    if os.environ.get("BROADSHEET_REQUIRE_ALL") == "1":
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


# --------------------------------------------------------------------------- the live preview, for real
# `python build.py serve` as a subprocess on a free port, its terminal read line by line,
# HTTP and server-sent events over real sockets: used by test_serve.py and test_browser.py.

import json as _json
import re as _re
import signal as _signal
import socket as _socket
import threading as _threading
import time as _time


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on now."""
    with _socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _proc_stat(pid: str) -> tuple[str, int, int] | None:
    """(state, ppid, pgrp) of a process from /proc, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return fields[0], int(fields[1]), int(fields[2])


def live_processes_of(pid: int) -> set[int]:
    """Processes (not zombies) that descend from `pid` or are in its process group."""
    table = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (stat := _proc_stat(entry)) and stat[0] != "Z":
            table[int(entry)] = stat
    found = {p for p, (_, _, pgrp) in table.items() if pgrp == pid and p != pid}
    frontier = {pid}
    while frontier:
        children = {p for p, (_, ppid, _) in table.items() if ppid in frontier and p != pid}
        frontier = children - found
        found |= children
    return found


def rss_kib(pid: int) -> int:
    """The resident memory of a process (VmRSS, KiB)."""
    with open(f"/proc/{pid}/status", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError(f"no VmRSS for {pid}")


class ServeProcess:
    """`python build.py serve` running on a site; its terminal output collected line by line."""

    READY = r"Serving the preview on http://127\.0\.0\.1:(\d+)/"

    def __init__(self, site: Path, port: int | None = None, *args: str, ready_timeout: float | None = 60.0):
        self.site = site
        self.asked_port = port or free_port()
        self.lines: list[str] = []
        self.eof = False
        self._cond = _threading.Condition()
        # PYTHONFAULTHANDLER: a server that does not stop is made to print every thread's
        # stack before it is killed (`dump_stacks`).
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONFAULTHANDLER": "1"}
        # A shell's background job has SIGINT ignored, and that is inherited through exec:
        # make sure the server gets Python's usual Ctrl-C handling, as in a terminal.
        previous = _signal.getsignal(_signal.SIGINT)
        if previous == _signal.SIG_IGN:
            _signal.signal(_signal.SIGINT, _signal.default_int_handler)
        try:
            self.proc = subprocess.Popen(
                [sys.executable, str(REPO / "build.py"), *self.command_line(site, args)],
                cwd=site.parent, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, text=True, encoding="utf-8", errors="replace", bufsize=1,
                start_new_session=True)
        finally:
            if previous == _signal.SIG_IGN:
                _signal.signal(_signal.SIGINT, previous)
        self.pid = self.proc.pid
        self._reader = _threading.Thread(target=self._read, name=f"serve-{self.pid}-output", daemon=True)
        self._reader.start()
        self.port = self.asked_port
        self.base = f"http://127.0.0.1:{self.port}"
        if ready_timeout is None:  # the caller waits (or does not) for itself
            return
        try:
            match = self.wait_for_line(self.READY, timeout=ready_timeout)
        except BaseException:
            self.kill()
            raise
        if match.groups():
            self.port = int(match[1])
            self.base = f"http://127.0.0.1:{self.port}"

    def command_line(self, site: Path, args: tuple[str, ...]) -> list[str]:
        return ["serve", "--site", str(site), "--port", str(self.asked_port), *args]

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self._cond:
                self.lines.append(line.rstrip("\n"))
                self._cond.notify_all()
        with self._cond:
            self.eof = True
            self._cond.notify_all()

    @property
    def output(self) -> str:
        with self._cond:
            return "\n".join(self.lines)

    def mark(self) -> int:
        """The number of lines printed so far, to look only at what comes after."""
        with self._cond:
            return len(self.lines)

    def wait_for_line(self, pattern: str, timeout: float = 20.0, start: int = 0) -> _re.Match:
        """Wait for a line matching `pattern` (from line `start` on) and return its match."""
        regex = _re.compile(pattern)
        deadline = _time.monotonic() + timeout
        with self._cond:
            while True:
                for line in self.lines[start:]:
                    if match := regex.search(line):
                        return match
                start = max(start, len(self.lines))
                remaining = deadline - _time.monotonic()
                if self.eof or remaining <= 0:
                    why = "the server exited" if self.eof else f"not within {timeout} s"
                    raise AssertionError(f"no line matching {pattern!r} ({why}); output:\n" + "\n".join(self.lines))
                self._cond.wait(remaining)

    def count(self, pattern: str, start: int = 0) -> int:
        regex = _re.compile(pattern)
        with self._cond:
            return sum(1 for line in self.lines[start:] if regex.search(line))

    def events(self, timeout: float = 10.0) -> "EventStream":
        return EventStream(self.port, timeout=timeout)

    def interrupt(self, timeout: float = 20.0) -> tuple[int, set[int]]:
        """Ctrl-C as a terminal sends it (SIGINT to the whole process group); return the exit
        status and the processes left behind (killed now, so that none outlives the test)."""
        code, _seconds, left = self.send_stop(_signal.SIGINT, timeout)
        return code, left

    def send_stop(self, signum: int = _signal.SIGINT, timeout: float = 20.0) -> tuple[int, float, set[int]]:
        """Send SIGINT to the process group (as Ctrl-C does) or another signal to the server
        alone (as `kill` does); return the exit status, the seconds it took to exit, and the
        processes left behind (killed now, so that none outlives the test)."""
        if self.proc.poll() is not None:
            raise AssertionError(f"the server had exited already ({self.proc.returncode}):\n{self.output}")
        family = live_processes_of(self.pid)
        sent = _time.monotonic()
        if signum == _signal.SIGINT:
            os.killpg(self.pid, signum)
        else:
            os.kill(self.pid, signum)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.dump_stacks()
            self.kill()
            raise AssertionError(f"the server did not stop within {timeout} s of signal {signum}:\n{self.output}") \
                from None
        seconds = _time.monotonic() - sent
        self._reader.join(10)
        left = {p for p in family | live_processes_of(self.pid) if (stat := _proc_stat(str(p))) and stat[0] != "Z"}
        for pid in left:
            try:
                os.kill(pid, _signal.SIGKILL)
            except OSError:
                pass
        return code, seconds, left

    def stop(self, timeout: float = 20.0) -> None:
        """Ctrl-C; then insist on a clean exit: status 0, no traceback, no process left."""
        code, left = self.interrupt(timeout)
        assert code == 0, f"exit status {code} after Ctrl-C:\n{self.output}"
        assert "Traceback" not in self.output, self.output
        assert not left, f"processes left behind after Ctrl-C: {sorted(left)}"

    def dump_stacks(self) -> None:
        """Make a server that hangs print the stack of each of its threads (faulthandler's
        answer to SIGABRT, in the output collected), for the failure to show where it waits."""
        try:
            os.kill(self.pid, _signal.SIGABRT)
            self.proc.wait(5)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self._reader.join(5)

    def kill(self) -> None:
        """Last resort, when a test failed before a clean stop."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.pid, _signal.SIGKILL)
            except OSError:
                pass
            self.proc.wait(10)

    # -- HTTP

    def request(self, path: str, method: str = "GET", timeout: float = 10.0,
                headers: dict | None = None) -> tuple[int, dict[str, str], bytes]:
        """Send one request with http.client; return (status, headers lower-cased, body)."""
        import http.client

        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, headers=headers or {})
            response = conn.getresponse()
            body = response.read()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, body
        finally:
            conn.close()

    def raw_request(self, target: bytes, timeout: float = 10.0) -> tuple[int, bytes]:
        """Send a request line as given (NUL bytes, backslashes, '..'), return (status, whole response)."""
        with _socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as sock:
            sock.sendall(b"GET " + target + f" HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n".encode()
                         + b"Connection: close\r\n\r\n")
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        data = b"".join(chunks)
        match = _re.match(rb"HTTP/1\.[01] (\d{3}) ", data)
        assert match, f"not an HTTP response: {data[:200]!r}"
        return int(match[1]), data

    def page(self, path: str) -> str:
        status, _, body = self.request(path)
        assert status == 200, f"{path}: {status}"
        return body.decode("utf-8")


class EventStream:
    """A client of /__broadsheet/events on a raw socket: each `state` event as a dict."""

    def __init__(self, port: int, timeout: float = 10.0):
        self.sock = _socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.sendall(f"GET /__broadsheet/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n".encode()
                          + b"Accept: text/event-stream\r\n\r\n")
        self.buffer = b""
        self.seen: list[dict] = []
        head = self._read_until(b"\r\n\r\n", _time.monotonic() + timeout)
        assert head is not None, "no answer from the events endpoint"
        assert head.startswith(b"HTTP/1.1 200 ") or head.startswith(b"HTTP/1.0 200 "), head
        assert b"content-type: text/event-stream" in head.lower(), head
        self.first = self.next(timeout)
        assert self.first is not None, "the events endpoint sent no state on connecting"

    def _read_until(self, separator: bytes, deadline: float) -> bytes | None:
        while separator not in self.buffer:
            remaining = deadline - _time.monotonic()
            if remaining <= 0:
                return None
            self.sock.settimeout(remaining)
            try:
                chunk = self.sock.recv(65536)
            except TimeoutError:
                return None
            if not chunk:
                raise AssertionError("the events stream was closed by the server")
            self.buffer += chunk
        block, self.buffer = self.buffer.split(separator, 1)
        return block

    def next(self, timeout: float = 10.0) -> dict | None:
        """The next `state` event (heartbeats skipped), or None after `timeout` seconds."""
        deadline = _time.monotonic() + timeout
        while True:
            block = self._read_until(b"\n\n", deadline)
            if block is None:
                return None
            lines = block.decode("utf-8").split("\n")
            event = next((l[len("event:"):].strip() for l in lines if l.startswith("event:")), "message")
            data = "\n".join(l[len("data:"):].strip() for l in lines if l.startswith("data:"))
            if data and event == "state":
                state = _json.loads(data)
                self.seen.append(state)
                return state

    def wait_for(self, predicate, timeout: float = 15.0, what: str = "a matching event") -> dict:
        deadline = _time.monotonic() + timeout
        while (remaining := deadline - _time.monotonic()) > 0:
            state = self.next(remaining)
            if state is None:
                break
            if predicate(state):
                return state
        raise AssertionError(f"no {what} within {timeout} s; events seen: {self.seen}")

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> "EventStream":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class WatchProcess(ServeProcess):
    """`python build.py watch` running on a site (no HTTP: the command line talks to it)."""

    READY = r"Watching .* \(ready in"

    def command_line(self, site: Path, args: tuple[str, ...]) -> list[str]:
        return ["watch", "--site", str(site), *args]


def stop_all(started: list[ServeProcess]) -> None:
    """Stop each process with Ctrl-C, which must end it cleanly; fail naming those that did not."""
    failures = []
    for process in started:
        try:
            if process.proc.poll() is None:
                process.stop()
        except AssertionError as exc:
            failures.append(str(exc))
        finally:
            process.kill()
    if failures:
        pytest.fail("\n\n".join(failures))


@pytest.fixture
def watch_site():
    """Start `watch` on a site: `watch_site(site, *args)`; each is stopped with Ctrl-C at
    teardown, which must end cleanly."""
    started: list[ServeProcess] = []

    def start(site: Path, *args: str) -> WatchProcess:
        started.append(WatchProcess(site, None, *args))
        return started[-1]

    yield start
    stop_all(started)


@pytest.fixture
def serve_site():
    """Start `serve` on a site: `serve_site(site, port=None, *args)`; each is stopped with
    Ctrl-C at teardown, which must end cleanly."""
    started: list[ServeProcess] = []

    def start(site: Path, port: int | None = None, *args: str) -> ServeProcess:
        started.append(ServeProcess(site, port, *args))
        return started[-1]

    yield start
    stop_all(started)


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright (the browser tests), or a skip saying what is missing."""
    import importlib.util
    import shutil

    require_or_skip(os.path.exists(CHROMIUM) and shutil.which(CHROMIUM) is not None,
                    f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    require_or_skip(importlib.util.find_spec("playwright") is not None,
                    "Playwright for Python is not installed (pip install -e '.[test]')")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
