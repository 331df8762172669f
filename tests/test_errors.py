"""Errors: clear, complete, and nothing lost (SPEC.md "Errors" and "Command line").

Unreadable sources, configuration errors, exit statuses, every error in one run, the
previous output left exactly as it was, --strict, `check`, `new` and `--help`. The CLI
runs for real in a subprocess (`python build.py ...`) with the site as its working
folder, so messages are compared exactly as a user sees them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from broadsheet.errors import SiteErrors
from broadsheet.pipeline import BuildOptions, plan_site

from conftest import NESTS_EMPHASIS, REPO, article, make_site, run_cli, snapshot

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)
EPOCH = str(int(NOW.timestamp()))
X = "content/articles/x.md"
UTF8_HINT = "  hint: save the file as UTF-8 in your editor"
DATE_HINT = "  hint: write it as 2026-11-24 or 2026-11-24 14:30 (optionally with +01:00)"


def cli(site: Path, *args: str) -> subprocess.CompletedProcess:
    """Run the CLI in the site folder, at a fixed "now"."""
    result = run_cli(*args, cwd=site, env={"SOURCE_DATE_EPOCH": EPOCH})
    assert "Traceback" not in result.stderr, result.stderr
    return result


def problems_of(site: Path, **options) -> list[str]:
    """The build fails; return every problem, formatted as printed."""
    with pytest.raises(SiteErrors) as info:
        plan_site(site, BuildOptions(**options), now=NOW)
    return [p.format() for p in info.value.problems]


def mtimes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in sorted(folder.rglob("*"))}


# --- files that cannot be read as documents --------------------------------------------


def test_non_utf8_file_reports_the_line_of_the_bad_byte(tmp_path):
    data = "---\ntitle: Café\ndate: 2026-03-01\n---\nFirst line.\n".encode() + "Second caf\xe9.\n".encode("latin-1")
    site = make_site(tmp_path, {X: data})
    assert problems_of(site) == [
        "content/articles/x.md:6: error: the file is not UTF-8 (byte 0xe9 cannot be decoded)\n" + UTF8_HINT]


def test_non_utf8_in_the_front_matter(tmp_path):
    site = make_site(tmp_path, {X: "---\ntitle: Caf\xe9\ndate: 2026-03-01\n---\n".encode("cp1252")})
    assert problems_of(site) == [
        "content/articles/x.md:2: error: the file is not UTF-8 (byte 0xe9 cannot be decoded)\n" + UTF8_HINT]


def test_utf8_bom_and_crlf_are_fine(tmp_path):
    site = make_site(tmp_path, {X: "\ufeff---\r\ntitle: Café\r\ndate: 2026-03-01\r\n---\r\nBody.\r\n".encode()})
    the_plan = plan_site(site, BuildOptions(), now=NOW)
    assert [a.record.title for a in the_plan.site.articles] == ["Café"]


@pytest.mark.parametrize("content", ["", "\n\n  \n"])
def test_empty_file_is_an_error(tmp_path, content):
    site = make_site(tmp_path, {X: content.encode()})
    assert problems_of(site) == [
        "content/articles/x.md:1: error: the file is empty\n"
        "  hint: an article starts with front matter between '---' lines"]


def test_missing_opening_fence_is_an_error(tmp_path):
    site = make_site(tmp_path, {X: "title: T\ndate: 2026-03-01\n---\nBody.\n"})
    assert problems_of(site) == [
        "content/articles/x.md:1: error: no front matter: the first line must be '---'\n"
        "  hint: did you forget to add the '---' lines around the title, date and tags?"]


def test_unclosed_front_matter_is_an_error(tmp_path):
    site = make_site(tmp_path, {X: "---\ntitle: T\ndate: 2026-03-01\n\nThe body, but no closing line.\n"})
    assert problems_of(site) == [
        "content/articles/x.md:1: error: the front matter is not closed\n"
        "  hint: add a line with '---' after the last front matter field"]


def test_front_matter_that_is_a_list_is_an_error(tmp_path):
    site = make_site(tmp_path, {X: "---\n- title: T\n- date: 2026-03-01\n---\nBody.\n"})
    assert problems_of(site) == [
        "content/articles/x.md:2: error: the front matter must be a mapping of 'key: value' lines, not a list"]


def test_front_matter_that_is_a_sentence_is_an_error(tmp_path):
    site = make_site(tmp_path, {X: "---\nJust a headline\n---\nBody.\n"})
    assert problems_of(site) == [
        "content/articles/x.md:2: error: the front matter must be a mapping of 'key: value' lines, "
        "not the value 'Just a headline'"]


def test_empty_front_matter_is_an_error(tmp_path):
    site = make_site(tmp_path, {X: "---\n# nothing yet\n---\nBody.\n"})
    assert problems_of(site) == [
        "content/articles/x.md:2: error: the front matter is empty\n"
        "  hint: add at least a title, e.g. 'title: My headline'"]


def test_broken_yaml_reports_the_file_line_and_column(tmp_path):
    site = make_site(tmp_path, {X: "---\ntitle: T\ndate: 2026-03-01\nsubtitle: Vote: what next\n---\nBody.\n"})
    assert problems_of(site) == [
        "content/articles/x.md:4:15: error: invalid YAML in the front matter: a value that contains ': ' must be "
        "quoted\n  hint: quote the value: subtitle: \"Vote: what next\""]
    assert (site / X).read_text().splitlines()[3][14] == ":"  # line 4, column 15 of the file


def test_broken_yaml_line_counts_file_lines_with_bom_and_crlf(tmp_path):
    text = "\ufeff---\r\ntitle: T\r\ndate: 2026-03-01\r\ntags: [a, b\r\n---\r\nBody.\r\n"
    site = make_site(tmp_path, {X: text.encode()})
    assert problems_of(site) == [
        "content/articles/x.md:4:7: error: invalid YAML in the front matter: the '[' that opens this list is never "
        "closed\n  hint: end the list with ']'"]


def test_duplicate_keys_are_an_error_naming_both_lines(tmp_path):
    site = make_site(tmp_path, {X: "---\ntitle: First\ndate: 2026-03-01\ntags: [a]\ntitle: Second\n---\nB.\n"})
    assert problems_of(site) == [
        "content/articles/x.md:5: error: duplicate key 'title' (first on line 2)\n  hint: keep one of them"]


def test_duplicate_keys_inside_a_mapping_value(tmp_path):
    site = make_site(tmp_path, {X: article(image="\n  src: /a.jpg\n  alt: A\n  src: /b.jpg")})
    assert problems_of(site) == [
        "content/articles/x.md:7: error: duplicate key 'src' (first on line 5)\n  hint: keep one of them"]


def test_python_object_tags_are_rejected_without_running_anything(tmp_path):
    marker = tmp_path / "pwned"
    site = make_site(tmp_path / "site", {
        X: f"---\ntitle: !!python/object/apply:os.system ['touch {marker}']\ndate: 2026-03-01\n---\nB.\n"})
    result = cli(site, "build")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "content/articles/x.md:2:8: error: invalid YAML in the front matter: could not determine a constructor "
        "for the tag 'tag:yaml.org,2002:python/object/apply:os.system'",
        "  hint: Broadsheet reads plain YAML only: remove the '!' tag, or quote the value",
        "1 error: nothing was written",
    ]
    assert not marker.exists()
    assert not (site / "output").exists()


def test_explicit_tag_that_cannot_be_constructed_is_an_error(tmp_path):
    site = make_site(tmp_path, {X: "---\ntitle: !!int abc\ndate: 2026-03-01\n---\nB.\n"})
    assert problems_of(site) == [
        "content/articles/x.md:2: error: invalid YAML in the front matter: invalid literal for int() with "
        "base 10: 'abc'\n  hint: remove the '!!' tags: Broadsheet reads plain YAML"]


def test_alias_inside_its_own_anchor_is_an_error(tmp_path):
    site = make_site(tmp_path, {X: "---\ntitle: T\ndate: 2026-03-01\ntags: &loop [a, *loop]\n---\nB.\n"})
    assert problems_of(site) == [
        "content/articles/x.md:4: error: invalid YAML: an alias refers to the value that contains it\n"
        "  hint: an '*alias' must not point at its own '&anchor'"]


def test_deeply_nested_front_matter_is_an_error(tmp_path):
    site = make_site(tmp_path, {X: "---\ntitle: T\ndate: 2026-03-01\ntags: " + "[" * 2000 + "]" * 2000 + "\n---\n"})
    assert problems_of(site) == [
        "content/articles/x.md:4: error: the front matter is nested too deeply\n"
        "  hint: a value holds lists or mappings inside each other hundreds of levels deep"]


def test_alias_bomb_is_read_in_linear_time(tmp_path):
    """Ten levels of ten aliases (10**10 leaves): reading must not expand them."""
    lines = ["---", "title: T", "date: 2026-03-01", "l0: &l0 [" + ", ".join(["x"] * 10) + "]"]
    lines += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]" for i in range(1, 10)]
    site = make_site(tmp_path, {X: "\n".join(lines + ["---", "Body."])})
    result = subprocess.run([sys.executable, str(REPO / "build.py"), "check"], cwd=site, capture_output=True,
                            text=True, timeout=60, env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Checked ")


# --- configuration errors: exit 2 ------------------------------------------------------


def test_config_errors_exit_2_and_are_all_reported(tmp_path):
    config = ("title: T\nbase_url: example.org\ntimezone: Mars/Olympus\npaginate: 0\n"
              "permalink: /news/{year}/\npaginat: 3\n")
    site = make_site(tmp_path, {X: article()}, config=config)
    result = cli(site, "build")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "config.yaml:2: error: 'base_url': 'example.org' is not an absolute http(s) URL",
        "  hint: write it like https://example.org/news/",
        "config.yaml:3: error: 'timezone': unknown time zone 'Mars/Olympus'",
        "  hint: use an IANA name such as UTC, Europe/London, America/New_York",
        "config.yaml:4: error: 'paginate': must be a whole number of at least 1, not 0",
        "config.yaml:5: error: 'permalink': must contain {slug}, so that every article has its own URL",
        "config.yaml:6: warning: unknown setting 'paginat'",
        "  hint: did you mean 'paginate'?",
        "4 errors: nothing was written",
    ]
    assert result.stdout == ""
    assert not (site / "output").exists()


@pytest.mark.parametrize("config, expected", [
    ("title: T\nbase_url: https://example.org/\npaginate: ten\n",
     "config.yaml:3: error: 'paginate': must be a whole number of at least 1, not 'ten'"),
    ("title: T\nbase_url: https://example.org/\npaginate: true\n",
     "config.yaml:3: error: 'paginate': must be a whole number of at least 1, not True"),
    ("title: T\nbase_url: https://example.org/\npermalink: /{year}/{title}/\n",
     "config.yaml:3: error: 'permalink': unknown placeholder '{title}'"),
    ("title: T\nbase_url: ftp://example.org/\n",
     "config.yaml:2: error: 'base_url': 'ftp://example.org/' is not an absolute http(s) URL"),
    ("title: T\nbase_url: https://example.org/\ntimezone: Europe/Londn\n",
     "config.yaml:3: error: 'timezone': unknown time zone 'Europe/Londn'"),
])
def test_single_config_error_is_exit_2(tmp_path, config, expected):
    site = make_site(tmp_path, {X: article()}, config=config)
    with pytest.raises(SiteErrors) as info:
        plan_site(site, BuildOptions(), now=NOW)
    assert info.value.exit_code == 2
    assert [f"{p.loc}: {p.severity}: {p.message}" for p in info.value.problems] == [expected]


def test_unknown_config_key_is_a_warning_with_a_suggestion(tmp_path):
    site = make_site(tmp_path, {X: article()},
                     config="title: T\nbase_url: https://example.org/\ntimezon: UTC\nsection_colour: red\n")
    result = cli(site, "build")
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        "config.yaml:3: warning: unknown setting 'timezon'",
        "  hint: did you mean 'timezone'?",
        "config.yaml:4: warning: unknown setting 'section_colour'",
        "  hint: put custom settings under 'extra:'",
    ]
    assert (site / "output/articles/x/index.html").is_file()


def test_broken_config_yaml_is_exit_2_with_its_line(tmp_path):
    site = make_site(tmp_path, {X: article()}, config="title: T\nbase_url: https://example.org/\nnav: [a\n")
    result = cli(site, "build")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "config.yaml:3:6: error: invalid YAML in config.yaml: the '[' that opens this list is never closed",
        "  hint: end the list with ']'",
        "1 error: nothing was written",
    ]


def test_config_that_is_a_list_is_exit_2(tmp_path):
    site = make_site(tmp_path, {X: article()}, config="- title: T\n")
    result = cli(site, "build")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "config.yaml:1: error: config.yaml must be a mapping of 'key: value' lines, not a list",
        "1 error: nothing was written",
    ]


def test_config_with_only_comments_means_defaults(tmp_path):
    site = make_site(tmp_path, {X: article()}, config="# settings come later\n")
    the_plan = plan_site(site, BuildOptions(), now=NOW)
    assert (the_plan.config.title, the_plan.config.paginate) == ("Untitled Broadsheet", 10)


# --- a failing build: every error, exit 1, output untouched -----------------------------

GOOD = {
    "content/articles/a.md": article(title="Alpha", tags="[river]"),
    "content/articles/b.md": article(title="Beta", date="2026-03-02 09:00"),
    "content/articles/c.md": article(title="Gamma", date="2026-03-03 09:00"),
}


def break_three_files(site: Path) -> None:
    (site / "content/articles/a.md").write_text("---\ntitle: Alpha\ndate: someday\n---\nB.\n", encoding="utf-8")
    (site / "content/articles/b.md").write_text("---\ndate: 2026-03-02\n---\nB.\n", encoding="utf-8")
    (site / "content/articles/c.md").write_bytes(b"---\ntitle: Gamma\ndate: 2026-03-03\n---\nna\xefve\n")


THREE_ERRORS = [
    "content/articles/a.md:3: error: 'date': cannot read 'someday' as a date",
    DATE_HINT,
    "content/articles/b.md:1: error: 'title' is required",
    "  hint: add a line such as 'title: ...' to the front matter",
    "content/articles/c.md:5: error: the file is not UTF-8 (byte 0xef cannot be decoded)",
    UTF8_HINT,
]


def test_failed_build_reports_every_error_and_leaves_output_exactly_as_it_was(tmp_path):
    site = make_site(tmp_path, GOOD)
    first = cli(site, "build")
    assert first.returncode == 0, first.stderr
    out = site / "output"
    assert (out / "articles/a/index.html").is_file()
    past = 1_500_000_000_000_000_000
    for path in out.rglob("*"):
        os.utime(path, ns=(past, past))
    before, before_times = snapshot(out), mtimes(out)

    break_three_files(site)
    result = cli(site, "build")
    assert result.returncode == 1
    assert result.stderr.splitlines() == THREE_ERRORS + ["3 errors: nothing was written"]
    assert result.stdout == ""
    assert snapshot(out) == before
    assert mtimes(out) == before_times


def test_failed_first_build_creates_no_output_folder(tmp_path):
    site = make_site(tmp_path, GOOD)
    break_three_files(site)
    result = cli(site, "build")
    assert result.returncode == 1
    assert not (site / "output").exists()


def test_check_reports_the_same_problems_and_writes_nothing(tmp_path):
    site = make_site(tmp_path, GOOD)
    break_three_files(site)
    before = snapshot(site)
    result = cli(site, "check")
    assert result.returncode == 1
    assert result.stderr.splitlines() == THREE_ERRORS + ["3 errors: nothing to write"]
    assert snapshot(site) == before
    assert not (site / "output").exists()


def test_check_on_a_good_site_exits_0_and_writes_nothing(tmp_path):
    site = make_site(tmp_path, GOOD)
    before = snapshot(site)
    result = cli(site, "check")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.startswith("Checked ")
    assert "3 articles, 0 authors, 1 tag" in result.stdout
    assert not (site / "output").exists()
    assert {k: v for k, v in snapshot(site).items() if not k.startswith(".cache/")} == before


# --- --strict --------------------------------------------------------------------------

ALT_WARNING = [
    "content/articles/x.md:4: {} the image has no alt text",
    "  hint: write image: {{src: ..., alt: 'what the picture shows'}}",
]


def test_warnings_do_not_fail_a_build(tmp_path):
    site = make_site(tmp_path, {X: article(image="/flood.jpg"), "content/flood.jpg": b"\xff\xd8\xff"})
    result = cli(site, "build")
    assert result.returncode == 0
    assert result.stderr.splitlines() == [ALT_WARNING[0].format("warning:"), ALT_WARNING[1].format()]
    assert ", 1 warning in " in result.stdout


def test_strict_turns_warnings_into_errors(tmp_path):
    site = make_site(tmp_path, {X: article(image="/flood.jpg"), "content/flood.jpg": b"\xff\xd8\xff"})
    result = cli(site, "build", "--strict")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [ALT_WARNING[0].format("error:"), ALT_WARNING[1].format(),
                                          "1 error: nothing was written"]
    assert not (site / "output").exists()
    result = cli(site, "check", "--strict")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [ALT_WARNING[0].format("error:"), ALT_WARNING[1].format(),
                                          "1 error: nothing to write"]


def test_strict_keeps_the_previous_output(tmp_path):
    site = make_site(tmp_path, {X: article()})
    assert cli(site, "build").returncode == 0
    before = snapshot(site / "output")
    (site / X).write_text(article(image="/flood.jpg"), encoding="utf-8")
    (site / "content/flood.jpg").write_bytes(b"\xff\xd8\xff")
    assert cli(site, "build", "--strict").returncode == 1
    assert snapshot(site / "output") == before


def test_strict_config_warning_is_exit_2(tmp_path):
    site = make_site(tmp_path, {X: article()}, config="title: T\nbase_url: https://example.org/\npaginat: 3\n")
    result = cli(site, "build", "--strict")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "config.yaml:3: error: unknown setting 'paginat'",
        "  hint: did you mean 'paginate'?",
        "1 error: nothing was written",
    ]


# --- new -------------------------------------------------------------------------------

NEW_FILE = """---
title: "Headline"
date: 2026-06-01 14:00
authors: ["x"]
tags: ["a", "b"]
subtitle: ""
draft: true
---

