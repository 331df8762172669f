"""Every reader (issue 12): titles, tags and file names in any script build, lose no letter
in their URL, and never merge two different names silently."""

import pytest

from broadsheet.load import slugify
from conftest import article, make_site, run_cli


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
