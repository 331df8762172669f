"""Every reader (issue 12): titles, tags and file names in any script build, lose no letter
in their URL, and never merge two different names silently."""

import html

import pytest

from broadsheet.load import slugify
from conftest import REPO, article, make_site, run_cli


@pytest.mark.parametrize("name, slug", [
    ("Straße", "strasse"), ("Ærø", "aero"), ("Łódź", "lodz"), ("Việt Nam", "viet-nam"), ("İstanbul", "istanbul"),
    ("Москва", "moskva"), ("Ελλάδα", "ellada"), ("北京", "bei-jing"), ("東京タワー", "dong-jing-tawa"),
    ("서울", "seoul"), ("C++", "c-plus-plus"), ("C#", "c-sharp"), ("F# and C#", "f-sharp-and-c-sharp"),
    ("#MeToo", "metoo"), ("Café au lait: 3 ways!", "cafe-au-lait-3-ways"),
])
def test_issue_12_a_slug_transliterates_every_letter_as_the_readme_says(name, slug):
    assert slugify(name) == slug
    assert slugify(slug) == slug


def test_issue_12_titles_tags_and_file_names_in_any_script_build_with_their_slugs(tmp_path):
    site = make_site(tmp_path / "site", {
        "content/articles/北京的春天.md": article("北京的春天", tags="[北京, 天气]",
                                                body="春天来了。另见[柏林](berliner-strassen.md)。\n"),
        "content/articles/berliner-strassen.md": article("Berliner Straßen", tags="[Straße, Verkehr]",
                                                         body="Die Straße ist gesperrt.\n"),
        "content/articles/москва.md": article("Москва весной", tags="[Москва]", body="Весна в Москве.\n"),
        "content/articles/القاهرة.md": article("القاهرة", tags="[مصر]", body="نص المقال.\n"),
        "content/articles/languages.md": article("Languages", tags="[C++, C#]", body="Two tags, two pages.\n"),
    })
    result = run_cli("--site", str(site), "--strict")
    assert result.returncode == 0, result.stderr
    out = site / "output"
    for page in ("articles/bei-jing-de-chun-tian", "articles/berliner-strassen", "articles/moskva",
                 "articles/lqhrh", "tags/bei-jing", "tags/tian-qi", "tags/strasse", "tags/moskva", "tags/msr",
                 "tags/c-plus-plus", "tags/c-sharp"):
        assert (out / page / "index.html").is_file(), page
    chinese = (out / "articles/bei-jing-de-chun-tian/index.html").read_text(encoding="utf-8")
    assert "北京的春天" in chinese and 'href="/articles/berliner-strassen/"' in chinese
    assert "C++" in (out / "tags/c-plus-plus/index.html").read_text(encoding="utf-8")
    assert "C#" in (out / "tags/c-sharp/index.html").read_text(encoding="utf-8")


def test_issue_12_two_different_tags_with_one_slug_are_an_error_naming_both(tmp_path):
    site = make_site(tmp_path / "site", {
        "content/articles/ferry.md": article("Ferry to the island", tags="[Ærø, Travel]"),
        "content/articles/plane.md": article("A new aero club", "2026-03-02 09:00", tags="[aero]"),
        "content/articles/club.md": article("The Aero club again", "2026-03-03 09:00", tags="[Aero]"),
    })
    result = run_cli("--site", str(site))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "content/articles/ferry.md:4: error: tag 'Ærø' and tag 'Aero' and 'aero' are different names with one " \
           "URL, /tags/aero/" in result.stderr, result.stderr
    assert "content/articles/plane.md:4: error: tag 'aero' and tag 'Ærø'" in result.stderr
    assert "rename one of them" in result.stderr
    assert not (site / "output" / "tags").exists()  # nothing written


def test_issue_12_spellings_of_one_tag_still_merge_with_a_warning(tmp_path):
    site = make_site(tmp_path / "site", {
        "content/articles/a.md": article("One", tags="[New York]"),
        "content/articles/b.md": article("Two", "2026-03-02 09:00", tags="[new-york]"),
    })
    result = run_cli("--site", str(site))
    assert result.returncode == 0, result.stderr
    assert "is spelled in several ways" in result.stderr
    assert (site / "output/tags/new-york/index.html").is_file()


