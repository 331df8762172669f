"""`python build.py import hugo DIR`: a Hugo site's source tree, read into a `SourceSite`.

Owns what is Hugo's: its configuration (one file, or `config/_default/` and
`config/production/`, keys in any case), its content tree (sections, leaf bundles,
`_index.md` list pages, headless bundles, translations), front matter in YAML, TOML or
JSON, Hugo's dates and time zone, and the records of a site read (`HugoConfig`,
`HugoPage`). The address each page had and its `aliases` are `hugo_addresses`'s, the
shortcodes of its bodies `shortcodes`'s. Maps no front matter field to Broadsheet's and
writes nothing: `staticsite` plans the import.
A configuration or front matter that does not parse, or a date that is no date, is a
`SiteErrors` (exit 2) naming the file and line.
"""

from __future__ import annotations

import email.utils
import json
import os
import posixpath
import re
import tomllib
from dataclasses import dataclass, replace
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Any, Iterator, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..errors import Problem, SiteErrors, SourceLoc, error, warning
from ..source import SourceError, decode_text, load_yaml_mapping
from .hugo_addresses import UrlContext, old_url_of, with_absolute_aliases
from .shortcodes import PageIndex, convert_body
from .staticsite import SourceAuthor, SourceItem, SourceSite

CONFIG_FILES = tuple(f"{stem}.{ext}" for stem in ("hugo", "config") for ext in ("toml", "yaml", "yml", "json"))
"""The configuration file at the root, the first found."""
CONFIG_DIRS = ("config/_default", "config/production")
"""Hugo's configuration folders, merged in this order (`hugo` builds for production)."""
MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown")
HTML_SUFFIXES = (".html", ".htm")
OTHER_FORMATS = (".adoc", ".asciidoc", ".org", ".rst", ".pdc", ".pandoc")
"""Content Hugo renders with external tools: not imported."""
DATE_KEYS = ("date", "publishDate", "pubdate", "published", "lastmod", "modified", "expiryDate", "unpublishdate")
"""Front matter fields that hold a date (parsed, in the site's time zone when naive)."""
PUBLISHED_KEYS = ("date", "publishDate", "pubdate", "published")
"""Where a page's date comes from, the first present."""
KNOWN_KEYS = ("title", *DATE_KEYS, "draft", "slug", "url", "aliases", "author", "authors", "categories", "category",
              "tags", "summary", "description", "images", "image", "featured_image", "cover", "subtitle",
              "canonicalURL", "headless", "build", "_build", "params")
"""Fields whose case Hugo ignores (`PublishDate`) and that are given in this spelling."""
TEXT_KEYS = ("title", "slug", "url", "aliases", "author", "authors", "categories", "category", "tags", "summary",
             "description", "subtitle")
"""Fields that are text: taken as written where YAML read a number or boolean (`title: 1984`)."""


# --------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class HugoConfig:
    """What the import needs of a Hugo site's configuration."""

    src_path: str
    """The configuration file (or folder) as shown in messages."""
    base_url: str = ""
    """`baseURL`, ending with `/`; '' when it is no absolute http(s) URL."""
    content_dir: str = "content"
    static_dirs: tuple[str, ...] = ("static",)
    permalinks: Mapping[str, str] | None = None
    """Section (`/` for the content root) → the pattern of its regular pages."""
    ugly_urls: bool | Mapping[str, bool] = False
    """True for the whole site, or per section."""
    timezone: str | None = None
    tz: tzinfo | None = None
    main_sections: tuple[str, ...] = ()
    language: str = "en"
    """`defaultContentLanguage`: the language imported."""
    other_languages: tuple[str, ...] = ()
    language_dirs: tuple[str, ...] = ()
    """Content folders of the other languages (`content/de`), relative to the root."""
    language_prefix: str = ""
    """`/en` when `defaultContentLanguageInSubdir`: the default language's addresses start with it."""
    path_to_lower: bool = True
    remove_path_accents: bool = False
    date_from_filename: bool = False
    """`[frontmatter] date = [":filename", …]`: `2024-03-01-flood.md` is dated and named by its file name."""
    ignore_files: tuple[re.Pattern, ...] = ()


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """A content file split: its front matter as parsed, and its body."""

    fields: dict[str, Any]
    key_lines: Mapping[str, int]
    """File line of each top-level key (1 when unknown)."""
    body: str
    body_line: int
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True, slots=True)
class HugoPage:
    """A regular page of the content tree, read but with its body's shortcodes not yet converted."""

    src_path: str
    """Relative to the site root: `content/posts/flood/index.md`."""
    content_path: str
    """Relative to the content folder, without the language: `posts/flood/index.md`."""
    logical_path: str
    """The page's path in the content tree: `posts/flood` for a bundle's `index.md` or for `posts/flood.md`."""
    front: FrontMatter
    is_html: bool
    date: datetime | date | None
    slug: str
    old_url: str | None
    kind: str
    draft: bool
    bundle: tuple[tuple[str, Path], ...] = ()
    notes: tuple[tuple[int, str, str | None], ...] = ()


