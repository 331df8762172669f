"""`python build.py import jekyll DIR`: a Jekyll site's source folder, read into `SourceSite`.

Reads `_config.yml` (permalink style, base URL, time zone, collections, front matter
defaults, exclude), the posts of every `_posts/` (categories from the folders above it),
`_drafts/`, the pages, and the documents of collections Jekyll published; gives each its
old address as Jekyll made it, and has `liquid` turn the Liquid of its body into Markdown.
Decides nothing about Broadsheet's files: `staticsite.plan_static_import` does.
A `_config.yml` or front matter that does not parse, or a date that is none, is a
`SiteErrors` (exit 2), every one found reported at once.
"""

from __future__ import annotations

import calendar
import fnmatch
import os
import posixpath
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Mapping, Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..errors import Problem, SiteErrors, SourceLoc, error, warning
from ..source import SourceError, decode_text, load_yaml_mapping
from .liquid import LIQUID_MARKUP, convert_file, link_targets
from .staticsite import SourceAuthor, SourceSite

PERMALINK_STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
"""Jekyll's built-in permalink styles (`permalink: pretty` in `_config.yml`)."""
MARKDOWN_EXTENSIONS = (".md", ".markdown", ".mkdown", ".mkd", ".mdown", ".mkdn")
PAGE_EXTENSIONS = (*MARKDOWN_EXTENSIONS, ".html", ".htm")
CONFIG_FILES = ("_config.yml", "_config.yaml")
AUTHOR_FILES = ("_data/authors.yml", "_data/authors.yaml")
NEVER_READ = frozenset({"_site", "vendor", "node_modules"})
"""Top-level folders that hold no content: Jekyll's output, installed gems and packages."""
OWN_FILES = frozenset({"feed.xml", "atom.xml", "sitemap.xml", "robots.txt"})
"""Files with front matter that Broadsheet writes its own of."""
_DATED_NAME = re.compile(r"^(\d{2,4})-(\d{1,2})-(\d{1,2})-(.+)$")
_FENCE = re.compile(r"^---[ \t]*$")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$")


# --------------------------------------------------------------------------- the configuration


@dataclass(frozen=True, slots=True)
class Collection:
    """A collection of `_config.yml` (`collections: {recipes: {output: true}}`)."""

    label: str
    output: bool
    """Jekyll wrote a page for each document."""
    permalink: str | None
    """Its documents' permalink template; None: the default for the site's style."""


@dataclass(frozen=True, slots=True)
class FrontDefault:
    """One entry of `defaults:`: values for the files in its scope."""

    path: str
    """A folder or file relative to the root (`_posts`, `about.md`), a glob, or '' for all."""
    type: str | None
    """`posts`, `pages`, `drafts`, a collection's label, or None for every type."""
    values: Mapping[str, object]


@dataclass(frozen=True, slots=True)
class JekyllConfig:
    """What of `_config.yml` the import needs, Jekyll's defaults where it is silent."""

    permalink: str
    """The posts' permalink template, a built-in style expanded."""
    style: str
    """`permalink` as written (`pretty`, or a template): decides the pages' suffix."""
    baseurl: str
    """The site's path on its host (`/blog`), '' for none: never part of an old address."""
    url: str
    """The host (`https://lantern.example`), '' when not set."""
    timezone: str | None
    zone: tzinfo | None
    collections: Mapping[str, Collection]
    collections_dir: str
    defaults: tuple[FrontDefault, ...]
    exclude: tuple[str, ...]


