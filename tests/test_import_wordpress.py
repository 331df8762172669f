"""`python build.py import wordpress EXPORT.xml`: a WordPress export into a site that builds.

The fixture (tests/fixtures/wordpress/export.xml) is a small export of a fictional paper,
The Saltmarsh Herald: two users, categories and tags, every status, a featured image, a
[caption] shortcode, Gutenberg image and embed blocks, a plugin's shortcode, an iframe,
pages, menu entries, and media of which one is in the fixture's uploads folder and one
is not. Every test runs the real command line on real files.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from broadsheet.importers.common import html_to_markdown, markdown_file, replace_spans
from broadsheet.importers.addresses import old_address
from broadsheet.importers.wordpress_bodies import PARALLEL_MIN, BodyContext, convert_bodies, convert_body
from broadsheet.source import parse_document
from conftest import make_site, run_cli, snapshot

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "wordpress"
EXPORT = FIXTURES / "export.xml"
UPLOADS = FIXTURES / "uploads"
CONFIG = "title: The Saltmarsh Herald\nbase_url: https://herald.example/\ntimezone: Europe/London\n"
OLD_SITE = "https://saltmarsh-herald.example"
NS = {"wp": "http://wordpress.org/export/1.2/"}

ARTICLES = {"easter-rota", "estuary-festival-line-up-announced", "ferry-budget-vote", "harbour-wall-repairs",
            "harbour-wall-repairs-2", "letters-pier-lights", "lifeboat-station-plans", "summer-tide-tables"}


def import_wordpress(site: Path, *options: str, export: Path = EXPORT):
    return run_cli("import", "wordpress", str(export), "--site", str(site), *options)


def front_matter(path: Path) -> tuple[dict, str]:
    """The front matter (as YAML reads it) and the body of a written Markdown file."""
    text = path.read_text(encoding="utf-8")
    _, head, body = text.split("---\n", 2)
    return yaml.safe_load(head), body


def report_entries(site: Path) -> list[tuple[str, int, str]]:
    """(file, line, text) of every entry of IMPORT-REPORT.md."""
    text = (site / "IMPORT-REPORT.md").read_text(encoding="utf-8")
    return [(m[1], int(m[2]), m[3]) for m in re.finditer(r"^- `([^`]+):(\d+)`: (.*)$", text, re.MULTILINE)]


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> tuple[Path, object]:
    """A site with the fixture imported (media copied), and the import's result."""
    site = make_site(tmp_path_factory.mktemp("herald") / "site", {}, config=CONFIG)
    result = import_wordpress(site, "--uploads", str(UPLOADS))
    assert result.returncode == 0, result.stderr
    return site, result


@pytest.fixture(scope="module")
def built(imported) -> tuple[Path, object]:
    """The imported site, built."""
    site, _ = imported
    result = run_cli("--site", str(site))
    return site, result


# --------------------------------------------------------------------------- the import as a whole


def test_import_writes_articles_pages_authors_media_and_the_report(imported):
    site, result = imported
    written = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    assert written == ({"config.yaml", "IMPORT-REPORT.md", "content/authors/ines-okonkwo.md",
                        "content/authors/tbarrow.md", "content/pages/about.md", "content/pages/contact.md",
                        "content/images/2024/03/harbour-wall.png", "content/images/2024/03/crane-barge.png"}
                       | {f"content/articles/{slug}.md" for slug in ARTICLES})
    assert (site / "content/images/2024/03/harbour-wall.png").read_bytes() == \
        (UPLOADS / "2024/03/harbour-wall.png").read_bytes()
    lines = result.stdout.splitlines()
    assert lines[0].endswith(": 8 articles (3 drafts, 1 scheduled), 2 pages, 2 authors, 6 tags, 2 media files copied")
    assert lines[1] == ("Not imported: menu entries: 2 (menus are nav: in config.yaml); "
                        "comments: 1 (a static site has none)")
    assert lines[2] == "IMPORT-REPORT.md lists 10 things to check, each at its file and line"
    assert result.stderr == ""


