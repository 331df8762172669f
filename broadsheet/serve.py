"""The live preview: build into a private folder, serve it, rebuild on save, reload tabs.

Owns the preview HTTP server (standard library, one thread per connection), the reload
channel (server-sent events at /__broadsheet/events), the script and error overlay it
injects into served pages (never into `build` output), and the loop that turns a burst
of saves into one incremental rebuild. Serving reads only inside the preview folder;
pages are replaced by rename, so a page is never served half-written. It answers only
requests addressed to the address it serves (`Host`), so that no other web site can read
the drafts through the author's browser (DNS rebinding).

Stopping (Ctrl-C, SIGTERM, or `stop`) is cooperative: the signal handlers only raise a
flag, which the main thread and the rebuild (between two bodies or pages, through the
build's progress callback) look at; whatever the moment, the preview stops within a
second or two, saves the state of the last completed build, and exits 0.
"""

from __future__ import annotations

import collections
import errno
import ipaddress
import json
import os
import posixpath
import signal
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .config import read_config_safely
from .errors import BroadsheetError, Problem, SiteErrors, UsageError
from .pipeline import BuildResult, Session
from .plan import BuildOptions
from .watch import ChangeBatch, Watcher

PREVIEW_DIR = Path(".cache") / "broadsheet" / "preview"
EVENTS_PATH = "/__broadsheet/events"
HEARTBEAT_SECONDS = 10.0
PORT_TRIES = 20
IDLE_TIMEOUT = 30.0
"""Seconds a connection may stay silent (or not read what it is sent) before it is closed.
The reload stream sends a heartbeat every HEARTBEAT_SECONDS, so an open tab is never cut."""
STOP_WAIT = 1.5
"""Seconds a stop waits for a rebuild to give up (it does between two bodies or pages)."""

MIME_TYPES = {
    ".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8", ".json": "application/json", ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8", ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp", ".avif": "image/avif",
    ".ico": "image/x-icon", ".pdf": "application/pdf", ".woff2": "font/woff2", ".woff": "font/woff",
    ".mp4": "video/mp4", ".mp3": "audio/mpeg", ".csv": "text/csv; charset=utf-8", ".md": "text/plain; charset=utf-8",
}

# The reload client: listens for builds; reloads when its own page changed, restyles when
# only stylesheets did, and shows build problems as an overlay until a good build.
RELOAD_SCRIPT = """<script>(() => {
  const page = decodeURI(location.pathname);
  const mine = (urls) => urls.some((u) => u === page || u + "index.html" === page || page + "index.html" === u);
  let overlay = null, epoch = null;
  function show(problems) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "broadsheet-overlay";
      overlay.setAttribute("role", "alert");
      overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;background:rgba(20,20,20,.94);" +
        "color:#fff;font:14px/1.5 ui-monospace,Menlo,Consolas,monospace;padding:2rem;white-space:pre-wrap";
      document.documentElement.appendChild(overlay);
    }
    overlay.textContent = "Broadsheet: the last save did not build. The page shows the last good build.\\n\\n" + problems;
  }
  function hide() { if (overlay) { overlay.remove(); overlay = null; } }
  function restyle(urls) {
    for (const link of document.querySelectorAll('link[rel="stylesheet"]')) {
      const url = new URL(link.href);
      if (urls.includes(decodeURI(url.pathname))) { url.searchParams.set("v", Date.now()); link.href = url.href; }
    }
  }
  const source = new EventSource("%(events)s");
  source.addEventListener("state", (event) => {
    const data = JSON.parse(event.data);
    if (data.problems) { show(data.problems); } else { hide(); }
    if (epoch !== null && data.epoch !== epoch && !data.problems) {
      if (mine(data.pages) || data.everything) { location.reload(); return; }
      if (data.styles.length) { restyle(data.styles); }
    }
    epoch = data.epoch;
    document.documentElement.dataset.broadsheetEpoch = data.epoch;
  });
})();</script>"""


@dataclass(slots=True)
class PreviewState:
    """What the open tabs are told: the build epoch, what it changed, and any problems."""

    epoch: int = 0
    pages: list[str] = field(default_factory=list)
    styles: list[str] = field(default_factory=list)
    everything: bool = False
    problems: str = ""

    def to_json(self) -> str:
        return json.dumps({"epoch": self.epoch, "pages": self.pages, "styles": self.styles,
                           "everything": self.everything, "problems": self.problems})


VERIFY_AFTER = 1.0
"""Seconds without saves after which the preview looks at every file once (`Preview.verify`)."""


