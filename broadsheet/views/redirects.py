"""Old addresses that keep working: a redirect page for each alias of an article or page
(front matter `aliases:`), and the files that tell hosts and servers to redirect them
(Netlify's and Cloudflare Pages' `_redirects`, Apache's `.htaccess`, an nginx include)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

from ..routes import Route
from .shared import PageInputs, Shown, Structure, page_context, titled


def inputs(route: Route, structure: Structure) -> PageInputs:
    """A redirect page shows its target alone, which is its route's key; a file of
    redirects shows every alias and its target."""
    if route.kind == "redirect":
        return PageInputs()
    return PageInputs(facts={"redirects": structure.redirects})


def context(route: Route, shown: Shown) -> dict[str, Any]:
    ctx, page = page_context(route, shown)
    if route.kind == "redirects":
        ctx["server"] = route.key
        ctx["redirects"] = [(shown.links.url(alias), shown.links.url(target)) for alias, target in shown.fact("redirects")]
        return ctx
    ctx["redirect"] = {"url": shown.links.url(route.key), "abs_url": shown.links.abs_url(route.key)}
    page["title"] = titled(shown, shown.language.text("redirect_title"))
    return ctx


def document(ctx: dict[str, Any]) -> bytes:
    """Return the bytes of a file of redirects, for the server `ctx['server']` names: a
    line (or block) per old path, with and without its final slash where it has no suffix."""
    lines = []
    for alias, target in ctx["redirects"]:
        for old in _spellings(alias):
            if ctx["server"] == "netlify":
                lines.append(f"{old} {target} 301")
            elif ctx["server"] == "apache":  # which matches the decoded path, as nginx does
                pattern = "^" + _regex(unquote(old)).replace('"', '\\"') + "$"
                lines.append(f'RedirectMatch 301 "{pattern}" {target}')
            else:
                lines.append(f"location = {_quoted(unquote(old))} {{ return 301 {_quoted(target)}; }}")
    head = {"netlify": "# Redirects of old addresses (Netlify, Cloudflare Pages). Made by Broadsheet.",
            "apache": "# Redirects of old addresses (Apache, mod_alias). Made by Broadsheet.",
            "nginx": "# Redirects of old addresses: include this file inside nginx's server block. "
                     "Made by Broadsheet."}[ctx["server"]]
    return ("\n".join([head, *lines]) + "\n").encode("utf-8")


def _spellings(alias: str) -> list[str]:
    """Return an old path as a server may be asked for it: `/old` and `/old/` for a path
    without a suffix."""
    if alias.endswith("/") and alias != "/":
        return [alias[:-1], alias]
    last = alias.rsplit("/", 1)[-1]
    return [alias, alias + "/"] if last and "." not in last else [alias]


def _regex(path: str) -> str:
    return re.sub(r"([.^$*+?()\[\]{}|\\])", r"\\\1", path)


def _quoted(path: str) -> str:
    """Return a path as an nginx string (where a backslash escapes, as Apache's do not)."""
    return '"' + path.replace("\\", "\\\\").replace('"', '\\"') + '"'
