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
from markdown.postprocessors import Postprocessor
from markdown.treeprocessors import Treeprocessor

from .errors import positional_reduce
from .i18n import BACKLINK_MARK, SECTION_MARK
from .load import NOT_XML, strip_not_xml

UrlResolver = Callable[[str], str]
SUMMARY_LENGTH = 220
WORDS_PER_MINUTE = 230
CHARACTERS_PER_MINUTE = 300
"""Chinese and Japanese, read a character at a time (silent reading runs 250 to 400 a minute)."""
_WRITTEN_WITHOUT_SPACES = re.compile("[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
                                     "\U00020000-\U0003134f]")
"""Hiragana, katakana and Han characters: Chinese and Japanese put no space between words."""


@dataclass(frozen=True, slots=True)
class Rendered:
    """One converted Markdown body."""

    html: str
    first_paragraph: str
    """Plain text of the first paragraph (untruncated)."""
    word_count: int
    """Words; a Chinese or Japanese character counts as one, as word processors count them."""
    characters: int = 0
    """Chinese and Japanese characters (of `word_count`): read at another pace."""

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

    def _walk(self, root: etree.Element) -> None:
        """Fix every text in document order: an element's text, its children, then its
        tail. Iterative: a body nested thousands of levels deep must not exhaust Python's
        stack (issue 10)."""
        if root.text and root.tag not in _SKIP_TAGS:
            root.text = self._fix(root.text)
        elif root.text:
            self._prev = root.text[-1]
        stack = [(root, iter(root))]
        while stack:
            element, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                if stack and element.tail:  # the root's tail is not part of the body
                    element.tail = self._fix(element.tail)
            elif child.tag in _SKIP_TAGS or isinstance(child.text, markdown.util.AtomicString):
                if child.text:
                    self._prev = child.text[-1]
                if child.tail:
                    child.tail = self._fix(child.tail)
            else:
                if child.text:
                    child.text = self._fix(child.text)
                stack.append((child, iter(child)))

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


class _DepthProcessor(Treeprocessor):
    """Stop a conversion whose tree is deeper than MAX_TREE_DEPTH (emphasis or links inside
    each other hundreds of times): Python-Markdown's serializer recurses once per level."""

    def run(self, root: etree.Element) -> None:
        stack = [(root, 0)]
        while stack:
            element, depth = stack.pop()
            if depth > MAX_TREE_DEPTH:
                raise RecursionError("the tree is too deep")
            stack.extend((child, depth + 1) for child in element)


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


class _TableProcessor(Treeprocessor):
    """Wrap each table in a box that scrolls sideways: on a phone a wide table scrolls
    instead of breaking its words ("Sched/uled"). The box takes the keyboard's focus, so
    that it can be scrolled without a mouse."""

    def run(self, root: etree.Element) -> None:
        tables = [(parent, index, child) for parent in root.iter()
                  for index, child in enumerate(parent) if child.tag == "table"]
        for parent, index, table in tables:
            box = etree.Element("div", {"class": "table-scroll", "tabindex": "0"})
            box.tail, table.tail = table.tail, None
            parent[index] = box
            box.append(table)


class _FocusablePre(Postprocessor):
    """Let the keyboard reach a code block, which scrolls sideways when its lines are long."""

    def run(self, text: str) -> str:
        return _PRE.sub('<pre tabindex="0"', text)


_PRE = re.compile(r"<pre(?=[\s>])(?![^>]*\btabindex=)")


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
        md.treeprocessors.register(_DepthProcessor(md), "broadsheet-depth", 19)  # right after "inline"
        md.treeprocessors.register(_TypographyProcessor(md), "broadsheet-typography", 9)
        md.treeprocessors.register(_FigureProcessor(md), "broadsheet-figure", 8)
        md.treeprocessors.register(_TableProcessor(md), "broadsheet-tables", 7.5)
        md.treeprocessors.register(_UrlProcessor(md), "broadsheet-urls", 7)
        md.postprocessors.register(_FocusablePre(md), "broadsheet-focusable-pre", 5)


