"""`python build.py import hugo DIR`: a Hugo site's source tree into a site that builds.

The fixture (tests/fixtures/hugo/) is a small Hugo site of a fictional newsletter, The
Tallow Vale Bulletin: `hugo.toml` with a base URL under a path, a permalink pattern and a
time zone; posts with YAML, TOML and JSON front matter, a page bundle with its map, an
HTML post, a draft, a post with `url:`, highlight, figure, ref, youtube and an unknown
shortcode; section pages, an About page, an author in `data/authors/`, an image in
`static/`, and layouts that are not content. Reader tests call `read_hugo` on it and on
small trees made in tmp_path; the rest run the real command line.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from broadsheet.errors import SiteErrors
from broadsheet.importers.hugo import read_hugo
from broadsheet.importers.shortcodes import find_shortcodes
from conftest import make_site, run_cli, snapshot

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "hugo"
CONFIG = "title: Tallow Vale Bulletin\nbase_url: https://bulletin.example/\ntimezone: Europe/London\n"
LONDON = ZoneInfo("Europe/London")

OLD_URLS = {
    "content/about.md": "/about/",
    "content/posts/bridge-survey.md": "/2024/02/old-bridge-survey-finds-no-serious-damage/",
    "content/posts/council-budget.md": None,
    "content/posts/ferry-timetable.md": "/ferry/timetable/",
    "content/posts/flood-defences/index.md": "/2024/03/flood-defences-the-plan-for-the-lower-town/",
    "content/posts/library-reopens.md": "/2024/03/library-reopens-after-a-year-of-repairs/",
    "content/posts/market-hall.html": "/2024/01/market-hall-stalls-to-be-let-again/",
    "content/posts/river-levels.md": "/2024/02/river-levels-winter/",
}
"""Every page of the fixture with the address Hugo published it at (the draft: none)."""


@pytest.fixture(scope="module")
def fixture_site():
    return read_hugo(FIXTURE, "hugo-site")


def items_by_path(site) -> dict:
    return {item.src_path: item for item in site.items}


def hugo_tree(root: Path, files: dict[str, str | bytes], config: str = 'baseURL = "https://old.example/"\n') -> Path:
    """Write a Hugo source tree: `hugo.toml` (unless `files` names a configuration) and `files`."""
    if not any(name.startswith(("hugo.", "config")) for name in files):
        files = {"hugo.toml": config, **files}
    return make_site(root, files, config=None)


def read_one(tmp_path: Path, text: str | bytes, name: str = "content/posts/note.md", config: str | None = None):
    """Read a tree of one content file; return its item."""
    tree = hugo_tree(tmp_path / "old", {name: text}, **({"config": config} if config is not None else {}))
    (item,) = read_hugo(tree, "old").items
    return item


def error_lines(exc: pytest.ExceptionInfo) -> list[str]:
    return [p.format() for p in exc.value.problems]


# --------------------------------------------------------------------------- the fixture, read


def test_every_page_with_its_kind_slug_and_old_address(fixture_site):
    items = items_by_path(fixture_site)
    assert {path: item.old_url for path, item in items.items()} == OLD_URLS
    assert {path for path, item in items.items() if item.kind == "page"} == {"content/about.md"}
    assert items["content/posts/flood-defences/index.md"].slug == "flood-defences"
    assert items["content/posts/river-levels.md"].slug == "river-levels-winter"
    assert items["content/posts/market-hall.html"].slug == "market-hall"
    assert [path for path, item in items.items() if item.draft] == ["content/posts/council-budget.md"]


def test_the_site_as_a_whole(fixture_site):
    assert fixture_site.system == "Hugo" and fixture_site.shown == "hugo-site"
    assert fixture_site.base_urls == ("https://example.org/news/",)
    assert fixture_site.static_roots == (FIXTURE / "static",)
    assert fixture_site.timezone == "Europe/London"
    (author,) = fixture_site.authors
    assert (author.key, author.name, author.website) == ("mlindqvist", "Maya Lindqvist", "https://example.net/maya")
    assert author.bio.startswith("Maya covers the environment")


def test_section_pages_are_skipped_counted_and_the_one_with_text_noted(fixture_site):
    assert fixture_site.skipped == (("section pages (_index.md)",
                                     "a section's list page is Broadsheet's tag or archive page", 2),)
    assert [(n.loc.src_path, n.loc.line, n.message) for n in fixture_site.notes] == [
        ("hugo-site/content/posts/_index.md", 5, "a section's list page: its text is not imported")]


def test_yaml_toml_and_json_front_matter(fixture_site):
    items = items_by_path(fixture_site)
    toml = items["content/posts/library-reopens.md"]
    assert toml.front["authors"] == ["mlindqvist", "Tom Okafor, Staff Reporter"]
    assert toml.front["lastmod"] == date(2024, 3, 13)
    assert toml.date == datetime(2024, 3, 12, 14, 0, tzinfo=timezone.utc)
    json_item = items["content/posts/bridge-survey.md"]
    assert json_item.front["tags"] == ["bridge", "survey"] and json_item.front["author"] == "Tom Okafor"
    assert json_item.date == datetime(2024, 2, 20, 8, 0, tzinfo=timezone.utc)
    assert json_item.body.startswith("Surveyors spent three days") and json_item.body_line == 9
    yaml_item = items["content/posts/flood-defences/index.md"]
    assert yaml_item.front["title"] == "Flood defences: the plan for the lower town"
    assert yaml_item.front["categories"] == ["Environment"] and yaml_item.front["author"] == "Maya Lindqvist"
    assert yaml_item.body_line == 14


def test_naive_dates_are_in_the_sites_time_zone(fixture_site):
    items = items_by_path(fixture_site)
    flood = items["content/posts/flood-defences/index.md"]
    assert flood.date == datetime(2024, 3, 4, 9, 30, tzinfo=LONDON)
    assert flood.front["lastmod"] == datetime(2024, 3, 6, 17, 0, tzinfo=LONDON)
    assert items["content/posts/river-levels.md"].date == date(2024, 2, 2)
    ferry = items["content/posts/ferry-timetable.md"]
    assert ferry.date == datetime(2024, 4, 1, 7, 0, tzinfo=timezone(timedelta(hours=1)))  # publishDate


def test_aliases_become_site_paths(fixture_site):
    flood = items_by_path(fixture_site)["content/posts/flood-defences/index.md"]
    assert flood.front["aliases"] == ["/posts/old-flood-plan/", "/2023/flood-plan/"]


def test_a_page_bundle_brings_its_files(fixture_site):
    items = items_by_path(fixture_site)
    assert items["content/posts/flood-defences/index.md"].bundle == (
        ("map.png", FIXTURE / "content/posts/flood-defences/map.png"),)
    assert all(not item.bundle for path, item in items.items() if "flood" not in path)


def test_shortcodes_become_markdown_with_notes_at_their_lines(fixture_site):
    items = items_by_path(fixture_site)
    library = items["content/posts/library-reopens.md"]
    assert library.body == (
        "The town library reopened on Tuesday with a new roof and a children's corner. The repairs\n"
        "were delayed by the same winter storms that prompted the\n"
        "[flood defence plan](/2024/03/flood-defences-the-plan-for-the-lower-town/).\n\n"
        "The reading room now hosts the bridge survey's "
        "[full findings](/2024/02/old-bridge-survey-finds-no-serious-damage/#findings).\n\n"
        "<https://www.youtube.com/watch?v=dQw4w9WgXcQ>\n\n"
        "The librarians filmed the move back in, shelf by shelf.\n")
    assert library.notes == ((7, "embedded video from YouTube is now a link",
                              "paste the player's <iframe> if you want it"),)
    flood = items["content/posts/flood-defences/index.md"]
    assert ('\n\n![Map of the lower town with the planned walls in red](map.png "The planned walls run along '
            'Mill Lane and the towpath. | Map: Tallow Vale Council")\n\n') in flood.body
    survey = items["content/posts/bridge-survey.md"]
    assert ('with this short script:\n\n```python\nscores = {"north arch": 1, "middle arch": 2, "south arch": 1}\n'
            'worst = max(scores.values())\nprint(f"worst arch scores {worst}")\n```\n\nNo arch') in survey.body
    river = items["content/posts/river-levels.md"]
    assert river.body.split("\n")[2] == '{{< plotly json="levels.json" height="400px" >}}'
    assert river.notes == ((3, "the shortcode {{< plotly >}} is left as written: Broadsheet has no shortcodes",
                            "replace it by what it showed"),)
    assert river.body.endswith('in our files:\n{{< plotly json="levels.json" >}}.\n')  # the comment form


def test_an_html_body_is_markdown_with_its_shortcodes(fixture_site):
    market = items_by_path(fixture_site)["content/posts/market-hall.html"]
    assert market.body == (
        "The market hall will let its twelve stalls again from April, the council said.\n\n"
        "Traders who were moved out during the [library repairs](/2024/03/library-reopens-after-a-year-of-repairs/)\n"
        "have first refusal.\n\n"
        '![The market hall stands beside the old bridge](/images/bridge.png "The market hall stands beside the old '
        'bridge")\n\n'
        "Rents stay at last year's level.\n")


# --------------------------------------------------------------------------- addresses


POST = '---\ntitle: "Flood Notes: Part 2"\ndate: 2024-03-04T09:30:00Z\n---\nText.\n'


@pytest.mark.parametrize("pattern, expected", [
    ("/:year/:month/:day/:slug/", "/2024/03/04/flood-notes-part-2/"),
    ("/:year/:monthname/:title/", "/2024/march/flood-notes-part-2/"),
    ("/:section/:slugorfilename/", "/posts/flood-notes/"),
    ("/:filename/", "/flood-notes/"),
    ("/:sections[last]/:contentbasename", "/posts/flood-notes/"),
    ("/:weekdayname-:weekday/:yearday/:slugorcontentbasename/", "/monday-1/64/flood-notes/"),
    ("/archive/:06/:1/:2/:filename.html", "/archive/24/3/4/flood-notes.html"),
])
def test_permalink_patterns(tmp_path, pattern, expected):
    config = f'baseURL = "https://old.example/"\n[permalinks]\nposts = "{pattern}"\n'
    assert read_one(tmp_path, POST, "content/posts/Flood Notes.md", config).old_url == expected


def test_permalinks_in_their_newer_form_and_for_the_content_root(tmp_path):
    tree = hugo_tree(tmp_path / "old", {
        "content/posts/flood-notes.md": POST,
        "content/diary.md": POST.replace("Flood Notes: Part 2", "Diary"),
    }, config='[permalinks.page]\nposts = "/news/:slug/"\n"/" = "/:year/:filename/"\n'
              '[permalinks.section]\nposts = "/news/"\n')
    urls = {item.src_path: item.old_url for item in read_hugo(tree, "old").items}
    assert urls == {"content/posts/flood-notes.md": "/news/flood-notes-part-2/", "content/diary.md": "/2024/diary/"}


def test_default_addresses_are_hugos_paths_lower_cased(tmp_path):
    tree = hugo_tree(tmp_path / "old", {
        "content/Posts/Flood Notes.md": POST,
        "content/posts/named.md": POST.replace("date:", "slug: Named By Hand\ndate:"),
        "content/posts/2024/deep.md": POST,
        "content/contact.md": "---\ntitle: Contact\n---\nWrite to us.\n",
    })
    urls = {item.src_path: item.old_url for item in read_hugo(tree, "old").items}
    assert urls == {"content/Posts/Flood Notes.md": "/posts/flood-notes/",
                    "content/posts/named.md": "/posts/named-by-hand/",
                    "content/posts/2024/deep.md": "/posts/2024/deep/", "content/contact.md": "/contact/"}


def test_disable_path_to_lower_keeps_the_case(tmp_path):
    item = read_one(tmp_path, POST, "content/Posts/Flood Notes.md", 'disablePathToLower = true\n')
    assert item.old_url == "/Posts/Flood-Notes/"


@pytest.mark.parametrize("setting, expected", [
    ("uglyURLs = true", {"content/posts/flood-notes.md": "/posts/flood-notes.html",
                         "content/contact.md": "/contact.html"}),
    ("[uglyURLs]\nposts = true", {"content/posts/flood-notes.md": "/posts/flood-notes.html",
                                  "content/contact.md": "/contact/"}),
])
def test_ugly_urls(tmp_path, setting, expected):
    tree = hugo_tree(tmp_path / "old", {"content/posts/flood-notes.md": POST,
                                        "content/contact.md": "---\ntitle: Contact\n---\nWrite to us.\n"},
                     config=setting + "\n")
    assert {item.src_path: item.old_url for item in read_hugo(tree, "old").items} == expected


@pytest.mark.parametrize("url, expected", [
    ("/special/flood/", "/special/flood/"),
    ("special/flood", "/special/flood/"),
    ("/flood.html", "/flood.html"),
    ("https://old.example/blog/special/", "/special/"),
])
def test_the_url_field_wins(tmp_path, url, expected):
    config = 'baseURL = "https://old.example/blog/"\n[permalinks]\nposts = "/:year/:slug/"\n'
    assert read_one(tmp_path, POST.replace("date:", f"url: {url}\ndate:"), config=config).old_url == expected


@pytest.mark.parametrize("alias, expected", [
    ("old-name", "/posts/old-name/"),
    ("../elsewhere/old", "/elsewhere/old/"),
    ("/2019/old-name/", "/2019/old-name/"),
    ("old.html", "/posts/old.html"),
    ("https://old.example/x/", "https://old.example/x/"),
])
def test_aliases_relative_to_the_page(tmp_path, alias, expected):
    item = read_one(tmp_path, POST.replace("date:", f"aliases: ['{alias}']\ndate:"), "content/posts/flood/index.md")
    assert item.front["aliases"] == [expected]


def test_drafts_have_no_old_address_and_pages_no_date(tmp_path):
    tree = hugo_tree(tmp_path / "old", {
        "content/posts/draft.md": '+++\ntitle = "Soon"\ndate = 2024-05-01\ndraft = true\n+++\nLater.\n',
        "content/posts/undated.md": "---\ntitle: Undated\n---\nA page after all.\n",
        "content/dated-root.md": POST,
    })
    items = items_by_path(read_hugo(tree, "old"))
    assert (items["content/posts/draft.md"].draft, items["content/posts/draft.md"].old_url) == (True, None)
    assert items["content/posts/draft.md"].kind == "article"
    assert items["content/posts/undated.md"].kind == "page"
    assert items["content/dated-root.md"].kind == "page"


def test_dated_pages_outside_the_main_sections_are_pages(tmp_path):
    tree = hugo_tree(tmp_path / "old", {"content/posts/a.md": POST, "content/events/fair.md": POST},
                     config='[params]\nmainSections = ["posts"]\n')
    items = items_by_path(read_hugo(tree, "old"))
    assert items["content/posts/a.md"].kind == "article"
    fair = items["content/events/fair.md"]
    assert fair.kind == "page" and fair.notes[0][0] == 0 and "params.mainSections" in fair.notes[0][1]


# --------------------------------------------------------------------------- configuration


def test_a_configuration_folder_with_keys_in_any_case(tmp_path):
    tree = make_site(tmp_path / "old", {
        "config/_default/hugo.yaml": "BaseURL: https://old.example/paper/\nTimeZone: America/New_York\n",
        "config/_default/params.toml": 'mainSections = ["stories"]\n',
        "config/_default/permalinks.toml": 'stories = "/:year/:slug/"\n',
        "config/production/hugo.toml": 'baseurl = "https://paper.example/"\n',
        "content/stories/ferry.md": "---\ntitle: Ferry\ndate: 2024-07-01T08:00:00\n---\nText.\n",
        "content/pages/dated.md": POST,
    }, config=None)
    site = read_hugo(tree, "old")
    assert site.base_urls == ("https://paper.example/",) and site.timezone == "America/New_York"
    items = items_by_path(site)
    assert items["content/stories/ferry.md"].old_url == "/2024/ferry/"
    assert items["content/stories/ferry.md"].date == datetime(2024, 7, 1, 8, 0, tzinfo=ZoneInfo("America/New_York"))
    assert items["content/pages/dated.md"].kind == "page"


def test_config_toml_and_no_time_zone_leave_dates_naive(tmp_path):
    tree = make_site(tmp_path / "old", {"config.toml": 'baseURL = "/"\n',
                                        "content/posts/a.md": POST.replace("Z\n", "\n")}, config=None)
    site = read_hugo(tree, "old")
    assert site.base_urls == () and site.timezone is None
    assert site.items[0].date == datetime(2024, 3, 4, 9, 30)


def test_a_multilingual_site_imports_the_default_language(tmp_path):
    tree = hugo_tree(tmp_path / "old", {
        "content/posts/flood.md": POST,
        "content/posts/flood.de.md": POST.replace("Flood Notes", "Hochwasser"),
        "content/posts/bridge.en.md": POST.replace("Flood Notes", "Bridge"),
        "content-fr/posts/crue.md": POST,
    }, config='defaultContentLanguage = "en"\ndefaultContentLanguageInSubdir = true\n'
              '[languages.en]\nweight = 1\n[languages.de]\nweight = 2\n'
              '[languages.fr]\ncontentDir = "content-fr"\n')
    site = read_hugo(tree, "old")
    assert {item.src_path: (item.slug, item.old_url) for item in site.items} == {
        "content/posts/bridge.en.md": ("bridge", "/en/posts/bridge/"),
        "content/posts/flood.md": ("flood", "/en/posts/flood/")}
    assert site.skipped == (("pages in other languages", "only the default language's (en) are imported", 2),)
    assert [(n.loc.src_path, n.message) for n in site.notes] == [
        ("old/hugo.toml", "the content in de, fr (2 files) is not imported: only the default language's (en)")]


def test_a_headless_bundle_is_skipped(tmp_path):
    tree = hugo_tree(tmp_path / "old", {
        "content/posts/a.md": POST,
        "content/shared/index.md": "---\nheadless: true\n---\n",
        "content/shared/logo.png": b"\x89PNG",
        "content/hidden/index.md": "---\ntitle: Hidden\nbuild:\n  render: never\n---\nText.\n",
    })
    site = read_hugo(tree, "old")
    assert [item.src_path for item in site.items] == ["content/posts/a.md"]
    assert ("headless bundles", "Hugo never published them as pages", 2) in site.skipped


def test_fields_as_hugo_reads_them(tmp_path):
    """Field names in any case, `params` beside the others, text YAML would misread as written."""
    item = read_one(tmp_path, "---\ntitle: 1984\nPublishDate: 2024-03-01T10:00:00Z\ntags: [yes, no]\n"
                              "params:\n  subtitle: A year\n---\nText.\n")
    when = datetime(2024, 3, 1, 10, 0, tzinfo=timezone.utc)
    assert item.front == {"title": "1984", "publishDate": when, "tags": ["yes", "no"], "subtitle": "A year"}
    assert (item.date, item.kind) == (when, "article")


def test_content_without_front_matter_and_with_leading_blank_lines(tmp_path):
    item = read_one(tmp_path, b"\n\nJust text.\n", "content/notes.md")
    assert (item.front, item.body, item.body_line, item.kind) == ({}, "Just text.\n", 3, "page")


# --------------------------------------------------------------------------- shortcodes


def test_refs_of_every_kind(tmp_path):
    tree = hugo_tree(tmp_path / "old", {
        "content/posts/flood.md": POST,
        "content/posts/bridge/index.md": POST.replace("Flood Notes", "Bridge"),
        "content/about.md": "---\ntitle: About\n---\nUs.\n",
        "content/posts/links.md": POST.replace("Text.\n", (
            '[a]({{< ref "flood" >}}) [b]({{% relref "/posts/flood.md#part-2" %}}) [c]({{< ref "bridge" >}})\n'
            '[d]({{< ref path="../about.md" >}}) [e]({{< relref "#top" >}})\n'
            '[f]({{< ref "missing.md" >}})\n')),
    })
    links = items_by_path(read_hugo(tree, "old"))["content/posts/links.md"]
    assert links.body == ("[a](/posts/flood/) [b](/posts/flood/#part-2) [c](/posts/bridge/)\n"
                          "[d](/about/) [e](#top)\n"
                          '[f]({{< ref "missing.md" >}})\n')
    assert links.notes == ((3, 'the cross-reference {{< ref "missing.md" >}} names no imported page: left as written',
                            "link to the page's new address by hand"),)


@pytest.mark.parametrize("shortcode, link", [
    ('{{< youtube id="w7Ft2ymGmfc" autoplay="true" >}}', "<https://www.youtube.com/watch?v=w7Ft2ymGmfc>"),
    ("{{< vimeo 146022717 >}}", "<https://vimeo.com/146022717>"),
    ('{{< x user="SanDiegoZoo" id="1453110110599868418" >}}', "<https://x.com/SanDiegoZoo/status/1453110110599868418>"),
    ("{{< tweet 1453110110599868418 >}}", "<https://x.com/i/status/1453110110599868418>"),
    ("{{< gist spf13 7896402 >}}", "<https://gist.github.com/spf13/7896402>"),
    ("{{< instagram CxOWiQNP2MO hidecaption >}}", "<https://www.instagram.com/p/CxOWiQNP2MO/>"),
])
def test_embeds_become_links_on_their_own_line(tmp_path, shortcode, link):
    item = read_one(tmp_path, POST.replace("Text.\n", f"First line.\nWatch this: {shortcode} then more.\n"))
    assert item.body == f"First line.\nWatch this:\n\n{link}\n\nthen more.\n"
    assert item.notes[0][0] == 4 and item.notes[0][1].startswith("embedded ") and item.notes[0][1].endswith(
        " is now a link")


def test_figure_highlight_and_unknown_shortcodes_keep_their_lines(tmp_path):
    body = ("Intro.\n"
            '{{< figure src="/images/a.png" title="The weir" caption="At dawn." attr="Photo: J. Roe" >}}\n'
            "{{% notice warning %}}Mind the *step*.{{% /notice %}}\n"
            "{{< highlight go >}}\nfmt.Println(\"{{</* x */>}}\")\n{{< /highlight >}}\n"
            "{{< details >}}\nMore.\n{{< /details >}}\n")
    item = read_one(tmp_path, POST.replace("Text.\n", body))
    assert item.body == ("Intro.\n\n"
                         '![At dawn.](/images/a.png "The weir. At dawn. | Photo: J. Roe")\n\n'
                         "{{% notice warning %}}Mind the *step*.{{% /notice %}}\n\n"
                         '```go\nfmt.Println("{{< x >}}")\n```\n\n'
                         "{{< details >}}\nMore.\n{{< /details >}}\n")
    assert [(line, what.split(" is ")[0]) for line, what, _hint in item.notes] == [
        (5, "the shortcode {{< notice >}}"), (11, "the shortcode {{< details >}}")]


def test_shortcode_scanning_is_linear_on_text_that_never_closes():
    body = "{{< x " * 20_000 + "{{</* " * 20_000 + "text"
    assert list(find_shortcodes(body)) == []


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("name, text, expected", [
    ("content/posts/a.md", '+++\ntitle = "A"\ndate = 2024-13-01\n+++\nText.\n',
     "old/content/posts/a.md:3:12: error: invalid TOML in the front matter: "),
    ("content/posts/a.md", "---\ntitle: A\ntags: [one, two\n---\nText.\n",
     "old/content/posts/a.md:3"),
    ("content/posts/a.md", '{\n  "title": "A",\n  "date": "2024-01-01",\n}\nText.\n',
     "old/content/posts/a.md:4:1: error: invalid JSON in the front matter: "),
    ("content/posts/a.md", "---\ntitle: A\ndate: next tuesday\n---\nText.\n",
     "old/content/posts/a.md:3: error: 'date' is not a date: 'next tuesday'"),
    ("content/posts/a.md", '+++\ntitle = "A"\nlastmod = "soon"\n+++\nText.\n',
     "old/content/posts/a.md:3: error: 'lastmod' is not a date: 'soon'"),
    ("content/posts/a.md", "---\ntitle: A\n", "old/content/posts/a.md:1: error: the front matter is not closed"),
    ("hugo.toml", 'baseURL = "https://old.example/\n', "old/hugo.toml:1:32: error: invalid TOML in the configuration"),
    ("hugo.toml", 'timeZone = "Mars/Olympus"\n', "old/hugo.toml: error: timeZone 'Mars/Olympus' is no time zone"),
    ("data/authors/jo.json", '{"name": "Jo",}', "old/data/authors/jo.json:1:15: error: invalid JSON"),
])
def test_what_does_not_parse_is_an_error_at_its_file_and_line(tmp_path, name, text, expected):
    tree = hugo_tree(tmp_path / "old", {"content/posts/ok.md": POST, name: text})
    with pytest.raises(SiteErrors) as exc:
        read_hugo(tree, "old")
    assert exc.value.exit_code == 2
    assert any(line.startswith(expected) for line in error_lines(exc)), error_lines(exc)


def test_every_bad_file_is_named_at_once(tmp_path):
    tree = hugo_tree(tmp_path / "old", {"content/posts/a.md": "---\ndate: never\n---\n",
                                        "content/posts/b.md": '+++\ntitle = \n+++\n'})
    with pytest.raises(SiteErrors) as exc:
        read_hugo(tree, "old")
    assert [line.split(": error")[0] for line in error_lines(exc)] == ["old/content/posts/a.md:2",
                                                                       "old/content/posts/b.md:2"]


# --------------------------------------------------------------------------- through the command line


def import_hugo(site: Path, *options: str, folder: Path = FIXTURE):
    return run_cli("import", "hugo", str(folder), "--site", str(site), *options)


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """A fresh site with the fixture imported, and the import's result."""
    site = make_site(tmp_path_factory.mktemp("bulletin") / "site", {}, config=CONFIG)
    result = import_hugo(site)
    assert result.returncode == 0, result.stderr
    return site, result


