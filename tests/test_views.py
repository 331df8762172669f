"""Each page kind shows exactly what it declares (issue 11): every page of a varied site is
rendered with a recording view of the model, and what each page read is compared with
what its kind's `inputs` named, which is all its fingerprint is made of."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from broadsheet import render, templates, twins
from broadsheet.pipeline import BuildOptions, plan_site, read_body
from broadsheet.routes import Route
from broadsheet.views import archive
from broadsheet.views.shared import PageInputs, SiteViews, UndeclaredInput
from conftest import article, make_site

NOW = datetime(2026, 6, 1, tzinfo=timezone.utc)
CONFIG = ("title: Test Gazette\nbase_url: https://example.org/news/\ntimezone: Europe/London\npaginate: 2\n"
          "logo: /images/logo.svg\n")


class RecordingViews(SiteViews):
    """The views of the model, noting each card, stamp, body, author and tag a page asks for."""

    def __init__(self, *args: Any):
        super().__init__(*args)
        self.reads: set[tuple[str, object]] = set()

    def card(self, index: int) -> dict:
        self.reads.add(("card", index))
        return super().card(index)

    def stamp(self, index: int) -> dict:
        self.reads.add(("stamp", index))
        return super().stamp(index)

    def entry(self, index: int) -> dict:
        self.reads.add(("card", index))
        self.reads.add(("body", self.site.articles[index].src_path))
        return super().entry(index)

    def record(self, src_path: str) -> Any:
        self.reads.add(("body", src_path))
        return super().record(src_path)

    def body(self, src_path: str):
        self.reads.add(("body", src_path))
        return super().body(src_path)

    def body_info(self, src_path: str):
        self.reads.add(("body", src_path))
        return super().body_info(src_path)

    def author_view(self, author_id: str, code: str) -> dict:
        self.reads.add(("author", author_id))
        return super().author_view(author_id, code)

    def tag_view(self, slug: str, code: str) -> dict:
        self.reads.add(("tag", slug))
        return super().tag_view(slug, code)


def declared(inputs: PageInputs) -> set[tuple[str, object]]:
    names: set[tuple[str, object]] = {("card", i) for indexes in inputs.cards.values() for i in indexes}
    names |= {("stamp", i) for indexes in inputs.stamps.values() for i in indexes}
    names |= {("body", src) for src in inputs.bodies}
    names |= {("author", a) for a in inputs.authors}
    return names | {("tag", t) for t in inputs.tags}


def varied_site(root: Path, *, languages: bool = False) -> Path:
    """Articles over three years and several months, drafts and a scheduled one, shared tags
    (related articles), several authors with and without profiles, a page, images; with
    `languages`, a second language too (`/de/`), with translated articles and a page."""
    files: dict[str, str | bytes] = {
        "content/images/logo.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
        "content/images/hero.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
        "content/authors/jane.md": "---\nname: Jane Roe\nrole: Editor\navatar: /images/hero.svg\n"
                                   "links:\n  website: https://jane.example/\n---\nJane edits. See [a](a0.md).\n",
        "content/pages/about.md": "---\ntitle: About us\naliases: [/about-us]\n---\nWe report. [Home](/).\n",
    }
    dates = ["2024-01-05 09:00", "2024-01-20 09:00", "2024-07-02 09:00", "2025-03-03 09:00", "2025-03-04 09:00",
             "2025-12-31 23:30", "2026-01-01 00:30", "2026-02-10 09:00", "2026-05-30 09:00"]
    for n, date in enumerate(dates):
        fields = {"authors": "[jane, Sam Smith]" if n % 3 == 0 else "[Sam Smith]",
                  "tags": "[Rivers, Council]" if n % 2 else "[Rivers, Schools]"}
        if n == 4:
            fields["image"] = "{src: /images/hero.svg, alt: A hero}"
        if n == 5:
            fields["updated"] = "2026-02-01 10:00"
            fields["canonical_url"] = "https://elsewhere.example/story"
        if n == 6:
            fields["draft"] = "true"
        if n == 7:
            fields["aliases"] = "[/2026/02/story-seven/, /s7.html]"
        files[f"content/articles/a{n}.md"] = article(f"Story {n}", date, f"Body {n}, see [next](a{(n + 1) % 9}.md).\n",
                                                      **fields)
    files["content/articles/later.md"] = article("Scheduled", "2026-09-01 09:00", "Soon.\n", authors="[jane]")
    if not languages:
        return make_site(root, files, config=CONFIG)
    for n in (0, 4, 5, 8):  # translations, one a draft
        files[f"content/articles/de/a{n}.md"] = article(
            f"Geschichte {n}", dates[n], f"Text {n}, siehe [dort](a{n}.md).\n", language="de", translation_key=f"t{n}",
            authors="[jane]" if n % 2 else "[Erika Muster]", tags="[Flüsse, Rat]" if n % 4 else "[Flüsse]",
            **({"draft": "true"} if n == 5 else {}))
        files[f"content/articles/a{n}.md"] = files[f"content/articles/a{n}.md"].replace(
            "---\n", f"---\ntranslation_key: t{n}\n", 1)
    files["content/pages/ueber.md"] = "---\ntitle: Über uns\nlanguage: de\ntranslation_key: about\n---\nWir.\n"
    files["content/pages/about.md"] = files["content/pages/about.md"].replace("---\n", "---\ntranslation_key: about\n", 1)
    return make_site(root, files, config=CONFIG + "languages:\n  de: {title: Testblatt}\n")


def rendering(site: Path, *, kinds=None, **options) -> tuple[render.Renderer, RecordingViews, list[Route]]:
    opts = BuildOptions(**options)
    plan = plan_site(site, opts, now=NOW)
    renderer = render.Renderer(plan.site, site, plan.out_paths, preview=opts.preview, texts=plan.texts,
                               read_source=lambda src_path, line: read_body(site, src_path, line))
    if kinds is not None:
        renderer.kinds = kinds
    renderer.render_bodies()
    recorder = RecordingViews(plan.site, renderer.resolver, renderer.bodies, opts.preview)
    renderer.views = recorder
    return renderer, recorder, plan.routes


def undeclared_reads(renderer: render.Renderer, recorder: RecordingViews, routes: list[Route]) -> dict[str, list]:
    """Render every route; return, by page, what it read that its inputs do not name, and
    what its inputs name that it did not read (a needless cause to render it again)."""
    found = {}
    for route in routes:
        recorder.reads = set()
        renderer.render_route(route)
        expected = declared(renderer.inputs(route))
        if recorder.reads != expected:
            found[route.out_path] = [("read, undeclared", sorted(recorder.reads - expected, key=repr)),
                                     ("declared, unread", sorted(expected - recorder.reads, key=repr))]
    return found


@pytest.mark.parametrize("languages", [False, True], ids=["one-language", "two-languages"])
@pytest.mark.parametrize("options", [{}, {"preview": True}], ids=["published", "preview"])
def test_every_page_reads_exactly_what_its_kind_declares(tmp_path, options, languages):
    renderer, recorder, routes = rendering(varied_site(tmp_path / "site", languages=languages), **options)
    if languages:
        assert {route.kind for route in routes if route.edition == "de"} >= set(render.KINDS) - {
            "404", "sitemap", "robots", "redirect", "redirects"}
        assert renderer.site.translations, "the site should have translations"
    assert {route.kind for route in routes} == set(render.KINDS), "the site should have every kind of page"
    assert max(route.count for route in routes) > 1, "the site should have paginated listings"
    assert any(renderer.site.related.values()), "the site should have related articles"
    assert undeclared_reads(renderer, recorder, routes) == {}


class LeakyMonth:
    """A month of the archive that also shows the newest article of the site, reading its
    card behind its declaration's back."""

    inputs = staticmethod(archive.inputs)

    @staticmethod
    def context(route, shown):
        ctx = archive.context(route, shown)
        ctx["newest"] = shown._views.card(0)
        return ctx