class MarkdownRenderer:
    """One reusable converter; `render` resets it before each document. Not thread-safe."""

    def __init__(self) -> None:
        # Extension objects, not names: a name makes Python-Markdown scan every installed
        # package's entry points (about 60 ms, on every build that converts one body).
        self._md = markdown.Markdown(
            extensions=[
                TableExtension(), FootnoteExtension(BACKLINK_TITLE=f"{BACKLINK_MARK}%d{BACKLINK_MARK}"),
                FencedCodeExtension(), CodeHiliteExtension(css_class="highlight", guess_lang=False),
                TocExtension(permalink="¶", permalink_class="headerlink", permalink_title=SECTION_MARK),
                SaneListExtension(), AttrListExtension(), _BroadsheetExtension(),
            ],
            output_format="html",
        )
        self._urls: _UrlProcessor = self._md.treeprocessors["broadsheet-urls"]

    def render(self, text: str, resolve_url: UrlResolver | None = None) -> Rendered:
        """Convert `text`; every link and image URL goes through `resolve_url` when given.

        Raises MarkupError for a text that Python-Markdown would take too long or too
        deep a recursion to convert (`find_excessive_markup`)."""
        if NOT_XML.search(text):  # warned about when the file was loaded
            text = strip_not_xml(text)
        excess = find_excessive_markup(text)
        if excess is not None:
            raise excess
        self._md.reset()
        self._urls.resolver = resolve_url
        try:
            body = self._md.convert(text)
        except RecursionError:
            # Inline markup nested beyond what the line scan measures (or _DepthProcessor
            # stopping it): Python-Markdown's inline and serializer stages recurse.
            raise MarkupError(_busiest_line(text), f"lists, quotes, emphasis or links nested more than "
                              f"{MAX_TREE_DEPTH} levels deep in all",
                              "look for a long run of '*', '_' or '['; write \\* for an asterisk that is just text") from None
        finally:
            self._urls.resolver = None
        return Rendered(body, first_paragraph(body), *word_and_character_counts(text))


class MarkupError(Exception):
    """A body Python-Markdown cannot convert in time proportional to its length, or
    without exhausting Python's stack. `line` counts from 1 at the body's first line."""

    def __init__(self, line: int, message: str, hint: str):
        super().__init__(message)
        self.line = line
        self.message = message
        self.hint = hint


MAX_NESTING = 20
"""Levels of blockquotes and list items (with their indentation, 4 columns a level) one
line may open. Python-Markdown parses each level again (time grows with depth times
length) and recurses (2,000 levels exhaust Python's stack); real articles use a handful."""

MAX_TREE_DEPTH = 64
"""Depth of the converted tree: the block levels (two a list level), then emphasis and
links inside each other. Python-Markdown's inline stage, too, reprocesses each level."""

MARKUP_BUDGET = 1_000_000_000
"""Marks times characters, in one paragraph: Python-Markdown copies the paragraph's text
once per inline match (a 100,000-character paragraph with 10,000 marks is at the budget:
about half a second; 150,000 '*word*' on one line did not finish in 60 s)."""

BRACKET_SPANS_PER_CHAR, BRACKET_SPANS_MIN = 10, 2_000
"""How far, in all, Python-Markdown may scan from each '[' to its ']' (to the paragraph's
end when unclosed), per character of the paragraph, and for any paragraph."""

_FENCE = re.compile(r"(`{3,}|~{3,})")
_RULE = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*")
_CONTAINERS = re.compile(r"(?:[ >]|(?:[-*+]|\d{1,9}[.)])(?= ))*")
_CONTAINER_PART = re.compile(r" +|>|[-*+]|\d{1,9}[.)]")
_BRACKET = re.compile(r"[\[\]]")
_INLINE_MARKS = "*_`[<&\\"


