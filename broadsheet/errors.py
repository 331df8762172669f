"""Problems with a location, and the one exception family users see.

Owns `SourceLoc`, `Problem`, `BroadsheetError` and `SiteErrors`, and the compiler-style
`path:line:col: severity: message` format, with `LineCounter` for the lines of many
positions in one text; and the two pickling helpers every cached
type uses (`positional_reduce`, `Packed`). Imports nothing from the package.
"""

from __future__ import annotations

import operator
import pickle
from dataclasses import dataclass
from typing import Any, Callable, Iterable

ERROR = "error"
WARNING = "warning"


def positional_reduce(obj) -> tuple:
    """A `__reduce__` for frozen slots dataclasses: pickle the fields as a plain tuple.

    Unpickling thousands of records from the build cache is then several times faster
    than the dataclass default, which calls `fields()` for every object.
    """
    kind = type(obj)
    fields = _FIELDS.get(kind)
    if fields is None:  # one getter per class, in C: saving a state of 50,000 articles calls this 400,000 times
        getter = operator.attrgetter(*kind.__slots__)
        fields = _FIELDS[kind] = (lambda o: (getter(o),)) if len(kind.__slots__) == 1 else getter
    return (kind, fields(obj))


_FIELDS: dict[type, Callable[[Any], tuple]] = {}


class Packed:
    """A value kept pickled until first used: what a loaded build cache holds in place of
    each article's record. Loading the cache of 50,000 articles then makes two objects per
    record instead of dozens, and a rebuild unpacks only the records it reads (an edit, a
    few). Saved again unread, it is written as the same bytes. The holder (`SourceEntry`,
    `model.Article`) unpacks it through its `record` property. Equal to, and hashed as,
    the value it holds."""

    __slots__ = ("blob", "_value")

    def __init__(self, blob: bytes):
        self.blob = blob
        self._value: Any = _UNREAD

    def unpack(self) -> Any:
        value = self._value
        if value is _UNREAD:
            value = self._value = pickle.loads(self.blob)
        return value

    def __reduce__(self) -> tuple:
        return (Packed, (self.blob,))

    def __eq__(self, other: object) -> bool:
        return self.unpack() == (other.unpack() if isinstance(other, Packed) else other)

    def __hash__(self) -> int:
        return hash(self.unpack())

    def __repr__(self) -> str:
        return f"Packed({self.unpack()!r})"


_UNREAD = object()


class PackedField:
    """The read-only attribute of a frozen dataclass whose field `name` the build cache may
    have left `Packed`: unpacks it when first read, and keeps what it held in its place. A
    class with one declares the field's name as `packed`, for the cache's pickler."""

    def __init__(self, name: str):
        self.name = name

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        value = getattr(obj, self.name)
        if type(value) is Packed:
            value = value.unpack()
            object.__setattr__(obj, self.name, value)
        return value


class LineCounter:
    """The 1-based line of each position of one text, for positions that mostly increase
    (a regex's matches, links in document order): the line breaks before each are counted
    from the last position asked, not from the start, so that a text with thousands of
    problems is read once, not once per problem."""

    __slots__ = ("text", "position", "line")

    def __init__(self, text: str) -> None:
        self.text, self.position, self.line = text, 0, 1

    def __call__(self, position: int) -> int:
        if position < self.position:
            self.position, self.line = 0, 1
        self.line += self.text.count("\n", self.position, position)
        self.position = position
        return self.line


@dataclass(frozen=True, slots=True)
class SourceLoc:
    """Where a problem is: a path relative to the site root, a 1-based line, a column."""

    src_path: str
    line: int | None = None
    col: int | None = None

    def __str__(self) -> str:
        parts = [self.src_path]
        if self.line is not None:
            parts.append(str(self.line))
            if self.col is not None:
                parts.append(str(self.col))
        return ":".join(parts)

    __reduce__ = positional_reduce


@dataclass(frozen=True, slots=True)
class Problem:
    """One error or warning, with where it is and, optionally, what to do about it."""

    loc: SourceLoc | None
    severity: str
    message: str
    hint: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def format(self) -> str:
        """Return the problem as `path:line: severity: message` (plus a hint line)."""
        head = f"{self.loc}: " if self.loc else ""
        text = f"{head}{self.severity}: {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    def sort_key(self) -> tuple:
        if self.loc is None:
            return ("", 0, 0, self.message)
        return (self.loc.src_path, self.loc.line or 0, self.loc.col or 0, self.message)

    __reduce__ = positional_reduce


def error(loc: SourceLoc | None, message: str, hint: str | None = None) -> Problem:
    return Problem(loc, ERROR, message, hint)


def warning(loc: SourceLoc | None, message: str, hint: str | None = None) -> Problem:
    return Problem(loc, WARNING, message, hint)


class BroadsheetError(Exception):
    """A user error: printed without a traceback. `exit_code` is what the CLI returns."""

    exit_code = 1


class UsageError(BroadsheetError):
    """Bad command line, configuration or output folder: exit status 2."""

    exit_code = 2


class SiteErrors(BroadsheetError):
    """Every problem a stage found, raised once. Holds warnings found alongside, too."""

    def __init__(self, problems: Iterable[Problem], exit_code: int = 1):
        self.problems = sorted(problems, key=Problem.sort_key)
        self.exit_code = exit_code
        super().__init__("\n".join(p.format() for p in self.problems))


def raise_if_errors(problems: list[Problem], exit_code: int = 1) -> None:
    """Raise `SiteErrors` with all `problems` when any of them is an error."""
    if any(p.is_error for p in problems):
        raise SiteErrors(problems, exit_code)


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """Return the closest of `choices` to `word`, or None when nothing is close."""
    import difflib

    matches = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.75)
    return matches[0] if matches else None
