"""Several languages in one site (issue 12, Deliver 4): each language's own home, listings,
tags, authors, archive, feeds and sitemap files under its prefix, translations linked by a
shared key with reciprocal hreflang pairs and a language switcher, nothing of one
language listed in another's pages, and a one-language site's URLs as they were."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from conftest import article, make_site, run_cli
from test_pages import check_links, parse_html

CONFIG = """\
title: The Harbour Light
base_url: https://example.org/
language: en-GB
timezone: Europe/Berlin
paginate: 5
languages:
  de:
    title: Das Hafenlicht
    tagline: Nachrichten vom Hafen
  ar:
"""
XHTML = "{http://www.w3.org/1999/xhtml}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def harbour_files() -> dict[str, str]:
    """An English site with German and Arabic editions: two stories translated (one into
    both), one in English only, one in German only, a page translated, a profile."""
    return {
        "content/authors/ana.md": "---\nname: Ana Lopes\nrole: Harbour reporter\n---\nAna covers the docks.\n",
        "content/articles/en/ferry.md": article(
            "The night ferry returns", "2026-03-01 09:00", "After two winters the night ferry sails again.\n",
            author="ana", tags="[Harbour, Transport]", translation_key="ferry"),
        "content/articles/de/ferry.md": article(
            "Die Nachtfähre kehrt zurück", "2026-03-01 09:30", "Nach zwei Wintern fährt die Nachtfähre wieder.\n",
            author="ana", tags="[Hafen, Verkehr]", language="de", translation_key="ferry"),
        "content/articles/ar/ferry.md": article(
            "عودة عبّارة الليل", "2026-03-01 10:00", "بعد شتاءين تعود العبّارة.\n",
            author="ana", tags="[الميناء]", language="ar", translation_key="ferry", slug="ferry"),
        "content/articles/en/cranes.md": article(
            "New cranes for the east quay", "2026-02-10 09:00", "Two new cranes arrive.\n",
            author="ana", tags="[Harbour]"),
        "content/articles/de/fischmarkt.md": article(
            "Der Fischmarkt zieht um", "2026-02-12 09:00", "Der Markt zieht an den Kai.\n",
            author="Erika Muster", tags="[Hafen]", language="de"),
        "content/pages/about.md": "---\ntitle: About us\ntranslation_key: about\n---\nWe report on the harbour.\n",
        "content/pages/ueber.md": "---\ntitle: Über uns\nlanguage: de\ntranslation_key: about\n---\nWir berichten.\n",
    }


def build(tmp_path: Path, files: dict[str, str] | None = None, config: str = CONFIG, *args: str) -> Path:
    site = make_site(tmp_path / "site", files if files is not None else harbour_files(), config=config)
    result = run_cli("--site", str(site), *args)
    assert result.returncode == 0, result.stderr
    return site / "output"


def text(out: Path, rel: str) -> str:
    return (out / rel).read_text(encoding="utf-8")


def alternates(html: str) -> dict[str, str]:
    """hreflang → href of a page's `<link rel="alternate" hreflang>` pairs."""
    return dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html))


def titles_listed(html: str) -> set[str]:
    return set(re.findall(r'<h[23] class="card__title"><a href="[^"]*">([^<]+)</a>', html))


def test_issue_12_each_language_has_its_pages_under_its_prefix_and_the_site_language_keeps_its_urls(tmp_path):
    out = build(tmp_path)
    for rel in ("index.html", "articles/ferry/index.html", "articles/cranes/index.html", "about/index.html",
                "tags/harbour/index.html", "authors/ana/index.html", "archive/2026/03/index.html", "feed.xml",
                "rss.xml", "feed.json", "sitemap.xml", "sitemaps/2026.xml", "sitemaps/pages.xml", "robots.txt",
                "404.html",
                "de/index.html", "de/articles/ferry/index.html", "de/articles/fischmarkt/index.html",
                "de/ueber/index.html", "de/tags/hafen/index.html", "de/tags/hafen/feed.xml", "de/authors/ana/index.html",
                "de/authors/erika-muster/index.html", "de/archive/index.html", "de/archive/2026/02/index.html",
                "de/feed.xml", "de/rss.xml", "de/feed.json", "de/sitemaps/2026.xml", "de/sitemaps/pages.xml",
                "ar/index.html", "ar/articles/ferry/index.html"):
        assert (out / rel).is_file(), rel
    # One 404 page, one robots.txt, one sitemap index naming every language's files.
    assert not (out / "de/404.html").exists() and not (out / "de/robots.txt").exists()
    index = ET.fromstring(text(out, "sitemap.xml"))
    assert [loc.text for loc in index.iter(f"{SITEMAP}loc")] == [
        "https://example.org/sitemaps/2026.xml", "https://example.org/sitemaps/pages.xml",
        "https://example.org/de/sitemaps/2026.xml", "https://example.org/de/sitemaps/pages.xml",
        "https://example.org/ar/sitemaps/2026.xml", "https://example.org/ar/sitemaps/pages.xml"]
    assert check_links(out, "https://example.org/") == ([], [])
    for rel in ("de/articles/ferry/index.html", "ar/articles/ferry/index.html", "de/index.html"):
        assert parse_html(text(out, rel)).errors == [], rel


