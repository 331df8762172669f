"""`python build.py watch`: a build that stays, and answers the command line at once.

A watch builds the site into its output folder, then keeps what the build learned in
memory (`pipeline.Session`) and a watcher on the sources (`watch.Watcher`): each save is
built as soon as the burst of saves is over, and a `python build.py` of the same site,
output folder and options, run meanwhile, is built by the watch (`ask`): the watcher is
synced (`Watcher.sync`), so that the build sees every change made before the command, and
builds only the files that changed: no walk of the content folder, no cache to load, no
survey of the output folder. The command prints the watch's report as its own and exits
with its status. Without a watch, `ask` answers None and the command builds as always.

The output folder is the watch's while it runs. A build by any other process (a
different option, say) marks it (`BuildLock.written_stamp`): the watch's next build surveys it
whole. A change made by hand is put right by the build that follows a quiet spell
(`VERIFY_AFTER`): it looks at every source and every output file, as a cold build does.

The channel is a TCP connection on the loopback address (every system has one), its port
and a secret token in `.cache/broadsheet/watch-<key>.json`, readable by its owner only.
"""

from __future__ import annotations

import io
import json
import os
import secrets
import signal
import socketserver
import threading
import time
from dataclasses import replace
from pathlib import Path

from .channel import channel_path
from .output import BuildLock, OutputFolder
from .pipeline import BuildResult, Session, lock_path
from .plan import BuildOptions
from .reports import Terminal, report_build, report_failure
from .serve import StopRequest

SYNC_SECONDS = 2.0
"""How long a request waits for the watcher's sync before it builds looking at every file."""
VERIFY_AFTER = 30.0
"""Seconds without a build after which the watch looks at every file once (a change the
watcher could miss, an output file changed by hand): `--verify-after`."""


def _stamp_of(path: Path) -> tuple[int, int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size, stat.st_ino)