def read_config(root: Path, shown: str) -> JekyllConfig:
    """Return the site's configuration; Jekyll's defaults without a `_config.yml`.
    Raises SiteErrors for one that does not parse or names no time zone."""
    found = next((name for name in CONFIG_FILES if (root / name).is_file()), None)
    meta: Mapping[str, object] = {}
    lines: Mapping[str, int] = {}
    where = shown_path(shown, found or CONFIG_FILES[0])
    if found:
        meta, _texts, lines, problems = _read_yaml_file(root / found, where, "the configuration")
        _raise_errors(problems)
    style = str(meta.get("permalink") or "date")
    zone_name = meta.get("timezone")
    zone = None
    if zone_name:
        try:
            zone = ZoneInfo(str(zone_name))
        except (ZoneInfoNotFoundError, ValueError):
            raise SiteErrors([error(SourceLoc(where, lines.get("timezone", 1)),
                                    f"'timezone: {zone_name}' is no time zone Broadsheet knows",
                                    "use a name of the tz database, such as Europe/London")], exit_code=2) from None
    baseurl = str(meta.get("baseurl") or "").strip("/")
    return JekyllConfig(
        permalink=PERMALINK_STYLES.get(style, style), style=style, baseurl=f"/{baseurl}" if baseurl else "",
        url=str(meta.get("url") or "").rstrip("/"), timezone=str(zone_name) if zone_name else None, zone=zone,
        collections=_collections(meta.get("collections")),
        collections_dir=str(meta.get("collections_dir") or "").strip("/"),
        defaults=_defaults(meta.get("defaults")),
        exclude=tuple(str(p).strip("/") for p in _as_list(meta.get("exclude")) if str(p).strip("/")))


def _collections(value: object) -> dict[str, Collection]:
    """`collections:` as a list of labels or a mapping of label → settings."""
    if isinstance(value, list):
        return {str(label): Collection(str(label), False, None) for label in value}
    if not isinstance(value, dict):
        return {}
    found = {}
    for label, settings in value.items():
        settings = settings if isinstance(settings, dict) else {}
        permalink = settings.get("permalink")
        found[str(label)] = Collection(str(label), settings.get("output") is True,
                                       PERMALINK_STYLES.get(str(permalink), str(permalink)) if permalink else None)
    return found


def _defaults(value: object) -> tuple[FrontDefault, ...]:
    """`defaults:`, each entry's `layout` left out (Broadsheet has one theme)."""
    found = []
    for entry in _as_list(value):
        if not isinstance(entry, dict) or not isinstance(entry.get("values"), dict):
            continue
        scope = entry.get("scope") if isinstance(entry.get("scope"), dict) else {}
        kind = scope.get("type")
        kind = {"post": "posts", "page": "pages", "draft": "drafts"}.get(str(kind), str(kind)) if kind else None
        values = {str(k): v for k, v in entry["values"].items() if k != "layout"}
        found.append(FrontDefault(str(scope.get("path") or "").strip("/"), kind, values))
    return tuple(found)


def defaults_for(config: JekyllConfig, src_path: str, kinds: Sequence[str]) -> dict[str, object]:
    """Return the default values for the file at `src_path` of one of `kinds`: a longer
    scope path wins over a shorter, a scope with a type over one without (as Jekyll)."""
    matching = [d for d in config.defaults if (d.type is None or d.type in kinds) and _in_scope(src_path, d.path)]
    values: dict[str, object] = {}
    for entry in sorted(matching, key=lambda d: (len(d.path), d.type is not None)):
        values.update(entry.values)
    return values


def _in_scope(src_path: str, scope: str) -> bool:
    if not scope:
        return True
    if "*" in scope:
        return fnmatch.fnmatchcase(src_path, scope) or fnmatch.fnmatchcase(src_path, scope + "/*")
    return src_path == scope or src_path.startswith(scope + "/")


# --------------------------------------------------------------------------- finding the files


@dataclass(frozen=True, slots=True)
class FoundFile:
    """A file of the site that Jekyll made a page of (or would have)."""

    src_path: str
    role: str
    """`posts`, `drafts`, `pages`, or a collection's label."""
    categories: tuple[str, ...] = ()
    """The folders above its `_posts/` or `_drafts/` (`news/_posts/…` → `news`)."""


