"""`python build.py import wordpress EXPORT.xml`: a WordPress export (WXR) into the site.

Reads the export safely (defusedxml, the only module that imports it: no entity is
expanded, nothing is fetched), into `Export` of `Author`, `Item` and `Attachment`
records; then plans the import purely (`plan_wordpress_import`): posts become articles,
pages pages, users author profiles, attachments media; `wordpress_bodies` turns bodies
from WordPress's HTML (shortcodes, Gutenberg blocks, paragraphs without `<p>`) into
Markdown and points links to the old uploads at the copied media. `common` writes the
plan. A malformed or hostile export, or an item without a title or date, is a
`SiteErrors` (exit 2) before anything is planned, so nothing is written.
"""

from __future__ import annotations

import html
import re
import xml.sax
import xml.sax.handler
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Mapping
from urllib.parse import unquote

import defusedxml
import defusedxml.sax

from ..config import SiteConfig, load_config
from ..errors import Problem, SiteErrors, SourceLoc, UsageError, error, warning
from ..source import SourceError
from .addresses import (Claim, Place, SiteAddresses, SiteLinks, canonical_names, keep_aliases, old_address,
                        place_all, term_archives)
from .common import (ConvertedBody, ImportCounts, ImportPlan, PlannedFile, UploadsFolder, apply_plan, file_slug,
                     html_to_text, line_of_key, markdown_file, unique_name)
from .wordpress_bodies import MediaLinks, convert_bodies

IMPORTED_TYPES = ("post", "page")
DRAFT_STATUSES = ("draft", "pending", "private")
SKIPPED_STATUSES = {"trash": ("posts in the trash", "deleted in WordPress"),
                    "auto-draft": ("automatic drafts", "empty drafts WordPress started by itself"),
                    "inherit": ("revisions", "older versions of posts")}
"""Statuses of a post or page that is not imported: (what, why)."""
SKIPPED_TYPES = {
    "nav_menu_item": ("menu entries", "menus are nav: in config.yaml"),
    "wp_navigation": ("menus", "menus are nav: in config.yaml"),
    "revision": ("revisions", "older versions of posts"),
    "wp_block": ("reusable blocks", "copied into the posts that use them"),
}
"""Kinds of item that are not imported: (what, why)."""
THEME_TYPES = ("wp_template", "wp_template_part", "wp_global_styles", "custom_css", "customize_changeset",
               "oembed_cache", "user_request", "wp_font_family", "wp_font_face")
ZERO_DATE = "0000-00-00 00:00:00"
DEFAULT_CATEGORY = "uncategorized"
"""WordPress's catch-all category: not made a tag."""
MAX_BODY = 5_000_000
"""Characters of a body the import converts (a long news story is 50,000): a larger one is
an error, not minutes of work (a post bloated by images pasted as data: URLs, a hostile file)."""
EXPORT_HINT = "export the site again (WordPress: Tools → Export → All content) and import that file"


# --------------------------------------------------------------------------- the export's records


@dataclass(frozen=True, slots=True)
class Author:
    """A WordPress user (`wp:author`)."""

    login: str
    """`wp:author_login`: what an item's `dc:creator` names."""
    display_name: str
    url: str = ""
    """A website, when the export has one (standard WXR has none)."""
    bio: str = ""
    """The user's description, when the export has one (standard WXR has none)."""
    line: int = 0


@dataclass(frozen=True, slots=True)
class Term:
    """A category or tag of an item (`<category domain=… nicename=…>Name</category>`)."""

    domain: str
    """`category`, `post_tag`, or another taxonomy (`post_format`, a plugin's)."""
    nicename: str
    name: str


