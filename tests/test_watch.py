"""Watching: which paths matter (`classify`, a pure table), and `Watcher` on a real site
folder with real file operations, as editors do them.

Synchronisation never relies on sleeping: `next_batch(stop)` blocks until a burst is
over, and a `threading.Timer` sets `stop` to bound the wait (it then returns None).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from broadsheet.watch import ChangeBatch, ChangeKind, Watcher, classify
from conftest import article, make_site

# watch.py silences this watchdog warning for the server; pytest resets filters per test.
pytestmark = pytest.mark.filterwarnings("ignore:Callback with id:RuntimeWarning")

CONTENT, LAYOUT, STATIC, CONFIG, IGNORED = (ChangeKind.CONTENT, ChangeKind.LAYOUT, ChangeKind.STATIC,
                                            ChangeKind.CONFIG, ChangeKind.IGNORED)

# --------------------------------------------------------------------------- classify


@pytest.mark.parametrize("path, kind", [
    # what the site is made of
    ("content/articles/x.md", CONTENT),
    ("content/articles/2026/deep/x.md", CONTENT),
    ("content/pages/about.md", CONTENT),
    ("content/authors/jane.yaml", CONTENT),
    ("content/images/photo.jpg", CONTENT),
    ("content/articles/4913.md", CONTENT),  # only the bare probe name is vim's
    ("layouts/article.html", LAYOUT),
    ("layouts/partials/head_extra.html", LAYOUT),
    ("layouts/static/site.css", STATIC),
    ("layouts/static/img/logo.svg", STATIC),
    ("config.yaml", CONFIG),
    # the build's own folders, and files that are not the site
    ("output/index.html", IGNORED),
    ("output/articles/x/index.html", IGNORED),
    (".cache/broadsheet/preview/index.html", IGNORED),
    (".cache/broadsheet/0123456789abcdef.pickle", IGNORED),
    (".git/index", IGNORED),
    ("README.md", IGNORED),
    ("build.py", IGNORED),
    ("content", IGNORED),
    ("layouts", IGNORED),
    ("content/articles/.hidden/x.md", IGNORED),
    # vim: swap files, backup, and the write probe
    ("content/articles/.x.md.swp", IGNORED),
    ("content/articles/.x.md.swx", IGNORED),
    ("content/articles/.x.md.swo", IGNORED),
    ("layouts/.article.html.swp", IGNORED),
    (".config.yaml.swp", IGNORED),
    ("content/articles/x.md~", IGNORED),
    ("config.yaml~", IGNORED),
    ("content/articles/4913", IGNORED),
    ("layouts/static/4913", IGNORED),
    # emacs: autosave and lock link
    ("content/articles/#x.md#", IGNORED),
    ("content/articles/.#x.md", IGNORED),
    ("layouts/#article.html#", IGNORED),
    # JetBrains safe write
    ("content/articles/x.md___jb_tmp___", IGNORED),
    ("content/articles/x.md___jb_old___", IGNORED),
    ("layouts/static/site.css___jb_tmp___", IGNORED),
    # VS Code and others: temp files
    ("content/articles/x.md.tmp", IGNORED),
    ("content/articles/.x.md.tmp", IGNORED),
    ("content/articles/x.md.tmp.1234", IGNORED),
    ("config.yaml.tmp", IGNORED),
    # gedit, Kate, macOS
    ("content/articles/.goutputstream-ABC123", IGNORED),
    ("content/articles/x.md.kate-swp", IGNORED),
    ("content/.DS_Store", IGNORED),
    ("layouts/static/.DS_Store", IGNORED),
    (".DS_Store", IGNORED),
])
def test_classify(path: str, kind: ChangeKind) -> None:
    assert classify(path) is kind


# --------------------------------------------------------------------------- Watcher on a real folder

BOUND_SECONDS = 10.0
"""The most a batch that must come is waited for (it normally comes in well under a second)."""
QUIET_WINDOW = 0.6
"""How long activity that must produce nothing is watched."""


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return make_site(tmp_path / "site", {
        "content/articles/alpha.md": article("Alpha"),
        "content/articles/beta.md": article("Beta"),
        "layouts/static/site.css": "body { color: black; }\n",
        "layouts/article.html": "{% extends 'base.html' %}\n",
    })


@pytest.fixture
def watcher(site: Path):
    w = Watcher(site)
    w.start()
    yield w
    w.stop()


def next_batch(watcher: Watcher, within: float = BOUND_SECONDS) -> ChangeBatch | None:
    """Return the next batch, or None when none came within `within` seconds."""
    stop = threading.Event()
    timer = threading.Timer(within, stop.set)
    timer.start()
    try:
        return watcher.next_batch(stop)
    finally:
        timer.cancel()


def expect_batch(watcher: Watcher) -> ChangeBatch:
    batch = next_batch(watcher)
    assert batch is not None, f"no batch within {BOUND_SECONDS} s"
    return batch


def expect_nothing(watcher: Watcher) -> None:
    batch = next_batch(watcher, QUIET_WINDOW)
    assert batch is None, f"unexpected batch: {batch}"


def test_a_write_is_one_batch(site: Path, watcher: Watcher) -> None:
    (site / "content/articles/alpha.md").write_text(article("Alpha", body="Changed.\n"))
    batch = expect_batch(watcher)
    assert batch.paths == ("content/articles/alpha.md",)
    assert batch.kinds == {CONTENT}
    expect_nothing(watcher)


def test_a_new_file(site: Path, watcher: Watcher) -> None:
    (site / "content/articles/gamma.md").write_text(article("Gamma"))
    batch = expect_batch(watcher)
    assert batch.paths == ("content/articles/gamma.md",)


def test_a_new_file_in_new_folders(site: Path, watcher: Watcher) -> None:
    folder = site / "content/articles/2026/03"
    folder.mkdir(parents=True)
    (folder / "delta.md").write_text(article("Delta"))
    paths: set[str] = set()
    while "content/articles/2026/03/delta.md" not in paths:
        paths |= set(expect_batch(watcher).paths)
    (folder / "delta.md").write_text(article("Delta", body="Again.\n"))
    assert expect_batch(watcher).paths == ("content/articles/2026/03/delta.md",)


def test_a_delete(site: Path, watcher: Watcher) -> None:
    (site / "content/articles/beta.md").unlink()
    batch = expect_batch(watcher)
    assert batch.paths == ("content/articles/beta.md",)


def test_a_rename_reports_both_names(site: Path, watcher: Watcher) -> None:
    os.rename(site / "content/articles/beta.md", site / "content/articles/omega.md")
    batch = expect_batch(watcher)
    assert batch.paths == ("content/articles/beta.md", "content/articles/omega.md")


def test_save_by_rename_holds_the_real_file(site: Path, watcher: Watcher) -> None:
    """VS Code and others: write x.md.tmp, then rename it over x.md."""
    tmp = site / "content/articles/alpha.md.tmp"
    tmp.write_text(article("Alpha", body="Saved by rename.\n"))
    os.replace(tmp, site / "content/articles/alpha.md")
    batch = expect_batch(watcher)
    assert batch.paths == ("content/articles/alpha.md",)
    assert batch.kinds == {CONTENT}


def test_jetbrains_safe_write_holds_the_real_file(site: Path, watcher: Watcher) -> None:
    """x___jb_tmp___ written, x renamed to x___jb_old___, the new one renamed to x, the old deleted."""
    real = site / "content/articles/alpha.md"
    new, old = Path(f"{real}___jb_tmp___"), Path(f"{real}___jb_old___")
    new.write_text(article("Alpha", body="JetBrains.\n"))
    os.rename(real, old)
    os.rename(new, real)
    old.unlink()
    batch = expect_batch(watcher)
    assert batch.paths == ("content/articles/alpha.md",)


def test_vim_save_holds_the_real_file(site: Path, watcher: Watcher) -> None:
    """vim with backupcopy=no: the swap file, the 4913 probe, a backup by rename, a new file."""
    folder = site / "content/articles"
    swap = folder / ".alpha.md.swp"
    swap.write_bytes(b"\0" * 4096)
    probe = folder / "4913"
    probe.write_bytes(b"")
    probe.unlink()
    os.rename(folder / "alpha.md", folder / "alpha.md~")
    (folder / "alpha.md").write_text(article("Alpha", body="Vim.\n"))
    (folder / "alpha.md~").unlink()
    swap.unlink()
    batch = expect_batch(watcher)
    assert batch.paths == ("content/articles/alpha.md",)


def test_a_burst_of_writes_is_one_batch(site: Path, watcher: Watcher) -> None:
    path = site / "content/articles/alpha.md"
    for n in range(20):
        path.write_text(article("Alpha", body=f"Save {n}.\n"))
    batch = expect_batch(watcher)
    assert batch.paths == ("content/articles/alpha.md",)
    expect_nothing(watcher)


def test_a_burst_over_several_kinds_is_one_batch(site: Path, watcher: Watcher) -> None:
    (site / "content/articles/alpha.md").write_text(article("Alpha", body="A.\n"))
    (site / "layouts/static/site.css").write_text("body { color: red; }\n")
    (site / "layouts/article.html").write_text("{% extends 'base.html' %}{# changed #}\n")
    (site / "config.yaml").write_text((site / "config.yaml").read_text() + "# changed\n")
    batch = expect_batch(watcher)
    assert batch.paths == ("config.yaml", "content/articles/alpha.md", "layouts/article.html",
                           "layouts/static/site.css")
    assert batch.kinds == {CONTENT, STATIC, LAYOUT, CONFIG}
    assert batch.started > 0
    expect_nothing(watcher)


def test_swap_and_temp_files_alone_make_no_batch(site: Path, watcher: Watcher) -> None:
    folder = site / "content/articles"
    side_files = [".alpha.md.swp", ".alpha.md.swx", "alpha.md~", "4913", "#alpha.md#", "alpha.md___jb_tmp___",
                  "alpha.md___jb_old___", "alpha.md.tmp", ".goutputstream-XYZ123", "alpha.md.kate-swp", ".DS_Store"]
    for name in side_files:
        (folder / name).write_text("scratch\n")
    os.symlink("user@host.1234", folder / ".#alpha.md")  # emacs lock: a dangling link
    (site / "layouts/static/.site.css.swp").write_text("scratch\n")
    (site / ".config.yaml.swp").write_text("scratch\n")
    for name in side_files:
        (folder / name).unlink()
    (folder / ".#alpha.md").unlink()
    expect_nothing(watcher)


def test_an_emacs_lock_link_makes_no_batch(site: Path, watcher: Watcher) -> None:
    """.#x is a dangling link to "user@host.pid": the link is ignored, not what it names."""
    os.symlink("jane@desk.4242:1700000000", site / "content/articles/.#alpha.md")
    os.symlink("jane@desk.4242:1700000000", site / ".#config.yaml")
    expect_nothing(watcher)


