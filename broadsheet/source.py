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

from .errors import Problem, SourceLoc, error

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe YAML, except that an impossible date (`2026-02-30`) stays text for `load` to report."""

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, AttributeError):
            return self.construct_scalar(node)


Loader.add_constructor("tag:yaml.org,2002:timestamp", Loader.construct_yaml_timestamp)

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


def load_yaml_mapping(yaml_text: str, src_path: str, first_line: int = 1, *, subject: str = "the front matter"):
    """Parse YAML that must be a mapping. Return (meta, texts, key_lines, problems).

    `first_line` is the file line of the YAML's first line; `subject` names the YAML in
    messages. Raises SourceError when the YAML is broken, not a mapping, or empty.
    """
    loader = Loader(yaml_text)
    try:
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
    except (ValueError, TypeError, OverflowError) as exc:  # a constructor choking on e.g. `!!int abc`
        raise SourceError(error(SourceLoc(src_path, first_line), f"invalid YAML in {subject}: {exc}",
                                "remove the '!!' tags: Broadsheet reads plain YAML")) from None
    except RecursionError:
        raise SourceError(error(SourceLoc(src_path, first_line), f"{subject} is nested too deeply",
                                "a value holds lists or mappings inside each other hundreds of levels deep")) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + first_line if mark else first_line
        col = mark.column + 1 if mark else None
        what = exc.problem or "invalid YAML"
        if exc.context:
            what = f"{exc.context}, {what}"
        if isinstance(exc, yaml.constructor.ConstructorError) and "constructor for the tag" in what:
            hint = "Broadsheet reads plain YAML only: remove the '!' tag, or quote the value"
        else:
            hint = "quote values that contain ':' or '#', e.g. title: \"Vote: what next\""
        raise SourceError(error(SourceLoc(src_path, line, col), f"invalid YAML in {subject}: {what}",
                                hint)) from None
    except yaml.YAMLError as exc:
        raise SourceError(error(SourceLoc(src_path, first_line), f"invalid YAML in {subject}: {exc}")) from None
    finally:
        loader.dispose()
    return meta, texts, key_lines, problems


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
