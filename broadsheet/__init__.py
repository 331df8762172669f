"""Broadsheet: a static site generator for a collection of articles."""

__version__ = "0.1.0"

from .pipeline import build  # noqa: E402

__all__ = ["__version__", "build"]