@pytest.fixture(scope="module")
def built(imported):
    site, _ = imported
    return site, run_cli("--site", str(site))


def test_the_import_writes_articles_pages_authors_and_media(imported):
    site, result = imported
    written = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    assert {"content/articles/flood-defences/map.png", "content/images/bridge.png",
            "content/pages/about.md", "IMPORT-REPORT.md"} <= written
    assert (site / "content/images/bridge.png").read_bytes() == (FIXTURE / "static/images/bridge.png").read_bytes()
    assert len([p for p in written if p.startswith("content/articles/") and p.endswith(".md")]) == 7
    assert " 7 articles (1 draft), 1 page, " in result.stdout.splitlines()[0]
    assert "section pages (_index.md): 2" in result.stdout
    assert result.stderr == ""


def test_the_imported_site_builds_without_errors_or_broken_links(built):
    site, result = built
    assert result.returncode == 0, result.stderr
    assert "error" not in result.stderr and "Traceback" not in result.stderr
    warnings = [line for line in result.stderr.splitlines() if ": warning: " in line]
    assert all("Hugo shortcode" in line for line in warnings), warnings  # the plotly chart, left as written
    output = site / "output"
    assert (output / "articles/flood-defences/map.png").read_bytes() == \
        (FIXTURE / "content/posts/flood-defences/map.png").read_bytes()
    assert (output / "images/bridge.png").is_file()
    page = (output / "articles/flood-defences/index.html").read_text(encoding="utf-8")
    assert 'src="map.png"' in page or 'src="/articles/flood-defences/map.png"' in page