def test_the_imported_site_builds_without_errors(built):
    site, result = built
    assert result.returncode == 0, result.stderr
    assert "error" not in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert "4 articles, 2 authors, 4 tags" in result.stdout  # drafts and the scheduled one are left out


def test_every_old_address_leads_to_a_page_that_exists(built):
    """Each published post and page answers at its WordPress address: a redirect page
    whose target is built (or the page itself, where the address did not change)."""
    site, _ = built
    output = site / "output"
    checked = []
    for item in ElementTree.parse(EXPORT).getroot().iter("item"):
        kind, status = item.findtext("wp:post_type", namespaces=NS), item.findtext("wp:status", namespaces=NS)
        link = item.findtext("link")
        if kind not in ("post", "page") or status != "publish" or "?" in link:
            continue
        page = output / link[len(OLD_SITE) + 1:] / "index.html"
        assert page.is_file(), f"{link}: nothing at {page.relative_to(site)}"
        html = page.read_text(encoding="utf-8")
        moved = re.search(r'<meta http-equiv="refresh" content="0; url=([^"]+)">', html)
        if moved:
            target = output / moved[1].lstrip("/") / "index.html"
            assert target.is_file(), f"{link} redirects to {moved[1]}, which was not built"
            assert 'http-equiv="refresh"' not in target.read_text(encoding="utf-8")
        checked.append(link)
    assert len(checked) == 5  # three published posts (a fourth has a ?p= address) and two pages


def test_every_old_address_is_in_the_redirect_files(built):
    site, _ = built
    redirects = (site / "output/_redirects").read_text(encoding="utf-8")
    assert "/2024/03/11/harbour-wall-repairs/ /articles/harbour-wall-repairs/ 301" in redirects
    assert "/2024/04/22/harbour-wall-repairs/ /articles/harbour-wall-repairs-2/ 301" in redirects
    assert "/about/contact/ /contact/ 301" in redirects
    assert "?p=" not in redirects


# --------------------------------------------------------------------------- front matter


def test_a_published_post_with_every_field(imported):
    site, _ = imported
    meta, _ = front_matter(site / "content/articles/harbour-wall-repairs.md")
    assert meta == {
        "title": "Harbour wall repairs begin after winter storms",
        "date": datetime(2024, 3, 11, 7, 30, tzinfo=timezone.utc),
        "updated": datetime(2024, 3, 12, 16, 5, tzinfo=timezone.utc),
        "authors": ["ines-okonkwo"],
        "tags": ["Harbour", "storms", "ferry"],
        "category": "Harbour",
        "summary": "Crews start on the north quay wall & the slipway stays open.",
        "image": {"src": "/images/2024/03/harbour-wall.png", "alt": "A gap in a stone harbour wall, with the tide out",
                  "caption": "The gap in the north quay wall at low tide.", "credit": "Inês Okonkwo"},
        "aliases": ["/2024/03/11/harbour-wall-repairs/"],
    }
    text = (site / "content/articles/harbour-wall-repairs.md").read_text(encoding="utf-8")
    assert text.startswith("---\ntitle: Harbour wall repairs begin after winter storms\ndate: 2024-03-11 07:30:00+00:00\n")


def test_text_yaml_would_misread_is_quoted_and_tag_spellings_are_one(imported):
    site, _ = imported
    meta, _ = front_matter(site / "content/articles/ferry-budget-vote.md")
    assert meta["title"] == '"Yes" to the ferry: council budget vote #1 priority'
    assert meta["tags"] == ["Council", "Harbour", "ferry"]  # 'Ferry' of this post is the 'ferry' of an earlier one
    assert meta["category"] == "Council"
    assert "updated" not in meta  # modified before it was published
    assert "summary" not in meta  # no excerpt
    assert "image" not in meta and "draft" not in meta


