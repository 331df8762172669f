"""What the importers of static site generators (Jekyll, Hugo) share: their sites read
into `SourceSite` of `SourceItem`s, and the one plan made of them.

Each generator's module reads its source tree: its configuration (permalinks, base URL,
time zone), its posts and pages with their front matter (YAML, TOML or JSON as parsed),
their bodies with the generator's own markup (Liquid tags, shortcodes) converted to
Markdown, and the old address of each. This module maps the front matter field by field
(`FIELD_MAP`), places every item (slugs unique, never one of Broadsheet's own addresses),
keeps each old address as an alias, points links between the items at their new
addresses, copies the media the bodies use, and writes author profiles for the bylines.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Callable, Mapping
from urllib.parse import quote, unquote, urlsplit

from ..config import SiteConfig, load_config
from ..errors import LineCounter, Problem, SiteErrors, SourceLoc, UsageError, error, warning
from ..load import name_slug, parse_datetime, slugify
from ..source import SourceError
from .addresses import (RESERVED_FILES, Claim, Place, SiteAddresses, SiteLinks, canonical_names, keep_aliases,
                        old_address, place_all, term_archives)
from .common import (ImportCounts, ImportPlan, PlannedFile, UploadsFolder, apply_plan, file_slug, html_to_text,
                     line_of_key, markdown_file, unique_name)

Moment = datetime | date
"""A front matter's date: a day, or a time (aware, or naive: in config.yaml's `timezone`)."""


@dataclass(frozen=True, slots=True)
class SourceItem:
    """One post or page of the old site, read and with its markup converted."""

    src_path: str
    """Where it is in the old site's tree, relative to its root, with `/`:
    `_posts/2016-08-24-admin.markdown`, `content/posts/flood/index.md`."""
    kind: str
    """`article` or `page`."""
    front: Mapping[str, object]
    """Its front matter as parsed, keys as written (`categories`, `lastmod`, `redirect_from`…)."""
    body: str
    """Its body in Markdown: the generator's tags and shortcodes converted where they can be,
    links to other items and media as the old site's paths (`/2016/08/24/admin/`,
    `/assets/map.png`: the old base URL's path left out) or its absolute URLs."""
    body_line: int
    """The line of the old file where `body` starts (for the report)."""
    date: Moment | None
    """When it was published: the front matter's `date`, or the file name's (Jekyll); aware
    when the old site's time zone is known, naive (read in config.yaml's `timezone`) when not."""
    slug: str
    """The slug it wants: its `slug:`, else its file name's (without Jekyll's date), its
    bundle folder's for a bundle's `index.md`."""
    old_url: str | None
    """The site path it was published at (`/2016/08/24/admin/`, percent-decoded, without the
    old base URL's path), None when it never was (a draft)."""
    draft: bool = False
    """Not public on the old site: in `_drafts/`, `published: false`, `draft: true`."""
    bundle: tuple[tuple[str, Path], ...] = ()
    """Files that go beside it (a Hugo page bundle's images): (name relative to the item, file)."""
    notes: tuple[tuple[int, str, str | None], ...] = ()
    """What needs a person's eye: (line in `body`, 1-based, or 0 for the item as a whole;
    what; what to do or None). A tag or shortcode left unconverted, for one."""


@dataclass(frozen=True, slots=True)
class SourceAuthor:
    """A person the old site knows (Jekyll's `_data/authors.yml`, Hugo's `data/authors/`)."""

    key: str
    """How front matter names them (`author: jdoe`)."""
    name: str
    bio: str = ""
    website: str = ""


