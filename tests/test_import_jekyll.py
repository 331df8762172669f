"""`python build.py import jekyll DIR`: a Jekyll site's source into a site that builds.

The fixture (tests/fixtures/jekyll/) is a small Jekyll site of a fictional newsletter, The
Millbrook Lantern: a `/:categories/:year/:month/:day/:title/` permalink under `baseurl:
/blog`, a time zone, posts in Markdown, `.markdown` and HTML, one in a category's folder,
one unpublished, one with its own permalink, `{% highlight %}`, `{% post_url %}`,
`{% link %}`, an image under `{{ site.baseurl }}`, an `{% include %}` Broadsheet cannot
run, a draft, a page, listing pages, `_data/authors.yml` and layouts. The reader's tests
call `read_jekyll` on it and on small trees; the rest run the real command line.
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from broadsheet.errors import SiteErrors
from broadsheet.importers.jekyll import expand_permalink, jekyll_slugify, read_jekyll
from broadsheet.importers.liquid import LinkTargets, convert_liquid, join_pieces, site_path_of, strip_baseurl
from conftest import make_site, run_cli, snapshot

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "jekyll"
CONFIG = "title: The Millbrook Lantern\nbase_url: https://lantern.example/\ntimezone: America/Chicago\n"
CHICAGO = ZoneInfo("America/Chicago")

OLD_URLS = {
    "_posts/2023-03-04-footbridge-reopens.md": "/news/2023/03/04/footbridge-reopens/",
    "_posts/2023-03-18-spring-seed-swap.markdown": "/community/events/2023/03/18/spring-seed-swap/",
    "_posts/2023-04-02-library-hours.html": "/news/2023/04/02/library-hours/",
    "_posts/2023-04-20-weather-station-data.md": "/science/2023/04/20/weather-station-data/",
    "_posts/2023-05-09-river-cleanup.md": "/community/2023/05/09/river-cleanup/",
    "_posts/2023-06-01-council-budget-preview.md": None,
    "_posts/2023-07-02-summer-fair.md": "/fair/2023/summer.html",
    "news/_posts/2023-06-15-new-bakery-opens.md": "/news/2023/06/15/new-bakery-opens/",
    "_drafts/harvest-supper-plans.md": None,
    "about.md": "/about/",
}


@pytest.fixture(scope="module")
def lantern():
    """The fixture, read."""
    return read_jekyll(FIXTURE, "lantern")


def items_of(site) -> dict:
    return {item.src_path: item for item in site.items}


def read_tree(tmp_path: Path, files: dict[str, str], config: str | None = "timezone: UTC\n"):
    """Read a Jekyll site made of `files` (and `_config.yml` unless None)."""
    if config is not None:
        files = {"_config.yml": config, **files}
    return read_jekyll(make_site(tmp_path / "jekyll", files, config=None), "jekyll")


def post(front: str = "title: A post", body: str = "Text.\n") -> str:
    return f"---\n{front}\n---\n{body}"


# --------------------------------------------------------------------------- the fixture, read


def test_every_post_draft_and_page_with_its_old_address(lantern):
    assert {src_path: item.old_url for src_path, item in items_of(lantern).items()} == OLD_URLS
    items = items_of(lantern)
    assert {p for p, item in items.items() if item.kind == "page"} == {"about.md"}
    assert {p for p, item in items.items() if item.draft} == {"_posts/2023-06-01-council-budget-preview.md",
                                                             "_drafts/harvest-supper-plans.md"}


def test_the_site_as_a_whole(lantern):
    assert lantern.system == "Jekyll" and lantern.shown == "lantern"
    assert lantern.base_urls == ("https://lantern.example/blog/",)
    assert lantern.static_roots == (FIXTURE,)
    assert lantern.timezone == "America/Chicago"
    assert [(a.key, a.name, a.website) for a in lantern.authors] == [
        ("mhale", "Marta Hale", "https://marta-hale.example"), ("jquill", "Jonah Quill", "")]
    assert lantern.authors[0].bio.startswith("Edits the Lantern")


def test_what_is_not_imported_is_counted_and_a_listing_page_noted(lantern):
    assert sorted(lantern.skipped) == [
        ("404 page", "Broadsheet makes its own", 1),
        ("feed, sitemap and robots.txt", "Broadsheet writes its own", 1),
        ("home page", "Broadsheet makes its own", 1),
        ("pages that list posts", "Broadsheet makes its home, tag and archive pages itself", 1)]
    assert [(str(n.loc), n.severity) for n in lantern.notes] == [("lantern/archive.md:7", "warning")]
    assert "{% for post in site.posts %}" in (FIXTURE / "archive.md").read_text().split("\n")[6]
    assert "notes-to-self.md" not in items_of(lantern)  # excluded in _config.yml


def test_front_matter_with_defaults_and_categories_as_lists(lantern):
    items = items_of(lantern)
    footbridge = items["_posts/2023-03-04-footbridge-reopens.md"].front
    assert footbridge["categories"] == ["News"] and footbridge["tags"] == ["footpaths", "river"]
    assert footbridge["redirect_from"] == ["/footbridge/"] and footbridge["author"] == "mhale"
    assert "layout" not in footbridge
    assert items["_posts/2023-03-18-spring-seed-swap.markdown"].front["categories"] == ["community", "events"]
    assert items["_posts/2023-03-18-spring-seed-swap.markdown"].front["tags"] == ["gardening"]
    bakery = items["news/_posts/2023-06-15-new-bakery-opens.md"].front
    assert bakery["categories"] == ["news"] and bakery["author"] == "jquill"
    assert "author" not in items["about.md"].front  # the default is for posts


def test_dates_in_the_sites_time_zone(lantern):
    items = items_of(lantern)
    assert items["_posts/2023-03-04-footbridge-reopens.md"].date == \
        datetime(2023, 3, 4, 18, 30, tzinfo=timezone(timedelta(hours=-6)))
    assert items["_posts/2023-03-18-spring-seed-swap.markdown"].date == datetime(2023, 3, 18, tzinfo=CHICAGO)
    assert items["news/_posts/2023-06-15-new-bakery-opens.md"].date == datetime(2023, 6, 15, 7, 45, tzinfo=CHICAGO)
    assert items["about.md"].date is None


def test_slugs_and_a_title_from_the_file_name(lantern):
    items = items_of(lantern)
    assert items["_posts/2023-03-04-footbridge-reopens.md"].slug == "footbridge-reopens"
    assert items["_drafts/harvest-supper-plans.md"].slug == "harvest-supper-plans"
    assert items["about.md"].slug == "about"
    swap = items["_posts/2023-03-18-spring-seed-swap.markdown"]
    assert swap.front["title"] == "Spring Seed Swap"
    assert swap.notes == ((0, 'it had no title: it has the one Jekyll made of its file name, "Spring Seed Swap"',
                           "check that it reads well"),)


def test_liquid_links_and_the_base_url_become_old_site_paths(lantern):
    items = items_of(lantern)
    assert "![The new planks of the footbridge](/assets/images/footbridge.png)" in \
        items["_posts/2023-03-04-footbridge-reopens.md"].body
    swap = items["_posts/2023-03-18-spring-seed-swap.markdown"].body
    assert "[reopened footbridge](/news/2023/03/04/footbridge-reopens/)" in swap
    assert "[editor](/about/)" in swap
    assert "[first issue](/news/2023/03/04/footbridge-reopens/)" in items["about.md"].body


def test_highlight_raw_and_comment(lantern):
    body = items_of(lantern)["_posts/2023-04-20-weather-station-data.md"].body
    assert body.endswith(
        "```python\nimport csv\n\nfor row in csv.DictReader(open(\"readings.csv\")):\n"
        "    print(row[\"day\"], row[\"max\"])\n```\n\n"
        "Templates in the station's dashboard look like `{{ reading.max }}`.\n")
    assert "science teacher" not in body and "{%" not in body
    assert items_of(lantern)["_posts/2023-04-20-weather-station-data.md"].notes == ()


def test_an_html_post_becomes_markdown(lantern):
    body = items_of(lantern)["_posts/2023-04-02-library-hours.html"].body
    assert body == ("From April the valley library opens on **Tuesday evenings** until eight.\n\n"
                    "The change follows a survey in which readers asked for later hours. Read\n"
                    "[about the Lantern](/about/) for how we ran it.\n\n"
                    "- Tuesday: 10:00 to 20:00\n- Saturday: 09:00 to 13:00\n")


def test_liquid_left_as_written_is_noted_at_its_line(lantern):
    cleanup = items_of(lantern)["_posts/2023-05-09-river-cleanup.md"]
    lines = cleanup.body.split("\n")
    assert [(line, lines[line - 1]) for line, _what, _hint in cleanup.notes] == [
        (3, '{% include video.html id="cleanup-2023" %}'),
        (5, "The full list of finds, including a bicycle bell, is on {{ page.finds_url }}.")]
    assert cleanup.notes[0][1:] == ('a Liquid tag {% include video.html id="cleanup-2023" %} is left as written: '
                                    "Broadsheet does not run Liquid", "replace it by what it showed")


# --------------------------------------------------------------------------- permalinks


@pytest.mark.parametrize("permalink, expected", [
    (None, "/local-news/2016/08/04/flood-warning.html"),
    ("date", "/local-news/2016/08/04/flood-warning.html"),
    ("pretty", "/local-news/2016/08/04/flood-warning/"),
    ("ordinal", "/local-news/2016/217/flood-warning.html"),
    ("weekdate", "/local-news/2016/W31/Thu/flood-warning.html"),
    ("none", "/local-news/flood-warning.html"),
    ("/:year/:i_month/:i_day/:title", "/2016/8/4/flood-warning"),
    ("/:short_year/:month/:slug/", "/16/08/flood-warning/"),
    ("/:slugified_categories/:title:output_ext", "/local-news/flood-warning.html"),
    ("/:categories/:hour-:minute-:second/:title/", "/local-news/00-00-00/flood-warning/"),
    ("/news/:unknown/:title/", "/news/:unknown/flood-warning/"),
])
def test_post_permalink_styles(tmp_path, permalink, expected):
    config = "timezone: UTC\n" + (f"permalink: '{permalink}'\n" if permalink else "")
    site = read_tree(tmp_path, {"_posts/2016-08-04-flood-warning.md": post("title: Flood\ncategories: Local-News")},
                     config=config)
    assert site.items[0].old_url == expected


def test_categories_keep_their_case_in_title_but_not_in_the_path(tmp_path):
    site = read_tree(tmp_path, {
        "Sport/_posts/2016-08-04-Cup-Final.md": post("title: Cup\ncategories: [Big Games]"),
        "_posts/2016-08-05-x.md": post("title: X\ncategory: Local News\ntags: one two"),
    }, config="permalink: /:categories/:slugified_categories/:title/\n")
    items = items_of(site)
    assert items["Sport/_posts/2016-08-04-Cup-Final.md"].old_url == "/big games/sport/big-games/sport/Cup-Final/"
    assert items["Sport/_posts/2016-08-04-Cup-Final.md"].front["categories"] == ["Big Games", "Sport"]
    x = items["_posts/2016-08-05-x.md"]
    assert x.front["categories"] == ["Local News"] and x.front["tags"] == ["one", "two"]
    assert "category" not in x.front


def test_a_slug_in_front_matter_names_the_post_and_its_address(tmp_path):
    site = read_tree(tmp_path, {"_posts/2016-08-04-x.md": post("title: X\nslug: better-name")},
                     config="permalink: pretty\n")
    assert (site.items[0].slug, site.items[0].old_url) == ("better-name", "/2016/08/04/better-name/")


def test_front_matter_permalink_wins_over_defaults_and_the_config(tmp_path):
    config = ("permalink: pretty\ndefaults:\n  - scope: {path: _posts/special}\n    values: {permalink: /special/:title/}\n"
              "  - scope: {path: ''}\n    values: {author: desk}\n")
    site = read_tree(tmp_path, {
        "_posts/special/2016-08-04-a.md": post("title: A"),
        "_posts/special/2016-08-05-b.md": post("title: B\npermalink: /b.html"),
        "_posts/2016-08-06-c.md": post("title: C\nauthor: jo"),
    }, config=config)
    items = items_of(site)
    assert items["_posts/special/2016-08-04-a.md"].old_url == "/special/a/"
    assert items["_posts/special/2016-08-04-a.md"].front == {"author": "desk", "title": "A"}
    assert items["_posts/special/2016-08-05-b.md"].old_url == "/b.html"
    assert items["_posts/2016-08-06-c.md"].old_url == "/2016/08/06/c/"
    assert items["_posts/2016-08-06-c.md"].front["author"] == "jo"


def test_the_posts_collection_permalink(tmp_path):
    site = read_tree(tmp_path, {"_posts/2016-08-04-a.md": post("title: A")},
                     config="permalink: pretty\ncollections:\n  posts:\n    permalink: /stories/:year/:title\n")
    assert site.items[0].old_url == "/stories/2016/a"


@pytest.mark.parametrize("permalink, src_path, expected", [
    (None, "about.md", "/about.html"),
    ("pretty", "about.md", "/about/"),
    ("/:categories/:year/:title/", "about.md", "/about/"),
    ("/:year/:title", "about.md", "/about"),
    (None, "about/index.md", "/about/"),
    (None, "help/contact.html", "/help/contact.html"),
    ("pretty", "help/contact.html", "/help/contact/"),
])
def test_page_addresses(tmp_path, permalink, src_path, expected):
    config = f"permalink: '{permalink}'\n" if permalink else ""
    site = read_tree(tmp_path, {src_path: post("title: Page")}, config=config)
    assert site.items[0].old_url == expected and site.items[0].kind == "page"


def test_a_pages_own_permalink_and_a_title_from_its_name(tmp_path):
    site = read_tree(tmp_path, {"team/index.md": "---\npermalink: /people/\n---\nWho we are.\n",
                                "contact.md": "---\n---\nWrite to us.\n"})
    items = items_of(site)
    assert items["team/index.md"].old_url == "/people/"
    assert (items["team/index.md"].slug, items["team/index.md"].front["title"]) == ("team", "Team")
    assert items["contact.md"].front == {"title": "Contact"} and items["contact.md"].body == "Write to us.\n"


def test_collections_with_output_are_pages(tmp_path):
    config = ("permalink: pretty\ncollections:\n  recipes:\n    output: true\n  staff:\n    output: false\n"
              "  guides:\n    output: true\n    permalink: /guide/:name.html\n")
    site = read_tree(tmp_path, {"_recipes/soups/leek.md": post("title: Leek soup"),
                                "_staff/jo.md": post("title: Jo"),
                                "_guides/Getting Started.md": post("title: Start")}, config=config)
    assert {item.src_path: (item.kind, item.old_url) for item in site.items} == {
        "_recipes/soups/leek.md": ("page", "/recipes/soups/leek/"),
        "_guides/Getting Started.md": ("page", "/guide/getting-started.html")}
    assert site.skipped == (("documents of collections without output", "Jekyll published no page of them", 1),)


def test_posts_and_collections_in_the_collections_dir(tmp_path):
    config = "permalink: pretty\ncollections_dir: my-content\ncollections:\n  recipes: {output: true}\n"
    site = read_tree(tmp_path, {"my-content/_posts/2016-08-04-a.md": post("title: A"),
                                "my-content/sport/_posts/2016-08-05-b.md": post("title: B"),
                                "my-content/_recipes/leek.md": post("title: Leek")}, config=config)
    assert {item.src_path: item.old_url for item in site.items} == {
        "my-content/_posts/2016-08-04-a.md": "/2016/08/04/a/",
        "my-content/sport/_posts/2016-08-05-b.md": "/sport/2016/08/05/b/",
        "my-content/_recipes/leek.md": "/recipes/leek/"}


# --------------------------------------------------------------------------- dates and drafts


def test_a_date_in_front_matter_sets_the_address_in_the_sites_time_zone(tmp_path):
    site = read_tree(tmp_path, {"_posts/2016-08-04-late.md": post("title: Late\ndate: 2016-08-05 03:30:00 +0000")},
                     config="timezone: America/Chicago\npermalink: pretty\n")
    item = site.items[0]
    assert item.date == datetime(2016, 8, 5, 3, 30, tzinfo=timezone.utc)
    assert item.old_url == "/2016/08/04/late/"  # 22:30 the day before in Chicago


def test_without_a_time_zone_dates_stay_naive(tmp_path):
    site = read_tree(tmp_path, {"_posts/2016-08-04-a.md": post("title: A"),
                                "_posts/2016-08-05-b.md": post("title: B\ndate: 2016-08-05 10:00")}, config=None)
    items = items_of(site)
    assert items["_posts/2016-08-04-a.md"].date == date(2016, 8, 4)
    assert items["_posts/2016-08-05-b.md"].date == datetime(2016, 8, 5, 10, 0)
    assert items["_posts/2016-08-04-a.md"].old_url == "/2016/08/04/a.html"
    assert site.timezone is None and site.base_urls == ()


def test_a_draft_without_a_date_has_its_files_time(tmp_path):
    root = make_site(tmp_path / "jekyll", {"_config.yml": "timezone: Europe/Paris\n",
                                           "_drafts/idea.md": post("title: Idea")}, config=None)
    stamp = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc).timestamp()
    os.utime(root / "_drafts/idea.md", (stamp, stamp))
    item = read_jekyll(root, "jekyll").items[0]
    assert (item.draft, item.old_url, item.kind) == (True, None, "article")
    assert item.date == datetime(2024, 1, 2, 4, 4, 5, tzinfo=ZoneInfo("Europe/Paris"))
    assert item.notes == ((0, "the draft had no date: it has its file's time", "give it the date it should have"),)


def test_an_unpublished_post_is_a_draft_without_an_address(tmp_path):
    item = read_tree(tmp_path, {"_posts/2016-08-04-a.md": post("title: A\npublished: false")}).items[0]
    assert (item.draft, item.old_url) == (True, None)


# --------------------------------------------------------------------------- what is left out


def test_pages_broadsheet_makes_itself_and_files_it_never_reads(tmp_path):
    site = read_tree(tmp_path, {
        "index.md": post("title: Home"), "404.html": post("title: Lost"), "sitemap.xml": post("layout: null"),
        "robots.txt": post("layout: null"), "css/main.scss": "---\n---\nbody { margin: 0 }\n",
        "blog/index.html": post("title: Blog", "Intro\n\n{% for post in paginator.posts %}x{% endfor %}\n"),
        "tags.md": post("title: Tags", "{% for tag in site.tags %}{{ tag[0] }}{% endfor %}\n"),
        "_site/old.md": post(), "vendor/bundle/x.md": post(), "node_modules/y/z.md": post(), ".hidden/a.md": post(),
        "_includes/video.html": post(), "_layouts/default.html": post(), "README.md": "# Read me\n",
        "_posts/notes.md": post(), "_posts/2016-08-04-keep.md": post(), "_posts/photo.png": "not an image",
    })
    assert [item.src_path for item in site.items] == ["_posts/2016-08-04-keep.md"]
    assert sorted(site.skipped) == [
        ("404 page", "Broadsheet makes its own", 1),
        ("feed, sitemap and robots.txt", "Broadsheet writes its own", 2),
        ("files in _posts/ without a date in their name", "Jekyll did not publish them", 1),
        ("home page", "Broadsheet makes its own", 1),
        ("other files with front matter (styles, data)", "Broadsheet's theme makes its own", 1),
        ("pages that list posts", "Broadsheet makes its home, tag and archive pages itself", 2)]
    assert sorted(str(note.loc) for note in site.notes) == ["jekyll/blog/index.html:6", "jekyll/tags.md:4"]


def test_a_post_in_another_format_is_noted(tmp_path):
    site = read_tree(tmp_path, {"_posts/2016-08-04-old.textile": post("title: Old", "h1. Textile\n")})
    assert site.items == () and [str(n.loc) for n in site.notes] == ["jekyll/_posts/2016-08-04-old.textile:1"]
    assert site.skipped == (("posts in other formats", "Broadsheet reads Markdown and HTML posts", 1),)


def test_names_yaml_would_misread_are_taken_as_written(tmp_path):
    site = read_tree(tmp_path, {"_posts/2016-08-04-a.md": post("title: 1984\ntags: [yes, 2016]\ncategories: on")})
    assert {k: site.items[0].front[k] for k in ("title", "tags", "categories")} == \
        {"title": "1984", "tags": ["yes", "2016"], "categories": ["on"]}


def test_the_configs_exclude(tmp_path):
    site = read_tree(tmp_path, {"drafts-old/a.md": post(), "docs/b.md": post(), "c.md": post(), "d.md": post()},
                     config="exclude: [drafts-old, 'docs/*.md', c.md]\n")
    assert [item.src_path for item in site.items] == ["d.md"]


# --------------------------------------------------------------------------- Liquid


TARGETS = LinkTargets({"2016-08-24-admin": "/2016/08/24/admin/", "news/2016-08-24-admin": "/2016/08/24/admin/"},
                      {"about.md": "/about/"}, FIXTURE)


def convert(body: str, *, html: bool = False) -> tuple[str, list]:
    return join_pieces(convert_liquid(body, TARGETS, html=html))


@pytest.mark.parametrize("liquid, markdown", [
    ("[a]({% post_url 2016-08-24-admin %})", "[a](/2016/08/24/admin/)"),
    ("[a]({% post_url news/2016-08-24-admin %})", "[a](/2016/08/24/admin/)"),
    ("[a]({{ site.baseurl }}{% post_url 2016-08-24-admin %})", "[a](/2016/08/24/admin/)"),
    ("[a]({% link about.md %})", "[a](/about/)"),
    ("![m]({% link assets/images/footbridge.png %})", "![m](/assets/images/footbridge.png)"),
    ("![m]({{ site.baseurl }}/x.png)", "![m](/x.png)"),
    ("![m]({{- site.baseurl -}}/x.png)", "![m](/x.png)"),
    ("![m]({{ site.url }}{{ site.baseurl }}/x.png)", "![m](/x.png)"),
    ("[home]({{ site.baseurl }})", "[home](/)"),
    ('[x]({{ "/x/" | relative_url }})', "[x](/x/)"),
    ("[x]({{ 'x.pdf' | absolute_url }})", "[x](/x.pdf)"),
    ("[x]({{ '/x/' | prepend: site.baseurl }})", "[x](/x/)"),
    ("a{% comment %}gone{% endcomment %}b", "ab"),
    ("{%- comment -%}\ngone\n{%- endcomment -%}", ""),
    ("{% raw %}{% include x %} {{ y }}{% endraw %}", "{% include x %} {{ y }}"),
    ("{% highlight ruby %}\nputs 1\n{% endhighlight %}", "```ruby\nputs 1\n```"),
    ("{% highlight sh linenos %}\n```\n{% endhighlight %}", "````sh\n```\n````"),
    ("Run {% highlight sh %}ls{% endhighlight %} now", "Run \n```sh\nls\n```\n now"),
    ("{% highlight html %}\n{% raw %}{{ x }}{% endraw %}\n{% endhighlight %}", "```html\n{{ x }}\n```"),
])
def test_liquid_conversions(liquid, markdown):
    assert convert(liquid) == (markdown, [])


@pytest.mark.parametrize("liquid, line, what", [
    ("a\n\n{% include note.html %}", 3, "a Liquid tag {% include note.html %} is left as written"),
    ("{{ page.title }}", 1, "a Liquid variable {{ page.title }} is left as written"),
    ("{% if x %}\nb\n{% endif %}", 1, "a Liquid tag {% if x %} is left as written"),
    ("x\n{% post_url 2001-01-01-gone %}", 2, "{% post_url 2001-01-01-gone %} names no post of the site"),
    ("x\n\n{% link nowhere.md %}", 3, "{% link nowhere.md %} names no file of the site"),
    ("{% highlight a %}\nb\n{% endhighlight %}\n\n{% raw %} open", 5,
     "a Liquid {% raw %} without its {% endraw %} is left as written"),
    ("{% highlight py %}\n# {{ page.x }}\n{% endhighlight %}", 2, "a Liquid variable {{ page.x }} is left as written"),
])
def test_liquid_left_as_written_with_a_note_at_its_line(liquid, line, what):
    markdown, notes = convert(liquid)
    assert [(n[0], n[1][:len(what)]) for n in notes] == [(line, what)]
    assert markdown.count("{") == liquid.count("{") - liquid.count("{% highlight") - liquid.count("{% endhighlight")


def test_unclosed_liquid_converts_in_linear_time():
    hostile = "{% raw %}" * 20_000 + "{% highlight x %}" * 20_000 + "{{ " * 50_000 + "{% " * 50_000
    markdown, notes = convert(hostile)
    assert markdown == hostile and len(notes) == 40_000  # each raw and highlight without its end


def test_an_html_body_with_highlight_and_a_tag_left(tmp_path):
    body = ("<p>Intro.</p>\n{% highlight ruby %}\nputs \"<b>\"\n{% endhighlight %}\n"
            "<p>See {% include x.html %} and <a href=\"/blog/2020/x/\">this</a>.</p>\n")
    site = read_tree(tmp_path, {"_posts/2020-01-01-x.html": post("title: X", body)}, config="baseurl: /blog\n")
    item = site.items[0]
    assert item.body == ("Intro.\n\n```ruby\nputs \"<b>\"\n```\n\n"
                         "See {% include x.html %} and [this](/2020/x/).\n")
    assert [n[0] for n in item.notes] == [7]


@pytest.mark.parametrize("expression, following, path", [
    ("site.baseurl", "/", ""), ("site.url", "{", ""), ("site.baseurl", '"', "/"),
    ('"/a" | relative_url', "", "/a"), ("'a/b' | absolute_url", "", "/a/b"),
    ("'/a' | prepend: site.url", "", "/a"), ("site.baseurl | append: '/feed.xml'", "", "/feed.xml"),
    ("page.url", "", None), ("'/a' | upcase", "", None), ("site.title", "", None),
])
def test_site_paths_of_liquid_outputs(expression, following, path):
    assert site_path_of(expression, following) == path


def test_the_base_url_leaves_the_links_bodies_write_out():
    body = '[a](/blog/x/) ![b](/blog) <a href="/blog/y">y</a>\n[c]: /blog/z\n[d](/blogroll/) /blog/text'
    assert strip_baseurl(body, "/blog") == '[a](/x/) ![b](/) <a href="/y">y</a>\n[c]: /z\n[d](/blogroll/) /blog/text'
    assert strip_baseurl(body, "") == body


@pytest.mark.parametrize("text, pretty, cased, slug", [
    ("Jekyll Admin!", False, False, "jekyll-admin"), ("Jekyll Admin!", True, True, "Jekyll-Admin!"),
    ("Größe & Café", False, False, "größe-café"), ("a__b--c", False, False, "a-b-c"),
    ("v1.2 (beta)", True, False, "v1.2-(beta)"),
])
def test_jekyll_slugify(text, pretty, cased, slug):
    assert jekyll_slugify(text, pretty=pretty, cased=cased) == slug


def test_expand_permalink_leaves_no_doubled_slash():
    assert expand_permalink("/:categories/:title:output_ext", {"categories": "", "title": "x",
                                                              "output_ext": ".html"}) == "/x.html"
    assert expand_permalink(":path/", {"path": ""}) == "/"


# --------------------------------------------------------------------------- bad input


def errors_of(tmp_path: Path, files: dict[str, str], config: str | None = "timezone: UTC\n") -> list[str]:
    with pytest.raises(SiteErrors) as caught:
        read_tree(tmp_path, files, config=config)
    assert caught.value.exit_code == 2
    return [problem.format() for problem in caught.value.problems]


def test_front_matter_that_does_not_parse_is_an_error_at_its_line(tmp_path):
    problems = errors_of(tmp_path, {"_posts/2016-08-04-a.md": "---\ntitle: A\ntags: [one, two\n---\nText\n",
                                    "_posts/2016-08-05-b.md": "---\ntitle: B\ntitle: C\n---\n",
                                    "about.md": "---\ntitle: About\n"})
    assert len(problems) == 3
    assert re.match(r"jekyll/_posts/2016-08-04-a\.md:[34](:\d+)?: error: ", problems[0]), problems[0]
    assert problems[1].startswith("jekyll/_posts/2016-08-05-b.md:3: error: duplicate key 'title'")
    assert problems[2].startswith("jekyll/about.md:1: error: the front matter is not closed")


def test_a_date_that_is_none_is_an_error_at_its_line(tmp_path):
    problems = errors_of(tmp_path, {"_posts/2016-08-04-a.md": post("title: A\ndate: next tuesday"),
                                    "_posts/2016-02-30-b.md": post("title: B")})
    assert problems == [
        "jekyll/_posts/2016-02-30-b.md:1: error: the file name's date 2016-02-30 is no date\n"
        "  hint: rename the file with the date it was published",
        "jekyll/_posts/2016-08-04-a.md:3: error: 'date: next tuesday' is no date\n"
        "  hint: write it as 2016-08-24, or 2016-08-24 10:30:00 +0100"]


@pytest.mark.parametrize("config, line, message", [
    ("title: x\npermalink: [a\n", 2, "the configuration"),
    ("title: x\ntimezone: Mars/Olympus\n", 2, "'timezone: Mars/Olympus' is no time zone"),
])
def test_a_config_that_does_not_parse_is_an_error_at_its_line(tmp_path, config, line, message):
    problems = errors_of(tmp_path, {"_posts/2016-08-04-a.md": post()}, config=config)
    assert len(problems) == 1 and problems[0].startswith(f"jekyll/_config.yml:{line}"), problems
    assert message in problems[0]


def test_authors_data_that_does_not_parse(tmp_path):
    problems = errors_of(tmp_path, {"_data/authors.yml": "jo:\n  name: [Jo\n"})
    assert problems[0].startswith("jekyll/_data/authors.yml:")


def test_an_empty_config_and_front_matter_are_jekylls_defaults(tmp_path):
    site = read_tree(tmp_path, {"_posts/2016-08-04-a.md": "---\n# nothing\n---\nText\n"}, config="# empty\n")
    assert (site.items[0].old_url, site.items[0].front) == ("/2016/08/04/a.html", {"title": "A"})


# --------------------------------------------------------------------------- the command line


def import_jekyll(site: Path, *options: str, folder: Path = FIXTURE):
    return run_cli("import", "jekyll", str(folder), "--site", str(site), *options)


def front_matter(path: Path) -> tuple[dict, str]:
    _, head, body = path.read_text(encoding="utf-8").split("---\n", 2)
    return yaml.safe_load(head), body


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """A site with the fixture imported, and the import's result."""
    site = make_site(tmp_path_factory.mktemp("lantern") / "site", {}, config=CONFIG)
    result = import_jekyll(site)
    assert result.returncode == 0, result.stderr
    return site, result