@pytest.mark.parametrize("slug, status", [("estuary-festival-line-up-announced", "draft"),
                                          ("lifeboat-station-plans", "pending"), ("easter-rota", "private")])
def test_drafts_pending_and_private_posts_are_drafts(imported, slug, status):
    site, _ = imported
    meta, _ = front_matter(site / f"content/articles/{slug}.md")
    assert meta["draft"] is True, status


def test_a_draft_without_a_date_in_utc_is_dated_in_the_sites_time_zone(imported):
    site, _ = imported
    meta, _ = front_matter(site / "content/articles/estuary-festival-line-up-announced.md")
    assert meta["date"] == datetime(2024, 4, 2, 9, 15, tzinfo=timezone(timedelta(hours=1)))  # London in April
    assert meta["tags"] == ["Arts & Culture"]  # '&amp;' of the export decoded
    assert "aliases" not in meta  # its ?p=103 address was never public


def test_a_scheduled_post_is_published_with_its_future_date(imported):
    site, _ = imported
    meta, _ = front_matter(site / "content/articles/summer-tide-tables.md")
    assert meta["date"] == datetime(2035, 4, 30, 6, 0, tzinfo=timezone.utc)
    assert "draft" not in meta


def test_wordpress_catch_all_category_is_no_tag(imported):
    site, _ = imported
    meta, _ = front_matter(site / "content/articles/easter-rota.md")
    assert "tags" not in meta and "category" not in meta
    assert meta["aliases"] == ["/2024/03/20/easter-rota/"]


def test_two_posts_with_one_slug(imported):
    site, _ = imported
    first, _ = front_matter(site / "content/articles/harbour-wall-repairs.md")
    second, _ = front_matter(site / "content/articles/harbour-wall-repairs-2.md")
    assert first["title"] == "Harbour wall repairs begin after winter storms"
    assert second["title"] == "Harbour wall: the second phase"
    assert second["aliases"] == ["/2024/04/22/harbour-wall-repairs/"]
    assert ("content/articles/harbour-wall-repairs-2.md", 1,
            "the slug 'harbour-wall-repairs' is taken by post 101 ('Harbour wall repairs begin after winter "
            "storms'): this one is 'harbour-wall-repairs-2' — rename the file to change its address; the old "
            "address still redirects here") in report_entries(site)


def test_pages_and_their_old_addresses(imported):
    site, _ = imported
    about, body = front_matter(site / "content/pages/about.md")
    assert about == {"title": "About the Herald"}  # /about/ stays /about/: no alias
    assert "[newsroom](/contact/)" in body  # a link to a page's old address is its new one
    contact, _ = front_matter(site / "content/pages/contact.md")
    assert contact == {"title": "Contact the newsroom", "aliases": ["/about/contact/"]}


def test_users_become_author_profiles_without_their_email(imported):
    site, _ = imported
    assert (site / "content/authors/ines-okonkwo.md").read_text(encoding="utf-8") == "---\nname: Inês Okonkwo\n---\n"
    assert (site / "content/authors/tbarrow.md").read_text(encoding="utf-8") == "---\nname: Tomasz Barrow\n---\n"
    assert not any("@saltmarsh-herald.example" in p.read_text(encoding="utf-8")
                   for p in site.rglob("*.md"))


# --------------------------------------------------------------------------- bodies


def test_classic_editor_body_caption_and_links(imported):
    site, _ = imported
    _, body = front_matter(site / "content/articles/harbour-wall-repairs.md")
    paragraphs = body.strip().split("\n\n")
    assert paragraphs[1] == ('![A crane barge moored beside the broken wall](/images/2024/03/crane-barge.png '
                             '"The crane barge “Mary Ellen” arrived from Dunmere on Sunday.")')
    assert paragraphs[2] == ("The harbour master, Colm Reddy, said the quay would stay closed to cars until the end "
                             "of April.  \nFishing boats can still land their catch at the south slipway.")
    assert "[the ferry budget vote](/articles/ferry-budget-vote/)" in paragraphs[3]
    assert f"({OLD_SITE}/wp-content/uploads/2024/03/timetable.pdf)" in paragraphs[3]  # not in the uploads


