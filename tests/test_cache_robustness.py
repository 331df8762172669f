"""The build cache survives anything that can happen to it (issue 10).

A cache file that cannot be read — damaged, cut short, garbage, a store SQLite refuses at
open or only at a later read — is set aside with a note and the build goes on as a clean
one; a build interrupted (Ctrl-C or SIGKILL) while it writes the body store leaves a cache
the next build uses or sets aside, never a site that does not build; temp files of killed
saves do not pile up; a clock set back makes a published article scheduled again; a body
edited while a build converts it is not remembered under the bytes the build planned with.

Every build here is the real thing: `build.py` in a subprocess where the command line is
the point, `pipeline.build` otherwise; outputs are compared with clean builds byte for byte.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from broadsheet import cache, load
from broadsheet.cache import CACHE_DIR
from broadsheet.load import RACY_NS
from broadsheet.pipeline import BuildOptions, Session, build, plan_site
from conftest import REPO, article, make_site, run_cli, snapshot
from test_incremental import assert_same_output

EPOCH = "1780000000"  # 2026-05-28 20:26 UTC


def paragraphs(i: int, version: int, count: int = 3) -> str:
    return "\n\n".join(f"Paragraph {p} of story {i}, version {version}: the council met *again* about the "
                       f"[bridge](/tags/t{i % 5}/) and the river, {i * p} times." for p in range(count)) + "\n"


def news_site(root: Path, count: int, version: int = 0, count_paragraphs: int = 3) -> Path:
    files = {f"content/articles/a{i:04d}.md": article(f"Story {i}", f"2026-0{1 + i % 4}-1{i % 10} 08:{i % 60:02d}",
                                                      paragraphs(i, version, count_paragraphs), tags=f"[T{i % 5}]")
             for i in range(count)}
    return make_site(root, files)


def set_bodies(site: Path, which: range, version: int, count_paragraphs: int = 3) -> None:
    for i in which:
        path = site / f"content/articles/a{i:04d}.md"
        text = path.read_text(encoding="utf-8")
        head = text[:text.index("---", 3) + 4]
        path.write_text(head + paragraphs(i, version, count_paragraphs), encoding="utf-8")


def clean_tree(site: Path, out: Path, *args: str, env: dict | None = None) -> dict[str, bytes]:
    shutil.rmtree(out, ignore_errors=True)
    result = run_cli("--site", str(site), "--clean", "--output", str(out), *args, env=env)
    assert result.returncode == 0, result.stderr
    return snapshot(out)


def cache_file(site: Path, kind: str) -> Path:
    """The state, delta, snapshot or store file of the site's default build."""
    [state] = [p for p in (site / CACHE_DIR).glob("*.pickle") if p.name.count(".") == 1]
    stem = state.name.removesuffix(".pickle")
    return state.with_name({"state": f"{stem}.pickle", "delta": f"{stem}.delta.pickle",
                            "snapshot": f"{stem}.snapshot.pickle", "store": f"{stem}.bodies.sqlite",
                            "keys": f"{stem}.keys.sqlite"}[kind])


# Damaged cache files -----------------------------------------------------------------

@pytest.mark.parametrize("kind, damage", [
    (kind, damage) for kind in ("state", "delta", "snapshot", "store", "keys")
    for damage in ("garbage", "truncated", "empty") + (("late-pages",) if kind in ("store", "keys") else ())])