@dataclass(frozen=True, slots=True)
class Item:
    """One `<item>` of the export: a post, page, attachment, menu entry…"""

    post_id: str
    post_type: str
    status: str
    title: str
    link: str
    """Its address on the old site (`<link>`)."""
    creator: str
    """`dc:creator`: the author's login."""
    content: str
    """`content:encoded`: the body, WordPress's HTML."""
    excerpt: str
    post_date: str
    """`wp:post_date`, `YYYY-MM-DD HH:MM:SS` in WordPress's time zone."""
    post_date_gmt: str
    """The same in UTC; `0000-00-00 00:00:00` for most drafts."""
    modified: str
    modified_gmt: str
    post_name: str
    """The slug (percent-encoded when not ASCII); empty for most drafts."""
    password: str
    parent_id: str
    attachment_url: str
    terms: tuple[Term, ...]
    meta: Mapping[str, str]
    """`wp:postmeta`: `_thumbnail_id`, `_wp_attachment_image_alt`…"""
    comments: int
    line: int
    """The line of `<item>` in the export."""
    lines: Mapping[str, int] = field(default_factory=dict)
    """The line of each field's element: `title`, `wp:post_date`…"""


@dataclass(frozen=True, slots=True)
class Attachment:
    """A media item (post_type `attachment`): a file under wp-content/uploads."""

    post_id: str
    url: str
    alt: str
    caption: str
    credit: str
    parent_id: str
    line: int


@dataclass(frozen=True, slots=True)
class Export:
    """A whole WordPress export."""

    src_path: str
    """The export file, as the user named it."""
    site_urls: tuple[str, ...]
    """The old site's addresses (`wp:base_blog_url`, the channel's link, `wp:base_site_url`),
    longest first: an item's link minus one of them is its old path."""
    authors: tuple[Author, ...]
    items: tuple[Item, ...]
    attachments: Mapping[str, Attachment]
    """By post id."""


# --------------------------------------------------------------------------- reading the XML


@dataclass(slots=True)
class _Node:
    """An XML element as the reader keeps it: `wp:post_type` for WordPress's namespace."""

    name: str
    attrs: dict[str, str]
    line: int
    parts: list[str] = field(default_factory=list)
    children: list[_Node] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def first(self, name: str) -> _Node | None:
        return next((child for child in self.children if child.name == name), None)

    def value(self, name: str) -> str:
        child = self.first(name)
        return child.text.strip() if child is not None else ""

    def every(self, name: str) -> list[_Node]:
        return [child for child in self.children if child.name == name]


def _prefix(uri: str | None) -> str:
    """The usual prefix of a WXR namespace, whatever its version (`export/1.0/` to `1.2/`)."""
    if not uri:
        return ""
    if uri.startswith("http://wordpress.org/export/"):
        return "excerpt" if uri.rstrip("/").endswith("excerpt") else "wp"
    return {"http://purl.org/rss/1.0/modules/content/": "content",
            "http://purl.org/dc/elements/1.1/": "dc"}.get(uri, uri)


class _TreeReader(xml.sax.handler.ContentHandler):
    """Builds `_Node`s from SAX events, each with the line its start tag is on."""

    def __init__(self) -> None:
        super().__init__()
        self.root = _Node("", {}, 1)
        self.stack = [self.root]
        self.locator: xml.sax.xmlreader.Locator | None = None

    def setDocumentLocator(self, locator) -> None:
        self.locator = locator

    @property
    def line(self) -> int:
        return self.locator.getLineNumber() if self.locator else 1

    def startElementNS(self, name, qname, attrs) -> None:
        uri, local = name
        prefix = _prefix(uri)
        node = _Node(f"{prefix}:{local}" if prefix else local,
                     {key[1]: value for key, value in attrs.items()}, self.line)
        self.stack[-1].children.append(node)
        self.stack.append(node)

    def endElementNS(self, name, qname) -> None:
        self.stack.pop()

    def characters(self, content: str) -> None:
        self.stack[-1].parts.append(content)


