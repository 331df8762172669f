"""Output safety: nothing lost on failure, only changes written, stale files removed,
refusals of dangerous output folders, containment, and theme static files.

Every test works on a real site in a temporary folder through the real command line
(`run_cli`) or the Python API (`pipeline.build`).
"""

from __future__ import annotations

import gc
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest

from broadsheet.errors import SiteErrors
from broadsheet.output import OutputFolder
from broadsheet.pipeline import BuildOptions, build
from broadsheet.templates import THEME_DIR
from conftest import article, make_site, run_cli, snapshot

MARKER = ".broadsheet-output"


def site_files() -> dict[str, str | bytes]:
    return {
        "content/articles/alpha.md": article("Alpha story", "2026-03-03 10:00",
                                             "Alpha opening paragraph.\n\nAlpha second paragraph old.\n",
                                             tags="[Common, Solo]", authors="[Zed Solo]"),
        "content/articles/beta.md": article("Beta story", "2026-03-02 10:00", "Beta body.\n", tags="[Common]"),
        "content/articles/gamma.md": article("Gamma story", "2026-03-01 10:00", "Gamma body.\n", tags="[Other]"),
        "content/pages/about.md": "---\ntitle: About\n---\nAbout us.\n",
        "content/images/a.svg": b"<svg xmlns='http://www.w3.org/2000/svg'/>\n",
    }


def built_site(tmp_path: Path) -> tuple[Path, Path]:
    site = make_site(tmp_path / "site", site_files())
    result = run_cli("build", "--site", str(site))
    assert result.returncode == 0, result.stderr
    return site, site / "output"