@dataclass(frozen=True, slots=True)
class ContentWalk:
    """What the content folder holds: pages read, what was not imported, notes."""

    pages: tuple[HugoPage, ...]
    skipped: tuple[tuple[str, str, int], ...]
    notes: tuple[Problem, ...]


# --------------------------------------------------------------------------- the reader


def read_hugo(root: Path, shown: str) -> SourceSite:
    """Read the Hugo site at `root` (`shown` is how the user named it).

    Raises SiteErrors (exit 2) for a configuration or front matter that does not parse or a
    date that is no date, every one of them found; reads, never writes."""
    config, config_notes = read_config(root, shown)
    walk = walk_content(root, shown, config)
    index = PageIndex(walk.pages)
    items = tuple(source_item(page, convert_body(page, index)) for page in walk.pages)
    static = tuple(root / folder for folder in config.static_dirs if (root / folder).is_dir())
    return SourceSite(system="Hugo", shown=shown, items=items,
                      base_urls=(config.base_url,) if config.base_url else (), static_roots=static,
                      authors=read_authors(root, shown), skipped=walk.skipped,
                      notes=(*config_notes, *walk.notes), timezone=config.timezone)


def source_item(page: HugoPage, body: tuple[str, tuple[tuple[int, str, str | None], ...]]) -> SourceItem:
    """Return the `SourceItem` of a page whose body is converted."""
    markdown, notes = body
    return SourceItem(src_path=page.src_path, kind=page.kind, front=page.front.fields, body=markdown,
                      body_line=page.front.body_line, date=page.date, slug=page.slug, old_url=page.old_url,
                      draft=page.draft, bundle=page.bundle, notes=(*page.notes, *notes))


def shown_path(shown: str, src_path: str) -> str:
    """Return a file of the old site as the user can open it: `hugo-site/content/x.md`."""
    return src_path if shown in ("", ".") else f"{shown.rstrip('/')}/{src_path}"


# --------------------------------------------------------------------------- configuration


def read_config(root: Path, shown: str) -> tuple[HugoConfig, tuple[Problem, ...]]:
    """Return the site's configuration, merged from its file and folders, and warnings."""
    merged: dict[str, Any] = {}
    problems: list[Problem] = []
    read: list[str] = []
    for folder in CONFIG_DIRS:
        for path in sorted((root / folder).glob("*")) if (root / folder).is_dir() else ():
            stem, _, ext = path.name.partition(".")
            if ext in ("toml", "yaml", "yml", "json"):
                read.append(f"{folder}/{path.name}")
                values = read_data_file(path, shown_path(shown, read[-1]), "the configuration", problems)
                deep_merge(merged, values if stem in ("hugo", "config") else {stem: values})
    name = next((name for name in CONFIG_FILES if (root / name).is_file()), None)
    if name:
        deep_merge(merged, read_data_file(root / name, shown_path(shown, name), "the configuration", problems))
    where = shown_path(shown, name or (read[0] if read else CONFIG_FILES[0]))
    return hugo_config(lower_keys(merged), where), tuple(problems)


def read_data_file(path: Path, where: str, subject: str, problems: list[Problem]) -> dict[str, Any]:
    """Return a TOML, YAML or JSON file's mapping. Raises SiteErrors (exit 2) when it does not parse."""
    try:
        text = decode_text(path.read_bytes(), where)
    except SourceError as exc:
        raise SiteErrors([exc.problem], exit_code=2) from None
    kind = {".toml": "toml", ".json": "json"}.get(path.suffix, "yaml")
    values, _lines, found = parse_data(text, kind, where, 1, subject)
    problems.extend(p for p in found if not p.is_error)
    if any(p.is_error for p in found):
        raise SiteErrors(found, exit_code=2)
    return values


