"""Front matter rules of SPEC.md ("Front matter"): articles, author profiles and pages.

Real temp sites, checked through the Python API (`plan_site`, `render_site`) with a fixed
"now", and through the real CLI where the user-visible output is the point. Messages are
asserted word for word: error text is user interface.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from broadsheet.errors import SiteErrors
from broadsheet.load import Image
from broadsheet.pipeline import BuildOptions, Plan, plan_site, render_site

from broadsheet import source

from conftest import article, make_site, require_or_skip, run_cli

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)
EPOCH = str(int(NOW.timestamp()))
X = "content/articles/x.md"


def plan(site: Path, **options) -> Plan:
    return plan_site(site, BuildOptions(**options), now=NOW)


def warnings_of(site: Path, **options) -> list[str]:
    """The build succeeds; return its warnings, formatted as the CLI prints them."""
    return [p.format() for p in plan(site, **options).warnings]


def problems_of(site: Path, **options) -> list[str]:
    """The build fails; return every problem (errors and warnings), formatted."""
    with pytest.raises(SiteErrors) as info:
        plan(site, **options)
    return [p.format() for p in info.value.problems]


def render(site: Path, **options) -> dict[str, str]:
    """Render the whole site in memory: output path -> text."""
    opts = BuildOptions(**options)
    the_plan = plan_site(site, opts, now=NOW)
    return {o.out_path: o.data.decode("utf-8") for o in render_site(the_plan, site, opts)}


def record(site: Path, slug: str = "x", **options):
    for item in plan(site, **options).site.articles:
        if item.slug == slug:
            return item.record
    raise AssertionError(f"no article {slug!r} in the built site")


def cli(site: Path, *args: str):
    return run_cli(*args, cwd=site, env={"SOURCE_DATE_EPOCH": EPOCH})


# --- title ---------------------------------------------------------------------------


def test_title_is_required(tmp_path):
    site = make_site(tmp_path, {X: "---\ndate: 2026-03-01\n---\nBody.\n"})
    assert problems_of(site) == [
        "content/articles/x.md:1: error: 'title' is required\n"
        "  hint: add a line such as 'title: ...' to the front matter",
    ]


@pytest.mark.parametrize("value", ["", "''", "'   '", "~"])
def test_title_must_not_be_empty(tmp_path, value):
    site = make_site(tmp_path, {X: f"---\ndate: 2026-03-01\ntitle: {value}\n---\nBody.\n"})
    assert problems_of(site) == ["content/articles/x.md:3: error: 'title' must not be empty"]


def test_title_that_is_a_list_is_an_error(tmp_path):
    site = make_site(tmp_path, {X: "---\ntitle: [a, b]\ndate: 2026-03-01\n---\nBody.\n"})
    assert problems_of(site) == ["content/articles/x.md:2: error: 'title' must be text, not a list"]


# --- date ------------------------------------------------------------------------------


def test_date_is_required(tmp_path):
    site = make_site(tmp_path, {X: "---\ntitle: T\n---\nBody.\n"})
    assert problems_of(site) == [
        "content/articles/x.md:1: error: 'date' is required\n"
        "  hint: add a line such as 'date: ...' to the front matter",
    ]


def test_unreadable_date_is_an_error_at_its_line(tmp_path):
    site = make_site(tmp_path, {X: "---\ntitle: T\nauthor: a\ndate: next tuesday\n---\nBody.\n"})
    assert problems_of(site) == [
        "content/articles/x.md:4: error: 'date': cannot read 'next tuesday' as a date\n"
        "  hint: write it as 2026-11-24 or 2026-11-24 14:30 (optionally with +01:00)",
    ]


def test_impossible_calendar_date_is_an_error_not_a_crash(tmp_path):
    site = make_site(tmp_path, {X: article(date="2026-02-30")})
    assert problems_of(site) == [
        "content/articles/x.md:3: error: 'date': cannot read '2026-02-30' as a date\n"
        "  hint: write it as 2026-11-24 or 2026-11-24 14:30 (optionally with +01:00)",
    ]


def test_unreadable_updated_is_an_error(tmp_path):
    site = make_site(tmp_path, {X: article(updated="2026-13-45")})
    assert problems_of(site) == [
        "content/articles/x.md:4: error: 'updated': cannot read '2026-13-45' as a date\n"
        "  hint: write it as 2026-11-24 or 2026-11-24 14:30 (optionally with +01:00)",
    ]


@pytest.mark.parametrize("written, expected", [
    ("2026-10-14", "2026-10-14T00:00:00+02:00"),                 # YAML date: midnight, site zone
    ("2026-10-14 18:30", "2026-10-14T18:30:00+02:00"),           # naive: site zone
    ("2026-10-14 18:30:00", "2026-10-14T18:30:00+02:00"),        # YAML naive datetime
    ("2026-10-14T18:30", "2026-10-14T18:30:00+02:00"),
    ("2026-10-14 18:30+05:30", "2026-10-14T18:30:00+05:30"),     # explicit offset is kept
    ("2026-10-14 18:30:00 -04:00", "2026-10-14T18:30:00-04:00"),
    ("2026-10-14T16:30:00Z", "2026-10-14T16:30:00+00:00"),
    ("2026-10-14T16:30Z", "2026-10-14T16:30:00+00:00"),
    ("'2026-10-14 18:30'", "2026-10-14T18:30:00+02:00"),         # quoted: still a date
])
def test_date_forms_are_accepted(tmp_path, written, expected):
    config = "title: T\nbase_url: https://example.org/\ntimezone: Europe/Berlin\n"
    site = make_site(tmp_path, {X: article(date=written)}, config=config)
    the_plan = plan_site(site, BuildOptions(), now=datetime(2027, 1, 1, tzinfo=timezone.utc))
    assert [a.record.date.isoformat() for a in the_plan.site.articles] == [expected]
    assert the_plan.warnings == []


def test_naive_date_uses_the_config_timezone_in_the_rendered_page(tmp_path):
    config = "title: T\nbase_url: https://example.org/\ntimezone: America/New_York\n"
    site = make_site(tmp_path, {
        X: article(date="2026-03-01 09:00"),
        "content/articles/zulu.md": article(title="Zulu", date="2026-03-01T20:00:00Z"),
    }, config=config)
    pages = render(site)
    # 09:00 naive is 09:00 in New York (EST, -05:00), not 09:00 UTC.
    assert '<time class="published" datetime="2026-03-01T09:00:00-05:00">' in pages["articles/x/index.html"]
    # An explicit UTC time is shown in the site's zone.
    assert '<time class="published" datetime="2026-03-01T15:00:00-05:00">' in pages["articles/zulu/index.html"]


def test_naive_date_defaults_to_utc_without_timezone_setting(tmp_path):
    site = make_site(tmp_path, {X: article(date="2026-03-01 09:00")},
                     config="title: T\nbase_url: https://example.org/\n")
    assert record(site).date.isoformat() == "2026-03-01T09:00:00+00:00"


def test_updated_before_date_is_a_warning(tmp_path):
    site = make_site(tmp_path, {X: article(date="2026-03-01 09:00", updated="2026-02-28 09:00")})
    assert warnings_of(site) == [
        "content/articles/x.md:4: warning: 'updated' is earlier than 'date'\n"
        "  hint: check the year and month of both",
    ]
    assert record(site).updated.isoformat() == "2026-02-28T09:00:00+00:00"


def test_updated_after_date_is_shown(tmp_path):
    site = make_site(tmp_path, {X: article(date="2026-03-01 09:00", updated="2026-03-02 10:15")})
    assert warnings_of(site) == []
    page = render(site)["articles/x/index.html"]
    assert 'Updated: <time datetime="2026-03-02T10:15:00+00:00">' in page


# --- authors ---------------------------------------------------------------------------

JANE = "---\nname: Jane Doe\nrole: Senior Reporter\n---\nJane covers the river.\n"


def test_author_one_and_authors_list(tmp_path):
    site = make_site(tmp_path, {
        "content/authors/jane.md": JANE,
        "content/authors/omar.md": "---\nname: Omar Haddad\n---\n",
        "content/articles/a.md": article(title="A", author="jane"),
        "content/articles/b.md": article(title="B", authors="[jane, omar]"),
    })
    assert record(site, "a").author_refs == ("jane",)
    articles = {a.slug: a.author_ids for a in plan(site).site.articles}
    assert articles == {"a": ("jane",), "b": ("jane", "omar")}
    assert warnings_of(site) == []


def test_author_and_authors_together_is_an_error(tmp_path):
    site = make_site(tmp_path, {X: article(author="jane", authors="[omar]")})
    assert problems_of(site) == ["content/articles/x.md:4: error: use either 'author' or 'authors', not both"]


@pytest.mark.parametrize("ref", ["jane", "JANE", "Jane Doe", "jane doe", "  JANE DOE  "])
def test_author_matched_by_id_or_name_case_insensitively(tmp_path, ref):
    site = make_site(tmp_path, {"content/authors/jane.md": JANE, X: article(author=f"'{ref}'")})
    the_plan = plan(site)
    assert the_plan.warnings == []
    assert [a.author_ids for a in the_plan.site.articles] == [("jane",)]
    assert list(the_plan.site.authors) == ["jane"]


def test_same_author_by_id_and_by_name_is_listed_once(tmp_path):
    site = make_site(tmp_path, {"content/authors/jane.md": JANE, X: article(authors="[jane, Jane Doe]")})
    assert [a.author_ids for a in plan(site).site.articles] == [("jane",)]


def test_unknown_author_is_warned_at_the_authors_line_and_gets_a_page(tmp_path):
    site = make_site(tmp_path, {X: article(tags="[a]", authors="[Jo Bloggs]")})
    result = cli(site, "build")
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        "content/articles/x.md:5: warning: unknown author 'Jo Bloggs': a page is generated for them",
        "  hint: add content/authors/jo-bloggs.md with a name and bio",
    ]
    author_page = (site / "output/authors/jo-bloggs/index.html").read_text(encoding="utf-8")
    assert '<h1 class="listing-title profile__name">Jo Bloggs</h1>' in author_page
    assert 'href="/articles/x/"' in author_page
    article_page = (site / "output/articles/x/index.html").read_text(encoding="utf-8")
    assert '<a class="byline__author" href="/authors/jo-bloggs/">Jo Bloggs</a>' in article_page


def test_unknown_author_close_to_a_profile_suggests_it(tmp_path):
    site = make_site(tmp_path, {"content/authors/jane.md": JANE, X: article(author="Jane Do")})
    assert warnings_of(site) == [
        "content/articles/x.md:4: warning: unknown author 'Jane Do': a page is generated for them\n"
        "  hint: did you mean 'Jane Doe'?",
    ]


# --- tags ------------------------------------------------------------------------------


def test_tags_as_list_and_as_comma_separated_string(tmp_path):
    site = make_site(tmp_path, {
        "content/articles/a.md": article(title="A", tags="[Politics, Middle East]"),
        "content/articles/b.md": article(title="B", tags="Politics, Middle East ,  , Floods"),
    })
    assert record(site, "a").tags == ("Politics", "Middle East")
    assert record(site, "b").tags == ("Politics", "Middle East", "Floods")
    the_plan = plan(site)
    assert {a.slug: a.tag_slugs for a in the_plan.site.articles} == {
        "a": ("politics", "middle-east"), "b": ("politics", "middle-east", "floods")}
    assert {slug: tag.name for slug, tag in the_plan.site.tags.items()} == {
        "floods": "Floods", "middle-east": "Middle East", "politics": "Politics"}
    assert the_plan.warnings == []


def test_tag_variants_are_one_tag_shown_with_the_most_used_spelling(tmp_path):
    site = make_site(tmp_path, {
        "content/articles/a.md": article(title="A", tags="[Middle East]"),
        "content/articles/b.md": article(title="B", tags="[middle east]"),
        "content/articles/c.md": article(title="C", tags="[Middle East]"),
    })
    assert warnings_of(site) == [
        "content/articles/b.md:4: warning: tag 'middle east' is spelled in several ways: 'Middle East' (2), "
        "'middle east' (1); they are one tag, shown as 'Middle East'\n"
        "  hint: write 'Middle East' everywhere",
    ]
    the_plan = plan(site)
    assert {slug: tag.name for slug, tag in the_plan.site.tags.items()} == {"middle-east": "Middle East"}
    assert [len(the_plan.site.editions[""].by_tag["middle-east"])] == [3]
    pages = render(site)
    assert "<title>Middle East — Test Gazette</title>" in pages["tags/middle-east/index.html"]
    assert sorted({p.split("/")[1] for p in pages if p.startswith("tags/") and p.count("/") == 2}) == [
        "middle-east"]


@pytest.mark.parametrize("first, second", [("Middle East", "middle east"), ("middle east", "Middle East")])
def test_tag_variant_tie_break_does_not_depend_on_file_order(tmp_path, first, second):
    site = make_site(tmp_path, {
        "content/articles/a.md": article(title="A", tags=f"[{first}]"),
        "content/articles/b.md": article(title="B", tags=f"[{second}]"),
    })
    lower_file = "a" if first == "middle east" else "b"
    assert warnings_of(site) == [
        f"content/articles/{lower_file}.md:4: warning: tag 'middle east' is spelled in several ways: "
        "'Middle East' (1), 'middle east' (1); they are one tag, shown as 'Middle East'\n"
        "  hint: write 'Middle East' everywhere",
    ]
    assert plan(site).site.tags["middle-east"].name == "Middle East"


def test_tag_without_letters_is_an_error(tmp_path):
    site = make_site(tmp_path, {X: article(tags="['!!!', ok]")})
    assert problems_of(site) == ["content/articles/x.md:4: error: tag '!!!' has no letters or digits to make a URL from"]


# --- subtitle, summary, credits --------------------------------------------------------


def test_subtitle_summary_and_credits_reach_the_page(tmp_path):
    site = make_site(tmp_path, {X: article(
        subtitle="The river rose two metres overnight",
        summary="A short summary & more",
        credits="Two news agencies contributed to this report.",
        body="The first paragraph of the body.\n",
    )})
    rec = record(site)
    assert (rec.subtitle, rec.summary, rec.credits) == (
        "The river rose two metres overnight", "A short summary & more",
        "Two news agencies contributed to this report.")
    page = render(site)["articles/x/index.html"]
    assert '<p class="standfirst">The river rose two metres overnight</p>' in page
    assert '<p class="article__credits">Two news agencies contributed to this report.</p>' in page
    assert '<meta name="description" content="A short summary &amp; more">' in page


def test_summary_defaults_to_the_first_paragraph(tmp_path):
    site = make_site(tmp_path, {X: article(body="Floods closed the bridge.\n\nSecond paragraph.\n")})
    assert record(site).summary is None
    page = render(site)["articles/x/index.html"]
    assert '<meta name="description" content="Floods closed the bridge.">' in page


JPEG = b"\xff\xd8\xff\xe0"


# --- image -----------------------------------------------------------------------------


def test_image_as_string_is_its_src_and_warns_about_alt_text(tmp_path):
    site = make_site(tmp_path, {X: article(image="/images/flood.jpg"), "content/images/flood.jpg": JPEG})
    assert warnings_of(site) == [
        "content/articles/x.md:4: warning: the image has no alt text\n"
        "  hint: write image: {src: ..., alt: 'what the picture shows'}",
    ]
    assert record(site).image == Image(src="/images/flood.jpg")


def test_image_as_mapping(tmp_path):
    site = make_site(tmp_path, {X: article(
        image="{src: /images/flood.jpg, alt: Water in the square, caption: The square at noon, "
              "credit: Jane Doe/Agency}"), "content/images/flood.jpg": JPEG})
    assert warnings_of(site) == []
    assert record(site).image == Image("/images/flood.jpg", "Water in the square", "The square at noon",
                                       "Jane Doe/Agency")
    page = render(site)["articles/x/index.html"]
    assert '<img src="/images/flood.jpg" alt="Water in the square">' in page
    assert '<figcaption>The square at noon <span class="credit">Jane Doe/Agency</span></figcaption>' in page


def test_image_mapping_without_alt_warns(tmp_path):
    site = make_site(tmp_path, {X: article(image="{src: /images/flood.jpg}"), "content/images/flood.jpg": JPEG})
    assert warnings_of(site) == [
        "content/articles/x.md:4: warning: the image has no alt text\n"
        "  hint: add alt: 'what the picture shows' for readers who cannot see it",
    ]


def test_image_without_src_is_an_error(tmp_path):
    site = make_site(tmp_path, {X: article(image="{alt: Water, caption: Noon}")})
    assert problems_of(site) == ["content/articles/x.md:4: error: 'image' needs a 'src'"]


def test_image_unknown_field_is_warned(tmp_path):
    site = make_site(tmp_path, {X: article(image="{src: /a.jpg, alt: A, captoin: c, photographer: p}")})
    assert warnings_of(site) == [
        "content/articles/x.md:4: warning: 'image' has an unknown field 'captoin'\n"
        "  hint: did you mean 'caption'?",
        "content/articles/x.md:4: warning: 'image' has an unknown field 'photographer'\n"
        "  hint: the fields are src, alt, caption and credit",
    ]


def test_image_of_the_wrong_type_is_an_error(tmp_path):
    site = make_site(tmp_path, {X: article(image="[a.jpg]")})
    assert problems_of(site) == [
        "content/articles/x.md:4: error: 'image' must be a path or a mapping with src, alt, caption, credit"]


# --- slug ------------------------------------------------------------------------------


def test_slug_defaults_to_the_file_name_slugified(tmp_path):
    site = make_site(tmp_path, {"content/articles/2026/Élan Vital_Story.md": article()})
    assert [a.slug for a in plan(site).site.articles] == ["elan-vital-story"]
    assert "articles/elan-vital-story/index.html" in render(site)


def test_explicit_slug_sets_the_url(tmp_path):
    site = make_site(tmp_path, {X: article(slug="river-rises")})
    assert warnings_of(site) == []
    pages = render(site)
    assert "articles/river-rises/index.html" in pages
    assert "articles/x/index.html" not in pages


def test_slug_that_is_not_a_slug_is_warned_and_slugified(tmp_path):
    site = make_site(tmp_path, {X: article(slug="'River Rises!'")})
    assert warnings_of(site) == [
        "content/articles/x.md:4: warning: 'slug': 'River Rises!' is not a URL slug; 'river-rises' is used\n"
        "  hint: a slug has only lowercase letters a-z, digits and '-'",
    ]
    assert "articles/river-rises/index.html" in render(site)


def test_slug_without_letters_is_an_error(tmp_path):
    site = make_site(tmp_path, {X: article(slug="'???'")})
    assert problems_of(site) == [
        "content/articles/x.md:4: error: 'slug': '???' has no letters or digits to make a URL from"]


def test_duplicate_slug_is_an_error_naming_both_files(tmp_path):
    site = make_site(tmp_path, {
        "content/articles/2025/flood.md": article(title="Old flood"),
        "content/articles/2026/story.md": article(title="New flood", slug="flood"),
    })
    problems = problems_of(site)
    assert ("content/articles/2025/flood.md:1: error: article slug 'flood' is also used by "
            "content/articles/2026/story.md\n  hint: give one of them a different 'slug:' or file name") in problems
    assert ("content/articles/2026/story.md:4: error: article slug 'flood' is also used by "
            "content/articles/2025/flood.md\n  hint: give one of them a different 'slug:' or file name") in problems
    assert all(": error: " in p for p in problems)


# --- draft, future, canonical_url ------------------------------------------------------


def test_draft_is_left_out_unless_drafts(tmp_path):
    site = make_site(tmp_path, {X: article(draft="true"), "content/articles/y.md": article(title="Y")})
    assert [a.slug for a in plan(site).site.articles] == ["y"]
    assert [(a.slug, a.status) for a in plan(site, drafts=True).site.articles] == [
        ("x", "draft"), ("y", "published")]  # same date: ties break by title ("A headline" < "Y")
    assert "articles/x/index.html" not in render(site)
    assert "articles/x/index.html" in render(site, drafts=True)


def test_draft_must_be_a_boolean(tmp_path):
    site = make_site(tmp_path, {X: article(draft="'true'")})
    assert problems_of(site) == ["content/articles/x.md:4: error: 'draft' must be true or false, not str 'true'"]


def test_future_article_is_left_out_unless_future(tmp_path):
    site = make_site(tmp_path, {X: article(date="2026-06-01 12:01"), "content/articles/y.md": article(title="Y")})
    the_plan = plan(site)
    assert [a.slug for a in the_plan.site.articles] == ["y"]
    assert [(a.slug, a.status) for a in plan(site, future=True).site.articles] == [
        ("x", "scheduled"), ("y", "published")]


def test_future_article_via_cli(tmp_path):
    site = make_site(tmp_path, {X: article(date="2026-07-01 09:00"), "content/articles/y.md": article(title="Y")})
    assert cli(site, "build").returncode == 0
    assert not (site / "output/articles/x").exists()
    assert (site / "output/articles/y/index.html").is_file()
    result = cli(site, "build", "--future")
    assert result.returncode == 0, result.stderr
    assert (site / "output/articles/x/index.html").is_file()


def test_canonical_url_must_be_absolute(tmp_path):
    site = make_site(tmp_path, {X: article(canonical_url="example.org/x")})
    assert problems_of(site) == [
        "content/articles/x.md:4: error: 'canonical_url': 'example.org/x' is not an absolute http(s) URL"]


def test_canonical_url_absolute_is_kept(tmp_path):
    site = make_site(tmp_path, {X: article(canonical_url="https://wire.example.com/story/1")})
    assert record(site).canonical_url == "https://wire.example.com/story/1"
    assert ('Originally published at <a href="https://wire.example.com/story/1">'
            in render(site)["articles/x/index.html"])


# --- unknown and near-miss fields, YAML's surprises ------------------------------------

EXTRA_LAYOUT = ("{% extends 'base.html' %}{% block main %}"
                "<p id=extra>{{ article.extra.myfield }}|{{ article.extra.tittle }}|{{ article.extra.score }}</p>"
                "{% endblock %}\n")


def test_unknown_field_is_kept_silently_and_reaches_templates(tmp_path):
    site = make_site(tmp_path, {
        X: article(myfield="'Hello <b>'", tittle="Near miss", score="7"),
        "layouts/article.html": EXTRA_LAYOUT,
    })
    assert warnings_of(site) == [
        "content/articles/x.md:5: warning: unknown field 'tittle'\n  hint: did you mean 'title'?",
    ]
    assert record(site).extra == {"myfield": "Hello <b>", "tittle": "Near miss", "score": 7}
    assert "<p id=extra>Hello &lt;b&gt;|Near miss|7</p>" in render(site)["articles/x/index.html"]


def test_a_field_named_as_a_dicts_method_is_read_as_jinja_reads_it_and_a_missing_one_fails_at_its_line(tmp_path):
    # Templates look up `x.name` in a dict as a key first (templates.py: faster), but
    # must read exactly what Jinja reads: a dict's own methods (`items`, `get`, `values`)
    # win over a key of that name, which `x['values']` reaches.
    layout = ("{% extends 'base.html' %}{% block main %}"
              "<p id=extra>{{ article.extra['values'] }}|{{ article.extra.values is callable }}|"
              "{% for name, value in article.extra.items()|sort %}{{ name }}={{ value }};{% endfor %}|"
              "{{ article.extra.get('score') }}|{{ article.extra.score }}</p>"
              "{% endblock %}\n")
    site = make_site(tmp_path / "one", {X: article(values="'several'", score="7"), "layouts/article.html": layout})
    assert "<p id=extra>several|True|score=7;values=several;|7|7</p>" in render(site)["articles/x/index.html"]
    site = make_site(tmp_path / "two", {X: article(score="7"), "layouts/article.html":
                                        "{% extends 'base.html' %}{% block main %}\n{{ article.extra.scor }}"
                                        "{% endblock %}\n"})
    with pytest.raises(SiteErrors) as info:
        render(site)
    assert [p.format() for p in info.value.problems] == [
        "layouts/article.html:2: error: template error: 'dict object' has no attribute 'scor'"]


def test_near_miss_of_title_alone_is_an_error_with_a_suggestion(tmp_path):
    site = make_site(tmp_path, {X: "---\ntittle: Flood\ndate: 2026-03-01\n---\nBody.\n"})
    assert problems_of(site) == [
        "content/articles/x.md:1: error: 'title' is required\n"
        "  hint: add a line such as 'title: ...' to the front matter",
        "content/articles/x.md:2: warning: unknown field 'tittle'\n  hint: did you mean 'title'?",
    ]


def test_yaml_booleans_numbers_and_dates_are_used_as_their_text(tmp_path):
    site = make_site(tmp_path, {X: article(title="1984", tags="[yes, no, 3.50]", subtitle="2026-01-01")})
    assert warnings_of(site) == [
        "content/articles/x.md:2: warning: 'title': YAML reads '1984' as a number; it is used as the text '1984'\n"
        "  hint: put it in quotes: \"1984\"",
        "content/articles/x.md:4: warning: 'tags[1]': YAML reads 'yes' as a boolean; it is used as the text 'yes'\n"
        "  hint: put it in quotes: \"yes\"",
        "content/articles/x.md:4: warning: 'tags[2]': YAML reads 'no' as a boolean; it is used as the text 'no'\n"
        "  hint: put it in quotes: \"no\"",
        "content/articles/x.md:4: warning: 'tags[3]': YAML reads '3.50' as a number; it is used as the text '3.50'\n"
        "  hint: put it in quotes: \"3.50\"",
        "content/articles/x.md:5: warning: 'subtitle': YAML reads '2026-01-01' as a date; it is used as the "
        "text '2026-01-01'\n  hint: put it in quotes: \"2026-01-01\"",
    ]
    rec = record(site)
    assert (rec.title, rec.tags, rec.subtitle) == ("1984", ("yes", "no", "3.50"), "2026-01-01")
    page = render(site)["articles/x/index.html"]
    assert '<h1 class="article__title">1984</h1>' in page


def test_quoted_values_are_not_warned(tmp_path):
    site = make_site(tmp_path, {X: article(title='"1984"', tags="['yes', 'no']")})
    assert warnings_of(site) == []
    assert record(site).tags == ("yes", "no")



# --- YAML mistakes: each named by its cause, the same with either parser -----------------
# libyaml and PyYAML's pure-Python parser word their errors differently and point at other
# columns; a machine whose PyYAML lacks libyaml runs the second. Both must give these texts.

@pytest.fixture(params=["libyaml", "pure-python"])
def yaml_parser(request, monkeypatch):
    """Read front matter with one of PyYAML's two parsers (the module picks libyaml when it can)."""
    if request.param == "libyaml":
        require_or_skip(hasattr(source, "CLoader"), "this PyYAML was built without libyaml")
        monkeypatch.setattr(source, "Loader", source.CLoader)
    else:
        monkeypatch.setattr(source, "Loader", source.PureLoader)
    return request.param