def stats(folder: Path) -> dict[str, tuple[int, int]]:
    """(inode, mtime in ns) of every file: a rewrite by rename changes the inode."""
    return {p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def tree(folder: Path) -> set[str]:
    """Every path under `folder`, files, folders and links, relative."""
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")}


def summary_counts(stdout: str) -> tuple[int, int, int]:
    match = re.search(r"(\d+) written, (\d+) unchanged, (\d+) removed", stdout)
    assert match, f"no summary line in {stdout!r}"
    return int(match[1]), int(match[2]), int(match[3])


# --------------------------------------------------------------------------- nothing lost on failure

@pytest.mark.parametrize("breakage", ["content", "template"])
def test_failed_build_leaves_output_untouched(tmp_path, breakage):
    site, out = built_site(tmp_path)
    before, before_stats = snapshot(out), stats(out)
    # Also change a good article, so that a build that wrote anything would be visible.
    (site / "content/articles/beta.md").write_text(article("Beta story renamed", "2026-03-02 10:00"), encoding="utf-8")
    if breakage == "content":
        (site / "content/articles/broken.md").write_text(article("Broken", "next tuesday"), encoding="utf-8")
    else:
        make_site(site, {"layouts/article.html": "{% extends 'base.html' %}{% block main %}{{ article.no_such_field.x }}"
                                                 "{% endblock %}\n"}, config=None)
    result = run_cli("build", "--site", str(site))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "nothing was written" in result.stderr
    assert "Traceback" not in result.stderr
    expected_place = "content/articles/broken.md:3" if breakage == "content" else "layouts/article.html:1"
    assert expected_place in result.stderr
    assert snapshot(out) == before
    assert stats(out) == before_stats


def test_a_build_whose_workers_fail_on_one_page_leaves_no_folder_behind(tmp_path):
    # With workers, the folders of the pages already rendered are made while the others
    # render (output.make_folders); a page that fails removes them with the staged pages.
    stories = {f"content/articles/s{n:02d}.md": article(f"Story {n}", f"2026-02-{1 + n % 28:02d} 08:00", f"Body {n}.\n",
                                                        tags=f"[T{n % 4}]") for n in range(60)}
    site = make_site(tmp_path / "site", stories)
    out = site / "output"
    assert run_cli("build", "--site", str(site), "--jobs", "2").returncode == 0
    before, before_tree = snapshot(out), tree(out)
    for n in range(60, 120):  # new pages, in new folders
        make_site(site, {f"content/articles/s{n:03d}.md": article(f"Story {n}", "2026-03-01 08:00", f"Body {n}.\n")},
                  config=None)
    make_site(site, {"layouts/article.html": "{% extends 'base.html' %}{% block main %}"
                                             "{% if article.title == 'Story 100' %}{{ article.no_such_field }}{% endif %}"
                                             "{% endblock %}\n"}, config=None)
    result = run_cli("build", "--site", str(site), "--jobs", "2")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "layouts/article.html:1" in result.stderr and "nothing was written" in result.stderr
    assert tree(out) == before_tree
    assert snapshot(out) == before


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_first_build_writes_its_pages_in_place_and_one_that_fails_leaves_the_folder_empty(tmp_path, jobs):
    # Issue 11: into a folder that holds nothing yet, pages are written straight into their
    # places (no staging folder, nothing renamed at the end); a build that fails empties it
    # again. A folder that holds pages still gets them staged.
    stories = {f"content/articles/s{n:02d}.md": article(f"Story {n}", f"2026-02-{1 + n % 28:02d} 08:00", f"Body {n}.\n")
               for n in range(60)}
    site = make_site(tmp_path / "site", stories)
    out = tmp_path / "out"
    seen: list[set[str]] = []

    def look(what: str, done: int, total: int) -> None:
        if what == "pages" and not seen:
            seen.append(tree(out))

    make_site(site, {"layouts/article.html": "{% extends 'base.html' %}{% block main %}"
                                             "{% if article.title == 'Story 3' %}{{ article.no_such_field }}{% endif %}"
                                             "{% endblock %}\n"}, config=None)
    with pytest.raises(SiteErrors, match="no_such_field"):
        build(site, BuildOptions(out_dir=out, jobs=jobs), progress=look)
    assert seen and any(path.endswith("/index.html") for path in seen[0]), "pages were in place while others rendered"
    assert not any(path.startswith(".broadsheet-staging") for path in seen[0])
    assert tree(out) == {MARKER}
    (site / "layouts/article.html").unlink()
    seen.clear()
    build(site, BuildOptions(out_dir=out, jobs=jobs), progress=look)
    assert any(path.endswith("/index.html") for path in seen[0])  # emptied again: in place again
    assert not any(path.startswith(".broadsheet-staging") for path in seen[0])
    first = snapshot(out)
    (site / "content/articles/s07.md").write_text(article("Story 7", "2026-02-08 08:00", "Edited.\n"), encoding="utf-8")
    seen.clear()
    build(site, BuildOptions(out_dir=out, jobs=jobs), progress=look)
    assert any(path.startswith(".broadsheet-staging/") for path in seen[0]), "a folder with pages gets them staged"
    assert snapshot(out) != first and ".broadsheet-staging" not in tree(out)


def test_a_folder_written_in_place_is_surveyed_as_it_was_found(tmp_path):
    # A cold build surveys its output folder (for the fingerprints) while the workers write
    # the pages in place: a walk then met their temp files, renamed by the time it looked
    # at them ("...feed.xml.834.bs-tmp went away while the site was being built", once in CI).
    (tmp_path / "site").mkdir()
    folder = OutputFolder.claim(tmp_path / "out", tmp_path / "site")
    folder.write_in_place_if_empty()
    assert folder.in_place
    (tmp_path / "out/feed.xml.834.bs-tmp").write_bytes(b"<feed/>")  # a worker's page, half-way
    assert set(folder.survey()) == {MARKER}


# --------------------------------------------------------------------------- incremental writing

def test_second_build_writes_nothing(tmp_path):
    site, out = built_site(tmp_path)
    before = stats(out)
    result = run_cli("build", "--site", str(site))
    assert result.returncode == 0, result.stderr
    written, unchanged, removed = summary_counts(result.stdout)
    assert (written, removed) == (0, 0)
    assert unchanged == len(before) - 1  # every file but the marker
    assert stats(out) == before


def test_first_build_summary_counts_every_file(tmp_path):
    site = make_site(tmp_path / "site", site_files())
    result = run_cli("build", "--site", str(site))
    assert result.returncode == 0, result.stderr
    files = [p for p in (site / "output").rglob("*") if p.is_file() and p.name != MARKER]
    assert summary_counts(result.stdout) == (len(files), 0, 0)


def test_changed_article_rewrites_only_affected_files(tmp_path):
    site, out = built_site(tmp_path)
    before = stats(out)
    path = site / "content/articles/alpha.md"
    # The same number of words in a later paragraph: only the article's own page shows it.
    path.write_text(path.read_text(encoding="utf-8").replace("second paragraph old", "second paragraph new"),
                    encoding="utf-8")
    result = run_cli("build", "--site", str(site))
    assert result.returncode == 0, result.stderr
    after = stats(out)
    assert set(after) == set(before)
    changed = sorted(name for name in before if before[name] != after[name])
    allowed_extra = {name for name in before if name.endswith((".xml", ".json"))}  # feeds carry article bodies
    assert "articles/alpha/index.html" in changed
    assert set(changed) - allowed_extra == {"articles/alpha/index.html"}
    assert summary_counts(result.stdout) == (len(changed), len(before) - 1 - len(changed), 0)
    assert "Alpha second paragraph new." in (out / "articles/alpha/index.html").read_text(encoding="utf-8")


def test_changed_title_rewrites_listings_but_not_unrelated_pages(tmp_path):
    site, out = built_site(tmp_path)
    before = stats(out)
    path = site / "content/articles/gamma.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Gamma story", "Gamma story retitled"), encoding="utf-8")
    result = run_cli("build", "--site", str(site))
    assert result.returncode == 0, result.stderr
    after = stats(out)
    changed = {name for name in before if before[name] != after[name]}
    assert {"articles/gamma/index.html", "index.html", "tags/other/index.html", "archive/2026/03/index.html"} <= changed
    assert "archive/index.html" not in changed  # years, months and counts only (issue 11)
    for untouched in ("tags/solo/index.html", "about/index.html", "static/broadsheet.css", "images/a.svg"):
        assert untouched not in changed, untouched


