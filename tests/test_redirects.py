"""Old addresses keep working (issue 13, Deliver 3), and the build helps with archives
brought from another generator (Deliver 5): `aliases:` become redirect pages and the
redirect files of Netlify, Apache and nginx; `.markdown` files are Markdown; a post the
build would copy raw, and another generator's template markup, are warned about."""

from __future__ import annotations

import re

from conftest import article, make_site, run_cli
from test_pages import check_links

CONFIG = "title: The Harbour Light\nbase_url: https://example.org/news/\n"


def build(site, *args):
    result = run_cli("--site", str(site), *args)
    assert "Traceback" not in result.stderr
    return result


def test_issue_13_each_alias_is_a_redirect_page_and_a_line_of_each_hosts_redirect_file(tmp_path):
    site = make_site(tmp_path / "site", {
        "content/articles/ferry.md": article("The night ferry returns", aliases=(
            "[/2016/08/24/night-ferry/, /ferry.html, /old-ferry, https://example.org/news/p/17/]")),
        "content/pages/about.md": "---\ntitle: About\naliases: [/about-us/]\n---\nWho we are.\n",
    }, config=CONFIG)
    result = build(site, "--strict")
    assert result.returncode == 0, result.stderr
    out = site / "output"
    for old in ("2016/08/24/night-ferry/index.html", "ferry.html", "old-ferry/index.html", "p/17/index.html"):
        page = (out / old).read_text(encoding="utf-8")
        assert '<link rel="canonical" href="https://example.org/news/articles/ferry/">' in page, old
        assert '<meta name="robots" content="noindex">' in page
        assert '<meta http-equiv="refresh" content="0; url=/news/articles/ferry/">' in page
        assert 'This page has moved to <a href="/news/articles/ferry/">' in page
    assert "/news/about/" in (out / "about-us/index.html").read_text(encoding="utf-8")
    netlify = (out / "_redirects").read_text(encoding="utf-8").splitlines()
    assert "/news/2016/08/24/night-ferry/ /news/articles/ferry/ 301" in netlify
    assert "/news/2016/08/24/night-ferry /news/articles/ferry/ 301" in netlify
    assert "/news/ferry.html /news/articles/ferry/ 301" in netlify
    assert "/news/about-us/ /news/about/ 301" in netlify
    apache = (out / ".htaccess").read_text(encoding="utf-8")
    assert 'RedirectMatch 301 "^/news/ferry\\.html$" /news/articles/ferry/' in apache
    nginx = (out / "nginx-redirects.conf").read_text(encoding="utf-8")
    assert 'location = "/news/old-ferry/" { return 301 "/news/articles/ferry/"; }' in nginx
    # Every alias of every file: 4 aliases of the article (each with and without its
    # slash but the .html), 1 of the page.
    assert len([line for line in netlify if not line.startswith("#")]) == 3 * 2 + 1 + 2
    # Redirect pages stay out of the sitemaps; every link of the site resolves.
    assert "night-ferry" not in "".join(p.read_text() for p in (out / "sitemaps").iterdir())
    assert check_links(out, "https://example.org/news/") == ([], [])


def test_issue_13_a_site_without_aliases_has_no_redirect_files(tmp_path):
    site = make_site(tmp_path / "site", {"content/articles/a.md": article("A")}, config=CONFIG)
    assert build(site).returncode == 0
    assert not (site / "output/_redirects").exists() and not (site / "output/.htaccess").exists()


def test_issue_13_an_alias_taking_a_pages_address_or_anothers_alias_is_an_error_naming_both(tmp_path):
    site = make_site(tmp_path / "site", {
        "content/articles/ferry.md": article("Ferry", aliases="[/archive/, /old/]"),
        "content/articles/crane.md": article("Crane", "2026-03-02 09:00", aliases="[/old/]"),
    }, config=CONFIG)
    result = build(site)
    assert result.returncode == 1
    assert "'archive/index.html' would be written by the archive and content/articles/ferry.md (its alias /archive/)" \
        in result.stderr, result.stderr
    assert re.search(r"'old/index.html' would be written by content/articles/\w+\.md \(its alias /old/\) and "
                     r"content/articles/\w+\.md \(its alias /old/\)", result.stderr), result.stderr
    assert not (site / "output").exists()


