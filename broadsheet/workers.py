"""The worker pool: rendering work run in this process or, when it is worth it, in
processes forked from the build.

Workers inherit the site, the renderer and the output folder; nothing is pickled but the
work list and the results. Each page's bytes depend on the page alone, so the output is the
same whatever the number of workers. Owns the workers' signal handling: Ctrl-C is the
build's, and a worker dies with its build.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
from typing import TYPE_CHECKING, Callable, Iterator

from .bodies import CONVERTED_TOGETHER, chunked
from .errors import Problem
from .output import OutputFolder, Staged

if TYPE_CHECKING:
    from .render import Renderer
    from .routes import Route

PARALLEL_MIN = 48
"""Below this many bodies or pages, worker processes cost more than they save."""
MAX_CHUNK = 32
"""Items a worker takes at a time, at most: a worker sends the results of a chunk at once
(32 bodies are about half a megabyte), and a chunk of thousands of bodies would be held
whole by the worker and again by the build while it takes them in."""
PAGES_PER_CHUNK = 64
"""Pages a worker takes at a time, at most: pages of one kind come together and some kinds
cost ten times others (a tag's feed, 3.4 ms, against an article's 0.5 ms), so with large
chunks one worker could be left with the last costly one while the others wait (at 4,000
articles, chunks of 438 pages left a worker idle for 1.4 s of 4.2 s)."""
PAGES_AT_THE_END = 4
"""Pages in each of the last chunks: the chunks shrink towards the end (`page_chunks`), so
that the workers finish together (with chunks of 64 to the end, one worker went on alone
for 0.35 s of a 2.5 s stage at 4,000 articles: the last pages are feeds, 3 ms each)."""
PAGES_PER_STEP = 8
"""Pages rendered in this process between two progress reports."""

Progress = Callable[[str, int, int], None]
"""Called as progress(what, done, total) while a long build renders."""

_WORKER: tuple[Renderer, OutputFolder | None] | None = None
"""What the forked workers of the running map inherit (set only while it runs): a global
because fork hands it over without pickling it, which no argument could."""


def _ignore_interrupts(build_pid: int) -> None:
    """Workers leave Ctrl-C to the build, which stops them: no traceback per worker. A worker
    whose build is killed (`kill -9`) dies with it: an orphan would finish its chunk of pages
    into the staging folder, keep the build lock held, and print a broken-pipe traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the pool stops its workers with SIGTERM
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    if sys.platform.startswith("linux"):
        import ctypes  # here: only forked workers need it

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != build_pid:  # killed before the line above took effect
        os._exit(1)


def _convert_bodies(call: tuple[str, list[str]]) -> list:
    """Run the renderer's method named `call[0]` on the sources `call[1]` (`convert` or
    `convert_and_store`: a bound method would pickle its renderer)."""
    method, src_paths = call
    return getattr(_WORKER[0], method)(src_paths)


def _render_page_chunk(routes: list[Route]) -> tuple[list[Staged], list[Problem]]:
    renderer, folder = _WORKER
    return renderer.render_routes(routes, lambda output: folder.stage_bytes(output.out_path, output.data))


