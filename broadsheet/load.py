"""Walking `content/` and validating every Markdown source against its field spec.

Owns `ArticleRecord`, `AuthorRecord`, `PageRecord`, `slugify`, and the front matter
rules of SPEC.md. Collects every problem across all files instead of stopping at the
first. Knows nothing of how records relate to each other: that is `model`'s job.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from pathlib import Path
from time import time_ns
from typing import Any, Callable, Iterable, Mapping
from urllib.parse import urlsplit

from .config import SiteConfig
from .i18n import check_language
from .errors import Packed, PackedField, Problem, SourceLoc, did_you_mean, error, positional_reduce, warning
from .source import Document, SourceError, decode_text, parse_document

ARTICLE_FIELDS = ("title", "date", "updated", "authors", "author", "tags", "subtitle", "summary",
                  "image", "credits", "slug", "draft", "canonical_url", "language", "translation_key", "aliases")
AUTHOR_FIELDS = ("name", "role", "avatar", "links")
PAGE_FIELDS = ("title", "slug", "draft", "language", "translation_key", "aliases")
MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown")
"""What a Markdown file's name ends with (Jekyll's posts are often `.markdown`)."""


def is_markdown(path: str) -> bool:
    return path.endswith(MARKDOWN_SUFFIXES)


def stem_of(src_path: str) -> str:
    """Return a Markdown file's name without its folder and suffix: `a/ferry.markdown` → `ferry`."""
    name = src_path.rsplit("/", 1)[-1]
    return name[:name.rindex(".")]


@dataclass(frozen=True, slots=True)
class Image:
    src: str
    """A site path (`/images/x.jpg`), a path relative to the article, or an absolute URL."""
    alt: str = ""
    caption: str = ""
    credit: str = ""

    __reduce__ = positional_reduce


@dataclass(frozen=True, slots=True)
class ArticleRecord:
    """One validated article file."""

    src_path: str
    slug: str
    title: str
    date: datetime
    """Timezone-aware publication time."""
    updated: datetime | None
    author_refs: tuple[str, ...]
    """Author ids or names as written."""
    tags: tuple[str, ...]
    """Tag spellings as written."""
    subtitle: str | None
    summary: str | None
    image: Image | None
    credits: str | None
    draft: bool
    canonical_url: str | None
    language: str | None
    """The article's language when it is not the site's (a BCP 47 tag), else None."""
    translation_key: str | None
    """What the article shares with its translations (the same key in each language)."""
    aliases: tuple[str, ...]
    """Old site paths of the article (`/2016/08/old-slug/`), each published as a redirect."""
    body_line: int
    digest: str
    """Hash of the file's text: the cache key of everything derived from it."""
    body_digest: str
    """Hash of the Markdown body and the line it starts at: the cache key of its HTML (a
    front matter edit does not convert the body again)."""
    key_lines: Mapping[str, int] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)
    """Unknown front matter fields, for templates."""

    __reduce__ = positional_reduce


@dataclass(frozen=True, slots=True)
class AuthorRecord:
    """One author profile: `content/authors/<id>.md`."""

    src_path: str
    id: str
    name: str
    role: str | None
    avatar: str | None
    links: tuple[tuple[str, str], ...]
    """(kind, value) pairs in file order, e.g. ('mastodon', '@jo@news.example')."""
    language: str | None
    """The code of the language (one of config.yaml's `languages:`) of a profile's
    translation, `content/authors/<id>.<code>.md`; None for the profile itself."""
    body_line: int
    digest: str
    body_digest: str
    key_lines: Mapping[str, int] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)

    __reduce__ = positional_reduce


@dataclass(frozen=True, slots=True)
class PageRecord:
    """One standalone page: `content/pages/*.md`."""

    src_path: str
    slug: str
    title: str
    draft: bool
    language: str | None
    """The page's language when it is not the site's, else None."""
    translation_key: str | None
    """What the page shares with its translations."""
    aliases: tuple[str, ...]
    """Old site paths of the page, each published as a redirect."""
    body_line: int
    digest: str
    body_digest: str
    key_lines: Mapping[str, int] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)

    __reduce__ = positional_reduce


@dataclass(frozen=True, slots=True)
class Records:
    articles: tuple[ArticleRecord, ...]
    authors: tuple[AuthorRecord, ...]
    pages: tuple[PageRecord, ...]
    assets: tuple[str, ...]
    """Non-Markdown files under content/, as site paths relative to content/."""


