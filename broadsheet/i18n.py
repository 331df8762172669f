"""The theme's words, and dates, numbers and lists, in the site's language.

Owns the message catalogues and `Language`. A catalogue is the theme's
`i18n/<language>.yaml` over its English one, under a site's `layouts/i18n/<language>.yaml`,
under config.yaml's `messages:` (`load_messages`, which reports every problem with its
file and line). `Language` gives templates and views the words (`text`, with CLDR plurals)
and what Babel knows of the locale: dates, times, month names, lists, numbers, direction.
The only module that imports `babel`, and only when a `Language` is made: a rebuild with
nothing to render does not load it.
"""

from __future__ import annotations

import functools
import re
import string
from datetime import datetime
from pathlib import Path
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from .errors import Problem, SourceLoc, did_you_mean, error, warning
from .source import SourceError, load_yaml_mapping, read_text

THEME_CATALOGUES = Path(__file__).parent / "theme" / "i18n"
SITE_CATALOGUES = "layouts/i18n"
PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many", "other")
BASE = "en"
"""The language every catalogue falls back to, message by message."""

Message = str | Mapping[str, str]
"""A text, or one text per plural category."""
BACKLINK_MARK = "\ue000"
"""Stands around the number in the title of a body's footnote back-link, as `markup`
converts it (from Unicode's private use area: no text has it): `Language.titled` words it
in the page's language, so that a body converted once can be shown in any."""
SECTION_MARK = "\ue001"
"""Stands for the title of a heading's ¶ link, as `markup` converts it."""
_BACKLINK = re.compile(f"{BACKLINK_MARK}(\\d+){BACKLINK_MARK}")


def check_language(value: str) -> str | None:
    """Return why `value` is not a language tag Babel knows (`de`, `pt-BR`, `zh-Hans`), or None."""
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(value, sep="-")
    except (UnknownLocaleError, ValueError, TypeError):
        return f"unknown language '{value}'"
    return None


def catalogue_names(language: str) -> list[str]:
    """Return the catalogue names that apply to `language`, most general first:
    `en`, then `pt`, then `pt-BR` for `pt-BR`."""
    parts = language.split("-")
    names = [BASE] + ["-".join(parts[:n]) for n in range(1, len(parts) + 1)]
    return list(dict.fromkeys(names))


def catalogue_files(site_dir: Path) -> list[Path]:
    """Return the site's own catalogue files: a change to one is a change of every page."""
    folder = site_dir / SITE_CATALOGUES
    return sorted(folder.glob("*.yaml")) if folder.is_dir() else []


def load_messages(site_dir: Path, language: str, language_at: SourceLoc | None, overrides: Mapping[str, Any],
                  overrides_at: SourceLoc, problems: list[Problem]) -> dict[str, Message]:
    """Return the messages of `language`: the theme's catalogues, then the site's, then
    `overrides` (config.yaml's `messages:`), each over the one before, message by message.
    Append every problem found: an unreadable catalogue or message, a placeholder the theme
    does not fill, a message name that looks mistyped, a language the theme has no words for.
    """
    read = _read_catalogue(THEME_CATALOGUES / f"{BASE}.yaml", f"broadsheet/theme/i18n/{BASE}.yaml", problems)
    reference = {key: message for key, (message, _loc) in read.items()}
    used = _used_in_layouts(site_dir)
    messages: dict[str, Message] = dict(reference)
    found_words = language.split("-")[0] == BASE
    for name in catalogue_names(language):
        for path, shown in ((THEME_CATALOGUES / f"{name}.yaml", f"broadsheet/theme/i18n/{name}.yaml"),
                            (site_dir / SITE_CATALOGUES / f"{name}.yaml", f"{SITE_CATALOGUES}/{name}.yaml")):
            if path.is_file() and shown != f"broadsheet/theme/i18n/{BASE}.yaml":
                found_words = found_words or name != BASE
                messages.update(_checked(_read_catalogue(path, shown, problems), reference, used, problems))
    if not found_words:
        problems.append(warning(language_at,
                                f"the theme has no words in '{language}' yet: its English ones are shown",
                                f"translate broadsheet/theme/i18n/en.yaml into {SITE_CATALOGUES}/{language}.yaml"))
    if overrides:
        given = {key: (value, overrides_at) for key, value in overrides.items()}
        messages.update(_checked(_messages_of(given, problems), reference, used, problems))
    return messages