@dataclass(frozen=True, slots=True)
class SourceSite:
    """A static site's source, read."""

    system: str
    """`Jekyll` or `Hugo`."""
    shown: str
    """The folder as the user named it, for messages."""
    items: tuple[SourceItem, ...]
    base_urls: tuple[str, ...] = ()
    """The old site's absolute URLs (`https://blog.example/`, its base path included): links
    to them are links to the site."""
    static_roots: tuple[Path, ...] = ()
    """Folders whose files the old site served at its root (Jekyll's root, Hugo's `static/`):
    a body's `/assets/map.png` is found in the first that has it, copied to
    `content/assets/map.png`, and keeps its address."""
    authors: tuple[SourceAuthor, ...] = ()
    skipped: tuple[tuple[str, str, int], ...] = ()
    """(what, why, how many) for what was not imported: `("section files (_index.md)",
    "a section's list page is Broadsheet's tag or archive page", 3)`."""
    notes: tuple = ()
    """Problems (errors.Problem, warnings) at the old site's files, for the report: what was
    not imported and why, at its file and line."""
    timezone: str | None = None
    """The old site's time zone, when its configuration names one."""


Reader = Callable[[Path, str], SourceSite]
"""A generator's reader: (the old site's root folder, the folder as the user named it) →
the site read. Raises SiteErrors (exit 2) for what stops an import: a configuration or
front matter that does not parse, at its file and line."""


FIELD_MAP: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("updated", ("lastmod", "last_modified_at", "updated", "modified")),
    ("summary", ("summary", "excerpt", "description")),
    ("subtitle", ("subtitle",)),
    ("canonical_url", ("canonical_url", "canonicalurl", "canonical")),
)
"""Broadsheet's field ← the old site's fields that give it, the first present winning (keys
compared in lower case)."""
CONSUMED = frozenset({"title", "date", "author", "authors", "categories", "category", "tags", "image", "images",
                      "featured_image", "cover", "thumbnail", "publishdate", "pubdate", "published", "expirydate",
                      "expiry_date", "expires", "aliases", "redirect_from", "draft", "slug", "url", "permalink",
                      *(key for _, keys in FIELD_MAP for key in keys)})
"""Front matter fields this module reads (lower case)."""
DROPPED = frozenset({"layout", "type", "weight", "linktitle", "menu", "menus", "toc", "comments", "share", "sitemap",
                     "outputs", "build", "_build", "headless", "markup", "sharing", "related", "redirect_to",
                     "keywords", "lang", "language", "translationkey", "excerpt_separator", "render_with_liquid",
                     "hidden", "pin", "sticky"})
"""Fields of the old system's own machinery (or that Broadsheet checks otherwise): not
imported, named in the report."""
ROLE_WORDS = re.compile(r"\b(?:director|editor|reporter|correspondent|writer|author|manager|engineer|lead|head|"
                        r"chief|founder|ceo|cto|coo|president|member|staff|team|contributor|executive|officer|"
                        r"producer|photographer|columnist|intern|fellow|developer|designer|at|of|for)\b",
                        re.IGNORECASE)
"""Words that make the part of a byline after its comma a role ("Ana Ruiz, Senior Editor"),
not another name."""
_SITE_PATH_LINK = re.compile(r"(?P<lead>\]\(|src=\"|href=\"|<)(?P<path>/(?!/)[^\s\"<>()#?]+)")