class Stopping(BaseException):
    """Raised inside a build when the preview stops: it unwinds the build, whose staged
    pages are rolled back and whose session keeps the last completed state. A
    BaseException, as KeyboardInterrupt is, so that no `except Exception` holds it up."""


class StopRequest:
    """What the SIGINT and SIGTERM handlers set. A plain attribute, not a threading.Event:
    a handler runs between two bytecodes of the main thread, which may be holding the very
    lock that Event.set would take."""

    def __init__(self) -> None:
        self.signum = 0

    def __call__(self, signum: int, frame) -> None:
        self.signum = signum


class Preview:
    """The preview of one site: its folder, its current state, and the tabs listening."""

    def __init__(self, site_dir: Path, base_path: str, *, log=print, asked_to_stop=lambda: False):
        self.site_dir = site_dir
        self.folder = site_dir / PREVIEW_DIR
        self.base_path = base_path
        self.log = log
        self.state = PreviewState()
        self.changed = threading.Condition()
        self.history: collections.deque[PreviewState] = collections.deque(maxlen=64)
        """The last states published, for tabs that missed some."""
        self.stopping = threading.Event()
        self.asked_to_stop = asked_to_stop
        """True once a signal (or the caller) asked the preview to stop: read by every build."""
        self.failed = False
        """The last build failed: the next one looks at every file, not only the saved ones."""
        self.cache_note: str | None = None
        """The last note about the build cache printed (printed once, not per rebuild)."""
        self.session = Session(site_dir, BuildOptions(out_dir=self.folder, preview=True, jobs=1))
        """The builds of this preview; its cache stays in memory between rebuilds."""

    def is_stopping(self) -> bool:
        return self.stopping.is_set() or self.asked_to_stop()

    def _stop_point(self, what: str, done: int, total: int) -> None:
        """The builds' progress callback: where a stopping preview abandons its build."""
        if self.is_stopping():
            raise Stopping

    def rebuild(self, batch: ChangeBatch | None = None, *, parallel: bool = False) -> BuildResult | None:
        """Build the preview; tell the tabs what changed, or what went wrong.

        Only the first build, before any thread starts, may fork worker processes:
        forking a process that runs threads can deadlock. A build after a batch of saves
        looks only at the files the watcher reported (see `verify`).
        """
        return self._build(batch, parallel=parallel)

    def first_build(self) -> BuildResult | None:
        """Build the preview on start-up, with worker processes (no thread runs yet)."""
        return self._build(None, parallel=True, first=True)

    def verify(self) -> None:
        """Build once more looking at every file, in case the watcher missed one; silent
        when it finds nothing (the usual case: it then renders and writes nothing), and
        when it fails (a file caught half-saved: the save's own rebuild follows)."""
        self._build(None, quiet=True)

    def _build(self, batch: ChangeBatch | None, *, parallel: bool = False, quiet: bool = False,
               retried: bool = False, first: bool = False) -> BuildResult | None:
        """Build; report the outcome. Whatever goes wrong, even a bug in the engine, is
        reported (terminal and overlay) and the preview goes on: the next save rebuilds."""
        if self.is_stopping():
            return None
        started = time.perf_counter()
        touched = frozenset(batch.paths) if batch and not self.failed else None
        try:
            result = self.session.build(parallel=parallel, touched=touched, progress=self._stop_point)
        except Stopping:
            return None
        except FileNotFoundError as exc:  # a file went away while it was read (deleted, or saved by rename)
            if retried or quiet:
                return None
            gone = os.path.relpath(exc.filename, self.site_dir) if exc.filename else "a file"
            self.log(f"{gone} went away during the rebuild: rebuilding again")
            return self._build(None, parallel=parallel, quiet=quiet, retried=True, first=first)
        except SiteErrors as exc:
            self.failed = True
            if quiet:
                return None
            text = "\n".join(self.describe(p) for p in exc.problems)
            self.log(text)
            errors = sum(p.is_error for p in exc.problems)
            self.log(f"{errors} error{'s' if errors != 1 else ''}: still serving the last good build")
            self.publish(PreviewState(self.state.epoch + 1, problems=text))
            return None
        except Exception as exc:  # noqa: BLE001 - reported below; the preview must outlive it (issue 10)
            # A user error the engine words itself (an output folder it may not write), or a
            # bug: either way the author hears of it, here and in the tabs, and keeps the last
            # good build; a bug's traceback goes to the terminal, for a bug report.
            self.failed = True
            if isinstance(exc, BroadsheetError):
                text = f"error: {exc}"
            elif isinstance(exc, OSError):  # the disk, a quota, permissions: no bug of ours
                where = f" ({os.path.relpath(exc.filename, self.site_dir)})" if exc.filename else ""
                text = (f"error: the build failed: {exc.strerror or exc}{where}\n"
                        "hint: the next save builds again")
            else:
                self.log(traceback.format_exc().rstrip())
                text = (f"error: the build failed: {type(exc).__name__}: {exc}\n"
                        "hint: a bug in Broadsheet (its traceback is on the terminal); the next save builds again")
            self.log(text)
            self.log("still serving the last good build")
            self.publish(PreviewState(self.state.epoch + 1, problems=text))
            return None
        self.failed = False
        note = result.stats.cache_note
        if note and note != self.cache_note:  # the saved state was unreadable (set aside) or not used
            self.log(f"note: {note}")
        self.cache_note = note
        written = result.report.written + result.report.removed
        if quiet and not written:
            return result
        for problem in result.warnings:
            self.log(self.describe(problem))
        pages = sorted({self.url_of(p) for p in written if not p.endswith(".css")})
        styles = sorted(self.url_of(p) for p in written if p.endswith(".css"))
        everything = len(pages) > 200  # tell the tabs to reload rather than list every page
        if everything:
            pages = []
        what = f" ({', '.join(batch.paths[:3])}{', …' if batch and len(batch.paths) > 3 else ''})" if batch else ""
        seconds = time.perf_counter() - started
        if first:  # what it cost, and whether the saved state was used (then few bodies are converted)
            converted = result.stats.bodies_rendered
            self.log(f"Built the preview in {seconds:.2f} s: {result.page_count} pages, "
                     f"{len(result.report.written)} written, {len(result.report.removed)} removed; "
                     f"{converted} Markdown bod{'y' if converted == 1 else 'ies'} converted")
        else:
            self.log(f"Rebuilt in {seconds:.2f} s{what}: {len(result.report.written)} written, "
                     f"{len(result.report.removed)} removed")
        self.publish(PreviewState(self.state.epoch + 1, pages, styles, everything))
        return result

    def url_of(self, out_path: str) -> str:
        url = self.base_path + out_path
        return url[: -len("index.html")] if url.endswith("/index.html") or url == "index.html" else url

    def describe(self, problem: Problem) -> str:
        """Return the problem as the terminal prints it, plus the offending source line."""
        text = problem.format()
        loc = problem.loc
        if loc and loc.line:
            try:
                with open(self.site_dir / loc.src_path, encoding="utf-8", errors="replace") as handle:
                    for number, line in enumerate(handle, start=1):
                        if number == loc.line:
                            text += f"\n  {loc.line} | {line.rstrip()}"
                            break
            except OSError:
                pass
        return text

    def publish(self, state: PreviewState) -> None:
        with self.changed:
            self.state = state
            self.history.append(state)
            self.changed.notify_all()

    def since(self, seen: int | None) -> PreviewState:
        """Return the current state, with the pages and styles of every build after epoch
        `seen`: a tab whose stream woke up late still hears of a page changed in between."""
        state = self.state
        if seen is None or state.epoch <= seen + 1 or state.problems:
            return state
        missed = [s for s in self.history if s.epoch > seen]
        if len(missed) < state.epoch - seen:  # older than the history: reload every tab
            return PreviewState(state.epoch, [], [], True, state.problems)
        pages = sorted({page for s in missed for page in s.pages})
        styles = sorted({style for s in missed for style in s.styles})
        return PreviewState(state.epoch, pages, styles, any(s.everything for s in missed), state.problems)

    def watch_loop(self, watcher: Watcher) -> None:
        """Rebuild once per burst of saves until stopped. A burst arriving during a
        rebuild is collected by the watcher and becomes exactly one more rebuild."""
        unverified = False
        while not self.stopping.is_set():
            batch = watcher.next_batch(self.stopping, VERIFY_AFTER if unverified else None)
            if batch is None:
                if self.stopping.is_set():
                    return
                self.verify()  # the saves have stopped for a while: look at every file once
                unverified = False
                continue
            unverified = self.rebuild(batch) is not None or unverified