def find_excessive_markup(text: str) -> MarkupError | None:
    """Return the first place where converting `text` would take more than time
    proportional to its length, or a deep recursion, else None. One pass, linear.

    Measured on Python-Markdown 3.x (issue 10): 2,000 nested list items did not finish in
    60 s; 2,000 blockquote levels, one a line, 13 s; 5,000 '[' in a row 6.7 s; a 1 MB line
    of '*word*' did not finish in 60 s. Fenced code is skipped: it is not parsed.
    """
    lines = text.split("\n")
    fence = ""
    block: list[str] = []
    block_start = 0
    for index, line in enumerate(lines + [""]):
        opening = _FENCE.match(line)
        if fence:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = ""
            continue
        if opening or not line.strip():
            found = _excessive_block("\n".join(block), block_start) if block else None
            if found is not None:
                return found
            block = []
            fence = opening.group(1) if opening else ""
            continue
        if not block:
            block_start = index
        block.append(line)
        if (">" in line or line.lstrip()[:1] in ("-", "*", "+", *"0123456789")) and not _RULE.fullmatch(line):
            depth = _nesting_of(_CONTAINERS.match(line.expandtabs(4)).group())
            if depth > MAX_NESTING:
                return MarkupError(index + 1, f"blockquotes, lists or indentation nested {depth} levels deep "
                                   f"(at most {MAX_NESTING})",
                                   "Markdown this deep takes too long to convert: flatten it, or put it in a "
                                   "fenced code block")
    return None


def _nesting_of(prefix: str) -> int:
    """Return the levels a line's prefix of blockquote marks, list markers and spaces opens:
    one a mark or marker, one per 4 columns of indentation (less the space after a mark).
    Indentation alone opens none (an indented code block is read in linear time)."""
    if prefix.isspace() or not prefix:
        return 0
    depth, after_mark = 0, False
    for part in _CONTAINER_PART.findall(prefix):
        if part[0] == " ":
            depth += (len(part) - after_mark) // 4
            after_mark = False
        else:
            depth += 1
            after_mark = True
    return depth


def _excessive_block(block: str, start: int) -> MarkupError | None:
    """Return why one paragraph (lines `start`…) is too costly to convert, else None."""
    marks = sum(block.count(mark) for mark in _INLINE_MARKS)
    if marks * len(block) > MARKUP_BUDGET:
        return MarkupError(start + 1, f"a paragraph of {len(block):,} characters with {marks:,} marks "
                           "('*', '_', '`', '[', '<', '&', '\\') is too long to convert",
                           "split it into paragraphs with blank lines")
    if "[" in block:
        spans, opened = 0, []
        for match in _BRACKET.finditer(block):
            if match.group() == "[":
                opened.append(match.start())
            elif opened:
                spans += match.start() - opened.pop()
        spans += sum(len(block) - at for at in opened)
        if spans > max(BRACKET_SPANS_MIN, BRACKET_SPANS_PER_CHAR * len(block)):
            return MarkupError(start + 1, "too many nested or unclosed '[' in this paragraph",
                               "close each '[' with ']', or write \\[ for a bracket that is just text")
    return None


def _busiest_line(text: str) -> int:
    """Return the line (from 1) with the most emphasis and link marks: where nesting too deep
    for the converter most likely is (its tree does not say which line a node came from)."""
    lines = text.split("\n")
    return max(range(len(lines)), key=lambda i: (sum(lines[i].count(m) for m in "*_["), -i)) + 1


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
    """Return the words of `text`, each Chinese or Japanese character one word."""
    return word_and_character_counts(text)[0]


def word_and_character_counts(text: str) -> tuple[int, int]:
    """Return the words of `text` (each Chinese or Japanese character one) and its Chinese
    and Japanese characters, scanning for those once."""
    characters = count_characters(text)
    if characters:
        text = _WRITTEN_WITHOUT_SPACES.sub(" ", text)
    return len(re.findall(r"[\w’'-]+", text)) + characters, characters


def count_characters(text: str) -> int:
    """Return the Chinese and Japanese characters of `text` (read one by one, not as words)."""
    return len(_WRITTEN_WITHOUT_SPACES.findall(text))


def reading_minutes(words: int, characters: int = 0) -> int:
    """Minutes to read `words`, of which `characters` are Chinese or Japanese characters."""
    return max(1, round((words - characters) / WORDS_PER_MINUTE + characters / CHARACTERS_PER_MINUTE))