@pytest.fixture(scope="module")
def built(imported):
    site, _ = imported
    return site, run_cli("--site", str(site))


def test_import_writes_articles_pages_authors_media_and_the_report(imported):
    site, result = imported
    written = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    articles = {"footbridge-reopens", "spring-seed-swap", "library-hours", "weather-station-data", "river-cleanup",
                "council-budget-preview", "summer-fair", "new-bakery-opens", "harvest-supper-plans"}
    assert {f"content/articles/{slug}.md" for slug in articles} | {"content/pages/about.md"} <= written
    assert (site / "content/assets/images/footbridge.png").read_bytes() == \
        (FIXTURE / "assets/images/footbridge.png").read_bytes()
    assert "IMPORT-REPORT.md" in written and result.stderr == ""
    assert ": 9 articles (2 drafts), 1 page, 2 authors, " in result.stdout.splitlines()[0]
    assert "1 media file copied" in result.stdout.splitlines()[0]


def test_imported_articles_keep_their_fields(imported):
    site, _ = imported
    fields, body = front_matter(site / "content/articles/footbridge-reopens.md")
    assert fields["title"] == "The Weir Footbridge Reopens"
    assert "/news/2023/03/04/footbridge-reopens/" in fields["aliases"] and "/footbridge/" in fields["aliases"]
    assert "![The new planks of the footbridge](/assets/images/footbridge.png)" in body
    fields, _ = front_matter(site / "content/articles/council-budget-preview.md")
    assert fields.get("draft") is True and not fields.get("aliases")


