"""The address each page of a Hugo site had, and its `aliases`, as Hugo published them.

Owns Hugo's rules for a regular page's site path: its `url:`, else its section's
`permalinks` pattern (`:year`, `:slug`, `:sections[1:]`…), else the default path of its
content folders and name; `uglyURLs`, `disablePathToLower`, `removePathAccents` and the
language's prefix; and relative aliases made site paths. Pure: reads no file; `hugo`
reads the site and asks `old_url_of` and `with_absolute_aliases` for each page.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Mapping
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:
    from .hugo import HugoConfig

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
WEEKDAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")


@dataclass(frozen=True, slots=True)
class UrlContext:
    """What a page's address is made of."""

    config: HugoConfig
    folders: list[str]
    """The folders of its logical path, under the content folder (`["posts"]`)."""
    name: str
    """Its file name without suffix and language, or its bundle's folder name."""
    section: str
    sections: list[str]
    when: datetime | date | None


def old_url_of(fields: Mapping[str, Any], context: UrlContext) -> str | None:
    """Return the site path a published page had: its `url:`, else its section's permalink
    pattern, else Hugo's default path; without the base URL's path, percent-decoded.
    None when a pattern uses a token that cannot be expanded."""
    config = context.config
    if fields.get("url"):
        return url_field_path(str(fields["url"]), config)
    pattern = (config.permalinks or {}).get(context.section or "/")
    if pattern:
        expanded = expand_permalink(pattern, fields, context)
        return None if expanded is None else config.language_prefix + pretty_or_ugly(expanded, context)
    slug = fields.get("slug")
    parts = [*context.folders, str(slug) if slug else context.name]
    return config.language_prefix + pretty_or_ugly("/" + "/".join(path_part(p, config) for p in parts), context)


def url_field_path(url: str, config: HugoConfig) -> str:
    """Return the site path of a `url:` (relative to the base URL, a leading slash or not)."""
    if config.base_url and url.lower().startswith(config.base_url.lower()):
        url = url[len(config.base_url):]
    elif re.match(r"[a-z][a-z0-9+.-]*://", url, re.IGNORECASE):
        url = urlsplit(url).path
    url = unquote(url.replace("\\:", ":"))
    path = "/" + url.lstrip("/")
    prefix = config.language_prefix if not url.startswith("/") else ""
    return prefix + (path if has_extension(path) or path.endswith("/") else path + "/")


def pretty_or_ugly(path: str, context: UrlContext) -> str:
    """Return `path` as Hugo publishes it: `/posts/flood/` (pretty) or `/posts/flood.html`
    (uglyURLs); a path with a file extension as it is."""
    path = re.sub(r"/{2,}", "/", "/" + path.lstrip("/"))
    if has_extension(path):
        return path
    ugly = context.config.ugly_urls
    if ugly if isinstance(ugly, bool) else ugly.get(context.section, False):
        return path.rstrip("/") + ".html" if path != "/" else path
    return path if path.endswith("/") else path + "/"


def has_extension(path: str) -> bool:
    return bool(re.search(r"\.[A-Za-z0-9]{1,6}$", path.rsplit("/", 1)[-1]))


def path_part(text: str, config: HugoConfig) -> str:
    """Return text as Hugo puts it in a path: letters, digits, marks and `._~+#` kept, a run
    of spaces and hyphens one hyphen, anything else left out; lower-cased unless
    `disablePathToLower`, accents left out with `removePathAccents`."""
    kept: list[str] = []
    hyphen = False
    for char in text:
        if char.isalnum() or unicodedata.category(char).startswith("M") or char in "./\\_#+~":
            if hyphen:
                kept.append("-")
                hyphen = False
            kept.append(char)
        elif kept and (char == "-" or char.isspace()):
            hyphen = True
    result = "".join(kept)
    if config.remove_path_accents:
        result = "".join(c for c in unicodedata.normalize("NFD", result) if not unicodedata.combining(c))
        result = unicodedata.normalize("NFC", result)
    return result.lower() if config.path_to_lower else result


_TOKEN = re.compile(r":([A-Za-z0-9_]+)(\[[^\]]*\])?")