def read_export(path: Path, shown: str) -> Export:
    """Read and check a WordPress export. Raises SiteErrors (exit 2) for a file that is
    missing, not well-formed, declares entities, is no WXR, or has an item to import
    without a title or date; reads no DTD and fetches nothing."""
    if not path.is_file():
        raise UsageError(f"the export {shown} does not exist or is not a file")
    reader = _TreeReader()
    parser = defusedxml.sax.make_parser()
    parser.setFeature(xml.sax.handler.feature_namespaces, True)
    parser.setContentHandler(reader)
    try:
        with open(path, "rb") as handle:
            parser.parse(handle)
    except defusedxml.DefusedXmlException as exc:
        raise SiteErrors([error(
            SourceLoc(shown, reader.line), f"the export declares XML entities or a document type "
            f"({type(exc).__name__}): refused, nothing was imported",
            "WordPress's exports declare none: this file was made or changed by something else; " + EXPORT_HINT,
        )], exit_code=2) from None
    except xml.sax.SAXParseException as exc:
        raise SiteErrors([_not_well_formed(exc, shown)], exit_code=2) from None
    except OSError as exc:
        raise UsageError(f"cannot read the export {shown}: {exc.strerror or exc}") from None
    export = _export_of(reader.root, shown)
    problems = [problem for item in export.items for problem in check_item(item, shown)]
    if problems:
        raise SiteErrors(problems, exit_code=2)
    return export


def _not_well_formed(exc: xml.sax.SAXParseException, shown: str) -> Problem:
    """Return the error for an export that is not well-formed XML, at its line."""
    message = exc.getMessage()
    loc = SourceLoc(shown, exc.getLineNumber(), exc.getColumnNumber() + 1)
    if message == "no element found":
        return error(loc, "the export ends too early (no element found): the file is cut off",
                     "was the download or copy interrupted? " + EXPORT_HINT)
    return error(loc, f"the export is not well-formed XML: {message}",
                 "a WordPress export is XML; a file edited by hand or cut off breaks it: " + EXPORT_HINT)


def _export_of(root: _Node, shown: str) -> Export:
    """Return the records of a parsed export. Raises SiteErrors when it is no WXR."""
    rss = root.first("rss")
    channel = rss.first("channel") if rss else None
    if channel is None or not any(child.name.startswith("wp:") for child in channel.children):
        first = root.children[0] if root.children else root
        raise SiteErrors([error(SourceLoc(shown, first.line), f"{shown} is not a WordPress export: "
                                "it has no <rss><channel> with WordPress's wp: elements",
                                "make one in WordPress: Tools → Export → All content (a WXR file)")], exit_code=2)
    site_urls = {channel.value(name).rstrip("/") for name in ("wp:base_blog_url", "link", "wp:base_site_url")}
    authors = tuple(Author(login=node.value("wp:author_login"), display_name=html.unescape(
                           node.value("wp:author_display_name")), url=node.value("wp:author_url"),
                           bio=node.value("wp:author_description"), line=node.line)
                    for node in channel.every("wp:author"))
    items = tuple(_item_of(node) for node in channel.every("item"))
    attachments = {item.post_id: _attachment_of(item) for item in items if item.post_type == "attachment"}
    return Export(shown, tuple(sorted((u for u in site_urls if u), key=len, reverse=True)), authors, items,
                  attachments)


def _item_of(node: _Node) -> Item:
    """Return the record of one `<item>`."""
    meta = {}
    for entry in node.every("wp:postmeta"):
        meta.setdefault(entry.value("wp:meta_key"), entry.value("wp:meta_value"))
    lines = {}
    for child in node.children:
        lines.setdefault(child.name, child.line)
    content = node.first("content:encoded")
    excerpt = node.first("excerpt:encoded")
    return Item(
        post_id=node.value("wp:post_id"), post_type=node.value("wp:post_type") or "post",
        status=node.value("wp:status"), title=_plain(node.value("title")), link=node.value("link"),
        creator=node.value("dc:creator"), content=content.text if content is not None else "",
        excerpt=excerpt.text if excerpt is not None else "", post_date=node.value("wp:post_date"),
        post_date_gmt=node.value("wp:post_date_gmt"), modified=node.value("wp:post_modified"),
        modified_gmt=node.value("wp:post_modified_gmt"), post_name=node.value("wp:post_name"),
        password=node.value("wp:post_password"), parent_id=node.value("wp:post_parent"),
        attachment_url=node.value("wp:attachment_url"),
        terms=tuple(Term(c.attrs.get("domain", ""), c.attrs.get("nicename", ""), _plain(c.text))
                    for c in node.every("category")),
        meta=meta, comments=len(node.every("wp:comment")), line=node.line, lines=lines)


