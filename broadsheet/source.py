"""Reading text sources: UTF-8, front matter, line-aware YAML.

Owns `Document` and the rules every Markdown source shares: UTF-8 (a BOM is allowed),
front matter between `---` lines, safe YAML only, duplicate keys reported, and every
line number a *file* line. Validation of fields is `load`'s job, not this module's.
The only module that imports `yaml`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml

from .errors import Problem, SourceLoc, error, warning


class _Dates:
    """Safe YAML, except that an impossible date (`2026-02-30`) stays text for `load` to report."""

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)  # type: ignore[misc]
        except (ValueError, AttributeError):
            return self.construct_scalar(node)  # type: ignore[attr-defined]


class PureLoader(_Dates, yaml.SafeLoader):
    """PyYAML's pure-Python parser: what runs where PyYAML was built without libyaml."""


PureLoader.add_constructor("tag:yaml.org,2002:timestamp", PureLoader.construct_yaml_timestamp)

if hasattr(yaml, "CSafeLoader"):
    class CLoader(_Dates, yaml.CSafeLoader):  # type: ignore[misc, name-defined]
        """libyaml's parser: about 9x faster. Its error texts differ from the pure parser's."""

    CLoader.add_constructor("tag:yaml.org,2002:timestamp", CLoader.construct_yaml_timestamp)
    Loader: type = CLoader
else:
    Loader = PureLoader

_FENCE = re.compile(r"^---[ \t]*$")
_CLOSE = re.compile(r"^(---|\.\.\.)[ \t]*$")


@dataclass(frozen=True, slots=True)
class Document:
    """A parsed Markdown source: front matter, the source text of each value, and the body."""

    src_path: str
    """Path relative to the site root, with forward slashes."""
    meta: Mapping[str, Any]
    """Front matter as YAML constructed it."""
    text: Mapping[str, Any]
    """The same tree with every plain scalar as its source text (`no` stays 'no')."""
    key_lines: Mapping[str, int]
    """File line of each top-level key."""
    body: str
    body_line: int
    """File line on which the body starts."""
    problems: tuple[Problem, ...] = field(default=())

    def loc(self, key: str | None = None) -> SourceLoc:
        """Return the location of `key` (or of the front matter when it has no line)."""
        line = self.key_lines.get(key, 1) if key else 1
        return SourceLoc(self.src_path, line)


class SourceError(Exception):
    """A file that cannot be read as a document. Carries one problem."""

    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__(problem.format())


def read_text(abs_path: Path, src_path: str) -> str:
    """Return the file's text, decoded as UTF-8, newlines normalised; raise SourceError."""
    return decode_text(abs_path.read_bytes(), src_path)