def test_issue_12_chinese_and_japanese_are_counted_in_characters():
    from broadsheet.markup import count_characters, count_words, reading_minutes
    assert count_words("北京的春天来了。") == count_characters("北京的春天来了。") == 7
    assert (count_words("Tokyo タワー is tall"), count_characters("Tokyo タワー is tall")) == (6, 3)
    assert count_words("The council's vote, on Tuesday.") == 5 and count_characters("Straße") == 0
    assert reading_minutes(230 * 4) == 4 and reading_minutes(4_400, 4_400) == 15


def test_issue_12_a_chinese_article_shows_its_reading_time_in_characters(tmp_path):
    # 3,740 characters: read at 300 a minute, not counted as 220 "words" (1 min) as before.
    body = "\n\n".join("北京的春天来得很早，公园里的花都开了。" * 11 for _ in range(20)) + "\n"
    site = make_site(tmp_path / "site", {"content/articles/spring.md": article("北京的春天", body=body),
                                         "content/articles/short.md": article("Short", "2026-03-02 09:00",
                                                                              body="A few words.\n")})
    assert len(body.replace("，", "").replace("。", "").replace("\n", "")) == 3_740
    result = run_cli("--site", str(site))
    assert result.returncode == 0, result.stderr
    page = (site / "output/articles/spring/index.html").read_text(encoding="utf-8")
    assert ">12 min read<" in page  # 3,740 characters / 300
    assert '"wordCount":3740' in page
    assert ">1 min read<" in (site / "output/articles/short/index.html").read_text(encoding="utf-8")


def test_issue_12_an_author_without_a_profile_gets_no_empty_about_box(tmp_path):
    site = make_site(tmp_path / "site", {
        "content/authors/ana.md": "---\nname: Ana Ruiz\nrole: Courts reporter\n---\nAna covers the courts.\n",
        "content/authors/bo.md": "---\nname: Bo Lind\n---\n",
        "content/articles/both.md": article("Both", authors="[ana, bo]"),
        "content/articles/bo-alone.md": article("Bo alone", "2026-03-02 09:00", authors="[bo]"),
        "content/articles/guest.md": article("Guest", "2026-03-03 09:00", author="A Guest Writer"),
    })
    result = run_cli("--site", str(site))
    assert result.returncode == 0, result.stderr
    out = site / "output/articles"
    both = (out / "both/index.html").read_text(encoding="utf-8")
    assert "About the author<" in both and "Ana covers the courts." in both
    assert 'class="author-box__name"><a href="/authors/bo/">' not in both  # Bo: a byline, no box
    for page in ("bo-alone", "guest"):
        assert "About the author" not in (out / page / "index.html").read_text(encoding="utf-8"), page


# The theme speaks the site's language -------------------------------------------------

CATALOGUES = sorted(p.stem for p in (REPO / "broadsheet/theme/i18n").glob("*.yaml"))
ISSUE_LANGUAGES = ["ar", "de", "en", "es", "fr", "it", "ja", "nl", "pl", "pt", "sv", "zh"]


def words_site(root, language: str, **files):
    """A small site in `language`: two authors on one article, a second article, an update."""
    return make_site(root, {
        "config.yaml": f"title: Test Gazette\nbase_url: https://example.org/\ntimezone: Europe/Berlin\n"
                       f"language: {language}\n",
        "content/authors/ana.md": "---\nname: Ana Ruiz\nrole: Reporter\n---\nAna covers the courts.\n",
        "content/authors/bo.md": "---\nname: Bo Lind\n---\n",
        "content/articles/one.md": article("Eins", "2026-03-01 09:00", authors="[ana, bo]", tags="[Rat]",
                                           updated="2026-03-02 14:30", body="Wort " * 700 + "\n"),
        "content/articles/two.md": article("Zwei", "2026-03-05 09:00", author="ana", tags="[Rat]"),
        **files,
    })


def page_text(path) -> str:
    return path.read_text(encoding="utf-8")


def test_issue_12_the_theme_ships_a_complete_catalogue_for_each_language_of_the_issue():
    import yaml
    from babel import Locale

    from broadsheet.i18n import placeholders_of
    assert CATALOGUES == ISSUE_LANGUAGES
    english = yaml.safe_load((REPO / "broadsheet/theme/i18n/en.yaml").read_text(encoding="utf-8"))
    for language in CATALOGUES:
        messages = yaml.safe_load((REPO / f"broadsheet/theme/i18n/{language}.yaml").read_text(encoding="utf-8"))
        assert list(messages) == list(english), language
        categories = set(Locale.parse(language).plural_form.tags) | {"other"}
        for key, message in messages.items():
            assert placeholders_of(message) <= placeholders_of(english[key]), (language, key)
            if isinstance(english[key], dict):
                forms = set(message) if isinstance(message, dict) else {"other"}
                assert forms == categories, (language, key, forms)


