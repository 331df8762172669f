"""Incremental builds are proven equal to clean builds.

The law: after any sequence of changes to a site, a rebuild that uses the build cache
(same site folder, same output folder) leaves the output folder byte-identical to a
clean build of the same site into a fresh folder, file list included; and it writes
exactly the files whose bytes changed (unchanged files keep their mtime) and removes
exactly the files the site no longer has.

`IncrementalMachine` is a hypothesis state machine that applies random sequences of
edits to a real temp site (add, edit body or summary, links to files that come and go,
retitle, redate, retag with case variants, change authors, toggle draft, delete, rename
or move a file, author profiles, the page, layout templates and static files,
config.yaml, images) and checks the law after every step. `PreviewMachine` does the same
for preview builds (drafts and scheduled articles shown), `SessionMachine` for the live
preview's in-memory session. BROADSHEET_HYPOTHESIS_EXAMPLES sets how many sequences
the first runs (default 12; the two others run a fifth of that, at least 3).

The deterministic tests below pin down how little a rebuild does for common edits, and
that a damaged cache or a killed build's leftovers never leak into the output.
"""

from __future__ import annotations

import difflib
import json
import os
import posixpath
import shutil
import sqlite3
import tempfile
import time
import zlib
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule

from broadsheet import pipeline, render
from broadsheet.cache import CACHE_DIR, FORMAT, MAGIC, Cache
from broadsheet.load import RACY_NS
from broadsheet.output import STAGING
from broadsheet.pipeline import BuildOptions, BuildResult, build
from broadsheet.templates import THEME_DIR
from conftest import article, make_site, snapshot

MARKER = ".broadsheet-output"
EXAMPLES = int(os.environ.get("BROADSHEET_HYPOTHESIS_EXAMPLES", "12"))


# Comparing output folders --------------------------------------------------

def assert_same_output(incremental: dict[str, bytes], clean: dict[str, bytes], context: str = "") -> None:
    """Fail with the missing and extra files and a diff of the first differing file."""
    if incremental == clean:
        return
    lines = [f"incremental build differs from a clean build{': ' + context if context else ''}"]
    missing = sorted(set(clean) - set(incremental))
    extra = sorted(set(incremental) - set(clean))
    differing = sorted(p for p in set(clean) & set(incremental) if clean[p] != incremental[p])
    if missing:
        lines.append(f"missing from the incremental output ({len(missing)}): {missing[:20]}")
    if extra:
        lines.append(f"only in the incremental output ({len(extra)}): {extra[:20]}")
    if differing:
        lines.append(f"differing files ({len(differing)}): {differing[:20]}")
        first = differing[0]
        diff = difflib.unified_diff(clean[first].decode("utf-8", "replace").splitlines(),
                                    incremental[first].decode("utf-8", "replace").splitlines(),
                                    f"clean/{first}", f"incremental/{first}", lineterm="", n=2)
        shown = list(diff)
        lines += shown[:60]
        if len(shown) > 60:
            lines.append(f"... ({len(shown) - 60} more diff lines)")
    raise AssertionError("\n".join(lines))


def assert_writes_exactly_changes(before: dict[str, bytes], after: dict[str, bytes], result: BuildResult,
                                  touched: set[str] = frozenset()) -> None:
    """The report names exactly the files whose bytes changed, and the files removed.

    `touched` are content files rewritten with the same bytes: a copied file is compared
    by size and mtime (as rsync does), so those may be copied again.
    """
    changed = {p for p in after if p != MARKER and before.get(p) != after[p]}
    gone = set(before) - set(after)
    report = result.report
    assert changed <= set(report.written) <= changed | touched, (
        f"written but unchanged: {sorted(set(report.written) - changed)[:10]}; "
        f"changed but not reported: {sorted(changed - set(report.written))[:10]}")
    assert len(report.written) == len(set(report.written)), f"a file was written twice: {report.written}"
    assert set(report.removed) == gone, f"removed {report.removed}, expected {sorted(gone)}"


def clean_build(site: Path, out: Path, **options) -> BuildResult:
    """Build `site` from nothing into a fresh `out`."""
    shutil.rmtree(out, ignore_errors=True)
    return build(site, BuildOptions(out_dir=out, clean=True, jobs=1, **options))


def rebuild(site: Path, out: Path, **options) -> BuildResult:
    """Build `site` into `out` with the cache of the previous build."""
    return build(site, BuildOptions(out_dir=out, jobs=1, **options))


# The site model --------------------------------------------------------------
#
# The machine keeps a model of the site and writes every file whole from it. Every site
# it generates is valid (no build errors): file stems and slugs come from one counter
# (so slugs never clash), every YAML value is written as JSON (so it is always a quoted
# string, list or mapping), and templates are theme files with a harmless variation.

WORDS = ["Council", "budget", '"Quoted"', "&", "River's", "<Jazz>", "Q&A", "Café", "bridge", "Flood"]
DATES = ["2024-03-01 09:00", "2024-03-01 09:00", "2024-02-29 18:30", "2023-12-31 23:30", "2024-01-15",
         "2022-07-04 12:00", "2099-01-01 08:00"]
"""Identical dates make tie-breaks matter; 23:30 UTC is the next day and year in Berlin;
three years and several months make archive pages and sitemap files by year come and go
(issue 11); 2099 is scheduled (not built)."""
TAGS = ["Politics", "politics", "Middle East", "middle east", "Middle-East", "Arts & Culture", "Sport", "R&D"]
AUTHOR_REFS = ["ana-ruiz", "Ana Ruiz", "bo-chen", "Bo Chen", "cy-dunn", "Dee Eve"]
"""Profile ids, profile names, and a name with no profile (a generated author page)."""
PROFILE_NAMES = {"ana-ruiz": ["Ana Ruiz", "Ana Ruiz-López"], "bo-chen": ["Bo Chen", "Robert \"Bo\" Chen"],
                 "cy-dunn": ["Cy Dunn", "Cyrus Dunn"]}
IMAGES = ["/images/pic1.svg", "../images/pic2.svg", "/images/pic2.svg"]
SITE_LINKS = ["../pages/about.md", "/tags/sport/", "/authors/cy-dunn/", "/about/", "/images/pic1.svg"]
"""Links to what comes and goes: a page, a tag, a generated author, an image."""
FOLDERS = ["", "2024/"]

titles = st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join)
words = st.sampled_from(["river", "mill", "vote", "rain", "Rates", "&", "quay"])
paragraphs = st.lists(words, min_size=1, max_size=6).map(lambda ws: " ".join(ws).capitalize() + ".")
tag_lists = st.lists(st.sampled_from(TAGS), max_size=3)
author_lists = st.lists(st.sampled_from(AUTHOR_REFS), max_size=2)
images = st.none() | st.sampled_from(IMAGES)


@dataclass
class Art:
    title: str
    date: str
    tags: list[str]
    authors: list[str]
    paras: list[str]
    draft: bool = False
    summary: str | None = None
    subtitle: str | None = None
    image: str | None = None
    updated: str | None = None
    slug: str | None = None
    link: str | None = None
    """A link written in the last paragraph: to another file (relative) or a site path."""
    body_image: str | None = None
    language: str | None = None
    translation_key: str | None = None
    aliases: list[str] | None = None

    def text(self) -> str:
        meta = {"title": self.title, "date": self.date}
        if self.updated:
            meta["updated"] = self.updated
        if self.tags:
            meta["tags"] = self.tags
        if self.authors:
            meta["authors"] = self.authors
        for key in ("summary", "subtitle", "slug", "language", "translation_key", "aliases"):
            if getattr(self, key):
                meta[key] = getattr(self, key)
        if self.image:
            meta["image"] = {"src": self.image, "alt": "A picture"}
        lines = ["---"] + [f"{key}: {json.dumps(value)}" for key, value in meta.items()]
        if self.draft:
            lines.append("draft: true")
        paras = list(self.paras)
        if self.link:
            paras.append(f"See [the other story]({self.link}).")
        if self.body_image:
            paras.append(f"![A picture]({self.body_image})")
        return "\n".join(lines + ["---", "\n\n".join(paras), ""])


