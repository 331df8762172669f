"""Shared helpers: real temp sites, the real CLI in a subprocess, and the skip policy."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

MINIMAL_CONFIG = "title: Test Gazette\nbase_url: https://example.org/\ntimezone: UTC\n"


def make_site(root: Path, files: dict[str, str | bytes], *, config: str | None = MINIMAL_CONFIG) -> Path:
    """Write a site under `root`: `files` maps site paths to text (dedented) or bytes."""
    root.mkdir(parents=True, exist_ok=True)
    if config is not None and "config.yaml" not in files:
        (root / "config.yaml").write_text(config, encoding="utf-8")
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return root


def article(title: str = "A headline", date: str = "2026-03-01 09:00", body: str = "First paragraph.\n",
            **fields: str) -> str:
    """Return the text of an article file; extra fields are raw YAML values."""
    lines = ["---", f"title: {title}", f"date: {date}"]
    lines += [f"{key}: {value}" for key, value in fields.items()]
    return "\n".join(lines + ["---", body])


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run `python build.py ARGS` in a subprocess, as a user would."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, str(REPO / "build.py"), *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=120)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Return every file under `folder` with its bytes (relative posix paths)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def require_or_skip(condition: bool, reason: str) -> None:
    """Skip when a tool is missing, unless BROADSHEET_REQUIRE_ALL=1 (CI), where it fails."""
    if condition:
        return
    if os.environ.get("BROADSHEET_REQUIRE_ALL") == "1":
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)