def find_files(root: Path, config: JekyllConfig) -> tuple[list[FoundFile], list[str]]:
    """Return the posts, drafts, pages and collection documents, and every other file
    with front matter (sorted by path)."""
    collection_dirs = {posixpath.join(config.collections_dir, f"_{label}"): label
                       for label in config.collections if label not in ("posts", "drafts")}
    found: list[FoundFile] = []
    rendered: list[str] = []
    for folder, dirs, files in os.walk(root):
        rel = Path(folder).relative_to(root).as_posix()
        rel = "" if rel == "." else rel
        dirs[:] = sorted(d for d in dirs if _is_read_folder(posixpath.join(rel, d), d, config, collection_dirs))
        for name in sorted(files):
            src_path = posixpath.join(rel, name)
            if _is_excluded(src_path, config) or not (root / src_path).is_file():
                continue
            sort = _sort_file(src_path, config, collection_dirs)
            if sort is not None:
                found.append(sort)
            elif not any(part.startswith(("_", ".")) for part in src_path.split("/")) and has_front_matter(root / src_path):
                rendered.append(src_path)
    return found, rendered


def _is_read_folder(src_path: str, name: str, config: JekyllConfig, collection_dirs: Mapping[str, str]) -> bool:
    if _is_excluded(src_path, config) or (src_path == name and name in NEVER_READ) or name.startswith("."):
        return False
    if name.startswith("_"):
        return name in ("_posts", "_drafts") or src_path in collection_dirs or \
            any(d.startswith(src_path + "/") for d in collection_dirs)
    return True


def _is_excluded(src_path: str, config: JekyllConfig) -> bool:
    parts = src_path.split("/")
    prefixes = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
    return any(fnmatch.fnmatchcase(prefix, pattern) for pattern in config.exclude for prefix in prefixes)


def _sort_file(src_path: str, config: JekyllConfig, collection_dirs: Mapping[str, str]) -> FoundFile | None:
    """Return what Jekyll made of the file: a post, a draft, a collection's document, a
    page (when it has front matter); None for a file in a `_` folder or not Markdown or HTML."""
    parts = src_path.split("/")
    for special, role in (("_posts", "posts"), ("_drafts", "drafts")):
        if special in parts[:-1]:
            above = parts[:parts.index(special)]
            inside = config.collections_dir.split("/") if config.collections_dir else []
            if inside and above[:len(inside)] == inside:
                above = above[len(inside):]
            return FoundFile(src_path, role, tuple(above))
    for folder, label in collection_dirs.items():
        if src_path.startswith(folder + "/"):
            return FoundFile(src_path, label)
    if any(part.startswith(("_", ".")) for part in parts) or not src_path.lower().endswith(PAGE_EXTENSIONS):
        return None
    return FoundFile(src_path, "pages")


def has_front_matter(abs_path: Path) -> bool:
    """True when the file opens with a `---` line, as Jekyll checks."""
    with open(abs_path, "rb") as handle:
        first = handle.readline(64)
    return first.removeprefix(b"\xef\xbb\xbf").rstrip() == b"---"


# --------------------------------------------------------------------------- front matter


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """A file's front matter, parsed, and its body."""

    meta: dict[str, object]
    texts: Mapping[str, object]
    """Each value's source text (`title: 1984` → '1984')."""
    lines: Mapping[str, int]
    """The file line of each key."""
    body: str
    body_line: int


def split_front_matter(text: str, where: str) -> tuple[FrontMatter, list[Problem]]:
    """Return a file's front matter (empty when it has none, or an empty one) and body.
    Raises SourceError for YAML that does not parse or a front matter never closed."""
    lines = text.split("\n")
    if not _FENCE.match(lines[0]):
        return FrontMatter({}, {}, {}, text, 1), []
    close = next((i for i in range(1, len(lines)) if _CLOSE.match(lines[i])), None)
    if close is None:
        raise SourceError(error(SourceLoc(where, 1), "the front matter is not closed",
                                "add a line with '---' after the last front matter field"))
    yaml_text = "\n".join(lines[1:close])
    body = "\n".join(lines[close + 1:])
    if not _has_yaml(yaml_text):
        return FrontMatter({}, {}, {}, body, close + 2), []
    meta, texts, key_lines, problems = load_yaml_mapping(yaml_text, where, first_line=2)
    return FrontMatter(dict(meta), texts, key_lines, body, close + 2), problems


