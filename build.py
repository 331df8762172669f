"""Build this site: `python build.py [build|check|new] --help`."""

from broadsheet.cli import run

run()
