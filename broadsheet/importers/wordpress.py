"""`python build.py import wordpress EXPORT.xml`: a WordPress export (WXR) into the site.

Reads the export safely (defusedxml, the only module that imports it: no entity is
expanded, nothing is fetched), into `Export` of `Author`, `Item` and `Attachment`
records; then plans the import purely (`plan_wordpress_import`): posts become articles,
pages pages, users author profiles, attachments media; bodies turn from WordPress's HTML
(shortcodes, Gutenberg blocks, paragraphs without `<p>`) into Markdown. `common` writes
the plan. A malformed or hostile export, or an item without a title or date, is a
`SiteErrors` (exit 2) before anything is planned, so nothing is written.
"""

from __future__ import annotations

import html
import json
import multiprocessing
import os
import re
import signal
import xml.sax
import xml.sax.handler
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Mapping
from urllib.parse import quote, unquote, urlsplit

import defusedxml
import defusedxml.sax

from ..config import SiteConfig, load_config
from ..errors import Problem, SiteErrors, SourceLoc, UsageError, error, warning
from ..source import SourceError
from .addresses import (Claim, Place, SiteAddresses, SiteLinks, canonical_names, keep_aliases, old_address,
                        place_all, term_archives)
from .common import (BodyBlock, ConvertedBody, ImportCounts, ImportPlan, PlannedFile, UploadsFolder, apply_plan,
                     block_token, figure_markdown, file_slug, html_to_markdown, html_to_text,
                     is_plain_relative_path, line_of_key, markdown_file, replace_spans, unique_name)

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


# --------------------------------------------------------------------------- bodies: WordPress's HTML → Markdown


@dataclass(frozen=True, slots=True)
class BodyContext:
    """What converting a body needs from the rest of the export."""

    item_id: str
    attachments: Mapping[str, Attachment]
    reusable: Mapping[str, str]
    """The content of each reusable block (`wp_block` item) by post id."""


# Every pattern here is linear in the body: a run that could reach the end of a body
# stops at the next `<`, `[` or opener instead, and a span from an opener to its closer
# is found by `replace_spans`, so no hostile body (a thousand `<iframe` never closed)
# makes a search quadratic.
_CAPTION = re.compile(r"\[caption\b(?P<attrs>[^\[\]]*)\]", re.IGNORECASE)
_GALLERY = re.compile(r"\[gallery\b(?P<attrs>[^\[\]]*)\]", re.IGNORECASE)
_EMBED_SHORTCODE = re.compile(r"\[embed\b[^\[\]]*\]", re.IGNORECASE)
_GALLERY_BLOCK = re.compile(r"<!--\s+wp:gallery\b[^<>]*-->")
_EMBED_BLOCK = re.compile(r"<!--\s+wp:(?P<name>(?:core-)?embed[\w/-]*)\s*(?P<json>\{[^<>]*\})?\s*-->")
"""Gutenberg writes `<`, `>` and `--` in a block's attributes as `\u003c`…: a comment holds none."""
_REUSABLE = re.compile(r'<!--\s+wp:block\s+\{"ref":(?P<ref>\d+)\}\s*/-->')
_DYNAMIC_BLOCK = re.compile(r"<!--\s+wp:(?P<name>[a-z][\w/-]*)(?:\s+\{[^<>]*\})?\s+/-->")
_BLOCK_COMMENT = re.compile(r"<!--\s+/?wp:[^<>]*-->")
_FIGURE = re.compile(r"<figure\b[^<>]*>(?P<inner>(?:(?!</?figure\b).)*?)</figure>", re.DOTALL | re.IGNORECASE)
_IMG = re.compile(r"<img\b[^<>]*>", re.IGNORECASE)
_FIGCAPTION = re.compile(r"<figcaption\b[^<>]*>(?P<caption>(?:(?!<figcaption\b).)*?)</figcaption>",
                         re.DOTALL | re.IGNORECASE)
