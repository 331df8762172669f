"""What every importer shares: the plan of an import, and the one step that writes it.

An importer plans purely: `ImportPlan` holds every file to write (its text, or the media
file to copy) and every entry of the report (a `Problem` at the written file's line, or
at the export's). This module then checks the plan against the site (`existing_files`:
nothing is overwritten unless forced), writes it all or nothing as far as the file system
allows (`write_files`), and describes it (`summary_lines`, `report_text`).

Also the helpers an import of HTML bodies needs whatever the system: HTML → Markdown
(markdownify, the only module that imports it) with pieces kept out of the conversion
(`BodyBlock`), HTML → plain text, front matter as YAML, unique slugs, a safe uploads
folder. Prints nothing and decides nothing about what a file holds.
"""

from __future__ import annotations

import html
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping, Sequence

from markdownify import MarkdownConverter

from ..errors import Problem, UsageError
from ..load import MAX_SLUG_LENGTH, slug_size, slugify
from ..source import dump_yaml_mapping

REPORT_FILE = "IMPORT-REPORT.md"
"""The report of an import, at the site's root: everything that needs a person's eye."""

SHOWN_EXISTING = 5
"""Files named when an import refuses to overwrite (then "… and N more")."""


# --------------------------------------------------------------------------- the plan


@dataclass(frozen=True, slots=True)
class PlannedFile:
    """One file an import writes."""

    src_path: str
    """Where it goes, relative to the site root, with `/`: `content/articles/flood.md`."""
    text: str | None = None
    """Its text (written as UTF-8), or None for a copy."""
    copy_from: Path | None = None
    """The file to copy when `text` is None (a media file of the uploads folder)."""


@dataclass(frozen=True, slots=True)
class ImportCounts:
    """What an import brings, for the summary."""

    articles: int = 0
    pages: int = 0
    authors: int = 0
    tags: int = 0
    media_copied: int = 0
    drafts: int = 0
    """Articles and pages written with `draft: true`."""
    scheduled: int = 0
    """Articles dated in the future (scheduled in WordPress): published when their date comes."""


@dataclass(frozen=True, slots=True)
class ImportPlan:
    """Everything an import will write and say, decided before anything is written."""

    source: str
    """What was imported, for people: `the WordPress export export.xml`."""
    files: tuple[PlannedFile, ...]
    """Every file to write, the report excluded (`with_report` adds it)."""
    notes: tuple[Problem, ...]
    """The report: warnings at the line of a written file (`content/…`) or of the export."""
    counts: ImportCounts
    skipped: tuple[tuple[str, str, int], ...] = ()
    """(what, why, how many) for each kind of thing not imported: `("menu entries", "menus
    are nav: in config.yaml", 2)`."""
    remarks: tuple[str, ...] = ()
    """Warnings that concern the whole import (media left on the old site), one line each."""


# --------------------------------------------------------------------------- checking and writing


def existing_files(site_dir: Path, files: Iterable[PlannedFile]) -> list[str]:
    """Return the planned files that exist already in `site_dir` (a link counts, even broken)."""
    return [f.src_path for f in files if os.path.lexists(site_dir / f.src_path)]


def refuse_overwrite(existing: Sequence[str]) -> UsageError:
    """Return the error that names the files an import would overwrite (the first few)."""
    shown = ", ".join(existing[:SHOWN_EXISTING])
    more = f" and {len(existing) - SHOWN_EXISTING} more" if len(existing) > SHOWN_EXISTING else ""
    noun = "file exists" if len(existing) == 1 else "files exist"
    return UsageError(f"{len(existing)} {noun} already: {shown}{more}; nothing was written\n"
                      "  hint: import into a site without them, or pass --force to overwrite them")