def plan_static_import(source: SourceSite, config: SiteConfig, site: SiteAddresses = SiteAddresses()) -> ImportPlan:
    """Return every file the import of `source` writes and every report entry. Pure but
    for looking up the media files it plans to copy."""
    notes: list[Problem] = list(source.notes)
    items = source.items
    undated = [item for item in items if item.kind == "article" and item.date is None]
    if undated:
        raise SiteErrors([error(SourceLoc(f"{source.shown}/{item.src_path}", 1), "a post without a date",
                                "give it a date: line") for item in undated], exit_code=2)
    dates = [_publication(item, config, notes, source.shown) for item in items]
    claims = [Claim("articles" if item.kind == "article" else "pages", file_slug(item.slug, config.slugs),
                    file_slug(_title(item), config.slugs) or f"{item.kind}-{number}", when,
                    f"{source.shown}/{item.src_path}", bool(item.bundle))
              for number, (item, when) in enumerate(zip(items, dates), 1)]
    places = place_all(claims, config, notes, site)
    base_path = urlsplit(source.base_urls[0]).path.rstrip("/") if source.base_urls else ""
    old_paths = [_old_paths(item, source, base_path) for item in items]
    taken = site.taken(places)
    aliases = [keep_aliases(place, paths, taken, notes) for place, paths in zip(places, old_paths)]
    by_path = term_archives({slugify(term, "unicode"): term for item in items if item.kind == "article"
                             for term in _terms(item)}, config.slugs)
    for place, paths in zip(places, old_paths):
        for path in paths:
            by_path.setdefault(path.rstrip("/"), place.url)
            if base_path:
                by_path.setdefault(base_path + path.rstrip("/"), place.url)
    links = SiteLinks(source.base_urls, by_path)
    media = StaticMedia(source.static_roots, base_path)
    tags = canonical_names({place.src_path: _terms(item) for item, place in zip(items, places)
                            if item.kind == "article"}, config.slugs, source.shown, notes)
    bylines = Bylines(source.authors, config.slugs)
    unknown: Counter = Counter()
    files: list[PlannedFile] = []
    for item, place, when, old in zip(items, places, dates, aliases):
        fields, found = (_article_fields(item, when, tags[place.src_path], bylines, old, config)
                         if item.kind == "article" else _page_fields(item, old))
        unknown.update(key for key in item.front if key.lower() not in CONSUMED and key not in fields)
        files.append(_compose(item, place, fields, found, links, media, notes))
        folder = place.src_path.rsplit("/", 1)[0]
        files += [PlannedFile(f"{folder}/{name}", copy_from=path) for name, path in item.bundle]
    files += bylines.profiles()
    files += [PlannedFile(f"content/{rel}", copy_from=path) for rel, path in sorted(media.copies.items())]
    if unknown:
        named = ", ".join(f"{key} ({n})" for key, n in sorted(unknown.items()))
        notes.append(warning(SourceLoc(source.shown), f"front matter fields not imported: {named}",
                             "they were the old site's; copy what you need into the articles by hand"))
    articles = [(item, when) for item, when in zip(items, dates) if item.kind == "article"]
    now = datetime.now(timezone.utc)
    counts = ImportCounts(
        articles=len(articles), pages=len(items) - len(articles), authors=len(bylines.ids),
        tags=len({name_slug(t, config.slugs) for names in tags.values() for t in names}),
        media_copied=len(media.copies) + sum(len(item.bundle) for item in items),
        drafts=sum(item.draft for item in items), scheduled=sum(when > now for _, when in articles))
    return ImportPlan(f"the {source.system} site {source.shown}", tuple(files), tuple(notes), counts,
                      source.skipped)


def _title(item: SourceItem) -> str:
    """The item's title: its front matter's, else its slug in words (as Jekyll does)."""
    title = item.front.get("title")
    if isinstance(title, str | int | float) and str(title).strip():
        return str(title).strip()
    return " ".join(word.capitalize() for word in re.split(r"[-_\s]+", item.slug) if word) or "Untitled"


def _get(front: Mapping[str, object], *keys: str) -> object:
    """The value of the first of `keys` (lower case) that the front matter has, in any case."""
    lowered = {str(key).lower(): value for key, value in front.items()}
    return next((lowered[key] for key in keys if lowered.get(key) not in (None, "", [])), None)


def as_moment(value: object, config: SiteConfig) -> datetime | None:
    """A front matter date (a date, a datetime, `2016-08-24 10:00:00 -0500`, ISO 8601) as an
    aware datetime (a day at midnight, a naive time in config.yaml's `timezone`), None when it
    is none: `load.parse_datetime`, once Jekyll's offset after a space is written as ISO's."""
    if isinstance(value, str):
        value = re.sub(r"\s+([+-]\d{2}):?(\d{2})$", r"\1:\2", value.strip())
    return parse_datetime(value, config.tz)