_RAW_HTML = re.compile(r"<(?P<tag>iframe|script|style|object|video|audio|form|svg|canvas|noscript)\b", re.IGNORECASE)
_EMBED_TAG = re.compile(r"<embed\b[^<>]*>", re.IGNORECASE)
_URL_LINE = re.compile(r"^[ \t]*(https?://[^\s<>\"']+)[ \t]*$", re.MULTILINE)
_SHORTCODE = re.compile(r"(?<!\[)\[(?P<close>/)?(?P<name>[A-Za-z][\w-]*)(?P<attrs>(?:\s[^\[\]]*)?)\](?!\])")
_KNOWN_SHORTCODES = frozenset({"audio", "video", "playlist", "embed", "gallery", "caption", "wp_caption"})
_ATTR = re.compile(r"""([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?""")
_PRE = re.compile(r"<pre\b", re.IGNORECASE)
_BLOCK_TAGS = ("table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|map|area|"
               "blockquote|address|math|style|p|h[1-6]|hr|fieldset|legend|section|article|aside|hgroup|header|"
               "footer|nav|figure|figcaption|details|menu|summary")
_BLOCK_OPEN = re.compile(rf"(<(?:{_BLOCK_TAGS})\b[^<>]*>)", re.IGNORECASE)
_BLOCK_CLOSE = re.compile(rf"(</(?:{_BLOCK_TAGS})>)", re.IGNORECASE)
_STARTS_BLOCK = re.compile(rf"^\s*</?(?:{_BLOCK_TAGS})\b", re.IGNORECASE)


def tag_attrs(tag: str) -> dict[str, str]:
    """Return the attributes of an HTML tag or shortcode (`<img src="x" alt='y'>`), decoded."""
    inner = re.sub(r"^[<\[]/?[\w-]+|/?[>\]]$", "", tag.strip())
    return {m[1].lower(): html.unescape(next((g for g in m.groups()[1:] if g is not None), ""))
            for m in _ATTR.finditer(inner)}


def convert_body(content: str, context: BodyContext) -> ConvertedBody:
    """Return a post's body as Markdown, with what needs a look (embeds, raw HTML, shortcodes).

    Captions, Gutenberg image blocks and galleries become figures; Gutenberg's block
    comments go; embeds become links; `<iframe>`, `<script>` and their kind stay raw HTML;
    unknown shortcodes become HTML comments. A body without blocks (the classic editor's)
    gets its paragraphs as WordPress shows them (its `wpautop`)."""
    blocks: list[BodyBlock] = []

    def keep(markdown: str, note: tuple[str, str | None] | None = None, *, alone: bool = True) -> str:
        blocks.append(BodyBlock(markdown, note))
        token = block_token(len(blocks) - 1)
        return f"\n\n<p>{token}</p>\n\n" if alone else token

    text = content.replace("\r\n", "\n").replace("\r", "\n")
    text = _REUSABLE.sub(lambda m: _reusable(m, context, keep), text)
    is_classic = "<!-- wp:" not in text
    text = replace_spans(text, _CAPTION, "[/caption]", lambda m, inner, _: _caption(m, inner, keep))
    text = _GALLERY.sub(lambda m: _gallery_shortcode(m, context, keep), text)
    text = replace_spans(text, _GALLERY_BLOCK, "<!-- /wp:gallery -->", lambda m, inner, _: _gallery_block(inner, keep))
    text = replace_spans(text, _EMBED_BLOCK, lambda m: f"<!-- /wp:{m['name']} -->",
                         lambda m, inner, _: _embed_block(m, inner, keep))
    text = replace_spans(text, _EMBED_SHORTCODE, "[/embed]", lambda m, inner, _: _embed(html_to_text(inner), "", keep))
    text = _DYNAMIC_BLOCK.sub(lambda m: _dynamic_block(m, keep), text)
    text = _BLOCK_COMMENT.sub("", text)
    text = _FIGURE.sub(lambda m: _figure(m, keep), text)
    text = replace_spans(text, _RAW_HTML, lambda m: f"</{m['tag']}>", lambda m, _, whole: _raw_html(m, whole, keep))
    text = _EMBED_TAG.sub(lambda m: _raw_html(m, m.group(), keep), text)
    if is_classic:
        text = _URL_LINE.sub(lambda m: _embed(m[1], "", keep), text)
    text = _replace_shortcodes(text, keep)
    if is_classic:
        text = autop(text)
    return html_to_markdown(text, blocks)