def test_the_imported_site_builds_and_checks_without_errors(built):
    site, result = built
    assert result.returncode == 0, result.stderr
    assert "error" not in result.stderr and "Traceback" not in result.stderr
    checked = run_cli("check", "--site", str(site))
    assert checked.returncode == 0, checked.stderr
    assert "error" not in checked.stderr


def test_every_old_address_leads_to_a_page_that_exists(built):
    site, _ = built
    output = site / "output"
    old = [url for url in OLD_URLS.values() if url] + ["/footbridge/"]
    for url in old:
        page = output / url.strip("/") if url.endswith(".html") else output / url.strip("/") / "index.html"
        assert page.is_file(), f"{url}: nothing at {page.relative_to(site)}"
        moved = re.search(r'<meta http-equiv="refresh" content="0; url=([^"]+)">', page.read_text(encoding="utf-8"))
        if moved:
            target = output / moved[1].lstrip("/") / "index.html"
            assert target.is_file(), f"{url} redirects to {moved[1]}, which was not built"
    assert (output / "assets/images/footbridge.png").is_file()


def test_a_second_import_refuses_to_overwrite_and_force_overwrites(tmp_path):
    site = make_site(tmp_path / "site", {}, config=CONFIG)
    assert import_jekyll(site).returncode == 0
    (site / "content/pages/about.md").write_text("---\ntitle: Mine\n---\n", encoding="utf-8")
    before = snapshot(site)
    again = import_jekyll(site)
    assert again.returncode == 2 and "Traceback" not in again.stderr
    assert "already: content/" in again.stderr and "nothing was written" in again.stderr
    assert snapshot(site) == before
    forced = import_jekyll(site, "--force")
    assert forced.returncode == 0, forced.stderr
    assert "Mine" not in (site / "content/pages/about.md").read_text(encoding="utf-8")


def test_a_bad_front_matter_stops_the_import_and_writes_nothing(tmp_path):
    folder = make_site(tmp_path / "old", {"_config.yml": "timezone: UTC\n",
                                          "_posts/2016-08-04-a.md": "---\ntitle: [A\n---\n"}, config=None)
    site = make_site(tmp_path / "site", {}, config=CONFIG)
    result = import_jekyll(site, folder=folder)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert re.search(r"_posts/2016-08-04-a\.md:2(:\d+)?: error: ", result.stderr), result.stderr
    assert [p.name for p in site.iterdir()] == ["config.yaml"]