def _has_yaml(yaml_text: str) -> bool:
    return any(line.strip() and not line.lstrip().startswith("#") for line in yaml_text.split("\n"))


def _read_yaml_file(abs_path: Path, where: str, subject: str):
    """Return (meta, texts, key_lines, problems) of a YAML file; an empty file is empty.
    Raises SiteErrors when it does not parse."""
    try:
        text = decode_text(abs_path.read_bytes(), where)
        if not _has_yaml(text):
            return {}, {}, {}, []
        return load_yaml_mapping(text, where, subject=subject)
    except SourceError as exc:
        raise SiteErrors([exc.problem], exit_code=2) from None


def _raise_errors(problems: Sequence[Problem]) -> None:
    errors = [p for p in problems if p.is_error]
    if errors:
        raise SiteErrors(errors, exit_code=2)


TEXT_FIELDS = ("title", "slug", "author", "authors", "categories", "category", "tags", "tag")
"""Fields that are names: taken as written where YAML reads a number or a boolean."""


def normalise_front(front: FrontMatter, defaults: Mapping[str, object], folders: Sequence[str]) -> dict[str, object]:
    """Return the front matter the planner reads: the defaults under it, names as written,
    `categories` one list of the categories (a string of Jekyll's is space-separated;
    `category:` is one), the folders' after them, `tags` likewise."""
    fields = {key: value for key, value in defaults.items() if key != "permalink"}
    for key, value in front.meta.items():
        fields[key] = _as_written(value, front.texts.get(key)) if key in TEXT_FIELDS else value
    categories = _terms(fields.pop("categories", None)) + _terms(fields.pop("category", None), split=False)
    categories += [folder for folder in folders if folder not in categories]
    if categories:
        fields["categories"] = _unique(categories)
    tags = _terms(fields.pop("tags", None)) + _terms(fields.pop("tag", None), split=False)
    if tags:
        fields["tags"] = _unique(tags)
    return fields


def _as_written(value: object, text: object) -> object:
    if isinstance(value, list):
        texts = text if isinstance(text, list) and len(text) == len(value) else [None] * len(value)
        return [_as_written(v, t) for v, t in zip(value, texts)]
    if value is None or isinstance(value, (str, dict)) or not isinstance(text, str):
        return value
    return text


def _terms(value: object, *, split: bool = True) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return value.split() if split else [value.strip()]
    if isinstance(value, list):
        return [str(v).strip() for v in value if v is not None and str(v).strip()]
    return [str(value)]


def _unique(names: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(names))


def _as_list(value: object) -> list:
    return value if isinstance(value, list) else [] if value is None else [value]


# --------------------------------------------------------------------------- dates


_DATE_TEXT = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:[Tt]|\s+)(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?"
                        r"\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?\s*$")


def parse_date(value: object, zone: tzinfo | None) -> datetime | date | None:
    """Return a front matter `date` as Broadsheet takes it: aware (a time without offset
    is in the site's `zone`), a `date` when it has no time and the site no zone; None
    when it is no date."""
    if isinstance(value, datetime):
        return value if value.tzinfo or zone is None else value.replace(tzinfo=zone)
    if isinstance(value, date):
        return datetime.combine(value, time(), zone) if zone else value
    match = _DATE_TEXT.match(value) if isinstance(value, str) else None
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    try:
        if hour is None and offset is None:
            return parse_date(date(int(year), int(month), int(day)), zone)
        moment = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0),
                          int((fraction or "0")[:6].ljust(6, "0")))
    except ValueError:
        return None
    return moment.replace(tzinfo=_offset(offset)) if offset else parse_date(moment, zone)