class MonthWithoutCards:
    """A month of the archive with its cards left out of its declaration."""

    context = staticmethod(archive.context)

    @staticmethod
    def inputs(route, structure):
        return PageInputs(facts=archive.inputs(route, structure).facts)


def test_a_page_reading_an_undeclared_card_is_caught(tmp_path):
    renderer, recorder, routes = rendering(varied_site(tmp_path / "site"),
                                           kinds={**render.KINDS, "archive-month": LeakyMonth})
    months = [route for route in routes if route.kind == "archive-month"]
    expected = {route.out_path: [("read, undeclared", [("card", 0)]), ("declared, unread", [])]
                for route in months if 0 not in renderer.inputs(route).cards["articles"]}
    assert len(expected) >= 5
    assert undeclared_reads(renderer, recorder, routes) == expected


def test_a_kind_that_asks_for_an_undeclared_input_fails_to_render(tmp_path):
    renderer, _, routes = rendering(varied_site(tmp_path / "site"),
                                    kinds={**render.KINDS, "archive-month": MonthWithoutCards})
    month = next(route for route in routes if route.kind == "archive-month")
    with pytest.raises(UndeclaredInput, match=f"archive-month page {month.url} shows cards 'articles' undeclared"):
        renderer.render_route(month)


def test_fingerprint_readers_come_from_the_declaration(tmp_path):
    renderer, _, routes = rendering(varied_site(tmp_path / "site"))
    by_kind = {route.kind: route for route in routes}
    first = next(route for route in routes if route.kind == "article" and route.key == "a0")
    _, cards, stamps, direct = renderer.fingerprint_and_sources(first)
    inputs = renderer.inputs(first)
    assert direct == {"content/articles/a0.md", "content/authors/jane.md"}
    assert cards == {renderer.site.articles[i].record.src_path for g in inputs.cards.values() for i in g}
    assert stamps == set()
    _, cards, stamps, direct = renderer.fingerprint_and_sources(by_kind["archive"])
    assert cards == stamps == direct == set()  # years, months and counts: the structure alone
    _, cards, stamps, direct = renderer.fingerprint_and_sources(by_kind["sitemap-pages"])
    assert stamps == {a.record.src_path for a in renderer.site.articles} and cards == direct == set()
    year = next(route for route in routes if route.kind == "sitemap-articles")
    _, cards, stamps, direct = renderer.fingerprint_and_sources(year)
    assert stamps and cards == direct == set()
    _, cards, stamps, direct = renderer.fingerprint_and_sources(by_kind["robots"])
    assert cards == stamps == direct == set()