def _plain(text: str) -> str:
    """A title or term name as text: WordPress exports some with entities (`&amp;`) or tags."""
    return html_to_text(text) if ("&" in text or "<" in text) else " ".join(text.split())


def _attachment_of(item: Item) -> Attachment:
    """Return the media record of an attachment item."""
    credit = re.search(r'"credit";s:\d+:"([^"]*)"', item.meta.get("_wp_attachment_metadata", ""))
    return Attachment(item.post_id, item.attachment_url or item.link, item.meta.get("_wp_attachment_image_alt", ""),
                      html_to_text(item.excerpt), credit[1] if credit else "", item.parent_id, item.line)


def is_imported(item: Item) -> bool:
    """True for an item that becomes an article or page: a post or page not trashed."""
    return item.post_type in IMPORTED_TYPES and item.status not in SKIPPED_STATUSES


def check_item(item: Item, shown: str) -> list[Problem]:
    """Return the errors of an item to import: no title, no date, or a date that cannot be read."""
    if not is_imported(item):
        return []
    problems = []
    what = f"{item.post_type} {item.post_id}" if item.post_id else f"a {item.post_type}"
    if not item.title:
        problems.append(error(SourceLoc(shown, item.lines.get("title", item.line)), f"{what} has no title",
                              "give it one in WordPress and export again, or delete this <item> from the export"))
    if len(item.content) > MAX_BODY:
        problems.append(error(SourceLoc(shown, item.lines.get("content:encoded", item.line)),
                              f"{what}: its body is {len(item.content):,} characters, more than the import "
                              f"converts ({MAX_BODY:,})",
                              "look for images pasted into the text (data: URLs) and remove them in WordPress, "
                              "or delete this <item> from the export"))
    for name in ("wp:post_date_gmt", "wp:post_date"):
        text = getattr(item, name.split(":")[1])
        if text and text != ZERO_DATE and _wp_datetime(text) is None:
            problems.append(error(SourceLoc(shown, item.lines.get(name, item.line)),
                                  f"{what}: cannot read {text!r} as a date ({name})",
                                  "WordPress writes dates as 2024-05-01 10:30:00: " + EXPORT_HINT))
            return problems
    if not any(text and text != ZERO_DATE for text in (item.post_date_gmt, item.post_date)):
        problems.append(error(SourceLoc(shown, item.lines.get("wp:post_date", item.line)),
                              f"{what} ({item.title or 'untitled'}) has no date (wp:post_date)",
                              "set its date in WordPress and export again, or delete this <item> from the export"))
    return problems


def _wp_datetime(text: str) -> datetime | None:
    """Return a WordPress date (`2024-05-01 10:30:00`) as a naive datetime, None for none."""
    if not text or text == ZERO_DATE:
        return None
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None


def item_dates(item: Item, config: SiteConfig) -> tuple[datetime, datetime | None]:
    """Return an item's date (UTC from `wp:post_date_gmt`, else `wp:post_date` in the
    site's time zone) and its modification date when later."""
    def moment(gmt: str, local: str) -> datetime | None:
        in_utc = _wp_datetime(gmt)
        if in_utc:
            return in_utc.replace(tzinfo=timezone.utc)
        in_zone = _wp_datetime(local)
        return in_zone.replace(tzinfo=config.tz) if in_zone else None

    published = moment(item.post_date_gmt, item.post_date)
    assert published is not None, "check_item lets no item without a date through"
    modified = moment(item.modified_gmt, item.modified)
    return published, modified if modified and modified > published else None


# --------------------------------------------------------------------------- the plan


@dataclass(frozen=True, slots=True)
class Placement:
    """Where an imported post or page goes."""

    item: Item
    section: str
    """`articles` or `pages`."""
    slug: str
    url: str
    """Its new site path."""
    date: datetime
    updated: datetime | None

    @property
    def place(self) -> Place:
        return Place(self.section, self.slug, self.url)

    @property
    def src_path(self) -> str:
        return self.place.src_path