PARALLEL_MIN = 64
"""Below this many bodies, forking workers costs more than it saves."""
BODIES_PER_TASK = 32


def convert_bodies(bodies: list[tuple[str, str]], attachments: Mapping[str, Attachment],
                   reusable: Mapping[str, str]) -> list[ConvertedBody]:
    """Convert (post id, body) pairs, in order. Many are shared out among processes forked
    from this one, one per core: conversion is nine tenths of an import's time (a thousand
    posts take seconds), and each body's Markdown depends on that body alone."""
    tasks = [(bodies[start:start + BODIES_PER_TASK], attachments, reusable)
             for start in range(0, len(bodies), BODIES_PER_TASK)]
    cores = os.cpu_count() or 1
    if len(bodies) < PARALLEL_MIN or cores < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [body for task in tasks for body in _convert_task(*task)]
    with multiprocessing.get_context("fork").Pool(min(cores, 8), initializer=_leave_interrupts_to_parent) as pool:
        return [body for converted in pool.starmap(_convert_task, tasks) for body in converted]


def _convert_task(bodies: list[tuple[str, str]], attachments: Mapping[str, Attachment],
                  reusable: Mapping[str, str]) -> list[ConvertedBody]:
    """Convert a share of the bodies (what one worker does at a time)."""
    return [convert_body(content, BodyContext(post_id, attachments, reusable)) for post_id, content in bodies]


def _leave_interrupts_to_parent() -> None:
    """A worker ignores Ctrl-C: the import stops them, without a traceback from each."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


Keep = Callable[..., str]


def _reusable(match: re.Match, context: BodyContext, keep: Keep) -> str:
    """A reusable block: its content copied in, when the export has it."""
    ref = match["ref"]
    if ref in context.reusable:
        return context.reusable[ref]
    return keep(f"<!-- WordPress reusable block {ref}: not in the export -->",
                (f"reusable block {ref} is not in the export: nothing of it was imported",
                 "copy its text here from WordPress (Appearance → Editor → Patterns), or delete the line"))


def _caption(match: re.Match, inner: str, keep: Keep) -> str:
    """`[caption …]<img …> Text[/caption]` → a figure captioned `Text`."""
    image = _IMG.search(inner)
    if image is None:
        return html_to_text(inner)
    img = tag_attrs(image.group())
    caption = tag_attrs(f"[x {match['attrs']}]").get("caption") or html_to_text(_IMG.sub("", inner))
    return keep(figure_markdown(img.get("src", ""), img.get("alt", ""), html_to_text(caption)))


def _figure(match: re.Match, keep: Keep) -> str:
    """`<figure><img …><figcaption>…</figcaption></figure>` (a Gutenberg image block, an
    HTML5 caption) → a figure; a figure of no or several images is left to the converter."""
    inner = match["inner"]
    images = _IMG.findall(inner)
    if len(images) != 1:
        return match.group()
    img = tag_attrs(images[0])
    caption = _FIGCAPTION.search(inner)
    return keep(figure_markdown(img.get("src", ""), img.get("alt", ""),
                                html_to_text(caption["caption"]) if caption else ""))


def _gallery_block(inner: str, keep: Keep) -> str:
    """A Gutenberg gallery → its images, each a figure with its caption."""
    figures = []
    images = list(_IMG.finditer(inner))
    for image, following in zip(images, [*images[1:], None]):
        img = tag_attrs(image.group())
        caption = _FIGCAPTION.search(inner, image.end(), following.start() if following else len(inner))
        figures.append(figure_markdown(img.get("src", ""), img.get("alt", ""),
                                       html_to_text(caption["caption"]) if caption else ""))
    return _gallery(figures, keep)


def _gallery_shortcode(match: re.Match, context: BodyContext, keep: Keep) -> str:
    """`[gallery ids="1,2"]` (or of the images attached to the post) → a figure each."""
    ids = [i.strip() for i in tag_attrs(f"[x {match['attrs']}]").get("ids", "").split(",") if i.strip()]
    if not ids:
        ids = [a.post_id for a in context.attachments.values() if a.parent_id == context.item_id]
    found = [context.attachments[i] for i in ids if i in context.attachments]
    return _gallery([figure_markdown(a.url, a.alt, a.caption, a.credit) for a in found], keep, match.group())


def _gallery(figures: list[str], keep: Keep, shortcode: str = "") -> str:
    """The figures of a gallery, one after the other, with a note; a placeholder when none is known."""
    if not figures:
        return keep(_comment(f"WordPress gallery, no image found in the export: {shortcode or 'a gallery block'}"),
                    ("a gallery whose images are not in the export: nothing of it is shown",
                     "add its images as figures (![alt](/images/… \"caption\")), or delete the line"))
    return keep("\n\n".join(figures), (f"a gallery of {len(figures)} image{'s' if len(figures) != 1 else ''} is now "
                                       "one figure after another", "keep, reorder or trim them"))


def _embed_block(match: re.Match, inner: str, keep: Keep) -> str:
    """A Gutenberg embed block → a link to what it showed: its `url` attribute, else its
    wrapper's text; its caption follows."""
    try:
        url = json.loads(match["json"] or "{}").get("url", "")
    except (ValueError, AttributeError):
        url = ""
    caption = _FIGCAPTION.search(inner)
    return _embed(url or html_to_text(_FIGCAPTION.sub("", inner)), html_to_text(caption["caption"]) if caption else "",
                  keep)


