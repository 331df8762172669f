"""`config.yaml` → a frozen `SiteConfig`.

Owns the documented site settings and their defaults, checks each one with the line it
is on, warns about unknown keys with a did-you-mean, and resolves `base_url` into the
prefix every internal URL carries. A missing `config.yaml` means all defaults.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import Problem, SourceLoc, did_you_mean, error, positional_reduce, warning
from .i18n import Message, check_language, load_messages
from .source import SourceError, load_yaml_mapping, read_text

CONFIG_FILE = "config.yaml"
DEFAULT_BASE_URL = "http://localhost:8000/"
PERMALINK_FIELDS = ("year", "month", "day", "slug")
SLUG_STYLES = ("ascii", "unicode")


@dataclass(frozen=True, slots=True)
class NavLink:
    title: str
    url: str
    """A site path (`/about/`, prefixed when rendered) or an absolute URL."""

    __reduce__ = positional_reduce


@dataclass(frozen=True, slots=True)
class Edition:
    """One language of the site: its own home, listings, feeds and words. The site's own
    language is the edition with code '' (at the root); each other one of `languages:`
    lives under its prefix (`/de/`)."""

    code: str
    """'' for the site's own language, else the language tag as written under `languages:`."""
    language: str
    """The BCP 47 tag: `<html lang>`, the words, the dates."""
    title: str
    tagline: str
    description: str
    nav: tuple[NavLink, ...]
    messages: Mapping[str, Message]

    __reduce__ = positional_reduce

    @property
    def prefix(self) -> str:
        """The path every page of the edition starts with: '' or `/de`."""
        return edition_prefix(self.code)


def edition_prefix(code: str) -> str:
    """Return the path every page of the edition `code` starts with: '' or `/de`."""
    return f"/{code.lower()}" if code else ""


EDITION_KEYS = ("title", "tagline", "description", "nav", "messages")
"""What a language under `languages:` may set for itself (the rest is the site's)."""


@dataclass(frozen=True, slots=True)
class SiteConfig:
    """Every site setting, with its default. Field docs are the config reference."""

    title: str = "Untitled Broadsheet"
    """The publication's name: masthead, `<title>`, feeds."""
    tagline: str = ""
    """A line under the masthead."""
    description: str = ""
    """What the publication is: meta description of the home page and feeds."""
    base_url: str = DEFAULT_BASE_URL
    """Where the site is published, e.g. `https://example.org/news/`; always ends in `/`."""
    language: str = "en"
    """The site's language, a BCP 47 tag (`en`, `en-GB`, `de`, `pt-BR`, `zh`, `ar`): the
    theme's words, the dates, `<html lang>` and `dir`."""
    timezone: str = "UTC"
    """IANA zone for naive dates in front matter, e.g. `Europe/London`."""
    paginate: int = 10
    """Articles per listing page (home, tags, authors)."""
    permalink: str = "/articles/{slug}/"
    """Article URL pattern with `{year}`, `{month}`, `{day}`, `{slug}`."""
    slugs: str = "ascii"
    """How names become slugs: `ascii` (every script transliterated: `北京` → `bei-jing`) or
    `unicode` (letters kept: `北京` → `北京`, percent-encoded in URLs)."""
    logo: str | None = None
    """A site path or URL of the masthead logo."""
    copyright: str | None = None
    """Footer line."""
    publisher: Mapping[str, Any] = field(default_factory=dict)
    """`name` and `logo` of the publisher (structured data)."""
    nav: tuple[NavLink, ...] = ()
    """Masthead links: a list of `{title, url}`."""
    messages: Mapping[str, Message] = field(default_factory=dict)
    """The theme's words replaced: `name: text` (or texts by plural category). Once loaded,
    every message of the site's language, the theme's and layouts/i18n/'s included."""
    languages: tuple[Edition, ...] = ()
    """The site's other languages, each with its pages under `/<code>/`: a list of
    language tags, or a mapping of each to its own `title`, `tagline`, `description`,
    `nav` and `messages`."""
    extra: Mapping[str, Any] = field(default_factory=dict)
    """Anything else for templates: reaches them as `site.extra`."""
    config_path: str | None = None
    """The config file, relative to the site root, or None when there is none."""

    @property
    def base_path(self) -> str:
        """The path part of `base_url`: `/` or `/news/`."""
        return urlsplit(self.base_url).path

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def editions(self) -> tuple[Edition, ...]:
        """Every language of the site: its own (code '') first, then `languages`."""
        return (Edition("", self.language, self.title, self.tagline, self.description, self.nav, self.messages),
                *self.languages)

    def edition(self, code: str) -> Edition:
        """Return the edition of `code` ('' for the site's own language)."""
        if not code:
            return self.editions[0]
        return next(e for e in self.languages if e.code == code)

    def edition_for(self, language: str | None) -> str:
        """Return the code of the edition an item written in `language` belongs to: the
        edition of that language, or of its primary language (`de` for `de-AT`), else the
        site's own ('')."""
        if not language or not self.languages:
            return ""
        wanted = language.casefold()
        for edition in self.languages:
            if edition.code.casefold() == wanted:
                return edition.code
        primary = wanted.split("-")[0]
        for edition in self.languages:
            if edition.code.casefold() == primary:
                return edition.code
        return ""