def test_gutenberg_blocks(imported):
    site, _ = imported
    _, body = front_matter(site / "content/articles/ferry-budget-vote.md")
    assert "wp:" not in body.replace("<!-- WordPress block latest-posts", "")
    paragraphs = body.strip().split("\n\n")
    assert paragraphs[1] == (f'![Councillors raise their hands in the chamber]({OLD_SITE}/wp-content/uploads/2024/03/'
                             'council-chamber.jpg "The vote at Thursday\'s meeting. | Photo: Tomasz Barrow")')
    assert paragraphs[2:6] == ["## What the money pays for",
                               "- Two crossings a day from November to March\n- A new gangway at the island pier",
                               "<https://video.example.net/watch/holm-ferry>", "The ferry crossing in January."]
    assert paragraphs[6].startswith("<!-- WordPress block latest-posts")
    assert paragraphs[7] == ("The harbour wall work is covered in [our earlier report](/articles/harbour-wall-repairs/), "
                             "and in [all our harbour news](/tags/harbour/).")


def test_figures_are_figures_in_the_built_page(built):
    site, _ = built
    html = (site / "output/articles/harbour-wall-repairs/index.html").read_text(encoding="utf-8")
    assert re.search(r'<figure class="figure"><img alt="A crane barge moored beside the broken wall" '
                     r'src="/images/2024/03/crane-barge.png"[^>]*><figcaption>The crane barge “Mary Ellen” arrived',
                     html)
    vote = (site / "output/articles/ferry-budget-vote/index.html").read_text(encoding="utf-8")
    assert '<span class="credit">Photo: Tomasz Barrow</span>' in vote


def test_a_gallery_is_a_figure_for_each_image(imported):
    site, _ = imported
    _, body = front_matter(site / "content/articles/letters-pier-lights.md")
    assert body.strip().split("\n\n")[1:] == [
        '![A gap in a stone harbour wall, with the tide out](/images/2024/03/harbour-wall.png "The gap in the north '
        'quay wall at low tide. | Inês Okonkwo")',
        "![A crane barge moored beside the broken wall](/images/2024/03/crane-barge.png)"]


def test_plugin_shortcodes_and_iframes_are_kept_and_reported(imported):
    site, _ = imported
    _, festival = front_matter(site / "content/articles/estuary-festival-line-up-announced.md")
    assert ('<!-- WordPress shortcode, not converted: [contact-form-7 id="42" title="Festival tickets"] -->'
            in festival.split("\n\n"))
    _, lifeboat = front_matter(site / "content/articles/lifeboat-station-plans.md")
    assert ('<iframe src="https://maps.example.org/embed?pilot-lane" width="600" height="400" '
            'title="Map of Pilot Lane"></iframe>') in lifeboat.split("\n\n")


# --------------------------------------------------------------------------- the report


@pytest.mark.parametrize("src_path, found_on_the_line, message", [
    ("content/articles/estuary-festival-line-up-announced.md", "[contact-form-7", "WordPress shortcode [contact-form-7]"),
    ("content/articles/lifeboat-station-plans.md", "<iframe", "raw <iframe> (https://maps.example.org/"),
    ("content/articles/ferry-budget-vote.md", "council-chamber.jpg", "2024/03/council-chamber.jpg is not in the uploads"),
    ("content/articles/ferry-budget-vote.md", "<https://video.example.net/", "embedded content from video.example.net"),
    ("content/articles/ferry-budget-vote.md", "latest-posts", "the WordPress block 'latest-posts'"),
    ("content/articles/harbour-wall-repairs.md", "timetable.pdf", "2024/03/timetable.pdf is not in the uploads"),
    ("content/articles/letters-pier-lights.md", "---", f"the old address {OLD_SITE}/?p=108 has a query"),
    ("content/articles/letters-pier-lights.md", "![A gap in a stone harbour wall", "a gallery of 2 images"),
])
def test_the_report_names_the_line_to_look_at(imported, src_path, found_on_the_line, message):
    site, _ = imported
    entries = [(line, text) for path, line, text in report_entries(site) if path == src_path and message in text]
    assert len(entries) == 1, report_entries(site)
    line = entries[0][0]
    assert found_on_the_line in (site / src_path).read_text(encoding="utf-8").split("\n")[line - 1]