def decode_text(data: bytes, src_path: str) -> str:
    """Return `data` decoded as UTF-8 (a BOM allowed), newlines normalised; raise SourceError."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise SourceError(error(
            SourceLoc(src_path, line),
            f"the file is not UTF-8 (byte 0x{data[exc.start]:02x} cannot be decoded)",
            "save the file as UTF-8 in your editor",
        )) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_document(text: str, src_path: str, *, require_front_matter: bool = True) -> Document:
    """Split `text` into front matter and body; raise SourceError when it cannot be read."""
    if not text.strip():
        raise SourceError(error(SourceLoc(src_path, 1), "the file is empty",
                                "an article starts with front matter between '---' lines"))
    lines = text.split("\n")
    if not _FENCE.match(lines[0]):
        if not require_front_matter:
            return Document(src_path, {}, {}, {}, text, 1)
        raise SourceError(error(SourceLoc(src_path, 1), "no front matter: the first line must be '---'",
                                "did you forget to add the '---' lines around the title, date and tags?"))
    for index in range(1, len(lines)):
        if _CLOSE.match(lines[index]):
            close = index
            break
    else:
        raise SourceError(error(SourceLoc(src_path, 1), "the front matter is not closed",
                                "add a line with '---' after the last front matter field"))
    yaml_text = "\n".join(lines[1:close])
    meta, texts, key_lines, problems = load_yaml_mapping(yaml_text, src_path, first_line=2)
    body = "\n".join(lines[close + 1:])
    return Document(src_path, meta, texts, key_lines, body, close + 2, tuple(problems))


def dump_yaml_mapping(fields: Mapping[str, Any]) -> str:
    """Return `fields` as YAML text that `load_yaml_mapping` reads back as written: PyYAML's
    safe dump (libyaml's, in C, where PyYAML has it), in the order given, Unicode as it is,
    every value quoted as YAML needs (`'1984'`, `'yes'`, `'#1'`), no line folded."""
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(dict(fields), Dumper=dumper, allow_unicode=True, sort_keys=False, width=1_000_000)


def load_yaml_mapping(yaml_text: str, src_path: str, first_line: int = 1, *, subject: str = "the front matter"):
    """Parse YAML that must be a mapping. Return (meta, texts, key_lines, problems).

    `first_line` is the file line of the YAML's first line; `subject` names the YAML in
    messages. Raises SourceError when the YAML is broken, not a mapping, or empty.
    """
    loader = None
    try:
        loader = Loader(yaml_text)  # the pure-Python reader refuses control characters here already
        node = loader.get_single_node()
        if node is None:
            raise SourceError(error(SourceLoc(src_path, first_line), f"{subject} is empty",
                                    "add at least a title, e.g. 'title: My headline'"))
        if not isinstance(node, yaml.MappingNode):
            line = node.start_mark.line + first_line
            raise SourceError(error(SourceLoc(src_path, line),
                                    f"{subject} must be a mapping of 'key: value' lines, not {_kind(node)}"))
        problems: list[Problem] = []
        _check_duplicates(node, src_path, first_line, problems, set(), set())
        # Keys are taken as written: YAML 1.1 would make `on:` or `no:` the boolean True/False.
        constructed = loader.construct_document(node)
        meta = {str(key_node.value): constructed[loader.construct_object(key_node)]
                for key_node, _value in node.value if isinstance(key_node, yaml.ScalarNode)}
        key_lines: dict[str, int] = {}
        texts: dict[str, Any] = {}
        memo: dict[int, Any] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            key_lines.setdefault(key, key_node.start_mark.line + first_line)
            texts.setdefault(key, _text_tree(value_node, memo))
            if isinstance(value_node, yaml.ScalarNode) and value_node.value == "" and not value_node.style:
                _check_comment_as_value(key_node, yaml_text, src_path, first_line, problems)
    except (ValueError, TypeError, OverflowError) as exc:  # a constructor choking on e.g. `!!int abc`
        raise SourceError(error(SourceLoc(src_path, first_line), f"invalid YAML in {subject}: {exc}",
                                "remove the '!!' tags: Broadsheet reads plain YAML")) from None
    except RecursionError:  # the pure-Python parser, or a depth libyaml allows but Python's stack does not
        raise SourceError(_too_deep(yaml_text, src_path, first_line, subject)) from None
    except yaml.MarkedYAMLError as exc:
        if exc.problem and "maximum nesting depth" in exc.problem:  # libyaml's own limit
            raise SourceError(_too_deep(yaml_text, src_path, first_line, subject)) from None
        raise SourceError(_yaml_problem(exc, yaml_text, src_path, first_line, subject)) from None
    except yaml.reader.ReaderError as exc:
        line = yaml_text.count("\n", 0, exc.position) + first_line
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise SourceError(error(SourceLoc(src_path, line),
                                f"{subject} holds the control character U+{code:04X}, which YAML does not accept",
                                "delete it (it often comes with text pasted from a word processor)")) from None
    except yaml.YAMLError as exc:
        raise SourceError(error(SourceLoc(src_path, first_line), f"invalid YAML in {subject}: {exc}")) from None
    finally:
        if loader is not None:
            loader.dispose()
    return meta, texts, key_lines, problems


_COMMENT_AS_VALUE = re.compile(r"[ \t]*:[ \t]+(#.*?)\s*$")


def _check_comment_as_value(key_node: yaml.Node, yaml_text: str, src_path: str, first_line: int,
                            problems: list[Problem]) -> None:
    """Warn about `title: #1 story`: YAML reads a '#' after a space as a comment, so the value is empty."""
    line = yaml_text.split("\n")[key_node.end_mark.line]
    found = _COMMENT_AS_VALUE.match(line, key_node.end_mark.column)
    if found:
        problems.append(warning(SourceLoc(src_path, key_node.start_mark.line + first_line),
                                f"'{key_node.value}': YAML reads '{found.group(1)}' as a comment, so the value "
                                f"is empty", f"quote it if it is the value: {key_node.value}: "
                                             f"{_double_quoted(found.group(1))}"))


def _too_deep(yaml_text: str, src_path: str, first_line: int, subject: str) -> Problem:
    """The problem of YAML nested deeper than the parser (or Python's stack) allows, at its deepest line."""
    return error(SourceLoc(src_path, _deepest_line(yaml_text) + first_line), f"{subject} is nested too deeply",
                 "a value holds lists or mappings inside each other hundreds of levels deep")


_OPENING = (yaml.FlowSequenceStartToken, yaml.FlowMappingStartToken,
            yaml.BlockSequenceStartToken, yaml.BlockMappingStartToken)
_CLOSING = (yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken, yaml.BlockEndToken)


def _deepest_line(yaml_text: str) -> int:
    """Return the 0-based line on which the nesting first reaches its greatest depth.

    Both parsers stop without a useful mark (libyaml at its limit, the pure-Python one in
    a RecursionError), so the tokens are counted again; the pure-Python scanner keeps its
    depth in a counter, not on the stack. Only runs on a document already refused.
    """
    depth = deepest = line = 0
    try:
        for token in yaml.scan(yaml_text, Loader=yaml.SafeLoader):
            if isinstance(token, _OPENING):
                depth += 1
                if depth > deepest:
                    deepest, line = depth, token.start_mark.line
            elif isinstance(token, _CLOSING):
                depth -= 1
    except yaml.YAMLError:  # the scanner stops at a later mistake: the depth up to it is known
        pass
    return line


_FIELD = re.compile(r"^(\s*)([^\s:#'\"][^:#]*?):[ ]+(.*?)\s*$")


def _quote_example(line: str, fallback: str) -> str:
    """Return `line` with its value quoted (`title: "Vote: what next"`), or `fallback`."""
    found = _FIELD.match(line)
    if not found or not found.group(3) or found.group(3)[0] in "[{\"'":
        return fallback
    return f"{found.group(1).strip()}{found.group(2)}: {_double_quoted(found.group(3))}"


def _double_quoted(text: str) -> str:
    """Return `text` as a YAML double-quoted value."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _yaml_problem(exc: yaml.MarkedYAMLError, yaml_text: str, src_path: str, first_line: int,
                  subject: str) -> Problem:
    """Explain a YAML syntax error by what the author wrote, not by the parser's state.

    libyaml and the pure-Python parser word their errors differently and point at
    different columns, so the cause is read from the text at their marks; each case has
    its own message and hint, and both parsers give the same ones.
    """
    lines = yaml_text.split("\n")
    mark = exc.problem_mark or exc.context_mark
    context, problem = exc.context or "", exc.problem or ""

    def text_of(at) -> str:
        return lines[at.line] if at is not None and at.line < len(lines) else ""

    def char_at(at) -> str:
        line = text_of(at)
        return line[at.column] if at is not None and at.column < len(line) else ""

    def where(at, column: int | None = None) -> SourceLoc:
        if at is None:
            return SourceLoc(src_path, first_line)
        return SourceLoc(src_path, at.line + first_line, (at.column if column is None else column) + 1)

    def problem_at(at, message: str, hint: str, column: int | None = None) -> Problem:
        return error(where(at, column), f"invalid YAML in {subject}: {message}", hint)

    line = text_of(mark)
    indent = len(line) - len(line.lstrip(" \t"))
    before = line[:mark.column].strip() if mark is not None else ""
    if char_at(exc.problem_mark) == "\t":
        if exc.problem_mark.column < indent:
            return problem_at(exc.problem_mark, "a tab is used for indentation",
                              "indent with spaces: YAML does not allow tabs there (set your editor to insert spaces)")
        return problem_at(exc.problem_mark, "a tab where YAML expects a space", "replace the tab with a space")
    if "quoted scalar" in context:
        opening = exc.context_mark
        quote = char_at(opening)
        if "unknown escape" in problem:
            # libyaml points at the backslash, the pure-Python parser at the letter after it.
            column = mark.column - 1 if char_at(mark) != "\\" and line[mark.column - 1:mark.column] == "\\" \
                else mark.column
            return problem_at(mark, "a backslash in double quotes starts an escape, and this one is unknown",
                              "write \\\\ for a backslash, or put the value in single quotes", column)
        if quote == "'":
            inside = "inside single quotes, write '' for an apostrophe"
        else:
            inside = 'inside double quotes, write \\" for a quotation mark'
        return problem_at(opening, f"the quote {quote} that opens this value is never closed",
                          f"end the value with {quote}; {inside}")
    if "alias" in context or problem.startswith("found undefined alias"):
        star = exc.context_mark if "alias" in context else mark
        return problem_at(star, "a value that starts with '*' is read as a YAML alias",
                          "quote the value: " + _quote_example(text_of(star), 'title: "*Exclusive* interview"'))
    if "cannot start any token" in problem or "node content" in problem or "mapping keys are not allowed" in problem:
        char = char_at(mark)
        return problem_at(mark, f"a value that starts with '{char}' must be quoted",
                          "quote the value: " + _quote_example(line, 'twitter: "@handle"'))
    if "block scalar" in context:
        return problem_at(exc.context_mark, f"a value that starts with '{char_at(exc.context_mark)}' must be quoted",
                          "quote the value: " + _quote_example(text_of(exc.context_mark), 'title: "> Read this"'))
    if problem.startswith("mapping values are not allowed"):
        if ": " in before + " ":
            return problem_at(mark, "a value that contains ': ' must be quoted",
                              "quote the value: " + _quote_example(line, 'title: "Vote: what next"'))
        if indent:
            return problem_at(mark, "this line is indented more than the field above it",
                              "start the field at the same indentation as the one above; if the line goes on "
                              "with the value above, quote that value", indent)
    if "sequence entries are not allowed" in problem:
        return problem_at(mark, "a '- ' list item where a value is expected",
                          "write a list as [a, b], or as '- a' lines indented under the field; quote a value "
                          "that starts with '- '")
    if "flow sequence" in context or "flow mapping" in context:
        opening = exc.context_mark
        bracket, closing, kind = ("[", "]", "list") if "sequence" in context else ("{", "}", "mapping")
        if mark.line > opening.line or not line[mark.column:].strip():  # ran to the end of the text
            return problem_at(opening, f"the '{bracket}' that opens this {kind} is never closed",
                              f"end the {kind} with '{closing}'")
        return problem_at(mark, f"unexpected text in the {kind} that opens with '{bracket}' at column "
                                f"{opening.column + 1}",
                          "separate the items with ', ', and quote an item that contains ',', ':', "
                          f"quotes or brackets")
    if "simple key" in context:
        return problem_at(exc.context_mark, "this line has no ':' after a field name",
                          "write 'field: value'; a value that goes on to the next line must be indented "
                          "or quoted", 0)
    if "block mapping" in context or "block collection" in context:
        if before[-1:] in ("'", '"') and ": " in before:
            return problem_at(mark, "text after the closing quote of a value",
                              "quote the whole value; inside single quotes, write '' for an apostrophe, "
                              "e.g. title: 'Don''t panic'")
        if before[-1:] in ("]", "}") and ": " in before:
            kind = "list" if before[-1] == "]" else "mapping"
            return problem_at(mark, f"text after the closing '{before[-1]}' of a {kind}",
                              f"remove it, or quote the whole value if it is text, not a {kind}")
        if mark.column == indent and mark.line > exc.context_mark.line:
            return problem_at(mark, "this line is indented like no line above it",
                              "indent the fields of one mapping, or the items of one list, by the same number "
                              "of spaces")
    if isinstance(exc, yaml.constructor.ConstructorError) and "constructor for the tag" in problem:
        return problem_at(mark, problem, "Broadsheet reads plain YAML only: remove the '!' tag, or quote the value")
    what = f"{context}, {problem}" if context else problem or "invalid YAML"
    return problem_at(mark, what, "fields are 'name: value' lines; quote a value that starts with a special "
                                  "character; indent with spaces")


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return f"the value {node.value!r}"


def _text_tree(node: yaml.Node, memo: dict[int, Any]) -> Any:
    """Return the source-text tree of `node`; aliased nodes are converted once (`memo`)."""
    if isinstance(node, yaml.ScalarNode):
        return node.value
    if id(node) in memo:
        return memo[id(node)]
    if isinstance(node, yaml.SequenceNode):
        result: Any = [_text_tree(item, memo) for item in node.value]
    elif isinstance(node, yaml.MappingNode):
        result = {str(k.value): _text_tree(v, memo) for k, v in node.value if isinstance(k, yaml.ScalarNode)}
    else:
        result = None
    memo[id(node)] = result
    return result


def _check_duplicates(node: yaml.Node, src_path: str, first_line: int, problems: list[Problem],
                      done: set[int], open_: set[int]) -> None:
    """Report every key that appears twice in one mapping (YAML keeps the last silently).

    Aliases share nodes: each node is checked once (`done`), so `&a`/`*a` chains cost
    linear time, and an alias inside its own anchor (`open_`) is an error, not a loop.
    Non-text keys are left to the constructor, which rejects them.
    """
    if not isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) or id(node) in done:
        return
    if id(node) in open_:
        raise SourceError(error(SourceLoc(src_path, node.start_mark.line + first_line),
                                "invalid YAML: an alias refers to the value that contains it",
                                "an '*alias' must not point at its own '&anchor'"))
    open_.add(id(node))
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key = str(key_node.value)
                line = key_node.start_mark.line + first_line
                if key in seen:
                    problems.append(error(SourceLoc(src_path, line),
                                          f"duplicate key '{key}' (first on line {seen[key]})",
                                          "keep one of them"))
                else:
                    seen[key] = line
            _check_duplicates(value_node, src_path, first_line, problems, done, open_)
    else:
        for item in node.value:
            _check_duplicates(item, src_path, first_line, problems, done, open_)
    open_.discard(id(node))
    done.add(id(node))