def test_issue_12_each_language_speaks_its_own_words_with_its_own_settings(tmp_path):
    out = build(tmp_path)
    german = text(out, "de/articles/ferry/index.html")
    assert '<html lang="de" dir="ltr">' in german
    assert "<title>Die Nachtfähre kehrt zurück — Das Hafenlicht</title>" in german
    assert "Nachrichten vom Hafen" in german and "1 Minute Lesezeit" in german and "1. März 2026" in german
    assert 'href="/de/tags/hafen/"' in german and 'href="/de/authors/ana/"' in german
    assert '<a href="/de/archive/">Archiv</a>' in german and 'href="/de/feed.xml"' in german
    assert '"inLanguage":"de"' in german
    # The German page is German as a whole: no lang attribute marks its words as foreign.
    assert 'class="article__title" lang=' not in german
    arabic = text(out, "ar/articles/ferry/index.html")
    assert '<html lang="ar" dir="rtl">' in arabic and "The Harbour Light" in arabic  # the site's title: none of its own
    english = text(out, "articles/ferry/index.html")
    assert '<html lang="en-GB" dir="ltr">' in english and "1 min read" in english and "1 March 2026" in english
    feed = ET.fromstring(text(out, "de/feed.xml"))
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "de"
    assert feed.find("{http://www.w3.org/2005/Atom}title").text == "Das Hafenlicht"


def test_issue_12_translations_have_reciprocal_hreflang_pairs_and_a_language_switcher(tmp_path):
    out = build(tmp_path)
    versions = {"en-GB": "https://example.org/articles/ferry/", "de": "https://example.org/de/articles/ferry/",
                "ar": "https://example.org/ar/articles/ferry/"}
    expected = {**versions, "x-default": versions["en-GB"]}
    for rel in ("articles/ferry/index.html", "de/articles/ferry/index.html", "ar/articles/ferry/index.html"):
        html = text(out, rel)
        assert alternates(html) == expected, rel
        switcher = re.search(r'<nav class="languages"[^>]*>(.*?)</nav>', html, re.S).group(1)
        names = re.findall(r'hreflang="([^"]+)"[^>]*>([^<]+)</a>', switcher)
        assert names == [("en-GB", "English"), ("de", "Deutsch"), ("ar", "العربية")], rel
        assert switcher.count('aria-current="page"') == 1
    assert 'aria-label="In anderen Sprachen"' in text(out, "de/articles/ferry/index.html")
    # A story without a translation has no pairs and no switcher.
    cranes = text(out, "articles/cranes/index.html")
    assert alternates(cranes) == {} and 'class="languages"' not in cranes
    # Pages too; and each language's home and indexes are versions of one another.
    assert alternates(text(out, "de/ueber/index.html")) == {
        "en-GB": "https://example.org/about/", "de": "https://example.org/de/ueber/",
        "x-default": "https://example.org/about/"}
    assert alternates(text(out, "de/index.html")) == {
        "en-GB": "https://example.org/", "de": "https://example.org/de/", "ar": "https://example.org/ar/",
        "x-default": "https://example.org/"}
    assert alternates(text(out, "de/archive/index.html"))["en-GB"] == "https://example.org/archive/"