def parse_data(text: str, kind: str, where: str, first_line: int, subject: str
               ) -> tuple[dict[str, Any], Mapping[str, int], list[Problem]]:
    """Parse `text` (`kind`: toml, yaml or json) that must be a mapping; return it, the line
    of each top-level key, and problems (an error when it does not parse)."""
    if not text.strip() or (kind == "yaml" and all(not line.strip() or line.lstrip().startswith("#")
                                                  for line in text.split("\n"))):
        return {}, {}, []
    if kind == "yaml":
        try:
            meta, texts, key_lines, problems = load_yaml_mapping(text, where, first_line, subject=subject)
        except SourceError as exc:
            return {}, {}, [exc.problem]
        return written_text(meta, texts), key_lines, problems
    try:
        values = tomllib.loads(text) if kind == "toml" else json.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return {}, {}, [toml_problem(exc, text, where, first_line, subject)]
    except json.JSONDecodeError as exc:
        return {}, {}, [error(SourceLoc(where, exc.lineno + first_line - 1, exc.colno),
                              f"invalid JSON in {subject}: {exc.msg}", "check the commas, quotes and braces")]
    if not isinstance(values, dict):
        return {}, {}, [error(SourceLoc(where, first_line), f"{subject} must be an object of fields")]
    return values, key_lines_of(text, values, first_line), []


def toml_problem(exc: tomllib.TOMLDecodeError, text: str, where: str, first_line: int, subject: str) -> Problem:
    """Return a TOML error at its file line: tomllib says `… (at line 3, column 7)`, or
    `(at end of document)`."""
    found = re.search(r"\s*\(at line (\d+), column (\d+)\)$", str(exc))
    message = str(exc)[:found.start()] if found else re.sub(r"\s*\(at end of document\)$", "", str(exc))
    line = int(found[1]) + first_line - 1 if found else first_line + text.rstrip("\n").count("\n")
    return error(SourceLoc(where, line, int(found[2]) if found else None), f"invalid TOML in {subject}: {message}",
                 "strings need quotes (title = \"…\"), dates are written 2024-03-01T09:30:00")


def key_lines_of(text: str, values: Mapping[str, Any], first_line: int) -> dict[str, int]:
    """Return the line of each top-level key of TOML or JSON text: its first `key =` or `"key":`."""
    lines: dict[str, int] = {}
    for number, line in enumerate(text.split("\n")):
        found = re.match(r'\s*["\']?([^"\'=:\s]+)["\']?\s*[=:]', line)
        if found and found[1] in values:
            lines.setdefault(found[1], number + first_line)
    return lines


def written_text(meta: dict[str, Any], texts: Mapping[str, Any]) -> dict[str, Any]:
    """Return YAML's values with text fields as written where YAML read a number or boolean."""
    fields = dict(meta)
    for key, value in meta.items():
        if key.lower() in TEXT_KEYS and is_misread(value):
            fields[key] = texts.get(key, value)
    return fields


def is_misread(value: Any) -> bool:
    """True for a boolean or number, or a list holding one, where text was meant."""
    if isinstance(value, list):
        return any(is_misread(item) for item in value)
    return isinstance(value, (bool, int, float, date))


def deep_merge(into: dict[str, Any], values: Mapping[str, Any]) -> None:
    """Merge `values` into `into`; mappings merge key by key (compared in lower case), later values win."""
    lowered = {key.lower(): key for key in into}
    for key, value in values.items():
        existing = lowered.get(str(key).lower(), key)
        if isinstance(value, Mapping) and isinstance(into.get(existing), dict):
            deep_merge(into[existing], value)
        else:
            into[existing] = dict(value) if isinstance(value, Mapping) else value


def lower_keys(value: Any) -> Any:
    """Return `value` with the keys of every mapping in it lower-cased, as Hugo reads configuration."""
    if isinstance(value, Mapping):
        return {str(key).lower(): lower_keys(item) for key, item in value.items()}
    if isinstance(value, list):
        return [lower_keys(item) for item in value]
    return value


