"""Markdown → HTML, through one configured Python-Markdown converter.

Owns the Markdown dialect (tables, footnotes, fenced code highlighted by Pygments with
CSS classes, heading anchors, typographic quotes, figures), summaries cut from the first
paragraph, and the hook that lets the caller rewrite every link and image URL. Knows
nothing of the site model. The only module that imports `markdown`.

Figure syntax: an image alone in its paragraph becomes a `<figure>`; its title, if any,
is the caption, and text after ` | ` in the title is the credit:

    ![Volunteers fill sandbags](/images/sandbags.jpg "Eastgate Quay on Saturday. | Photo: Lena Brandt")
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from typing import Callable

import markdown
from markdown.extensions import Extension
from markdown.extensions.attr_list import AttrListExtension
from markdown.extensions.codehilite import CodeHiliteExtension
from markdown.extensions.fenced_code import FencedCodeExtension
from markdown.extensions.footnotes import FootnoteExtension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.tables import TableExtension
from markdown.extensions.toc import TocExtension
from markdown.treeprocessors import Treeprocessor

from .errors import positional_reduce

UrlResolver = Callable[[str], str]
SUMMARY_LENGTH = 220
WORDS_PER_MINUTE = 230


@dataclass(frozen=True, slots=True)
class Rendered:
    """One converted Markdown body."""

    html: str
    first_paragraph: str
    """Plain text of the first paragraph (untruncated)."""
    word_count: int

    __reduce__ = positional_reduce


_SKIP_TAGS = frozenset({"code", "pre", "kbd", "samp", "script", "style", "math"})
_OPENERS = " \t\n([{<\u2014\u2013\\-/\u00a0"
_OPEN_DOUBLE = re.compile(f'(?<=[{_OPENERS}\u2018])"')
_OPEN_SINGLE = re.compile(f"(?<=[{_OPENERS}])'(?=[^\\d{_OPENERS}])")
_DASHES = re.compile(r"---|--|\.\.\.")
_DASH_TEXT = {"---": "\u2014", "--": "\u2013", "...": "\u2026"}


class _TypographyProcessor(Treeprocessor):
    """Curly quotes, apostrophes, en and em dashes and ellipses, in one pass over the text.

    Does what Python-Markdown's `smarty` extension does for prose, at a fraction of its
    cost: smarty adds a dozen inline patterns that Python-Markdown tries at every
    character of every text node, two thirds of the conversion time of a news article.
    Code, preformatted text and raw HTML are left alone. Quote direction looks at the
    character before, across element boundaries (`"*word*"` gets “ and ”).
    """

    def run(self, root: etree.Element) -> None:
        self._prev = " "
        self._walk(root)

    def _walk(self, element: etree.Element) -> None:
        skip = element.tag in _SKIP_TAGS
        if element.text and not skip:
            element.text = self._fix(element.text)
        elif element.text:
            self._prev = element.text[-1]
        for child in element:
            if child.tag in _SKIP_TAGS or isinstance(child.text, markdown.util.AtomicString):
                if child.text:
                    self._prev = child.text[-1]
            else:
                self._walk(child)
            if child.tail:
                child.tail = self._fix(child.tail)

    def _fix(self, text: str) -> str:
        if isinstance(text, markdown.util.AtomicString):
            self._prev = text[-1]
            return text
        if "-" in text or "." in text:
            text = _DASHES.sub(lambda m: _DASH_TEXT[m.group()], text)
        if "'" in text or '"' in text:
            # The character before the text decides a leading quote: prefix it, then drop it.
            marked = self._prev + text
            marked = _OPEN_DOUBLE.sub("\u201c", marked).replace('"', "\u201d")
            marked = _OPEN_SINGLE.sub("\u2018", marked).replace("'", "\u2019")
            text = marked[1:]
        self._prev = text[-1]
        return text


class _FigureProcessor(Treeprocessor):
    """Turn a paragraph holding only an image into <figure> with caption and credit."""

    def run(self, root: etree.Element) -> None:
        for parent in root.iter():
            for index, child in enumerate(list(parent)):
                if child.tag != "p" or len(child) != 1 or (child.text or "").strip():
                    continue
                img = child[0]
                if img.tag != "img" or (img.tail or "").strip():
                    continue
                figure = etree.Element("figure", {"class": "figure"})
                title = img.attrib.pop("title", "")
                img.tail = None
                figure.append(img)
                caption, _, credit = title.partition(" | ")
                if caption.strip() or credit.strip():
                    figcaption = etree.SubElement(figure, "figcaption")
                    figcaption.text = caption.strip()
                    if credit.strip():
                        span = etree.SubElement(figcaption, "span", {"class": "credit"})
                        span.text = credit.strip()
                        if caption.strip():
                            figcaption.text += " "
                figure.tail = child.tail
                parent[index] = figure


class _UrlProcessor(Treeprocessor):
    """Pass every a[href] and img[src] through the converter's current resolver."""

    resolver: UrlResolver | None = None

    def run(self, root: etree.Element) -> None:
        if self.resolver is None:
            return
        for element in root.iter():
            attr = "href" if element.tag == "a" else "src" if element.tag == "img" else None
            if attr and element.get(attr) is not None:
                element.set(attr, self.resolver(element.get(attr)))