def _embed(url: str, caption: str, keep: Keep) -> str:
    """An embed (a video, a post of a social network) → a link to what it showed."""
    url = url.strip()
    if not url.startswith(("http://", "https://")) or any(c in url for c in " <>"):
        return keep(_comment(f"WordPress embed, no address: {url}"),
                    ("an embed without an address: nothing of it is shown", "re-create it, or delete the line"))
    host = urlsplit(url).hostname or "the web"
    shown = f"<{url}>" + (f"\n\n{caption}" if caption else "")
    return keep(shown, (f"embedded content from {host} is now a link to it ({url})",
                        "for the player, paste the site's embed code (an <iframe>) here: Markdown keeps HTML"))


def _dynamic_block(match: re.Match, keep: Keep) -> str:
    """A block WordPress drew on every visit (latest posts, a search box) → a placeholder."""
    name = match["name"]
    return keep(_comment(f"WordPress block {name}: drawn by WordPress on each visit, not exported"),
                (f"the WordPress block '{name}' had no content in the export (WordPress drew it on every visit)",
                 "write what it showed, or delete the line"))


def _raw_html(match: re.Match, whole: str, keep: Keep) -> str:
    """`<iframe>…</iframe>`, `<script>`, `<video>`… → kept as raw HTML, which Markdown passes through."""
    tag = (match.groupdict().get("tag") or "embed").lower()
    opening = re.match(r"<[^<>]*>", whole)
    src = tag_attrs(opening.group()).get("src", "") if opening else ""
    shown = f" ({src})" if src else ""
    return keep(whole.strip(), (f"raw <{tag}>{shown} kept as HTML",
                                "check that it still works and that you trust it, or replace it"))


def _replace_shortcodes(text: str, keep: Keep) -> str:
    """Replace each shortcode no one converted (a plugin's: `[contact-form-7 id="3"]`) by an
    HTML comment. `[text in brackets]` in prose is not one: a shortcode is a known name,
    has a `-` or `_`, attributes, or a closing `[/name]`."""
    closed = {m["name"].lower() for m in _SHORTCODE.finditer(text) if m["close"]}

    def replace(match: re.Match) -> str:
        name = match["name"].lower()
        if not (name in _KNOWN_SHORTCODES or "-" in name or "_" in name or "=" in match["attrs"] or name in closed):
            return match.group()
        if match["close"]:
            return keep(_comment(f"end of WordPress shortcode [{name}]"), alone=False)
        return keep(_comment(f"WordPress shortcode, not converted: {match.group()}"),
                    (f"WordPress shortcode [{name}] not converted: it is an HTML comment now",
                     "a plugin drew it; write what it showed (a form, a table, a button), or delete it"), alone=False)

    return _SHORTCODE.sub(replace, text)


def _comment(text: str) -> str:
    """An HTML comment holding `text` (which may not close it)."""
    return "<!-- " + text.replace("--", "- -").replace(">", "&gt;") + " -->"