@pytest.mark.parametrize("language", ["de", "pl", "zh", "ar"])
def test_issue_12_no_english_word_of_the_theme_is_left_on_a_site_in_another_language(tmp_path, language):
    import yaml
    english = yaml.safe_load((REPO / "broadsheet/theme/i18n/en.yaml").read_text(encoding="utf-8"))
    own = yaml.safe_load((REPO / f"broadsheet/theme/i18n/{language}.yaml").read_text(encoding="utf-8"))
    site = words_site(tmp_path / "site", language)
    result = run_cli("--site", str(site), "--strict")
    assert result.returncode == 0, result.stderr
    pages = {p: page_text(p) for p in (site / "output").rglob("*.html")}
    assert len(pages) > 10
    # Every message of the theme with no placeholder and a word of its own in this language.
    untranslated = [text for key, text in english.items()
                    if isinstance(text, str) and "{" not in text and own[key] != text and len(text) > 3]
    assert "Latest stories" in untranslated and "Related" not in str(own)
    for path, html in pages.items():
        for text in untranslated:
            assert f">{text}<" not in html and f'"{text}"' not in html, (path, text)
    assert sum(html.count(own["latest_stories"]) for html in pages.values()) >= 1


def test_issue_12_a_german_site_speaks_german_with_plurals_dates_and_times(tmp_path):
    site = words_site(tmp_path / "site", "de")
    result = run_cli("--site", str(site), "--strict")
    assert result.returncode == 0, result.stderr
    out = site / "output"
    one = page_text(out / "articles/one/index.html")
    assert '<html lang="de" dir="ltr">' in one
    assert "3 Minuten Lesezeit" in one  # 700 words at 230 a minute
    assert "1 Minute Lesezeit" in page_text(out / "articles/two/index.html")
    assert "Von <a" in one and "</a> und <a" in one  # "Von Ana Ruiz und Bo"
    # Dates and times in the site's zone (Europe/Berlin), written the German way.
    assert ">1. März 2026, 09:00 MEZ<" in one or ">1. März 2026, 09:00 CET<" in one, one
    assert "2. März 2026, 14:30" in one and "Aktualisiert" in one
    assert "2 Artikel" in page_text(out / "tags/rat/index.html")
    archive = page_text(out / "archive/index.html")
    assert ">März 2026</a>" in archive and "<title>Archiv — Test Gazette</title>" in archive
    assert '"inLanguage":"de"' in one and '<meta property="og:locale" content="de">' in one


def test_issue_12_chinese_and_arabic_sites_get_their_words_dates_and_direction(tmp_path):
    chinese = words_site(tmp_path / "zh", "zh")
    arabic = words_site(tmp_path / "ar", "ar")
    for site in (chinese, arabic):
        result = run_cli("--site", str(site), "--strict")
        assert result.returncode == 0, result.stderr
    zh = page_text(chinese / "output/articles/one/index.html")
    assert '<html lang="zh" dir="ltr">' in zh and "2026年3月1日" in zh
    assert ">2026年3月</a>" in page_text(chinese / "output/archive/index.html")
    ar = page_text(arabic / "output/articles/one/index.html")
    assert '<html lang="ar" dir="rtl">' in ar
    assert "مارس" in ar  # March, in Arabic
    tag = page_text(arabic / "output/tags/rat/index.html")
    assert "مقالان" in tag  # "two articles": Arabic's dual form


def test_issue_12_polish_plurals_take_all_their_forms(tmp_path):
    from broadsheet.i18n import Language, load_messages
    from broadsheet.errors import SourceLoc
    from zoneinfo import ZoneInfo
    problems = []
    polish = Language("pl", load_messages(tmp_path, "pl", None, {}, SourceLoc("config.yaml"), problems), ZoneInfo("UTC"))
    assert problems == []
    assert [polish.text("articles_count", count=n) for n in (1, 2, 5, 22, 1000)] == \
        ["1 artykuł", "2 artykuły", "5 artykułów", "22 artykuły", "1\xa0000 artykułów"]  # and Polish digit groups