def apply_plan(site_dir: Path, plan: ImportPlan, *, force: bool) -> ImportPlan:
    """Check the plan against the site and write it, the report included; return the plan.

    Raises UsageError (nothing written) when a planned file exists and `force` is off, when
    one is a folder (never replaced, even forced), or when a file cannot be written."""
    files = (*plan.files, PlannedFile(REPORT_FILE, report_text(plan)))
    folders = [f.src_path for f in files if (site_dir / f.src_path).is_dir()]
    if folders:
        raise UsageError(f"{folders[0]} is a folder, where the import would write a file; nothing was written\n"
                         "  hint: move it away and import again")
    if not force:
        existing = existing_files(site_dir, files)
        if existing:
            raise refuse_overwrite(existing)
    write_files(site_dir, files)
    return plan


def write_files(site_dir: Path, files: Sequence[PlannedFile]) -> None:
    """Write every file: each first to a temporary file beside it, then all moved into place
    (a file or link there is replaced).

    A failure while the temporary files are written (a full disk, a file where a folder
    should be) removes them and the folders made for them, leaving the site as it was,
    and raises UsageError. The moves that follow are renames, which do not fail for want
    of space."""
    made: list[Path] = []
    temps: list[tuple[Path, Path]] = []
    src_path = ""
    try:
        for planned in files:
            src_path = planned.src_path
            target = site_dir / src_path
            _make_folders(target.parent, made)
            temp = target.with_name(f".{target.name}.bs-import")
            temps.append((temp, target))
            if planned.text is not None:
                with open(temp, "w", encoding="utf-8", newline="\n") as handle:
                    handle.write(planned.text)
            else:
                assert planned.copy_from is not None
                shutil.copyfile(planned.copy_from, temp)
    except OSError as exc:
        for temp, _target in temps:
            temp.unlink(missing_ok=True)
        for folder in reversed(made):
            try:
                folder.rmdir()
            except OSError:
                pass
        raise UsageError(f"cannot write {src_path}: {exc.strerror or exc}; nothing was written") from None
    for temp, target in temps:
        os.replace(temp, target)


def _make_folders(folder: Path, made: list[Path]) -> None:
    """Create `folder` and its missing parents, recording each one made (outermost first)."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        path.mkdir()
        made.append(path)


# --------------------------------------------------------------------------- the summary and the report


def summary_lines(plan: ImportPlan) -> list[str]:
    """Return the lines that close an import: counts, what was skipped and why, the report."""
    c = plan.counts
    held = [f"{c.drafts} draft{'s' if c.drafts != 1 else ''}"] if c.drafts else []
    held += [f"{c.scheduled} scheduled"] if c.scheduled else []
    lines = [f"Imported {plan.source}: {_count(c.articles, 'article')}"
             + (f" ({', '.join(held)})" if held else "")
             + f", {_count(c.pages, 'page')}, {_count(c.authors, 'author')}, {_count(c.tags, 'tag')}, "
             f"{_count(c.media_copied, 'media file')} copied"]
    if plan.skipped:
        lines.append("Not imported: " + "; ".join(f"{what}: {n:,} ({why})" for what, why, n in plan.skipped))
    lines += [f"warning: {remark}" for remark in plan.remarks]
    if plan.notes:
        lines.append(f"{REPORT_FILE} lists {_count(len(plan.notes), 'thing')} to check, each at its file and line")
    else:
        lines.append(f"{REPORT_FILE}: nothing needs checking")
    return lines


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def report_text(plan: ImportPlan) -> str:
    """Return IMPORT-REPORT.md: every note, grouped by the file it is about, in line order."""
    lines = ["# Import report", ""] + [f"- {line}" for line in summary_lines(plan)[:-1]] + [""]
    if not plan.notes:
        return "\n".join(lines + ["Nothing needs checking.", ""])
    lines += [f"{_count(len(plan.notes), 'thing')} to check. Each names the file and line to look at "
              "(the imported file's, or the old site's for what was not imported); "
              "delete this file when done.", ""]
    by_file: dict[str, list[Problem]] = {}
    for note in sorted(plan.notes, key=Problem.sort_key):
        by_file.setdefault(note.loc.src_path if note.loc else "", []).append(note)
    for src_path, notes in by_file.items():
        lines += [f"## {src_path or 'The whole import'}", ""]
        for note in notes:
            where = f"`{note.loc}`: " if note.loc and note.loc.line else ""
            hint = f" — {note.hint}" if note.hint else ""
            lines.append(f"- {where}{note.message}{hint}")
        lines.append("")
    return "\n".join(lines)


# --------------------------------------------------------------------------- files and names


def markdown_file(fields: Mapping[str, object], body: str) -> tuple[str, int]:
    """Return a Markdown file with `fields` as its front matter, and its body's first line.

    The front matter is `source.dump_yaml_mapping`'s: it reads back as written."""
    dumped = dump_yaml_mapping(fields)
    head = f"---\n{dumped}---\n"
    body = body.strip("\n")
    if not body:
        return head, head.count("\n") + 1
    return f"{head}\n{body}\n", head.count("\n") + 2