def autop(text: str) -> str:
    """Give classic-editor text its paragraphs as WordPress shows them (`wpautop`): a blank
    line ends a paragraph, a single line break is `<br>`, block-level HTML is left alone,
    and `<pre>` is kept whole."""
    kept: list[str] = []

    def hide(whole: str) -> str:
        kept.append(whole)
        return f"\n\nBSIMPORTPRE{len(kept) - 1}END\n\n"

    text = replace_spans(text, _PRE, "</pre>", lambda m, inner, whole: hide(whole))
    text = _BLOCK_CLOSE.sub(r"\1\n\n", _BLOCK_OPEN.sub(r"\n\n\1", text))
    paragraphs = []
    for chunk in re.split(r"\n\s*\n", text):
        chunk = chunk.strip()
        if not chunk:
            continue
        if _STARTS_BLOCK.match(chunk) or re.fullmatch(r"BSIMPORTPRE\d+END", chunk):
            paragraphs.append(chunk)
        else:
            paragraphs.append("<p>" + "<br />".join(line.strip() for line in chunk.split("\n")) + "</p>")
    text = "\n\n".join(paragraphs)
    return re.sub(r"BSIMPORTPRE(\d+)END", lambda m: kept[int(m[1])], text)


# --------------------------------------------------------------------------- media and links of the old site


@dataclass(slots=True)
class MediaLinks:
    """Finds the old site's uploads URLs (`…/wp-content/uploads/2024/05/x.jpg`) in text and
    points each at `/images/2024/05/x.jpg` when its file is in the uploads folder, which
    it then plans to copy. Collects what it copies and what stays remote."""

    pattern: re.Pattern
    uploads: UploadsFolder | None
    copies: dict[str, Path] = field(default_factory=dict)
    """Path under uploads → the file to copy into content/images/."""
    remote: set[str] = field(default_factory=set)
    """Paths under uploads left on the old site (no --uploads)."""

    @classmethod
    def for_export(cls, export: Export, uploads: UploadsFolder | None) -> MediaLinks:
        """Return the finder of the uploads URLs of the export's site (and of its media's hosts)."""
        hosts = {urlsplit(url).hostname for url in export.site_urls}
        hosts |= {urlsplit(a.url).hostname for a in export.attachments.values()}
        names = "|".join(re.escape(h) for h in sorted((h for h in hosts if h), key=len, reverse=True)) or "(?!)"
        pattern = re.compile(rf"(?:(?:https?:)?//(?:{names})(?::\d+)?(?:/[^\s\"'<>()\[\]]{{0,200}}?)?|(?<=[(\s\"'=]))"
                             r"/wp-content/uploads/(?P<rel>[^\s\"'<>()\[\]?#\\]+)(?P<query>\?[^\s\"'<>()\[\]#\\]*)?",
                             re.IGNORECASE)
        return cls(pattern, uploads)

    def rewrite(self, text: str) -> tuple[str, list[tuple[int, str, str]]]:
        """Return `text` with every uploads URL whose file is found made a site path, and
        (line in `text`, what, what to do) for each that stays on the old site for want of a file."""
        notes: list[tuple[int, str, str]] = []

        def replace(match: re.Match) -> str:
            raw = match["rel"]
            trail = raw[len(raw.rstrip(".,;:!")):]
            rel = unquote(raw[:len(raw) - len(trail)])
            if self.uploads is None:
                self.remote.add(rel)
                return match.group()
            found = self.uploads.find(rel)
            if found is None:
                line = text.count("\n", 0, match.start()) + 1
                url = match.group()[:len(match.group()) - len(trail) - len(match["query"] or "")]
                if is_plain_relative_path(rel):
                    notes.append((line, f"{rel} is not in the uploads folder: the link stays on the old site ({url})",
                                  f"copy the file to content/images/{rel} and link /images/{rel}, or remove it"))
                else:
                    notes.append((line, f"a media link that is no plain path ({url}) stays on the old site",
                                  "check where it leads, and link a file of content/images/ instead"))
                return match.group()
            self.copies[rel] = found
            return "/images/" + quote(rel) + trail

        return self.pattern.sub(replace, text), notes


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