KNOWN_KEYS = tuple(f for f in SiteConfig.__dataclass_fields__ if f != "config_path")
DEFERRED_KEYS = ("languages",)
"""Settings checked once the others are known (a language's own settings default to the site's)."""


def load_config(site_dir: Path, base_url: str | None = None) -> tuple[SiteConfig, list[Problem]]:
    """Read `config.yaml` in `site_dir`; return the config and every problem found.

    Raises SourceError when the file cannot be read as YAML at all.
    """
    path = site_dir / CONFIG_FILE
    problems: list[Problem] = []
    if not path.exists():
        config = SiteConfig()
        values: dict[str, Any] = {}
        lines: dict[str, int] = {}
    else:
        text = read_text(path, CONFIG_FILE)
        if not any(line.strip() and not line.lstrip().startswith("#") for line in text.split("\n")):
            values, lines = {}, {}  # empty, or only comments: all defaults
        else:
            values, _texts, lines, problems = load_yaml_mapping(text, CONFIG_FILE, first_line=1, subject=CONFIG_FILE)
        config = SiteConfig(config_path=CONFIG_FILE)
    changes: dict[str, Any] = {}

    def loc(key: str) -> SourceLoc:
        return SourceLoc(CONFIG_FILE, lines.get(key))

    for key, value in values.items():
        if key not in KNOWN_KEYS:
            guess = did_you_mean(key, KNOWN_KEYS)
            problems.append(warning(loc(key), f"unknown setting '{key}'",
                                    f"did you mean '{guess}'?" if guess else "put custom settings under 'extra:'"))
            continue
        if key in DEFERRED_KEYS:
            continue
        checked = _check_value(key, value, loc(key), problems)
        if checked is not None:
            changes[key] = checked
    if base_url is not None:
        checked = _check_value("base_url", base_url, SourceLoc("--base-url"), problems)
        if checked is not None:
            changes["base_url"] = checked
    elif "base_url" not in values:
        problems.append(warning(SourceLoc(CONFIG_FILE) if path.exists() else None,
                                f"'base_url' is not set: feeds and canonical links will point to {DEFAULT_BASE_URL}",
                                "add e.g. base_url: https://example.org/ to config.yaml"))
    language = changes.get("language", config.language)
    changes["messages"] = load_messages(site_dir, language, loc("language") if "language" in lines else None,
                                        changes.get("messages", {}), loc("messages"), problems)
    config = replace(config, **changes)
    if values.get("languages") is not None:
        config = replace(config, languages=_editions(site_dir, config, values["languages"], loc("languages"), problems))
    return config, problems


def _editions(site_dir: Path, config: SiteConfig, value: Any, at: SourceLoc, problems: list[Problem],
              ) -> tuple[Edition, ...]:
    """Return the checked `languages:` setting: each language with its settings (the site's
    where it sets none) and its whole catalogue of words."""
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        value = {item: {} for item in value}
    if not isinstance(value, Mapping):
        problems.append(error(at, "'languages': must be a list of language tags, or a mapping of each to its "
                                  "own settings", "write e.g. languages: [de, fr]"))
        return ()
    editions: list[Edition] = []
    prefixes = {config.language.casefold(): "language"}
    for code, settings in value.items():
        code = str(code)
        where = f"languages.{code}"
        wrong = check_language(code)
        if wrong:
            problems.append(error(at, f"'{where}': {wrong}", "use a language tag such as de, fr, pt-BR, zh or ar"))
            continue
        if code.casefold() in prefixes:
            problems.append(error(at, f"'{where}': '{code}' is already the site's "
                                      + ("own language (language:)" if prefixes[code.casefold()] == "language"
                                         else "language listed as " + repr(prefixes[code.casefold()])),
                                  "list each of the site's other languages once, and not the site's own"))
            continue
        prefixes[code.casefold()] = code
        if settings is None:
            settings = {}
        if not isinstance(settings, Mapping):
            problems.append(error(at, f"'{where}': must be a mapping of settings ({', '.join(EDITION_KEYS)})"))
            continue
        own: dict[str, Any] = {}
        for key, item in settings.items():
            if key not in EDITION_KEYS:
                guess = did_you_mean(str(key), EDITION_KEYS)
                problems.append(warning(at, f"'{where}' has an unknown setting '{key}'",
                                        f"did you mean '{guess}'?" if guess else
                                        f"a language sets only {', '.join(EDITION_KEYS)}; the rest is the site's"))
                continue
            checked = _check_value(key, item, at, problems)
            if checked is not None:
                own[key] = checked
        messages = load_messages(site_dir, code, at, own.get("messages", {}), at, problems)
        editions.append(Edition(code, code, own.get("title", config.title), own.get("tagline", config.tagline),
                                own.get("description", config.description), own.get("nav", config.nav), messages))
    return tuple(editions)