def line_of_key(text: str, key: str) -> int:
    """Return the 1-based line of the top-level front matter `key` in `text` (1 when absent)."""
    match = re.search(rf"^{re.escape(key)}:", text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def unique_name(name: str, taken: set[str]) -> str:
    """Return `name`, or `name-2`, `name-3`… the first not in `taken`; add it to `taken`."""
    candidate, number = name, 1
    while candidate in taken:
        number += 1
        candidate = f"{name}-{number}"
    taken.add(candidate)
    return candidate


def file_slug(text: str, style: str) -> str:
    """Return `text` as a slug for a file name, cut at a word to MAX_SLUG_LENGTH (less room
    for a `-2`); '' when it has no letter or digit."""
    slug = slugify(text, style)
    limit = MAX_SLUG_LENGTH - 4
    if slug_size(slug) <= limit:
        return slug
    cut = slug.encode("utf-8")[:limit].decode("utf-8", errors="ignore")
    return cut.rsplit("-", 1)[0] if "-" in cut else cut


def is_plain_relative_path(rel: str) -> bool:
    """True for `2024/05/x.jpg`; False for what could leave a folder or hide in it
    (`..`, an empty or hidden part, a backslash, a NUL)."""
    parts = rel.split("/")
    return bool(rel) and all(part and not part.startswith(".") and "\\" not in part and "\0" not in part
                             for part in parts)


@dataclass(frozen=True, slots=True)
class UploadsFolder:
    """A copy of the old system's media folder (WordPress's wp-content/uploads)."""

    root: Path

    def find(self, rel: str) -> Path | None:
        """Return the file at `rel` (`2024/05/x.jpg`) inside the folder, or None when there
        is none, or when it (or a link on the way) leads out of the folder."""
        if not is_plain_relative_path(rel):
            return None
        try:
            real = (self.root / rel).resolve(strict=True)
            inside = real.is_relative_to(self.root.resolve(strict=True))
        except (OSError, RuntimeError):
            return None
        return real if inside and real.is_file() else None


# --------------------------------------------------------------------------- HTML → Markdown and text


@dataclass(frozen=True, slots=True)
class BodyBlock:
    """A piece of a body kept out of the HTML conversion: a figure's Markdown, raw HTML
    kept as it is, a placeholder. The body holds `block_token(i)` where it goes."""

    markdown: str
    """What the token becomes in the Markdown."""
    note: tuple[str, str | None] | None = None
    """(what, what to do) for the report, at the line the block lands on; None: nothing to check."""


@dataclass(frozen=True, slots=True)
class ConvertedBody:
    """A body in Markdown, with the report's entries found while converting it."""

    markdown: str
    notes: tuple[tuple[int, str, str | None], ...] = field(default=())
    """(line in `markdown`, 1-based; what; what to do)."""


_TOKEN = re.compile(r"BSIMPORTBLOCK(\d+)END")


def block_token(index: int) -> str:
    """Return the placeholder of block `index`: letters and digits, which the converter leaves alone."""
    return f"BSIMPORTBLOCK{index}END"


_ESCAPED = re.compile(r"[\\`*_\[\]]")
_ENTITY_LIKE = re.compile(r"&(?=#?\w+;)")
_LINE_START = re.compile(r"^(\s*)([#>+-]|\d{1,9}(?=[.)]))(?=[.)]?(?:\s|$))")
"""What opens a heading, quote or list when it opens a line: `#`, `>`, `-`, `+`, or the
digits of `1.` (whose `.` gets the backslash: a digit cannot have one)."""


class _Converter(MarkdownConverter):
    """markdownify, escaping what Python-Markdown would read as markup, and only that."""

    def escape(self, text: str, *_args, **_kwargs) -> str:
        """Escape text so that it reads back as itself: Markdown's own characters get a
        backslash, `<` and entity-like `&` become entities (a `&lt;script&gt;` in a post
        stays text), a line-opening `#`, `>`, `-`, `+` or `1.` gets a backslash."""
        if not text:
            return ""
        text = _ESCAPED.sub(r"\\\g<0>", text)
        text = _ENTITY_LIKE.sub("&amp;", text).replace("<", "&lt;")
        return _LINE_START.sub(_escape_line_start, text)

    def convert_img(self, el, text, *args, **kwargs):
        """An image: its alt text escaped and its title's straight quotes curled, which
        Python-Markdown's title syntax cannot escape."""
        if el.get("alt"):
            el["alt"] = escape_alt(el["alt"])
        if el.get("title"):
            el["title"] = curl_quotes(el["title"])
        return super().convert_img(el, text, *args, **kwargs)


def _escape_line_start(match: re.Match) -> str:
    """`# x` → `\\# x`; `1. x` → `1\\. x`."""
    blank, mark = match.groups()
    return f"{blank}{mark}\\" if mark[0].isdigit() else f"{blank}\\{mark}"


def escape_alt(alt: str) -> str:
    """Return image alt text for `![…]`: one line, brackets and backslashes escaped."""
    return re.sub(r"([\\\[\]])", r"\\\1", " ".join(alt.split()))


def curl_quotes(text: str) -> str:
    """Return `text` on one line with straight double quotes made curly (“ ”), as an
    image title in `"…"` needs."""
    parts = " ".join(text.split()).split('"')
    return "".join(part + ("“" if i % 2 == 0 else "”") for i, part in enumerate(parts[:-1])) + parts[-1]


def figure_markdown(src: str, alt: str, caption: str, credit: str = "") -> str:
    """Return a Broadsheet figure: `![alt](src "caption | credit")`, to stand alone in its paragraph."""
    title = " | ".join(part for part in (caption, credit) if part)
    src = src.strip().replace(" ", "%20").replace("(", "%28").replace(")", "%29")
    return f"![{escape_alt(alt)}]({src}" + (f' "{curl_quotes(title)}")' if title else ")")


def html_to_markdown(fragment: str, blocks: Sequence[BodyBlock] = ()) -> ConvertedBody:
    """Return the Markdown of an HTML fragment, each `block_token(i)` replaced by `blocks[i]`.

    ATX headings, `-` bullets, `**bold**`, `*em*`, fenced code. A block alone in its
    paragraph stays alone in its paragraph (a figure stays a figure). HTML nested deeper
    than the converter can follow (unclosed `<p>` by the hundred) becomes plain paragraphs,
    with a note at line 1."""
    converter = _Converter(heading_style="atx", bullets="-", strong_em_symbol="*", code_language="",
                           escape_misc=False)
    fragment = calm_whitespace(defuse_html(fragment))
    note = None
    try:
        if nesting_depth(fragment) > MAX_NESTING:
            raise RecursionError  # before Beautiful Soup, whose tree of deep nesting takes time squared
        converted = converter.convert(fragment)
    except RecursionError:  # markdownify recurses once per level of nesting
        converted = "\n\n".join(_ESCAPED.sub(r"\\\g<0>", text) for part in _PARAGRAPH_BREAK.split(fragment)
                                if (text := html_to_text(part)))
        note = (1, "its HTML nests elements too deeply to convert (tags never closed?): it is plain paragraphs now, "
                   "without links or emphasis", "compare it with the old page and restore what it lost")
    lines = [_without_trailing_space(line) for line in converted.strip("\n").split("\n")]
    body = _put_blocks(re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n", blocks)
    return ConvertedBody(body.markdown, ((note,) if note else ()) + body.notes)


def _without_trailing_space(line: str) -> str:
    """A line without its trailing blanks, but for the two spaces of a hard line break (`<br>`)."""
    bare = line.rstrip(" \t")
    return bare + "  " if line.endswith("  ") and bare and not line.endswith("   ") else bare


def _put_blocks(markdown: str, blocks: Sequence[BodyBlock]) -> ConvertedBody:
    """Replace each block token of `markdown` by its block, noting the line each note lands on."""
    pieces: list[str] = []
    notes: list[tuple[int, str, str | None]] = []
    line, position = 1, 0
    for match in _TOKEN.finditer(markdown):
        index = int(match[1])
        if index >= len(blocks):
            continue
        before = markdown[position:match.start()]
        pieces.append(before)
        line += before.count("\n")
        block = blocks[index]
        if block.note:
            notes.append((line, *block.note))
        pieces.append(block.markdown)
        line += block.markdown.count("\n")
        position = match.end()
    pieces.append(markdown[position:])
    return ConvertedBody("".join(pieces), tuple(notes))


MAX_NESTING = 150
"""Elements in elements that the converter follows (markdownify calls itself for each level;
a news story nests a dozen). Deeper is converted as plain paragraphs."""
_ANY_TAG = re.compile(r"<(/?)([A-Za-z][\w-]*)[^<>]*?(/?)>")
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
                   "track", "wbr"})