def test_the_report_names_what_was_not_imported_at_the_exports_line(imported):
    site, _ = imported
    export_lines = EXPORT.read_text(encoding="utf-8").split("\n")
    skipped = [(line, text) for path, line, text in report_entries(site) if path.endswith("export.xml")]
    assert len(skipped) == 1
    line, text = skipped[0]
    assert text.startswith("not imported: menu entries, 2 in all, the first at this line")
    assert export_lines[line - 1].strip() == "<item>"
    assert "nav_menu_item" in "\n".join(export_lines[line:line + 30])


# --------------------------------------------------------------------------- media without --uploads


def test_without_uploads_media_stay_on_the_old_site_with_one_warning(tmp_path):
    site = make_site(tmp_path / "site", {}, config=CONFIG)
    result = import_wordpress(site)
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stdout.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "--uploads" in warnings[0], result.stdout
    assert "0 media files copied" in result.stdout
    assert not (site / "content/images").exists()
    meta, body = front_matter(site / "content/articles/harbour-wall-repairs.md")
    assert meta["image"]["src"] == f"{OLD_SITE}/wp-content/uploads/2024/03/harbour-wall.png"
    assert f"({OLD_SITE}/wp-content/uploads/2024/03/crane-barge.png " in body


# --------------------------------------------------------------------------- never overwrite


def test_a_second_import_refuses_to_overwrite_and_writes_nothing(imported):
    site, _ = imported
    before = snapshot(site / "content") | {"IMPORT-REPORT.md": (site / "IMPORT-REPORT.md").read_bytes()}
    result = import_wordpress(site, "--uploads", str(UPLOADS))
    assert result.returncode == 2
    assert "files exist already: content/authors/ines-okonkwo.md, content/authors/tbarrow.md, " in result.stderr
    assert "nothing was written" in result.stderr and "--force" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert snapshot(site / "content") | {"IMPORT-REPORT.md": (site / "IMPORT-REPORT.md").read_bytes()} == before


def test_one_existing_file_stops_the_whole_import(tmp_path):
    site = make_site(tmp_path / "site", {"content/authors/tbarrow.md": "---\nname: Tom\n---\n"}, config=CONFIG)
    result = import_wordpress(site)
    assert result.returncode == 2
    assert "error: 1 file exists already: content/authors/tbarrow.md; nothing was written" in result.stderr
    assert sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()) == \
        ["config.yaml", "content/authors/tbarrow.md"]


def test_force_overwrites(tmp_path):
    site = make_site(tmp_path / "site", {"content/authors/tbarrow.md": "---\nname: Tom\n---\n"}, config=CONFIG)
    result = import_wordpress(site, "--force")
    assert result.returncode == 0, result.stderr
    assert (site / "content/authors/tbarrow.md").read_text(encoding="utf-8") == "---\nname: Tomasz Barrow\n---\n"
    assert not list(site.rglob("*.bs-import"))