@pytest.mark.parametrize("tag, zone", [("en", "Europe/London"), ("de", "Europe/Berlin"), ("ar", "Asia/Riyadh"),
                                       ("en-US", "America/New_York"), ("fa", "Asia/Tehran")])
def test_issue_11_dates_written_once_read_as_babel_writes_them(tag, zone):
    # A Language keeps each day and time of day it wrote (a card shows both, 20 us each by
    # Babel): what it keeps must be what Babel writes for every moment, across a change of
    # summer time, with and without a zone, at midnight and at 12 and 24 hours.
    from datetime import datetime, timedelta, timezone
    from zoneinfo import ZoneInfo
    from babel.dates import format_date, format_time
    from broadsheet.i18n import Language
    language = Language(tag, {}, ZoneInfo(zone))
    moments = [datetime(2025, 3, 29, 22, 0, tzinfo=timezone.utc) + timedelta(minutes=17 * n) for n in range(400)]
    moments += [datetime(2025, 10, 25, 0, 0) + timedelta(minutes=29 * n) for n in range(200)]
    for moment in moments * 2:  # (the second time from what it kept)
        local = moment.astimezone(language.tz) if moment.tzinfo else moment.replace(tzinfo=language.tz)
        day = format_date(local, "long", locale=language.locale)
        assert language.date(moment) == day
        if (local.hour, local.minute) == (0, 0):
            assert language.date_time(moment) == day
        else:
            written = language.date_time(moment)
            assert day in written and format_time(local, "short", locale=language.locale) in written, written
            assert (local.tzname() or "") in written


def test_issue_12_a_site_overrides_any_message_in_layouts_or_config(tmp_path):
    site = words_site(tmp_path / "site", "de", **{
        "layouts/i18n/de.yaml": "reading_time:\n  one: 'Eine Minute'\n  other: '{count} Minuten'\nlatest_stories: Neueste Meldungen\n",
    })
    config = site / "config.yaml"
    config.write_text(page_text(config) + "messages:\n  related: Mehr dazu\n", encoding="utf-8")
    result = run_cli("--site", str(site), "--strict")
    assert result.returncode == 0, result.stderr
    out = site / "output"
    assert ">3 Minuten<" in page_text(out / "articles/one/index.html")
    assert ">Eine Minute<" in page_text(out / "articles/two/index.html")
    assert "Neueste Meldungen" in page_text(out / "index.html")
    # A catalogue edit is a change of every page: the next build shows it.
    (site / "layouts/i18n/de.yaml").write_text("latest_stories: Aktuell\n", encoding="utf-8")
    result = run_cli("--site", str(site), "--strict")
    assert result.returncode == 0, result.stderr
    assert "Aktuell" in page_text(out / "index.html") and "3 Minuten Lesezeit" in page_text(out / "articles/one/index.html")


def test_issue_12_bad_messages_and_languages_are_reported_with_file_and_line(tmp_path):
    site = words_site(tmp_path / "site", "de", **{
        "layouts/i18n/de.yaml": "latest_stories: Neu\nreading_time: '{minutes} Minuten'\nrelatd: Mehr\nbyline: 'Von {authors'\n",
    })
    result = run_cli("--site", str(site))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "layouts/i18n/de.yaml:2: error: message 'reading_time' uses {minutes}, which the theme does not fill" \
        in result.stderr
    assert "layouts/i18n/de.yaml:3: warning: unknown message 'relatd'" in result.stderr
    assert "did you mean 'related'?" in result.stderr
    assert "layouts/i18n/de.yaml:4: error: message 'byline'" in result.stderr
    assert not (site / "output").exists()

    (site / "layouts/i18n/de.yaml").unlink()
    config = site / "config.yaml"
    config.write_text(page_text(config).replace("language: de", "language: klingon"), encoding="utf-8")
    result = run_cli("--site", str(site))
    assert result.returncode == 2
    assert "config.yaml:4: error: 'language': unknown language 'klingon'" in result.stderr