def expand_permalink(pattern: str, fields: Mapping[str, Any], context: UrlContext) -> str | None:
    """Return a permalink pattern expanded for a page (`/:year/:month/:slug/` →
    `/2024/03/flood/`); None when a token is unknown or needs a date the page lacks."""
    failed = False

    def expand(match: re.Match) -> str:
        nonlocal failed
        value = token_value(match[1], match[2], fields, context)
        if value is None:
            failed = True
            return ""
        return value

    expanded = _TOKEN.sub(expand, pattern)
    return None if failed else expanded


def token_value(token: str, cut: str | None, fields: Mapping[str, Any], context: UrlContext) -> str | None:
    """Return the text of one permalink token for a page, or None."""
    config = context.config
    title = str(fields.get("title") or "")
    slug = str(fields.get("slug") or "")
    names = {"title": title, "slug": slug or title, "filename": context.name, "contentbasename": context.name,
             "slugorfilename": slug or context.name, "slugorcontentbasename": slug or context.name}
    if token in names:
        return path_part(names[token], config)
    if token in ("section", "sectionslug"):
        return path_part(context.section, config)
    if token in ("sections", "sectionslugs"):
        return "/".join(path_part(s, config) for s in slice_sections(context.sections, cut))
    return date_token(token, context.when)


def slice_sections(sections: list[str], cut: str | None) -> list[str]:
    """Apply a `[1:]`, `[:last]`, `[last]`, `[1:2]` selection to the sections (never out of range)."""
    if not cut or not cut.strip("[] "):
        return sections
    last = len(sections) - 1

    def index(text: str, default: int) -> int:
        text = text.strip().lower()
        if not text:
            return default
        return last if text == "last" else int(text) if text.isdigit() else default

    parts = cut.strip("[] ").split(":")
    if len(parts) == 1:
        start = index(parts[0], 0)
        return sections[start:start + 1]
    return sections[max(0, index(parts[0], 0)):max(0, index(parts[1], len(sections)))]


def date_token(token: str, when: datetime | date | None) -> str | None:
    """Return a date token (`year`, `month`, `monthname`, `day`, `weekday`, `weekdayname`,
    `yearday`, or Go's layout parts `2006`, `06`, `01`, `1`, `02`, `2`, `Jan`, `January`,
    `Mon`, `Monday`) for the page's date, or None."""
    if when is None:
        return None
    weekday = (when.weekday() + 1) % 7
    values = {"year": f"{when.year:04d}", "month": f"{when.month:02d}", "monthname": MONTHS[when.month - 1],
              "day": f"{when.day:02d}", "weekday": str(weekday), "weekdayname": WEEKDAYS[weekday],
              "yearday": str(when.timetuple().tm_yday), "2006": f"{when.year:04d}", "06": f"{when.year % 100:02d}",
              "01": f"{when.month:02d}", "1": str(when.month), "02": f"{when.day:02d}", "2": str(when.day),
              "Jan": MONTHS[when.month - 1][:3], "January": MONTHS[when.month - 1],
              "Mon": WEEKDAYS[weekday][:3], "Monday": WEEKDAYS[weekday]}
    value = values.get(token)
    return value.lower() if value and token in ("monthname", "weekdayname") else value


def with_absolute_aliases(fields: dict[str, Any], folders: list[str], config: HugoConfig) -> dict[str, Any]:
    """Return `fields` with `aliases` as site paths: a relative one (`old-name`, `../old`) is
    relative to the page's folder (`/posts/old-name/`); absolute URLs stay as they are."""
    aliases = fields.get("aliases")
    if aliases is None:
        return fields
    listed = aliases if isinstance(aliases, list) else [aliases]
    return {**fields, "aliases": [absolute_alias(str(alias), folders, config) for alias in listed]}


def absolute_alias(alias: str, folders: list[str], config: HugoConfig) -> str:
    """Return one alias as a site path without the base URL's path (an absolute URL as it is)."""
    if re.match(r"[a-z][a-z0-9+.-]*://", alias, re.IGNORECASE):
        return alias
    if alias.startswith("/"):
        return config.language_prefix + alias
    joined = posixpath.normpath(posixpath.join("/", *folders, alias))
    path = "/" + joined.lstrip("/")
    return config.language_prefix + (path if has_extension(path) or path == "/" else path + "/")