def skip_reason(item: Item) -> tuple[str, str] | None:
    """Return what an item not imported is and why it is not, or None when it is imported
    (posts, pages) or is media (attachments)."""
    if item.post_type == "attachment":
        return None
    if item.post_type in IMPORTED_TYPES:
        return SKIPPED_STATUSES.get(item.status)
    if item.post_type in SKIPPED_TYPES:
        return SKIPPED_TYPES[item.post_type]
    if item.post_type in THEME_TYPES:
        return "theme settings", "parts of a WordPress theme"
    return f"'{item.post_type}' items", "a plugin's own kind, neither post nor page"


def plan_wordpress_import(export: Export, config: SiteConfig, uploads: UploadsFolder | None,
                          site: SiteAddresses = SiteAddresses()) -> ImportPlan:
    """Return every file the import writes and every report entry. Pure: reads nothing
    but the uploads folder (which files exist), writes nothing."""
    notes: list[Problem] = []
    skipped = _note_skipped(export, notes)
    author_ids, author_files = plan_authors(export, config, notes)
    placements = place_items(export, config, notes, site)
    aliases = plan_aliases(placements, export, site.taken([p.place for p in placements]), notes)
    tags = canonical_tags(placements, config, export.src_path, notes)
    media = MediaLinks.for_export(export, uploads)
    old_paths = {p.url: old_address(p.item.link, export.site_urls)[0] for p in placements}
    terms = {t.nicename: t.name for p in placements if p.section == "articles" for t in p.item.terms
             if t.domain in ("category", "post_tag") and t.nicename != DEFAULT_CATEGORY}
    links = SiteLinks(export.site_urls, {**term_archives(terms, config.slugs),
                                         **{old.rstrip("/"): url for url, old in old_paths.items() if old}},
                      {p.item.post_id: p.url for p in placements})
    reusable = {i.post_id: i.content for i in export.items if i.post_type == "wp_block"}
    bodies = convert_bodies([(p.item.post_id, p.item.content) for p in placements], export.attachments, reusable)
    files = list(author_files)
    for placement, body in zip(placements, bodies):
        fields = (article_fields(placement, author_ids, tags[placement.src_path], export.attachments,
                                 aliases[placement.src_path])
                  if placement.section == "articles" else page_fields(placement, aliases[placement.src_path]))
        files.append(compose_file(placement, fields, body, media, links, notes))
    files += [PlannedFile(f"content/images/{rel}", copy_from=path) for rel, path in sorted(media.copies.items())]
    articles = [p for p in placements if p.section == "articles"]
    counts = ImportCounts(
        articles=len(articles), pages=len(placements) - len(articles), authors=len(author_files),
        tags=len({t.casefold() for p in articles for t in tags[p.src_path]}),
        media_copied=len(media.copies), drafts=sum(_is_draft(p.item) for p in placements),
        scheduled=sum(p.item.status == "future" for p in articles))
    remarks = ()
    if uploads is None and media.remote:
        remarks = (f"{len(media.remote):,} media file{'s stay' if len(media.remote) != 1 else ' stays'} on the old "
                   "site (links to its wp-content/uploads/): import again with --uploads DIR (a copy of that folder) "
                   "and --force to copy them into content/images/",)
    return ImportPlan(f"the WordPress export {export.src_path}", tuple(files), tuple(notes), counts,
                      tuple((what, why, n) for (what, why), n in skipped.items()), remarks)


def _note_skipped(export: Export, notes: list[Problem]) -> Counter:
    """Count what is not imported by (what, why), with one report entry for each: the
    items skipped, and the comments of the imported ones."""
    skipped: Counter = Counter()
    first: dict[tuple[str, str], Item] = {}
    for item in export.items:
        reason = skip_reason(item)
        if reason:
            skipped[reason] += 1
            first.setdefault(reason, item)
    for (what, why), item in first.items():
        notes.append(warning(SourceLoc(export.src_path, item.line),
                             f"not imported: {what}, {skipped[what, why]} in all, the first at this line ({why})"))
    comments = sum(item.comments for item in export.items if is_imported(item))
    if comments:
        skipped["comments", "a static site has none"] = comments
    return skipped


