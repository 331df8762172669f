"""The shortcodes of a Hugo page's body, found and converted to Markdown.

Owns Hugo's shortcode syntax (`{{< name params >}}`, `{{% name %}}`, closing tags, the
`{{</* … */>}}` comment form) and what Broadsheet makes of the built-in ones: `highlight`
a fenced code block, `figure` a figure, `ref` and `relref` the old address of the page
they name, the embedding ones (`youtube`, `x`, `gist`…) a link; any other is left as
written, with a note. Then an HTML body is made Markdown. Pure: reads no file; `hugo`
reads the pages and calls `convert_body` on each.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterator, Mapping

from .common import BodyBlock, block_token, figure_markdown, html_to_markdown

if TYPE_CHECKING:
    from .hugo import HugoPage

EMBEDS = {
    "youtube": ("video from YouTube", "https://www.youtube.com/watch?v={id}"),
    "vimeo": ("video from Vimeo", "https://vimeo.com/{id}"),
    "instagram": ("post from Instagram", "https://www.instagram.com/p/{id}/"),
    "x": ("post from X", "https://x.com/{user}/status/{id}"),
    "tweet": ("post from X", "https://x.com/{user}/status/{id}"),
    "gist": ("gist from GitHub", "https://gist.github.com/{user}/{id}"),
}
"""Hugo's embedding shortcodes: (what they showed, the address of what they showed)."""
EMBED_HINT = "paste the player's <iframe> if you want it"
MAX_TAG = 10_000
"""Characters of one shortcode tag, `{{<` to `>}}`: what is longer is text."""


@dataclass(frozen=True, slots=True)
class Shortcode:
    """One shortcode tag of a body: `{{< name params >}}`, `{{% /name %}}`, `{{</* … */>}}`."""

    start: int
    end: int
    text: str
    name: str
    """'' for the comment form, which prints the tag it holds."""
    closing: bool = False
    positional: tuple[str, ...] = ()
    named: Mapping[str, str] | None = None
    literal: str = ""
    """What the comment form prints: `{{< youtube id >}}`."""


_OPENER = re.compile(r"\{\{([<%])")
_PARAM = re.compile(r'\s*(?:([\w-]+)\s*=\s*)?("(?:[^"\\]|\\.)*"|`[^`]*`|[^\s"`]+)', re.DOTALL)


def find_shortcodes(body: str) -> Iterator[Shortcode]:
    """Yield the shortcode tags of `body` in order. Linear: each closing mark is looked for
    once from any point (what cannot close is text)."""
    found_at: dict[str, int] = {}
    position = 0
    while match := _OPENER.search(body, position):
        close = ">}}" if match[1] == "<" else "%}}"
        after = match.end()
        comment = re.compile(r"[ \t]*/\*").match(body, after)
        end = find_from(body, "*/" if comment else close, after, found_at)
        if comment and end >= 0:
            finish = re.compile(r"\*/[ \t]*" + re.escape(close)).match(body, end)
            if finish and end - after <= MAX_TAG:
                inner = body[comment.end():end]
                yield Shortcode(match.start(), finish.end(), body[match.start():finish.end()], "",
                                literal="{{" + match[1] + inner + close[0] + "}}")
                position = finish.end()
                continue
        elif not comment and 0 <= end and end - after <= MAX_TAG:
            tag = parse_tag(body[after:end], match.start(), end + 3, body)
            if tag is not None:
                yield tag
                position = tag.end
                continue
        position = after


def find_from(body: str, mark: str, start: int, found_at: dict[str, int]) -> int:
    """Return the first index of `mark` at or after `start` (-1: none), remembering where
    each mark was found so that no stretch of the body is searched twice."""
    known = found_at.get(mark)
    if known is not None and (known == -1 or known >= start):
        return known
    found_at[mark] = body.find(mark, start)
    return found_at[mark]


def parse_tag(inner: str, start: int, end: int, body: str) -> Shortcode | None:
    """Return the shortcode of a tag's text between its delimiters, or None when it is none."""
    text = inner.strip()
    closing = text.startswith("/")
    text = text[1:].lstrip() if closing else text
    text = text[:-1].rstrip() if text.endswith("/") else text
    name = re.match(r"[\w./-]+", text)
    if not name:
        return None
    positional: list[str] = []
    named: dict[str, str] = {}
    for param in _PARAM.finditer(text, name.end()):
        value = param[2]
        if value[:1] in ('"', "`"):
            value = value[1:-1].replace('\\"', '"') if value[0] == '"' else value[1:-1]
        if param[1]:
            named[param[1].lower()] = value
        else:
            positional.append(value)
    return Shortcode(start, end, body[start:end], name[0].lower(), closing, tuple(positional), named)