def hugo_config(values: Mapping[str, Any], where: str) -> HugoConfig:
    """Return the configuration of lower-cased `values`. Raises SiteErrors for an unknown time zone."""
    languages = mapping(values.get("languages"))
    language = str(values.get("defaultcontentlanguage") or "en").lower()
    own = mapping(languages.get(language))
    others = tuple(sorted(str(key) for key in languages if key != language))
    zone = own.get("timezone") or values.get("timezone")
    front_dates = mapping(values.get("frontmatter")).get("date")
    statics = values.get("staticdir") or "static"
    return HugoConfig(
        src_path=where, base_url=base_url_of(str(values.get("baseurl") or "")),
        content_dir=str(own.get("contentdir") or values.get("contentdir") or "content").strip("/"),
        static_dirs=tuple(str(s).strip("/") for s in as_list(statics)),
        permalinks=permalink_patterns(own.get("permalinks") or values.get("permalinks")),
        ugly_urls=ugly_setting(values.get("uglyurls")),
        timezone=str(zone) if zone else None, tz=time_zone(zone, where) if zone else None,
        main_sections=tuple(str(s).lower() for s in as_list(mapping(values.get("params")).get("mainsections"))),
        language=language, other_languages=others,
        language_dirs=tuple(str(languages[key].get("contentdir")).strip("/") for key in others
                            if isinstance(languages[key], Mapping) and languages[key].get("contentdir")),
        language_prefix=f"/{language}" if values.get("defaultcontentlanguageinsubdir") else "",
        path_to_lower=not values.get("disablepathtolower"),
        remove_path_accents=bool(values.get("removepathaccents")),
        date_from_filename=":filename" in as_list(front_dates),
        ignore_files=tuple(re.compile(str(p)) for p in as_list(values.get("ignorefiles")) if valid_pattern(str(p))))


def mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def as_list(value: Any) -> list:
    return value if isinstance(value, list) else [] if value is None else [value]


def valid_pattern(pattern: str) -> bool:
    try:
        re.compile(pattern)
    except re.error:
        return False
    return True


def base_url_of(value: str) -> str:
    """Return `baseURL` ending with `/`, or '' when it is not an absolute http(s) URL."""
    if not re.match(r"https?://[^/]", value, re.IGNORECASE):
        return ""
    return value if value.endswith("/") else value + "/"


def permalink_patterns(value: Any) -> Mapping[str, str]:
    """Return section → pattern for regular pages, from `permalinks` in its old form
    (`{posts: …}`) or its newer one (`{page: {posts: …}, section: {…}}`)."""
    if not isinstance(value, Mapping):
        return {}
    kinds = ("page", "section", "taxonomy", "term")
    if any(isinstance(value.get(kind), Mapping) for kind in kinds):
        value = value.get("page") if isinstance(value.get("page"), Mapping) else {}
    return {str(section).strip("/").lower() or "/": str(pattern) for section, pattern in value.items()
            if isinstance(pattern, str)}


def ugly_setting(value: Any) -> bool | Mapping[str, bool]:
    if isinstance(value, Mapping):
        return {str(section).lower(): bool(flag) for section, flag in value.items()}
    return bool(value)


def time_zone(name: Any, where: str) -> tzinfo:
    """Return the zone `timeZone` names. Raises SiteErrors (exit 2) for one that does not exist."""
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        raise SiteErrors([error(SourceLoc(where), f"timeZone '{name}' is no time zone",
                                "use a name of the tz database, such as Europe/London")], exit_code=2) from None


# --------------------------------------------------------------------------- the content tree