def _is_draft(item: Item) -> bool:
    """True for an item written `draft: true`: not public in WordPress (or behind a password)."""
    return item.status in DRAFT_STATUSES or bool(item.password)


def plan_authors(export: Export, config: SiteConfig, notes: list[Problem]) -> tuple[dict[str, str], list[PlannedFile]]:
    """Return each login's author id and the profile files: one per WordPress user, and
    one per byline whose user is not in the export. E-mail addresses are not copied."""
    authors = list(export.authors)
    known = {a.login for a in authors}
    for item in export.items:
        if is_imported(item) and item.creator and item.creator not in known:
            known.add(item.creator)
            authors.append(Author(item.creator, item.creator, line=item.line))
            notes.append(warning(SourceLoc(export.src_path, item.line),
                                 f"the author '{item.creator}' is not among the export's users: "
                                 "a profile with the login as name is written",
                                 "give the profile the person's name"))
    ids: dict[str, str] = {}
    taken: set[str] = set()
    files = []
    for author in authors:
        base = file_slug(author.login, config.slugs) or file_slug(author.display_name, config.slugs) or "author"
        author_id = unique_name(base, taken)
        ids[author.login] = author_id
        fields: dict[str, object] = {"name": author.display_name or author.login}
        if author.url:
            fields["links"] = {"website": author.url}
        text, _ = markdown_file(fields, html_to_text(author.bio) if author.bio else "")
        files.append(PlannedFile(f"content/authors/{author_id}.md", text))
    return ids, files


def place_items(export: Export, config: SiteConfig, notes: list[Problem], site: SiteAddresses) -> list[Placement]:
    """Return where each post and page goes (`addresses.place_all`), in the export's order."""
    items = [item for item in export.items if is_imported(item)]
    dates = [item_dates(item, config) for item in items]
    claims = [Claim("articles" if item.post_type == "post" else "pages",
                    file_slug(unquote(item.post_name), config.slugs) or file_slug(item.title, config.slugs),
                    f"{item.post_type}-{item.post_id or number}", date,
                    f"{item.post_type} {item.post_id} ('{item.title}')")
              for number, (item, (date, _)) in enumerate(zip(items, dates), 1)]
    return [Placement(item, place.section, place.slug, place.url, date, updated)
            for item, (date, updated), place in zip(items, dates, place_all(claims, config, notes, site))]


def plan_aliases(placements: list[Placement], export: Export, taken: set[str],
                 notes: list[Problem]) -> dict[str, list[str]]:
    """Return each item's old address (by its file) when it differs from the new one and can
    redirect (`addresses.keep_aliases`); report an old address with a query."""
    aliases: dict[str, list[str]] = {}
    for placement in placements:
        item = placement.item
        path, with_query = old_address(item.link, export.site_urls)
        if with_query is not None and item.status == "publish":  # a draft's ?p= address was never public
            notes.append(warning(SourceLoc(placement.src_path, 1),
                                 f"the old address {with_query} has a query, which a static site cannot "
                                 "redirect: it is not an alias",
                                 f"redirect it in the web server's configuration to {placement.url}"))
        aliases[placement.src_path] = keep_aliases(placement.place, [path] if path else [], taken, notes)
    return aliases


def canonical_tags(placements: list[Placement], config: SiteConfig, shown: str,
                   notes: list[Problem]) -> dict[str, list[str]]:
    """Return each article's tags (by its file): its categories, then its tags, one
    spelling per slug (`addresses.canonical_names`)."""
    terms = {p.src_path: [t.name for t in p.item.terms if t.domain == "category" and t.nicename != DEFAULT_CATEGORY]
             + [t.name for t in p.item.terms if t.domain == "post_tag"]
             for p in placements if p.section == "articles"}
    return canonical_names(terms, config.slugs, shown, notes)