@dataclass(frozen=True, slots=True)
class Replacement:
    """What a shortcode becomes: Markdown, standing alone as a block or inside its line, and
    a note for the report."""

    markdown: str
    block: bool = False
    note: tuple[str, str | None] | None = None


class PageIndex:
    """The imported pages by the names a `ref` may give them: `posts/flood.md`, `posts/flood`, `flood`."""

    def __init__(self, pages: tuple[HugoPage, ...]):
        self.by_path: dict[str, HugoPage] = {}
        by_name: dict[str, list[HugoPage]] = {}
        for page in pages:
            for key in (page.content_path, page.logical_path, posixpath.splitext(page.content_path)[0]):
                self.by_path.setdefault(key.lower(), page)
            by_name.setdefault(page.logical_path.rsplit("/", 1)[-1].lower(), []).append(page)
        self.by_name = {name: found[0] for name, found in by_name.items() if len(found) == 1}

    def find(self, ref: str, page: HugoPage) -> HugoPage | None:
        """Return the page `ref` names from `page`: a path from the content folder (with `/`
        or not), a path relative to the page's folder, or a unique file or bundle name."""
        target = ref.strip().lower()
        if not target:
            return page
        key = target.lstrip("/")
        if target.startswith("/"):
            return self.by_path.get(key) or self.by_path.get(key.rstrip("/"))
        folder = posixpath.dirname(page.logical_path.lower())
        relative = posixpath.normpath(posixpath.join(folder, key)).lstrip("/")
        return (self.by_path.get(relative) or self.by_path.get(key) or self.by_path.get(key.rstrip("/"))
                or self.by_name.get(posixpath.splitext(key.rstrip("/"))[0]))


def convert_body(page: HugoPage, index: PageIndex) -> tuple[str, tuple[tuple[int, str, str | None], ...]]:
    """Return a page's body in Markdown with its shortcodes converted, and the notes of what
    was left (line within the returned body)."""
    body = page.front.body
    if page.is_html:
        blocks: list[BodyBlock] = []
        html_text = apply_shortcodes(body, page, index, lambda r: html_token(r, blocks))[0]
        converted = html_to_markdown(html_text, blocks)
        return converted.markdown, converted.notes
    markdown, notes = apply_shortcodes(body, page, index, None)
    return markdown, notes


def html_token(replacement: Replacement, blocks: list[BodyBlock]) -> str:
    """Return the placeholder of a replacement in an HTML body (a block in a paragraph of its own)."""
    blocks.append(BodyBlock(replacement.markdown, replacement.note))
    token = block_token(len(blocks) - 1)
    return f"\n<p>{token}</p>\n" if replacement.block else token


def apply_shortcodes(body: str, page: HugoPage, index: PageIndex, as_html: Callable[[Replacement], str] | None
                     ) -> tuple[str, tuple[tuple[int, str, str | None], ...]]:
    """Return `body` with every shortcode replaced and the notes of the replacements (line in
    the result). With `as_html`, each replacement is the text it returns instead."""
    pieces: list[str] = []
    notes: list[tuple[int, str, str | None]] = []
    lines_done, position = 1, 0
    tags = list(find_shortcodes(body))
    closers = Closers(tags)
    for number, tag in enumerate(tags):
        if tag.start < position:
            continue
        replacement, end = replace_shortcode(tag, body, page, index, closers.after(number, tag.name))
        before = body[position:tag.start]
        if as_html is not None:
            pieces += [before, as_html(replacement)]
            position = end
            continue
        if replacement.block:
            before = before.rstrip(" \t")
            joined = pieces[-1] + before if pieces else before
            before += "" if not joined or joined.endswith("\n\n") else "\n" if joined.endswith("\n") else "\n\n"
        pieces.append(before)
        lines_done += before.count("\n")
        if replacement.note:
            notes.append((lines_done, *replacement.note))
        pieces.append(replacement.markdown)
        lines_done += replacement.markdown.count("\n")
        position = end
        if replacement.block:
            following = re.match(r"[ \t]*(\n?)[ \t]*(\n?)", body[position:])
            position += len(following[0]) if following[2] or not following[1] else len(following[1])
            separator = "\n\n" if position < len(body) else "\n"
            pieces.append(separator)
            lines_done += separator.count("\n")
    pieces.append(body[position:])
    return "".join(pieces), tuple(notes)