def test_issue_12_a_language_the_theme_does_not_speak_yet_shows_english_with_a_warning(tmp_path):
    site = words_site(tmp_path / "site", "fi")
    result = run_cli("--site", str(site))
    assert result.returncode == 0, result.stderr
    assert "config.yaml:4: warning: the theme has no words in 'fi' yet" in result.stderr
    assert "layouts/i18n/fi.yaml" in result.stderr
    one = page_text(site / "output/articles/one/index.html")
    assert '<html lang="fi" dir="ltr">' in one and "min read" in one
    assert "maaliskuuta 2026" in one  # the date is Finnish all the same: Babel knows it


def test_issue_12_an_article_in_another_language_than_the_site_is_marked_up_so(tmp_path):
    site = words_site(tmp_path / "site", "ar", **{
        "content/articles/english.md": article("Cairo in English", "2026-03-06 09:00", language="en",
                                               summary="A report for our English readers.", body="In English.\n"),
        "content/articles/arabic.md": article("القاهرة", "2026-03-07 09:00", language="ar", body="نص.\n"),
    })
    result = run_cli("--site", str(site), "--strict")
    assert result.returncode == 0, result.stderr
    out = site / "output"
    english = page_text(out / "articles/english/index.html")
    assert '<html lang="ar" dir="rtl">' in english  # the page, its theme words, are the site's
    assert '<h1 class="article__title" lang="en" dir="ltr">Cairo in English</h1>' in english
    assert '<div class="article__body prose" lang="en" dir="ltr">' in english
    assert '"inLanguage":"en"' in english
    home = page_text(out / "index.html")
    assert 'lang="en" dir="ltr"><a href="/articles/english/">Cairo in English</a>' in home
    assert '<p class="card__summary" lang="en" dir="ltr">A report for our English readers.</p>' in home
    arabic = page_text(out / "articles/arabic/index.html")  # the site's own language: nothing to say
    assert '<h1 class="article__title">' in arabic and '"inLanguage":"ar"' in arabic

    (site / "content/articles/english.md").write_text(article("Cairo", language="english"), encoding="utf-8")
    result = run_cli("--site", str(site))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "content/articles/english.md:4: error: 'language': unknown language 'english'" in result.stderr


def test_issue_12_slugs_unicode_keeps_the_letters_and_percent_encodes_the_urls(tmp_path):
    from urllib.parse import quote
    site = make_site(tmp_path / "site", {
        "config.yaml": "title: T\nbase_url: https://example.org/news/\nslugs: unicode\n",
        "content/articles/北京的春天.md": article("北京的春天", tags="[北京, Ærø]",
                                                body="另见[柏林](/articles/straße/)和[北京](/tags/%E5%8C%97%E4%BA%AC/)。\n"),
        "content/articles/straße.md": article("Berliner Straße", "2026-03-02 09:00", tags="[aero, हिन्दी]",
                                             body="Siehe [Peking](北京的春天.md).\n"),
    })
    result = run_cli("--site", str(site), "--strict")
    assert result.returncode == 0, result.stderr
    out = site / "output"
    for page in ("articles/北京的春天", "articles/straße", "tags/北京", "tags/ærø", "tags/aero", "tags/हिन्दी"):
        assert (out / page / "index.html").is_file(), page  # files named in UTF-8; Ærø and aero are two tags
    chinese = page_text(out / "articles/北京的春天/index.html")
    assert f'href="/news/articles/{quote("straße")}/"' in chinese and f'href="/news/tags/{quote("北京")}/"' in chinese
    assert f'<link rel="canonical" href="https://example.org/news/articles/{quote("北京的春天")}/">' in chinese
    assert f'href="/news/articles/{quote("北京的春天")}/"' in page_text(out / "articles/straße/index.html")
    sitemap = page_text(out / "sitemaps/2026.xml")
    assert f"<loc>https://example.org/news/articles/{quote('北京的春天')}/</loc>" in sitemap and "北京" not in sitemap
    assert slugify("हिन्दी समाचार", "unicode") == "हिन्दी-समाचार"  # the vowel signs (marks) are kept
    assert slugify("Straße & Ærø: C++", "unicode") == "straße-ærø-c-plus-plus"


def test_issue_12_a_slugs_setting_other_than_ascii_or_unicode_is_an_error_at_its_line(tmp_path):
    site = make_site(tmp_path / "site", {"config.yaml": "title: T\nslugs: pinyin\n",
                                         "content/articles/a.md": article("A")})
    result = run_cli("--site", str(site))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "config.yaml:2: error: 'slugs': must be 'ascii' or 'unicode', not 'pinyin'" in result.stderr