def walk_content(root: Path, shown: str, config: HugoConfig) -> ContentWalk:
    """Read every regular page of the content folder. Raises SiteErrors (exit 2) with every
    front matter or date that does not parse."""
    content = root / config.content_dir
    pages: list[HugoPage] = []
    problems: list[Problem] = []
    skipped: dict[tuple[str, str], int] = {}
    language_dirs = {root / folder for folder in config.language_dirs}
    for folder, files in content_folders(content, config, language_dirs):
        leaf = next((name for name in files if folder != content and is_index(name, "index", config)), None)
        for name in sorted(files):
            rel = (folder / name).relative_to(root).as_posix()
            what = skip_reason(name, config, leaf is not None)
            if what == BUNDLE_FILE:
                continue
            if what:
                skipped[what] = skipped.get(what, 0) + 1
                if what[0].startswith("section"):
                    note_section_page(folder / name, rel, shown, problems)
                continue
            try:
                page = read_page(root, folder / name, rel, shown, config, leaf is not None)
            except SiteErrors as exc:
                problems.extend(exc.problems)
                continue
            if page is None:
                skipped[HEADLESS] = skipped.get(HEADLESS, 0) + 1
                problems.append(warning(SourceLoc(shown_path(shown, rel), 1), "a headless bundle (never "
                                        "published as a page): not imported", "copy what its pages used by hand"))
                continue
            pages.append(page)
            problems.extend(page.front.problems)
    language_files = sum(1 for folder in language_dirs for path in folder.rglob("*") if path.is_file()
                         and path.suffix in (*MARKDOWN_SUFFIXES, *HTML_SUFFIXES))
    if language_files:
        key = translations_reason(config)
        skipped[key] = skipped.get(key, 0) + language_files
    if any(p.is_error for p in problems):
        raise SiteErrors(problems, exit_code=2)
    if any(what == translations_reason(config) for what in skipped):
        problems.append(warning(SourceLoc(config.src_path), f"the content in {', '.join(config.other_languages)} "
                                f"({skipped[translations_reason(config)]} files) is not imported: only the default "
                                f"language's ({config.language})", TRANSLATION_HINT))
    return ContentWalk(tuple(pages), tuple((what, why, n) for (what, why), n in skipped.items()), tuple(problems))


SECTION_PAGES = ("section pages (_index.md)", "a section's list page is Broadsheet's tag or archive page")
HEADLESS = ("headless bundles", "Hugo never published them as pages")
OTHER_FORMAT = ("pages in AsciiDoc, Org, reStructuredText or Pandoc", "convert them to Markdown by hand")
BUNDLE_FILE = ("", "")
ADAPTERS = ("content adapters (_content.gotmpl)", "their pages are made by a template, not written in files")
TRANSLATION_HINT = "import a translation by hand: add language: and translation_key: to a copy of it"


def translations_reason(config: HugoConfig) -> tuple[str, str]:
    return ("pages in other languages", f"only the default language's ({config.language}) are imported")


def content_folders(content: Path, config: HugoConfig, excluded: set[Path]) -> Iterator[tuple[Path, list[str]]]:
    """Yield each folder of the content tree (sorted) with its file names, and for a leaf
    bundle (a folder with `index.md`) nothing below it: its files are its resources."""
    if not content.is_dir():
        return
    for folder, dirs, files in os.walk(content):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if not is_ignored(d) and here / d not in excluded)
        kept = [name for name in files if not is_ignored(name)
                and not any(p.search((here / name).relative_to(content).as_posix()) for p in config.ignore_files)]
        if here != content and any(is_index(name, "index", config) for name in kept):
            dirs[:] = []
        yield here, kept


def is_ignored(name: str) -> bool:
    """True for what Hugo never reads: hidden files, editors' backups."""
    return name.startswith((".", "#")) or name.endswith("~")


def split_language(name: str, config: HugoConfig) -> tuple[str, str, str | None]:
    """Return (stem, suffix, language) of a content file name: `flood.de.md` → (`flood`, `.md`, `de`)."""
    stem, suffix = posixpath.splitext(name)
    base, dot, code = stem.rpartition(".")
    if dot and code.lower() in (config.language, *config.other_languages):
        return base, suffix.lower(), code.lower()
    return stem, suffix.lower(), None


def is_index(name: str, stem: str, config: HugoConfig) -> bool:
    """True for `index.md` (`stem` index) or `_index.md`, in a content format, of the default language."""
    base, suffix, language = split_language(name, config)
    return base == stem and suffix in (*MARKDOWN_SUFFIXES, *HTML_SUFFIXES) and language in (None, config.language)