class _Handler(BaseHTTPRequestHandler):
    server: "PreviewServer"
    protocol_version = "HTTP/1.1"
    timeout = IDLE_TIMEOUT  # a connection that says nothing, or reads nothing, is closed

    def log_message(self, format: str, *args) -> None:  # the terminal is for builds, not requests
        pass

    def do_HEAD(self) -> None:
        self.do_GET(head=True)

    def do_GET(self, head: bool = False) -> None:
        if not self.server.is_addressed_to(self.headers.get_all("Host") or []):
            return self.misdirected()
        preview = self.server.preview
        raw = urlsplit(self.path).path
        if raw == EVENTS_PATH:
            return self.stream_events()
        path = unquote(raw)
        if "\0" in path or "\\" in path:
            return self.not_found(head)
        base = preview.base_path
        if not path.startswith(base):
            if path in ("/", base.rstrip("/")):
                return self.redirect(base)
            return self.not_found(head)
        rel = posixpath.normpath(path[len(base):]) if path[len(base):] else "."
        if rel.startswith("..") or rel.startswith("/"):
            return self.not_found(head)
        root = os.path.realpath(preview.folder)
        target = os.path.realpath(os.path.join(root, rel))
        if target != root and not target.startswith(root + os.sep):
            return self.not_found(head)  # a symlink or '..' pointing out of the preview
        if os.path.isdir(target):
            if not path.endswith("/"):
                return self.redirect(path + "/")
            target = os.path.join(target, "index.html")
        if not os.path.isfile(target) or os.path.basename(target).startswith("."):
            return self.not_found(head)
        try:
            self.send_file(target, HTTPStatus.OK, head)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            self.not_found(head)  # removed by a rebuild since the check above

    def send_file(self, target: str, status: HTTPStatus, head: bool) -> None:
        with open(target, "rb") as handle:
            data = handle.read()
        kind = MIME_TYPES.get(os.path.splitext(target)[1].lower(), "application/octet-stream")
        if kind.startswith("text/html"):
            data = inject(data, self.server.preview.base_path)
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def not_found(self, head: bool) -> None:
        page = os.path.join(self.server.preview.folder, "404.html")
        if os.path.isfile(page):
            try:
                return self.send_file(page, HTTPStatus.NOT_FOUND, head)
            except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
                pass  # removed by a rebuild since the check above
        body = b"Not found"
        self.send_response(HTTPStatus.NOT_FOUND)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def misdirected(self) -> None:
        """Refuse a request addressed to another name: a web page whose domain was made to
        point at this machine (DNS rebinding) must not read the drafts."""
        body = (f"421 Misdirected Request: this preview answers only at "
                f"{', '.join(self.server.addresses)}\n").encode()
        self.send_response(HTTPStatus.MISDIRECTED_REQUEST)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        self.wfile.write(body)

    def redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def stream_events(self) -> None:
        """Server-sent events: the state now, then each new state, with heartbeats."""
        preview = self.server.preview
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        seen = None
        try:
            while not preview.stopping.is_set():
                with preview.changed:
                    if preview.state.epoch == seen:
                        preview.changed.wait(HEARTBEAT_SECONDS)
                    state = preview.since(seen)
                if state.epoch == seen:
                    self.wfile.write(b": heartbeat\n\n")
                else:
                    self.wfile.write(f"event: state\ndata: {state.to_json()}\n\n".encode())
                    seen = state.epoch
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            return