FM = "---\ntitle: T\ndate: 2026-03-01\n"
YAML_MISTAKES = {
    "tab-indenting-a-list-item": (FM + "tags:\n\t- flood\n---\nB.\n",
        "content/articles/x.md:5:1: error: invalid YAML in the front matter: a tab is used for indentation\n"
        "  hint: indent with spaces: YAML does not allow tabs there (set your editor to insert spaces)"),
    "tab-indenting-a-field": (FM + "image:\n  src: /a.jpg\n\talt: A\n---\nB.\n",
        "content/articles/x.md:6:1: error: invalid YAML in the front matter: a tab is used for indentation\n"
        "  hint: indent with spaces: YAML does not allow tabs there (set your editor to insert spaces)"),
    "nested-too-deeply-in-blocks": (FM + "extra:\n" + "".join(" " * i + "- \n" for i in range(1, 1200)) + "---\n",
        "content/articles/x.md:1203: error: the front matter is nested too deeply\n"
        "  hint: a value holds lists or mappings inside each other hundreds of levels deep"),
    "unclosed-double-quote": ('---\ntitle: "Vote: what next\ndate: 2026-03-01\n---\nB.\n',
        "content/articles/x.md:2:8: error: invalid YAML in the front matter: the quote \" that opens this value "
        "is never closed\n  hint: end the value with \"; inside double quotes, write \\\" for a quotation mark"),
    "unclosed-single-quote": (FM + "subtitle: 'The flood\n---\nB.\n",
        "content/articles/x.md:4:11: error: invalid YAML in the front matter: the quote ' that opens this value "
        "is never closed\n  hint: end the value with '; inside single quotes, write '' for an apostrophe"),
    "apostrophe-inside-single-quotes": ("---\ntitle: 'Don't panic'\ndate: 2026-03-01\n---\nB.\n",
        "content/articles/x.md:2:13: error: invalid YAML in the front matter: text after the closing quote of a "
        "value\n  hint: quote the whole value; inside single quotes, write '' for an apostrophe, "
        "e.g. title: 'Don''t panic'"),
    "field-indented-under-a-value": (FM + "subtitle: S\n  credits: C\n---\nB.\n",
        "content/articles/x.md:5:3: error: invalid YAML in the front matter: this line is indented more than the "
        "field above it\n  hint: start the field at the same indentation as the one above; if the line goes on "
        "with the value above, quote that value"),
    "list-item-indented-less": (FM + "tags:\n  - flood\n - river\n---\nB.\n",
        "content/articles/x.md:6:2: error: invalid YAML in the front matter: this line is indented like no line "
        "above it\n  hint: indent the fields of one mapping, or the items of one list, by the same number of "
        "spaces"),
    "colon-in-a-nested-value": (FM + "image:\n  src: /a.jpg\n  caption: Vote: what next\n---\nB.\n",
        "content/articles/x.md:6:16: error: invalid YAML in the front matter: a value that contains ': ' must be "
        "quoted\n  hint: quote the value: caption: \"Vote: what next\""),
    "line-without-a-colon": (FM + "Flood waters rise\n---\nB.\n",
        "content/articles/x.md:4:1: error: invalid YAML in the front matter: this line has no ':' after a field "
        "name\n  hint: write 'field: value'; a value that goes on to the next line must be indented or quoted"),
    "unclosed-bracket": (FM + "tags: [flood, river\nsubtitle: S\n---\nB.\n",
        "content/articles/x.md:4:7: error: invalid YAML in the front matter: the '[' that opens this list is "
        "never closed\n  hint: end the list with ']'"),
    "value-starting-with-at": ("---\ntitle: @home with the Courier\ndate: 2026-03-01\n---\nB.\n",
        "content/articles/x.md:2:8: error: invalid YAML in the front matter: a value that starts with '@' must be "
        "quoted\n  hint: quote the value: title: \"@home with the Courier\""),
    "value-starting-with-star": ("---\ntitle: *Exclusive* interview\ndate: 2026-03-01\n---\nB.\n",
        "content/articles/x.md:2:8: error: invalid YAML in the front matter: a value that starts with '*' is read "
        "as a YAML alias\n  hint: quote the value: title: \"*Exclusive* interview\""),
    "backslash-in-double-quotes": ('---\ntitle: "C:\\path"\ndate: 2026-03-01\n---\nB.\n',
        "content/articles/x.md:2:11: error: invalid YAML in the front matter: a backslash in double quotes starts "
        "an escape, and this one is unknown\n  hint: write \\\\ for a backslash, or put the value in single quotes"),
    "control-character": ("---\ntitle: T\ndate: 2026-03-01\nsubtitle: a\x0bb\n---\nB.\n",
        "content/articles/x.md:4: error: the front matter holds the control character U+000B, which YAML does "
        "not accept\n  hint: delete it (it often comes with text pasted from a word processor)"),
}