def article_fields(placement: Placement, author_ids: Mapping[str, str], tags: list[str],
                   attachments: Mapping[str, Attachment], aliases: list[str]) -> dict[str, object]:
    """Return an article's front matter, in the order a person reads it."""
    item = placement.item
    fields: dict[str, object] = {"title": item.title, "date": placement.date}
    if placement.updated:
        fields["updated"] = placement.updated
    if item.creator:
        fields["authors"] = [author_ids[item.creator]]
    if tags:
        fields["tags"] = tags
    primary = next((t for t in item.terms if t.domain == "category" and t.nicename != DEFAULT_CATEGORY), None)
    if primary and primary.name:
        fields["category"] = primary.name
    summary = html_to_text(item.excerpt)
    if summary:
        fields["summary"] = summary
    featured = attachments.get(item.meta.get("_thumbnail_id", ""))
    if featured and featured.url:
        image = {"src": featured.url, "alt": featured.alt}
        image.update({k: v for k, v in (("caption", featured.caption), ("credit", featured.credit)) if v})
        fields["image"] = image
    if _is_draft(item):
        fields["draft"] = True
    if aliases:
        fields["aliases"] = aliases
    return fields


def page_fields(placement: Placement, aliases: list[str]) -> dict[str, object]:
    """Return a page's front matter."""
    fields: dict[str, object] = {"title": placement.item.title}
    if _is_draft(placement.item):
        fields["draft"] = True
    if aliases:
        fields["aliases"] = aliases
    return fields


def compose_file(placement: Placement, fields: dict[str, object], body: ConvertedBody, media: MediaLinks,
                 links: SiteLinks, notes: list[Problem]) -> PlannedFile:
    """Return the Markdown file of a post or page; add its report entries to `notes`."""
    item = placement.item
    found: list[tuple[str, int, str, str | None]] = []  # (where, line, what, what to do)
    image = fields.get("image")
    if isinstance(image, dict):
        image["src"], missing = media.rewrite(image["src"])
        found += [("image", 1, what, hint) for _, what, hint in missing]
        if not image["alt"]:
            found.append(("image", 1, "the featured image has no alt text", "add image.alt: what the picture shows"))
    elif item.meta.get("_thumbnail_id"):
        found.append(("title", 1, f"the featured image (attachment {item.meta['_thumbnail_id']}) is "
                      + ("not in the export" if placement.section == "articles" else "not imported: pages have none"),
                      "add image: {src, alt} if it should have one" if placement.section == "articles" else None))
    markdown, missing = media.rewrite(links.rewrite(body.markdown))
    if item.password:
        found.append(("draft", 1, "it was protected by a password in WordPress: it is a draft now",
                      "publish it (delete draft: true) only if it may be public"))
    text, body_line = markdown_file(fields, markdown)
    for key, _, what, hint in found:
        notes.append(warning(SourceLoc(placement.src_path, line_of_key(text, key)), what, hint))
    for line, what, hint in (*body.notes, *missing):
        notes.append(warning(SourceLoc(placement.src_path, body_line + line - 1), what, hint))
    return PlannedFile(placement.src_path, text)


# --------------------------------------------------------------------------- the command


def import_wordpress(site_dir: Path, export_path: Path, *, uploads: Path | None = None, force: bool = False,
                     shown: str | None = None) -> ImportPlan:
    """Import a WordPress export into the site at `site_dir`; return the plan written.

    Raises SiteErrors or UsageError (exit 2, nothing written) for a bad export, a bad
    config.yaml, a missing uploads folder, or a planned file that exists without `force`."""
    try:
        config, _problems = load_config(site_dir)
    except SourceError as exc:
        raise SiteErrors([exc.problem], exit_code=2) from None
    if uploads is not None and not uploads.is_dir():
        raise UsageError(f"the uploads folder {uploads} does not exist")
    export = read_export(export_path, shown or str(export_path))
    plan = plan_wordpress_import(export, config, UploadsFolder(uploads) if uploads is not None else None,
                                 SiteAddresses.of_site(site_dir, config))
    return apply_plan(site_dir, plan, force=force)