def test_sitemap_files_split_by_year_and_at_the_url_limit(tmp_path):
    # Issue 11: a year of articles beyond the limit is split into parts, each bounded,
    # the year's archive pages counted in its first part.
    from broadsheet.routes import ARCHIVE_URLS_PER_YEAR, archive_months, plan_sitemap_routes
    renderer, _, routes = rendering(varied_site(tmp_path / "site"), preview=True)
    site = renderer.site
    by_year = {}
    for (year, _), indexes in archive_months(site).items():
        by_year[year] = by_year.get(year, 0) + len(indexes)
    assert by_year == {2026: 4, 2025: 3, 2024: 3}
    limit = ARCHIVE_URLS_PER_YEAR + 2  # two articles a part
    files = plan_sitemap_routes(site, {"": archive_months(site)}, limit)
    assert [r.url for r in files] == ["/sitemaps/2026.xml", "/sitemaps/2026-2.xml", "/sitemaps/2025.xml",
                                      "/sitemaps/2025-2.xml", "/sitemaps/2024.xml", "/sitemaps/2024-2.xml",
                                      "/sitemaps/pages.xml"]
    assert [(r.number, r.count) for r in files] == [(1, 2), (2, 2), (1, 2), (2, 2), (1, 2), (2, 2), (1, 1)]
    # What the build has: one file a year and one of pages, all named by the index.
    planned = [r.url for r in routes if r.kind in ("sitemap-articles", "sitemap-pages")]
    assert planned == ["/sitemaps/2026.xml", "/sitemaps/2025.xml", "/sitemaps/2024.xml", "/sitemaps/pages.xml"]
    index = next(r for r in routes if r.kind == "sitemap")
    assert renderer.inputs(index).facts["files"] == tuple(planned)


