"""The live preview: build into a private folder, serve it, rebuild on save, reload tabs.

Owns the preview HTTP server (standard library, one thread per connection), the reload
channel (server-sent events at /__broadsheet/events), the script and error overlay it
injects into served pages (never into `build` output), and the loop that turns a burst
of saves into one incremental rebuild. Serving reads only inside the preview folder;
pages are replaced by rename, so a page is never served half-written.
"""

from __future__ import annotations

import collections
import errno
import json
import os
import posixpath
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .config import read_config_safely
from .errors import Problem, SiteErrors, UsageError
from .pipeline import BuildOptions, BuildResult, Session
from .watch import ChangeBatch, Watcher

PREVIEW_DIR = Path(".cache") / "broadsheet" / "preview"
EVENTS_PATH = "/__broadsheet/events"
HEARTBEAT_SECONDS = 10.0
PORT_TRIES = 20

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


class Preview:
    """The preview of one site: its folder, its current state, and the tabs listening."""

    def __init__(self, site_dir: Path, base_path: str, *, log=print):
        self.site_dir = site_dir
        self.folder = site_dir / PREVIEW_DIR
        self.base_path = base_path
        self.log = log
        self.state = PreviewState()
        self.changed = threading.Condition()
        self.history: collections.deque[PreviewState] = collections.deque(maxlen=64)
        """The last states published, for tabs that missed some."""
        self.stopping = threading.Event()
        self.session = Session(site_dir, BuildOptions(out_dir=self.folder, preview=True, jobs=1))
        """The builds of this preview; its cache stays in memory between rebuilds."""

    def rebuild(self, batch: ChangeBatch | None = None, *, parallel: bool = False) -> BuildResult | None:
        """Build the preview; tell the tabs what changed, or what went wrong.

        Only the first build, before any thread starts, may fork worker processes:
        forking a process that runs threads can deadlock. A build after a batch of saves
        looks only at the files the watcher reported (see `verify`).
        """
        return self._build(batch, parallel=parallel)

    def verify(self) -> None:
        """Build once more looking at every file, in case the watcher missed one; silent
        when it finds nothing (the usual case: it then renders and writes nothing), and
        when it fails (a file caught half-saved: the save's own rebuild follows)."""
        self._build(None, quiet=True)

    def _build(self, batch: ChangeBatch | None, *, parallel: bool = False, quiet: bool = False,
               retried: bool = False) -> BuildResult | None:
        started = time.perf_counter()
        try:
            result = self.session.build(parallel=parallel, touched=frozenset(batch.paths) if batch else None)
        except FileNotFoundError as exc:  # a file went away while it was read (deleted, or saved by rename)
            if retried or quiet:
                return None
            gone = os.path.relpath(exc.filename, self.site_dir) if exc.filename else "a file"
            self.log(f"{gone} went away during the rebuild: rebuilding again")
            return self._build(None, quiet=quiet, retried=True)
        except SiteErrors as exc:
            if quiet:
                return None
            text = "\n".join(self.describe(p) for p in exc.problems)
            self.log(text)
            errors = sum(p.is_error for p in exc.problems)
            self.log(f"{errors} error{'s' if errors != 1 else ''}: still serving the last good build")
            self.publish(PreviewState(self.state.epoch + 1, problems=text))
            return None
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
        self.log(f"Rebuilt in {time.perf_counter() - started:.2f} s{what}: {len(result.report.written)} written, "
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

    def log_message(self, format: str, *args) -> None:  # the terminal is for builds, not requests
        pass

    def do_HEAD(self) -> None:
        self.do_GET(head=True)

    def do_GET(self, head: bool = False) -> None:
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
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], preview: Preview):
        self.preview = preview
        super().__init__(address, _Handler)

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


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def serve(site_dir: Path, host: str = "127.0.0.1", port: int = 8000, *, polling: bool = False,
          log=print, ready: threading.Event | None = None, stop: threading.Event | None = None) -> int:
    """Build, serve and watch until Ctrl-C (or `stop`); return the exit status."""
    if threading.current_thread() is threading.main_thread():
        # `docker stop`, systemd and `kill` stop the preview as cleanly as Ctrl-C does
        # (installed first: a SIGTERM may come as soon as the server says it is ready).
        signal.signal(signal.SIGTERM, _interrupt)
    config, _problems = read_config_safely(site_dir)
    preview = Preview(site_dir, config.base_path, log=log)
    started = time.perf_counter()
    preview.rebuild(parallel=True)
    server = bind(host, port, preview, log=log)
    watcher = Watcher(site_dir, polling=polling)
    watcher.start()
    threads = [threading.Thread(target=server.serve_forever, name="http", daemon=True),
               threading.Thread(target=preview.watch_loop, args=(watcher,), name="rebuild", daemon=True)]
    for thread in threads:
        thread.start()
    shown_host = f"[{host}]" if ":" in host else host
    log(f"Serving the preview on http://{shown_host}:{server.server_address[1]}{config.base_path} "
        f"(drafts and scheduled articles included; ready in {time.perf_counter() - started:.2f} s). "
        f"Ctrl-C to stop.")
    if ready:
        ready.set()
    try:
        while not (stop and stop.is_set()):
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        preview.stopping.set()
        with preview.changed:
            preview.changed.notify_all()
        watcher.stop()
        server.shutdown()
        server.server_close()
        threads[1].join(timeout=10)
        preview.session.save()
        log("Stopped.")
    return 0