def _offset(text: str) -> tzinfo:
    if text in ("Z", "UTC", "GMT"):
        return timezone.utc
    digits = text[1:].replace(":", "")
    delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
    return timezone(-delta if text[0] == "-" else delta)


def local_moment(moment: datetime | date, zone: tzinfo | None) -> datetime:
    """Return `moment` as the old site's clock read it (the permalink's year, month, day…)."""
    if not isinstance(moment, datetime):
        return datetime.combine(moment, time())
    return moment.astimezone(zone) if zone and moment.tzinfo else moment


# --------------------------------------------------------------------------- permalinks


def jekyll_slugify(text: str, *, pretty: bool = False, cased: bool = False) -> str:
    """Return `text` slugified as Jekyll's `Utils.slugify` does: each run of characters other
    than letters, marks and digits (in `pretty` mode also `._~!$&'()+,;=@`) one hyphen."""
    kept = "._~!$&'()+,;=@" if pretty else ""

    def is_kept(ch: str) -> bool:
        return ch in kept or unicodedata.category(ch)[0] in "LM" or unicodedata.category(ch) == "Nd"

    slug = "".join(ch if is_kept(ch) else "-" for ch in text)
    slug = re.sub(r"-{2,}", "-", slug).strip("-")
    return slug if cased else slug.lower()


def post_placeholders(moment: datetime | date | None, zone: tzinfo | None, slug: str, categories: Sequence[str],
                      name: str, path: str, collection: str) -> dict[str, str]:
    """Return the values of a post's (or a collection document's) permalink placeholders."""
    values = {"title": jekyll_slugify(slug, pretty=True, cased=True), "slug": jekyll_slugify(slug),
              "name": jekyll_slugify(name), "path": path, "collection": collection, "output_ext": ".html",
              "categories": "/".join(_unique([c.lower() for c in categories])),
              "slugified_categories": "/".join(_unique([jekyll_slugify(c) for c in categories]))}
    if moment is None:
        return values
    local = local_moment(moment, zone)
    iso = local.isocalendar()
    return values | {
        "year": f"{local.year:04d}", "short_year": f"{local.year % 100:02d}", "month": f"{local.month:02d}",
        "i_month": str(local.month), "short_month": calendar.month_abbr[local.month],
        "long_month": calendar.month_name[local.month], "day": f"{local.day:02d}", "i_day": str(local.day),
        "y_day": f"{local.timetuple().tm_yday:03d}", "w_year": str(iso.year), "week": f"{iso.week:02d}",
        "w_day": str(iso.weekday), "short_day": calendar.day_abbr[local.weekday()],
        "long_day": calendar.day_name[local.weekday()], "hour": f"{local.hour:02d}",
        "minute": f"{local.minute:02d}", "second": f"{local.second:02d}"}


_PLACEHOLDER = re.compile(":(" + "|".join(sorted(
    ("year", "short_year", "month", "i_month", "short_month", "long_month", "day", "i_day", "y_day", "w_year",
     "week", "w_day", "short_day", "long_day", "hour", "minute", "second", "title", "slug", "name", "path",
     "basename", "collection", "output_ext", "categories", "slugified_categories"), key=len, reverse=True)) + ")")


def expand_permalink(template: str, values: Mapping[str, str]) -> str:
    """Return the site path `template` makes with `values` (placeholders without a value
    left as written), its slashes as Jekyll leaves them: none doubled, one in front."""
    url = _PLACEHOLDER.sub(lambda m: values.get(m[1], m[0]), template)
    parts = [part for part in url.split("/") if part not in ("", ".", "..")]
    return "/" + "/".join(parts) + ("/" if url.endswith("/") and parts else "")