class Closers:
    """Finds the closing tag of a paired shortcode (`{{< /highlight >}}`) among a body's tags;
    a name once without a closer after a point has none after any later point."""

    def __init__(self, tags: list[Shortcode]):
        self.tags = tags
        self.missing: dict[str, int] = {}

    def after(self, number: int, name: str) -> Shortcode | None:
        """Return the first closing tag of `name` after tag `number`, or None."""
        if self.missing.get(name, len(self.tags)) <= number:
            return None
        for tag in self.tags[number + 1:]:
            if tag.closing and tag.name == name:
                return tag
        self.missing[name] = number
        return None


def replace_shortcode(tag: Shortcode, body: str, page: HugoPage, index: PageIndex,
                      closer: Shortcode | None) -> tuple[Replacement, int]:
    """Return what one shortcode becomes, and where the body goes on after it (past a
    `highlight`'s closing tag, `closer`)."""
    if not tag.name:
        return Replacement(tag.literal), tag.end
    if tag.closing:
        return Replacement(tag.text), tag.end
    if tag.name == "highlight" and closer is not None:
        return code_block(body[tag.end:closer.start], tag), closer.end
    if tag.name == "figure" and (tag.named or {}).get("src"):
        return figure(tag), tag.end
    if tag.name in ("ref", "relref"):
        return cross_reference(tag, page, index), tag.end
    embedded = embed(tag) if tag.name in EMBEDS else None
    if embedded:
        return embedded, tag.end
    return Replacement(tag.text, note=(f"the shortcode {{{{< {tag.name} >}}}} is left as written: Broadsheet has "
                                       "no shortcodes", "replace it by what it showed")), tag.end


def code_block(code: str, tag: Shortcode) -> Replacement:
    """Return a `highlight` shortcode's code as a fenced code block in its language (the
    comment forms in it print the tag they hold, as Hugo's do)."""
    code = print_comment_forms(code.removeprefix("\n").rstrip("\n \t"))
    language = tag.positional[0] if tag.positional else ""
    fence = "`" * max(3, max((len(run) for run in re.findall(r"`{3,}", code)), default=0) + 1)
    return Replacement(f"{fence}{language}\n{code}\n{fence}", block=True)


def print_comment_forms(code: str) -> str:
    """Return `code` with each `{{</* x */>}}` as the tag it holds, other shortcodes as written."""
    pieces: list[str] = []
    position = 0
    for tag in find_shortcodes(code):
        if not tag.name:
            pieces += [code[position:tag.start], tag.literal]
            position = tag.end
    pieces.append(code[position:])
    return "".join(pieces)


def figure(tag: Shortcode) -> Replacement:
    """Return a `figure` shortcode as a Broadsheet figure: its title and caption the
    caption, its `attr` the credit; alt text the caption's when it has none, as Hugo's."""
    named = tag.named or {}
    title, caption = named.get("title", "").strip(), named.get("caption", "").strip()
    joined = f"{title.rstrip('.')}. {caption}" if title and caption else title or caption
    alt = named.get("alt", "") or re.sub(r"[*_`]|<[^>]*>", "", caption or title)
    return Replacement(figure_markdown(named.get("src", ""), alt, joined, named.get("attr", "").strip()), block=True)


def cross_reference(tag: Shortcode, page: HugoPage, index: PageIndex) -> Replacement:
    """Return a `ref` or `relref` as the old address of the page it names (and its `#anchor`)."""
    ref = (tag.named or {}).get("path") or (tag.positional[0] if tag.positional else "")
    path, hash_mark, anchor = ref.partition("#")
    if not path.strip() and hash_mark:
        return Replacement(f"#{anchor}")
    target = index.find(path, page)
    if target is None or target.old_url is None:
        why = "names no imported page" if target is None else "names a draft, which had no address"
        return Replacement(tag.text, note=(f"the cross-reference {tag.text} {why}: left as written",
                                           "link to the page's new address by hand"))
    return Replacement(target.old_url + (f"#{anchor}" if hash_mark else ""))


def embed(tag: Shortcode) -> Replacement | None:
    """Return an embedding shortcode as a link to what it showed, on a line of its own;
    None when it names nothing."""
    what, address = EMBEDS[tag.name]
    named = tag.named or {}
    values = {"id": named.get("id") or (tag.positional[0] if tag.positional else ""),
              "user": named.get("user") or (tag.positional[0] if len(tag.positional) > 1 else "i")}
    if tag.name == "gist" and len(tag.positional) >= 2:
        values = {"user": tag.positional[0], "id": tag.positional[1]}
    if not re.fullmatch(r"[\w.-]+", values["id"]) or not re.fullmatch(r"[\w.-]+", values["user"]):
        return None
    return Replacement(f"<{address.format(**values)}>", block=True,
                       note=(f"embedded {what} is now a link", EMBED_HINT))