def test_issue_12_the_sitemaps_carry_the_same_hreflang_pairs(tmp_path):
    out = build(tmp_path)
    for rel, loc in (("sitemaps/2026.xml", "https://example.org/articles/ferry/"),
                     ("de/sitemaps/2026.xml", "https://example.org/de/articles/ferry/")):
        urls = {url.find(f"{SITEMAP}loc").text: url for url in ET.fromstring(text(out, rel)).iter(f"{SITEMAP}url")}
        pairs = {link.get("hreflang"): link.get("href") for link in urls[loc].iter(f"{XHTML}link")}
        assert pairs == alternates(text(out, loc.removeprefix("https://example.org/") + "index.html")), rel
    untranslated = ET.fromstring(text(out, "sitemaps/2026.xml"))
    cranes = next(u for u in untranslated.iter(f"{SITEMAP}url")
                  if u.find(f"{SITEMAP}loc").text.endswith("/cranes/"))
    assert list(cranes.iter(f"{XHTML}link")) == []
    pages = {u.find(f"{SITEMAP}loc").text: u for u in ET.fromstring(text(out, "de/sitemaps/pages.xml")).iter(f"{SITEMAP}url")}
    assert {link.get("hreflang") for link in pages["https://example.org/de/ueber/"].iter(f"{XHTML}link")} == {
        "en-GB", "de", "x-default"}


def test_issue_12_no_language_lists_another_languages_articles(tmp_path):
    out = build(tmp_path)
    english_titles = {"The night ferry returns", "New cranes for the east quay"}
    german_titles = {"Die Nachtfähre kehrt zurück", "Der Fischmarkt zieht um"}
    assert titles_listed(text(out, "index.html")) == english_titles
    assert titles_listed(text(out, "de/index.html")) == german_titles
    assert titles_listed(text(out, "ar/index.html")) == {"عودة عبّارة الليل"}
    assert titles_listed(text(out, "authors/ana/index.html")) == english_titles
    assert titles_listed(text(out, "de/authors/ana/index.html")) == {"Die Nachtfähre kehrt zurück"}
    assert titles_listed(text(out, "de/archive/2026/02/index.html") .replace("h3", "h2")) | set(
        re.findall(r'<a href="/de/articles/[^"]+">([^<]+)</a>', text(out, "de/archive/2026/02/index.html"))) == {
        "Der Fischmarkt zieht um"}
    assert not (out / "de/tags/harbour").exists() and not (out / "tags/hafen").exists()
    assert not (out / "authors/erika-muster").exists()  # a byline of German stories only
    # Feeds of each language hold that language's entries only.
    assert {e["title"] for e in json.loads(text(out, "feed.json"))["items"]} == english_titles
    assert {e["title"] for e in json.loads(text(out, "de/feed.json"))["items"]} == german_titles
    atom = ET.fromstring(text(out, "de/authors/ana/feed.xml"))
    assert [t.text for t in atom.iter("{http://www.w3.org/2005/Atom}title")][1:] == ["Die Nachtfähre kehrt zurück"]
    rss = text(out, "de/rss.xml")
    assert "Der Fischmarkt zieht um" in rss and "cranes" not in rss
    # Sitemaps of each language list its own URLs only; related stories stay in their language.
    assert "/de/" not in text(out, "sitemaps/2026.xml").split("<xhtml:link")[0]
    german_sitemap = ET.fromstring(text(out, "de/sitemaps/2026.xml"))
    assert all(loc.text.startswith("https://example.org/de/") for loc in german_sitemap.iter(f"{SITEMAP}loc"))
    related = text(out, "de/articles/fischmarkt/index.html")
    assert "/de/articles/ferry/" in related and 'href="/articles/' not in related


def test_issue_12_translations_may_share_a_slug_but_one_language_may_not(tmp_path):
    files = harbour_files()
    files["content/articles/de/cranes.md"] = article("Neue Kräne", "2026-02-11 09:00", language="de", slug="ferry")
    site = make_site(tmp_path / "site", files, config=CONFIG)
    result = run_cli("--site", str(site))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "content/articles/de/cranes.md:5: error: article slug 'ferry' is also used by content/articles/de/ferry.md" \
        in result.stderr, result.stderr
    assert "content/articles/en/ferry.md" not in result.stderr  # the English ferry is another language's
    assert not (site / "output").exists()