def test_cards_are_rendered_once_unless_the_site_overrides_the_card(tmp_path):
    # Issue 11: the theme's card is rendered once per card and reused on every listing;
    # a site's own card may read anything of the page, so it is included for every card.
    site = varied_site(tmp_path / "site")
    renderer, _, routes = rendering(site)
    home = next(route for route in routes if route.kind == "home")
    assert renderer.env.globals["card_html_reusable"]()
    theme_page = renderer.render_route(home).data.decode()
    assert theme_page.count('<article class="card') == 2

    (site / "layouts/partials").mkdir(parents=True)
    (site / "layouts/partials/card.html").write_text(
        '<p class="my-card">{{ card.title }} on {{ page.kind }}{% if list_class is defined %} in {{ list_class }}'
        '{% endif %}</p>', encoding="utf-8")
    renderer, _, routes = rendering(site)
    assert not renderer.env.globals["card_html_reusable"]()
    page = renderer.render_route(next(route for route in routes if route.kind == "home")).data.decode()
    assert page.count('<p class="my-card">') == 2 and "on home in cards--lead</p>" in page

    (site / "layouts/partials/card.html").unlink()
    (site / "layouts/partials/byline.html").write_text("by {{ page.title }}", encoding="utf-8")
    renderer, _, _ = rendering(site)
    assert not renderer.env.globals["card_html_reusable"](), "what the card includes counts too"


@pytest.mark.parametrize("preview", [False, True])
def test_the_theme_card_in_python_makes_the_bytes_of_the_card_templates(tmp_path, preview):
    # Issue 11: while a site keeps the theme's card, byline and badge, `card_html` makes the
    # card in plain Python (`ThemeCard`), which must give what the three templates give:
    # every card of a varied site, in each heading level, with and without the badges.
    site = varied_site(tmp_path / "site", languages=True)
    extra = {
        "fr.md": article("L'été \"chaud\" <en> & après", "2025-06-01 09:00", "Il fait chaud.\n", language="fr",
                         authors="[Sam Smith, jane, \"Ann O'Neil & Co\"]", tags="[Rivers]",
                         summary="'\"Quoted\" <summary> & more'",
                         image="{src: /images/hero.svg, alt: 'An \"alt\" <with> & marks'}"),
        "ar.md": article("عنوان", "2025-06-02 09:00", "نص.\n", language="ar", authors="[Sam Smith]", tags="[Rivers]"),
        "dek.md": article("Only a subtitle", "2025-06-03 09:00", "", subtitle="A <b>subtitle</b>", authors="[]",
                          tags="[Schools]"),
        "bare.md": article("Nothing but a title", "2025-06-04 09:00", "", authors="[]", tags="[Schools]"),
    }
    for name, text in extra.items():
        (site / "content/articles" / name).write_text(text, encoding="utf-8")
    renderer, _, _ = rendering(site, preview=preview)
    words = templates.Words(renderer.views.language_of)
    python_card, jinja_card = twins.ThemeCard(words), renderer.env.get_template(templates.CARD_TEMPLATE)
    cards = [(renderer.views.card(index), article.edition) for index, article in enumerate(renderer.site.articles)]
    assert {card["status"] for card, _ in cards} == ({"published", "draft", "scheduled"} if preview else {"published"})
    assert {card["language"] for card, _ in cards} >= {None, "fr", "ar"}
    assert {len(card["authors"]) for card, _ in cards} >= {0, 1, 2, 3}
    assert any(card["image"] for card, _ in cards) and any(not card["summary"] for card, _ in cards)
    for card, code in cards:
        for level in (2, 3, "4"):
            made = python_card.render(card, level, preview, code)
            assert made == jinja_card.render(card=card, card_level=level, preview=preview, site={"edition": code}), \
                (card["url"], level)


TWIN_CONFIG = ("tagline: The <river> & the \"town\"\ndescription: News & views\ncopyright: '© 2026 \"Test\" <Co>'\n"
               "nav:\n  - {title: Home, url: /}\n  - {title: Rivers & lakes, url: /tags/rivers/}\n"
               "  - {title: Story, url: /articles/a0/}\n  - {title: Archive, url: /archive/}\n")