def _publication(item: SourceItem, config: SiteConfig, notes: list[Problem], shown: str) -> datetime:
    """When the item was published, aware: its date, or its later `publishDate`."""
    when = as_moment(item.date, config) if item.date is not None else datetime(1970, 1, 1, tzinfo=timezone.utc)
    assert when is not None
    publish = as_moment(_get(item.front, "publishdate", "pubdate"), config)
    return publish if publish and publish > when else when


def _old_paths(item: SourceItem, source: SourceSite, base_path: str) -> list[str]:
    """The site paths the item had: its address, then its `aliases` and `redirect_from`
    (site paths or the old site's URLs; base path left out)."""
    paths = [item.old_url] if item.old_url else []
    for key in ("aliases", "redirect_from"):
        value = _get(item.front, key)
        for alias in [value] if isinstance(value, str) else value if isinstance(value, list) else []:
            if not isinstance(alias, str):
                continue
            path = alias if alias.startswith("/") and not alias.startswith("//") else \
                old_address(alias, source.base_urls)[0]
            if path is None:
                continue
            if base_path and (path == base_path or path.startswith(base_path + "/")):
                path = path[len(base_path):] or "/"
            paths.append(path)
    return paths


def _strings(value: object) -> list[str]:
    """A front matter list of names (or one name) as strings."""
    values = value if isinstance(value, list) else [value] if value not in (None, "") else []
    return [str(v).strip() for v in values if isinstance(v, str | int | float) and str(v).strip()]


def _terms(item: SourceItem) -> list[str]:
    """The item's categories, then its tags."""
    return _strings(_get(item.front, "categories", "category")) + _strings(_get(item.front, "tags"))


@dataclass(slots=True)
class Bylines:
    """The old site's bylines made author profiles: one per person, id by slug."""

    known: tuple[SourceAuthor, ...]
    style: str
    ids: dict[str, str] = field(default_factory=dict)
    """Name (casefolded) → author id."""
    people: dict[str, tuple[str, str, SourceAuthor | None]] = field(default_factory=dict)
    """Author id → (name, role, what the old site knew of them)."""

    def read(self, value: object) -> tuple[list[str], list[str]]:
        """Return the author ids of a byline (`author:` or `authors:`), and what to report of it."""
        found: list[str] = []
        said: list[str] = []
        for byline in _strings(value.get("name") if isinstance(value, dict) else value):
            for name, role in self._people(byline):
                known = next((a for a in self.known if name.casefold() in (a.key.casefold(), a.name.casefold())), None)
                shown = known.name if known else name
                author_id = self.ids.get(shown.casefold())
                if author_id is None:
                    author_id = unique_name(name_slug(shown, self.style) or "author", set(self.people))
                    self.ids[shown.casefold()] = author_id
                    self.people[author_id] = (shown, role, known)
                if author_id not in found:
                    found.append(author_id)
                if role:
                    said.append(f"the byline '{byline}' is read as {name}, whose role is '{role}'")
        return found, said

    @staticmethod
    def _people(byline: str) -> list[tuple[str, str]]:
        """(name, role) of each person a byline names: `A and B`, `A, B`, or `A, Role`."""
        parts = [p.strip() for p in re.split(r",|\s+(?:and|&)\s+", byline) if p.strip()]
        if "," in byline and len(parts) > 1 and any(ROLE_WORDS.search(p) or len(p.split()) > 4 for p in parts[1:]):
            name, _, role = byline.partition(",")
            return [(name.strip(), role.strip())]
        return [(part, "") for part in parts]

    def profiles(self) -> list[PlannedFile]:
        """The author profile of each person met."""
        files = []
        for author_id, (name, role, known) in sorted(self.people.items()):
            fields: dict[str, object] = {"name": name}
            if role:
                fields["role"] = role
            if known and known.website:
                fields["links"] = {"website": known.website}
            text, _ = markdown_file(fields, known.bio if known else "")
            files.append(PlannedFile(f"content/authors/{author_id}.md", text))
        return files