def nesting_depth(fragment: str, limit: int = MAX_NESTING) -> int:
    """Return how deep the elements of `fragment` nest as an HTML parser without the HTML
    rules sees them (an unclosed `<p>` holds what follows; a closing tag closes what its
    element holds); counting stops past `limit`."""
    stack: list[str] = []
    deepest = 0
    for tag in _ANY_TAG.finditer(fragment):
        name = tag[2].lower()
        if tag[1]:
            if name in stack:
                del stack[len(stack) - 1 - stack[::-1].index(name):]
        elif not tag[3] and name not in _VOID:
            stack.append(name)
            deepest = max(deepest, len(stack))
            if deepest > limit:
                break
    return deepest


_PARAGRAPH_BREAK = re.compile(r"</?(?:p|div|li|h[1-6]|blockquote|tr|br|figure)\b[^<>]*>", re.IGNORECASE)
_CDATA_ELEMENT = re.compile(r"<(script|style|textarea|title)\b", re.IGNORECASE)


_PRE_OPEN = re.compile(r"<pre\b", re.IGNORECASE)
_BLANKS = re.compile(r"[ \t\r\n]{2,}")
_LONG_BLANKS = re.compile(r"[ \t\r\n]{65,}")


def calm_whitespace(fragment: str) -> str:
    """Return `fragment` with each run of blanks outside `<pre>` one space or line break (as
    HTML shows it), and runs inside cut to 64. markdownify's own patterns take time that
    grows with the square of a run's length: 100,000 spaces took minutes."""
    def calm(text: str) -> str:
        return _BLANKS.sub(lambda m: "\n" if "\n" in m.group() else " ", text)

    pieces: list[str] = []
    position = 0
    for opening, closing in iter_spans(fragment, _PRE_OPEN, "</pre>"):
        pieces += [calm(fragment[position:opening.start()]),
                   _LONG_BLANKS.sub(lambda m: m.group()[:64], fragment[opening.start():closing.end()])]
        position = closing.end()
    pieces.append(calm(fragment[position:]))
    return "".join(pieces)