def skip_reason(name: str, config: HugoConfig, in_bundle: bool) -> tuple[str, str] | None:
    """Return (what, why) a file of the content tree is no page to import (BUNDLE_FILE: a
    resource of a bundle or a section, not counted), or None."""
    base, suffix, language = split_language(name, config)
    if name == "_content.gotmpl":
        return ADAPTERS
    if suffix not in (*MARKDOWN_SUFFIXES, *HTML_SUFFIXES, *OTHER_FORMATS):
        return BUNDLE_FILE
    if language not in (None, config.language):
        return translations_reason(config)
    if base == "_index":
        return SECTION_PAGES
    if in_bundle and base != "index":
        return BUNDLE_FILE
    if suffix in OTHER_FORMATS:
        return OTHER_FORMAT
    return None


def note_section_page(path: Path, rel: str, shown: str, problems: list[Problem]) -> None:
    """Note a section's `_index.md` whose body has text: that text is not imported."""
    try:
        text = decode_text(path.read_bytes(), rel)
    except SourceError:
        return
    front = split_front_matter(text, rel)
    if front.body.strip():
        problems.append(warning(SourceLoc(shown_path(shown, rel), front.body_line),
                                "a section's list page: its text is not imported",
                                "put it in an article or page, or in the site's description"))


def read_page(root: Path, path: Path, rel: str, shown: str, config: HugoConfig, is_bundle: bool) -> HugoPage | None:
    """Return the page of a content file, or None for a headless bundle. Raises SiteErrors
    for front matter or a date that does not parse."""
    where = shown_path(shown, rel)
    try:
        text = decode_text(path.read_bytes(), where)
    except SourceError as exc:
        raise SiteErrors([exc.problem], exit_code=2) from None
    front = split_front_matter(text, where)
    if any(p.is_error for p in front.problems):
        raise SiteErrors(front.problems, exit_code=2)
    fields = hugo_fields(front.fields)
    if is_headless(fields):
        return None
    fields = parse_dates(fields, front.key_lines, where, config.tz)
    content_path = path.relative_to(root / config.content_dir).as_posix()
    stem, _suffix, _language = split_language(path.name, config)
    parts = content_path.split("/")[:-1]
    name = parts.pop() if is_bundle and parts else stem
    filename_date, name = dated_name(name) if config.date_from_filename else (None, name)
    logical = "/".join([*parts, name])
    when = next((fields[key] for key in PUBLISHED_KEYS if fields.get(key) is not None), filename_date)
    draft = is_true(fields.get("draft"))
    section = parts[0].lower() if parts else ""
    kind, notes = page_kind(section, when, config)
    slug = str(fields.get("slug") or name)
    context = UrlContext(config, parts, name, section, sections_of(root / config.content_dir, parts), when)
    old_url = None if draft else old_url_of(fields, context)
    fields = with_absolute_aliases(fields, parts, config)
    bundle = bundle_files(path.parent, path.name, config) if is_bundle else ()
    front = replace(front, fields=fields)
    return HugoPage(src_path=rel, content_path=content_path, logical_path=logical, front=front,
                    is_html=path.suffix.lower() in HTML_SUFFIXES, date=when, slug=slug, old_url=old_url, kind=kind,
                    draft=draft, bundle=bundle, notes=notes + bundle_notes(path.parent, path.name, config))


def page_kind(section: str, when: datetime | date | None, config: HugoConfig) -> tuple[str, tuple]:
    """Return `article` for a dated page of a (main) section, else `page`; and a note when a
    dated page becomes a page."""
    if not section or when is None:
        return "page", ()
    if config.main_sections and section not in config.main_sections:
        return "page", ((0, f"dated, but its section '{section}' is not among params.mainSections: "
                            "imported as a page, without its date", "make it an article by hand if it is one"),)
    return "article", ()


def dated_name(name: str) -> tuple[date | None, str]:
    """Return the date and the rest of a Jekyll-style name (`2024-03-01-flood`), or (None, name)."""
    found = re.match(r"(\d{4}-\d{2}-\d{2})-(.+)$", name)
    if not found:
        return None, name
    try:
        return date.fromisoformat(found[1]), found[2]
    except ValueError:
        return None, name


def sections_of(content: Path, parts: list[str]) -> list[str]:
    """Return the section hierarchy of a page in folder `parts`: the top folder, then each
    nested folder that is a section (has an `_index` file), down to the first that is not."""
    sections: list[str] = []
    for depth, part in enumerate(parts):
        if depth and not any(content.joinpath(*parts[:depth + 1]).glob("_index.*")):
            break
        sections.append(part)
    return sections