def with_page_suffix(template: str, style: str) -> str:
    """Return a page's or collection's template with the ending the site's style gives
    (Jekyll's `add_permalink_suffix`): `/` for pretty, the extension for date, ordinal, none."""
    if style == "pretty":
        return template + "/"
    if style in ("date", "ordinal", "none", "weekdate"):
        return template + ":output_ext"
    return template + ("/" if style.endswith("/") else ":output_ext" if style.endswith(":output_ext") else "")


def page_url(src_path: str, permalink: str | None, style: str) -> str:
    """Return the address Jekyll gave the page at `src_path` (`about.md` → `/about.html`,
    `/about/` with the pretty style; `about/index.md` → `/about/`)."""
    folder, name = posixpath.split(src_path)
    basename = posixpath.splitext(name)[0]
    if permalink is None:
        permalink = "/:path/" if basename == "index" else with_page_suffix("/:path/:basename", style)
    return expand_permalink(permalink, {"path": folder, "basename": basename, "title": basename,
                                        "output_ext": ".html"})


# --------------------------------------------------------------------------- reading the site


@dataclass(frozen=True, slots=True)
class JekyllFile:
    """A post, draft, page or collection document, read, its body not yet converted."""

    src_path: str
    role: str
    front: dict[str, object]
    body: str
    body_line: int
    is_html: bool
    date: datetime | date | None
    slug: str
    old_url: str | None
    draft: bool
    notes: tuple[tuple[int, str, str | None], ...] = ()


@dataclass(frozen=True, slots=True)
class Skip:
    """Why a file with front matter is not imported."""

    what: str
    why: str
    line: int = 0
    """Where, for a note in the report; 0: counted, not noted."""
    message: str = ""
    hint: str | None = None


def read_jekyll(root: Path, shown: str) -> SourceSite:
    """Read the Jekyll site at `root` (named `shown` in messages).

    Raises SiteErrors (exit 2) for every `_config.yml`, front matter or data file that
    does not parse, and every date that is none, found in the whole site."""
    config = read_config(root, shown)
    found, rendered = find_files(root, config)
    problems: list[Problem] = []
    files: list[JekyllFile] = []
    skips: list[tuple[str, Skip]] = [(src_path, _skip_rendered(src_path)) for src_path in rendered]
    for entry in found:
        try:
            read = read_file(root, shown, entry, config, problems)
        except SourceError as exc:
            problems.append(exc.problem)
            continue
        if isinstance(read, Skip):
            skips.append((entry.src_path, read))
        elif read is not None:
            files.append(read)
    authors = read_authors(root, shown, problems)
    _raise_errors(problems)
    notes = [p for p in problems if not p.is_error]
    targets = link_targets(root, files)
    items = tuple(convert_file(f, targets, config.baseurl) for f in files)
    return SourceSite(
        system="Jekyll", shown=shown, items=items,
        base_urls=(f"{config.url}{config.baseurl}/",) if config.url else (),
        static_roots=(root,), authors=authors, skipped=_tally(skips),
        notes=tuple(notes + [warning(SourceLoc(shown_path(shown, src_path), skip.line), skip.message, skip.hint)
                             for src_path, skip in skips if skip.line]),
        timezone=config.timezone)


def shown_path(shown: str, src_path: str) -> str:
    """Return a file of the old site as the user knows it: under the folder they named."""
    return src_path if shown in ("", ".") else posixpath.join(shown.replace(os.sep, "/"), src_path)


def _tally(skips: Sequence[tuple[str, Skip]]) -> tuple[tuple[str, str, int], ...]:
    counts = Counter((skip.what, skip.why) for _src_path, skip in skips)
    return tuple((what, why, n) for (what, why), n in counts.items())


def _skip_rendered(src_path: str) -> Skip:
    if src_path in OWN_FILES:
        return Skip("feed, sitemap and robots.txt", "Broadsheet writes its own")
    return Skip("other files with front matter (styles, data)", "Broadsheet's theme makes its own")