def _read_catalogue(path: Path, shown: str, problems: list[Problem]) -> dict[str, tuple[Message, SourceLoc]]:
    try:
        values, _texts, lines, found = load_yaml_mapping(read_text(path, shown), shown, subject="a message catalogue")
    except SourceError as exc:
        problems.append(exc.problem)
        return {}
    problems.extend(found)
    return _messages_of({key: (value, SourceLoc(shown, lines.get(key))) for key, value in values.items()}, problems)


def _messages_of(given: Mapping[str, tuple[Any, SourceLoc]], problems: list[Problem],
                 ) -> dict[str, tuple[Message, SourceLoc]]:
    """Return each well-formed message with where it is; a problem for each other one."""
    checked = {}
    for key, (value, loc) in given.items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, Mapping):
            value = {str(k): v for k, v in value.items()}
            wrong = [k for k in value if k not in PLURAL_CATEGORIES]
            if wrong or "other" not in value or not all(isinstance(v, str) for v in value.values()):
                problems.append(error(loc, f"message '{key}' must be a text, or texts by plural category "
                                           f"({', '.join(PLURAL_CATEGORIES)}) with at least 'other'",
                                      f"'{wrong[0]}' is no plural category" if wrong else None))
                continue
        elif not isinstance(value, str):
            problems.append(error(loc, f"message '{key}' must be a text, not {type(value).__name__}"))
            continue
        try:
            placeholders_of(value)
        except ValueError as exc:
            problems.append(error(loc, f"message '{key}': {exc}", "write a brace as {{ or }}"))
            continue
        checked[key] = (value, loc)
    return checked


def _checked(messages: Mapping[str, tuple[Message, SourceLoc]], reference: Mapping[str, Message],
             used: set[str], problems: list[Problem]) -> dict[str, Message]:
    """Return the messages, having reported each placeholder the theme does not fill and each
    name that neither the theme nor the site's templates use (a new name is fine when a
    template of layouts/ asks for it)."""
    kept = {}
    for key, (message, loc) in messages.items():
        if key not in reference and key not in used and not loc.src_path.startswith("broadsheet/"):
            guess = did_you_mean(key, reference)
            problems.append(warning(loc, f"unknown message '{key}': no template uses it",
                                    f"did you mean '{guess}'?" if guess else
                                    "the theme's messages are listed in broadsheet/theme/i18n/en.yaml"))
        elif key in reference:
            extra = placeholders_of(message) - placeholders_of(reference[key])
            if extra:
                offered = ", ".join("{" + p + "}" for p in sorted(placeholders_of(reference[key]))) or "none"
                problems.append(error(loc, f"message '{key}' uses {{{sorted(extra)[0]}}}, which the theme does not fill",
                                      f"its placeholders: {offered}"))
                continue
        kept[key] = message
    return kept


_ASKED = re.compile(r"""\bt\(\s*["']([^"']+)["']""")
"""A template asking for a message by name: `t("newsletter"`, `t('newsletter'`."""


def _used_in_layouts(site_dir: Path) -> set[str]:
    """Return the message names the site's own templates (layouts/) ask for."""
    used: set[str] = set()
    folder = site_dir / "layouts"
    if folder.is_dir():
        for path in folder.rglob("*"):
            if path.suffix in (".html", ".xml", ".txt") and path.is_file():
                try:
                    used.update(_ASKED.findall(path.read_text(encoding="utf-8", errors="replace")))
                except OSError:
                    continue  # rendering reports a template it cannot read
    return used


def placeholders_of(message: Message) -> set[str]:
    """Return the names in braces of a message (every plural form). Raises ValueError when
    its braces do not pair up or a placeholder is not a plain name."""
    texts = message.values() if isinstance(message, Mapping) else (message,)
    names = set()
    for text in texts:
        for _literal, name, spec, conversion in string.Formatter().parse(text):
            if name is None:
                continue
            if not name.isidentifier() or spec or conversion:
                raise ValueError(f"'{{{name}}}' is not a placeholder: write one as {{name}}")
            names.add(name)
    return names


@functools.lru_cache(maxsize=64)
def direction_of(tag: str) -> str:
    """Return `rtl` for a language written right to left (`ar`, `he`, `fa`, `ur`), else `ltr`."""
    from babel import Locale
    return "rtl" if Locale.parse(tag, sep="-").text_direction == "rtl" else "ltr"