def _image(item: SourceItem) -> dict[str, str] | None:
    """The item's hero image as Broadsheet's `{src, alt, caption, credit}`: from `image`,
    `images` (the first), `featured_image`, `cover` or `thumbnail`."""
    value = _get(item.front, "image", "images", "featured_image", "cover", "thumbnail")
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        lowered = {str(k).lower(): v for k, v in value.items()}
        src = next((lowered[k] for k in ("src", "image", "url", "path", "filename") if isinstance(lowered.get(k), str)),
                   None)
        if not src:
            return None
        image = {"src": src, "alt": str(lowered.get("alt") or "")}
        for key in ("caption", "credit"):
            if isinstance(lowered.get(key), str) and lowered[key].strip():
                image[key] = lowered[key].strip()
        return image
    return {"src": value, "alt": ""} if isinstance(value, str) and value.strip() else None


def _article_fields(item: SourceItem, when: datetime, tags: list[str], bylines: Bylines, aliases: list[str],
                    config: SiteConfig) -> tuple[dict[str, object], list[tuple[str, str, str | None]]]:
    """Return an article's front matter, in the order a person reads it, and what to report
    about it: (field, what, what to do)."""
    found: list[tuple[str, str, str | None]] = []
    fields: dict[str, object] = {"title": _title(item)}
    if not str(item.front.get("title", "")).strip():
        found.append(("title", "it had no title: it has its file name's", "write its headline"))
    is_day = isinstance(item.date, date) and not isinstance(item.date, datetime)
    fields["date"] = item.date if is_day and when == as_moment(item.date, config) else when
    for name, keys in FIELD_MAP:
        value = _get(item.front, *keys)
        if name == "updated":
            moment = as_moment(value, config)
            if moment and moment > when:
                fields["updated"] = moment
        elif name == "canonical_url":
            if isinstance(value, str) and value.startswith(("http://", "https://")):
                fields[name] = value
        elif isinstance(value, str | int | float) and (text := html_to_text(str(value))):
            fields[name] = text
    authors, said = bylines.read(_get(item.front, "authors", "author"))
    if authors:
        fields["authors"] = authors
        found += [("authors", what, "check the profile in content/authors/") for what in said]
    if tags:
        fields["tags"] = tags
        categories = _strings(_get(item.front, "categories", "category"))
        if categories:
            fields["category"] = categories[0]
    image = _image(item)
    if image:
        fields["image"] = image
        if not image["alt"]:
            found.append(("image", "the image has no alt text", "add image.alt: what the picture shows"))
    expiry = as_moment(_get(item.front, "expirydate", "expiry_date", "expires"), config)
    if item.draft or (expiry and expiry <= datetime.now(timezone.utc)):
        fields["draft"] = True
    if expiry:
        found.append(("draft" if "draft" in fields else "date",
                      f"it expired on the old site on {expiry:%Y-%m-%d}: it is a draft now" if "draft" in fields
                      else f"it expires on the old site on {expiry:%Y-%m-%d}; Broadsheet has no expiry",
                      "delete it, or make it a draft, when it should go"))
    if aliases:
        fields["aliases"] = aliases
    return fields, found


def _page_fields(item: SourceItem, aliases: list[str]) -> tuple[dict[str, object], list[tuple[str, str, str | None]]]:
    """Return a page's front matter, and what to report about it."""
    fields: dict[str, object] = {"title": _title(item)}
    found = [] if str(item.front.get("title", "")).strip() else \
        [("title", "it had no title: it has its file name's", "write its title")]
    if item.draft:
        fields["draft"] = True
    if aliases:
        fields["aliases"] = aliases
    return fields, found