def inject(page: bytes, base_path: str) -> bytes:
    """Add the reload client to a page, before </body> (or at the end)."""
    script = (RELOAD_SCRIPT % {"events": EVENTS_PATH}).encode()
    index = page.rfind(b"</body>")
    return page + script if index < 0 else page[:index] + script + page[index:]


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True  # SO_REUSEADDR: rebind after a restart; a live server still holds the port
    # A deep accept queue (the kernel caps it at net.core.somaxconn): with 128, a burst of
    # connections had the kernel drop new ones, which retry after 1, 3, 7… s: 3,000 idle
    # connections closed at once kept every new request waiting over a minute (issue 10).
    request_queue_size = 4096

    def __init__(self, address: tuple[str, int], preview: Preview):
        self.preview = preview
        super().__init__(address, _Handler)
        host, port = address[0], self.server_address[1]
        names = {"127.0.0.1", "localhost", "[::1]", f"[{host}]" if ":" in host else host}
        self.addresses = sorted(f"{name.lower()}:{port}" for name in names if name not in ("0.0.0.0", "[::]", ""))
        """The `Host` values (name:port) this preview answers to."""
        self.any_address = host in ("", "0.0.0.0", "::")
        """Serving on every interface: any IP address is a name of this machine (a domain
        name still is not: that is what DNS rebinding uses)."""
        self.port = port

    def is_addressed_to(self, hosts: list[str]) -> bool:
        """True when the request's one `Host` header names this preview, with its port (a
        browser leaves the port out for port 80 only)."""
        if len(hosts) != 1:
            return False
        host = hosts[0].strip().lower()
        if not host.endswith(f":{self.port}") and self.port == 80:
            host += ":80"
        if host in self.addresses:
            return True
        if not self.any_address or not host.endswith(f":{self.port}"):
            return False
        try:
            ipaddress.ip_address(host[: -len(f":{self.port}")].removeprefix("[").removesuffix("]"))
        except ValueError:
            return False
        return True

    def handle_error(self, request, client_address) -> None:
        """A tab that goes away mid-answer (a reload, a click, a closed tab) is not worth a
        traceback on the author's terminal; anything else still is."""
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


