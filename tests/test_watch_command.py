"""`python build.py watch`: it builds each save, and a `python build.py` run meanwhile is
built by it, from what it holds in memory, with the same result as a build of its own.
Real sites, the real command line in subprocesses, a real watcher."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import threading
import time
from pathlib import Path

import pytest

from broadsheet.watch import Watcher
from conftest import article, make_site, run_cli, snapshot

BY_WATCH = re.compile(r" by the watch \(pid (\d+)\)$", re.MULTILINE)


def small_site(root: Path) -> Path:
    return make_site(root / "site", {
        "content/articles/harbour.md": article("Harbour dredging starts", "2026-03-02 08:00",
                                               "The dredger arrived on Monday.\n", tags="[Harbour]"),
        "content/articles/ferry.md": article("Ferry timetable changes", "2026-03-03 08:00",
                                             "Two sailings move to the evening.\n", tags="[Harbour, Transport]"),
        "content/articles/market.md": article("Market hall roof repaired", "2026-03-04 08:00",
                                              "Scaffolding comes down this week.\n", tags="[Business]"),
    })


def built_by_watch(result, watch) -> bool:
    match = BY_WATCH.search(result.stdout)
    return bool(match) and int(match[1]) == watch.pid


def clean_build_of(site: Path, tmp_path: Path, *args: str) -> dict[str, bytes]:
    """Return a clean build of a copy of the site's sources (its own cache, its own output)."""
    copy = tmp_path / f"clean-{time.monotonic_ns()}"
    shutil.copytree(site, copy, ignore=shutil.ignore_patterns(".cache", "output"))
    result = run_cli("--site", str(copy), "--clean", *args)
    assert result.returncode == 0, result.stderr
    return snapshot(copy / "output")


def test_a_build_while_a_watch_runs_is_built_by_it_and_sees_every_save_made_before(tmp_path, watch_site):
    site = small_site(tmp_path)
    watch = watch_site(site)
    assert (site / "output" / "articles" / "harbour" / "index.html").is_file()
    result = run_cli("--site", str(site))
    assert result.returncode == 0, result.stderr
    assert built_by_watch(result, watch), result.stdout
    assert "0 written" in result.stdout
    page = site / "output" / "articles" / "ferry" / "index.html"
    for round_ in range(8):  # each build right after its save: the watch must have seen it
        text = f"Sailing number {round_} leaves at dusk."
        (site / "content/articles/ferry.md").write_text(article("Ferry timetable changes", "2026-03-03 08:00",
                                                                text + "\n", tags="[Harbour, Transport]"))
        result = run_cli("--site", str(site))
        assert result.returncode == 0, result.stderr
        assert built_by_watch(result, watch), result.stdout
        assert text in page.read_text(encoding="utf-8")
    # A new article, a deleted one: the structure changes, and the watch builds that too.
    (site / "content/articles/pier.md").write_text(article("Pier lights restored", "2026-03-05 08:00",
                                                           "Forty lamps are lit again.\n", tags="[Harbour]"))
    (site / "content/articles/market.md").unlink()
    result = run_cli("--site", str(site))
    assert result.returncode == 0 and built_by_watch(result, watch), result.stdout + result.stderr
    assert (site / "output/articles/pier/index.html").is_file()
    assert not (site / "output/articles/market").exists()
    assert snapshot(site / "output") == clean_build_of(site, tmp_path)


def test_a_build_by_the_watch_reports_errors_at_their_line_and_writes_nothing(tmp_path, watch_site):
    site = small_site(tmp_path)
    watch = watch_site(site)
    before = snapshot(site / "output")
    (site / "content/articles/market.md").write_text("---\ntitle: Market\ndate: not a date\n---\nBody.\n")
    result = run_cli("--site", str(site))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "content/articles/market.md:3:" in result.stderr
    assert "nothing was written" in result.stderr
    assert "Traceback" not in result.stderr + watch.output
    assert snapshot(site / "output") == before
    (site / "content/articles/market.md").write_text(article("Market hall roof repaired", "2026-03-04 08:00",
                                                             "Scaffolding is down.\n", tags="[Business]"))
    result = run_cli("--site", str(site), "--strict")
    assert result.returncode == 0 and built_by_watch(result, watch), result.stdout + result.stderr
    assert "Scaffolding is down." in (site / "output/articles/market/index.html").read_text(encoding="utf-8")