class Watch:
    """One running watch: the session, the watcher, and one build at a time."""

    def __init__(self, site_dir: Path, options: BuildOptions, *, polling: bool = False, log=print,
                 verify_after: float = VERIFY_AFTER):
        self.site_dir = site_dir
        self.options = replace(options, clean=False, jobs=None)
        self.log = log
        self.session = Session(site_dir, replace(self.options, jobs=1))
        folder = OutputFolder(options.out_dir or site_dir / "output")
        self.stamp_path = BuildLock(lock_path(site_dir, folder)).written_stamp
        self.stamp = _stamp_of(self.stamp_path)
        self.channel = channel_path(site_dir, options.out_dir, drafts=options.drafts, future=options.future,
                                    base_url=options.base_url)
        self.token = secrets.token_hex(16)
        self.building = threading.Lock()
        """One build at a time: a save's, or a command's."""
        self.stopping = threading.Event()
        self.polling = polling
        self.watcher = None
        self.server: socketserver.ThreadingTCPServer | None = None
        self.verify_after = verify_after
        self.unverified = False
        """A build ran since the last look at every file."""
        self.built_at = time.monotonic()
        """When the last build ended (time.monotonic())."""
        self.unbuilt: frozenset[str] | None = frozenset()
        """The paths of the last build, when it failed (None: it looked at every file)."""

    def build(self, *, touched: frozenset[str] | None, parallel: bool = False, strict: bool = False,
              clean: bool = False) -> BuildResult:
        """Build (under `building`); raise what the build raises. `touched`: the paths changed
        since the last build, None when not known. The paths of a build that failed are
        built again by the next one (whose own may not name them)."""
        session = self.session
        stamp = _stamp_of(self.stamp_path)
        if stamp != self.stamp:  # another process built into the folder: look at all of it
            session.memory.folder_trusted = False
            touched = None
        if clean:
            session.memory.forget()
            touched = None
        if touched is not None and self.unbuilt is not None:
            touched = touched | self.unbuilt
        else:
            touched = None
        session.options = replace(self.options, jobs=1, strict=strict)
        self.stamp = stamp
        try:
            result = session.build(parallel=parallel, touched=touched)
        except BaseException:
            self.unbuilt = touched
            raise
        finally:
            self.built_at = time.monotonic()
        self.unbuilt = frozenset()
        return result

    def answer(self, request: dict) -> dict:
        """Build for a command line; return its exit status and what it prints."""
        out, err = io.StringIO(), io.StringIO()
        terminal = Terminal(out, err, request.get("cwd") or None)
        with self.building:
            synced = self.watcher.sync(SYNC_SECONDS)
            batch = self.watcher.take()
            touched = (frozenset(batch.paths) if batch else frozenset()) if synced else None
            self.unverified = True
            try:
                result = self.build(touched=touched, strict=bool(request.get("strict")),
                                    clean=bool(request.get("clean")))
                code = report_build(result, self.site_dir, bool(request.get("verbose")), terminal,
                                    by=f"the watch (pid {os.getpid()})")
            except BaseException as exc:  # noqa: BLE001 - reported to the command, as it would report it
                code = self._failed(exc, terminal)
        return {"code": code, "out": out.getvalue(), "err": err.getvalue()}

    def _failed(self, exc: BaseException, terminal: Terminal) -> int:
        """Report a failed build as the command line would; a bug's traceback goes to the
        watch's terminal. Return the exit status."""
        code = report_failure(exc, "build", self.site_dir, terminal)
        if code is not None:
            return code
        import traceback
        self.log(traceback.format_exc().rstrip())
        print(f"error: the build failed: {type(exc).__name__}: {exc}\n"
              "hint: a bug in Broadsheet (its traceback is on the watch's terminal)", file=terminal.err)
        return 1

    def on_saves(self) -> None:
        """Build each burst of saves; after `verify_after` seconds without a build, look at
        every source and every output file once."""
        watcher = self.watcher
        while not self.stopping.is_set():
            burst = watcher.wait_for_burst(self.stopping, self.verify_after / 2)
            if self.stopping.is_set():
                return
            if not burst and (not self.unverified or time.monotonic() - self.built_at < self.verify_after):
                continue
            out, err = io.StringIO(), io.StringIO()
            terminal = Terminal(out, err)
            with self.building:
                batch = watcher.take() if burst else None
                if burst and batch is None:
                    continue  # a command's build took the saves
                if batch is None:  # the look at every file: the output folder's too
                    self.session.memory.folder_trusted = False
                self.unverified = batch is not None
                try:
                    result = self.build(touched=frozenset(batch.paths) if batch else None,
                                        strict=self.options.strict)
                    if batch is None and not (result.report.written or result.report.removed):
                        continue  # everything was in order: say nothing
                    report_build(result, self.site_dir, False, terminal)
                except BaseException as exc:  # noqa: BLE001 - the watch outlives a failed build
                    self._failed(exc, terminal)
                    self.unverified = True
            text = (err.getvalue() + out.getvalue()).rstrip()
            if text:
                self.log(text)

    def serve(self, ready: threading.Event | None = None) -> int:
        """Build, then watch and answer until stopped (SIGINT, SIGTERM); return 0."""
        from .watch import Watcher  # here: the command line imports `ask`, not watchdog

        request = StopRequest()
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, request)
            signal.signal(signal.SIGTERM, request)
        started = time.perf_counter()
        self.session.memory.cache.drop_snapshot()  # this watch writes the folder without one
        self.session.memory.folder_trusted = False
        out, err = io.StringIO(), io.StringIO()
        with self.building:  # before any thread: its workers may fork
            try:
                code = report_build(self.build(touched=None, parallel=True, strict=self.options.strict),
                                    self.site_dir, False, Terminal(out, err))
            except BaseException as exc:  # noqa: BLE001 - a site with errors is watched all the same
                code = report_failure(exc, "build", self.site_dir, Terminal(out, err))
                if code is None:
                    raise
                self.unverified = True
        self.log((err.getvalue() + out.getvalue()).rstrip())
        self.watcher = Watcher(self.site_dir, polling=self.polling)
        self.watcher.start()
        threads = [threading.Thread(target=self.on_saves, name="saves", daemon=True)]
        try:
            self.server = _Server(("127.0.0.1", 0), self)
            threads.append(threading.Thread(target=self.server.serve_forever, args=(0.1,), name="requests",
                                            daemon=True))
            for thread in threads:
                thread.start()
            self._publish_channel()
            self.log(f"Watching {os.path.relpath(self.site_dir)} (ready in {time.perf_counter() - started:.2f} s): "
                     "each save is built; `python build.py` with the same options is answered by this watch. "
                     "Ctrl-C to stop.")
            if ready is not None:
                ready.set()
            while not request.signum and not self.stopping.is_set():
                time.sleep(0.1)
        finally:
            self._stop(threads)
        self.log("Stopped.")
        return 0

    def _publish_channel(self) -> None:
        port = self.server.server_address[1]
        self.channel.parent.mkdir(parents=True, exist_ok=True)
        temp = self.channel.with_name(self.channel.name + f".{os.getpid()}.tmp")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump({"pid": os.getpid(), "port": port, "token": self.token}, handle)
        os.replace(temp, self.channel)

    def _stop(self, threads: list[threading.Thread]) -> None:
        self.stopping.set()
        try:
            if json.loads(self.channel.read_text(encoding="utf-8")).get("pid") == os.getpid():
                self.channel.unlink()
        except (OSError, ValueError, AttributeError):
            pass
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
        if self.watcher is not None:
            self.watcher.stop()
        with self.building:  # the build running ends first
            try:
                self.session.save()
            except OSError as exc:
                self.log(f"note: the build cache was not saved ({exc.strerror or exc})")
            self.session.memory.cache.drop_snapshot()


class _Handler(socketserver.StreamRequestHandler):
    server: "_Server"

    def handle(self) -> None:
        try:
            request = json.loads(self.rfile.readline(1 << 20))
        except ValueError:
            return
        watch = self.server.watch
        if not isinstance(request, dict) or not secrets.compare_digest(str(request.get("token", "")), watch.token):
            return
        self.wfile.write(json.dumps(watch.answer(request)).encode())


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = False

    def __init__(self, address: tuple[str, int], watch: Watch):
        self.watch = watch
        super().__init__(address, _Handler)


def watch(site_dir: Path, options: BuildOptions, *, polling: bool = False, log=print,
          verify_after: float = VERIFY_AFTER, ready: threading.Event | None = None,
          stop: threading.Event | None = None) -> int:
    """Run `python build.py watch`: build, then build each save and answer the command line."""
    running = Watch(site_dir, options, polling=polling, log=log, verify_after=verify_after)
    if stop is not None:
        threading.Thread(target=lambda: (stop.wait(), running.stopping.set()), daemon=True).start()
    return running.serve(ready)