@pytest.mark.parametrize("case", YAML_MISTAKES)
def test_yaml_mistake_is_named_by_its_cause_at_its_line(tmp_path, yaml_parser, case):
    text, expected = YAML_MISTAKES[case]
    site = make_site(tmp_path, {X: text})
    assert problems_of(site) == [expected]


def test_hash_where_a_value_belongs_is_named_as_a_comment(tmp_path, yaml_parser):
    """YAML reads ' #' as the start of a comment: `title: #1 story` has an empty title."""
    site = make_site(tmp_path, {X: "---\ntitle: #1 story\ndate: 2026-03-01\nsubtitle: Vote #2 # second\n---\nB.\n"})
    assert problems_of(site) == [
        "content/articles/x.md:2: error: 'title' must not be empty",
        "content/articles/x.md:2: warning: 'title': YAML reads '#1 story' as a comment, so the value is empty\n"
        "  hint: quote it if it is the value: title: \"#1 story\""]


def test_deep_nesting_is_reported_at_its_line_by_the_cli(tmp_path):
    """libyaml's own depth limit and Python's stack both end in this message, not a traceback."""
    site = make_site(tmp_path, {X: FM + "tags: " + "[" * 2000 + "]" * 2000 + "\n---\nB.\n"})
    result = cli(site, "build")
    assert (result.returncode, result.stderr.splitlines()) == (1, [
        "content/articles/x.md:4: error: the front matter is nested too deeply",
        "  hint: a value holds lists or mappings inside each other hundreds of levels deep",
        "1 error: nothing was written"])


