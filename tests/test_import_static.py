"""What an import of a static site makes of its front matter, whatever the generator
(broadsheet/importers/staticsite.py): each row of the README's mapping table, proven
through `build.py import` on small Jekyll and Hugo sites written here, and the site that
results built.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from conftest import make_site, run_cli

CONFIG = "title: The Lantern\nbase_url: https://lantern.example/\ntimezone: Europe/London\n"


def old_site(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write an old site's tree: `files` maps paths to text or bytes (no config.yaml of ours)."""
    return make_site(root, files, config=None)


def imported(tmp_path: Path, system: str, files: dict[str, str | bytes], site_files: dict | None = None):
    """Import an old site of `system` into a new site; return the site and the result."""
    old = old_site(tmp_path / "old", files)
    site = make_site(tmp_path / "site", site_files or {}, config=CONFIG)
    return site, run_cli("import", system, str(old), "--site", str(site))


def read(path: Path) -> tuple[dict, str]:
    _, head, body = path.read_text(encoding="utf-8").split("---\n", 2)
    return yaml.safe_load(head), body


def report(site: Path) -> list[tuple[str, int, str]]:
    text = (site / "IMPORT-REPORT.md").read_text(encoding="utf-8")
    return [(m[1], int(m[2]), m[3]) for m in re.finditer(r"^- `([^`]+):(\d+)`: (.*)$", text, re.MULTILINE)]


def post(front: str, body: str = "Text.\n") -> str:
    return f"---\n{front.strip()}\n---\n{body}"


def test_the_front_matter_of_a_jekyll_post_field_by_field(tmp_path):
    site, result = imported(tmp_path, "jekyll", {
        "_config.yml": "url: https://old.example\npermalink: /:year/:month/:title/\n",
        "_data/authors.yml": "ana:\n  name: Ana Ruiz\n  bio: Covers the river.\n  url: https://ana.example\n",
        "_posts/2023-05-09-weir.md": post("""
title: The weir is mended
author: ana
categories: [Rivers, Works]
tags: [weir, Rivers]
excerpt: "The <em>weir</em> holds again."
subtitle: Six weeks of work
last_modified_at: 2023-05-10 08:00:00 +0100
image: /img/weir.png
canonical_url: https://elsewhere.example/weir/
redirect_from: [/weir-story/]
layout: post
mood: cheerful
"""),
        "_posts/2023-05-10-ferry.md": post("title: Ferry\nauthor: \"Tom Barrow, Harbour Correspondent\"\n"
                                           "last_modified_at: 2023-05-01\n"),
        "_posts/2023-05-11-bridge.md": post("title: Bridge\nauthor: Ana Ruiz and Ben Okafor\nmood: calm\n"),
        "img/weir.png": b"\x89PNG\r\n\x1a\n",
    })
    assert result.returncode == 0, result.stderr
    fields, _ = read(site / "content/articles/weir.md")
    assert fields == {
        "title": "The weir is mended", "date": fields["date"], "updated": fields["updated"],
        "summary": "The weir holds again.", "subtitle": "Six weeks of work",
        "canonical_url": "https://elsewhere.example/weir/", "authors": ["ana-ruiz"],
        "tags": ["Rivers", "Works", "weir"], "category": "Rivers",
        "image": {"src": "/img/weir.png", "alt": ""}, "aliases": ["/2023/05/weir/", "/weir-story/"]}
    assert fields["date"].isoformat() == "2023-05-09"  # the file name's, a day
    assert fields["updated"].isoformat() == "2023-05-10T08:00:00+01:00"
    assert (site / "content/img/weir.png").read_bytes() == b"\x89PNG\r\n\x1a\n"
    assert read(site / "content/authors/ana-ruiz.md") == ({"name": "Ana Ruiz", "links": {"website": "https://ana.example"}},
                                                          "\nCovers the river.\n")
    ferry, _ = read(site / "content/articles/ferry.md")
    assert ferry["authors"] == ["tom-barrow"] and "updated" not in ferry  # earlier than its date
    assert read(site / "content/authors/tom-barrow.md")[0] == {"name": "Tom Barrow", "role": "Harbour Correspondent"}
    assert read(site / "content/articles/bridge.md")[0]["authors"] == ["ana-ruiz", "ben-okafor"]
    entries = report(site)
    assert ("content/articles/weir.md", 15, "the image has no alt text — add image.alt: what the picture shows") in entries
    assert any(path == "content/articles/ferry.md" and "read as Tom Barrow, whose role is 'Harbour Correspondent'" in text
               for path, _, text in entries)
    text = (site / "IMPORT-REPORT.md").read_text(encoding="utf-8")
    assert "front matter fields not imported: layout (1), mood (2)" in text
    built = run_cli("--site", str(site))
    assert built.returncode == 0, built.stderr
    assert re.findall(r"warning: .*", built.stderr) == ["warning: the image has no alt text"]  # as the report says