def test_a_slug_or_address_the_site_has_already_is_left_to_it(tmp_path):
    """An article of the site with an imported post's slug (in another file), and a page
    whose alias is an imported page's address: the import takes other slugs, says why,
    and the site builds; forced again, it writes over its own files, not beside them."""
    site = make_site(tmp_path / "site", {
        "content/articles/2023/ferry.md": "---\ntitle: Ferry\ndate: 2023-01-02\nslug: ferry-budget-vote\n---\nMine.\n",
        "content/pages/team.md": "---\ntitle: Team\naliases: [/about/]\n---\nUs.\n"}, config=CONFIG)
    result = import_wordpress(site, "--uploads", str(UPLOADS))
    assert result.returncode == 0, result.stderr
    assert (site / "content/articles/ferry-budget-vote-2.md").exists()
    assert not (site / "content/articles/ferry-budget-vote.md").exists()
    assert (site / "content/pages/about-2.md").exists()
    entries = report_entries(site)
    assert ("content/articles/ferry-budget-vote-2.md", 1, "the slug 'ferry-budget-vote' is taken by "
            "content/articles/2023/ferry.md: this one is 'ferry-budget-vote-2' — rename the file to change its "
            "address; the old address still redirects here") in entries
    built = run_cli("--site", str(site))
    assert built.returncode == 0 and "error" not in built.stderr, built.stderr
    before = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.md"))
    again = import_wordpress(site, "--uploads", str(UPLOADS), "--force")
    assert again.returncode == 0, again.stderr
    assert sorted(p.relative_to(site).as_posix() for p in site.rglob("*.md")) == before


def test_a_folder_where_a_file_goes_is_never_replaced(tmp_path):
    site = make_site(tmp_path / "site", {"content/authors/tbarrow.md/keep.txt": "mine"}, config=CONFIG)
    result = import_wordpress(site, "--force")
    assert result.returncode == 2
    assert "error: content/authors/tbarrow.md is a folder, where the import would write a file" in result.stderr
    assert (site / "content/authors/tbarrow.md/keep.txt").read_text(encoding="utf-8") == "mine"
    assert not (site / "content/articles").exists()


# --------------------------------------------------------------------------- bad and hostile exports


def _export_with(old: str, new: str) -> str:
    text = EXPORT.read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new, 1)


def _billion_laughs() -> str:
    entities = "".join(f' <!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">\n' for i in range(1, 10))
    return f'<?xml version="1.0"?>\n<!DOCTYPE rss [\n <!ENTITY lol0 "lol">\n{entities}]>\n' \
           "<rss><channel><title>&lol9;</title></channel></rss>\n"


HOSTILE = {
    "billion-laughs": (_billion_laughs, 3, "the export declares XML entities or a document type"),
    "broken-xml": (lambda: _export_with("<wp:post_name><![CDATA[ferry-budget-vote]]></wp:post_name>",
                                        "<wp:post_name><![CDATA[ferry-budget-vote]]>"),
                   None, "the export is not well-formed XML: mismatched tag"),
    "truncated": (lambda: EXPORT.read_text(encoding="utf-8")[:20_000], None, "error: the export "),
    "cut-at-a-tag": (lambda: EXPORT.read_text(encoding="utf-8").split("<item>")[0], None,
                     "the export ends too early (no element found): the file is cut off"),
    "no-title": (lambda: _export_with("<title><![CDATA[Plans for a new lifeboat station]]></title>", "<title></title>"),
                 None, "post 104 has no title"),
    "no-date": (lambda: _export_with("<wp:post_date><![CDATA[2024-04-26 10:00:00]]></wp:post_date>\n\t\t"
                                     "<wp:post_date_gmt><![CDATA[2024-04-26 09:00:00]]></wp:post_date_gmt>", ""),
                None, "post 108 (Letters: the pier lights) has no date"),
    "bad-date": (lambda: _export_with("2024-04-26 09:00:00", "2024-13-45 09:00:00"), None,
                 "post 108: cannot read '2024-13-45 09:00:00' as a date"),
    "not-wordpress": (lambda: '<?xml version="1.0"?>\n<html><body>Hello</body></html>\n', 2,
                      "is not a WordPress export"),
    "huge-body": (lambda: _export_with("Who covers which shift over the four days.", "x" * 50_000_000), None,
                  "post 105: its body is 50,000,000 characters, more than the import converts"),
}