def test_issue_12_bad_translations_and_languages_are_reported_with_file_and_line(tmp_path):
    files = harbour_files()
    files["content/articles/en/cranes.md"] = files["content/articles/en/cranes.md"].replace(
        "---\n", "---\ntranslation_key: crane\n", 1)  # a typo: no other file has it
    site = make_site(tmp_path / "site", files, config=CONFIG)
    result = run_cli("--site", str(site))
    assert result.returncode == 0, result.stderr
    assert "content/articles/en/cranes.md:2: warning: translation_key 'crane' matches no other article" \
        in result.stderr, result.stderr
    result = run_cli("--site", str(site), "--strict")
    assert result.returncode == 1

    files["content/articles/de/fischmarkt.md"] = files["content/articles/de/fischmarkt.md"].replace(
        "---\n", "---\ntranslation_key: ferry\n", 1)  # a second German ferry
    site = make_site(tmp_path / "two", files, config=CONFIG)
    result = run_cli("--site", str(site))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert ("content/articles/de/fischmarkt.md:2: error: translation_key 'ferry': content/articles/de/fischmarkt.md "
            "and content/articles/de/ferry.md are both translations in 'de'") in result.stderr, result.stderr
    assert "content/articles/de/ferry.md:7: error: translation_key 'ferry'" in result.stderr
    assert not (site / "output").exists()

    for languages, message in (("languages: [de, klingon]", "config.yaml:6: error: 'languages.klingon': unknown "
                                                             "language 'klingon'"),
                               ("languages: [de, en-gb]", "config.yaml:6: error: 'languages.en-gb': 'en-gb' is "
                                                          "already the site's own language"),
                               ("languages: {de: {titel: X}}", "config.yaml:6: warning: 'languages.de' has an "
                                                               "unknown setting 'titel'"),
                               ("languages: de", "config.yaml:6: error: 'languages': must be a list")):
        site = make_site(tmp_path / languages.split(":")[1].strip("[ {").replace(",", "").replace(" ", "-")[:20],
                         files={"content/articles/a.md": article("A")},
                         config=CONFIG.split("languages:")[0] + languages + "\n")
        result = run_cli("--site", str(site))
        assert message in result.stderr, result.stderr
        assert "Traceback" not in result.stderr


def test_issue_12_translations_link_in_a_site_of_one_language_too(tmp_path):
    # An article in French on an English site, its translation: hreflang pairs and the
    # switcher, with no /fr/ pages (French is not one of the site's languages).
    files = {"content/articles/budget.md": article("The budget", translation_key="budget"),
             "content/articles/budget-fr.md": article("Le budget", language="fr", translation_key="budget")}
    out = build(tmp_path, files, "title: One\nbase_url: https://example.org/\n")
    assert alternates(text(out, "articles/budget-fr/index.html")) == {
        "en": "https://example.org/articles/budget/", "fr": "https://example.org/articles/budget-fr/",
        "x-default": "https://example.org/articles/budget/"}
    assert not (out / "fr").exists()
    # The French entry of the English feeds says it is French.
    assert [item.get("language") for item in json.loads(text(out, "feed.json"))["items"]] == ["fr", None]
    assert '<entry xml:lang="fr">' in text(out, "feed.xml")
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["archive", "articles", "authors", "sitemaps",
                                                                   "static", "tags"]


def test_issue_12_an_author_profile_speaks_each_language_it_is_translated_into(tmp_path):
    files = harbour_files()
    files["content/authors/ana.de.md"] = "---\nname: Ana Lopes\nrole: Hafenreporterin\n---\nAna berichtet vom Kai.\n"
    files["content/authors/bo.de.md"] = "---\nname: Bo\n---\nNiemand.\n"  # translates no profile
    site = make_site(tmp_path / "site", files, config=CONFIG)
    result = run_cli("--site", str(site))
    assert result.returncode == 0, result.stderr
    assert "content/authors/bo.de.md:1: warning: content/authors/bo.de.md translates no profile" in result.stderr
    out = site / "output"
    german = text(out, "de/authors/ana/index.html")
    assert "Hafenreporterin" in german and "Ana berichtet vom Kai." in german and "Harbour reporter" not in german
    assert "Ana covers the docks." in text(out, "authors/ana/index.html")
    assert "Ana covers the docks." in text(out, "ar/authors/ana/index.html")  # no Arabic profile: the profile
    assert "Ana berichtet vom Kai." in text(out, "de/articles/ferry/index.html")  # the author box
    assert not (out / "authors/bo").exists() and not (out / "de/authors/bo").exists()

    # An edit of the translation rewrites German pages only.
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*.html")}
    (site / "content/authors/ana.de.md").write_text(
        "---\nname: Ana Lopes\nrole: Hafenreporterin\n---\nAna berichtet seit 2019 vom Kai.\n", encoding="utf-8")
    result = run_cli("--site", str(site))
    assert result.returncode == 0, result.stderr
    rewritten = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html") if p.stat().st_mtime_ns != before[p])
    assert "de/authors/ana/index.html" in rewritten and "de/articles/ferry/index.html" in rewritten
    assert all(rel.startswith("de/") for rel in rewritten), rewritten
    assert "seit 2019" in text(out, "de/authors/ana/index.html")
