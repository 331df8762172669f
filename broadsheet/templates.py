"""The Jinja environment: loaders, filters, and template errors mapped to file lines.

Owns `make_env` (a site's `layouts/` over the default theme, StrictUndefined,
autoescaping), the theme's words (`Words`) and cards, which of the templates' plain-Python
twins (`twins`) a site may use (`page_twins`), and `template_problem`, which turns any
Jinja exception into a `layouts/<file>:<line>` problem. The only module that imports `jinja2`.
"""

from __future__ import annotations

import functools
import hashlib
import os
import traceback
from pathlib import Path

from typing import TYPE_CHECKING, Any, Callable

from markupsafe import Markup, escape

from .errors import Problem, SourceLoc, error, warning
from .twins import ThemeCard, ThemePages, edition_of

if TYPE_CHECKING:
    import jinja2

# jinja2 is imported by the functions that use it: a rebuild with nothing to render does
# not load it.

THEME_DIR = Path(__file__).parent / "theme"


def make_env(site_dir: Path, globals_: dict | None = None, cache_dir: Path | None = None) -> jinja2.Environment:
    """Return an environment that finds templates in `site_dir/layouts`, then the theme.

    With `cache_dir`, compiled templates are kept there (keyed by their source), so a
    rebuild does not compile every template again. Its name must change with the engine:
    compiled code depends on how the engine's globals and filters are called too (one
    taking the context, `t`, is called otherwise), and the folders beside it, of other
    engines, are removed when it is made.
    """
    import shutil

    import jinja2

    search = [str(p) for p in (site_dir / "layouts", THEME_DIR) if p.is_dir()]
    bytecode_cache = None
    if cache_dir is not None:
        if not cache_dir.is_dir() and cache_dir.parent.is_dir():
            for stale in cache_dir.parent.iterdir():
                shutil.rmtree(stale, ignore_errors=True) if stale.is_dir() else stale.unlink(missing_ok=True)
        cache_dir.mkdir(parents=True, exist_ok=True)
        bytecode_cache = jinja2.FileSystemBytecodeCache(str(cache_dir))
    env = _environment_class()(
        bytecode_cache=bytecode_cache,
        loader=jinja2.FileSystemLoader(search),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.globals.update(globals_ or {})
    return env


_DICT_NAMES = frozenset(dir(dict))
"""What `getattr` finds on a dict: its methods and those of `object` (it has no others)."""


@functools.cache
def _environment_class() -> type[jinja2.Environment]:
    """Return Jinja's environment, with `x.name` looked up first as a key when `x` is a
    dict: the views are dicts, and Jinja's `getattr` tries the attribute first, so every
    `card.title` raised and caught an AttributeError (a million times in a cold build of
    4,000 articles). The result is the same: a dict's attributes are exactly `dir(dict)`'s
    names, which still go to Jinja's own lookup."""
    import jinja2

    class Environment(jinja2.Environment):
        def getattr(self, obj: Any, attribute: str) -> Any:
            if type(obj) is dict and attribute not in _DICT_NAMES:
                try:
                    return obj[attribute]
                except KeyError:
                    return self.undefined(obj=obj, name=attribute)
            return super().getattr(obj, attribute)

    return Environment


CARD_TEMPLATE = "partials/card.html"
HEAD_EXTRA = "partials/head_extra.html"
"""Included at the end of every page's <head>: the file a site overrides most (empty in
the theme), which a page's twin renders with Jinja."""
TWINS = {"article.html": "article", "home.html": "home", "tag.html": "tag", "author.html": "author",
         "feeds/atom.xml": "atom"}
"""Page templates with a plain-Python twin (`twins.ThemePages`), and its method."""

CardMarkup = Callable[[dict, Any, bool, Any], Markup]
"""card_markup(card, level, preview, site): a card's HTML, made once per build."""


def add_card_html(env: jinja2.Environment, memo, theme_card: ThemeCard, references_memo: dict[str, tuple],
                  ) -> CardMarkup:
    """Give templates `card_html(card, level)` and `card_html_reusable()`; return the
    function behind `card_html`, for the pages' twins.

    `card_html` renders a card once per build and reuses the HTML from `memo` (any
    mapping with `get_or(key, make)`): a card appears on many listings. That holds only
    while the card template and every template it includes are the theme's own, which read
    nothing but `card`, `card_level` and `preview`; a site that overrides one of them may
    read anything of the page, so `card_html_reusable()` is then False and the theme's card
    list includes the template for every card as before. While they are the theme's own,
    the card is made by their plain-Python twin (`twins.ThemeCard`, a fifth of the time).
    """
    import jinja2

    state: dict[str, bool] = {}

    def card_html_reusable() -> bool:
        if "reusable" not in state:
            state["reusable"] = _is_theme_only(env, CARD_TEMPLATE, references_memo)
        return state["reusable"]

    def card_markup(card: dict, level: Any, preview: bool, site: Any) -> Markup:
        def render() -> Markup:
            if card_html_reusable():  # (a site's template may call card_html with a card of its own)
                return Markup(theme_card.render(card, level, preview, edition_of(site)))
            return Markup(env.get_template(CARD_TEMPLATE).render(card=card, card_level=level, preview=preview,
                                                                 site=site))
        return memo.get_or((card["url"], level, preview), render)

    @jinja2.pass_context
    def card_html(context, card: dict, level: int = 2) -> Markup:
        return card_markup(card, level, context.get("preview", False), context.get("site"))

    env.globals.update(card_html=card_html, card_html_reusable=card_html_reusable)
    return card_markup


def page_twins(env: jinja2.Environment, theme_card: ThemeCard, card_markup: CardMarkup,
               references_memo: dict[str, tuple]) -> Callable[[str], Any]:
    """Return `twin(name)`: the plain-Python twin of page template `name` (a function of
    the page's context returning its text), or None when it has none, or when the site
    overrides it or anything it includes but partials/head_extra.html (which the twin
    renders with Jinja, as the template includes it). `theme_card` is the one
    `add_card_html` was given (its bylines made once for both)."""
    pages = ThemePages(theme_card, card_markup, env.globals["asset"],
                       lambda context: env.get_template(HEAD_EXTRA).render(context))
    found: dict[str, Any] = {}

    def twin(name: str) -> Any:
        if name not in found:
            method = TWINS.get(name)
            found[name] = getattr(pages, method) if method and _is_theme_only(env, name, references_memo, HEAD_EXTRA) \
                else None
        return found[name]

    return twin


MESSAGES_KEPT = 4096
"""Messages `t` keeps made (each a few dozen bytes)."""


class Words:
    """The site's words for templates, by edition: `message(code, name, count, **values)`,
    message `name` of the edition's language (`languages(code)`, an `i18n.Language`) with
    its values filled in and escaped (a value marked safe, a link, is kept as it is), and
    `joined(code, items)`, the items joined as the language lists things ('A, B and C')."""

    def __init__(self, languages: Callable[[str], Any]):
        self.languages = languages
        self._made: dict[tuple, Markup] = {}
        """The messages made, by edition, name, count and values (with their types: a value
        marked safe is not escaped): a page asks for twenty or so, most of them the same on
        every page."""

    def message(self, code: str, key: str, count: int | None = None, **values) -> Markup:
        try:
            asked = (code, key, type(count), count, *((name, type(value), value) for name, value in values.items()))
            message = self._made.get(asked)
        except TypeError:  # a value that cannot be a key: made each time
            asked, message = None, None
        if message is None:
            words = self.languages(code)
            message = _filled(lambda tokens: words.text(key, count, **tokens), values)
            if asked is not None:
                if len(self._made) >= MESSAGES_KEPT:
                    self._made.clear()
                self._made[asked] = message
        return message

    def joined(self, code: str, items) -> Markup:
        items, words = list(items), self.languages(code)
        return _filled(lambda tokens: words.join([tokens[n] for n in range(len(items))]), dict(enumerate(items)))


def _filled(make: Callable[[dict], str], values: dict) -> Markup:
    """Return the text `make(placeholders)` escaped, with each value escaped in its place."""
    # Placeholders stand in for the values while the message is escaped as text.
    tokens = {key: f"\x00{n}\x00" for n, key in enumerate(values)}
    html = str(escape(make(tokens)))
    for key, token in tokens.items():
        html = html.replace(token, str(escape(values[key])))
    return Markup(html)


def add_messages(env: jinja2.Environment, words: Words) -> None:
    """Give templates the site's words (`Words`) for the page's edition (`site.edition`):
    `t(name, count=None, **values)` and the filter `join_list`."""
    import jinja2

    @jinja2.pass_context
    def t(context, key: str, count: int | None = None, **values) -> Markup:
        return words.message(edition_of(context.get("site")), key, count, **values)

    @jinja2.pass_context
    def join_list(context, items) -> Markup:
        return words.joined(edition_of(context.get("site")), items)

    env.globals["t"] = t
    env.filters["join_list"] = join_list


def _is_theme_only(env: jinja2.Environment, name: str, memo: dict[str, tuple], *besides: str) -> bool:
    """True when `name` and every template it includes, recursively, are the theme's own
    files (the templates named in `besides` may be a site's). `memo` as `references`'."""
    import jinja2

    seen, stack = set(besides), [name]
    theme = THEME_DIR.resolve()
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            source, filename, _ = env.loader.get_source(env, current)
        except jinja2.TemplateError:
            return False  # rendering reports it, with its line
        if filename is None or not Path(filename).resolve().is_relative_to(theme):
            return False
        found = references(env, source, memo)
        if None in found:
            return False
        stack.extend(found)
    return True


def references(env: jinja2.Environment, source: str, memo: dict[str, tuple]) -> tuple:
    """Return the templates a template's source extends, includes or imports (None for
    one named by a variable). `memo` keeps them by the source's hash: parsing is the slow
    part, and the pipeline keeps the memo in the build cache."""
    import jinja2
    from jinja2 import meta

    key = hashlib.blake2b(source.encode(), digest_size=12).hexdigest()
    if key not in memo:
        try:
            memo[key] = tuple(meta.find_referenced_templates(env.parse(source)))
        except jinja2.TemplateSyntaxError:
            memo[key] = ()  # rendering reports it, with its line
    return memo[key]


def escaped(text: str) -> Markup:
    """Return `text` escaped once, marked so that templates print it as it is.

    For HTML inside XML (a feed's content): escaping a long article once per article
    instead of once per feed it appears in.
    """
    return Markup(escape(text))


def template_digest(env: jinja2.Environment, name: str, memo: dict[str, tuple]) -> str:
    """Return a hash of a template's source and of every template it extends, includes or
    imports, recursively. A reference by variable makes it depend on every template.

    `memo` as `references`'.
    """
    import jinja2

    sources: dict[str, str] = {}
    stack = [name]
    while stack:
        current = stack.pop()
        if current in sources:
            continue
        try:
            source = env.loader.get_source(env, current)[0]
        except jinja2.TemplateNotFound:
            sources[current] = "\0missing"
            continue
        sources[current] = source
        found = references(env, source, memo)
        if None in found:
            stack.extend(env.list_templates())
        stack.extend(r for r in found if r is not None)
    digest = hashlib.blake2b(digest_size=12)
    for current in sorted(sources):
        digest.update(f"{current}\0{sources[current]}\0".encode())
    return digest.hexdigest()


def display_path(filename: str | None, site_dir: Path) -> str:
    """Return a template file's path as the user knows it."""
    if not filename:
        return "<template>"
    path = Path(filename)
    for root, prefix in ((site_dir, ""), (THEME_DIR, "broadsheet/theme/")):
        try:
            return prefix + path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            continue
    return path.name


def template_problem(exc: Exception, site_dir: Path, template: str) -> Problem | None:
    """Return a problem pointing at the template line for a Jinja error, or None if not one."""
    import jinja2

    if isinstance(exc, jinja2.TemplateSyntaxError):
        return error(SourceLoc(display_path(exc.filename, site_dir), exc.lineno),
                     f"template syntax: {exc.message}")
    if isinstance(exc, jinja2.TemplateNotFound):
        return error(SourceLoc(template), f"template not found: {exc.name}",
                     "add it to layouts/ or remove the reference")
    if not isinstance(exc, (jinja2.TemplateError, TypeError, ValueError, AttributeError, KeyError,
                            ZeroDivisionError, IndexError)):
        return None
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith((".html", ".xml", ".txt", ".json")) and Path(frame.filename).exists():
            return error(SourceLoc(display_path(frame.filename, site_dir), frame.lineno),
                         f"template error: {_describe(exc)}")
    if isinstance(exc, jinja2.TemplateError):
        return error(SourceLoc(template), f"template error: {_describe(exc)}")
    return None


def _describe(exc: Exception) -> str:
    import jinja2

    if isinstance(exc, jinja2.UndefinedError):
        return str(exc.message)
    return f"{type(exc).__name__}: {exc}"


def list_static(site_dir: Path) -> tuple[list[str], list[str], list[Problem]]:
    """Return the files of the theme's static/ and the site's layouts/static/, relative,
    and the problems met: hidden files are skipped, and so is a symbolic link that leads
    out of its static/ folder, into a hidden file or folder, or to a folder (a warning
    naming it): a link must not publish what the site does not hold there."""
    problems: list[Problem] = []

    def walk(root: Path, shown: str) -> list[str]:
        if not root.is_dir():
            return []
        real_root = root.resolve()
        found = []
        for folder, dirs, names in os.walk(root):  # links to folders are listed, not entered
            prefix = Path(folder).relative_to(root).as_posix().removeprefix(".").lstrip("/")
            prefix = prefix + "/" if prefix else ""
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            for name in [d for d in dirs if os.path.islink(os.path.join(folder, d))]:
                problems.append(warning(SourceLoc(f"{shown}{prefix}{name}"),
                                        "a link to a folder: not published", f"copy the files into {shown} instead"))
            for name in names:
                if name.startswith("."):
                    continue
                path = os.path.join(folder, name)
                if os.path.islink(path):
                    target = Path(path).resolve()
                    inside = target.is_relative_to(real_root) and target.is_file() and \
                        not any(part.startswith(".") for part in target.relative_to(real_root).parts)
                    if not inside:
                        problems.append(warning(SourceLoc(f"{shown}{prefix}{name}"),
                                                f"a link to a file outside {shown} (or hidden, or missing): "
                                                "not published", f"copy the file into {shown} instead"))
                        continue
                elif not os.path.isfile(path):
                    continue
                found.append(prefix + name)
        return sorted(found)

    theme = walk(THEME_DIR / "static", "broadsheet/theme/static/")
    layouts = walk(site_dir / "layouts" / "static", "layouts/static/")
    return theme, layouts, problems


def static_origin(origin: str, site_dir: Path) -> Path:
    """Return the folder a `Copy` of this origin reads from."""
    return {"theme": THEME_DIR / "static", "layouts": site_dir / "layouts" / "static",
            "content": site_dir / "content"}[origin]