def is_headless(fields: Mapping[str, Any]) -> bool:
    """True for a bundle Hugo never renders: `headless: true`, `build: {render: never}` (or `_build`)."""
    if is_true(fields.get("headless")):
        return True
    options = fields.get("build") or fields.get("_build")
    if not isinstance(options, Mapping):
        return False
    render = next((value for key, value in options.items() if str(key).lower() == "render"), "always")
    return render is False or str(render).lower() in ("never", "false")


def is_true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def hugo_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Return front matter with Hugo's known fields in one spelling (`PublishDate` → `publishDate`)
    and the fields of `params` beside the others, as Hugo sees them."""
    canonical = {key.lower(): key for key in KNOWN_KEYS}
    result: dict[str, Any] = {}
    for key, value in fields.items():
        spelled = canonical.get(str(key).lower(), key)
        result[spelled if spelled not in fields or spelled == key else key] = value
    params = result.get("params")
    if isinstance(params, Mapping):
        del result["params"]
        for key, value in params.items():
            result.setdefault(canonical.get(str(key).lower(), str(key)), value)
    return result


def bundle_files(folder: Path, index_name: str, config: HugoConfig) -> tuple[tuple[str, Path], ...]:
    """Return the resources of a leaf bundle: every file of its folder and below but its
    index and the content files (name relative to the folder, file)."""
    found = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_file() and rel != index_name and not is_content_resource(rel, config) \
                and not any(is_ignored(part) for part in rel.split("/")):
            found.append((rel, path))
    return tuple(found)


def is_content_resource(rel: str, config: HugoConfig) -> bool:
    """True for a page in a bundle (Markdown, or an index in another language): not copied
    beside the article, where Broadsheet would read it as one."""
    _stem, suffix, _language = split_language(rel.rsplit("/", 1)[-1], config)
    return suffix in MARKDOWN_SUFFIXES or (suffix in HTML_SUFFIXES and "/" not in rel and rel.startswith("index."))


def bundle_notes(folder: Path, index_name: str, config: HugoConfig) -> tuple[tuple[int, str, str | None], ...]:
    """Note each Markdown page resource of a leaf bundle, which is not imported."""
    if index_name.split(".")[0] != "index":
        return ()
    return tuple((0, f"the bundle's {rel} is not imported (a page resource)", "copy what it says by hand")
                 for rel in sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
                 if rel != index_name and is_content_resource(rel, config)
                 and split_language(rel, config)[2] in (None, config.language))


# --------------------------------------------------------------------------- front matter


def split_front_matter(text: str, where: str) -> FrontMatter:
    """Split a content file into its front matter (YAML between `---`, TOML between `+++`,
    or a JSON object) and its body. A front matter that does not parse is an error in
    `problems`; a file without one has empty fields."""
    lines = text.split("\n")
    start = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    opening = lines[start].rstrip() if start < len(lines) else ""
    if opening in ("---", "+++"):
        close = next((i for i in range(start + 1, len(lines)) if lines[i].rstrip() == opening
                      or (opening == "---" and lines[i].rstrip() == "...")), None)
        if close is None:
            return FrontMatter({}, {}, "", 1, (error(SourceLoc(where, start + 1), "the front matter is not closed",
                                                     f"add a line with '{opening}' after its last field"),))
        kind = "yaml" if opening == "---" else "toml"
        fields, key_lines, problems = parse_data("\n".join(lines[start + 1:close]), kind, where, start + 2,
                                                 "the front matter")
        return body_after(fields, key_lines, lines, close + 1, problems)
    if opening.startswith("{"):
        return json_front_matter(text, where)
    return body_after({}, {}, lines, 0, [])


def json_front_matter(text: str, where: str) -> FrontMatter:
    """Split a file that opens with a JSON object into the object and the body after it."""
    offset = len(text) - len(text.lstrip())
    try:
        fields, end = json.JSONDecoder().raw_decode(text, offset)
    except json.JSONDecodeError as exc:
        return FrontMatter({}, {}, "", 1, (error(SourceLoc(where, exc.lineno, exc.colno),
                                                 f"invalid JSON in the front matter: {exc.msg}",
                                                 "check the commas, quotes and braces"),))
    if not isinstance(fields, dict):
        return FrontMatter({}, {}, "", 1, (error(SourceLoc(where, 1), "the front matter must be a JSON object"),))
    lines = text.split("\n")
    closing_line = text.count("\n", 0, end)
    remainder = text[end:].split("\n", 1)[0]
    if remainder.strip():
        lines[closing_line] = remainder
    first = closing_line if remainder.strip() else closing_line + 1
    return body_after(fields, key_lines_of(text[:end], fields, 1), lines, first, [])


def body_after(fields: dict[str, Any], key_lines: Mapping[str, int], lines: list[str], first: int,
               problems: list[Problem]) -> FrontMatter:
    """Return the front matter with the body that starts at index `first` of `lines`, its
    leading blank lines left out (`body_line` is its first line with text)."""
    while first < len(lines) and not lines[first].strip():
        first += 1
    return FrontMatter(fields, key_lines, "\n".join(lines[first:]), first + 1, tuple(problems))


# --------------------------------------------------------------------------- dates


def parse_dates(fields: dict[str, Any], key_lines: Mapping[str, int], where: str,
                tz: tzinfo | None) -> dict[str, Any]:
    """Return `fields` with each date field parsed (naive date-times put in `tz`). Raises
    SiteErrors (exit 2) at the line of each one that is no date."""
    parsed = dict(fields)
    problems = []
    for key in DATE_KEYS:
        value = fields.get(key)
        if value == "":
            del parsed[key]
        if value is None or value == "":
            continue
        when = parse_date(value, tz)
        if when is None:
            problems.append(error(SourceLoc(where, key_lines.get(key, 1)), f"'{key}' is not a date: {value!r}",
                                  "write it as 2024-03-01 or 2024-03-01T09:30:00+01:00"))
        parsed[key] = when
    if problems:
        raise SiteErrors(problems, exit_code=2)
    return parsed


def parse_date(value: Any, tz: tzinfo | None) -> datetime | date | None:
    """Return a date-time (aware when it says its offset or `tz` is given) or a date, from a
    TOML or YAML date or a string in one of the forms Hugo reads; None when it is none."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=tz) if value.tzinfo is None and tz else value
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    when = parse_date_text(text)
    return parse_date(when, tz) if when else None


