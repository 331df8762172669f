#!/usr/bin/env python3
"""How long an import of an archive takes: WordPress, Jekyll and Hugo, N posts each.

    python3 benchmarks/imports.py [--posts 1000] [--runs 3] [--work DIR]

Generates the benchmark corpus of N articles (benchmarks/corpus.py; news-sized, 500-1,200
words), writes it out as each system's source (a WXR export whose bodies are the articles
as HTML, with categories, tags and a figure; a Jekyll tree of `_posts/` with Liquid
`highlight` and `post_url`; a Hugo tree of `content/posts/` with TOML front matter and
`ref` and `figure` shortcodes), then times `build.py import …` into an empty site, in a
fresh process each run, and prints the median of the runs. The issue's target: under 10 s
for 1,000 posts.
"""

from __future__ import annotations

import argparse
import html
import shutil
import statistics
import subprocess
import sys
import time
import zlib
from pathlib import Path

import markdown
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import article_paths, generate  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
OLD_SITE = "https://archive.example"


def articles_of(corpus: Path) -> list[tuple[dict, str, str]]:
    """(front matter, body, slug) of each article of the corpus, in date order."""
    found = []
    for path in article_paths(corpus):
        _, head, body = path.read_text(encoding="utf-8").split("---\n", 2)
        found.append((yaml.safe_load(head), body, path.stem))
    return sorted(found, key=lambda a: (str(a[0]["date"]), a[2]))


def day(front: dict) -> str:
    return str(front["date"])[:10]


def write_wordpress(articles: list[tuple[dict, str, str]], path: Path) -> None:
    """A WXR export of the articles: HTML bodies, a category and tags, an image block."""
    items = []
    for n, (front, body, slug) in enumerate(articles):
        tags = front.get("tags") or []
        content = markdown.markdown(body) + (
            f'\n<!-- wp:image -->\n<figure class="wp-block-image"><img src="{OLD_SITE}/wp-content/uploads/2024/'
            f'05/photo-{n}.jpg" alt="Photo {n}"/><figcaption>Caption {n}</figcaption></figure>\n<!-- /wp:image -->')
        terms = "".join(f'<category domain="post_tag" nicename="t{zlib.crc32(t.encode()) % 1000}"><![CDATA[{t}]]></category>'
                        for t in tags[1:])
        items.append(
            f"<item><title>{html.escape(front['title'])}</title><link>{OLD_SITE}/{day(front).replace('-', '/')}/{slug}/</link>"
            f"<dc:creator>{front['authors'][0]}</dc:creator><content:encoded><![CDATA[{content}]]></content:encoded>"
            f"<excerpt:encoded><![CDATA[]]></excerpt:encoded><wp:post_id>{n + 1}</wp:post_id>"
            f"<wp:post_date>{day(front)} 10:00:00</wp:post_date><wp:post_date_gmt>{day(front)} 09:00:00</wp:post_date_gmt>"
            f"<wp:post_name>{slug}</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>"
            f'<category domain="category" nicename="c{n % 12}"><![CDATA[Section {n % 12}]]></category>{terms}</item>')
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:wp="http://wordpress.org/export/1.2/">\n<channel><title>Archive</title>'
        f"<link>{OLD_SITE}</link><wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>{OLD_SITE}</wp:base_site_url>"
        f"<wp:base_blog_url>{OLD_SITE}</wp:base_blog_url>\n" + "\n".join(items) + "\n</channel>\n</rss>\n",
        encoding="utf-8")


def write_jekyll(articles: list[tuple[dict, str, str]], root: Path) -> None:
    """A Jekyll site: `_posts/` with string categories, Liquid highlight and post_url links."""
    (root / "_posts").mkdir(parents=True)
    (root / "_config.yml").write_text(f"url: {OLD_SITE}\npermalink: pretty\ntimezone: Europe/Berlin\n",
                                      encoding="utf-8")
    previous = None
    for n, (front, body, slug) in enumerate(articles):
        name = f"{day(front)}-{slug}"
        head = {"title": front["title"], "author": front["authors"][0], "categories": f"section{n % 12}",
                "tags": front.get("tags") or []}
        extra = "\n\n{% highlight python %}\nprint('hello')\n{% endhighlight %}\n"
        if previous:
            extra += f"\nEarlier: [the story before]({{% post_url {previous} %}}).\n"
        (root / "_posts" / f"{name}.md").write_text(f"---\n{yaml.safe_dump(head, allow_unicode=True)}---\n{body}{extra}",
                                                    encoding="utf-8")
        previous = name


def write_hugo(articles: list[tuple[dict, str, str]], root: Path) -> None:
    """A Hugo site: `content/posts/` with TOML front matter, ref and figure shortcodes."""
    (root / "content" / "posts").mkdir(parents=True)
    (root / "hugo.toml").write_text(f'baseURL = "{OLD_SITE}/"\ntimeZone = "Europe/Berlin"\n'
                                    '[permalinks]\nposts = "/:year/:month/:slug/"\n', encoding="utf-8")
    previous = None
    for n, (front, body, slug) in enumerate(articles):
        tags = ", ".join(f'"{t}"' for t in front.get("tags") or [])
        head = (f'+++\ntitle = "{front["title"]}"\ndate = {day(front)}T10:00:00\nauthor = "{front["authors"][0]}"\n'
                f'categories = ["Section {n % 12}"]\ntags = [{tags}]\n+++\n')
        extra = '\n\n{{< figure src="/images/photo.jpg" alt="A photo" caption="A caption" >}}\n'
        if previous:
            extra += f'\nEarlier: [the story before]({{{{< ref "{previous}.md" >}}}}).\n'
        (root / "content" / "posts" / f"{slug}.md").write_text(head + body + extra, encoding="utf-8")
        previous = slug


def time_import(args: list[str], site: Path) -> float:
    """Seconds of one `build.py import …` into a fresh empty site."""
    if site.exists():
        shutil.rmtree(site)
    (site / "content").mkdir(parents=True)
    (site / "config.yaml").write_text("title: Archive\nbase_url: https://new.example/\n", encoding="utf-8")
    start = time.perf_counter()
    result = subprocess.run([sys.executable, str(REPO / "build.py"), "import", *args, "--site", str(site)],
                            capture_output=True, text=True)
    wall = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"import {' '.join(args)} failed:\n{result.stderr}")
    return wall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path("/tmp/broadsheet-import-bench"))
    options = parser.parse_args(argv)
    work = options.work / str(options.posts)
    corpus = work / "corpus"
    if not (work / "READY").exists():
        shutil.rmtree(work, ignore_errors=True)
        generate(corpus, options.posts, seed=1)
        articles = articles_of(corpus)
        write_wordpress(articles, work / "export.xml")
        write_jekyll(articles, work / "jekyll")
        write_hugo(articles, work / "hugo")
        for images in (work / "jekyll" / "images", work / "hugo" / "static" / "images"):
            shutil.copytree(corpus / "content" / "images", images)
            (images / "photo.jpg").write_bytes(b"\xff\xd8\xff\xd9")
        (work / "READY").touch()
    print(f"| system | posts | import, median of {options.runs} | each run |")
    print("|---|---|---|---|")
    for system, source in (("wordpress", work / "export.xml"), ("jekyll", work / "jekyll"), ("hugo", work / "hugo")):
        runs = [time_import([system, str(source)], work / f"site-{system}") for _ in range(options.runs)]
        print(f"| {system} | {options.posts:,} | {statistics.median(runs):.2f} s | "
              f"{' / '.join(f'{r:.2f}' for r in runs)} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
