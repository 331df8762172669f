"""Broadsheet: a static site generator for a collection of articles."""

__version__ = "0.1.0"

__all__ = ["__version__", "build"]


def __getattr__(name: str):
    # `broadsheet.build` on first use: the command line's request to a running watch
    # (broadsheet.channel) imports none of the engine.
    if name == "build":
        from .pipeline import build

        return build
    raise AttributeError(f"module 'broadsheet' has no attribute {name!r}")