def test_other_options_build_themselves_and_the_watch_then_looks_at_the_whole_folder(tmp_path, watch_site):
    site = small_site(tmp_path)
    (site / "content/articles/draft.md").write_text(article("Council draft budget", "2026-03-06 08:00",
                                                            "Not yet.\n", draft="true"))
    watch = watch_site(site)
    assert not (site / "output/articles/draft").exists()
    drafts = run_cli("--site", str(site), "--drafts")  # another cache: not the watch's
    assert drafts.returncode == 0 and not built_by_watch(drafts, watch), drafts.stdout + drafts.stderr
    assert (site / "output/articles/draft/index.html").is_file()
    # The watch's folder was written by another build: its next build looks at all of it.
    result = run_cli("--site", str(site))
    assert result.returncode == 0 and built_by_watch(result, watch), result.stdout + result.stderr
    assert not (site / "output/articles/draft").exists()
    assert snapshot(site / "output") == clean_build_of(site, tmp_path)
    result = run_cli("--site", str(site), "--clean", "--verbose")  # clean, by the watch
    assert result.returncode == 0 and built_by_watch(result, watch), result.stdout + result.stderr
    assert "site planned afresh" in result.stdout and "3 Markdown bodies converted" in result.stdout


def test_a_stopped_watch_saves_what_it_learned_and_a_killed_one_is_passed_by(tmp_path, watch_site):
    site = small_site(tmp_path)
    watch = watch_site(site)
    (site / "content/articles/harbour.md").write_text(article("Harbour dredging starts", "2026-03-02 08:00",
                                                              "The dredger left on Friday.\n", tags="[Harbour]"))
    assert built_by_watch(run_cli("--site", str(site)), watch)
    channels = list((site / ".cache/broadsheet").glob("watch-*.json"))
    assert len(channels) == 1 and oct(channels[0].stat().st_mode & 0o777) == "0o600"
    watch.stop()
    assert "Stopped." in watch.output
    assert not list((site / ".cache/broadsheet").glob("watch-*.json"))
    result = run_cli("--site", str(site), "--verbose")  # a build of its own, from the saved state
    assert result.returncode == 0 and not BY_WATCH.search(result.stdout), result.stdout + result.stderr
    assert "0 written" in result.stdout and "0 Markdown bodies converted" in result.stdout
    assert snapshot(site / "output") == clean_build_of(site, tmp_path)

    second = watch_site(site)
    os.killpg(second.pid, signal.SIGKILL)  # no clean stop: its channel file stays behind
    second.proc.wait(10)
    assert list((site / ".cache/broadsheet").glob("watch-*.json"))
    (site / "content/articles/market.md").write_text(article("Market hall roof repaired", "2026-03-04 08:00",
                                                             "New tiles.\n", tags="[Business]"))
    result = run_cli("--site", str(site))
    assert result.returncode == 0 and not BY_WATCH.search(result.stdout), result.stdout + result.stderr
    assert snapshot(site / "output") == clean_build_of(site, tmp_path)


def test_a_save_is_built_by_the_watch_without_a_command(tmp_path, watch_site):
    site = small_site(tmp_path)
    watch = watch_site(site)
    mark = watch.mark()
    (site / "content/articles/market.md").write_text(article("Market hall roof repaired", "2026-03-04 08:00",
                                                             "Slates arrive from Wales.\n", tags="[Business]"))
    watch.wait_for_line(r"Built \d+ pages into .*: [1-9]\d* written", start=mark)
    assert "Slates arrive" in (site / "output/articles/market/index.html").read_text(encoding="utf-8")