def test_every_old_address_leads_to_a_page_that_exists(built):
    site, _ = built
    output = site / "output"
    checked = []
    for old_url in [url for url in OLD_URLS.values() if url] + ["/posts/old-flood-plan/", "/2023/flood-plan/"]:
        page = output / old_url.strip("/") / "index.html"
        assert page.is_file(), f"{old_url}: nothing at {page.relative_to(site)}"
        moved = re.search(r'<meta http-equiv="refresh" content="0; url=([^"]+)">', page.read_text(encoding="utf-8"))
        if moved:
            target = output / moved[1].strip("/") / "index.html"
            assert target.is_file(), f"{old_url} redirects to {moved[1]}, which was not built"
        checked.append(old_url)
    assert len(checked) == 9


def test_links_between_posts_point_at_their_new_addresses(imported):
    site, _ = imported
    library = (site / "content/articles/library-reopens.md").read_text(encoding="utf-8")
    assert "[flood defence plan](/articles/flood-defences/)" in library
    assert "[full findings](/articles/bridge-survey/#findings)" in library


def test_a_second_import_refuses_and_changes_nothing(imported):
    site, _ = imported
    before = snapshot(site)
    result = import_hugo(site)
    assert result.returncode == 2
    assert "already: content/" in result.stderr and "nothing was written" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert snapshot(site) == before


def test_force_overwrites(tmp_path):
    site = make_site(tmp_path / "site", {"content/pages/about.md": "---\ntitle: Mine\n---\nMine.\n"}, config=CONFIG)
    assert import_hugo(site).returncode == 2
    result = import_hugo(site, "--force")
    assert result.returncode == 0, result.stderr
    assert "title: About the Bulletin" in (site / "content/pages/about.md").read_text(encoding="utf-8")
    assert not list(site.rglob("*.bs-import"))


def test_bad_front_matter_stops_the_import_with_nothing_written(tmp_path):
    folder = hugo_tree(tmp_path / "old", {"content/posts/a.md": '+++\ntitle = "A\n+++\n'})
    site = make_site(tmp_path / "site", {}, config=CONFIG)
    result = import_hugo(site, folder=folder)
    assert result.returncode == 2
    assert "content/posts/a.md:2:" in result.stderr and "invalid TOML in the front matter" in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in site.rglob("*")) == ["config.yaml"]