def test_output_and_cache_make_no_batch(site: Path, watcher: Watcher) -> None:
    for folder in ("output/articles/alpha", ".cache/broadsheet/preview"):
        (site / folder).mkdir(parents=True)
        (site / folder / "index.html").write_text("<p>built</p>\n")
    (site / "README.md").write_text("notes\n")
    expect_nothing(watcher)


def test_changes_made_while_nobody_waits_are_kept(site: Path, watcher: Watcher) -> None:
    """A burst arriving during a rebuild (nobody in next_batch) is delivered afterwards, whole."""
    first = site / "content/articles/alpha.md"
    first.write_text(article("Alpha", body="One.\n"))
    assert expect_batch(watcher).paths == ("content/articles/alpha.md",)
    # "rebuilding": nobody calls next_batch while these land
    (site / "content/articles/beta.md").write_text(article("Beta", body="Two.\n"))
    (site / "content/articles/gamma.md").write_text(article("Gamma"))
    threading.Event().wait(0.3)  # the "rebuild" takes a while: not a synchronisation
    batch = expect_batch(watcher)
    assert batch.paths == ("content/articles/beta.md", "content/articles/gamma.md")
    expect_nothing(watcher)


def test_next_batch_returns_none_when_stopped(watcher: Watcher) -> None:
    stop = threading.Event()
    stop.set()
    assert watcher.next_batch(stop) is None