def _check_value(key: str, value: Any, loc: SourceLoc, problems: list[Problem]) -> Any:
    """Return the checked value of setting `key`, or None after recording a problem."""
    def bad(message: str, hint: str | None = None) -> None:
        problems.append(error(loc, f"'{key}': {message}", hint))

    if key in ("title", "tagline", "description", "language", "copyright", "logo"):
        if isinstance(value, (int, float, bool)):
            value = str(value)
        if not isinstance(value, str):
            return bad("must be text")
        if key == "title" and not value.strip():
            return bad("must not be empty")
        wrong = check_language(value) if key == "language" else None
        if wrong:
            return bad(wrong, "use a language tag such as en, en-GB, de, fr, pt-BR, zh, ja or ar")
        return value
    if key == "base_url":
        if not isinstance(value, str):
            return bad("must be a URL such as https://example.org/")
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return bad(f"'{value}' is not an absolute http(s) URL", "write it like https://example.org/news/")
        if parts.query or parts.fragment:
            return bad("must not have a query or fragment")
        return value if value.endswith("/") else value + "/"
    if key == "timezone":
        if not isinstance(value, str):
            return bad("must be a zone name such as Europe/London")
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            return bad(f"unknown time zone '{value}'", "use an IANA name such as UTC, Europe/London, America/New_York")
        return value
    if key == "paginate":
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            return bad(f"must be a whole number of at least 1, not {value!r}")
        return value
    if key == "permalink":
        return _check_permalink(value, bad)
    if key == "slugs":
        if value not in SLUG_STYLES:
            return bad(f"must be 'ascii' or 'unicode', not {value!r}",
                       "ascii transliterates every script (北京 → bei-jing); unicode keeps the letters")
        return value
    if key == "publisher":
        if not isinstance(value, Mapping):
            return bad("must be a mapping with 'name' and 'logo'")
        return {str(k): v for k, v in value.items()}
    if key in ("extra", "messages"):
        if not isinstance(value, Mapping):
            return bad("must be a mapping" + (" of message names to texts" if key == "messages" else ""))
        return {str(k): v for k, v in value.items()}
    if key == "nav":
        if not isinstance(value, list):
            return bad("must be a list of {title, url}")
        links = []
        for item in value:
            if not (isinstance(item, Mapping) and isinstance(item.get("title"), str) and isinstance(item.get("url"), str)):
                return bad(f"each entry needs a 'title' and a 'url', got {item!r}")
            links.append(NavLink(item["title"], item["url"]))
        return tuple(links)
    raise AssertionError(f"setting {key} has no check")


def _check_permalink(value: Any, bad) -> str | None:
    if not isinstance(value, str):
        return bad("must be a pattern such as /{year}/{month}/{slug}/")
    names = re.findall(r"{([^{}]*)}", value)
    unknown = [n for n in names if n not in PERMALINK_FIELDS]
    if unknown:
        return bad(f"unknown placeholder '{{{unknown[0]}}}'", "use {year}, {month}, {day} and {slug}")
    if "slug" not in names:
        return bad("must contain {slug}, so that every article has its own URL")
    if not value.startswith("/") or not value.endswith("/"):
        return bad("must start and end with '/', e.g. /articles/{slug}/")
    if ".." in value.split("/") or "//" in value:
        return bad("must not contain '..' or empty segments")
    return value


def read_config_safely(site_dir: Path, base_url: str | None = None) -> tuple[SiteConfig, list[Problem]]:
    """Like `load_config`, but a broken file becomes a problem instead of an exception."""
    try:
        return load_config(site_dir, base_url)
    except SourceError as exc:
        return SiteConfig(), [exc.problem]
