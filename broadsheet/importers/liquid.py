"""Liquid in a Jekyll body: what Broadsheet can stand for converted, the rest kept with a note.

Owns the Liquid of posts, pages and documents: `{% highlight %}` becomes a fenced code
block, `{% raw %}` its text, `{% comment %}` nothing, `{% post_url %}` and `{% link %}`
the old address they lead to, `{{ site.baseurl }}`, `{{ site.url }}` and `relative_url`
site paths; every other tag or variable is left as written, with a note. Also leaves the
base URL's path out of the links a body writes out. Runs no Liquid and reads no file but
to check that a `{% link %}` names one; `jekyll` reads the site and hands each
`JekyllFile` to `convert_file`.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Mapping, Sequence

from .common import BodyBlock, block_token, html_to_markdown
from .staticsite import SourceItem

if TYPE_CHECKING:
    from .jekyll import JekyllFile


@dataclass(frozen=True, slots=True)
class LinkTargets:
    """Where `{% post_url %}` and `{% link %}` lead: old site paths."""

    posts: Mapping[str, str]
    """A post's name (`2016-08-24-admin`, or with its folder in `_posts/`) → its old address."""
    files: Mapping[str, str]
    """A post's, page's or document's path → its old address."""
    root: Path
    """The site's folder, where `{% link %}` finds a static file."""


def link_targets(root: Path, files: Sequence[JekyllFile]) -> LinkTargets:
    """Return where the Liquid links of the site's bodies lead."""
    posts: dict[str, str] = {}
    for f in files:
        if f.role == "posts" and f.old_url:
            within = posixpath.splitext(f.src_path.split("_posts/", 1)[1])[0]
            posts.setdefault(within, f.old_url)
            posts.setdefault(posixpath.basename(within), f.old_url)
    return LinkTargets(posts, {f.src_path: f.old_url for f in files if f.old_url}, root)


LIQUID_MARKUP = re.compile(r"\{%-?\s*(\w*)([^{}%]*(?:%(?!\})[^{}%]*)*)%\}|\{\{-?([^{}]*)\}\}")
"""A Liquid tag (name, arguments) or output (expression), `-` trims included. Neither holds
a brace: an opener without its closer is then given up at the next brace, not searched
for to the end of the body, for each one of thousands."""
_BLOCK_TAGS = ("raw", "comment", "highlight")
Piece = str | BodyBlock


def convert_file(f: JekyllFile, targets: LinkTargets, baseurl: str) -> SourceItem:
    """Return the file as an item: its body's Liquid converted, HTML made Markdown."""
    body = strip_baseurl(f.body, baseurl)
    pieces = convert_liquid(body, targets, html=f.is_html)
    if f.is_html:
        blocks = [p for p in pieces if isinstance(p, BodyBlock)]
        tokens = iter(range(len(blocks)))
        fragment = "".join(p if isinstance(p, str) else block_token(next(tokens)) for p in pieces)
        converted = html_to_markdown(fragment, blocks)
        markdown, notes = converted.markdown, converted.notes
    else:
        markdown, notes = join_pieces(pieces)
    return SourceItem(src_path=f.src_path, kind="article" if f.role in ("posts", "drafts") else "page",
                      front=f.front, body=markdown, body_line=f.body_line, date=f.date, slug=f.slug,
                      old_url=f.old_url, draft=f.draft, notes=f.notes + tuple(notes))


def strip_baseurl(body: str, baseurl: str) -> str:
    """Return `body` with the base URL's path left out of the site paths its links write
    out (`](/blog/x/)`, `href="/blog/x/"`): Broadsheet knows old addresses without it."""
    if not baseurl:
        return body
    pattern = re.compile(r"(\]\(\s*<?|\b(?:href|src)\s*=\s*[\"']?|^\s*\[[^\]\n]+\]:\s*<?)"
                         + re.escape(baseurl) + r"(?=[/\"'\s)>#?]|$)", re.MULTILINE)
    return pattern.sub(lambda m: m[1] + ("" if body.startswith("/", m.end()) else "/"), body)


def join_pieces(pieces: Sequence[Piece]) -> tuple[str, list[tuple[int, str, str | None]]]:
    """Return the Markdown of `pieces` and each block's note at the line it lands on."""
    text: list[str] = []
    notes = []
    line = 1
    for piece in pieces:
        if isinstance(piece, BodyBlock):
            if piece.note:
                notes.append((line, *piece.note))
            piece = piece.markdown
        text.append(piece)
        line += piece.count("\n")
    return "".join(text), notes


def convert_liquid(body: str, targets: LinkTargets, *, html: bool) -> list[Piece]:
    """Return `body` as pieces: text with the Liquid Broadsheet can stand for converted,
    blocks (with notes) for what it cannot, and fenced code for `{% highlight %}`."""
    pieces: list[Piece] = []
    position = 0
    missing: set[str] = set()
    while tag := LIQUID_MARKUP.search(body, position):
        pieces.append(body[position:tag.start()])
        name = tag[1] if tag[3] is None else None
        if name in _BLOCK_TAGS:
            end = None if name in missing else _end_tag(name).search(body, tag.end())
            if end is None:
                missing.add(name)
                pieces.append(_left(tag[0], f"a Liquid {{% {name} %}} without its {{% end{name} %}}"))
                position = tag.end()
                continue
            inner = body[tag.end():end.start()]
            if name == "raw":
                pieces.append(inner)
            elif name == "highlight":
                pieces += _code_block(tag, inner, body, end.end(), targets, html=html)
            position = end.end()
            continue
        pieces.append(_convert_tag(tag, name, body, targets))
        position = tag.end()
    pieces.append(body[position:])
    return pieces