class _BroadsheetExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_TypographyProcessor(md), "broadsheet-typography", 9)
        md.treeprocessors.register(_FigureProcessor(md), "broadsheet-figure", 8)
        md.treeprocessors.register(_UrlProcessor(md), "broadsheet-urls", 7)


class MarkdownRenderer:
    """One reusable converter; `render` resets it before each document. Not thread-safe."""

    def __init__(self) -> None:
        # Extension objects, not names: a name makes Python-Markdown scan every installed
        # package's entry points (about 60 ms, on every build that converts one body).
        self._md = markdown.Markdown(
            extensions=[
                TableExtension(), FootnoteExtension(BACKLINK_TITLE="Back to the text of footnote %d"),
                FencedCodeExtension(), CodeHiliteExtension(css_class="highlight", guess_lang=False),
                TocExtension(permalink="¶", permalink_class="headerlink", permalink_title="Link to this section"),
                SaneListExtension(), AttrListExtension(), _BroadsheetExtension(),
            ],
            output_format="html",
        )
        self._urls: _UrlProcessor = self._md.treeprocessors["broadsheet-urls"]

    def render(self, text: str, resolve_url: UrlResolver | None = None) -> Rendered:
        """Convert `text`; every link and image URL goes through `resolve_url` when given."""
        self._md.reset()
        self._urls.resolver = resolve_url
        try:
            body = self._md.convert(text)
        finally:
            self._urls.resolver = None
        return Rendered(body, first_paragraph(body), count_words(text))


_PARA = re.compile(r"<p>(.*?)</p>", re.S)
_SUP = re.compile(r"<sup\b.*?</sup>", re.S)
_TAG = re.compile(r"<[^>]+>")


def first_paragraph(body_html: str) -> str:
    """Return the plain text of the first non-empty paragraph of `body_html`."""
    for match in _PARA.finditer(body_html):
        text = html.unescape(_TAG.sub("", _SUP.sub("", match.group(1))))
        text = " ".join(text.split())
        if text:
            return text
    return ""


def cut_at_word(text: str, limit: int = SUMMARY_LENGTH) -> str:
    """Return `text` cut at a word boundary to at most `limit` characters, with '…' when cut."""
    if len(text) <= limit:
        return text
    cut = text[:limit + 1].rsplit(" ", 1)[0].rstrip(" ,;:.-–—")
    return cut + "…"


def count_words(text: str) -> int:
    return len(re.findall(r"[\w’'-]+", text))


def reading_minutes(words: int) -> int:
    return max(1, round(words / WORDS_PER_MINUTE))
