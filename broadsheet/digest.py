"""The one stable short hash the engine uses for fingerprints, tokens and digests of HTML.

Pure; knows nothing of the site.
"""

from __future__ import annotations

import hashlib


def digest_of(*parts: object) -> str:
    """Return a short stable hash of `parts`: strings, numbers, None, and tuples and lists
    of them (their repr is deterministic; no dicts or sets, whose order could leak)."""
    return hashlib.blake2b(repr(parts).encode(), digest_size=12).hexdigest()
