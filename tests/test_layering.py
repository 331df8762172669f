"""Each module imports only modules above it in the layer order (DESIGN.md), and each
third-party library stays in its one module."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "broadsheet"
ORDER = ["errors", "digest", "keystore", "source", "i18n", "config", "load", "model", "urls", "routes", "markup", "twins", "templates", "publish",
         "links", "bodies", "views", "views.shared", "views.article", "views.listings", "views.indexes",
         "views.archive", "views.feeds", "views.sitemap", "views.standalone", "views.redirects", "fingerprint", "render",
         "output", "cache", "plan", "incremental", "workers", "pipeline", "watch", "serve", "reports", "channel", "daemon", "importers", "importers.common", "importers.addresses",
         "importers.wordpress_bodies", "importers.wordpress", "importers.staticsite", "importers.liquid",
         "importers.jekyll", "importers.shortcodes", "importers.hugo_addresses", "importers.hugo", "cli"]
"""Modules of a package are named `package.module`; the package itself (its `__init__`)
comes before its modules."""
THIRD_PARTY_HOME = {"yaml": "source", "markdown": "markup", "jinja2": "templates", "watchdog": "watch",
                    "anyascii": "load", "babel": "i18n", "defusedxml": "importers.wordpress",
                    "markdownify": "importers.common"}


def imports_of(path: Path) -> tuple[set[str], set[str]]:
    """Return (package modules, third-party top-level names) imported at runtime.

    A module of a subpackage (`views/card.py`) names its siblings `views.x`: `from .x`
    there is `views.x`, `from ..x` is `x`."""
    package = path.parent.relative_to(PACKAGE).parts
    tree = ast.parse(path.read_text(encoding="utf-8"))
    internal, external = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            node.body = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - (node.level - 1)] if node.level > 1 else package
                if node.level - 1 > len(package):
                    raise AssertionError(f"{path}: relative import above the package")
                if node.module:
                    internal.add(".".join(base + tuple(node.module.split(".")[:1])))
                else:
                    internal.update(".".join(base + (alias.name,)) for alias in node.names)
            elif node.module:
                external.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            external.update(alias.name.split(".")[0] for alias in node.names)
    return internal, external


def module_name(path: Path) -> str:
    """Return `render` for broadsheet/render.py, `views.card` for broadsheet/views/card.py,
    `views` for broadsheet/views/__init__.py."""
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


FILES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py")) if p != PACKAGE / "__init__.py"
         and "theme" not in p.relative_to(PACKAGE).parts}
MODULES = sorted(FILES)


def test_subpackages_are_covered():
    assert "views.shared" in MODULES and "views" in MODULES


@pytest.mark.parametrize("module", MODULES)
def test_module_imports_only_earlier_layers(module):
    assert module in ORDER, f"{module}.py is not in the layer order: add it to DESIGN.md and this test"
    internal, external = imports_of(FILES[module])
    later = [m for m in internal if m in ORDER and ORDER.index(m) >= ORDER.index(module)]
    assert later == [], f"{module} imports {later}, which are not above it"
    for library, home in THIRD_PARTY_HOME.items():
        if library in external:
            assert module == home, f"{library} may only be imported by {home}.py, not {module}.py"


def test_every_library_is_imported_where_it_belongs():
    for library, home in THIRD_PARTY_HOME.items():
        path = PACKAGE / f"{home}.py"
        if path.exists():
            assert library in imports_of(path)[1], f"{home}.py should own {library}"