def test_hugo_dates_images_and_aliases(tmp_path):
    site, result = imported(tmp_path, "hugo", {
        "hugo.toml": 'baseURL = "https://old.example/news/"\n',
        "content/posts/vote.md": post("""
title: The vote
date: 2023-01-02T10:00:00Z
publishDate: 2023-01-05T09:00:00Z
lastmod: 2023-01-06T09:00:00Z
expiryDate: 2024-01-01T00:00:00Z
canonicalURL: https://wire.example/vote/
cover: {image: /images/vote.png, alt: Ballot papers, caption: Counting at the hall}
aliases: [/old-vote/, "https://old.example/news/elections/vote/"]
""", "See [the market](/posts/market/) and [all council news](/categories/council/).\n"),
        "content/posts/market.md": post("""
title: Market
date: 2023-02-01
categories: [Council]
images: [/images/market.png]
expiryDate: 2999-01-01
"""),
        "static/images/vote.png": b"\x89PNG\r\n\x1a\n",
        "static/images/market.png": b"\x89PNG\r\n\x1a\n",
    })
    assert result.returncode == 0, result.stderr
    vote, body = read(site / "content/articles/vote.md")
    assert vote["date"].isoformat() == "2023-01-05T09:00:00+00:00"  # publishDate, later than date
    assert vote["draft"] is True  # expired on the old site
    assert vote["canonical_url"] == "https://wire.example/vote/"
    assert vote["image"] == {"src": "/images/vote.png", "alt": "Ballot papers", "caption": "Counting at the hall"}
    assert vote["aliases"] == ["/posts/vote/", "/old-vote/", "/elections/vote/"]
    assert body.strip() == "See [the market](/articles/market/) and [all council news](/tags/council/)."
    market, _ = read(site / "content/articles/market.md")
    assert market["image"] == {"src": "/images/market.png", "alt": ""} and "draft" not in market
    entries = report(site)
    assert ("content/articles/vote.md", 10, "it expired on the old site on 2024-01-01: it is a draft now — delete it, "
            "or make it a draft, when it should go") in entries
    assert any(path == "content/articles/market.md" and "expires on the old site on 2999-01-01; Broadsheet has no "
               "expiry" in text for path, _, text in entries)
    built = run_cli("--site", str(site))
    assert built.returncode == 0, built.stderr
    assert (site / "output/images/vote.png").is_file()
    assert (site / "output/posts/market/index.html").is_file()  # the market's old address
    assert not (site / "output/old-vote").exists()  # a draft's aliases wait for it


def test_a_file_named_that_the_old_site_does_not_have_is_reported(tmp_path):
    site, result = imported(tmp_path, "jekyll", {
        "_posts/2023-05-09-weir.md": post("title: Weir", "Intro.\n\n![Plan](/img/plan.png)\n\n[Feed](/feed.xml)\n"),
    })
    assert result.returncode == 0, result.stderr
    assert ("content/articles/weir.md", 10, "the file /img/plan.png is not in the old site's folders: the link is "
            "broken — copy the file into content/ and link it") in report(site)
    assert not any("/feed.xml" in text for _, _, text in report(site))  # Broadsheet writes its own


def test_a_title_and_slug_of_the_site_are_left_to_it(tmp_path):
    site, result = imported(tmp_path, "jekyll", {"_posts/2023-05-09-weir.md": post("title: The weir")},
                            {"content/articles/2020/weir.md": "---\ntitle: Old weir\ndate: 2020-01-01\n---\nOld.\n"})
    assert result.returncode == 0, result.stderr
    fields, _ = read(site / "content/articles/weir-2.md")
    assert fields["aliases"] == ["/2023/05/09/weir.html"]
    assert ("content/articles/weir-2.md", 1, "the slug 'weir' is taken by content/articles/2020/weir.md: this one is "
            "'weir-2' — rename the file to change its address; the old address still redirects here") in report(site)
    built = run_cli("--site", str(site))
    assert built.returncode == 0 and "error" not in built.stderr, built.stderr


def test_posts_of_one_slug_on_different_days_keep_their_old_addresses(tmp_path):
    """A date-based permalink lets several posts share a slug; Broadsheet's articles need
    one each: the second gets -2, and each old address still leads to its own post."""
    site, result = imported(tmp_path, "jekyll", {
        "_config.yml": "permalink: /:year/:month/:day/:title/\n",
        "_posts/2016-01-04-weekly-notes.md": post("title: Weekly notes, January"),
        "_posts/2016-02-01-weekly-notes.md": post("title: Weekly notes, February"),
        "_posts/2016-03-07-weekly-notes.md": post("title: Weekly notes, March"),
    })
    assert result.returncode == 0, result.stderr
    built = run_cli("--site", str(site))
    assert built.returncode == 0 and "error" not in built.stderr, built.stderr
    for old, title in (("2016/01/04", "January"), ("2016/02/01", "February"), ("2016/03/07", "March")):
        redirect = (site / "output" / old / "weekly-notes/index.html").read_text(encoding="utf-8")
        target = re.search(r'<link rel="canonical" href="https://lantern\.example(/[^"]*)"', redirect)[1]
        page = (site / "output" / target.strip("/") / "index.html").read_text(encoding="utf-8")
        assert f"Weekly notes, {title}" in page


def test_a_folder_that_is_not_there_or_is_a_file(tmp_path):
    site = make_site(tmp_path / "site", {}, config=CONFIG)
    for system in ("jekyll", "hugo"):
        missing = run_cli("import", system, str(tmp_path / "nowhere"), "--site", str(site))
        assert missing.returncode == 2 and "does not exist" in missing.stderr and "Traceback" not in missing.stderr
        a_file = run_cli("import", system, str(site / "config.yaml"), "--site", str(site))
        assert a_file.returncode == 2 and "config.yaml is not a folder" in a_file.stderr
    assert [p.name for p in site.iterdir()] == ["config.yaml"]