def language_names(tags: list[str]) -> dict[str, str]:
    """Return each language's name in that language, as a language switcher shows it
    ('Deutsch', 'Français', '中文'); with the region where two share a language
    ('English (United States)', 'English (United Kingdom)')."""
    from babel import Locale

    locales = {tag: Locale.parse(tag, sep="-") for tag in tags}
    shared = [locale.language for locale in locales.values()]
    names = {}
    for tag, locale in locales.items():
        shared_language = shared.count(locale.language) > 1
        name = locale.get_display_name(locale) if shared_language else locale.get_language_name(locale)
        names[tag] = (name or tag)[:1].upper() + (name or tag)[1:]
    return names


WRITTEN_KEPT = 20_000
"""Days a `Language` keeps written (55 years of them)."""


class Language:
    """The words and the locale of one language, for one site (its time zone)."""

    def __init__(self, tag: str, messages: Mapping[str, Message], tz: ZoneInfo):
        from babel import Locale

        self.tag = tag
        """The language as configured, a BCP 47 tag: what `<html lang>` says."""
        self.locale = Locale.parse(tag, sep="-")
        self.messages = messages
        self.tz = tz
        self.direction = direction_of(tag)
        """`ltr` or `rtl`: what `<html dir>` says."""
        self._days: dict[tuple[int, int, int], str] = {}
        self._times: dict[tuple[int, int], str] = {}
        """Days and times of day written (Babel takes 4 and 10 us; every card shows both)."""

    def text(self, key: str, count: int | None = None, **values: Any) -> str:
        """Return message `key` with its placeholders filled; `count` chooses the plural form
        and fills {count}, written the language's way (1,234; 1.234; 1 234)."""
        message = self.messages.get(key)
        if message is None:
            raise LookupError(f"no message '{key}': add it to {SITE_CATALOGUES}/{self.tag}.yaml "
                              "or under 'messages:' in config.yaml")
        if isinstance(message, Mapping):
            form = self.locale.plural_form(count if count is not None else 0)
            message = message.get(form, message["other"])
        if count is not None:
            values["count"] = self.number(count)
        return message.format_map(values) if values or "{" in message else message

    def titled(self, html: str) -> str:
        """Return a body's HTML with the titles of its footnote back-links and ¶ links in
        the language's words (`footnote_back`, `section_link`)."""
        if BACKLINK_MARK in html:
            html = _BACKLINK.sub(lambda match: self.text("footnote_back", number=match[1]), html)
        return html.replace(SECTION_MARK, self.text("section_link")) if SECTION_MARK in html else html

    def number(self, value: int) -> str:
        from babel.numbers import format_decimal
        return format_decimal(value, locale=self.locale)

    def join(self, items: list[str]) -> str:
        """Return `items` joined as the language lists things: 'A, B and C', 'A, B und C', 'A、B和C'."""
        from babel.lists import format_list
        return format_list(items, locale=self.locale) if items else ""

    def date(self, when: datetime) -> str:
        """Return the day of `when` in the site's time zone, written in full: '4 November 2026'."""
        return self._day(self._local(when))

    def _day(self, local: datetime) -> str:
        key = (local.year, local.month, local.day)
        day = self._days.get(key)
        if day is None:
            from babel.dates import format_date
            if len(self._days) >= WRITTEN_KEPT:
                self._days.clear()
            day = self._days[key] = format_date(local, "long", locale=self.locale)
        return day

    def date_time(self, when: datetime) -> str:
        """Return the day and time of `when` in the site's time zone with its zone:
        '4 November 2026, 14:30 GMT'. A midnight (a date given without a time) is the day alone."""
        local = self._local(when)
        if (local.hour, local.minute, local.second) == (0, 0, 0):
            return self._day(local)
        time = self._times.get((local.hour, local.minute))
        if time is None:
            from babel.dates import format_time
            time = self._times[local.hour, local.minute] = format_time(local, "short", locale=self.locale)
        zone = local.tzname()
        glue = str(self.locale.datetime_formats["medium"]).replace("'", "")
        return glue.replace("{1}", self._day(local)).replace("{0}", f"{time} {zone}" if zone else time)

    def month(self, month: int) -> str:
        """Return a month's name as said alone (a heading, a list): 'November', 'listopad'."""
        return self.locale.months["stand-alone"]["wide"][month]

    def month_year(self, year: int, month: int) -> str:
        """Return a month of a year as a heading says it: 'November 2026', '2026年11月'."""
        from babel.dates import format_skeleton
        from datetime import date
        return format_skeleton("yMMMM", date(year, month, 1), locale=self.locale)

    def _local(self, when: datetime) -> datetime:
        return when.astimezone(self.tz) if when.tzinfo is not None else when.replace(tzinfo=self.tz)
