"""Each module imports only modules above it in the layer order (DESIGN.md), and each
third-party library stays in its one module."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "broadsheet"
ORDER = ["errors", "source", "config", "load", "model", "routes", "markup", "templates", "publish", "render",
         "output", "cache", "plan", "incremental", "workers", "pipeline", "watch", "serve", "cli"]
THIRD_PARTY_HOME = {"yaml": "source", "markdown": "markup", "jinja2": "templates", "watchdog": "watch"}


def imports_of(path: Path) -> tuple[set[str], set[str]]:
    """Return (package modules, third-party top-level names) imported at runtime."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    internal, external = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            node.body = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                module = (node.module or "").split(".")[0]
                if module:
                    internal.add(module)
                else:
                    internal.update(alias.name for alias in node.names)
            elif node.module:
                external.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            external.update(alias.name.split(".")[0] for alias in node.names)
    return internal, external


MODULES = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__")


@pytest.mark.parametrize("module", MODULES)
def test_module_imports_only_earlier_layers(module):
    assert module in ORDER, f"{module}.py is not in the layer order: add it to DESIGN.md and this test"
    internal, external = imports_of(PACKAGE / f"{module}.py")
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