_LISTING = re.compile(r"\bsite\.(?:posts|categories|tags)\b|\bpaginator\b")


def read_file(root: Path, shown: str, entry: FoundFile, config: JekyllConfig,
              problems: list[Problem]) -> JekyllFile | Skip | None:
    """Return the file read, a Skip for a page Broadsheet makes itself, None for a file
    Jekyll did not publish as a page (a collection's without output, a static file).
    Adds the front matter's problems to `problems`; raises SourceError when it does not parse."""
    where = shown_path(shown, entry.src_path)
    name = posixpath.basename(entry.src_path)
    stem, ext = posixpath.splitext(name)
    is_post = entry.role in ("posts", "drafts")
    if ext.lower() not in PAGE_EXTENSIONS:
        if is_post and has_front_matter(root / entry.src_path):
            return Skip("posts in other formats", "Broadsheet reads Markdown and HTML posts", 1,
                        f"{name} is not imported: Broadsheet reads posts in Markdown and HTML",
                        "convert it to Markdown")
        return None
    if not is_post and not has_front_matter(root / entry.src_path):
        return None
    dated = _DATED_NAME.match(stem) if is_post else None
    if entry.role == "posts" and not dated:
        return Skip("files in _posts/ without a date in their name", "Jekyll did not publish them")
    if not is_post and entry.role != "pages" and not config.collections[entry.role].output:
        return Skip("documents of collections without output", "Jekyll published no page of them")
    text = decode_text((root / entry.src_path).read_bytes(), where)
    front, yaml_problems = split_front_matter(text, where)
    problems += yaml_problems
    if entry.role == "pages":
        skip = _page_skip(entry.src_path, front)
        if skip:
            return skip
    return _read_document(entry, front, config, where, dated, ext.lower() in (".html", ".htm"), problems, root)


def _page_skip(src_path: str, front: FrontMatter) -> Skip | None:
    """Return why a page is not imported: the home page, the 404 page, a page listing posts."""
    stem = posixpath.splitext(src_path)[0]
    if stem == "index":
        return Skip("home page", "Broadsheet makes its own")
    if stem == "404":
        return Skip("404 page", "Broadsheet makes its own")
    for tag in LIQUID_MARKUP.finditer(front.body):
        if _LISTING.search(tag[0]):
            line = front.body_line + front.body.count("\n", 0, tag.start())
            return Skip("pages that list posts", "Broadsheet makes its home, tag and archive pages itself", line,
                        "this page lists posts (Liquid's site.posts, paginator): it is not imported, as Broadsheet "
                        "makes its home, tag and archive pages itself",
                        "put what it says besides the list in a page of its own")
    return None


def _read_document(entry: FoundFile, front: FrontMatter, config: JekyllConfig, where: str,
                   dated: re.Match | None, is_html: bool, problems: list[Problem], root: Path) -> JekyllFile:
    """Return the file read: its front matter with the defaults under it, date, slug, old address."""
    kinds = (entry.role, "posts") if entry.role == "drafts" else (entry.role,)
    defaults = defaults_for(config, entry.src_path, kinds)
    fields = normalise_front(front, defaults, entry.categories)
    stem = posixpath.splitext(posixpath.basename(entry.src_path))[0]
    notes: list[tuple[int, str, str | None]] = []
    moment = _document_date(front, fields, dated, config, where, problems)
    if moment is None and entry.role == "drafts":
        modified = (root / entry.src_path).stat().st_mtime
        moment = datetime.fromtimestamp(modified, config.zone or timezone.utc).replace(microsecond=0)
        notes.append((0, "the draft had no date: it has its file's time", "give it the date it should have"))
    file_slug = dated[4] if dated else stem
    if entry.role == "pages" and stem == "index":
        file_slug = posixpath.basename(posixpath.dirname(entry.src_path)) or stem
    slug = str(fields["slug"]) if isinstance(fields.get("slug"), str) and fields["slug"] else file_slug
    if not isinstance(fields.get("title"), str) or not str(fields["title"]).strip():
        fields["title"] = " ".join(word.capitalize() for word in file_slug.split("-") if word)
        notes.append((0, f"it had no title: it has the one Jekyll made of its file name, \"{fields['title']}\"",
                      "check that it reads well"))
    draft = entry.role == "drafts" or fields.get("published") is False
    old_url = None if draft else _old_url(entry, fields, front, defaults, config, moment, slug, stem)
    return JekyllFile(entry.src_path, entry.role, fields, front.body, front.body_line, is_html, moment, slug,
                      old_url, draft, tuple(notes))