# --- author profiles -------------------------------------------------------------------


def test_author_profile_fields(tmp_path):
    site = make_site(tmp_path, {
        "content/authors/jane.md": "---\nname: Jane Doe\nrole: Senior Reporter\navatar: /img/jane.jpg\n"
                                   "links:\n  website: https://jane.example\n  mastodon: '@jane@news.example'\n"
                                   "  email: jane@example.org\n---\nJane covers *the river*.\n",
        X: article(author="jane"),
    })
    profile = plan(site).site.authors["jane"].record
    assert (profile.id, profile.name, profile.role, profile.avatar) == (
        "jane", "Jane Doe", "Senior Reporter", "/img/jane.jpg")
    assert profile.links == (("website", "https://jane.example"), ("mastodon", "@jane@news.example"),
                             ("email", "jane@example.org"))
    page = render(site)["authors/jane/index.html"]
    assert "Jane covers <em>the river</em>." in page


def test_author_name_is_required(tmp_path):
    site = make_site(tmp_path, {"content/authors/jane.md": "---\nrole: Reporter\n---\nBio.\n"})
    assert problems_of(site) == [
        "content/authors/jane.md:1: error: 'name' is required\n"
        "  hint: add a line such as 'name: ...' to the front matter",
    ]


def test_author_bad_file_name_and_empty_name_are_both_reported(tmp_path):
    site = make_site(tmp_path, {"content/authors/Jane_Doe.md": "---\nname: ''\n---\nBio.\n"})
    assert problems_of(site) == [
        "content/authors/Jane_Doe.md:2: error: 'name' must not be empty",
        "content/authors/Jane_Doe.md:2: error: author file name 'Jane_Doe' is not a valid id\n"
        "  hint: rename the file to content/authors/jane-doe.md",
    ]