def _end_tag(name: str) -> re.Pattern:
    return re.compile(r"\{%-?\s*end" + name + r"\s*-?%\}")


def _convert_tag(tag: re.Match, name: str | None, body: str, targets: LinkTargets) -> Piece:
    """Return what a single tag or `{{ variable }}` becomes."""
    written = tag[0]
    if name is None:
        following = body[tag.end():tag.end() + 1]
        value = site_path_of(_untrimmed(tag[3]), following)
        return value if value is not None else _left(written, f"a Liquid variable {_short(written)}")
    argument = _untrimmed(tag[2]).strip()
    if name == "post_url":
        url = targets.posts.get(argument.strip("/").removeprefix("_posts/"))
        return url or BodyBlock(written, (f"{_short(written)} names no post of the site: it is left as written",
                                          "link to the post's new address, or remove the link"))
    if name == "link":
        url = link_target(argument, targets)
        return url or BodyBlock(written, (f"{_short(written)} names no file of the site: it is left as written",
                                          "link to the page's new address, or remove the link"))
    if name.startswith("end"):
        return written  # its opening tag has the note
    return _left(written, f"a Liquid tag {_short(written)}")


def _untrimmed(inside: str) -> str:
    """Return a tag's inside without the `-` of a closing `-%}` or `-}}`."""
    inside = inside.rstrip()
    return inside[:-1] if inside.endswith("-") else inside


def _left(written: str, what: str) -> BodyBlock:
    return BodyBlock(written, (f"{what} is left as written: Broadsheet does not run Liquid",
                               "replace it by what it showed"))


def _short(written: str) -> str:
    one_line = " ".join(written.split())
    return one_line if len(one_line) <= 80 else one_line[:79] + "…"


def link_target(argument: str, targets: LinkTargets) -> str | None:
    """Return the old address `{% link path %}` leads to: a post's, page's or document's,
    or a static file's own path; None for a path that names nothing."""
    src_path = argument.strip("'\" ").lstrip("/")
    if src_path in targets.files:
        return targets.files[src_path]
    parts = src_path.split("/")
    if src_path and ".." not in parts and (targets.root / src_path).is_file():
        return "/" + src_path
    return None


_QUOTED = re.compile(r"""^(?:"([^"]*)"|'([^']*)')$""")
_SITE_URLS = ("site.baseurl", "site.url")


def site_path_of(expression: str, following: str = "/") -> str | None:
    """Return the site path a Liquid output stands for: `site.baseurl` and `site.url` are
    nothing (before a `/`; else `/`), `"/x" | relative_url` (or absolute_url, or prepended
    with either) is `/x`; None for any other expression."""
    head, *filters = [part.strip() for part in expression.strip().split("|")]
    quoted = _QUOTED.match(head)
    if head in _SITE_URLS:
        value = ""
    elif quoted:
        value = quoted[1] if quoted[1] is not None else quoted[2]
    else:
        return None
    for text in filters:
        name, _, argument = (part.strip() for part in text.partition(":"))
        if name in ("relative_url", "absolute_url"):
            value = "/" + value.lstrip("/")
        elif name in ("prepend", "append") and argument in _SITE_URLS:
            continue
        elif name in ("prepend", "append") and _QUOTED.match(argument):
            added = _QUOTED.match(argument)
            added_text = added[1] if added[1] is not None else added[2]
            value = added_text + value if name == "prepend" else value + added_text
        else:
            return None
    if value == "" and following not in ("/", "{"):
        return "/"
    return value


def _code_block(tag: re.Match, inner: str, body: str, after: int, targets: LinkTargets, *, html: bool) -> list[Piece]:
    """Return `{% highlight lang %}…{% endhighlight %}` as a fenced code block, on lines of its own."""
    language = next(iter(_untrimmed(tag[2]).split()), "")
    code = convert_liquid(inner.strip("\r\n"), targets, html=False)
    longest = max((len(run) for run in re.findall(r"`{3,}", inner)), default=2)
    fence = "`" * (longest + 1)
    line_start = body.rfind("\n", 0, tag.start()) + 1
    before = "" if not body[line_start:tag.start()].strip() else "\n"
    line_end = body.find("\n", after)
    after_text = "" if not body[after:line_end if line_end >= 0 else len(body)].strip() else "\n"
    if not html:
        return [f"{before}{fence}{language}\n", *code, f"\n{fence}{after_text}"]
    markdown, notes = join_pieces(code)
    note = (notes[0][1], notes[0][2]) if notes else None
    return [f"{before}<p>", BodyBlock(f"{fence}{language}\n{markdown}\n{fence}", note), f"</p>{after_text}"]