def test_deleted_article_and_emptied_tag_are_removed(tmp_path):
    site, out = built_site(tmp_path)
    assert (out / "articles/alpha/index.html").is_file() and (out / "tags/solo/index.html").is_file()
    assert (out / "authors/zed-solo/index.html").is_file()
    (site / "content/articles/alpha.md").unlink()
    result = run_cli("build", "--site", str(site))
    assert result.returncode == 0, result.stderr
    assert not (out / "articles/alpha").exists()
    assert not (out / "tags/solo").exists()
    assert not (out / "authors/zed-solo").exists()
    assert (out / "tags/common/index.html").is_file() and (out / "articles/beta/index.html").is_file()
    _written, _unchanged, removed = summary_counts(result.stdout)
    assert removed >= 3
    # What is left is exactly what a clean build gives.
    clean = tmp_path / "clean"
    assert run_cli("build", "--site", str(site), "--output", str(clean)).returncode == 0
    assert snapshot(out) == snapshot(clean)
    assert tree(out) == tree(clean)


def test_deleted_asset_is_removed(tmp_path):
    site, out = built_site(tmp_path)
    (site / "content/images/a.svg").unlink()
    (site / "content/images").rmdir()
    assert run_cli("build", "--site", str(site)).returncode == 0
    assert not (out / "images").exists()


