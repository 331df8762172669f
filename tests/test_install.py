"""The engine installed with pip (not editable) builds a site that has no layouts/.

The package is built from a copy of the repository (pip may leave build/ and
*.egg-info behind) and installed, with the dependencies pyproject.toml declares, into a
fresh virtual environment that sees neither the repository nor the packages of the
Python running the tests (a venv or the machine's own): a dependency missing from
pyproject.toml fails here. pip fetches them from the package index (or its cache).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import REPO, article, make_site, require_or_skip

pytestmark = pytest.mark.slow

IGNORED = shutil.ignore_patterns("output", ".git", "__pycache__", "*.pyc", ".pytest_cache", ".hypothesis",
                                 "*.egg-info", "build", "dist", ".venv", ".cache", "node_modules")


UNREACHABLE = ("Temporary failure in name resolution", "Network is unreachable", "Connection refused",
               "NewConnectionError", "ConnectTimeoutError", "No matching distribution found")


def run(args: list[str], cwd: Path, env: dict[str, str], timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def clean_env(venv: Path) -> dict[str, str]:
    """The caller's environment without anything that would point Python at the repository."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP",
                                                              "PYTHONSAFEPATH", "VIRTUAL_ENV")}
    env["PATH"] = str(venv / "bin") + os.pathsep + env.get("PATH", "")
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack: list[str] = []
        self.h1 = ""
        self.links: list[str] = []
        self.stylesheets: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "link" and attrs.get("rel") == "stylesheet":
            self.stylesheets.append(attrs.get("href") or "")
        if tag not in ("meta", "link", "img", "br", "hr", "input"):
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in self.stack:
            while self.stack.pop() != tag:
                pass

    def handle_data(self, data):
        if "h1" in self.stack:
            self.h1 += data


def test_pip_installed_engine_builds_a_site_without_layouts(tmp_path):
    source = tmp_path / "src"
    shutil.copytree(REPO, source, ignore=IGNORED, symlinks=True)
    venv = tmp_path / "venv"
    made = subprocess.run([sys.executable, "-m", "venv", str(venv)], capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stdout + made.stderr
    python = venv / "bin" / "python"
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = clean_env(venv)

    install = run([str(python), "-m", "pip", "install", "--no-input", "--quiet", str(source)], work, env, timeout=900)
    if install.returncode != 0 and any(sign in install.stderr for sign in UNREACHABLE):
        require_or_skip(False, f"the package index is unreachable:\n{install.stderr[-2000:]}")
    assert install.returncode == 0, install.stdout + install.stderr
    for module in ("markdown", "jinja2", "yaml", "watchdog", "pygments"):
        found = run([str(python), "-c", f"import {module}; print({module}.__file__)"], work, env)
        assert found.returncode == 0, found.stderr
        assert Path(found.stdout.strip()).resolve().is_relative_to(venv.resolve()), f"{module} from outside the venv"

    where = run([str(python), "-c", "import broadsheet; print(broadsheet.__file__)"], work, env)
    assert where.returncode == 0, where.stderr
    installed_at = Path(where.stdout.strip()).resolve()
    assert installed_at.is_relative_to(venv.resolve()), f"imported {installed_at}, not the installed copy"
    assert not installed_at.is_relative_to(REPO) and not installed_at.is_relative_to(source.resolve())
    theme = installed_at.parent / "theme"
    packaged = {p.relative_to(theme).as_posix() for p in theme.rglob("*") if p.is_file()}
    shipped = {p.relative_to(source / "broadsheet/theme").as_posix()
               for p in (source / "broadsheet/theme").rglob("*") if p.is_file()}
    assert shipped - packaged == set(), "theme files missing from the package (pyproject.toml package-data)"
    assert "base.html" in packaged and "static/broadsheet.css" in packaged

    site = make_site(tmp_path / "site", {
        "content/articles/installed.md": article("Installed engine works", "2026-03-01 10:00",
                                                 "A paragraph from the installed engine.\n",
                                                 subtitle="The dek", tags="[Packaging]", authors="[Pat Packer]"),
        "content/pages/about.md": "---\ntitle: About\n---\nAbout.\n",
    })
    assert sorted(p.name for p in site.iterdir()) == ["config.yaml", "content"]
    script = venv / "bin" / "broadsheet"
    assert script.is_file(), "the broadsheet console script was not installed"
    result = run([str(script), "build"], site, env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    out = site / "output"
    assert (out / "index.html").is_file()
    assert (out / "static/broadsheet.css").read_bytes() == (theme / "static/broadsheet.css").read_bytes()
    page = _Collect()
    page.feed((out / "articles/installed/index.html").read_text(encoding="utf-8"))
    assert " ".join(page.h1.split()) == "Installed engine works"
    assert "/static/broadsheet.css" in page.stylesheets
    assert "/authors/pat-packer/" in page.links and "/tags/packaging/" in page.links
    assert "A paragraph from the installed engine." in (out / "articles/installed/index.html").read_text("utf-8")

    version = run([str(script), "--version"], site, env)
    assert version.returncode == 0 and version.stdout.startswith("broadsheet ")