@pytest.mark.parametrize("case", HOSTILE)
def test_a_bad_export_is_a_clear_error_that_writes_nothing(tmp_path, case):
    make_text, line, message = HOSTILE[case]
    export = tmp_path / f"{case}.xml"
    export.write_text(make_text(), encoding="utf-8")
    site = make_site(tmp_path / "site", {}, config=CONFIG)
    result = import_wordpress(site, "--uploads", str(UPLOADS), export=export)
    assert result.returncode == 2, result.stdout
    assert "Traceback" not in result.stderr
    assert message in result.stderr, result.stderr
    where = re.match(rf".*{re.escape(case)}\.xml:(\d+)(:\d+)?: error: ", result.stderr)
    assert where, result.stderr
    if line is not None:
        assert int(where[1]) == line
    assert result.stderr.rstrip().endswith("1 error: nothing was written")
    assert [p.name for p in site.iterdir()] == ["config.yaml"]


def test_an_item_without_title_is_named_at_its_line(tmp_path):
    text = _export_with("<title><![CDATA[Plans for a new lifeboat station]]></title>", "<title></title>")
    export = tmp_path / "export.xml"
    export.write_text(text, encoding="utf-8")
    result = import_wordpress(make_site(tmp_path / "site", {}, config=CONFIG), export=export)
    line = int(re.search(r"export\.xml:(\d+): error", result.stderr)[1])
    assert text.split("\n")[line - 1].strip() == "<title></title>"


def test_a_missing_export_or_uploads_folder(tmp_path):
    site = make_site(tmp_path / "site", {}, config=CONFIG)
    result = import_wordpress(site, export=tmp_path / "nowhere.xml")
    assert result.returncode == 2 and "does not exist" in result.stderr and "Traceback" not in result.stderr
    result = import_wordpress(site, "--uploads", str(tmp_path / "no-uploads"))
    assert result.returncode == 2 and "the uploads folder" in result.stderr
    assert [p.name for p in site.iterdir()] == ["config.yaml"]


# --------------------------------------------------------------------------- a large export


def _large_export(count: int) -> str:
    """An export of `count` posts of a dozen paragraphs each, with a figure, tags and an old address."""
    head = EXPORT.read_text(encoding="utf-8").split("<item>")[0]
    paragraph = ("<!-- wp:paragraph -->\n<p>The <strong>harbour board</strong> met on Tuesday to discuss the "
                 f"<a href=\"{OLD_SITE}/2024/03/14/ferry-budget-vote/\">ferry</a> and the wall.</p>\n"
                 "<!-- /wp:paragraph -->\n")
    items = []
    for n in range(count):
        body = paragraph * 12 + ('<!-- wp:image -->\n<figure class="wp-block-image"><img src="https://'
                                 f'saltmarsh-herald.example/wp-content/uploads/2024/03/harbour-wall.png" alt="Wall {n}"/>'
                                 f'<figcaption>Caption {n}</figcaption></figure>\n<!-- /wp:image -->')
        items.append(
            f"<item><title>Report number {n}</title><link>{OLD_SITE}/2024/05/{n % 28 + 1:02d}/report-{n}/</link>"
            f"<dc:creator>tbarrow</dc:creator><content:encoded><![CDATA[{body}]]></content:encoded>"
            f"<excerpt:encoded><![CDATA[]]></excerpt:encoded><wp:post_id>{1000 + n}</wp:post_id>"
            f"<wp:post_date>2024-05-01 10:00:00</wp:post_date><wp:post_date_gmt>2024-05-01 09:00:00</wp:post_date_gmt>"
            f"<wp:post_name>report-{n}</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>"
            f'<category domain="category" nicename="s{n % 10}">Section {n % 10}</category>'
            f'<category domain="post_tag" nicename="t{n % 37}">topic {n % 37}</category></item>')
    return head + "\n".join(items) + "\n</channel>\n</rss>\n"