def _document_date(front: FrontMatter, fields: Mapping[str, object], dated: re.Match | None, config: JekyllConfig,
                   where: str, problems: list[Problem]) -> datetime | date | None:
    """Return the date of the front matter, else of the file name; None for neither.
    A date that is none is a problem at its line."""
    from_name = None
    if dated:
        try:
            from_name = parse_date(date(int(dated[1]), int(dated[2]), int(dated[3])), config.zone)
        except ValueError:
            problems.append(error(SourceLoc(where, 1), f"the file name's date {dated[1]}-{dated[2]}-{dated[3]} is "
                                                       "no date", "rename the file with the date it was published"))
    if "date" not in fields or fields["date"] in (None, ""):
        return from_name
    moment = parse_date(fields["date"], config.zone)
    if moment is None:
        shown_value = front.texts.get("date", fields["date"])
        problems.append(error(SourceLoc(where, front.lines.get("date", 1)), f"'date: {shown_value}' is no date",
                              "write it as 2016-08-24, or 2016-08-24 10:30:00 +0100"))
    return moment


def _old_url(entry: FoundFile, fields: Mapping[str, object], front: FrontMatter, defaults: Mapping[str, object],
             config: JekyllConfig, moment: datetime | date | None, slug: str, stem: str) -> str:
    """Return the address Jekyll published the file at, without the base URL's path."""
    permalink = front.meta.get("permalink") or defaults.get("permalink")
    permalink = str(permalink) if permalink else None
    if entry.role == "pages":
        return page_url(entry.src_path, permalink, config.style)
    categories = [str(c) for c in fields.get("categories", ())] if entry.role == "posts" else []
    if entry.role == "posts":
        posts = config.collections.get("posts")
        template = permalink or (posts.permalink if posts and posts.permalink else config.permalink)
        folder = entry.src_path.split("/_posts/", 1)[-1] if "/_posts/" in entry.src_path else \
            entry.src_path.removeprefix("_posts/")
    else:
        collection = config.collections[entry.role]
        template = permalink or collection.permalink or with_page_suffix("/:collection/:path", config.style)
        folder = entry.src_path.removeprefix(posixpath.join(config.collections_dir, f"_{entry.role}") + "/")
    path = posixpath.splitext(folder)[0]
    values = post_placeholders(moment, config.zone, slug, categories, stem, path, entry.role)
    return expand_permalink(template, values)


def read_authors(root: Path, shown: str, problems: list[Problem]) -> tuple[SourceAuthor, ...]:
    """Return the people of `_data/authors.yml` (key → name, bio, website), none without it."""
    found = next((name for name in AUTHOR_FILES if (root / name).is_file()), None)
    if found is None:
        return ()
    try:
        meta, *_rest = _read_yaml_file(root / found, shown_path(shown, found), "the authors' data")
    except SiteErrors as exc:
        problems.extend(exc.problems)
        return ()
    authors = []
    for key, value in meta.items():
        if isinstance(value, str):
            authors.append(SourceAuthor(str(key), value))
        elif isinstance(value, dict):
            website = value.get("website") or value.get("url") or value.get("web") or ""
            authors.append(SourceAuthor(str(key), str(value.get("name") or key), str(value.get("bio") or ""),
                                        str(website)))
    return tuple(authors)