def test_after_a_quiet_spell_the_watch_puts_right_an_output_folder_changed_by_hand(tmp_path, watch_site):
    site = small_site(tmp_path)
    watch = watch_site(site, "--verify-after", "0.5")
    expected = snapshot(site / "output")
    mark = watch.mark()
    (site / "content/articles/market.md").write_text(article("Market hall roof repaired", "2026-03-04 08:00",
                                                             "Slates arrive.\n", tags="[Business]"))
    watch.wait_for_line(r"Built \d+ pages .*: [1-9]\d* written", start=mark)
    expected = clean_build_of(site, tmp_path)
    time.sleep(1.5)  # the look at every file after the save has happened: the next is after another build
    mark = watch.mark()
    (site / "output/articles/ferry/index.html").unlink()
    (site / "output/articles/harbour/index.html").write_text("edited by hand")
    (site / "output/stray.html").write_text("not the site's")
    result = run_cli("--site", str(site))  # a build, then a quiet spell
    assert built_by_watch(result, watch), result.stdout
    watch.wait_for_line(r"Built \d+ pages .*: 2 written, \d+ unchanged, 1 removed", start=mark)
    assert snapshot(site / "output") == expected


def test_a_watchers_sync_comes_after_every_change_made_before_it(tmp_path):
    site = make_site(tmp_path / "site", {"content/articles/a.md": article(), "layouts/base.html": "x"})
    watcher = Watcher(site)
    watcher.start()
    stop = threading.Event()
    try:
        assert watcher.sync(5.0)
        watcher.take()
        for number in range(20):
            rel = f"content/articles/{'deep/' * (number % 3)}n{number}.md"
            (site / rel).parent.mkdir(parents=True, exist_ok=True)
            (site / rel).write_text(article(f"N {number}"))
            (site / "config.yaml").write_text(f"title: T{number}\n")
            assert watcher.sync(5.0)
            batch = watcher.take()
            assert batch is not None and rel in batch.paths and "config.yaml" in batch.paths, (rel, batch)
        assert not [p for p in site.rglob(".broadsheet-sync-*")]  # its own files are gone
    finally:
        stop.set()
        watcher.stop()


def test_the_channel_file_of_another_engine_or_option_is_not_used(tmp_path, watch_site):
    site = small_site(tmp_path)
    watch = watch_site(site, "--future")
    channel = next((site / ".cache/broadsheet").glob("watch-*.json"))
    assert json.loads(channel.read_text())["pid"] == watch.pid
    result = run_cli("--site", str(site))  # without --future: not the watch's options
    assert result.returncode == 0 and not built_by_watch(result, watch), result.stdout
    result = run_cli("--site", str(site), "--future")
    assert result.returncode == 0 and built_by_watch(result, watch), result.stdout


def test_the_channel_of_a_watch_that_is_gone_is_not_used_even_when_its_port_answers(tmp_path):
    import socket
    import subprocess
    import sys

    from broadsheet.channel import channel_path

    site = small_site(tmp_path)
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    with socket.create_server(("127.0.0.1", 0)) as listener:  # takes the connection, never answers
        listener.listen()
        channel = channel_path(site, None)
        channel.parent.mkdir(parents=True, exist_ok=True)
        channel.write_text(json.dumps({"pid": gone.pid, "port": listener.getsockname()[1], "token": "x" * 32}))
        result = run_cli("--site", str(site))
    assert result.returncode == 0 and not BY_WATCH.search(result.stdout), result.stdout + result.stderr
    assert (site / "output/articles/harbour/index.html").is_file()


@pytest.mark.parametrize("token", ["", "0" * 32])
def test_a_request_without_the_token_is_refused(tmp_path, watch_site, token):
    import socket

    site = small_site(tmp_path)
    watch_site(site)
    channel = json.loads(next((site / ".cache/broadsheet").glob("watch-*.json")).read_text())
    with socket.create_connection(("127.0.0.1", channel["port"]), timeout=5) as connection:
        connection.sendall(json.dumps({"token": token}).encode() + b"\n")
        assert connection.recv(100) == b""  # closed without an answer, nothing built