Write the first paragraph here.
"""


def test_new_writes_a_draft_that_builds(tmp_path):
    config = "title: T\nbase_url: https://example.org/\ntimezone: Europe/Berlin\n"
    site = make_site(tmp_path, {}, config=config)
    result = cli(site, "new", "Headline", "--author", "x", "--tags", "a,b")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ("Created content/articles/headline.md "
                             "(a draft: set draft: false, or delete the line, to publish)\n")
    # date: now (SOURCE_DATE_EPOCH = 12:00 UTC) in the site's zone (Berlin, +02:00 in June)
    assert (site / "content/articles/headline.md").read_text(encoding="utf-8") == NEW_FILE

    result = cli(site, "build")
    assert result.returncode == 0, result.stderr
    assert not (site / "output/articles/headline").exists()

    result = cli(site, "build", "--drafts")
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        "content/articles/headline.md:4: warning: unknown author 'x': a page is generated for them",
        "  hint: add content/authors/x.md with a name and bio",
    ]
    page = (site / "output/articles/headline/index.html").read_text(encoding="utf-8")
    assert '<h1 class="article__title">Headline</h1>' in page
    assert '<time class="published" datetime="2026-06-01T14:00:00+02:00">' in page
    assert (site / "output/tags/a/index.html").is_file() and (site / "output/tags/b/index.html").is_file()
    assert (site / "output/authors/x/index.html").is_file()


def test_new_refuses_to_overwrite(tmp_path):
    site = make_site(tmp_path, {"content/articles/headline.md": article(title="Mine")})
    before = (site / "content/articles/headline.md").read_bytes()
    result = cli(site, "new", "Headline")
    assert result.returncode == 2
    assert result.stderr == ("error: content/articles/headline.md already exists: "
                             "choose another headline or edit that file\n")
    assert (site / "content/articles/headline.md").read_bytes() == before


def test_new_with_a_headline_without_letters_is_a_usage_error(tmp_path):
    site = make_site(tmp_path, {})
    result = cli(site, "new", "???")
    assert result.returncode == 2
    assert result.stderr == "error: cannot make a file name from the headline '???': use letters or digits\n"
    assert not (site / "content/articles").exists()


# --- help and usage --------------------------------------------------------------------


@pytest.mark.parametrize("command, option", [("build", "--drafts"), ("check", "--strict"), ("new", "--author")])
def test_help_works_for_each_command(tmp_path, command, option):
    result = cli(tmp_path, command, "--help")
    assert result.returncode == 0
    assert result.stdout.startswith(f"usage: broadsheet {command} ")
    assert option in result.stdout
    assert result.stderr == ""


def test_unknown_option_is_a_usage_error(tmp_path):
    result = cli(tmp_path, "build", "--draft-mode")
    assert result.returncode == 2
    assert "error: unrecognized arguments: --draft-mode" in result.stderr


def test_missing_site_folder_is_a_usage_error(tmp_path):
    result = cli(tmp_path, "build", "--site", "nowhere")
    assert result.returncode == 2
    assert result.stderr == "error: the site folder nowhere does not exist\n"


# --- hostile input: one line per problem, never a traceback (issue 10) -----------------

RANGE_HINT = "  hint: a date must fall in the years 1 to 9998, in UTC and in the site's time zone"


@pytest.mark.parametrize("fields, line, key, shown", [
    ({"date": "0001-01-01T00:00:00+05:00"}, 3, "date", "0001-01-01T00:00:00+05:00"),
    ({"updated": "9999-12-31T23:00:00-05:00"}, 4, "updated", "9999-12-31T23:00:00-05:00"),
    ({"updated": "9999-12-31T23:59:59-12:00"}, 4, "updated", "9999-12-31T23:59:59-12:00"),
    ({"date": "9999-12-31"}, 3, "date", "9999-12-31"),
])
def test_issue_10_date_that_cannot_be_converted_is_an_error(tmp_path, fields, line, key, shown):
    site = make_site(tmp_path, {X: article(**{"date": "2026-03-01", **fields})})
    result = cli(site, "build")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"content/articles/x.md:{line}: error: '{key}': '{shown}' is out of range", RANGE_HINT,
        "1 error: nothing was written"]


def test_issue_10_dates_at_the_edges_of_the_range_build(tmp_path):
    site = make_site(tmp_path, {X: article(date="0001-01-01T05:00:00+05:00", updated="9998-12-31 23:59")})
    result = cli(site, "build")
    assert result.returncode == 0, result.stderr
    assert (site / "output/articles/x/index.html").is_file()


def test_issue_10_a_slug_too_long_for_a_folder_name_is_an_error(tmp_path):
    site = make_site(tmp_path, {X: article(slug="a" * 300)})
    result = cli(site, "build")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "content/articles/x.md:4: error: 'slug' is too long: 300 characters (at most 200)",
        "  hint: shorten it: the slug names a folder of the output", "1 error: nothing was written"]


def test_issue_10_a_file_name_making_a_slug_too_long_is_an_error(tmp_path):
    # 84 ligatures (3 bytes each) make a file name of 255 bytes, and a slug of 252 letters ("ffi" each).
    name = "\ufb03" * 84
    site = make_site(tmp_path, {f"content/pages/{name}.md": "---\ntitle: T\n---\nB.\n"})
    result = cli(site, "build")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"content/pages/{name}.md:1: error: the file name makes a slug of 252 characters (at most 200)",
        "  hint: add a shorter 'slug:' field, or rename the file", "1 error: nothing was written"]


def test_issue_10_a_permalink_making_a_name_too_long_is_an_error(tmp_path):
    config = "title: T\nbase_url: https://example.org/\ntimezone: UTC\npermalink: /{slug}-{slug}/\n"
    site = make_site(tmp_path, {X: article(slug="b" * 150)}, config=config)
    result = cli(site, "build")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"content/articles/x.md: error: output path '{'b' * 150}-{'b' * 150}/index.html' has a name longer "
        "than 255 bytes", "  hint: shorten the slug, or the text around {slug} in the permalink pattern",
        "1 error: nothing was written"]


def test_issue_10_long_tags_and_bylines_get_short_distinct_slugs(tmp_path):
    words = " ".join(["word"] * 60)
    site = make_site(tmp_path, {X: article(tags=f"['{words} one', '{words} two']", author=f"'{words} three'")})
    result = cli(site, "build")
    assert result.returncode == 0, result.stderr
    tags = sorted(p.name for p in (site / "output/tags").iterdir() if p.is_dir())
    authors = sorted(p.name for p in (site / "output/authors").iterdir() if p.is_dir())
    stem = "-".join(["word"] * 38)  # cut at a hyphen before 191 characters, then 8 hex digits
    assert len(tags) == 2 and all(t.startswith(stem + "-") and len(t) == len(stem) + 9 for t in tags)
    assert len(authors) == 1 and authors[0].startswith(stem + "-") and len(authors[0]) == len(stem) + 9
    assert tags[0] != tags[1]
    # the same name always gives the same slug
    rebuilt = cli(site, "build", "--clean")
    assert rebuilt.returncode == 0
    assert sorted(p.name for p in (site / "output/tags").iterdir() if p.is_dir()) == tags


def test_issue_10_new_with_a_long_headline_cuts_the_file_name_at_a_word(tmp_path):
    site = make_site(tmp_path, {})
    result = cli(site, "new", " ".join(["word"] * 80))
    assert result.returncode == 0, result.stderr
    [written] = (site / "content/articles").iterdir()
    assert written.name == "-".join(["word"] * 40) + ".md"


@pytest.mark.slow
@pytest.mark.parametrize("count", [500, 5000])
def test_issue_10_an_article_with_thousands_of_tags_builds_in_seconds(tmp_path, count):
    files = {f"content/articles/a{i}.md": article(title=f"A{i}", tags=f"[t{i}, t{i + 1}, t{i * 7}]")
             for i in range(9)}
    files[X] = article(tags="[" + ", ".join(f"t{i}" for i in range(count)) + "]")
    site = make_site(tmp_path, files)
    result = subprocess.run([sys.executable, str(REPO / "build.py"), "build"], cwd=site, capture_output=True,
                            text=True, timeout=60, env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH})
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"content/articles/x.md:4: warning: 'tags': {count} tags, only the first 100 are used",
        "  hint: an article has at most 100 tags: keep the ones readers would follow"]
    assert len([p for p in (site / "output/tags").iterdir() if p.is_dir()]) == 100


@pytest.mark.parametrize("body, line, message", [
    ("Intro.\n\n" + "".join("    " * i + "- item\n" for i in range(2000)), 27,
     "blockquotes, lists or indentation nested 21 levels deep (at most 20)"),
    ("> " * 2000 + "deep\n", 5, "blockquotes, lists or indentation nested 2000 levels deep (at most 20)"),
    ("Intro.\n\n" + "*" * 2000 + "x" + "*" * 2000 + "\n", 7,
     "lists, quotes, emphasis or links nested more than 64 levels deep in all"),
    ("Intro.\n\n" + "[" * 5000 + "\n", 7, "too many nested or unclosed '[' in this paragraph"),
], ids=["list items", "blockquotes", "emphasis", "brackets"])
def test_issue_10_markdown_nested_thousands_of_levels_is_an_error_at_its_line(tmp_path, body, line, message):
    hints = {"b": "Markdown this deep takes too long to convert: flatten it, or put it in a fenced code block",
             "l": "look for a long run of '*', '_' or '['; write \\* for an asterisk that is just text",
             "t": "close each '[' with ']', or write \\[ for a bracket that is just text"}
    site = make_site(tmp_path, {X: article(body=body), "content/articles/ok.md": article(title="Fine")})
    result = cli(site, "build")
    if "emphasis" in message and not NESTS_EMPHASIS:  # a flat row of <strong><em> before Python-Markdown 3.11.1
        assert result.returncode == 0, result.stderr
        return
    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"content/articles/x.md:{line}: error: {message}",
                                          f"  hint: {hints[message[0]]}", "1 error: nothing was written"]
    assert not (site / "output").exists()