@dataclass
class Profile:
    name: str
    role: str | None = None
    avatar: str | None = None
    bio: str = "Writes about the river."

    def text(self) -> str:
        lines = ["---", f"name: {json.dumps(self.name)}"]
        if self.role:
            lines.append(f"role: {json.dumps(self.role)}")
        if self.avatar:
            lines.append(f"avatar: {json.dumps(self.avatar)}")
        return "\n".join(lines + ["---", self.bio, ""])


@dataclass
class Config:
    title: str = "Test Gazette"
    paginate: int = 2
    timezone: str = "UTC"
    permalink: str = "/{year}/{month}/{slug}/"
    tagline: str | None = None
    language: str = "en"
    languages: tuple[str, ...] = ()
    """The site's other languages (those of them that are not `language`)."""

    def text(self) -> str:
        values = {"title": self.title, "base_url": "https://example.org/news/", "timezone": self.timezone,
                  "paginate": self.paginate, "permalink": self.permalink, "language": self.language}
        if self.tagline:
            values["tagline"] = self.tagline
        if [code for code in self.languages if code != self.language]:
            values["languages"] = [code for code in self.languages if code != self.language]
        return "".join(f"{key}: {json.dumps(value)}\n" for key, value in values.items())


def write_or_remove(target: Path, text: str | None) -> bool:
    """Write `text` to `target`, or remove it when `text` is None; False when there was nothing to remove."""
    if text is None:
        if not target.exists():
            return False
        target.unlink()
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return True


def theme_text(name: str) -> str:
    return (THEME_DIR / name).read_text(encoding="utf-8")


def template_variant(name: str, version: int) -> str:
    """A valid variation of a theme template that shows `version` in its output."""
    edits = {
        "partials/card.html": ('<div class="card__body">', f'<div class="card__body v{version}">'),
        "partials/author_box.html": ('<div class="author-box__text">', f'<div class="author-box__text v{version}">'),
        "partials/byline.html": ('<span class="byline">', f'<span class="byline v{version}">'),
        "tag.html": ('<p class="kicker">{{ t("topic") }}</p>', f'<p class="kicker">{{{{ t("topic") }}}} {version}</p>'),
        "feeds/atom.xml": ("<generator ", f"<!-- v{version} -->\n  <generator "),
    }
    if name == "partials/head_extra.html":
        return f'<meta name="test-version" content="{version}">\n'
    old, new = edits[name]
    text = theme_text(name)
    assert old in text, f"the theme's {name} changed: update template_variant"
    return text.replace(old, new, 1)


TEMPLATES = ["partials/card.html", "partials/author_box.html", "partials/byline.html", "tag.html",
             "feeds/atom.xml", "partials/head_extra.html"]