def test_issue_12_a_message_no_template_uses_is_a_warning_unless_a_site_template_asks_for_it(tmp_path):
    site = words_site(tmp_path / "site", "de", **{
        "layouts/i18n/de.yaml": "newsletter: Unser Newsletter\nfootnote_text: Fußnote\n",
        "layouts/partials/head_extra.html": '<meta name="newsletter" content="{{ t("newsletter") }}">\n',
    })
    result = run_cli("--site", str(site))
    assert result.returncode == 0, result.stderr
    assert "layouts/i18n/de.yaml:2: warning: unknown message 'footnote_text': no template uses it" in result.stderr
    assert "'newsletter'" not in result.stderr
    assert '<meta name="newsletter" content="Unser Newsletter">' in page_text(site / "output/index.html")


def test_a_message_asked_again_with_a_value_marked_safe_or_not_or_another_count_is_made_anew(tmp_path):
    # The messages a build makes are kept (a page asks for the same twenty): one asked again
    # with the same text marked safe, or not, or with another count, is not the one kept.
    site = words_site(tmp_path / "site", "de", **{
        "layouts/i18n/de.yaml": "said: 'Gesagt: {who}'\nreading_time:\n  one: 'Eine Minute'\n  other: '{count} Minuten'\n",
        "layouts/partials/head_extra.html":
            '<meta name="a" content="{{ t("said", who="<b>x</b>") }}">\n'
            '<meta name="b" content="{{ t("said", who="<b>x</b>"|safe) }}">\n'
            '<meta name="c" content="{{ t("said", who="<b>x</b>") }}">\n'
            '<meta name="d" content="{{ t("reading_time", 1) }}|{{ t("reading_time", 2) }}|{{ t("reading_time", 1) }}">\n',
    })
    result = run_cli("--site", str(site), "--strict")
    assert result.returncode == 0, result.stderr
    for page in ("index.html", "articles/one/index.html", "articles/two/index.html"):
        text = page_text(site / "output" / page)
        assert '<meta name="a" content="Gesagt: &lt;b&gt;x&lt;/b&gt;">' in text
        assert '<meta name="b" content="Gesagt: <b>x</b>">' in text
        assert '<meta name="c" content="Gesagt: &lt;b&gt;x&lt;/b&gt;">' in text
        assert '<meta name="d" content="Eine Minute|2 Minuten|Eine Minute">' in text


def test_issue_12_two_different_bylines_with_one_slug_are_an_error_naming_both(tmp_path):
    site = make_site(tmp_path / "site", {
        "content/articles/a.md": article("One", author="Søren Ærø"),
        "content/articles/b.md": article("Two", "2026-03-02 09:00", author="Soren Aero"),
        "content/articles/c.md": article("Three", "2026-03-03 09:00", author="soren-aero"),
    })
    result = run_cli("--site", str(site))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    # Articles are related newest first: "soren-aero" (c) comes first, then "Soren Aero" (b), one
    # name in two spellings; "Søren Ærø" (a) is another name.
    assert "content/articles/a.md:4: error: byline 'Søren Ærø' and byline 'soren-aero' are different names " \
           "with one URL, /authors/soren-aero/" in result.stderr, result.stderr
    assert "byline 'Soren Aero'" not in result.stderr
    assert not (site / "output").exists()


def test_issue_12_a_bodys_footnote_and_section_links_are_titled_in_the_pages_language(tmp_path):
    body = "## Der Haushalt\n\nDer Rat stimmt ab.[^1]\n\n[^1]: Mit einer Stimme Mehrheit.\n"
    german = words_site(tmp_path / "de", "de", **{"content/articles/three.md": article("Drei", body=body)})
    english = words_site(tmp_path / "en", "en", **{"content/articles/three.md": article("Three", body=body)})
    for site in (german, english):
        result = run_cli("--site", str(site), "--strict")
        assert result.returncode == 0, result.stderr
    de = page_text(german / "output/articles/three/index.html")
    assert 'title="Link zu diesem Abschnitt"' in de and 'title="Zurück zum Text von Fußnote 1"' in de
    assert "\ue000" not in de and "\ue001" not in de
    assert 'title="Zurück zum Text von Fußnote 1"' in html.unescape(page_text(german / "output/feed.xml"))
    en = page_text(english / "output/articles/three/index.html")
    assert 'title="Link to this section"' in en and 'title="Back to the text of footnote 1"' in en