@pytest.mark.slow
def test_an_export_of_a_thousand_posts(tmp_path):
    export = tmp_path / "large.xml"
    export.write_text(_large_export(1000), encoding="utf-8")
    site = make_site(tmp_path / "site", {}, config=CONFIG)
    result = import_wordpress(site, "--uploads", str(UPLOADS), export=export)
    assert result.returncode == 0, result.stderr
    assert ": 1,000 articles, 0 pages, 2 authors, 47 tags, 1 media file copied" in result.stdout
    assert len(list((site / "content/articles").glob("*.md"))) == 1000
    meta, body = front_matter(site / "content/articles/report-999.md")
    assert meta["tags"] == ["Section 9", "topic 0"] and meta["aliases"] == ["/2024/05/20/report-999/"]
    assert body.count("[ferry](" + OLD_SITE) == 12  # not imported in this export: the link stays as it was
    assert '![Wall 999](/images/2024/03/harbour-wall.png "Caption 999")' in body


# --------------------------------------------------------------------------- the pieces, without a disk


def test_old_addresses():
    sites = ("https://paper.example/news", "https://paper.example")
    assert old_address("https://paper.example/news/2024/05/x/", sites) == ("/2024/05/x/", None)
    assert old_address("http://paper.example/news/caf%C3%A9/", sites) == ("/café/", None)
    assert old_address("https://paper.example/news/?p=12", sites) == (None, "https://paper.example/news/?p=12")
    assert old_address("https://elsewhere.example/x/", sites) == (None, None)


def test_bodies_converted_in_workers_are_those_converted_here():
    bodies = [(str(n), f"<p>Story <em>{n}</em></p>\n\n[contact-form-7 id=\"{n}\"]") for n in range(PARALLEL_MIN + 1)]
    shared = convert_bodies(bodies, {}, {})
    assert shared == [convert_body(content, BodyContext(post_id, {}, {})) for post_id, content in bodies]
    assert shared[7].markdown.startswith("Story *7*\n\n<!-- WordPress shortcode")


def test_a_body_nested_too_deep_becomes_plain_paragraphs_with_a_note():
    body = convert_body("<div>" * 5000 + "Deep <b>text</b>", BodyContext("1", {}, {}))
    assert body.markdown == "Deep text\n"
    assert body.notes[0][0] == 1 and "nests elements too deeply" in body.notes[0][1]


@pytest.mark.parametrize("hostile", ["<iframe " * 20_000, "[caption " * 20_000, "<p" * 20_000,
                                     "<!-- wp:x " * 20_000, "a" + " " * 100_000 + "b", "<script>" * 20_000])
def test_unclosed_markup_converts(hostile):
    """Each once took minutes (a search from every opener to the end of the body)."""
    assert convert_body(hostile, BodyContext("1", {}, {})).markdown


def test_text_that_looks_like_markup_stays_text():
    body = html_to_markdown("<p>1. Not a list; a &lt;script&gt; is text, and so are *stars* and [brackets].</p>")
    assert body.markdown == "1\\. Not a list; a &lt;script> is text, and so are \\*stars\\* and \\[brackets\\].\n"


def test_spans_are_replaced_in_one_pass():
    opener = re.compile(r"\[b\]")
    assert replace_spans("a [b]x[/b] [b]y [B]z[/B]", opener, "[/b]",
                         lambda match, inner, whole: inner.upper()) == "a X Y [B]Z"


@settings(max_examples=200, deadline=None)
@given(st.text(), st.lists(st.text(min_size=1), max_size=4))
def test_front_matter_reads_back_as_written(title, tags):
    text, body_line = markdown_file({"title": title, "tags": tags, "draft": True}, "Body.")
    document = parse_document(text, "content/articles/x.md")
    assert document.meta == {"title": title, "tags": tags, "draft": True}
    assert text.split("\n")[body_line - 1] == "Body."