class IncrementalMachine(RuleBasedStateMachine):
    """A temp site, its incremental output folder, and a fresh folder per clean build."""

    OPTIONS: dict = {}
    """Build options of both builds (the cache is per options)."""

    def __init__(self):
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="broadsheet-incr-"))
        self.site = self.root / "site"
        self.out = self.root / "out"
        self.ref = self.root / "ref"
        self.articles: dict[str, Art] = {}
        """Path under content/articles → article."""
        self.profiles: dict[str, Profile] = {}
        self.config = Config()
        self.counter = 0
        self.about: str | None = "About this paper.\n"
        """The text of content/pages/about.md, None when there is no such page."""
        self.about_draft = False
        self.german_profile: Profile | None = None
        """Ana Ruiz's profile in German (content/authors/ana-ruiz.de.md), written while German
        is one of the site's other languages."""
        self.steps: list[str] = []

    def teardown(self):
        shutil.rmtree(self.root, ignore_errors=True)

    # Writing the model to disk ------------------------------------------------

    def new_path(self, folder: str = "") -> str:
        self.counter += 1
        return f"{folder}s{self.counter}.md"

    def write_article(self, path: str) -> None:
        target = self.site / "content" / "articles" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(self.articles[path].text(), encoding="utf-8")

    def write_profile(self, author_id: str) -> None:
        target = self.site / "content" / "authors" / f"{author_id}.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(self.profiles[author_id].text(), encoding="utf-8")

    def write_config(self) -> None:
        (self.site / "config.yaml").write_text(self.config.text(), encoding="utf-8")
        self.write_german_profile()

    def write_german_profile(self) -> None:
        german = "de" in self.config.languages and self.config.language != "de"
        text = self.german_profile.text() if self.german_profile and german else None
        write_or_remove(self.site / "content" / "authors" / "ana-ruiz.de.md", text)

    def write_about(self) -> None:
        target = self.site / "content" / "pages" / "about.md"
        if self.about is None:
            target.unlink(missing_ok=True)
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        draft = "draft: true\n" if self.about_draft else ""
        target.write_text(f"---\ntitle: \"About\"\n{draft}---\n{self.about}", encoding="utf-8")

    def write_image(self, name: str, version: int) -> None:
        target = self.site / "content" / "images" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f"<svg xmlns='http://www.w3.org/2000/svg'><!-- {version} {'x' * version} --></svg>\n")

    def link_to(self, source: str, target: str) -> str:
        """The relative link from one article file to another file under content/ (a path
        under content/articles, or `../pages/x.md`), as an author writes it."""
        return posixpath.relpath(posixpath.normpath(posixpath.join("articles", target)),
                                 posixpath.dirname(posixpath.join("articles", source)))

    # The law ------------------------------------------------------------------

    def incremental(self) -> BuildResult:
        return rebuild(self.site, self.out, **self.OPTIONS)

    def keep_translations_apart(self) -> None:
        """Take the translation_key off an article that shares it with one of the same
        language (an error the build reports, tested elsewhere), as an editor would."""
        seen: set[tuple[str, str]] = set()
        for path, art in sorted(self.articles.items()):
            if art.translation_key:
                key = (art.translation_key, art.language or self.config.language)
                if key in seen:
                    art.translation_key = None
                    self.write_article(path)
                seen.add(key)

    def check(self, step: str, touched: set[str] = frozenset()) -> BuildResult:
        self.keep_translations_apart()
        self.steps.append(step)
        before = snapshot(self.out) if self.out.exists() else {}
        result = self.incremental()
        after = snapshot(self.out)
        clean = clean_build(self.site, self.ref, **self.OPTIONS)
        context = " → ".join(self.steps)
        assert_same_output(after, snapshot(self.ref), context)
        assert_writes_exactly_changes(before, after, result, touched)
        assert [p.format() for p in result.warnings] == [p.format() for p in clean.warnings], context
        return result

    # Steps --------------------------------------------------------------------

    @initialize(arts=st.lists(st.tuples(titles, st.sampled_from(DATES), tag_lists, author_lists, paragraphs,
                                        st.sampled_from(FOLDERS)), min_size=3, max_size=4))
    def start(self, arts):
        self.profiles = {"ana-ruiz": Profile("Ana Ruiz", role="Editor", avatar="/images/pic1.svg"),
                         "bo-chen": Profile("Bo Chen")}
        for author_id in self.profiles:
            self.write_profile(author_id)
        for title, date, tags, authors, para, folder in arts:
            path = self.new_path(folder)
            self.articles[path] = Art(title, date, tags, authors, [para, "Second paragraph here."])
            self.write_article(path)
        self.write_image("pic1.svg", 1)
        self.write_config()
        self.write_about()
        self.check("start")

    @rule(art=st.tuples(titles, st.sampled_from(DATES), tag_lists, author_lists, paragraphs, images,
                        st.sampled_from(FOLDERS)), data=st.data())
    def add_article(self, art, data):
        title, date, tags, authors, para, image, folder = art
        path = self.new_path(folder)
        link = None
        if self.articles and data.draw(st.booleans(), label="link"):
            link = self.link_to(path, data.draw(st.sampled_from(sorted(self.articles)), label="link to"))
        self.articles[path] = Art(title, date, tags, authors, [para, "More words."], image=image, link=link)
        self.write_article(path)
        self.check(f"add {path}")

    @precondition(lambda self: self.articles)
    @rule(data=st.data(), where=st.sampled_from(["first", "later", "link", "unlink", "summary", "body-image"]),
          para=paragraphs)
    def edit_body(self, data, where, para):
        path = data.draw(st.sampled_from(sorted(self.articles)), label="article")
        art = self.articles[path]
        if where == "first":
            art.paras[0] = para
        elif where == "later":
            art.paras[-1] = para if len(art.paras) > 1 else art.paras[-1] + " " + para
            if len(art.paras) == 1:
                art.paras.append(para)
        elif where == "link":
            target = data.draw(st.sampled_from(sorted(self.articles) + SITE_LINKS), label="link to")
            art.link = target if target.startswith("/") else self.link_to(path, target)
        elif where == "unlink":
            art.link = None
        elif where == "summary":
            art.summary = data.draw(st.none() | titles, label="summary")
            art.subtitle = data.draw(st.none() | titles, label="subtitle")
        else:
            art.body_image = data.draw(st.none() | st.sampled_from(IMAGES), label="body image")
        self.write_article(path)
        self.check(f"edit {where} of {path}")

    @precondition(lambda self: self.articles)
    @rule(data=st.data(), title=titles)
    def retitle(self, data, title):
        path = data.draw(st.sampled_from(sorted(self.articles)), label="article")
        self.articles[path].title = title
        self.write_article(path)
        self.check(f"retitle {path} {title!r}")

    @precondition(lambda self: self.articles)
    @rule(data=st.data(), date=st.sampled_from(DATES), updated=st.none() | st.sampled_from(DATES[:3]))
    def redate(self, data, date, updated):
        path = data.draw(st.sampled_from(sorted(self.articles)), label="article")
        self.articles[path].date = date
        self.articles[path].updated = updated
        self.write_article(path)
        self.check(f"redate {path} {date} (updated {updated})")

    @precondition(lambda self: self.articles)
    @rule(data=st.data(), tags=tag_lists)
    def retag(self, data, tags):
        path = data.draw(st.sampled_from(sorted(self.articles)), label="article")
        self.articles[path].tags = tags
        self.write_article(path)
        self.check(f"retag {path} {tags}")

    @precondition(lambda self: self.articles)
    @rule(data=st.data(), authors=author_lists)
    def change_authors(self, data, authors):
        path = data.draw(st.sampled_from(sorted(self.articles)), label="article")
        self.articles[path].authors = authors
        self.write_article(path)
        self.check(f"authors of {path} {authors}")

    @precondition(lambda self: self.articles)
    @rule(data=st.data())
    def toggle_draft(self, data):
        path = data.draw(st.sampled_from(sorted(self.articles)), label="article")
        self.articles[path].draft = not self.articles[path].draft
        self.write_article(path)
        self.check(f"draft {path} {self.articles[path].draft}")

    @precondition(lambda self: self.articles)
    @rule(data=st.data(), image=images)
    def change_image(self, data, image):
        path = data.draw(st.sampled_from(sorted(self.articles)), label="article")
        self.articles[path].image = image
        self.write_article(path)
        self.check(f"image of {path} {image}")

    @precondition(lambda self: self.articles)
    @rule(data=st.data())
    def delete_article(self, data):
        path = data.draw(st.sampled_from(sorted(self.articles)), label="article")
        del self.articles[path]
        (self.site / "content" / "articles" / path).unlink()
        self.check(f"delete {path}")

    @precondition(lambda self: self.articles)
    @rule(data=st.data(), folder=st.sampled_from(FOLDERS), keep_slug=st.booleans())
    def rename_article(self, data, folder, keep_slug):
        """Rename (or move) a file: the slug changes, unless a `slug:` field keeps it."""
        path = data.draw(st.sampled_from(sorted(self.articles)), label="article")
        art = self.articles.pop(path)
        (self.site / "content" / "articles" / path).unlink()
        if keep_slug and art.slug is None:
            art.slug = posixpath.basename(path)[:-3]
        elif not keep_slug:
            art.slug = None
        new = self.new_path(folder)
        self.articles[new] = art
        self.write_article(new)
        self.check(f"rename {path} → {new}{' (slug kept)' if art.slug else ''}")

    @rule(author_id=st.sampled_from(sorted(PROFILE_NAMES)), data=st.data())
    def add_or_remove_profile(self, author_id, data):
        if author_id in self.profiles:
            del self.profiles[author_id]
            (self.site / "content" / "authors" / f"{author_id}.md").unlink()
            self.check(f"remove profile {author_id}")
        else:
            self.profiles[author_id] = Profile(data.draw(st.sampled_from(PROFILE_NAMES[author_id]), label="name"))
            self.write_profile(author_id)
            self.check(f"add profile {author_id}")

    @precondition(lambda self: self.profiles)
    @rule(data=st.data(), what=st.sampled_from(["name", "role", "avatar", "bio"]))
    def edit_profile(self, data, what):
        author_id = data.draw(st.sampled_from(sorted(self.profiles)), label="profile")
        profile = self.profiles[author_id]
        if what == "name":
            profile.name = data.draw(st.sampled_from(PROFILE_NAMES[author_id]), label="name")
        elif what == "role":
            profile.role = data.draw(st.sampled_from([None, "Editor", "Sports & Culture"]), label="role")
        elif what == "avatar":
            profile.avatar = data.draw(st.sampled_from([None, "/images/pic1.svg", "../images/pic2.svg"]),
                                       label="avatar")
        else:
            profile.bio = data.draw(paragraphs, label="bio")
            if self.articles and data.draw(st.booleans(), label="bio link"):
                target = data.draw(st.sampled_from(sorted(self.articles)), label="to")
                profile.bio += f" Her [best story](../articles/{target})."
        self.write_profile(author_id)
        self.check(f"profile {author_id} {what}")

    @rule(profile=st.none() | st.builds(Profile, st.sampled_from(["Ana Ruiz", "Ana Ruíz"]),
                                         st.none() | st.just("Redakteurin"), st.none(), paragraphs))
    def translate_profile(self, profile):
        self.german_profile = profile
        self.write_german_profile()
        self.check(f"German profile {profile}")

    @rule(name=st.sampled_from(TEMPLATES), version=st.none() | st.integers(1, 3))
    def edit_template(self, name, version):
        if write_or_remove(self.site / "layouts" / name, template_variant(name, version) if version else None):
            self.check(f"template {name} v{version}")

    @precondition(lambda self: self.articles)
    @rule(data=st.data(), language=st.sampled_from([None, "de", "ar", "en"]))
    def change_language(self, data, language):
        path = data.draw(st.sampled_from(sorted(self.articles)), label="article")
        self.articles[path].language = language
        self.write_article(path)
        self.check(f"language of {path} {language}")

    @precondition(lambda self: len(self.articles) > 1)
    @rule(data=st.data(), key=st.none() | st.sampled_from(["k1", "k2"]))
    def translate(self, data, key):
        # Two articles become translations of each other (in other languages), or one is no longer one.
        path = data.draw(st.sampled_from(sorted(self.articles)), label="article")
        self.articles[path].translation_key = key
        if key:
            other = data.draw(st.sampled_from(sorted(set(self.articles) - {path})), label="translation")
            self.articles[other].translation_key = key
            self.articles[other].language = data.draw(st.sampled_from(["de", "ar"]), label="its language")
            self.write_article(other)
        self.write_article(path)
        self.check(f"translation {key} of {path}")

    @precondition(lambda self: self.articles)
    @rule(data=st.data(), shape=st.sampled_from([None, "/old/{}/", "/old/{}.html", "/{}"]))
    def give_alias(self, data, shape):
        # An old address of the article (its file's stem keeps it apart from the others').
        path = data.draw(st.sampled_from(sorted(self.articles)), label="article")
        stem = path.rsplit("/", 1)[-1][:-3]
        self.articles[path].aliases = [shape.format(stem)] if shape else None
        self.write_article(path)
        self.check(f"alias {shape} of {path}")

    @rule(language=st.sampled_from(["en", "de"]), text=st.none() | st.sampled_from(["Latest", "Neu & frisch"]))
    def edit_messages(self, language, text):
        catalogue = f"latest_stories: {json.dumps(text)}\nreading_time: {{other: '{text} {{count}}'}}\n"
        if write_or_remove(self.site / "layouts" / "i18n" / f"{language}.yaml", catalogue if text else None):
            self.check(f"messages {language}: {text!r}")

    @rule(what=st.sampled_from(["title", "paginate", "timezone", "permalink", "tagline", "language", "languages"]),
          data=st.data())
    def edit_config(self, what, data):
        choices = {"title": ["Test Gazette", 'The "Daily" & Co'], "paginate": [1, 2, 3],
                   "timezone": ["UTC", "Europe/Berlin"], "permalink": ["/{year}/{month}/{slug}/", "/articles/{slug}/"],
                   "tagline": [None, "News & views"], "language": ["en", "de", "ar"],
                   "languages": [(), ("de",), ("de", "ar")]}[what]
        self.config = replace(self.config, **{what: data.draw(st.sampled_from(choices), label=what)})
        self.write_config()
        self.check(f"config {what}={getattr(self.config, what)!r}")

    @rule(name=st.sampled_from(["pic1.svg", "pic2.svg"]), version=st.none() | st.integers(1, 3))
    def edit_image(self, name, version):
        target = self.site / "content" / "images" / name
        if version is None:
            if not target.exists():
                return
            target.unlink()
        else:
            self.write_image(name, version)
        self.check(f"image file {name} v{version}", touched={f"images/{name}"})

    @rule(data=st.data(), what=st.sampled_from(["text", "draft", "delete"]))
    def edit_page(self, data, what):
        if what == "delete":
            self.about = None if self.about is not None else "About us, again.\n"
        elif what == "draft":
            self.about_draft = not self.about_draft
        else:
            link = ""
            if self.articles and data.draw(st.booleans(), label="link"):
                link = f" Read [this](../articles/{data.draw(st.sampled_from(sorted(self.articles)), label='to')})."
            self.about = data.draw(paragraphs, label="about") + link + "\n"
        self.write_about()
        self.check(f"about page: {what}")

    @rule(name=st.sampled_from(["broadsheet.css", "extra.txt"]), version=st.none() | st.integers(1, 3))
    def edit_layout_static(self, name, version):
        """A static file of layouts/static: an override of the theme's, or a file of its own."""
        target = self.site / "layouts" / "static" / name
        if version is None:
            if not target.exists():
                return
            target.unlink()
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(f"/* {version} */\n" + "x" * version, encoding="utf-8")
        self.check(f"layouts/static/{name} v{version}", touched={f"static/{name}"})

    @rule()
    def no_op(self):
        result = self.check("no-op rebuild")
        assert result.report.written == (), f"a no-op rebuild wrote {result.report.written}"
        assert result.report.removed == ()
        assert result.stats.pages_rendered == 0, f"a no-op rebuild rendered {result.stats.pages_rendered} pages"
        assert result.stats.bodies_rendered == 0