def defuse_html(fragment: str) -> str:
    """Return `fragment` with every `<` that opens no whole tag written `&lt;`: one with no
    `>` before the next `<`, a `<!--` never closed, a `<!…` or `<?…` (no post has a
    declaration), a `<script` or `<style` without its end tag. Python's html.parser scans
    each of those to the end of the text, again for the next: a body of 100,000 of them
    took minutes. Linear: each `>` and end tag is looked for once."""
    pieces: list[str] = []
    position = 0
    next_close = -2  # the first '>' after the current '<' (-1: none left)
    missing: set[str] = set()
    end_tags: dict[str, int] = {}
    start = fragment.find("<")
    while start >= 0:
        keep_to = None
        if fragment.startswith("<!--", start):
            end = -1 if "-->" in missing else fragment.find("-->", start + 4)
            if end < 0:
                missing.add("-->")
            else:
                keep_to = end + 3
        elif fragment.startswith(("<!", "<?"), start):
            pass
        else:
            if next_close != -1 and next_close <= start:
                next_close = fragment.find(">", start + 1)
            following = fragment.find("<", start + 1, next_close if next_close >= 0 else None)
            if next_close >= 0 and following < 0:
                keep_to = next_close + 1
                element = _CDATA_ELEMENT.match(fragment, start)
                if element and not _has_end_tag(fragment, element[1].lower(), keep_to, end_tags):
                    keep_to = None
        if keep_to is None:
            pieces += [fragment[position:start], "&lt;"]
            position = start + 1
            start = fragment.find("<", start + 1)
        else:
            start = fragment.find("<", keep_to)
    pieces.append(fragment[position:])
    return "".join(pieces)