def bind(host: str, port: int, preview: Preview, *, log=print) -> PreviewServer:
    """Return a server on `port`, or on the next free one (said on the terminal)."""
    for candidate in range(port, port + PORT_TRIES):
        try:
            server = PreviewServer((host, candidate), preview)
        except OSError as exc:
            if exc.errno not in (errno.EADDRINUSE, errno.EACCES):
                raise UsageError(f"cannot serve on {host}:{candidate}: {exc.strerror}") from None
            continue
        if candidate != port:
            log(f"Port {port} is taken: serving on port {candidate} instead")
        return server
    raise UsageError(f"ports {port} to {port + PORT_TRIES - 1} are all taken: choose one with --port")


def serve(site_dir: Path, host: str = "127.0.0.1", port: int = 8000, *, polling: bool = False,
          log=print, ready: threading.Event | None = None, stop: threading.Event | None = None) -> int:
    """Build, serve and watch until Ctrl-C, SIGTERM (or `stop`); return the exit status.

    In the main thread it takes SIGINT and SIGTERM over for the rest of the process, before
    it does anything else: a stop at any moment (the first build, idle, a rebuild, tabs
    connected) ends the same way, within about a second, with status 0 and the state of
    the last completed build saved.
    """
    request = StopRequest()
    if threading.current_thread() is threading.main_thread():
        # `docker stop`, systemd and `kill` send SIGTERM: as clean a stop as Ctrl-C's.
        signal.signal(signal.SIGINT, request)
        signal.signal(signal.SIGTERM, request)

    def asked_to_stop() -> bool:
        return bool(request.signum) or (stop is not None and stop.is_set())

    started = time.perf_counter()
    log("Building the preview…")
    config, _problems = read_config_safely(site_dir)
    preview = Preview(site_dir, config.base_path, log=log, asked_to_stop=asked_to_stop)
    server: PreviewServer | None = None
    watcher: Watcher | None = None
    rebuilds: threading.Thread | None = None
    try:
        preview.first_build()
        if asked_to_stop():
            return _stop(preview, server, watcher, rebuilds, log)
        bound = bind(host, port, preview, log=log)
        threading.Thread(target=bound.serve_forever, args=(0.1,), name="http", daemon=True).start()
        server = bound  # serving: `shutdown` would wait forever for a server that never served
        watcher = Watcher(site_dir, polling=polling)
        watcher.start()
        rebuilds = threading.Thread(target=preview.watch_loop, args=(watcher,), name="rebuild", daemon=True)
        rebuilds.start()
        shown_host = f"[{host}]" if ":" in host else host
        log(f"Serving the preview on http://{shown_host}:{server.server_address[1]}{config.base_path} "
            f"(drafts and scheduled articles included; ready in {time.perf_counter() - started:.2f} s). "
            f"Ctrl-C to stop.")
        if ready:
            ready.set()
        while not asked_to_stop():
            time.sleep(0.1)  # a signal's handler runs here at once; this sees its flag within 0.1 s
    except BaseException:
        _stop(preview, server, watcher, rebuilds, None)
        raise
    return _stop(preview, server, watcher, rebuilds, log)


def _stop(preview: Preview, server: PreviewServer | None, watcher: Watcher | None,
          rebuilds: threading.Thread | None, log) -> int:
    """Stop every thread, let a running rebuild give up, save the last completed build's
    state; return 0. (`log` None: stopping because of an error, which the caller reports.)"""
    preview.stopping.set()
    with preview.changed:
        preview.changed.notify_all()  # the reload streams end
    if server is not None:
        server.shutdown()
        server.server_close()
    if watcher is not None:
        watcher.stop()
    if rebuilds is not None:
        rebuilds.join(STOP_WAIT)
    # Saved even if a rebuild has not given up yet: the session saves the state of the last
    # completed build, which a build in progress never touches.
    try:
        preview.session.save()
    except OSError as exc:  # a full disk, say: the preview still stops cleanly; the next one starts afresh
        if log is not None:
            log(f"note: the build cache was not saved ({exc.strerror or exc})")
    if log is not None:
        log("Stopped.")
    return 0