class PreviewMachine(IncrementalMachine):
    """The same law for the live preview: drafts and scheduled articles built, with badges."""

    OPTIONS = {"preview": True}


class SessionMachine(IncrementalMachine):
    """The same law for the live preview's builds: one `Session` for every step, its cache
    kept in memory between builds."""

    OPTIONS = {"preview": True}

    def incremental(self) -> BuildResult:
        if getattr(self, "session", None) is None:
            self.session = pipeline.Session(self.site, BuildOptions(out_dir=self.out, jobs=1, **self.OPTIONS))
        return self.session.build()


class WatchMachine(IncrementalMachine):
    """The same law for `build.py watch`'s builds: one `Session` with the command line's
    options, told which files changed by a real watcher (synced before each build, as the
    watch does for a command); now and then the output folder is changed by hand and the
    session looks at all of it, as the watch does after a quiet spell."""

    session = None
    watcher = None

    def incremental(self) -> BuildResult:
        if self.session is None:
            from broadsheet.watch import Watcher

            self.session = pipeline.Session(self.site, BuildOptions(out_dir=self.out, jobs=1, **self.OPTIONS))
            self.watcher = Watcher(self.site)
            self.watcher.start()
            return self.session.build()
        assert self.watcher.sync(10.0), "the watcher's sync did not come back"
        batch = self.watcher.take()
        return self.session.build(touched=frozenset(batch.paths) if batch else frozenset())

    @precondition(lambda self: self.session is not None)
    @rule(data=st.data(), what=st.sampled_from(["delete", "edit", "add"]))
    def output_changed_by_hand(self, data, what):
        pages = sorted(p for p in self.out.rglob("*.html"))
        if what == "add":
            (self.out / "stray" / "index.html").parent.mkdir(parents=True, exist_ok=True)
            (self.out / "stray" / "index.html").write_text("not the site's", encoding="utf-8")
        elif what == "delete":
            data.draw(st.sampled_from(pages)).unlink()
        else:
            data.draw(st.sampled_from(pages)).write_text("edited by hand", encoding="utf-8")
        self.session.memory.folder_trusted = False  # the watch's look at every file
        self.check(f"output: a page {what} by hand")

    def teardown(self):
        if self.watcher is not None:
            self.watcher.stop()
        super().teardown()