def test_author_links_must_be_a_mapping(tmp_path):
    site = make_site(tmp_path, {"content/authors/jane.md": "---\nname: Jane\nlinks: [https://jane.example]\n---\n"})
    assert problems_of(site) == [
        "content/authors/jane.md:3: error: 'links' must be a mapping such as "
        "{website: https://..., mastodon: '@me@host'}",
    ]


def test_author_near_miss_field(tmp_path):
    site = make_site(tmp_path, {"content/authors/jane.md": "---\nname: Jane\nrloe: Reporter\n---\n"})
    assert warnings_of(site) == ["content/authors/jane.md:3: warning: unknown field 'rloe'\n  hint: did you mean 'role'?"]


# --- pages -----------------------------------------------------------------------------


def test_page_title_is_required(tmp_path):
    site = make_site(tmp_path, {"content/pages/about.md": "---\nslug: about-us\n---\nWho we are.\n"})
    assert problems_of(site) == [
        "content/pages/about.md:1: error: 'title' is required\n"
        "  hint: add a line such as 'title: ...' to the front matter",
    ]


def test_page_slug_and_draft(tmp_path):
    site = make_site(tmp_path, {
        "content/pages/about.md": "---\ntitle: About us\nslug: about-us\n---\nWho we are.\n",
        "content/pages/ethics.md": "---\ntitle: Ethics\ndraft: true\n---\nOur rules.\n",
    })
    assert [p.slug for p in plan(site).site.pages] == ["about-us"]
    assert [p.slug for p in plan(site, drafts=True).site.pages] == ["about-us", "ethics"]
    pages = render(site)
    assert "about-us/index.html" in pages and "ethics/index.html" not in pages
    assert "<title>About us — Test Gazette</title>" in pages["about-us/index.html"]
    assert "ethics/index.html" in render(site, drafts=True)
