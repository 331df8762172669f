"""Links and media against the planned site: what a reference in a body or in front
matter means, and which ones point to nothing.

Owns the "link world" (every source's page, every output file, every asset: what links
resolve against) and the media checks of hero images and avatars. Reports problems with
file and line into the list it is given; writes nothing.
"""

from __future__ import annotations

import functools
import posixpath
import re
from typing import Any, Callable, Mapping
from urllib.parse import unquote, urlsplit

from . import urls
from .digest import digest_of
from .errors import Problem, SourceLoc, warning
from .load import is_markdown
from .model import Site
from .urls import Links, is_external, out_path_for


def source_dir_path(src_path: str) -> str:
    """Return the site path of the folder holding a content file: content/a/b.md → /a/."""
    folder = posixpath.dirname(src_path.removeprefix("content"))
    return folder.rstrip("/") + "/"


def resolve_site_path(ref: str, src_path: str, assets: frozenset[str]) -> str | None:
    """Return the site path a front matter or body reference means, or None if it is not one.

    `/x` is a site path; `x` or `../x` is relative to the source file's folder when that
    file exists under content/.
    """
    if not ref or is_external(ref) or ref.startswith(("mailto:", "tel:", "data:")):
        return None
    if ref.startswith("/"):
        return ref
    parts = urlsplit(ref)
    target = posixpath.normpath(posixpath.join(source_dir_path(src_path), parts.path))
    if target.lstrip("/") in assets:
        suffix = ("?" + parts.query if parts.query else "") + ("#" + parts.fragment if parts.fragment else "")
        return target + suffix
    return None


def link_offset(body: str, ref: str, start: int = 0) -> int:
    """Return where `ref` is written as a link target in `body`, from `start` on (-1: nowhere).

    A target follows `(`, `<`, a quote or a reference definition's `]:`; a mention of the
    same text in prose is only a fallback. Each occurrence is found by a plain search and
    its prefix checked: the time is the stretch searched, not that times the prefixes.
    """
    first = position = body.find(ref, start)
    while position >= 0:
        if position > 0 and (body[position - 1] in "(<\"'" or
                             _DEFINITION_END.search(body, max(0, position - 64), position)):
            return position
        position = body.find(ref, position + 1)
    return first


_DEFINITION_END = re.compile(r"\]:[ \t]*\Z")
"""A reference definition's `]:` and blanks, ending where a target starts."""


def source_urls(site: Site) -> dict[str, str]:
    """Return the site path of the page each built source file becomes."""
    config = site.config
    found = {a.src_path: urls.permalink(config, a.edition, a.date, a.slug) for a in site.articles}
    found.update({a.record.src_path: urls.author_url(a.id) for a in site.authors.values() if a.record})
    found.update({a.record.src_path: urls.in_edition(code, urls.author_url(a.id))
                  for code, edition in site.editions.items() for a in edition.profiles.values()})
    found.update({p.src_path: urls.page_url_of(config, p) for p in site.pages})
    return found


class LinkResolver:
    """Resolves references against one planned site; media problems go to `problems`."""

    def __init__(self, site: Site, out_paths: Callable[[], frozenset[str]], problems: list[Problem]):
        self.site = site
        self.links = Links(site.config)
        self.assets = frozenset(site.assets)
        self._out_paths = out_paths
        self.problems = problems

    @functools.cached_property
    def out_paths(self) -> frozenset[str]:
        """Every file the site will hold: what a link may point to."""
        return self._out_paths()

    @functools.cached_property
    def source_urls(self) -> dict[str, str]:
        """content/… source path → site path of its page, for links written as `other.md`."""
        return source_urls(self.site)

    @functools.cached_property
    def link_world(self) -> str:
        """What links resolve against: when a previous build had the same, its bodies' links still hold."""
        return digest_of(sorted(self.source_urls.items()), sorted(self.out_paths), sorted(self.assets))

    def resolve_link(self, ref: str, src_path: str) -> str | None | bool:
        """Return the site path a link means, None to leave it alone, or False when broken.

        `other.md` and `../authors/jane.md` are resolved against the source file, as
        MkDocs does; `/x/` must be a page or file of the site; an absolute URL is left alone.
        """
        if not ref or is_external(ref) or ref.startswith(("mailto:", "tel:", "data:", "javascript:")):
            return None
        parts = urlsplit(ref)
        suffix = ("?" + parts.query if parts.query else "") + ("#" + parts.fragment if parts.fragment else "")
        if is_markdown(parts.path):
            if parts.path.startswith("/"):
                source = posixpath.normpath("content" + parts.path)
            else:
                source = posixpath.normpath(posixpath.join(posixpath.dirname(src_path), parts.path))
            url = self.source_urls.get(source)
            return url + suffix if url else False
        if parts.path.startswith("/"):
            return ref if self.exists(parts.path) else False
        target = resolve_site_path(ref, src_path, self.assets)
        if target is None and posixpath.splitext(parts.path)[1] and not parts.path.endswith((".html", ".htm")):
            return False
        return target

    def exists(self, site_path: str) -> bool:
        """True when a site path is a page or file of the site."""
        out_path = out_path_for(unquote(site_path) if "%" in site_path else site_path)
        return out_path in self.out_paths or out_path + "/index.html" in self.out_paths

    def media_url(self, ref: str | None, src_path: str, key: str | None = None, lines=None) -> str | None:
        """Return the href of an image or avatar path written in front matter.

        A site path that is no file of the site is reported (at `key`'s line) when `key` is given.
        """
        if not ref:
            return None
        target = resolve_site_path(ref, src_path, self.assets)
        if key and (target is None and not is_external(ref) or target is not None and not self.exists(
                target.split("?")[0].split("#")[0])):
            line = (lines or {}).get(key)
            self.problems.append(warning(SourceLoc(src_path, line), f"'{key}': '{ref}' points to nothing in the site",
                                         "put the file under content/, e.g. content/images/, and write /images/…"))
        return self.links.url(target) if target is not None else ref

    def check_media(self, records: Mapping[str, Any], changed: set[str] | None = None,
                    known: Mapping[str, tuple] | None = None) -> dict[str, tuple[Problem, ...]]:
        """Report hero images and avatars that point to no file of the site; return the
        problems by source. With `changed` (the structure unchanged), only those sources
        are checked again and the others' problems are taken from `known`."""
        found: dict[str, tuple[Problem, ...]] = {}
        if changed is not None and known is not None:
            found = {src: problems for src, problems in known.items() if src not in changed}
            sources = [records[src] for src in changed if src in records]
        else:
            sources = list(records.values())
        for record in sources:
            before = len(self.problems)
            if getattr(record, "image", None):
                self.media_url(record.image.src, record.src_path, "image", record.key_lines)
            elif getattr(record, "avatar", None):
                self.media_url(record.avatar, record.src_path, "avatar", record.key_lines)
            if len(self.problems) > before:
                found[record.src_path] = tuple(self.problems[before:])
                del self.problems[before:]
        for problems in found.values():
            self.problems.extend(problems)
        return found