def test_killed_build_leftovers_are_repaired(tmp_path):
    site, out = built_site(tmp_path)
    good = snapshot(out)
    page = out / "articles/alpha/index.html"
    page.write_bytes(page.read_bytes()[: len(good["articles/alpha/index.html"]) // 2])  # truncated
    (out / "articles/alpha/.index.html.123.bs-tmp").write_bytes(b"<html><body>half")
    (out / ".index.html.4567.bs-tmp").write_bytes(b"")
    (out / "static/.broadsheet.css.99.bs-tmp").write_bytes(b"body{")
    result = run_cli("build", "--site", str(site))
    assert result.returncode == 0, result.stderr
    assert snapshot(out) == good
    assert not list(out.rglob("*.bs-tmp"))


def test_file_standing_where_a_folder_belongs_is_replaced(tmp_path):
    site, out = built_site(tmp_path)
    good = snapshot(out)
    shutil.rmtree(out / "tags/common")
    (out / "tags/common").write_text("stray file")
    assert run_cli("build", "--site", str(site)).returncode == 0
    assert snapshot(out) == good


# --------------------------------------------------------------------------- refused output folders

def assert_refused(tmp_path: Path, site: Path, output: Path, reason: str) -> None:
    before = snapshot(tmp_path)
    before_tree = tree(tmp_path)
    result = run_cli("build", "--site", str(site), "--output", str(output))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "refusing" in result.stderr and reason in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(tmp_path) == before
    assert tree(tmp_path) == before_tree


def test_refuses_the_site_folder(tmp_path):
    site = make_site(tmp_path / "site", site_files())
    assert_refused(tmp_path, site, site, "site folder")


def test_refuses_the_site_folder_through_a_relative_path(tmp_path):
    site = make_site(tmp_path / "site", site_files())
    before = snapshot(tmp_path)
    result = run_cli("build", "--output", ".", cwd=site)
    assert result.returncode == 2, result.stderr
    assert snapshot(tmp_path) == before


def test_refuses_a_folder_containing_content(tmp_path):
    site = make_site(tmp_path / "site", site_files())
    other = make_site(tmp_path / "other-site", {"content/articles/keep.md": article("Keep me")})
    assert_refused(tmp_path, site, other, "content/")


def test_refuses_a_parent_of_the_site(tmp_path):
    site = make_site(tmp_path / "parent" / "site", site_files())
    assert_refused(tmp_path, site, tmp_path / "parent", "content/")


def test_refuses_a_non_empty_foreign_folder(tmp_path):
    site = make_site(tmp_path / "site", site_files())
    foreign = tmp_path / "photos"
    foreign.mkdir()
    (foreign / "holiday.jpg").write_bytes(b"\xff\xd8 precious")
    (foreign / "index.html").write_text("<p>my own page</p>")
    assert_refused(tmp_path, site, foreign, "not empty")


def test_refuses_a_folder_with_only_hidden_files(tmp_path):
    site = make_site(tmp_path / "site", site_files())
    foreign = tmp_path / "repo"
    (foreign / ".git").mkdir(parents=True)
    (foreign / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    assert_refused(tmp_path, site, foreign, "not empty")


@pytest.mark.parametrize("inner", ["content/out", "content", "content/articles/out", "layouts/out"])
def test_refuses_a_folder_inside_the_sources(tmp_path, inner):
    site = make_site(tmp_path / "site", {**site_files(), "layouts/partials/head_extra.html": ""})
    assert_refused(tmp_path, site, site / inner, "")


def test_refuses_a_file(tmp_path):
    site = make_site(tmp_path / "site", site_files())
    (tmp_path / "notes.txt").write_text("notes")
    assert_refused(tmp_path, site, tmp_path / "notes.txt", "file")


def test_accepts_an_empty_existing_folder(tmp_path):
    site = make_site(tmp_path / "site", site_files())
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run_cli("build", "--site", str(site), "--output", str(empty))
    assert result.returncode == 0, result.stderr
    assert (empty / MARKER).is_file()
    assert (empty / "index.html").is_file()
    again = run_cli("build", "--site", str(site), "--output", str(empty))  # now marked as ours
    assert again.returncode == 0, again.stderr


def test_accepts_a_new_nested_folder_outside_the_site(tmp_path):
    site = make_site(tmp_path / "site", site_files())
    result = run_cli("build", "--site", str(site), "--output", str(tmp_path / "deploy" / "www"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "deploy/www/articles/alpha/index.html").is_file()


def test_files_added_to_a_marked_output_are_removed(tmp_path):
    """The marker means Broadsheet owns the folder: strays are deleted, folders too."""
    site, out = built_site(tmp_path)
    good = snapshot(out)
    (out / "stray.html").write_text("x")
    (out / "old" / "deep").mkdir(parents=True)
    (out / "old" / "deep" / "page.html").write_text("x")
    result = run_cli("build", "--site", str(site))
    assert result.returncode == 0, result.stderr
    assert snapshot(out) == good
    assert not (out / "old").exists()


def test_survey_walked_by_another_process_sees_what_a_walk_sees(tmp_path):
    """The CLI's build has the output folder walked by a forked process while it loads the
    cache: what comes back must be exactly what a walk here finds, strays and empty
    folders included, and no process may be left behind (not even by a failing build)."""
    site, out = built_site(tmp_path)
    (out / "stray.html").write_text("x")
    (out / "empty" / "deeper").mkdir(parents=True)
    (out / "articles/alpha/index.html").write_text("edited by hand")
    forked = OutputFolder.claim(out, site)
    forked.start_survey()
    walked = OutputFolder.claim(out, site)
    assert forked.survey() == walked.survey()
    assert forked._survey[1] == walked._survey[1]  # the empty folders, which finish() removes
    assert "stray.html" in walked.survey() and "empty/deeper/" in walked.survey()

    (site / "content/articles/broken.md").write_text(article("Broken", "next tuesday"), encoding="utf-8")
    with pytest.raises(SiteErrors):
        build(site, BuildOptions())
    gc.collect()
    with pytest.raises(ChildProcessError):  # no child of this process is left, running or not
        os.waitpid(-1, os.WNOHANG)


# --------------------------------------------------------------------------- containment

def files_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file() or p.is_symlink()}


HOSTILE_VALUES = ["../../etc", "..", "/abs", "%2e%2e", "../../../tmp/x", "a/../../b", "..\\..\\win", "./.", "~root"]


class _Title(HTMLParser):
    def __init__(self):
        super().__init__()
        self.inside, self.text = False, ""

    def handle_starttag(self, tag, attrs):
        self.inside = tag == "title"

    def handle_endtag(self, tag):
        self.inside = False

    def handle_data(self, data):
        if self.inside:
            self.text += data


def page_title(path: Path) -> str:
    parser = _Title()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.text.strip()


def is_output_or_cache(path, out, site) -> bool:
    """True for a file inside the output folder or the site's build cache (checked on real paths)."""
    real = path.resolve()
    return real.is_relative_to(out.resolve()) or real.is_relative_to((site / ".cache" / "broadsheet").resolve())


@pytest.mark.parametrize("field", ["slug", "tags", "authors"])
@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_hostile_paths_never_write_outside_output(tmp_path, field, value):
    site = tmp_path / "site"
    extra = {field: json.dumps(value if field == "slug" else [value])}
    make_site(site, {"content/articles/x.md": article("Hostile", **extra),
                     "content/articles/y.md": article("Neighbour", "2026-02-01 10:00", tags="[calm]")})
    before = files_under(tmp_path)
    out = site / "output"
    try:
        build(site, BuildOptions(out_dir=out))
        failure = None
    except SiteErrors as exc:
        failure = exc
    new = files_under(tmp_path) - before
    for path in new:
        assert is_output_or_cache(path, out, site), f"{path} was written outside {out} and the build cache"
    if failure is None:
        # Site-wide pages survive: no hostile page took their place.
        assert page_title(out / "index.html") == "Test Gazette"
        assert page_title(out / "authors/index.html").startswith("Authors")
        assert page_title(out / "tags/index.html").startswith("Topics")
        assert page_title(out / "archive/index.html").startswith("Archive")
        assert "Neighbour" in (out / "index.html").read_text(encoding="utf-8")
        hostile_pages = [p for p in out.rglob("*.html") if page_title(p).startswith(("Hostile", value))]
        assert hostile_pages, "the hostile article or its tag/author page is missing"
    else:
        assert new == set(), "a failed build wrote files"
        assert any(p.is_error and p.loc and p.loc.src_path == "content/articles/x.md" for p in failure.problems)


def test_hostile_slug_through_the_command_line(tmp_path):
    site = make_site(tmp_path / "site", {"content/articles/x.md": article("T", slug='"../../../escaped"',
                                                                          tags='["../../escaped-tag"]')})
    before = files_under(tmp_path)
    result = run_cli("build", "--site", str(site))
    assert result.returncode == 0, result.stderr
    assert "not a URL slug" in result.stderr  # warned, and made safe
    new = files_under(tmp_path) - before
    assert all(is_output_or_cache(p, site / "output", site) for p in new)
    assert (site / "output/articles/escaped/index.html").is_file()
    assert (site / "output/tags/escaped-tag/index.html").is_file()


def test_hostile_paths_through_the_python_api(tmp_path):
    site = make_site(tmp_path / "site", {
        f"content/articles/a{i}.md": article(f"T{i}", slug=json.dumps(v), tags=json.dumps([v + " tag"]))
        for i, v in enumerate(["../../etc", "/abs", "%2e%2e"])})
    before = files_under(tmp_path)
    out = tmp_path / "out"
    build(site, BuildOptions(out_dir=out))
    new = files_under(tmp_path) - before
    assert new, "nothing was written"
    assert all(is_output_or_cache(p, out, site) for p in new)


def test_symlink_inside_output_is_not_written_through(tmp_path):
    site, out = built_site(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "sentinel.txt").write_text("keep")
    victim = tmp_path / "victim.html"
    victim.write_text("precious")
    # A folder of the output and a page of the output replaced by links that lead outside.
    shutil.rmtree(out / "articles/beta")
    (out / "articles/beta").symlink_to(outside, target_is_directory=True)
    (out / "articles/alpha/index.html").unlink()
    (out / "articles/alpha/index.html").symlink_to(victim)
    before_outside = snapshot(outside)
    # A change that rewrites the home page, the archive and gamma's page: a refused build
    # must not leave them half updated.
    gamma = site / "content/articles/gamma.md"
    gamma.write_text(gamma.read_text(encoding="utf-8").replace("Gamma story", "Gamma retitled"), encoding="utf-8")
    before_out = {name: st for name, st in stats(out).items() if not name.startswith("articles/beta/")}

    result = run_cli("build", "--site", str(site))
    assert "Traceback" not in result.stderr
    assert snapshot(outside) == before_outside
    assert sorted(p.name for p in outside.iterdir()) == ["sentinel.txt"]
    assert victim.read_text() == "precious"
    if result.returncode == 0:
        for rel in ("articles/beta/index.html", "articles/alpha/index.html"):
            path = out / rel
            assert path.is_file() and not path.is_symlink() and not path.parent.is_symlink(), rel
        assert "Gamma retitled" in (out / "index.html").read_text(encoding="utf-8")
    else:
        assert "outside the output folder" in result.stderr, result.stderr
        after_out = {name: st for name, st in stats(out).items() if not name.startswith("articles/beta/")}
        assert after_out == before_out, "a refused build changed the output"


# --------------------------------------------------------------------------- theme static files

def test_layout_static_files_are_copied_and_override_the_theme(tmp_path):
    custom_css = "/* the site's own stylesheet */\nbody { color: black; }\n"
    site = make_site(tmp_path / "site", {**site_files(),
                                         "layouts/static/broadsheet.css": custom_css,
                                         "layouts/static/js/extra.js": "console.log('hi');\n",
                                         "layouts/static/.hidden": "secret\n"})
    result = run_cli("build", "--site", str(site))
    assert result.returncode == 0, result.stderr
    out = site / "output"
    assert (out / "static/broadsheet.css").read_text(encoding="utf-8") == custom_css
    assert (out / "static/js/extra.js").read_text(encoding="utf-8") == "console.log('hi');\n"
    assert not (out / "static/.hidden").exists()
    theme_static = THEME_DIR / "static"
    for path in theme_static.rglob("*"):
        if path.is_file() and path.name != "broadsheet.css":
            rel = path.relative_to(theme_static).as_posix()
            assert (out / "static" / rel).read_bytes() == path.read_bytes(), rel
    assert 'href="/static/broadsheet.css"' in (out / "index.html").read_text(encoding="utf-8")


def test_changed_static_file_is_copied_again(tmp_path):
    site = make_site(tmp_path / "site", {**site_files(), "layouts/static/site.css": "a{}\n"})
    assert run_cli("build", "--site", str(site)).returncode == 0
    css = site / "layouts/static/site.css"
    css.write_text("a{color:red}\n")
    os.utime(css, ns=(css.stat().st_atime_ns, css.stat().st_mtime_ns + 5_000_000_000))
    result = run_cli("build", "--site", str(site))
    assert result.returncode == 0, result.stderr
    assert (site / "output/static/site.css").read_text() == "a{color:red}\n"
    assert summary_counts(result.stdout)[0] == 1
    (site / "layouts/static/site.css").unlink()
    assert run_cli("build", "--site", str(site)).returncode == 0
    assert not (site / "output/static/site.css").exists()
    assert (site / "output/static/broadsheet.css").read_bytes() == (THEME_DIR / "static/broadsheet.css").read_bytes()


# --------------------------------------------------------------------------- full and read-only disks
# A full disk and a read-only folder are made for real: a small tmpfs mounted over the
# folder (and remounted read-only). That needs root on Linux, which CI may not grant:
# the tests skip where `mount` is refused (chmod would not do: root ignores it).

@pytest.fixture
def tmpfs():
    """mount(path, size) → path, a fresh tmpfs of that size; unmounted at teardown."""
    mounted: list[Path] = []

    def mount(path: Path, size: int) -> Path:
        if not sys.platform.startswith("linux") or os.geteuid() != 0:
            pytest.skip("a small tmpfs can only be mounted by root on Linux")
        path.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                              capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"mount is not permitted here: {done.stderr.strip()}")
        mounted.append(path)
        return path

    yield mount
    for path in reversed(mounted):
        subprocess.run(["umount", "-l", str(path)], check=False)


def make_read_only(path: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(path)], check=True)


def blocks(folder: Path) -> int:
    """The bytes a folder's files take on a tmpfs (whole 4 KiB pages)."""
    return sum(-(-p.stat().st_size // 4096) * 4096 for p in folder.rglob("*") if p.is_file())


def assert_one_line_error(result, *expected: str) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("error: cannot write "), result.stderr
    assert len(lines) <= 2 and all(line.startswith("  hint: ") for line in lines[1:]), result.stderr
    for text in expected:
        assert text in result.stderr, result.stderr


def test_issue_10_full_disk_leaves_the_output_as_it_was(tmp_path, tmpfs):
    site = make_site(tmp_path / "site", site_files())
    assert run_cli("build", "--site", str(site), "--output", str(tmp_path / "measure")).returncode == 0
    out = tmpfs(tmp_path / "out", blocks(tmp_path / "measure") + 6 * 4096)  # room for one build, not two
    first = run_cli("build", "--site", str(site), "--output", str(out))
    assert first.returncode == 0, first.stderr
    before = snapshot(out)
    config = site / "config.yaml"
    config.write_text(config.read_text().replace("Test Gazette", "Test Gazette Weekly"))  # every page changes
    result = run_cli("build", "--site", str(site), "--output", str(out))
    assert_one_line_error(result, "the disk is full", "hint: free some space")
    assert snapshot(out) == before
    assert not (out / ".broadsheet-staging").exists()


def test_issue_10_read_only_output_folder_is_one_line(tmp_path, tmpfs):
    site = make_site(tmp_path / "site", site_files())
    out = tmpfs(tmp_path / "out", 4 << 20)
    assert run_cli("build", "--site", str(site), "--output", str(out)).returncode == 0
    before = snapshot(out)
    make_read_only(out)
    (site / "content/articles/beta.md").write_text(article("Beta retitled", "2026-03-02 10:00"), encoding="utf-8")
    result = run_cli("build", "--site", str(site), "--output", str(out))
    assert_one_line_error(result, "read-only")
    assert snapshot(out) == before


def test_issue_10_read_only_site_folder_builds_into_a_writable_output(tmp_path, tmpfs):
    """A read-only site (its cache folder with it): the build goes ahead without the cache,
    with a note; into the site's own output/ it stops with one line."""
    site = tmpfs(tmp_path / "site", 4 << 20)
    make_site(site, site_files())
    make_read_only(site)
    out = tmp_path / "out"
    result = run_cli("build", "--site", str(site), "--output", str(out))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "note: the cache folder" in result.stderr and "cannot be written" in result.stderr, result.stderr
    assert snapshot(out) == snapshot(built_site(tmp_path / "writable")[1])
    assert not list(Path(tempfile.gettempdir()).glob("broadsheet-cache-*")), "the throw-away cache was left"
    again = run_cli("build", "--site", str(site), "--output", str(out))
    assert again.returncode == 0, again.stderr
    assert " 0 written, " in again.stdout, again.stdout  # unchanged pages are not rewritten
    inside = run_cli("build", "--site", str(site))
    assert_one_line_error(inside, "read-only")


def test_issue_10_full_cache_folder_is_one_line(tmp_path, tmpfs):
    site = make_site(tmp_path / "site", site_files())
    tmpfs(site / ".cache", 8192)
    result = run_cli("build", "--site", str(site), "--output", str(tmp_path / "out"))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stderr.startswith("error: cannot write ") and "full" in result.stderr, result.stderr


# --------------------------------------------------------------------------- links never followed out

def test_issue_10_link_planted_as_the_staging_folder_is_not_followed(tmp_path):
    site, out = built_site(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (out / ".broadsheet-staging").symlink_to(elsewhere, target_is_directory=True)
    gamma = site / "content/articles/gamma.md"  # a change: pages to stage
    gamma.write_text(gamma.read_text(encoding="utf-8").replace("Gamma story", "Gamma retitled"), encoding="utf-8")
    # First a build that stages pages and then fails (a broken template for one page):
    # what it staged through a followed link would stay there.
    make_site(site, {"layouts/page.html": "{% extends 'base.html' %}{% block main %}{{ page.no_such.x }}"
                                          "{% endblock %}\n"}, config=None)
    failed = run_cli("build", "--site", str(site), "--jobs", "1")
    assert failed.returncode == 1 and "layouts/page.html" in failed.stderr, failed.stderr
    assert list(elsewhere.iterdir()) == [], "pages were written through the link"
    (out / ".broadsheet-staging").symlink_to(elsewhere, target_is_directory=True)  # planted again
    (site / "layouts/page.html").unlink()
    result = run_cli("build", "--site", str(site))
    assert result.returncode == 0, result.stderr
    assert list(elsewhere.iterdir()) == [], "pages were written through the link"
    assert not os.path.lexists(out / ".broadsheet-staging")
    assert "Gamma retitled" in (out / "index.html").read_text(encoding="utf-8")
    clean = tmp_path / "clean"
    assert run_cli("build", "--site", str(site), "--output", str(clean)).returncode == 0
    assert snapshot(out) == snapshot(clean)


def test_issue_10_static_links_out_of_their_folder_are_not_published(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("the server's password\n")
    site = make_site(tmp_path / "site", {**site_files(), "layouts/static/css/real.css": "a{}\n",
                                         "layouts/static/.private/key.txt": "hidden\n", ".git/config": "token\n"})
    static = site / "layouts/static"
    (static / "passwd.txt").symlink_to(secret)
    (static / "git.txt").symlink_to(site / ".git/config")
    (static / "key.txt").symlink_to(static / ".private/key.txt")
    (static / "folder").symlink_to(tmp_path, target_is_directory=True)
    (static / "alias.css").symlink_to(static / "css/real.css")  # inside its folder: fine
    result = run_cli("build", "--site", str(site))
    assert result.returncode == 0, result.stderr
    out = site / "output/static"
    assert (out / "alias.css").read_text() == "a{}\n" and (out / "css/real.css").is_file()
    for name in ("passwd.txt", "git.txt", "key.txt", "folder"):
        assert not os.path.lexists(out / name), name
        assert f"layouts/static/{name}: warning: a link to " in result.stderr, result.stderr
    assert "password" not in "".join(p.read_text(errors="replace") for p in (site / "output").rglob("*") if p.is_file())


def test_issue_10_content_links_out_of_content_or_into_hidden_files_are_not_published(tmp_path):
    site = make_site(tmp_path / "site", {**site_files(), ".git/config": "[remote]\n  url = https://token@host/x\n",
                                         "content/.notes/plan.md": article("Secret plan"),
                                         "content/files/real.txt": "public\n"})
    (site / "content/files/config.txt").symlink_to(site / ".git/config")
    (site / "content/files/settings.yaml").symlink_to(site / "config.yaml")
    (site / "content/articles/plan.md").symlink_to(site / "content/.notes/plan.md")
    (site / "content/files/alias.txt").symlink_to(site / "content/files/real.txt")  # inside content/: fine
    result = run_cli("build", "--site", str(site))
    assert result.returncode == 0, result.stderr
    out = site / "output"
    assert (out / "files/alias.txt").read_text() == "public\n"
    for rel in ("content/files/config.txt", "content/files/settings.yaml", "content/articles/plan.md"):
        assert f"{rel}: warning: a link to a file outside content/" in result.stderr, result.stderr
    assert not (out / "files/config.txt").exists() and not (out / "files/settings.yaml").exists()
    assert not (out / "articles/plan").exists()
    everything = "".join(p.read_text(errors="replace") for p in out.rglob("*") if p.is_file())
    assert "token@" not in everything and "Secret plan" not in everything


def test_issue_10_kill_during_the_final_moves_is_repaired_by_the_next_build(tmp_path):
    """What a build killed while moving its pages into place leaves: some pages new, some
    old, the rest still staged, the cache of the build before. The next build repairs it."""
    site, out = built_site(tmp_path)
    old = snapshot(out)
    beta = site / "content/articles/beta.md"
    beta.write_text(article("Beta story renamed", "2026-03-02 10:00", "A new body.\n", tags="[Common]"),
                    encoding="utf-8")
    new_out = tmp_path / "new"
    shutil.copytree(out, new_out)  # the build that gets killed, played in a copy with a copy of the cache
    shutil.copytree(site / ".cache", tmp_path / "cache-before")
    assert run_cli("build", "--site", str(site), "--output", str(new_out)).returncode == 0
    new = snapshot(new_out)
    changed = sorted(rel for rel in new if old.get(rel) != new[rel])
    assert len(changed) >= 4
    shutil.rmtree(site / ".cache")
    shutil.copytree(tmp_path / "cache-before", site / ".cache")
    staging = out / ".broadsheet-staging"
    staging.mkdir()
    for index, rel in enumerate(changed):
        if index % 2:  # moved into place before the kill
            temp = out / rel.replace("/", "_")
            temp.write_bytes(new[rel])
            os.replace(temp, out / rel)
        else:  # still staged
            (staging / f"99999-{index}").write_bytes(new[rel])
    assert snapshot(out) != old and snapshot(out) != new  # a mix
    result = run_cli("build", "--site", str(site))
    assert result.returncode == 0, result.stderr
    assert not staging.exists()
    clean = tmp_path / "clean"
    assert run_cli("build", "--site", str(site), "--output", str(clean)).returncode == 0
    assert snapshot(out) == snapshot(clean)