def test_polling_observer_sees_a_write(site: Path) -> None:
    w = Watcher(site, polling=True)
    w.start()
    try:
        (site / "content/articles/alpha.md").write_text(article("Alpha", body="Polled, and longer.\n"))
        paths: set[str] = set()
        while "content/articles/alpha.md" not in paths:
            paths |= set(expect_batch(w).paths)
    finally:
        w.stop()


def test_layouts_created_after_start_are_watched(tmp_path: Path) -> None:
    """A site that starts on the built-in theme, then gets a layouts/ folder while serving."""
    site = make_site(tmp_path / "site", {"content/articles/alpha.md": article("Alpha")})
    w = Watcher(site)
    w.start()
    try:
        (site / "layouts/partials").mkdir(parents=True)
        (site / "layouts/partials/head_extra.html").write_text("<meta name=x>\n")
        paths: set[str] = set()
        while "layouts/partials/head_extra.html" not in paths:
            paths |= set(expect_batch(w).paths)
        # and a later edit inside it is seen too
        (site / "layouts/partials/head_extra.html").write_text("<meta name=y>\n")
        assert expect_batch(w).paths == ("layouts/partials/head_extra.html",)
    finally:
        w.stop()


def test_content_deleted_and_made_again_is_watched(site: Path, watcher: Watcher) -> None:
    """A checkout or sync that replaces content/ whole: the new folder is watched."""
    import shutil

    shutil.rmtree(site / "content")
    paths: set[str] = set()
    while "content/articles/alpha.md" not in paths:
        paths |= set(expect_batch(watcher).paths)
    (site / "content/articles").mkdir(parents=True)
    (site / "content/articles/alpha.md").write_text(article("Alpha again"))
    paths = set()
    while "content/articles/alpha.md" not in paths:
        paths |= set(expect_batch(watcher).paths)
    (site / "content/articles/alpha.md").write_text(article("Alpha edited"))
    assert expect_batch(watcher).paths == ("content/articles/alpha.md",)