def test_issue_13_an_alias_that_is_no_path_of_the_site_is_an_error_at_its_line(tmp_path):
    for alias, message in (("../../etc/passwd", "is not a path of the site"),
                           ("/a/../../b/", "leaves the site or is not a plain path"),
                           ("/?p=123", "has a query or fragment"),
                           ("https://elsewhere.example/x/", "is not a path of the site")):
        site = make_site(tmp_path / re.sub(r"\W", "", alias)[:12], {
            "content/articles/a.md": article("A", aliases=f"['{alias}']")}, config=CONFIG)
        result = build(site)
        assert result.returncode == 1, alias
        assert f"content/articles/a.md:4: error: 'aliases': '{alias}' {message}" in result.stderr, result.stderr


def test_issue_13_an_alias_added_or_removed_rewrites_its_redirect_and_the_files(tmp_path):
    site = make_site(tmp_path / "site", {"content/articles/a.md": article("A")}, config=CONFIG)
    assert build(site).returncode == 0
    (site / "content/articles/a.md").write_text(article("A", aliases="[/old-a/]"), encoding="utf-8")
    assert build(site).returncode == 0
    assert (site / "output/old-a/index.html").is_file() and (site / "output/_redirects").is_file()
    (site / "content/articles/a.md").write_text(article("A"), encoding="utf-8")
    assert build(site).returncode == 0
    assert not (site / "output/old-a").exists() and not (site / "output/_redirects").exists()


def test_issue_13_markdown_and_mdown_files_are_articles(tmp_path):
    site = make_site(tmp_path / "site", {
        "content/articles/2016-08-24-jekyll-post.markdown": article("From Jekyll", slug="jekyll-post"),
        "content/articles/other.mdown": article("Other", "2026-03-02 09:00", body="See [the post](2016-08-24-jekyll-post.markdown).\n"),
    }, config=CONFIG)
    result = build(site, "--strict")
    assert result.returncode == 0, result.stderr
    out = site / "output"
    assert (out / "articles/jekyll-post/index.html").is_file() and (out / "articles/other/index.html").is_file()
    assert 'href="/news/articles/jekyll-post/"' in (out / "articles/other/index.html").read_text(encoding="utf-8")
    assert not list(out.rglob("*.markdown")) and not list(out.rglob("*.mdown"))


def test_issue_13_a_post_the_build_would_copy_raw_is_a_warning_and_an_error_under_strict(tmp_path):
    site = make_site(tmp_path / "site", {
        "content/articles/a.md": article("A"),
        "content/articles/legacy/launch.html": "---\ntitle: Launch\n---\n<p>We launched.</p>\n",
        "content/articles/notes.txt": "+++\ntitle = 'Hugo'\n+++\nText.\n",
        "content/articles/table.html": "<table><tr><td>1</td></tr></table>\n",  # no front matter: an asset
    }, config=CONFIG)
    result = build(site)
    assert result.returncode == 0
    assert "content/articles/legacy/launch.html:1: warning: this looks like a post (it starts with front matter) " \
           "but is not Markdown" in result.stderr, result.stderr
    assert "content/articles/notes.txt:1: warning: this looks like a post" in result.stderr
    assert "table.html" not in result.stderr
    result = build(site, "--strict")
    assert result.returncode == 1
    assert "content/articles/legacy/launch.html:1: error: this looks like a post" in result.stderr


def test_issue_13_another_generators_template_markup_is_a_warning_at_its_line_outside_code(tmp_path):
    body = ("First paragraph.\n\nSee {{ site.repository }} for more.\n\n{% highlight ruby %}\nputs 1\n"
            "{% endhighlight %}\n\n{{< youtube abc >}}\n\n```\n{% raw %} is fine in a code block\n```\n\n"
            "And `{{< inline code >}}` too.\n")
    site = make_site(tmp_path / "site", {"content/articles/a.md": article("A", body=body)}, config=CONFIG)
    result = build(site)
    assert result.returncode == 0, result.stderr
    warned = re.findall(r"content/articles/a\.md:(\d+): warning: a (Liquid variable|Liquid tag|Hugo shortcode) "
                        r"\(([^)]*)…\)", result.stderr)
    assert warned == [("7", "Liquid variable", "{{ site."), ("9", "Liquid tag", "{% highlight"),
                      ("13", "Hugo shortcode", "{{<")], result.stderr


def test_issue_13_an_article_and_a_page_of_one_slug_keep_their_own_aliases(tmp_path):
    site = make_site(tmp_path / "site", {
        "content/articles/about.md": article("About the ferry", aliases="[/old-article/]"),
        "content/pages/about.md": "---\ntitle: About\naliases: [/old-page/]\n---\nWho we are.\n",
    }, config=CONFIG)
    assert build(site).returncode == 0
    out = site / "output"
    assert "url=/news/articles/about/" in (out / "old-article/index.html").read_text(encoding="utf-8")
    assert "url=/news/about/" in (out / "old-page/index.html").read_text(encoding="utf-8")