def machine_settings(examples: int) -> settings:
    return settings(max_examples=examples, stateful_step_count=8, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


IncrementalMachine.TestCase.settings = machine_settings(EXAMPLES)
TestIncrementalEqualsClean = IncrementalMachine.TestCase
PreviewMachine.TestCase.settings = machine_settings(max(3, EXAMPLES // 5))
TestIncrementalEqualsCleanInPreview = PreviewMachine.TestCase
SessionMachine.TestCase.settings = machine_settings(max(3, EXAMPLES // 5))
TestIncrementalEqualsCleanInSession = pytest.mark.skipif(
    not hasattr(pipeline, "Session"), reason="no live-preview session in this engine")(SessionMachine.TestCase)
WatchMachine.TestCase.settings = machine_settings(max(3, EXAMPLES // 5))
TestIncrementalEqualsCleanInWatch = WatchMachine.TestCase


# Deterministic scenarios -------------------------------------------------------

def sample_files() -> dict[str, str | bytes]:
    return {
        "content/articles/alpha.md": article("Alpha story", "2026-03-03 10:00",
                                             "Alpha opening paragraph.\n\nAlpha second paragraph old.\n",
                                             tags="[Common, Solo]", authors="[ana]"),
        "content/articles/beta.md": article("Beta story", "2026-03-02 10:00", "Beta body.\n", tags="[Common]",
                                            authors="[bo]"),
        "content/articles/gamma.md": article("Gamma story", "2026-03-01 10:00", "Gamma body, see [alpha](alpha.md).\n",
                                             tags="[Other]", authors="[ana]"),
        "content/articles/delta.md": article("Delta story", "2026-02-01 10:00", "Delta body.\n", tags="[Other]",
                                             authors="[bo]"),
        "content/authors/ana.md": "---\nname: Ana Ruiz\n---\nAna writes.\n",
        "content/authors/bo.md": "---\nname: Bo Chen\n---\nBo writes.\n",
        "content/pages/about.md": "---\ntitle: About\n---\nAbout us.\n",
        "content/images/a.svg": b"<svg xmlns='http://www.w3.org/2000/svg'/>\n",
    }


@pytest.fixture
def built(tmp_path: Path, monkeypatch) -> tuple[Path, Path]:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1780000000")  # 2026-05-28
    site = make_site(tmp_path / "site", sample_files(), config="title: Test Gazette\nbase_url: https://example.org/\n"
                     "timezone: UTC\npaginate: 2\n")
    out = tmp_path / "out"
    rebuild(site, out)
    return site, out


def rebuild_and_compare(site: Path, out: Path) -> BuildResult:
    result = rebuild(site, out)
    clean_build(site, out.parent / "clean")
    assert_same_output(snapshot(out), snapshot(out.parent / "clean"))
    return result


def file_stats(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_no_op_rebuild_renders_and_writes_nothing(built):
    site, out = built
    stats = file_stats(out)
    result = rebuild_and_compare(site, out)
    assert result.report.written == () and result.report.removed == ()
    assert result.stats.pages_rendered == 0 and result.stats.bodies_rendered == 0
    assert result.stats.cache_note is None
    assert result.stats.cache_path and result.stats.cache_path.is_relative_to(site / CACHE_DIR)
    assert file_stats(out) == stats


def test_renaming_a_file_updates_every_link_to_its_page(built):
    # Found by the state machine: the bytes do not change, so the card was once reused
    # with the old slug and the neighbours' "Older" links kept pointing at the old URL.
    site, out = built
    (site / "content/articles/beta.md").rename(site / "content/articles/beta-renamed.md")
    result = rebuild_and_compare(site, out)
    assert "articles/beta/index.html" in result.report.removed
    assert {"articles/beta-renamed/index.html", "index.html", "articles/alpha/index.html",
            "articles/gamma/index.html"} <= set(result.report.written)
    assert b"/articles/beta-renamed/" in (out / "articles/alpha/index.html").read_bytes()


def test_link_to_a_moved_file_breaks_in_the_page_that_has_it(built):
    # Found by the state machine: beta keeps its URL (a `slug:` field) when its file is
    # renamed, so no card changes; gamma's source does not change either, but its link
    # `beta.md` now points to nothing and its body renders differently. The article
    # page's fingerprint once took the source and the card, not the body's HTML.
    site, out = built
    edit(site / "content/articles/beta.md", "title:", 'slug: "beta"\ntitle:')
    edit(site / "content/articles/gamma.md", "[alpha](alpha.md)", "[beta](beta.md)")
    rebuild_and_compare(site, out)
    assert b'href="/articles/beta/"' in (out / "articles/gamma/index.html").read_bytes()
    (site / "content/articles/beta.md").rename(site / "content/articles/beta-moved.md")
    result = rebuild_and_compare(site, out)
    assert any("beta.md" in p.message for p in result.warnings)
    assert "articles/gamma/index.html" in result.report.written
    assert b'href="beta.md"' in (out / "articles/gamma/index.html").read_bytes()


def test_files_with_equal_bytes_have_distinct_cards(built):
    # Found by the state machine: two files with the same bytes shared one card token,
    # so a no-op rebuild re-rendered their pages (and a change could be missed).
    site, out = built
    text = (site / "content/articles/delta.md").read_text(encoding="utf-8")
    (site / "content/articles/delta-copy.md").write_text(text, encoding="utf-8")
    (site / "content/articles/delta-again.md").write_text(text, encoding="utf-8")
    build(site, BuildOptions(out_dir=out, clean=True, jobs=1))  # every card computed afresh
    result = rebuild_and_compare(site, out)
    assert result.stats.pages_rendered == 0 and result.report.written == ()
    (site / "content/articles/delta-copy.md").unlink()
    rebuild_and_compare(site, out)


def test_body_edit_outside_the_summary_renders_only_the_article_and_feeds(built):
    site, out = built
    stats = file_stats(out)
    edit(site / "content/articles/alpha.md", "second paragraph old", "second paragraph new")
    result = rebuild_and_compare(site, out)
    expected = {"articles/alpha/index.html", "feed.xml", "rss.xml", "feed.json", "tags/common/feed.xml",
                "tags/solo/feed.xml", "authors/ana/feed.xml"}
    assert set(result.report.written) == expected
    assert result.stats.pages_rendered == len(expected)
    assert result.stats.bodies_rendered == 1
    after = file_stats(out)
    assert {p for p in stats if after[p] != stats[p]} == expected  # every other file keeps its inode and mtime


def test_an_edit_saves_a_delta_of_what_it_changed_not_the_whole_state(built):
    """The cache of a large site is megabytes: an edit that keeps the structure appends
    what it changed (the source it read) to a delta, writes the rows it changed in the key
    store (the pages fingerprinted again), and leaves the full state file alone."""
    site, out = built
    [state_file] = cache_files(site)
    before = (state_file.stat().st_ino, state_file.stat().st_mtime_ns)
    fingerprints_before = stored_rows(state_file.with_suffix(".keys.sqlite"), "fingerprints")
    edit(site / "content/articles/alpha.md", "second paragraph old", "second paragraph new")
    result = rebuild(site, out)
    assert result.stats.patched
    assert (state_file.stat().st_ino, state_file.stat().st_mtime_ns) == before
    delta = Cache(site, "")._read(state_file.with_suffix(".delta.pickle"))
    assert "content/articles/alpha.md" in delta.changes.sources  # (with the others, once their signatures settle)
    fingerprints = stored_rows(state_file.with_suffix(".keys.sqlite"), "fingerprints")
    assert fingerprints.keys() == fingerprints_before.keys()
    assert {page for page in fingerprints if fingerprints[page] != fingerprints_before[page]} == \
        set(result.report.written)
    assert len(result.plan.routes) > 3 * len(result.report.written)


def stored_rows(path: Path, table: str) -> dict[str, bytes]:
    """The rows of one table of a key store: key → the value as stored."""
    db = sqlite3.connect(path)
    try:
        return dict(db.execute(f"SELECT key, value FROM {table}"))
    finally:
        db.close()


def test_summary_edit_renders_the_listings_that_show_it(built):
    site, out = built
    edit(site / "content/articles/alpha.md", "Alpha opening paragraph.", "Alpha new opening.")
    written = set(rebuild_and_compare(site, out).report.written)
    # The card's summary: home, its tags, its author, neighbours and related articles.
    assert {"index.html", "tags/common/index.html", "tags/solo/index.html", "authors/ana/index.html",
            "articles/alpha/index.html", "articles/beta/index.html", "feed.xml"} <= written
    # Pages that show no summary of it are not touched.
    assert not written & {"archive/index.html", "archive/2026/03/index.html", "tags/index.html",
                          "authors/index.html", "sitemap.xml", "sitemaps/2026.xml", "sitemaps/pages.xml",
                          "404.html", "about/index.html", "articles/delta/index.html", "tags/other/index.html"}


def test_title_edit_renders_every_page_that_shows_the_title_and_no_other(built):
    site, out = built
    edit(site / "content/articles/beta.md", "Beta story", "Beta headline")
    result = rebuild_and_compare(site, out)
    written = set(result.report.written)
    assert {"index.html", "archive/2026/03/index.html", "tags/common/index.html", "authors/bo/index.html",
            "articles/beta/index.html", "articles/alpha/index.html", "articles/gamma/index.html",
            "feed.xml", "rss.xml", "feed.json", "tags/common/feed.xml", "authors/bo/feed.xml"} <= written
    assert not written & {"tags/index.html", "authors/index.html", "sitemap.xml", "404.html", "robots.txt",
                          "about/index.html", "authors/ana/index.html", "tags/other/index.html",
                          "articles/delta/index.html", "archive/index.html", "archive/2026/index.html",
                          "archive/2026/02/index.html", "sitemaps/2026.xml", "sitemaps/pages.xml"}
    # Nothing rendered in vain: the sitemap files show stamps (URLs, dates), which a
    # headline leaves alone (issue 11; they took whole cards before).
    assert result.stats.pages_rendered == len(written)


def test_canonical_url_edit_updates_the_sitemap_and_the_page(built):
    # The sitemap reads each article through its card (it lists canonical URLs only): an
    # edit that only syndicates a copy must still reach it.
    site, out = built
    edit(site / "content/articles/beta.md", "title: Beta story", "title: Beta story\ncanonical_url: https://elsewhere.example/b")
    written = rebuild_and_compare(site, out).report.written
    assert b"/articles/beta/" not in (out / "sitemaps/2026.xml").read_bytes()
    assert "sitemaps/2026.xml" in written and "sitemap.xml" not in written  # one small file (issue 11)
    edit(site / "content/articles/beta.md", "canonical_url: https://elsewhere.example/b\n", "")
    rebuild_and_compare(site, out)
    assert b"/articles/beta/" in (out / "sitemaps/2026.xml").read_bytes()


def test_date_edit_moves_articles_across_pages(built):
    site, out = built
    edit(site / "content/articles/delta.md", "2026-02-01", "2026-03-04")  # now the newest
    result = rebuild_and_compare(site, out)
    assert {"index.html", "page/2/index.html", "archive/index.html", "archive/2026/index.html",
            "archive/2026/03/index.html", "sitemaps/2026.xml"} <= set(result.report.written)
    assert "archive/2026/02/index.html" in result.report.removed  # February has no article left


def test_deleting_an_article_removes_its_pages_and_breaks_links_with_a_warning(built):
    site, out = built
    (site / "content/articles/alpha.md").unlink()
    result = rebuild_and_compare(site, out)
    assert {"articles/alpha/index.html", "tags/solo/index.html", "tags/solo/feed.xml"} <= set(result.report.removed)
    assert any("alpha.md" in p.message for p in result.warnings)  # gamma links to it
    assert "articles/gamma/index.html" in result.report.written  # its link is no longer a link to a page


def test_issue_11_rebuilds_report_the_warnings_of_sources_edited_since_the_cache_was_saved_whole(built):
    """A rebuild reuses the last plan's problems of the sources when no edited source's
    changed; the plan it starts from is the last whole save's, with the edits since applied
    (a delta each): their problems are not those it was saved with."""
    site, out = built
    beta, alpha = site / "content/articles/beta.md", site / "content/articles/alpha.md"
    early = "'updated' is earlier than 'date'"
    for step, (path, old, new) in enumerate([
            (beta, "date: 2026-03-02 10:00", "date: 2026-03-02 10:00\nupdated: 2026-03-01 10:00"),
            (alpha, "Alpha second paragraph old.", "Alpha second paragraph, edited."),
            (beta, "updated: 2026-03-01 10:00", "updated: 2026-03-03 10:00"),
            (alpha, "Alpha second paragraph, edited.", "Alpha second paragraph, edited again.")]):
        edit(path, old, new)
        result = rebuild_and_compare(site, out)
        assert result.stats.patched and (site / CACHE_DIR).is_dir()
        clean = clean_build(site, out.parent / "clean")
        assert [p.format() for p in result.warnings] == [p.format() for p in clean.warnings]
        assert any(early in p.message for p in result.warnings) == (step < 2), step


def test_a_warning_of_the_sites_structure_follows_its_line_when_an_edit_moves_it(built):
    """An edit that keeps the site's structure but moves the front matter's lines (found by
    the property test: a warning of an unknown author kept the line it had before)."""
    site, out = built
    beta = site / "content/articles/beta.md"
    edit(beta, "authors: [bo]", "authors: [bo, Dee Eve]")
    for old, new in [("date: 2026-03-02 10:00", "date: 2026-03-02 10:00\nupdated: 2026-03-04 10:00"),
                     ("Beta body.", "Beta body, edited."),
                     ("updated: 2026-03-04 10:00\n", "")]:
        rebuild_and_compare(site, out)
        edit(beta, old, new)
        result = rebuild_and_compare(site, out)
        clean = clean_build(site, out.parent / "clean")
        line = beta.read_text(encoding="utf-8").splitlines().index("authors: [bo, Dee Eve]") + 1
        assert [p.format() for p in result.warnings] == [p.format() for p in clean.warnings]
        assert [p.loc.line for p in result.warnings if "Dee Eve" in p.message] == [line]


def test_template_change_renders_only_the_pages_using_it(built):
    site, out = built
    layouts = site / "layouts"
    layouts.mkdir()
    (layouts / "tag.html").write_text(template_variant("tag.html", 1), encoding="utf-8")
    result = rebuild_and_compare(site, out)
    tag_pages = {r.out_path for r in result.plan.routes if r.kind == "tag"}
    assert set(result.report.written) == tag_pages
    assert result.stats.pages_rendered == len(tag_pages)
    (layouts / "partials").mkdir()
    (layouts / "partials" / "card.html").write_text(template_variant("partials/card.html", 2), encoding="utf-8")
    result = rebuild_and_compare(site, out)
    listing = {r.out_path for r in result.plan.routes if r.kind in ("home", "tag", "author", "article")}
    assert set(result.report.written) == listing
    (layouts / "partials" / "card.html").unlink()
    rebuild_and_compare(site, out)


def test_config_change_renders_everything(built):
    site, out = built
    edit(site / "config.yaml", "Test Gazette", "Test Courier")
    result = rebuild_and_compare(site, out)
    assert result.stats.pages_rendered == result.page_count
    edit(site / "config.yaml", "paginate: 2", "paginate: 1")
    result = rebuild_and_compare(site, out)
    assert "page/4/index.html" in result.report.written


def cache_files(site: Path) -> list[Path]:
    """The main state files (not the delta and snapshot files beside them)."""
    return sorted(p for p in (site / CACHE_DIR).glob("*.pickle") if "." not in p.stem)


def forget_snapshot(site: Path) -> None:
    """Remove what lets a no-op build finish without reading the cache (`Snapshot`), so that
    the next build must read the cache."""
    for path in (site / CACHE_DIR).glob("*.snapshot.pickle"):
        path.unlink()


@pytest.mark.parametrize("damage", ["garbage", "empty", "magic-only", "truncated-header", "old-format",
                                    "truncated-half", "truncated-end", "not-a-state"])
def test_damaged_cache_gives_a_full_rebuild_with_a_note(built, damage):
    site, out = built
    [cache] = cache_files(site)
    data = cache.read_bytes()
    header = len(MAGIC) + 2
    damaged = {
        "garbage": b"\x00\xffnot a pickle at all" * 50,
        "empty": b"",
        "magic-only": MAGIC,
        "truncated-header": MAGIC + b"\x00",
        "old-format": MAGIC + (FORMAT + 1).to_bytes(2, "big") + data[header:],
        "truncated-half": data[:len(data) // 2],
        "truncated-end": data[:-1],
        "not-a-state": MAGIC + FORMAT.to_bytes(2, "big") + zlib.crc32(b"\x80\x04K\x07.").to_bytes(4, "big")
        + b"\x80\x04K\x07.",  # a well-formed cache file holding the number 7
    }[damage]
    cache.write_bytes(damaged)
    # An edit the damaged cache cannot know about: it must not be "remembered" wrongly.
    edit(site / "content/articles/beta.md", "Beta body.", "Beta body, edited.")
    result = rebuild_and_compare(site, out)
    assert result.stats.pages_rendered == result.page_count
    assert result.stats.cache_note, "a damaged cache must be reported"
    # The next build trusts the cache it just wrote again.
    result = rebuild_and_compare(site, out)
    assert result.stats.pages_rendered == 0 and result.stats.cache_note is None


def test_truncated_cache_at_any_length_is_never_trusted(built):
    site, out = built
    [cache] = cache_files(site)
    data = cache.read_bytes()
    reference = snapshot(out)
    for length in sorted({len(data) * k // 9 for k in range(9)} | {len(MAGIC) + 1, len(MAGIC) + 3, len(data) - 2}):
        cache.write_bytes(data[:length])
        forget_snapshot(site)
        result = rebuild(site, out)
        assert result.stats.pages_rendered == result.page_count, f"cache cut at {length} bytes was trusted"
        assert snapshot(out) == reference
        assert result.report.written == ()


def test_corrupted_cache_is_never_trusted(built):
    # A flipped byte inside a cached body once went unnoticed: the body's source digest
    # still matched, so the damaged HTML was used by the next page that showed it.
    site, out = built
    [cache] = cache_files(site)
    [store] = sorted((site / CACHE_DIR).glob("*.bodies.sqlite"))
    data = store.read_bytes()
    assert b"Delta body" in data  # its HTML and its first paragraph, in the body store
    store.write_bytes(data.replace(b"Delta body", b"Delta bodz"))
    edit(site / "content/articles/gamma.md", "Gamma story", "Gamma headline")  # re-renders delta's page
    rebuild_and_compare(site, out)  # the damaged HTML fails its recorded hash: converted again
    assert b"Delta bodz" not in b"".join(snapshot(out).values())
    data = cache.read_bytes()
    header = len(MAGIC) + 2
    for position in sorted({header + (len(data) - header - 1) * k // 6 for k in range(7)}):
        damaged = bytearray(data)
        damaged[position] ^= 0x20
        cache.write_bytes(bytes(damaged))
        forget_snapshot(site)
        result = rebuild(site, out)
        assert result.stats.cache_note, f"a flipped byte at {position} of {len(data)} went unnoticed"
        assert result.stats.pages_rendered == result.page_count and result.report.written == ()


def test_cache_files_of_other_engine_versions_are_removed(built):
    site, out = built
    folder = site / CACHE_DIR
    stale = [folder / "0123456789abcdef.pickle", folder / "0123456789abcdef.bodies.sqlite",
             folder / "deadbeef-0123456789abcdef.pickle", folder / "deadbeef-0123456789abcdef.snapshot.pickle"]
    current = sorted(p.name for p in folder.iterdir() if p.is_file())
    for path in stale:
        path.write_bytes(b"an older engine's cache")
    edit(site / "content/articles/gamma.md", "Gamma story", "Gamma headline")
    edit(site / "content/articles/gamma.md", "date: 2026-03-01", "date: 2026-01-01")  # a full save
    rebuild_and_compare(site, out)
    assert not any(path.exists() for path in stale)
    assert set(current) <= {p.name for p in folder.iterdir() if p.is_file()}


def test_cache_of_another_output_folder_or_option_is_not_used(built, tmp_path):
    site, out = built
    other = tmp_path / "other"
    result = rebuild(site, other)
    assert result.stats.pages_rendered == result.page_count  # its own cache: none yet
    assert_same_output(snapshot(other), snapshot(out))
    result = build(site, BuildOptions(out_dir=out, drafts=True, jobs=1))
    assert result.stats.pages_rendered == result.page_count


def test_killed_build_leftovers_are_removed(built):
    site, out = built
    staging = out / STAGING
    staging.mkdir()
    (staging / "12345-1").write_bytes(b"half a page")
    (staging / "12345-2").write_bytes(b"")
    (out / "articles" / "alpha" / ".index.html.999.bs-tmp").write_bytes(b"partial copy")
    result = rebuild_and_compare(site, out)
    assert not staging.exists()
    assert not list(out.rglob("*.bs-tmp"))
    assert result.report.removed == ()  # leftovers are not the site's pages: not reported as removed


def test_output_file_deleted_or_edited_by_hand_is_restored(built):
    site, out = built
    (out / "articles" / "beta" / "index.html").unlink()
    (out / "tags" / "other" / "index.html").write_text("vandalised", encoding="utf-8")
    (out / "static" / "broadsheet.css").unlink()
    result = rebuild_and_compare(site, out)
    assert set(result.report.written) == {"articles/beta/index.html", "tags/other/index.html",
                                          "static/broadsheet.css"}


def test_output_folder_proven_by_folder_times_still_finds_what_was_added_or_changed(built, monkeypatch):
    # Issue 11: a rebuild proves the output folder as the last build left it with a stat of
    # each file and folder, not a listing of every folder. With the clock's margin set to
    # nothing, folders the last build did not write into are proven by their times: a file
    # added to one, a folder added, a page edited by hand are each found and put right.
    from broadsheet import load, output
    from broadsheet.incremental import OnDisk, cache_for
    site, out = built
    monkeypatch.setattr(load, "RACY_NS", 0)
    monkeypatch.setattr(output, "RACY_NS", 0)
    rebuild(site, out)  # sources settled: a snapshot, its folders proven by names (written just now)
    edit(site / "content/articles/alpha.md", "Alpha story", "Alpha headline")
    rebuild(site, out)  # from that snapshot: the folders not written since are proven by their times

    def proofs() -> dict:
        return OnDisk(cache_for(site, out, BuildOptions(out_dir=out))).cache.read_snapshot().folder.folders

    by_times = {folder for folder, proof in proofs().items() if type(proof) is tuple}
    assert {"tags/other", "articles", "authors"} <= by_times and "articles/alpha" not in by_times
    assert rebuild(site, out).plan is None  # a no-op, which finds alpha's folder settled since: its times prove it
    assert type(proofs()["articles/alpha"]) is tuple
    (out / "articles" / "alpha" / "stray.html").write_text("not ours", encoding="utf-8")
    result = rebuild_and_compare(site, out)
    assert result.report.removed == ("articles/alpha/stray.html",)
    (out / "tags" / "other" / "stray.html").write_text("not ours", encoding="utf-8")
    (out / "articles" / "planted").mkdir()
    (out / "articles" / "planted" / "index.html").write_text("not ours", encoding="utf-8")
    result = rebuild_and_compare(site, out)
    assert set(result.report.removed) == {"tags/other/stray.html", "articles/planted/index.html"}
    page = out / "articles" / "beta" / "index.html"
    stat = page.stat()
    page.write_bytes(page.read_bytes().replace(b"<", b">", 1))  # same size: its mtime tells
    result = rebuild_and_compare(site, out)
    assert result.report.written == ("articles/beta/index.html",) and stat.st_size == page.stat().st_size


def test_clean_option_renders_everything_and_writes_nothing_unchanged(built):
    site, out = built
    stats = file_stats(out)
    result = build(site, BuildOptions(out_dir=out, clean=True, jobs=1))
    assert result.stats.pages_rendered == result.page_count
    assert result.report.written == ()
    assert file_stats(out) == stats


def test_parallel_cold_build_equals_serial(tmp_path, monkeypatch):
    # Enough bodies for the parallel build to put them in the store as they come
    # (render.SPILL_AT) and for its workers to read them back; no Markdown text kept from
    # loading (load.TEXT_BUDGET), so every body is read again from its file, including
    # files with Windows line ends and a byte-order mark.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1780000000")
    count = 300
    files = {f"content/articles/a{i:03d}.md": article(f"Story {i % 7}", f"2026-0{1 + i % 4}-1{i % 10} 08:00",
                                                      f"Body {i} with [a link](a{(i + 1) % count:03d}.md).\n\n"
                                                      f"Second paragraph of {i}.\n",
                                                      tags=f"[T{i % 5}, Common]", authors=f"[Writer {i % 3}]")
             for i in range(count)}
    files["content/articles/a001.md"] = files["content/articles/a001.md"].replace("\n", "\r\n")
    files["content/articles/a002.md"] = "\ufeff" + files["content/articles/a002.md"]
    site = make_site(tmp_path / "site", files)
    serial = build(site, BuildOptions(out_dir=tmp_path / "one", jobs=1, clean=True))
    monkeypatch.setattr("broadsheet.load.TEXT_BUDGET", 0)
    parallel = build(site, BuildOptions(out_dir=tmp_path / "two", jobs=2))
    assert parallel.stats.pages_rendered == serial.stats.pages_rendered
    assert parallel.stats.bodies_rendered > render.SPILL_AT
    assert_same_output(snapshot(tmp_path / "two"), snapshot(tmp_path / "one"))
    edit(site / "content/articles/a007.md", "Story 0", "Story seven")  # its card: many pages, in workers
    rebuild(site, tmp_path / "one")
    build(site, BuildOptions(out_dir=tmp_path / "two", jobs=2))
    assert_same_output(snapshot(tmp_path / "two"), snapshot(tmp_path / "one"))


def test_issue_11_workers_send_back_only_the_texts_the_load_keeps(tmp_path, monkeypatch):
    # A cold build's workers read every source; the Markdown bodies past load.TEXT_BUDGET
    # (the files' sizes, in order) stay in the workers: the build would drop them.
    from broadsheet import load
    from broadsheet.config import load_config
    from broadsheet.workers import WorkerPool

    count = 120
    site = make_site(tmp_path / "site", {f"content/articles/a{i:03d}.md": article(
        f"Story {i}", "2026-03-10 08:00", f"Body {i}. " + "Words of the story. " * 40) for i in range(count)})
    sizes = [(site / f"content/articles/a{i:03d}.md").stat().st_size for i in range(count)]
    monkeypatch.setattr(load, "TEXT_BUDGET", sum(sizes[:30]))
    config, _ = load_config(site)
    sent = []

    def recorded(function, items):
        for result in WorkerPool(2).map_sources(function, items):
            sent.append(result[1])
            yield result

    loaded = load.load_records(site, config, map_sources=recorded)
    assert len(sent) == count and all(text is not None for text in sent[:30])
    assert all(text is None for text in sent[30:])
    assert sorted(loaded.texts) == [f"content/articles/a{i:03d}.md" for i in range(30)]
    assert all(loaded.texts[path].startswith("Body ") for path in loaded.texts)


# The no-op shortcut ----------------------------------------------------------------
#
# A build whose inputs all have the stat signatures the last build recorded, and whose
# output folder holds exactly the files it left, finishes without reading the cache or any
# source (`pipeline.Snapshot`). Signatures of files changed in the last RACY_NS are never
# trusted, so these tests first let the site's files settle.

def settle() -> None:
    time.sleep(RACY_NS / 1e9 + 0.2)


@pytest.fixture
def settled(built) -> tuple[Path, Path]:
    site, out = built
    edit(site / "content/articles/beta.md", "Beta body.", "Beta body, see [nothing](missing.md).")
    rebuild(site, out)
    settle()
    rebuild(site, out)  # records signatures that can be trusted
    return site, out


def test_no_op_shortcut_reads_nothing_and_reports_the_same(settled):
    site, out = settled
    forget_snapshot(site)
    full = rebuild(site, out)
    stats = file_stats(out)
    for path in cache_files(site):  # not even read: a damaged state would go unnoticed until needed
        path.write_bytes(b"damaged")
    quick = rebuild(site, out)
    assert quick.plan is None and full.plan is not None
    assert [p.format() for p in quick.warnings] == [p.format() for p in full.warnings]
    assert any("missing.md" in p.message for p in quick.warnings)
    assert (quick.page_count, quick.summary.articles, quick.summary.tags) == \
        (full.page_count, full.summary.articles, full.summary.tags)
    assert quick.report.written == () and quick.report.unchanged == full.report.unchanged
    assert file_stats(out) == stats
    with pytest.raises(pipeline.SiteErrors):  # --strict makes the warning an error: no shortcut
        rebuild(site, out, strict=True)


@pytest.mark.slow  # each case waits for the files to settle
@pytest.mark.parametrize("change", ["delete a page", "edit a page", "stray file", "empty folder", "touch a source",
                                    "edit a source", "edit a template", "add an asset", "edit the config",
                                    "damage the snapshot", "scheduled article falls due"])
def test_no_op_shortcut_sees_every_change(settled, change, monkeypatch):
    site, out = settled
    page = out / "articles/beta/index.html"
    if change == "delete a page":
        page.unlink()
    elif change == "edit a page":
        page.write_bytes(page.read_bytes().replace(b"Beta", b"Zeta"))
    elif change == "stray file":
        (out / "tags/stray.html").write_text("stray")
    elif change == "empty folder":
        (out / "tags/empty").mkdir()
    elif change == "touch a source":
        os.utime(site / "content/articles/beta.md")
    elif change == "edit a source":
        edit(site / "content/articles/beta.md", "Beta story", "Beta headline")
    elif change == "edit a template":
        (site / "layouts").mkdir(exist_ok=True)
        (site / "layouts/404.html").write_text("<p>Lost.</p>\n")
    elif change == "add an asset":
        (site / "content/images/b.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>\n")
    elif change == "edit the config":
        (site / "config.yaml").write_text((site / "config.yaml").read_text() + "tagline: Daily\n")
    elif change == "damage the snapshot":
        for path in (site / CACHE_DIR).glob("*.snapshot.pickle"):
            path.write_bytes(path.read_bytes()[:-3])
    elif change == "scheduled article falls due":
        (site / "content/articles/later.md").write_text(article("Later story", "2026-06-01 10:00", "Later.\n"))
        rebuild(site, out)
        settle()
        rebuild(site, out)
        assert rebuild(site, out).plan is None
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")  # 2026-09-21: now due
    result = rebuild_and_compare(site, out)
    if change == "scheduled article falls due":  # the clean build must also run in September
        assert "articles/later/index.html" in snapshot(out)
    assert result.plan is not None, "the shortcut missed a change"
    assert not (out / "tags/empty").exists()


def test_template_saved_just_before_a_build_is_trusted_once_it_settles(built):
    # A layout less than RACY_NS old when a build looks at it is recorded by the hash of its
    # bytes; later builds see its stat signature. They must still know it unchanged: the
    # first ones planned the whole site afresh (15 s at 50,000 articles) and never saved.
    site, out = built
    (site / "layouts").mkdir()
    (site / "layouts/404.html").write_text("<p>Lost.</p>\n")
    first = rebuild(site, out)
    assert first.stats.pages_rendered >= 1 and "404.html" in first.report.written
    settle()
    again = rebuild(site, out)
    assert again.stats.patched and again.stats.pages_rendered == 0 and again.report.written == ()
    edit(site / "content/articles/beta.md", "Beta body.", "Beta body, edited.")
    edited = rebuild_and_compare(site, out)
    assert edited.stats.patched and "articles/beta/index.html" in edited.report.written
    assert edited.stats.pages_rendered < edited.page_count
    settle()
    rebuild(site, out)
    assert rebuild(site, out).plan is None  # the nothing-changed shortcut
