"""A WordPress post's body, from WordPress's HTML into Markdown, and its links to old media.

Owns the conversion of `content:encoded`: captions, Gutenberg image blocks and galleries
become figures, embeds links, reusable blocks their content; a dynamic block becomes a
placeholder, raw HTML (`<iframe>`, `<script>`) stays, a plugin's shortcode becomes an
HTML comment, each with a note; a classic editor's body gets its paragraphs (`autop`).
Many bodies are converted in forked worker processes (`convert_bodies`). `MediaLinks`
points uploads URLs at the media the import copies. Pure but for the uploads folder it
looks files up in; `wordpress` reads the export and plans the import.
"""

from __future__ import annotations

import html
import json
import multiprocessing
import os
import re
import signal
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Mapping
from urllib.parse import quote, unquote, urlsplit

from ..errors import LineCounter
from .common import (BodyBlock, ConvertedBody, UploadsFolder, block_token, figure_markdown,
                     html_to_markdown, html_to_text, is_plain_relative_path, replace_spans)

if TYPE_CHECKING:
    from .wordpress import Attachment, Export


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

        line_of = LineCounter(text)

        def replace(match: re.Match) -> str:
            raw = match["rel"]
            trail = raw[len(raw.rstrip(".,;:!")):]
            rel = unquote(raw[:len(raw) - len(trail)])
            if self.uploads is None:
                self.remote.add(rel)
                return match.group()
            found = self.uploads.find(rel)
            if found is None:
                line = line_of(match.start())
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