class WorkerPool:
    """Runs rendering work in this process or, when it is worth it, in forked workers."""

    def __init__(self, jobs: int, progress: Progress | None = None):
        self.jobs = jobs
        self.progress = progress
        self._ahead = None
        """The workers `fork_ahead` started, until `render_pages` takes them (or `close`)."""

    def can_fork(self, count: int) -> bool:
        """True when `count` items are rendered in forked workers (not in this process)."""
        if self.jobs <= 1 or count < PARALLEL_MIN:
            return False
        import multiprocessing  # here: a rebuild that converts a handful does not load it
        return "fork" in multiprocessing.get_all_start_methods()

    def _run(self, renderer: Renderer, folder: OutputFolder | None, function: Callable, items: list,
             what: str, sizes: list[int] | None = None, meanwhile: Callable[[], None] = lambda: None,
             chunk: int | None = None) -> Iterator:
        """Map `function` over `items` in forked workers, in order, reporting progress; yield
        each result as it arrives (the caller need not hold them all). `meanwhile` is called
        once the workers have the items, before the first result is taken. A worker takes
        `chunk` items at a time (by default, `chunk_size`)."""
        global _WORKER
        pool, self._ahead = self._ahead or self._fork(renderer, folder), None
        try:
            chunk = chunk or self.chunk_size(len(items))
            with pool:
                results = pool.imap(function, items, chunksize=chunk)
                meanwhile()
                yield from self._reported(results, what, len(items), sizes)
        finally:
            _WORKER = None

    def chunk_size(self, count: int) -> int:
        """Items a worker takes at a time, of `count`: eight chunks a worker at least."""
        return max(1, min(count // (self.jobs * 8), MAX_CHUNK))

    def _fork(self, renderer: Renderer, folder: OutputFolder | None):
        """Start the workers, each inheriting `renderer` and `folder` as they are now."""
        global _WORKER
        _WORKER = (renderer, folder)  # (kept while the pool lives: a worker that dies is forked again)
        import multiprocessing
        context = multiprocessing.get_context("fork")
        # Ctrl-C (and SIGTERM) are held back while the workers are forked (Ctrl-C goes to the
        # whole process group): a worker interrupted half-way through starting can hang the build.
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        # The workers' garbage collector leaves alone what they inherit (`gc.freeze`, as
        # Python's documentation advises before a fork): its passes would write to every
        # inherited object, copying each page of the build's memory into each worker. This
        # process takes its objects back at once, unless they were frozen already (a large
        # cache's state, `cache.FREEZE_MIN`).
        freezing = gc.get_freeze_count() == 0
        if freezing:
            gc.freeze()
        try:
            return context.Pool(self.jobs, initializer=_ignore_interrupts, initargs=(os.getpid(),))
        except BaseException:
            _WORKER = None
            raise
        finally:
            if freezing:
                gc.unfreeze()
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)

    def fork_ahead(self, renderer: Renderer, folder: OutputFolder, count: int) -> None:
        """Start now the workers that will render `count` pages, when they are worth it: a
        worker starts from the build's memory as it is at the fork, and what the build makes
        before it renders (every page's fingerprint, 70 MB at 50,000 articles) the workers
        do not read. `render_pages` takes them; `close` stops them if it did not."""
        if self._ahead is None and self.can_fork(count):
            self._ahead = self._fork(renderer, folder)

    def close(self) -> None:
        """Stop the workers `fork_ahead` started, if `render_pages` did not take them."""
        global _WORKER
        if self._ahead is not None:
            self._ahead.terminate()
            self._ahead, _WORKER = None, None

    def _here(self, function: Callable, items: list, what: str, sizes: list[int] | None = None) -> Iterator:
        """Map `function` over `items` in this process, reporting progress after each item:
        a build that its progress callback stops (the preview's Ctrl-C) stops between two."""
        return self._reported(map(function, items), what, len(items), sizes)

    def _reported(self, results: Iterator, what: str, count: int, sizes: list[int] | None) -> Iterator:
        """Yield `results` (of `count` items, weighing `sizes` if given), reporting progress after each."""
        done = 0
        total = sum(sizes) if sizes else count
        for index, result in enumerate(results):
            done += sizes[index] if sizes else 1
            if self.progress:
                self.progress(what, done, total)
            yield result

    def map_sources(self, function: Callable, items: list) -> Iterator:
        """A `map` for `load.load_records`: the sources read in forked workers when there
        are enough (a cold build parses every front matter: 0.2 ms a file). `function` is
        one of `load`'s, which the workers find by its name."""
        if not self.can_fork(len(items)):
            return map(function, items)
        return self._run(None, None, function, items, "sources")

    def map_for(self, renderer: Renderer) -> Callable:
        """Return a `map` for `Renderer.render_bodies`: `function` (a method of `renderer`
        taking a list of sources) over chunks of `items`, one result per item; parallel
        when there is enough to do."""
        def map_bodies(function: Callable, items) -> Iterator:
            items = list(items)
            forked = self.can_fork(len(items))  # (a rebuild converts a handful: no workers)
            chunks = chunked(items, self.chunk_size(len(items)) if forked else CONVERTED_TOGETHER)
            sizes = [len(chunk) for chunk in chunks]
            if forked:
                results = self._run(renderer, None, _convert_bodies, [(function.__name__, chunk) for chunk in chunks],
                                    "Markdown", sizes, chunk=1)
            else:
                results = self._here(function, chunks, "Markdown", sizes)
            return (result for chunk_results in results for result in chunk_results)
        return map_bodies

    def render_pages(self, renderer: Renderer, folder: OutputFolder, routes: list[Route],
                     meanwhile: Callable[[], None] = lambda: None) -> tuple[list[Staged], list[Problem]]:
        """Render `routes` and stage their bytes; return the staged pages and template
        problems. `meanwhile` is called while forked workers render (else before)."""
        forked = self.can_fork(len(routes))
        if forked:
            chunks = page_chunks(routes, self.jobs)
            results = self._run(renderer, folder, _render_page_chunk, chunks, "pages", [len(c) for c in chunks],
                                meanwhile)
        else:
            meanwhile()
            chunks = chunked(routes, PAGES_PER_STEP)
            results = self._here(lambda chunk: renderer.render_routes(
                chunk, lambda output: folder.stage_bytes(output.out_path, output.data)),
                chunks, "pages", [len(c) for c in chunks])
        staged: list[Staged] = []
        problems: list[Problem] = []
        seen: set[str] = set()
        for chunk_staged, chunk_problems in results:
            staged += chunk_staged
            if forked:  # while the workers render (here, nothing is gained: `commit` makes them)
                folder.make_folders(chunk_staged)
            for problem in chunk_problems:
                if problem.format() not in seen:
                    seen.add(problem.format())
                    problems.append(problem)
        return staged, problems


def page_chunks(routes: list[Route], jobs: int) -> list[list[Route]]:
    """Cut `routes` into the chunks the workers take, in order: at most `PAGES_PER_CHUNK`
    pages, and a share of what is left that shrinks to `PAGES_AT_THE_END` (guided
    scheduling): a worker taking the last chunk is not left rendering alone for long."""
    chunks, start = [], 0
    while start < len(routes):
        size = max(PAGES_AT_THE_END, min((len(routes) - start) // (jobs * 8), PAGES_PER_CHUNK))
        chunks.append(routes[start:start + size])
        start += size
    return chunks