@pytest.mark.parametrize("preview", [False, True])
@pytest.mark.parametrize("variant", ["plain", "languages", "masthead, long menu, head_extra of the site's"])
def test_the_page_twins_make_the_bytes_of_the_page_templates(tmp_path, preview, variant):
    # Issue 11: while a site keeps the theme's page template, base.html and what they include
    # (partials/head_extra.html aside), its pages are made by a plain-Python twin
    # (`twins.ThemePages`), which must give what Jinja makes of the templates.
    site = varied_site(tmp_path / "site", languages=variant == "languages")
    articles = site / "content/articles"
    (articles / "fr.md").write_text(article(
        "L'été", "2025-06-01 09:00", "Il fait <em>chaud</em>.\n", language="fr", authors="[jane, Sam Smith]",
        tags="[Rivers]", subtitle="'Un \"sous-titre\" <b>'", credits="'Photos: A & B'",
        image="{src: /images/hero.svg, alt: 'An \"alt\"', caption: 'A <caption>', credit: 'C & D'}"), encoding="utf-8")
    (articles / "bare.md").write_text(article("Bare", "2025-06-04 09:00", "", authors="[]", tags="[]",
                                              image="{src: /images/hero.svg, alt: x, credit: Only a credit}"),
                                      encoding="utf-8")
    if variant.startswith("masthead"):
        config = site / "config.yaml"
        extra = TWIN_CONFIG + "  - {title: Authors, url: /authors/}\n"
        config.write_text(config.read_text(encoding="utf-8") + extra, encoding="utf-8")
        (site / "layouts/partials").mkdir(parents=True)
        (site / "layouts/partials/head_extra.html").write_text(
            '<meta name="x" content="{{ page.kind }} {{ site.title }}">\n', encoding="utf-8")
    renderer, _, routes = rendering(site, preview=preview)
    pages = [route for route in routes if route.template in templates.TWINS]
    assert {route.kind for route in pages} == {"article", "home", "tag", "author", "feed", "tag-feed", "author-feed"}
    assert renderer.env and all(renderer._twin(name) is not None for name in templates.TWINS), "the twins are used"
    for route in pages:
        made = renderer.render_route(route).data.decode()
        assert made == renderer.env.get_template(route.template).render(renderer.context(route)), route.url
    shown = "".join(renderer.render_route(route).data.decode() for route in pages)
    for needle in ('class="kicker"', 'class="standfirst" lang="fr"', '<figcaption>', 'class="author-box',
                   'class="article__canonical"', 'class="related"', 'class="article-nav__older"', 'rel="tag"',
                   'class="article__credits"', 'class="pagination__gap"', 'class="pagination__prev"',
                   'class="profile__role"', 'rel="me"', 'class="feed-name"', 'cards--lead', 'listing-title__page',
                   'profile--avatar', 'class="profile__bio"', '<entry xml:lang="fr">', '<link rel="enclosure"',
                   '<category term="rivers"', '&lt;em&gt;chaud&lt;/em&gt;'):
        assert needle in shown, needle
    if variant.startswith("masthead"):
        assert 'site-nav--collapsible' in shown and 'aria-current="page"' in shown and '<meta name="x"' in shown
    if variant == "languages":
        assert 'class="languages"' in shown
    if preview:
        assert 'class="badge badge--draft"' in shown


def test_the_home_page_twin_of_a_site_with_nothing_published(tmp_path):
    site = make_site(tmp_path / "site", {"content/pages/about.md": "---\ntitle: About\n---\nUs.\n"}, config=CONFIG)
    renderer, _, routes = rendering(site)
    home = next(route for route in routes if route.kind == "home")
    made = renderer.render_route(home).data.decode()
    assert '<p class="empty">' in made and renderer._twin("home.html") is not None
    assert made == renderer.env.get_template("home.html").render(renderer.context(home))


def test_a_site_that_overrides_what_the_article_includes_gets_its_templates(tmp_path):
    site = varied_site(tmp_path / "site")
    (site / "layouts/partials").mkdir(parents=True)
    (site / "layouts/partials/figure.html").write_text('<p class="my-figure">{{ page.kind }}</p>', encoding="utf-8")
    renderer, _, routes = rendering(site)
    pages = "".join(renderer.render_route(route).data.decode() for route in routes if route.kind == "article")
    assert renderer._twin("article.html") is None and '<p class="my-figure">article</p>' in pages