@functools.lru_cache(maxsize=65536)
def slugify(text: str, style: str = "ascii") -> str:
    """Return `text` as a URL slug, losing no letter, in the site's `slugs:` style.

    `ascii`: `[a-z0-9-]`, every letter of any script transliterated (`Straße` → `strasse`,
    `Ærø` → `aero`, `Москва` → `moskva`, `北京` → `bei-jing`: a Chinese character is a word).
    `unicode`: the letters, marks and digits of every script kept as they are, lower-cased,
    in Unicode's composed form (NFC): `Straße` → `straße`, `北京` → `北京`.
    In both, a run of `+` or `#` that ends a word is spelled out (`C++` → `c-plus-plus`,
    `C#` → `c-sharp`) and anything else is a hyphen."""
    text = _SPELLED_OUT.sub(lambda match: "".join(f" {_SYMBOL_NAMES[c]} " for c in match.group()), text)
    if style == "unicode":
        return "-".join("".join(map(_kept, unicodedata.normalize("NFC", text).lower())).split())
    if not text.isascii():
        text = "".join(map(_in_ascii, unicodedata.normalize("NFC", text)))
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@functools.lru_cache(maxsize=4096)
def _kept(char: str) -> str:
    """A letter, mark or digit of any script as it is (a Devanagari vowel sign is a mark:
    dropping it would change the word); anything else a space."""
    return char if unicodedata.category(char)[0] in "LMN" else " "


def slug_size(slug: str) -> int:
    """Return the size of a slug in a file name: its bytes in UTF-8 (a character of a-z is one)."""
    return len(slug.encode("utf-8"))


_SYMBOL_NAMES = {"+": "plus", "#": "sharp"}
_SPELLED_OUT = re.compile(r"(?<=[^\W_])[+#]+")
"""`+` and `#` right after a letter or digit: C++, C#, F#, Notepad++ (a `#` before a word, as in
#MeToo, is not part of the name)."""


@functools.lru_cache(maxsize=4096)
def _in_ascii(char: str) -> str:
    """One character in ASCII letters (anyascii, which knows every script); a Chinese,
    Japanese or Korean ideograph is a syllable of its own: `北京` → `Bei Jing`."""
    from anyascii import anyascii  # here: a site in ASCII never imports it

    if char.isascii():
        return char
    spelled = anyascii(char)
    return f" {spelled} " if unicodedata.name(char, "").startswith("CJK ") else spelled


NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 forbids (control characters but tab and newlines, lone surrogates,
U+FFFE and U+FFFF): in a feed or sitemap they make the whole file unreadable. Text pasted
from a word processor brings some (a vertical tab for a line break, a form feed)."""

NOT_XML_HINT = "they often come with text pasted from a word processor; feeds must be valid XML"
NOT_XML_FIX = "line and page breaks become spaces, the others are left out"


def strip_not_xml(text: str) -> str:
    """Return `text` without the characters XML forbids: a vertical tab, form feed or
    other separator becomes a space (a word processor's line break joins no words)."""
    return NOT_XML.sub(lambda match: " " if match.group().isspace() else "", text)


def describe_not_xml(text: str) -> str:
    """Return the characters of `text` that XML forbids, as `U+000B, U+000C`."""
    found = sorted(set(NOT_XML.findall(text)))
    return ", ".join(f"U+{ord(char):04X}" for char in found[:5]) + (", …" if len(found) > 5 else "")


MAX_TAGS = 100
"""Tags of one article that are used; more are a warning."""

MAX_SLUG_LENGTH = 200
"""Bytes of a slug in UTF-8, characters of an ASCII one (a folder name of the output, 255
bytes at most on common file systems, which leaves room for text around `{slug}` in the
permalink pattern)."""


@functools.lru_cache(maxsize=65536)
def name_slug(name: str, style: str = "ascii") -> str:
    """Return the slug of a tag or byline name: `slugify(name, style)`, and when that is
    longer than MAX_SLUG_LENGTH bytes, cut at a hyphen and ended with 8 hex digits of its
    hash, so that two long names that differ only at their end keep two slugs (a name is
    text of any length; a slug is a folder name)."""
    slug = slugify(name, style)
    if slug_size(slug) <= MAX_SLUG_LENGTH:
        return slug
    digest = hashlib.blake2b(slug.encode(), digest_size=4).hexdigest()
    head = slug.encode()[:MAX_SLUG_LENGTH - len(digest) - 1].decode("utf-8", errors="ignore")
    if "-" in head:
        head = head.rsplit("-", 1)[0]
    return f"{head}-{digest}"


RACY_NS = 3_000_000_000
"""A file changed less than this long before it was looked at may change again within the
same timestamp tick (or filesystems with coarse times): its stat data is not trusted."""

TEXT_BUDGET = 8_000_000
"""Characters of Markdown bodies a load keeps for conversion; beyond, they are read again
when converted (a first build of a large site does not hold every body twice)."""

Walk = tuple[list[tuple[str, os.stat_result]], list[Problem]]
"""What a walk of content/ found: every file with its stat, and the problems met."""

@dataclass(frozen=True, slots=True)
class SourceEntry:
    """One Markdown file as loaded: what a rebuild compares to know whether it changed."""

    digest: str
    """Hash of the file's bytes ("" when it must be read again whatever its stat says)."""
    _record: ArticleRecord | AuthorRecord | PageRecord | Packed | None
    """The record parsed from it (`record`), `Packed` as the cache loaded it."""
    problems: tuple[Problem, ...]
    """Every problem of its text, reported again by each build."""
    signature: tuple | None
    """Its stat signature (`stat_signature`); None when it cannot be trusted."""

    __reduce__ = positional_reduce
    packed = "_record"
    """The field the build cache keeps `Packed` (an article's record, shared with its `Article`)."""
    record = PackedField("_record")
    """The record parsed from it; None when its problems left none."""


    def has_errors(self) -> bool:
        """True when any of its problems is an error."""
        return any(problem.is_error for problem in self.problems)


@dataclass(slots=True)
class Loaded:
    """Everything read from content/."""

    records: Records
    problems: list[Problem]
    """Every problem, in file order."""
    site_problems: list[Problem]
    """The problems that belong to no one source's text (links leaving the site, misplaced files)."""
    sources: dict[str, SourceEntry]
    """src_path → SourceEntry for every Markdown file."""
    texts: dict[str, str]
    """src_path → Markdown body of the sources parsed this time (the others are read again on demand)."""
    assets: dict[str, tuple | None]
    """Non-Markdown file (relative to content/) → its stat signature."""


def stat_signature(stat: os.stat_result, now_ns: int) -> tuple | None:
    """Return what says a file is unchanged without reading it, or None when a change could
    hide from it: as git does, mtime, ctime, size and inode, and nothing for a file changed
    within RACY_NS of `now_ns`. ctime cannot be set back by tools that preserve mtimes."""
    if max(stat.st_mtime_ns, stat.st_ctime_ns) >= now_ns - RACY_NS:
        return None
    return (stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size, stat.st_ino)


def unproven_sources(files: list[tuple[str, os.stat_result]], signatures: Mapping[str, tuple | None],
                     now_ns: int, prefix: str = "") -> list[tuple[str, os.stat_result]] | None:
    """Return the files of `files` (path in content/, stat) whose stat signature is not the
    one `signatures` holds for `prefix` + its path (so not proven unchanged since); None
    when one of them has none there. `stat_signature` in one loop: at 50,000 sources,
    every rebuild runs it."""
    unproven = []
    racy = now_ns - RACY_NS
    missing = object()
    for rel, stat in files:
        known = signatures.get(prefix + rel, missing)
        if known is missing:
            return None
        mtime, ctime = stat.st_mtime_ns, stat.st_ctime_ns
        if mtime >= racy or ctime >= racy or known != (mtime, ctime, stat.st_size, stat.st_ino):
            unproven.append((rel, stat))
    return unproven


def section_of(rel: str) -> str | None:
    """Return the section (articles, authors, pages) of a Markdown file, or None when it has none."""
    section = rel.split("/", 1)[0]
    if section not in ("articles", "authors", "pages") or (section != "articles" and rel.count("/") > 1):
        return None
    return section


def load_source(content: Path, rel: str, stat: os.stat_result, previous: SourceEntry | None, config: SiteConfig,
                now_ns: int, keep_text: bool = True) -> tuple[SourceEntry, str | None]:
    """Load one Markdown file: return its entry and its body text (None when the previous
    entry still holds: same stat signature, or same bytes; or when not `keep_text`)."""
    signature = stat_signature(stat, now_ns)
    if _holds(previous, signature):
        return previous, None
    with open(content / rel, "rb") as handle:
        data = handle.read()
    digest = hashlib.blake2b(data, digest_size=12).hexdigest()
    if previous is not None and previous.digest == digest:
        return SourceEntry(digest, previous.record, previous.problems, signature), None
    src_path = f"content/{rel}"
    record, found, text = _parse_source(data, src_path, section_of(rel), digest, config)
    return SourceEntry(digest, record, tuple(found), signature), text if keep_text else None


def _holds(previous: SourceEntry | None, signature: tuple | None) -> bool:
    """True when a file's previous entry is proven to hold by its stat signature (None for
    a file that just changed: never proven)."""
    return previous is not None and signature is not None and previous.signature == signature


def _load_one(item: tuple) -> tuple[SourceEntry, str | None] | None:
    """`load_source(*item)`; None for a file deleted since the walk (a function of this
    module, which forked workers find by its name)."""
    try:
        return load_source(*item)
    except FileNotFoundError:
        return None


def load_records(site_dir: Path, config: SiteConfig, known: Mapping[str, SourceEntry] | None = None,
                 walked: Walk | None = None, map_sources: Callable[[Callable, list], Iterable] = map) -> Loaded:
    """Read every source under `site_dir/content`: records, problems, and the loaded form
    of every Markdown file (`SourceEntry`).

    `known` is that mapping from a previous build: a file whose stat signature is unchanged
    is not read, and one whose bytes still hash to the same digest is not parsed again
    (its problems are reported again all the same). `walked`: the folder's walk, when the
    caller has made it. The files to read are read by `map_sources(_load_one, items)`, in
    order: the pipeline's maps them over worker processes when there are many (a cold build).
    """
    content = site_dir / "content"
    known = known or {}
    now_ns = time_ns()
    problems: list[Problem] = []
    site_problems: list[Problem] = []
    parsed: dict[str, Any] = {}
    texts: dict[str, str] = {}
    articles, authors, pages, assets = [], [], [], {}
    kept = planned = 0
    files, walk_problems = walked or walk(content)
    site_problems += walk_problems
    markdown: list[tuple[str, str, SourceEntry | None, tuple]] = []
    """Each Markdown file in order: (src_path, section, its previous entry when that holds,
    else None, what `load_source` is given)."""
    for rel, stat in files:
        src_path = f"content/{rel}"
        if not is_markdown(rel):
            assets[rel] = stat_signature(stat, now_ns)
            if looks_like_post(content, rel):
                site_problems.append(warning(SourceLoc(src_path, 1), "this looks like a post (it starts with front "
                                             "matter) but is not Markdown: it is copied as it is, front matter "
                                             "and all", "rename it to .md (HTML is valid Markdown), or move it "
                                             "out of content/articles/"))
            continue
        section = section_of(rel)
        if section is None:
            site_problems.append(warning(SourceLoc(src_path), "Markdown file outside content/articles, "
                                         "content/authors and content/pages is ignored"))
            continue
        previous = known.get(src_path)
        held = previous if _holds(previous, stat_signature(stat, now_ns)) else None
        # A text the budget will not keep is not sent back by a worker (50,000 bodies, 300 MB):
        # the files' sizes, in order, say which ones it will keep.
        keep_text = planned < TEXT_BUDGET
        if held is None and keep_text:
            planned += stat.st_size
        markdown.append((src_path, section, held, (content, rel, stat, previous, config, now_ns, keep_text)))
    # An entry that holds is kept as it is, here: a worker would send back a copy of it, which
    # the next save would take for a changed entry. The others are read by `map_sources`.
    read = iter(map_sources(_load_one, [item for _, _, held, item in markdown if held is None]))
    for src_path, section, held, item in markdown:
        loaded = (held, None) if held is not None else next(read)
        if loaded is None:
            continue  # deleted since the walk: the site no longer has it
        entry, text = loaded
        parsed[src_path] = entry
        if text is not None and kept < TEXT_BUDGET:
            texts[src_path] = text
            kept += len(text)
        problems += entry.problems
        if entry.record is not None:
            {"articles": articles, "authors": authors, "pages": pages}[section].append(entry.record)
    records = Records(tuple(articles), tuple(authors), tuple(pages), tuple(assets))
    return Loaded(records, problems + site_problems, site_problems, parsed, texts, assets)


def read_body(site_dir: Path, src_path: str, body_line: int) -> str:
    """Return the Markdown body of a source file: its text from `body_line` (the record's),
    as `source.parse_document` cuts it, without parsing the front matter again. The file
    may have changed since it was planned: `body_digest` of the text says what was read."""
    with open(site_dir / src_path, "rb") as handle:
        return "\n".join(decode_text(handle.read(), src_path).split("\n")[body_line - 1:])


def body_digest(body_line: int, body: str) -> str:
    """Return the hash of a Markdown body and the line it starts at (a record's `body_digest`)."""
    return hashlib.blake2b(f"{body_line}\n{body}".encode(), digest_size=12).hexdigest()


def _parse_source(data: bytes, src_path: str, section: str, digest: str, config: SiteConfig):
    """Parse and validate one Markdown file. Return (record or None, problems, body text)."""
    problems: list[Problem] = []
    try:
        doc = parse_document(decode_text(data, src_path), src_path)
    except SourceError as exc:
        return None, [exc.problem], ""
    problems.extend(doc.problems)
    if found := NOT_XML.search(doc.body):  # left out when converted (markup)
        problems.append(warning(SourceLoc(src_path, doc.body_line + doc.body.count("\n", 0, found.start())),
                                f"the text contains control characters ({describe_not_xml(doc.body)}): "
                                f"{NOT_XML_FIX}", NOT_XML_HINT))
    problems += leftover_markup(doc.body, src_path, doc.body_line)
    checker = _Checker(doc, problems)
    digests = (digest, body_digest(doc.body_line, doc.body))
    if section == "articles":
        record = _load_article(doc, checker, config, digests)
    elif section == "authors":
        record = _load_author(doc, checker, config, digests)
    else:
        record = _load_page(doc, checker, config, digests)
    return record, problems, doc.body


_LEFTOVER = re.compile(r"\{%-?\s*[a-z_]+|\{\{[<%]|\{\{\s*(?:site|page|post|include|content)\.")
"""A Liquid tag (`{% highlight %}`), a Hugo shortcode (`{{< youtube >}}`) or a Liquid
variable of Jekyll (`{{ site.url }}`): another generator's markup, which Markdown prints
as it is."""
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")


def leftover_markup(body: str, src_path: str, body_line: int) -> list[Problem]:
    """Warn at each line of a body (outside code) with another generator's template markup,
    once per body and kind."""
    problems: list[Problem] = []
    if "{%" not in body and "{{" not in body:
        return problems
    fence = None
    seen = set()
    for number, line in enumerate(body.split("\n")):
        if match := _FENCE.match(line):
            fence = None if fence and match[1][0] == fence[0] and len(match[1]) >= len(fence) else fence or match[1]
            continue
        if fence or line.startswith(("    ", "\t")):
            continue
        for found in _LEFTOVER.finditer(re.sub(r"`+[^`]*`+", "", line)):
            what = "Hugo shortcode" if found[0].startswith(("{{<", "{{%")) else "Liquid tag" \
                if found[0].startswith("{%") else "Liquid variable"
            if what not in seen:
                seen.add(what)
                problems.append(warning(SourceLoc(src_path, body_line + number),
                                        f"a {what} ({found[0].strip()}…) is shown as it is: Broadsheet "
                                        "does not run another generator's templates",
                                        "write it in Markdown or HTML (a code block keeps it as text)"))
    return problems


POST_LIKE_SUFFIXES = (".html", ".htm", ".txt", ".mkd", ".mkdn", ".mdwn", ".mdtxt", ".textile", ".adoc",
                      ".asciidoc", ".rst", ".org")
"""What a post of another generator may be written as, besides Markdown: a file of these
under content/articles/ that starts with front matter is warned about, not copied silently."""


def looks_like_post(content: Path, rel: str) -> bool:
    """True for a file under content/articles/ that is not Markdown but starts like a post:
    with front matter (`---` or Hugo's `+++`)."""
    if not rel.startswith("articles/") or not (rel.endswith(POST_LIKE_SUFFIXES) or "." not in rel.rsplit("/", 1)[-1]):
        return False
    try:
        with open(content / rel, "rb") as handle:
            start = handle.read(8)
    except OSError:
        return False
    return start.lstrip(b"\xef\xbb\xbf").startswith((b"---", b"+++"))


def walk(content: Path) -> Walk:
    """Return every file under content/ as (path relative to it, its stat), sorted, skipping
    hidden files and folders and editors' backups (`x~`), and the problems met: a symbolic
    link to a file outside content/, or into a hidden file or folder there, is skipped with
    a warning (the site publishes only its own content: not `.git/config`, say). Strings,
    not Path objects: this runs on every build."""
    found: list[tuple[str, os.stat_result]] = []
    problems: list[Problem] = []
    real_content = content.resolve()

    def scan(folder: str, prefix: str) -> None:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.startswith(".") or entry.name.endswith("~"):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    scan(entry.path, prefix + entry.name + "/")
                elif entry.is_file():
                    if entry.is_symlink() and not _links_inside(entry.path, real_content):
                        where = "content/ (or into a hidden folder)" \
                            if Path(entry.path).resolve().is_relative_to(real_content.parent) else "the site folder"
                        problems.append(warning(SourceLoc(f"content/{prefix}{entry.name}"),
                                                f"a link to a file outside {where}: not published",
                                                "copy the file into content/ instead"))
                        continue
                    found.append((prefix + entry.name, entry.stat()))

    if content.is_dir():
        scan(str(content), "")
    found.sort(key=lambda item: item[0])
    return found, problems


def _links_inside(path: str, real_content: Path) -> bool:
    """True when the link at `path` leads to a file in content/ whose path there has no
    hidden part (nor an editor's backup)."""
    target = Path(path).resolve()
    if not target.is_relative_to(real_content):
        return False
    return not any(part.startswith(".") or part.endswith("~") for part in target.relative_to(real_content).parts)


class _Checker:
    """Typed access to one document's fields, recording a problem for each bad value."""

    def __init__(self, doc: Document, problems: list[Problem]):
        self.doc = doc
        self.problems = problems
        self.failed = False

    def loc(self, key: str) -> SourceLoc:
        return self.doc.loc(key)

    def error(self, key: str, message: str, hint: str | None = None) -> None:
        self.failed = True
        self.problems.append(error(self.loc(key), message, hint))

    def warn(self, key: str, message: str, hint: str | None = None) -> None:
        self.problems.append(warning(self.loc(key), message, hint))

    def unknown_fields(self, known: tuple[str, ...]) -> dict[str, Any]:
        extra = {}
        for key, value in self.doc.meta.items():
            if key in known:
                continue
            guess = did_you_mean(key, known)
            if guess:
                self.warn(key, f"unknown field '{key}'", f"did you mean '{guess}'?")
            extra[key] = value
        return extra

    def text(self, key: str, value: Any, source: Any, *, where: str | None = None) -> str | None:
        """Return `value` as text; YAML's booleans, numbers and dates become their source text."""
        name = where or key
        if isinstance(value, str):
            if NOT_XML.search(value):  # issue 10: YAML escapes ("\v", "\0") let them in
                self.warn(key, f"'{name}' contains control characters ({describe_not_xml(value)}): "
                          f"{NOT_XML_FIX}", NOT_XML_HINT)
                return strip_not_xml(value)
            return value
        if isinstance(value, (bool, int, float, date)) and isinstance(source, str):
            kind = {bool: "a boolean", int: "a number", float: "a number"}.get(type(value), "a date")
            self.warn(key, f"'{name}': YAML reads {source!r} as {kind}; it is used as the text '{source}'",
                      f"put it in quotes: \"{source}\"")
            return source
        if value is None:
            return None
        self.error(key, f"'{name}' must be text, not {_describe(value)}")
        return None

    def optional_text(self, key: str) -> str | None:
        if key not in self.doc.meta:
            return None
        value = self.text(key, self.doc.meta[key], self.doc.text.get(key))
        return value.strip() or None if value is not None else None

    def required_text(self, key: str) -> str | None:
        if key not in self.doc.meta:
            self.failed = True
            self.problems.append(error(SourceLoc(self.doc.src_path, 1), f"'{key}' is required",
                                       f"add a line such as '{key}: ...' to the front matter"))
            return None
        before = len(self.problems)
        value = self.optional_text(key)
        if value is None and not any(p.is_error for p in self.problems[before:]):
            self.error(key, f"'{key}' must not be empty")
        return value

    def boolean(self, key: str) -> bool:
        value = self.doc.meta.get(key, False)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.error(key, f"'{key}' must be true or false, not {_describe(value)}")
            return False
        return value

    def datetime(self, key: str, tz) -> datetime | None:
        value = self.doc.meta[key]
        source = self.doc.text.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            self.error(key, f"'{key}' must not be empty", "write it as 2026-11-24 or 2026-11-24 14:30")
            return None
        parsed = parse_datetime(value, tz)
        shown = source if isinstance(source, str) else value
        if parsed is None:
            self.error(key, f"'{key}': cannot read {str(shown)!r} as a date",
                       "write it as 2026-11-24 or 2026-11-24 14:30 (optionally with +01:00)")
        elif not is_date_in_range(parsed, tz):
            self.error(key, f"'{key}': {str(shown)!r} is out of range",
                       f"a date must fall in the years {FIRST_YEAR} to {LAST_YEAR}, in UTC and in the site's time zone")
            return None
        return parsed

    def string_list(self, key: str, *, split_commas: bool) -> list[str]:
        value = self.doc.meta.get(key)
        source = self.doc.text.get(key)
        if value is None:
            return []
        if isinstance(value, str) or not isinstance(value, list):
            text = self.text(key, value, source)
            if text is None:
                return []
            items = text.split(",") if split_commas else [text]
            return [item.strip() for item in items if item.strip()]
        result = []
        for index, item in enumerate(value):
            item_source = source[index] if isinstance(source, list) and index < len(source) else None
            if isinstance(item, (list, dict)):
                self.error(key, f"'{key}' must be a list of text, but item {index + 1} is {_describe(item)}")
                continue
            text = self.text(key, item, item_source, where=f"{key}[{index + 1}]")
            if text and text.strip():
                result.append(text.strip())
        return result

    def language(self, key: str, site_language: str) -> str | None:
        """Return a language tag other than the site's, or None (the site's, or a problem)."""
        value = self.optional_text(key)
        if value is None or value == site_language:
            return None
        wrong = check_language(value)
        if wrong:
            self.error(key, f"'{key}': {wrong}", "use a language tag such as en, de, fr, pt-BR, zh, ja or ar")
            return None
        return value

    def aliases(self, key: str, config: SiteConfig) -> tuple[str, ...]:
        """Return the old site paths a file lists under `key` (each `/…`; an absolute URL of
        the site is taken as its path), reporting one that is no path of the site."""
        found = []
        for alias in self.string_list(key, split_commas=False):
            if alias.startswith(config.base_url):
                alias = "/" + alias[len(config.base_url):]
            parts = urlsplit(alias)
            if parts.scheme or parts.netloc or not alias.startswith("/"):
                self.error(key, f"'{key}': {alias!r} is not a path of the site",
                           "write the old address as a path from the site's root, e.g. /2016/08/old-title/")
            elif parts.query or parts.fragment:
                self.error(key, f"'{key}': {alias!r} has a query or fragment, which a static site cannot answer",
                           "list its path alone, or redirect it in your web server's configuration")
            elif any(part in (".", "..") for part in alias.split("/")) or "\\" in alias or "\0" in alias:
                self.error(key, f"'{key}': {alias!r} leaves the site or is not a plain path",
                           "write the old address without '.' or '..'")
            else:
                found.append(alias)
        return tuple(dict.fromkeys(found))

    def url(self, key: str) -> str | None:
        value = self.optional_text(key)
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            self.error(key, f"'{key}': {value!r} is not an absolute http(s) URL")
            return None
        return value

    def slug(self, fallback: str, style: str) -> str | None:
        unit = "characters" if style == "ascii" else "bytes in UTF-8"
        if "slug" in self.doc.meta:
            given = self.optional_text("slug")
            if given is None:
                self.error("slug", "'slug' must not be empty")
                return None
            slug = slugify(given, style)
            if not slug:
                self.error("slug", f"'slug': {given!r} has no letters or digits to make a URL from")
                return None
            if slug_size(slug) > MAX_SLUG_LENGTH:
                self.error("slug", f"'slug' is too long: {slug_size(slug)} {unit} (at most {MAX_SLUG_LENGTH})",
                           "shorten it: the slug names a folder of the output")
                return None
            if slug != given:
                self.warn("slug", f"'slug': {given!r} is not a URL slug; '{slug}' is used",
                          "a slug has only lowercase letters a-z, digits and '-'" if style == "ascii" else
                          "a slug has only lowercase letters, marks and digits, and '-'")
            return slug
        slug = slugify(fallback, style)
        if not slug:
            self.error("slug", f"cannot make a URL slug from the file name {fallback!r}",
                       "add a 'slug:' field with letters and digits")
            return None
        if slug_size(slug) > MAX_SLUG_LENGTH:
            self.error("slug", f"the file name makes a slug of {slug_size(slug)} {unit} (at most {MAX_SLUG_LENGTH})",
                       "add a shorter 'slug:' field, or rename the file")
            return None
        return slug


def _describe(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"{type(value).__name__} {value!r}"


FIRST_YEAR, LAST_YEAR = 1, 9998
"""The years a date may have, in UTC and in the site's time zone: a date at the edge of
what Python can represent (0001-01-01 with +05:00, 9999-12-31 with -05:00) cannot be
converted to either, and every page shows its date converted (issue 10)."""


def is_date_in_range(when: datetime, tz) -> bool:
    """True when `when`, converted to UTC and to `tz`, falls in FIRST_YEAR..LAST_YEAR."""
    try:
        converted = (when.astimezone(timezone.utc), when.astimezone(tz))
    except (OverflowError, ValueError):
        return False
    return all(FIRST_YEAR <= moment.year <= LAST_YEAR for moment in converted)


def parse_datetime(value: Any, tz) -> datetime | None:
    """Return an aware datetime from a YAML date/datetime or an ISO 8601 string, else None."""
    if isinstance(value, datetime):
        result = value
    elif isinstance(value, date):
        result = datetime.combine(value, time())
    elif isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            result = datetime.fromisoformat(text)
        except ValueError:
            return None
    else:
        return None
    if result.tzinfo is None:
        result = result.replace(tzinfo=tz)
    return result


def _load_article(doc: Document, check: _Checker, config: SiteConfig, digests: tuple[str, str]) -> ArticleRecord | None:
    extra = check.unknown_fields(ARTICLE_FIELDS)
    title = check.required_text("title")
    published = None
    if "date" not in doc.meta:
        check.required_text("date")
    else:
        published = check.datetime("date", config.tz)
    updated = check.datetime("updated", config.tz) if doc.meta.get("updated") is not None else None
    if published and updated and updated < published:
        check.warn("updated", "'updated' is earlier than 'date'", "check the year and month of both")
    if "author" in doc.meta and "authors" in doc.meta:
        check.error("author", "use either 'author' or 'authors', not both")
    author_key = "authors" if "authors" in doc.meta else "author"
    authors = check.string_list(author_key, split_commas=False)
    tags = check.string_list("tags", split_commas=True)
    if len(tags) > MAX_TAGS:
        # Every tag has a page and a feed showing the article with all its tags: k tags make
        # k² links (issue 10: 5,000 tags did not build in 240 s).
        check.warn("tags", f"'tags': {len(tags)} tags, only the first {MAX_TAGS} are used",
                   f"an article has at most {MAX_TAGS} tags: keep the ones readers would follow")
        tags = tags[:MAX_TAGS]
    for tag in tags:
        if not slugify(tag, config.slugs):
            check.error("tags", f"tag {tag!r} has no letters or digits to make a URL from")
    image = _image(check, "image")
    slug = check.slug(stem_of(doc.src_path), config.slugs)
    draft = check.boolean("draft")
    record_fields = dict(
        subtitle=check.optional_text("subtitle"), summary=check.optional_text("summary"),
        credits=check.optional_text("credits"), canonical_url=check.url("canonical_url"),
        language=check.language("language", config.language), translation_key=check.optional_text("translation_key"),
        aliases=check.aliases("aliases", config),
    )
    if check.failed or title is None or published is None or slug is None:
        return None
    return ArticleRecord(
        src_path=doc.src_path, slug=slug, title=title, date=published, updated=updated,
        author_refs=tuple(authors), tags=tuple(tags), image=image, draft=draft,
        body_line=doc.body_line, digest=digests[0], body_digest=digests[1], key_lines=doc.key_lines,
        extra=extra, **record_fields,
    )


def _image(check: _Checker, key: str) -> Image | None:
    value = check.doc.meta.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        if not value.strip():
            return None
        check.warn(key, "the image has no alt text", "write image: {src: ..., alt: 'what the picture shows'}")
        return Image(src=value.strip())
    if not isinstance(value, dict):
        check.error(key, f"'{key}' must be a path or a mapping with src, alt, caption, credit")
        return None
    known = ("src", "alt", "caption", "credit")
    for name in value:
        if name not in known:
            guess = did_you_mean(str(name), known)
            check.warn(key, f"'{key}' has an unknown field '{name}'", f"did you mean '{guess}'?" if guess else
                       "the fields are src, alt, caption and credit")
    texts = check.doc.text.get(key) if isinstance(check.doc.text.get(key), dict) else {}
    parts = {name: check.text(key, value.get(name), texts.get(name), where=f"{key}.{name}") or ""
             for name in known}
    if not parts["src"].strip():
        check.error(key, f"'{key}' needs a 'src'")
        return None
    if not parts["alt"].strip():
        check.warn(key, "the image has no alt text", "add alt: 'what the picture shows' for readers who cannot see it")
    return Image(**{name: text.strip() for name, text in parts.items()})


def _load_author(doc: Document, check: _Checker, config: SiteConfig, digests: tuple[str, str]) -> AuthorRecord | None:
    extra = check.unknown_fields(AUTHOR_FIELDS)
    author_id = stem_of(doc.src_path)
    base, _, code = author_id.rpartition(".")
    language = code if base and any(edition.code == code for edition in config.languages) else None
    if language:
        author_id = base  # ana.de.md: Ana's profile in German
    if slugify(author_id, config.slugs) != author_id:
        check.error("name", f"author file name {author_id!r} is not a valid id",
                    f"rename the file to content/authors/{slugify(author_id, config.slugs) or 'name'}.md")
    name = check.required_text("name")
    role = check.optional_text("role")
    avatar = check.optional_text("avatar")
    links: list[tuple[str, str]] = []
    raw = doc.meta.get("links")
    if raw is not None:
        if not isinstance(raw, dict):
            check.error("links", "'links' must be a mapping such as {website: https://..., mastodon: '@me@host'}")
        else:
            texts = doc.text.get("links") if isinstance(doc.text.get("links"), dict) else {}
            for kind, value in raw.items():
                text = check.text("links", value, texts.get(str(kind)), where=f"links.{kind}")
                if text:
                    links.append((str(kind), text.strip()))
    if check.failed or name is None:
        return None
    return AuthorRecord(doc.src_path, author_id, name, role, avatar, tuple(links), language, doc.body_line,
                        *digests, doc.key_lines, extra)


def _load_page(doc: Document, check: _Checker, config: SiteConfig, digests: tuple[str, str]) -> PageRecord | None:
    extra = check.unknown_fields(PAGE_FIELDS)
    title = check.required_text("title")
    slug = check.slug(stem_of(doc.src_path), config.slugs)
    draft = check.boolean("draft")
    language = check.language("language", config.language)
    translation_key = check.optional_text("translation_key")
    aliases = check.aliases("aliases", config)
    if check.failed or title is None or slug is None:
        return None
    return PageRecord(doc.src_path, slug, title, draft, language, translation_key, aliases, doc.body_line,
                      *digests, doc.key_lines, extra)
