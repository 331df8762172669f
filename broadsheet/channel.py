"""The command line's side of `python build.py watch`: where a watch of this site, this
output folder and these options listens (`channel_path`), and the request that has it
build (`ask`). Light on purpose: the command line imports it before the engine, so that a
build a watch answers costs Python's start-up and the watch's work, not the engine's
imports (about 0.3 s). The watch itself is `daemon`.
"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

from .cache import CACHE_DIR, build_key, engine_digest, is_running

CONNECT_SECONDS = 1.0


def channel_path(site_dir: Path, out_dir: Path | None, *, drafts: bool = False, future: bool = False,
                 base_url: str | None = None) -> Path:
    """Return the file that says where the watch of these options listens: named after the
    key of its build cache, so a watch of another engine or other options is never asked."""
    key = build_key(engine_digest(), out_dir or site_dir / "output", drafts=drafts, future=future, preview=False,
                    base_url=base_url)
    return site_dir / CACHE_DIR / f"watch-{key[:16]}.json"


def ask(site_dir: Path, out_dir: Path | None, *, drafts: bool, future: bool, base_url: str | None, strict: bool,
        clean: bool, verbose: bool) -> tuple[int, str, str] | None:
    """Have the watch of this site, output folder and options build it; return its exit
    status, its report and its problems as the command line prints them, or None when no
    watch answers (the caller then builds)."""
    path = channel_path(site_dir, out_dir, drafts=drafts, future=future, base_url=base_url)
    try:
        channel = json.loads(path.read_text(encoding="utf-8"))
        port, token, pid = int(channel["port"]), str(channel["token"]), int(channel["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not is_running(pid):  # a watch killed without a word: its port may be another program's now
        return None
    try:
        connection = socket.create_connection(("127.0.0.1", port), timeout=CONNECT_SECONDS)
    except OSError:
        return None
    request = {"token": token, "strict": strict, "clean": clean, "verbose": verbose,
               "cwd": os.getcwd()}
    with connection:
        connection.settimeout(None)
        try:
            connection.sendall(json.dumps(request).encode() + b"\n")
            data = b"".join(iter(lambda: connection.recv(1 << 16), b""))
            answer = json.loads(data)
            return int(answer["code"]), str(answer["out"]), str(answer["err"])
        except (OSError, ValueError, KeyError, TypeError):  # the watch went away meanwhile
            return None