def _has_end_tag(fragment: str, name: str, after: int, seen: dict[str, int]) -> bool:
    """True when `</name` follows `after` in `fragment` (in any case). `seen` keeps where
    each was found (-1: nowhere after a point), so that no stretch is searched twice."""
    known = seen.get(name)
    if known is not None and (known == -1 or known >= after):
        return known >= after
    found = re.compile(f"</{name}", re.IGNORECASE).search(fragment, after)
    seen[name] = found.start() if found else -1
    return found is not None


_BREAKING_TAG = re.compile(r"</?(?:p|br|div|li|h[1-6]|blockquote|tr|td|th|figcaption)\b[^<>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^<>]*>")
_COMMENT = re.compile(r"<!--")


def html_to_text(fragment: str) -> str:
    """Return an HTML fragment as plain text on one line: tags and comments dropped
    (a paragraph or line break is a space), entities decoded, spaces collapsed."""
    text = replace_spans(fragment, _COMMENT, "-->", lambda *_: "")
    text = _TAG.sub("", _BREAKING_TAG.sub(" ", text))
    return " ".join(html.unescape(text).split())


SpanReplacer = Callable[[re.Match, str, str], str]
"""Called with the opener's match, the text between opener and closer, and the whole span."""


def replace_spans(text: str, opener: re.Pattern, closer: str | Callable[[re.Match], str],
                  replace: SpanReplacer) -> str:
    """Return `text` with every span from a match of `opener` to the first `closer` after
    it (in any case; a function of the match for closers that depend on it) replaced by
    `replace(match, inner, whole)`. An opener with no closer after it is left as it is.

    Linear in `text`, where a regex `opener.*?closer` is quadratic in the openers that
    never close: a closer once missing after a point is missing after every later one."""
    pieces: list[str] = []
    position = 0
    for match, found in iter_spans(text, opener, closer):
        pieces += [text[position:match.start()],
                   replace(match, text[match.end():found.start()], text[match.start():found.end()])]
        position = found.end()
    pieces.append(text[position:])
    return "".join(pieces)


def iter_spans(text: str, opener: re.Pattern, closer: str | Callable[[re.Match], str]) -> Iterator[tuple[re.Match, re.Match]]:
    """Yield (opener's match, closer's match) for each span of `text` that `replace_spans` replaces."""
    missing: set[str] = set()
    search_from = 0
    while match := opener.search(text, search_from):
        end_text = (closer(match) if callable(closer) else closer).lower()
        found = None if end_text in missing else re.compile(re.escape(end_text), re.IGNORECASE).search(text, match.end())
        if found is None:
            missing.add(end_text)
            search_from = match.end()
            continue
        yield match, found
        search_from = found.end()