def test_issue_10_unreadable_cache_file_is_set_aside_with_a_note(tmp_path, kind, damage):
    """late-pages: a store whose first page is sound, so SQLite notices only when it reads the others."""
    site = news_site(tmp_path / "site", 40, count_paragraphs=30)
    env = {"SOURCE_DATE_EPOCH": EPOCH}
    assert run_cli("--site", str(site), env=env).returncode == 0
    set_bodies(site, range(3, 5), 1, 30)
    assert run_cli("--site", str(site), env=env).returncode == 0  # the structure kept: a delta
    path = cache_file(site, kind)
    assert kind == "snapshot" or path.exists()  # no snapshot of files changed just now: a stray one is read all the same
    data = path.read_bytes() if path.exists() else b"\x80\x05stray"
    if kind == "store":
        assert len(data) > 8 * 4096, "the store should hold pages beyond its first"
    path.write_bytes({"garbage": b"\x00\xffnot a cache file at all\n" * 300, "truncated": data[:len(data) // 2],
                      "empty": b"", "late-pages": data[:4096] + b"\xa5" * (len(data) - 4096)}[damage])
    set_bodies(site, range(0, 40, 3), 2, 30)  # pages that show stored bodies render again (feeds, listings)

    result = run_cli("--site", str(site), env=env)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert_same_output(snapshot(site / "output"), clean_tree(site, tmp_path / "clean", env=env))
    quietly_empty = kind == "store" and damage in ("empty", "truncated")  # SQLite may read what is left as a store
    if kind == "keys" and "is not the one of its state" in result.stderr:  # (read as an empty store: no stamp)
        assert damage in ("empty", "truncated") and "note: the build cache's key store" in result.stderr
    elif not quietly_empty:
        assert "note: " in result.stderr and f"{path.name} set aside as {path.name}.unreadable" in result.stderr, \
            result.stderr
        assert path.with_name(path.name + ".unreadable").exists()
    # The next build trusts what this one wrote: no note, and the same output.
    set_bodies(site, range(1, 40, 7), 3, 30)
    result = run_cli("--site", str(site), env=env)
    assert result.returncode == 0 and "note:" not in result.stderr, result.stderr
    assert_same_output(snapshot(site / "output"), clean_tree(site, tmp_path / "clean", env=env))


@pytest.mark.parametrize("damage", ["garbage", "late-pages"])
def test_issue_11_a_store_refused_while_workers_write_their_bodies_to_it_is_set_aside_with_a_note(tmp_path, damage):
    # Every body of 300 converted again (more than bodies.SPILL_AT): the workers put them in
    # the store themselves, each with a connection of its own, into a store damaged since
    # the last build (late-pages: SQLite notices only when a worker writes).
    site = news_site(tmp_path / "site", 300, count_paragraphs=30)
    env = {"SOURCE_DATE_EPOCH": EPOCH}
    assert run_cli("--site", str(site), env=env).returncode == 0
    path = cache_file(site, "store")
    data = path.read_bytes()
    path.write_bytes({"garbage": b"\x00\xffnot a cache file at all\n" * 300,
                      "late-pages": data[:4096] + b"\xa5" * (len(data) - 4096)}[damage])
    set_bodies(site, range(300), 2, 30)
    result = run_cli("--site", str(site), env=env)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert f"{path.name} set aside as {path.name}.unreadable" in result.stderr, result.stderr
    assert_same_output(snapshot(site / "output"), clean_tree(site, tmp_path / "clean", env=env))
    set_bodies(site, range(1, 300, 7), 3, 30)  # the next build trusts the store this one wrote
    result = run_cli("--site", str(site), env=env)
    assert result.returncode == 0 and "note:" not in result.stderr, result.stderr
    assert_same_output(snapshot(site / "output"), clean_tree(site, tmp_path / "clean", env=env))


@pytest.mark.parametrize("apart", [True, False])
def test_issue_11_the_key_store_written_apart_is_what_it_is_written_here(tmp_path, monkeypatch, apart):
    # A whole save of a large state writes the key store in a forked process while the
    # build pickles the rest of the state (cache.KEYS_APART_FROM): the next builds must
    # trust it as one written in the build's process, and a store that cannot be written
    # must be set aside all the same.
    monkeypatch.setattr(cache, "KEYS_APART_FROM", 0 if apart else 10 ** 9)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    site = news_site(tmp_path / "site", 40, count_paragraphs=30)
    assert build(site, BuildOptions()).stats.pages_rendered == 70
    keys, state = cache_file(site, "keys"), cache_file(site, "state")
    time.sleep(RACY_NS / 1e9 + 0.2)
    set_bodies(site, range(3, 4), 1, 30)
    edit = build(site, BuildOptions())
    assert edit.stats.cache_note is None and edit.stats.pages_rendered == 16  # the article, its listings and feeds
    assert_same_output(snapshot(site / "output"), clean_tree(site, tmp_path / "clean"))
    data = keys.read_bytes()
    keys.write_bytes(data[:4096] + b"\xa5" * (len(data) - 4096))  # readable stamp, damaged maps
    state.unlink()  # (planned afresh: the maps are not read, only written)
    assert build(site, BuildOptions()).stats.pages_rendered == 70
    assert keys.with_name(keys.name + ".unreadable").exists()
    after = build(site, BuildOptions())
    assert after.stats.cache_note == "the build cache's key store is not the one of its state; rebuilding everything"
    assert_same_output(snapshot(site / "output"), clean_tree(site, tmp_path / "clean"))


def test_issue_11_a_key_store_damaged_past_its_stamp_is_set_aside_mid_build_and_the_site_built_again(tmp_path):
    """The cache reads the key store's stamp when it loads, its maps only when a build asks
    for a key: damage there is found half-way through a build, which starts again from nothing."""
    site = news_site(tmp_path / "site", 40, count_paragraphs=30)
    env = {"SOURCE_DATE_EPOCH": EPOCH}
    assert run_cli("--site", str(site), env=env).returncode == 0
    path = cache_file(site, "keys")
    db = sqlite3.connect(path)
    page_size = db.execute("PRAGMA page_size").fetchone()[0]
    kept = {1} | {page for page, in db.execute("SELECT rootpage FROM sqlite_master WHERE tbl_name = 'meta'")}
    db.close()
    data = bytearray(path.read_bytes())
    assert len(data) > 8 * page_size, "the maps should fill pages beyond the schema and the stamp"
    for start in range(0, len(data), page_size):
        if start // page_size + 1 not in kept:  # (pages are numbered from 1; the stamp's table and its index kept)
            data[start:start + page_size] = b"\xa5" * page_size
    path.write_bytes(bytes(data))
    set_bodies(site, range(0, 40, 3), 2, 30)

    result = run_cli("--site", str(site), env=env)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "note: the build cache's key store could not be read" in result.stderr
    assert f"{path.name} set aside as {path.name}.unreadable" in result.stderr
    assert_same_output(snapshot(site / "output"), clean_tree(site, tmp_path / "clean", env=env))
    set_bodies(site, range(1, 40, 7), 3, 30)
    result = run_cli("--site", str(site), env=env)
    assert result.returncode == 0 and "note:" not in result.stderr, result.stderr
    assert_same_output(snapshot(site / "output"), clean_tree(site, tmp_path / "clean", env=env))


# Temp files of saves that never finished ----------------------------------------------

def test_issue_10_temp_files_of_killed_cache_saves_are_removed(tmp_path):
    site = news_site(tmp_path / "site", 5)
    assert run_cli("--site", str(site)).returncode == 0
    folder = site / CACHE_DIR
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(gone.stdout)  # a process that has ended
    state = cache_file(site, "state")
    dead = folder / f".{state.name}.{dead_pid}.tmp"
    dead_snapshot = folder / f".{cache_file(site, 'snapshot').name}.{dead_pid}.tmp"
    alive = folder / f".{state.name}.{os.getpid()}.tmp"  # a save in progress in a running process
    stale = folder / f".{state.name}.1.tmp"  # pid 1 runs, but this file is two days old
    for path in (dead, dead_snapshot, alive, stale):
        path.write_bytes(b"half a cache")
    os.utime(stale, (time.time() - 2 * 86_400,) * 2)
    set_bodies(site, range(1), 1)
    result = run_cli("--site", str(site))
    assert result.returncode == 0, result.stderr
    assert not dead.exists() and not dead_snapshot.exists() and not stale.exists()
    assert alive.exists()


# Interrupted while writing the body store ---------------------------------------------

def store_signature(folder: Path) -> tuple:
    """Size and mtime of the body store's files (the database and its journal)."""
    found = []
    for path in sorted(folder.glob("*.bodies.sqlite*")):
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue
        found.append((path.name, stat.st_size, stat.st_mtime_ns))
    return tuple(found)


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL])
def test_issue_10_build_interrupted_while_writing_the_store_leaves_a_cache_that_builds(tmp_path, sig):
    # 1,000 articles, 700 of them edited between builds: the build converts 700 bodies and
    # writes them to the store in several transactions (render.SPILL_AT), each larger than
    # SQLite's page cache. Each round edits them (to one of two versions, so that the clean
    # output of each is built once), starts `build.py`, watches the store's files, and sends
    # the signal a random moment (0-40 ms) after the 1st, 2nd or 3rd write it sees: inside a
    # transaction or its commit. The next build must succeed and equal a clean build, and
    # find nothing to set aside (the old in-memory journal left "database disk image is
    # malformed" here, and a traceback in the next build).
    rounds = int(os.environ.get("BROADSHEET_KILL_ROUNDS", "10"))
    size = 70  # paragraphs: about 12 KB per stored body, 3 MB per transaction
    site = news_site(tmp_path / "site", 1000, count_paragraphs=size)
    folder = site / CACHE_DIR
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    expected = {}
    for version in (1, 2):
        set_bodies(site, range(700), version, size)
        expected[version] = clean_tree(site, tmp_path / f"clean{version}", env=env)
    assert run_cli("--site", str(site), env=env).returncode == 0  # the cache, at version 2
    randomness = random.Random(1000 + sig)
    in_writes = 0
    for round_ in range(rounds):
        version = 1 if round_ % 2 == 0 else 2
        set_bodies(site, range(700), version, size)
        writes, delay = randomness.randint(1, 3), randomness.uniform(0, 0.04)
        last = store_signature(folder)
        process = subprocess.Popen([sys.executable, str(REPO / "build.py"), "--site", str(site)], env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        seen = 0
        while seen < writes and process.poll() is None:
            now = store_signature(folder)
            if now != last:
                seen, last = seen + 1, now
            time.sleep(0.002)
        time.sleep(delay)
        in_writes += seen == writes and process.poll() is None
        process.send_signal(sig)
        _out, err = process.communicate(timeout=120)
        if sig == signal.SIGINT:  # (after SIGKILL, orphaned workers may print a broken pipe: not the cache's)
            assert "Traceback" not in err, err
        result = run_cli("--site", str(site), env=env)
        assert result.returncode == 0, f"round {round_}: the build after the interruption failed:\n{result.stderr}"
        assert "Traceback" not in result.stderr
        assert "note:" not in result.stderr, f"round {round_}: an interruption damaged the cache:\n{result.stderr}"
        assert_same_output(snapshot(site / "output"), expected[version], f"round {round_}")
    assert in_writes >= rounds // 2, f"only {in_writes} of {rounds} signals came while the store was written"


# A clock set back ------------------------------------------------------------------------

def embargo_site(root: Path) -> Path:
    return make_site(root, {
        "content/articles/old.md": article("Old story", "2026-05-01 09:00", "Old.\n", tags="[Town]"),
        "content/articles/embargoed.md": article("Embargoed story", "2026-06-01 10:00", "Embargoed.\n",
                                                 tags="[Town]"),
        "content/articles/later.md": article("Later story", "2026-07-01 10:00", "Later.\n"),
    })


BEFORE, AFTER, LATER = "1780300000", "1780400000", "1783000000"
"""2026-06-01 07:46 UTC (the embargoed article is due at 10:00), 06-02, and 07-03 (all due)."""


def embargoed_pages(tree: dict[str, bytes]) -> list[str]:
    return sorted(path for path, data in tree.items() if b"Embargoed story" in data)


@pytest.mark.slow  # waits once for the files to settle, so that the no-op shortcut is in play
def test_issue_10_clock_set_back_unpublishes_the_embargoed_article(tmp_path):
    site = embargo_site(tmp_path / "site")
    time.sleep(RACY_NS / 1e9 + 0.2)
    out = site / "output"
    for epoch in (AFTER, AFTER, BEFORE, BEFORE, AFTER, LATER, BEFORE, AFTER):
        env = {"SOURCE_DATE_EPOCH": epoch}
        result = run_cli("--site", str(site), "--verbose", env=env)
        assert result.returncode == 0, result.stderr
        clean = clean_tree(site, tmp_path / "clean", env=env)
        assert_same_output(snapshot(out), clean, f"SOURCE_DATE_EPOCH={epoch}")
        assert bool(embargoed_pages(clean)) == (epoch != BEFORE)
        if epoch == BEFORE:
            assert "Next scheduled article: content/articles/embargoed.md" in result.stdout


@pytest.mark.parametrize("mode", ["published", "future", "preview-session"])
def test_issue_10_clock_moving_either_way_gives_the_clean_build(tmp_path, monkeypatch, mode):
    site = embargo_site(tmp_path / "site")
    out = tmp_path / "out"
    options = {"published": BuildOptions(out_dir=out, jobs=1), "future": BuildOptions(out_dir=out, future=True, jobs=1),
               "preview-session": BuildOptions(out_dir=out, preview=True, jobs=1)}[mode]
    session = Session(site, options) if mode == "preview-session" else None
    for epoch in (AFTER, BEFORE, LATER, BEFORE, AFTER):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
        result = session.build() if session else build(site, options)
        clean_out = tmp_path / "clean"
        shutil.rmtree(clean_out, ignore_errors=True)
        build(site, BuildOptions(out_dir=clean_out, future=options.future, preview=options.preview, clean=True,
                                 jobs=1))
        assert_same_output(snapshot(out), snapshot(clean_out), f"{mode}, SOURCE_DATE_EPOCH={epoch}")
        expected_status = {a.slug: a.status for a in result.plan.site.articles}
        if mode == "published":
            assert ("embargoed" in expected_status) == (epoch != BEFORE)
        else:
            assert expected_status["embargoed"] == ("scheduled" if epoch == BEFORE else "published")


# A source edited while the build converts it ---------------------------------------------

def test_issue_10_body_edited_during_conversion_is_stored_under_the_text_converted(tmp_path, monkeypatch):
    # A cold build in worker processes, every body read again from its file when converted
    # (load.TEXT_BUDGET at 0, as past 8 MB of Markdown). The build's own progress report —
    # the first body back from the workers — is where a user's editor saves the last
    # article; the test restores its bytes after the build. Without the fix, the page kept
    # the edited text in every later build: the body was stored under the planned bytes' hash.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.setattr(load, "TEXT_BUDGET", 0)
    count = 240
    site = news_site(tmp_path / "site", count)
    last = plan_site(site, BuildOptions()).site.articles[-1].record.src_path  # bodies convert in site order
    late = site / last
    original = late.read_bytes()
    out = tmp_path / "out"
    for attempt in range(5):  # the workers may (rarely) convert the last body before the first result is back
        shutil.rmtree(site / CACHE_DIR.parts[0], ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)
        late.write_bytes(original)
        edited = []

        def progress(what: str, done: int, total: int) -> None:
            if what == "Markdown" and not edited:
                late.write_bytes(original.replace(b"the council met", b"THE EDITORS MET"))
                edited.append(done)

        build(site, BuildOptions(out_dir=out, jobs=2), progress=progress)
        assert edited, "the cold build converted its bodies in workers"
        if b"THE EDITORS MET" in (out / f"articles/{late.stem}/index.html").read_bytes():
            break
    else:
        pytest.fail("the edit never landed before the body was converted")
    late.write_bytes(original)
    for _ in range(2):
        build(site, BuildOptions(out_dir=out, jobs=1))
        clean_out = tmp_path / "clean"
        shutil.rmtree(clean_out, ignore_errors=True)
        build(site, BuildOptions(out_dir=clean_out, jobs=1, clean=True))
        assert_same_output(snapshot(out), snapshot(clean_out))