@dataclass(slots=True)
class StaticMedia:
    """Finds the files a body or an image names by site path (`/assets/map.png`) in the old
    site's folders and plans to copy each to `content/` at the same path."""

    roots: tuple[Path, ...]
    base_path: str
    copies: dict[str, Path] = field(default_factory=dict)
    """Path under content/ → the file to copy."""

    def rewrite(self, text: str) -> tuple[str, list[tuple[int, str, str]]]:
        """Return `text` with each site path of a file found made its path on the new site
        (the old base path left out), and (line, what, what to do) for each file not found."""
        notes: list[tuple[int, str, str]] = []
        line_of = LineCounter(text)

        def replace(match: re.Match) -> str:
            path = unquote(match["path"])
            trail = path[len(path.rstrip(".,;:!")):]
            path = path[:len(path) - len(trail)]
            if self.base_path and path.startswith(self.base_path + "/"):
                path = path[len(self.base_path):]
            last = path.rsplit("/", 1)[-1]
            if "." not in last or last.endswith((".html", ".htm")) or path in RESERVED_FILES:
                return match.group()  # a page, or a file Broadsheet writes (/feed.xml)
            rel = path.lstrip("/")
            found = self.find(rel)
            if found is None or rel.startswith(("static/", "tags/", "authors/", "archive/", "sitemaps/")):
                why = "is not in the old site's folders" if found is None else "is on an address of Broadsheet's own"
                notes.append((line_of(match.start()), f"the file {path} {why}: the link is broken",
                              "copy the file into content/ and link it"))
                return match.group()
            self.copies[rel] = found
            return match["lead"] + quote(path) + trail

        return _SITE_PATH_LINK.sub(replace, text), notes

    def find(self, rel: str) -> Path | None:
        """The file at `rel` in the first root that has it (never outside a root), or None."""
        for root in self.roots:
            found = UploadsFolder(root).find(rel)
            if found is not None:
                return found
        return None


def _compose(item: SourceItem, place: Place, fields: dict[str, object], found: list[tuple[str, str, str | None]],
             links: SiteLinks, media: StaticMedia, notes: list[Problem]) -> PlannedFile:
    """Return the Markdown file of an item; add its report entries to `notes`."""
    image = fields.get("image")
    if isinstance(image, dict) and image["src"].startswith("/") and not image["src"].startswith("//"):
        src, missing = media.rewrite(f"]({image['src']})")
        image["src"] = src[2:-1]
        found += [("image", what, hint) for _, what, hint in missing]
    markdown, missing = media.rewrite(links.rewrite(item.body))
    text, body_line = markdown_file(fields, markdown)
    for key, what, hint in found:
        notes.append(warning(SourceLoc(place.src_path, line_of_key(text, key)), what, hint))
    for line, what, hint in (*item.notes, *missing):
        notes.append(warning(SourceLoc(place.src_path, body_line + line - 1 if line else 1), what, hint))
    return PlannedFile(place.src_path, text)


def import_static_site(site_dir: Path, folder: Path, read: Reader, *, force: bool = False,
                       shown: str | None = None) -> ImportPlan:
    """Import the static site at `folder` into the site at `site_dir` with its system's
    `read`; return the plan written.

    Raises SiteErrors or UsageError (exit 2, nothing written) for a bad config.yaml, a
    folder that is not there, what the reader refuses, or a planned file that exists
    without `force`."""
    try:
        config, _problems = load_config(site_dir)
    except SourceError as exc:
        raise SiteErrors([exc.problem], exit_code=2) from None
    if not folder.is_dir():
        named = shown or folder
        raise UsageError(f"{named} is not a folder" if folder.exists() else f"the folder {named} does not exist")
    source = read(folder, shown or str(folder))
    return apply_plan(site_dir, plan_static_import(source, config, SiteAddresses.of_site(site_dir, config)),
                      force=force)
