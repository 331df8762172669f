"""Issue 10: one build at a time per output folder, with real concurrent processes.

Two `python build.py` processes on one site: the second waits for the first (and says
so), the output is never a mix of both, and the lock of a killed build is stale at once.
A build while `serve` runs on the same site does not wait (the preview has its own folder
and cache). Leftovers of a killed build (its staging folder) never survive a successful
build, not even the no-op shortcut.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from broadsheet.load import RACY_NS
from conftest import REPO, article, make_site, run_cli, snapshot

STAGING = ".broadsheet-staging"


def big_site(root: Path, count: int = 400) -> Path:
    """A site whose cold build takes a second or more: room for a second process to meet it."""
    body = ("A paragraph of a news story, long enough to weigh something. " * 30 + "\n\n") * 3
    return make_site(root, {
        f"content/articles/story-{i:04d}.md": article(f"Story {i}", f"2026-01-{1 + i % 28:02d} 09:{i % 60:02d}",
                                                      body, tags=f"[t{i % 7}, u{i % 11}]",
                                                      draft="true" if i % 5 == 0 else "false")
        for i in range(count)})


def start_build(site: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(REPO / "build.py"), "build", "--site", str(site), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def finish(proc: subprocess.Popen, timeout: float = 120) -> tuple[int, str, str]:
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        raise AssertionError(f"build did not finish within {timeout} s:\n{out}\n{err}") from None
    return proc.returncode, out, err


def wait_until(condition, timeout: float = 60.0, what: str = "the condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(0.005)


def lock_held_by(site: Path, pid: int) -> bool:
    """True when a build lock file of the site names `pid` (the holder writes it once locked)."""
    for path in (site / ".cache" / "broadsheet").glob("build-*.lock"):
        try:
            if path.read_text().strip() == str(pid):
                return True
        except OSError:
            pass
    return False


def staged_count(out: Path) -> int:
    try:
        return len(os.listdir(out / STAGING))
    except (FileNotFoundError, NotADirectoryError):
        return 0


def pages_made(out: Path) -> int:
    """Pages staged, or written in place (a first build: `OutputFolder.in_place`)."""
    return staged_count(out) + sum(1 for _ in out.glob("articles/*/index.html"))


def clean_build(site: Path, tmp_path: Path, name: str, *args: str) -> dict[str, bytes]:
    """The output of a build from scratch (its own output folder and no cache)."""
    out = tmp_path / name
    result = run_cli("build", "--site", str(site), "--output", str(out), "--clean", *args)
    assert result.returncode == 0, result.stderr
    return snapshot(out)


@pytest.mark.slow
def test_issue_10_second_build_waits_for_the_first_and_outputs_never_mix(tmp_path):
    site = big_site(tmp_path / "site")
    out = site / "output"
    first = start_build(site, "--drafts")
    wait_until(lambda: lock_held_by(site, first.pid) or staged_count(out) or first.poll() is not None,
               what="the first build under way")
    assert first.poll() is None, "the first build ended before the second started: make the site bigger"
    second = start_build(site)
    code_1, out_1, err_1 = finish(first)
    code_2, out_2, err_2 = finish(second)
    assert code_1 == 0, err_1
    assert code_2 == 0, err_2
    assert "Traceback" not in err_1 + err_2
    assert f"waiting for another build of this site into {os.path.relpath(out)} (pid {first.pid}) to finish" \
        in err_2, err_2
    assert "waiting" not in err_1
    # The second build ran after the first: what is left is exactly its own site, no drafts.
    assert snapshot(out) == clean_build(site, tmp_path, "clean")
    assert not (out / STAGING).exists()
    assert not list((site / ".cache" / "broadsheet").glob("build-*.lock")), "the lock file was left behind"
    again = run_cli("build", "--site", str(site))  # and the cache both left is sound: nothing to do
    assert again.returncode == 0, again.stderr
    assert " 0 written, " in again.stdout and " 0 removed" in again.stdout, again.stdout


@pytest.mark.slow
def test_issue_10_builds_started_together_all_succeed_one_after_another(tmp_path):
    site = big_site(tmp_path / "site", 200)
    out = site / "output"
    procs = [start_build(site, *(["--drafts"] if i % 2 else [])) for i in range(4)]
    results = [finish(proc) for proc in procs]
    for code, stdout, stderr in results:
        assert code == 0, stderr
        assert "Traceback" not in stderr
    waited = sum("waiting for another build" in stderr for _code, _out, stderr in results)
    assert waited >= 1, "no build met another: the lock was never tested"
    # Whichever came last, the folder holds one whole site: that of the last one, with or without drafts.
    assert snapshot(out) in (clean_build(site, tmp_path, "plain"), clean_build(site, tmp_path, "drafts", "--drafts"))
    assert not (out / STAGING).exists()


@pytest.mark.slow
def test_issue_10_killed_build_leaves_no_lock_and_no_staging_after_a_no_op_build(tmp_path):
    """SIGKILL during staging (the build process alone, as `kill -9 PID` does: its workers
    die with it), then a build that finds nothing changed: it must not wait for the
    dead build, and it removes the staging folder, which `rsync --delete` would publish."""
    site = big_site(tmp_path / "site")
    out = site / "output"
    time.sleep(RACY_NS / 1e9 + 0.2)  # files this fresh are never trusted by the no-op shortcut
    first = run_cli("build", "--site", str(site))
    assert first.returncode == 0, first.stderr
    before = snapshot(out)
    config = site / "config.yaml"
    original = config.read_bytes()
    config.write_bytes(original.replace(b"Test Gazette", b"Test Gazette Weekly"))  # every page changes
    doomed = start_build(site, "--jobs", "2")
    wait_until(lambda: staged_count(out) >= 50 or doomed.poll() is not None, what="pages being staged")
    assert doomed.poll() is None, "the build ended before it could be killed"
    assert lock_held_by(site, doomed.pid)
    os.kill(doomed.pid, signal.SIGKILL)
    doomed.wait(30)
    assert staged_count(out) >= 50, "nothing to clean up: the test proves nothing"
    assert lock_held_by(site, doomed.pid), "the killed build's lock file is gone: stale locks are not tested"
    config.write_bytes(original)  # back as the last good build saw it: a no-op build

    started = time.monotonic()
    result = run_cli("build", "--site", str(site), "--verbose")
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - started < 30
    assert "nothing changed since the last build" in result.stdout, result.stdout  # the no-op shortcut
    assert not (out / STAGING).exists()
    assert snapshot(out) == before
    assert " 0 written, " in result.stdout, result.stdout


def test_issue_10_build_while_serve_runs_does_not_wait(tmp_path, serve_site):
    """The preview builds into its own folder with its own cache: `build` goes ahead."""
    site = make_site(tmp_path / "site", {f"content/articles/a{i}.md": article(f"Story {i}") for i in range(5)})
    server = serve_site(site)
    result = run_cli("build", "--site", str(site))
    assert result.returncode == 0, result.stderr
    assert "waiting" not in result.stderr
    assert snapshot(site / "output") == clean_build(site, tmp_path, "clean")
    assert "Story 4" in server.page("/")  # and the preview still serves


@pytest.mark.slow
def test_issue_10_ctrl_c_stops_a_waiting_build(tmp_path):
    site = big_site(tmp_path / "site")
    first = start_build(site)
    wait_until(lambda: lock_held_by(site, first.pid) or first.poll() is not None, what="the first build's lock")
    second = start_build(site)
    assert "waiting for another build" in second.stderr.readline()
    os.killpg(second.pid, signal.SIGINT)
    code, _out, err = finish(second, timeout=10)
    assert (code, err.strip()) == (130, "interrupted")
    code_1, _out_1, err_1 = finish(first)
    assert code_1 == 0, err_1


def children_of(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def is_running(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers die with their build on Linux (prctl)")
def test_issue_10_workers_of_a_killed_build_stop_at_once_and_silently(tmp_path):
    """`kill -9` of a build that renders in worker processes: the workers end with it,
    print no traceback, and a next build does not wait for them."""
    site = big_site(tmp_path / "site", 600)
    doomed = start_build(site, "--jobs", "2")
    wait_until(lambda: pages_made(site / "output") >= 20 or doomed.poll() is not None, what="pages being written")
    workers = children_of(doomed.pid)
    assert doomed.poll() is None and workers, "the build ended before it could be killed"
    os.kill(doomed.pid, signal.SIGKILL)
    doomed.wait(30)
    wait_until(lambda: not any(is_running(pid) for pid in workers), timeout=2, what="the workers to end")
    assert "Traceback" not in doomed.stderr.read()
    started = time.monotonic()
    code, _out, err = finish(start_build(site))
    assert code == 0, err
    assert "waiting" not in err and time.monotonic() - started < 60
    assert snapshot(site / "output") == clean_build(site, tmp_path, "clean"), "the next build completes the site"


def _frozen_objects(_item: int) -> int:
    import gc
    return gc.get_freeze_count()


def test_issue_11_forked_workers_leave_what_they_inherit_to_the_collector_frozen():
    """A worker's garbage collector does not walk (and so copy) the build's memory it was
    forked with; the build takes its own objects back, and keeps frozen what was frozen."""
    import gc

    from broadsheet.workers import PARALLEL_MIN, WorkerPool

    assert gc.get_freeze_count() == 0
    inherited = [{"n": n} for n in range(1000)]  # the build's objects at the fork
    in_workers = list(WorkerPool(2).map_sources(_frozen_objects, list(range(PARALLEL_MIN))))
    assert min(in_workers) >= len(inherited) and gc.get_freeze_count() == 0
    gc.freeze()  # as a large cache's state is, when loaded
    try:
        frozen = gc.get_freeze_count()
        list(WorkerPool(2).map_sources(_frozen_objects, list(range(PARALLEL_MIN))))
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