def parse_date_text(text: str) -> datetime | None:
    """Return the date-time of ISO 8601 text, RFC 1123 text (`Mon, 04 Mar 2024 09:30:00 GMT`)
    or Go's default format (`2024-03-04 09:30:00 +0000 UTC`), or None."""
    iso = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    try:
        return datetime.fromisoformat(iso)
    except ValueError:
        pass
    try:
        return datetime.strptime(re.sub(r"\s+[A-Z]{2,5}$", "", text), "%Y-%m-%d %H:%M:%S %z")
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None



# --------------------------------------------------------------------------- authors


def read_authors(root: Path, shown: str) -> tuple[SourceAuthor, ...]:
    """Return the people of `data/authors/*` or `data/authors.*` (TOML, YAML or JSON).
    Raises SiteErrors (exit 2) for a file that does not parse."""
    entries: dict[str, Any] = {}
    problems: list[Problem] = []
    folder = root / "data" / "authors"
    for path in sorted(folder.glob("*")) if folder.is_dir() else ():
        if path.suffix in (".toml", ".yaml", ".yml", ".json"):
            rel = path.relative_to(root).as_posix()
            entries[path.stem] = read_data_file(path, shown_path(shown, rel), "the author's data", problems)
    for suffix in (".toml", ".yaml", ".yml", ".json"):
        path = root / "data" / f"authors{suffix}"
        if path.is_file():
            rel = path.relative_to(root).as_posix()
            for key, value in read_data_file(path, shown_path(shown, rel), "the authors' data", problems).items():
                entries.setdefault(str(key), value)
    return tuple(author_of(key, value) for key, value in entries.items())


def author_of(key: str, value: Any) -> SourceAuthor:
    """Return a person from their data: `name`, `bio`, `website` or `url` (any case)."""
    if not isinstance(value, Mapping):
        return SourceAuthor(key=key, name=str(value or key))
    fields = {str(k).lower(): v for k, v in value.items()}
    return SourceAuthor(key=key, name=str(fields.get("name") or key), bio=str(fields.get("bio") or ""),
                        website=str(fields.get("website") or fields.get("url") or ""))
